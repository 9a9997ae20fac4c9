//! A panic must never leave a dead page: log it, then cover the page with an overlay that says
//! what broke and offers a reload. Built with plain DOM calls because the reactive system may
//! be what panicked.

use crate::i18n::{t, Text::*};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

/// Installs the hook; call before mounting.
pub fn install() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        show_overlay(&info.to_string());
    }));
}

fn show_overlay(message: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Some(body) = document.body() else { return };
    if document.get_element_by_id("panic-overlay").is_some() {
        return;
    }
    let build = || -> Result<(), wasm_bindgen::JsValue> {
        let overlay = document.create_element("div")?;
        overlay.set_id("panic-overlay");
        overlay.set_attribute("role", "alertdialog")?;
        overlay.set_attribute("aria-labelledby", "panic-title")?;
        let title = document.create_element("h2")?;
        title.set_id("panic-title");
        title.set_text_content(Some(t(PanicTitle)));
        let detail = document.create_element("pre")?;
        // Text, never HTML: the message may quote user input.
        detail.set_text_content(Some(message));
        let reload = document.create_element("button")?;
        reload.set_text_content(Some(t(Reload)));
        let on_click = Closure::<dyn FnMut()>::new(|| {
            if let Some(w) = web_sys::window() {
                let _ = w.location().reload();
            }
        });
        reload.add_event_listener_with_callback("click", on_click.as_ref().unchecked_ref())?;
        on_click.forget();
        overlay.append_child(&title)?;
        overlay.append_child(&detail)?;
        overlay.append_child(&reload)?;
        body.append_child(&overlay)?;
        if let Some(button) = reload.dyn_ref::<web_sys::HtmlElement>() {
            let _ = button.focus();
        }
        Ok(())
    };
    let _ = build();
}
