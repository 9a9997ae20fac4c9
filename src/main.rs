//! Entry point: install the panic overlay, take down the loading page, then mount the app.

fn main() {
    statelab::panic::install();
    if let Some(boot) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("boot")) {
        boot.remove();
    }
    leptos::mount::mount_to_body(statelab::App);
}
