//! Keeps keyboard focus near where it was when the pressed button goes away. Crash, Restart and
//! Remove disable themselves once pressed, and Remove replica or Close inspector take their own
//! row with them; the browser then drops focus to the top of the page, and a keyboard user would
//! have to Tab all the way back.

use gloo_timers::callback::Timeout;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

/// Containers searched for another control, nearest first: the row, then its group.
const AROUND: &str = "li, .row, fieldset, section, main";

/// Listens to every click on the page for as long as the calling component lives.
pub fn keep_focus() {
    let clicks = window_event_listener(leptos::ev::click, |ev| {
        let Some(button) =
            ev.target().and_then(|t| t.dyn_into::<Element>().ok()).and_then(|e| e.closest("button").ok().flatten())
        else {
            return;
        };
        let mut around = Vec::new();
        let mut at = button.parent_element();
        while let Some(el) = at {
            if el.matches(AROUND).unwrap_or(false) {
                around.push(el.clone());
            }
            at = el.parent_element();
        }
        // After the click's own updates, which the reactive system runs as microtasks.
        Timeout::new(0, move || refocus(&button, &around)).forget();
    });
    on_cleanup(move || clicks.remove());
}

/// Moves focus to the first enabled control around `button` if the button lost it.
fn refocus(button: &Element, around: &[Element]) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    let gone = !button.is_connected() || button.has_attribute("disabled");
    let lost = match document.active_element() {
        None => true,
        Some(active) => document.body().is_some_and(|b| *b == active) || (active == *button && gone),
    };
    if !lost || !gone {
        return;
    }
    let next = around.iter().filter(|el| el.is_connected()).find_map(|el| {
        el.query_selector("button:not([disabled]), input:not([disabled]), select:not([disabled])").ok().flatten()
    });
    if let Some(next) = next.and_then(|n| n.dyn_into::<HtmlElement>().ok()) {
        let _ = next.focus();
    }
}
