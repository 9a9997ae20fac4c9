//! The animation loop: `requestAnimationFrame` turns real time into simulated time (real dt ×
//! speed, clamped after a pause or a tab switch) and redraws the dot layer. While paused, hidden
//! or scrolled off screen nothing is scheduled at all.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

use crate::lab::Lab;
use crate::ui::dots;

/// Longest real gap credited to one frame [ms]: a frame after a pause does not jump ahead.
const MAX_FRAME_MS: f64 = 100.0;

/// The frame callback, kept alive by the closure itself until the loop stops.
type FrameSlot = Rc<RefCell<Option<Closure<dyn FnMut(f64)>>>>;

thread_local! {
    static RUNNING: Cell<bool> = const { Cell::new(false) };
}

/// Whether the tab is in front, as the page's `Lab::tab_visible` follows it.
pub(crate) fn visible() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .is_none_or(|d| d.visibility_state() == web_sys::VisibilityState::Visible)
}

/// Starts the loop unless it already runs; it stops itself when paused or hidden.
pub fn start(lab: Lab) {
    if RUNNING.with(|r| r.replace(true)) {
        return;
    }
    let frame: FrameSlot = Rc::new(RefCell::new(None));
    let handle = frame.clone();
    let last = Cell::new(None::<f64>);
    *handle.borrow_mut() = Some(Closure::new(move |t: f64| {
        if !lab.playing.get_untracked() || !lab.on_screen.get_untracked() || !lab.tab_visible.get_untracked() {
            RUNNING.with(|r| r.set(false));
            frame.borrow_mut().take();
            // The page's text may be one throttled publication behind the dots.
            lab.flush();
            return;
        }
        let dt_ms = last.get().map_or(0.0, |l: f64| (t - l).clamp(0.0, MAX_FRAME_MS));
        last.set(Some(t));
        let dt_us = (dt_ms * 1000.0 * lab.speed.get_untracked()) as u64;
        lab.advance_frame(dt_us);
        dots::draw(lab);
        if let (Some(w), Some(cb)) = (web_sys::window(), frame.borrow().as_ref()) {
            let _ = w.request_animation_frame(cb.as_ref().unchecked_ref());
        }
    }));
    let first = handle.borrow();
    if let (Some(w), Some(cb)) = (web_sys::window(), first.as_ref()) {
        let _ = w.request_animation_frame(cb.as_ref().unchecked_ref());
    }
}
