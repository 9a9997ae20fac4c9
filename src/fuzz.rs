//! UI fuzzing, after PhET's: `?fuzz=N` performs N random valid actions through the real page —
//! clicks on enabled buttons, slider and select changes, checkboxes, keyboard shortcuts, steps
//! and timeline rewinds — as fast as the page allows, checking after each batch that the
//! numbers on screen are possible. A broken invariant is reported with `console.error`, and
//! the tally lands in `#fuzz-result` for tests to read.

use leptos::prelude::*;
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64Mcg as FuzzRng;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, HtmlInputElement, HtmlSelectElement};

use crate::i18n::Grouped;
use crate::lab::Lab;

/// Actions between two checks; the page renders in between.
const BATCH: u32 = 25;

/// Buttons the fuzzer leaves alone: they leave the page, open files, nest another app, or
/// switch to compare mode, which hides the lab whose figures the checks read.
const SKIPPED: [&str; 6] = ["Download", "Preview embed", "Copy", "Reload", "Explore the system", "Compare stateful"];

fn document() -> Option<web_sys::Document> {
    web_sys::window()?.document()
}

fn all(selector: &str) -> Vec<Element> {
    let Some(list) = document().and_then(|d| d.query_selector_all(selector).ok()) else { return Vec::new() };
    (0..list.length()).filter_map(|i| list.item(i)).filter_map(|n| n.dyn_into::<Element>().ok()).collect()
}

fn visible(el: &Element) -> bool {
    el.dyn_ref::<HtmlElement>().is_some_and(|h| h.offset_parent().is_some())
}

fn fire(el: &Element, kind: &str) {
    if let Ok(ev) = web_sys::Event::new_with_event_init_dict(kind, &{
        let init = web_sys::EventInit::new();
        init.set_bubbles(true);
        init
    }) {
        let _ = el.dispatch_event(&ev);
    }
}

/// Performs one random action; false if the page offered nothing of the kind drawn.
fn act(rng: &mut FuzzRng) -> bool {
    match rng.random_range(0..10) {
        0..=4 => {
            let buttons: Vec<Element> = all("button:not([disabled])")
                .into_iter()
                .filter(|b| visible(b) && !SKIPPED.iter().any(|s| b.text_content().unwrap_or_default().contains(s)))
                .collect();
            let Some(b) = buttons.get(rng.random_range(0..buttons.len().max(1))) else { return false };
            b.unchecked_ref::<HtmlElement>().click();
        }
        5 => {
            let sliders: Vec<Element> = all("input[type=range]:not([disabled])").into_iter().filter(visible).collect();
            let Some(s) = sliders.get(rng.random_range(0..sliders.len().max(1))) else { return false };
            let input: &HtmlInputElement = s.unchecked_ref();
            let (lo, hi) = (input.min().parse::<f64>().unwrap_or(0.0), input.max().parse::<f64>().unwrap_or(1.0));
            input.set_value(&(lo + (hi - lo) * rng.random::<f64>()).round().to_string());
            fire(s, "input");
            fire(s, "change");
        }
        6 => {
            // The language menu reloads the page, which would end the run.
            let selects: Vec<Element> = all("select:not([disabled])")
                .into_iter()
                .filter(|s| visible(s) && s.closest(".lang").ok().flatten().is_none())
                .collect();
            let Some(s) = selects.get(rng.random_range(0..selects.len().max(1))) else { return false };
            let select: &HtmlSelectElement = s.unchecked_ref();
            if select.length() == 0 {
                return false;
            }
            select.set_selected_index(rng.random_range(0..select.length() as i32));
            fire(s, "change");
        }
        7 => {
            let boxes: Vec<Element> = all("input[type=checkbox]:not([disabled]), input[type=radio]:not([disabled])")
                .into_iter()
                .filter(visible)
                .collect();
            let Some(b) = boxes.get(rng.random_range(0..boxes.len().max(1))) else { return false };
            b.unchecked_ref::<HtmlElement>().click();
        }
        _ => {
            let keys = [" ", "s", "m", "a", "1", "2", "3", "t", "r"];
            let key = keys[rng.random_range(0..keys.len())];
            let init = web_sys::KeyboardEventInit::new();
            init.set_key(key);
            init.set_bubbles(true);
            if let (Some(w), Ok(ev)) =
                (web_sys::window(), web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init))
            {
                let _ = w.dispatch_event(&ev);
            }
        }
    }
    true
}

/// Checks that the figures in the model are possible and that every card on screen shows the
/// published snapshot's figure; returns what is not so.
fn check(lab: Lab) -> Option<String> {
    let (users, logged_in, logged_out, t, cache) =
        lab.snap.with_untracked(|s| (s.users, s.logged_in, s.logged_out, s.totals, crate::ui::cache_figure(s)));
    if logged_in + logged_out > users {
        return Some(format!("{logged_in} logged in and {logged_out} logged out of {users} users"));
    }
    if t.completed + t.failed > t.issued {
        return Some(format!("{} answered and {} failed of {} issued", t.completed, t.failed, t.issued));
    }
    let count = |n: u64| Grouped(n).to_string();
    let cards = [
        ("users-logged-out", count(logged_out.into())),
        ("logouts-so-far", count(t.logouts)),
        ("users-logged-in", format!("{} / {}", count(logged_in.into()), count(users.into()))),
        ("requests-answered", count(t.completed)),
        ("failed-requests", count(t.failed)),
        ("cache-hit-ratio", cache),
    ];
    cards.into_iter().find_map(|(id, expected)| {
        let shown = document()
            .and_then(|d| d.get_element_by_id(&format!("metric-{id}")))
            .and_then(|label| label.parent_element())
            .and_then(|card| card.query_selector("output").ok().flatten())
            .map(|out| out.text_content().unwrap_or_default());
        match shown {
            Some(text) if text == expected => None,
            Some(text) => Some(format!("card {id} shows {text:?}, the model {expected:?}")),
            None => Some(format!("card {id} is missing")),
        }
    })
}

/// Runs `actions` random actions, then writes the tally into `#fuzz-result`.
pub fn start(lab: Lab, actions: u32, seed: u64) {
    leptos::task::spawn_local(async move {
        let mut rng = FuzzRng::seed_from_u64(seed);
        let (mut done, mut tries) = (0, 0u64);
        let mut broken = Vec::new();
        // Batches after which the lab's run had changed: proof the checks watched a live lab.
        let (mut moved, mut last) = (0, lab.with_sim(|s| s.trace_hash()));
        // Only actions that happened count; the cap ends a page that offers none.
        while done < actions && tries < 10 * u64::from(actions) {
            for _ in 0..BATCH.min(actions - done) {
                tries += 1;
                done += u32::from(act(&mut rng));
            }
            gloo_timers::future::TimeoutFuture::new(0).await;
            let hash = lab.with_sim(|s| s.trace_hash());
            moved += u32::from(hash != std::mem::replace(&mut last, hash));
            if let Some(problem) = check(lab) {
                web_sys::console::error_1(&format!("fuzz: after {done} actions: {problem}").into());
                broken.push(problem);
            }
        }
        if let Some(out) = document().and_then(|d| d.get_element_by_id("fuzz-result")) {
            out.set_text_content(Some(&format!("{done} actions, {} problems", broken.len())));
            let _ = out.set_attribute("data-moved", &moved.to_string());
        }
    });
}
