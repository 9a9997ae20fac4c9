//! Keeps keyboard focus near where it was when the pressed button goes away. Crash, Restart and
//! Remove disable themselves once pressed, and Remove replica or Close inspector take their own
//! row with them; the browser then drops focus to the top of the page, and a keyboard user would
//! have to Tab all the way back.

use std::cell::Cell;

use gloo_timers::callback::Timeout;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

/// A control that can take the focus.
const CONTROL: &str = "button:not([disabled]), input:not([disabled]), select:not([disabled])";

thread_local! {
    static INSTALLED: Cell<bool> = const { Cell::new(false) };
}

/// Watches every click on the page, once per page: the listener knows nothing of any one app.
/// It listens in the capture phase, before the click's own handler can take the button's row
/// out of the page, which would leave nothing to search from.
pub fn keep_focus() {
    if INSTALLED.with(|i| i.replace(true)) {
        return;
    }
    let Some(window) = web_sys::window() else { return };
    let on_click = Closure::<dyn Fn(web_sys::Event)>::new(|ev: web_sys::Event| {
        let Some(button) =
            ev.target().and_then(|t| t.dyn_into::<Element>().ok()).and_then(|e| e.closest("button").ok().flatten())
        else {
            return;
        };
        // Its partner first: a control beside it that the click is about to enable (Crash's
        // Restart, and back).
        let mut around = partners(&button);
        around.extend(neighbourhood(&button));
        // After the click's own updates, which the reactive system runs as microtasks.
        Timeout::new(0, move || refocus(&button, &around)).forget();
    });
    let _ = window.add_event_listener_with_callback_and_bool("click", on_click.as_ref().unchecked_ref(), true);
    on_click.forget();
}

/// The disabled controls beside `button`.
fn partners(button: &Element) -> Vec<Element> {
    let Some(row) = button.parent_element() else { return Vec::new() };
    let Ok(all) = row.query_selector_all("button[disabled], input[disabled], select[disabled]") else {
        return Vec::new();
    };
    (0..all.length()).filter_map(|i| all.item(i)).filter_map(|n| n.dyn_into::<Element>().ok()).collect()
}

/// Where to look for the next control, nearest first: going up from `button`, each ancestor,
/// then the siblings after it, then those before it, up to its section.
fn neighbourhood(button: &Element) -> Vec<Element> {
    let mut places = Vec::new();
    let mut at = button.clone();
    while let Some(parent) = at.parent_element() {
        let mut next = at.next_element_sibling();
        while let Some(el) = next {
            next = el.next_element_sibling();
            places.push(el);
        }
        let mut previous = at.previous_element_sibling();
        while let Some(el) = previous {
            previous = el.previous_element_sibling();
            places.push(el);
        }
        places.push(parent.clone());
        if parent.matches("section, main").unwrap_or(true) {
            break;
        }
        at = parent;
    }
    places
}

/// Moves the focus to the nearest control around `button` if the button lost it.
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
        if el.matches(CONTROL).unwrap_or(false) {
            Some(el.clone())
        } else {
            el.query_selector(CONTROL).ok().flatten()
        }
    });
    if let Some(next) = next.and_then(|n| n.dyn_into::<HtmlElement>().ok()) {
        let _ = next.focus();
    }
}
