//! Entry point: install the panic overlay, then mount the app.

fn main() {
    statelab::panic::install();
    leptos::mount::mount_to_body(statelab::App);
}
