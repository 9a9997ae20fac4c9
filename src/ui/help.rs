//! Keyboard shortcuts and the help dialog that lists them.

use leptos::html::Dialog;
use leptos::prelude::*;
use statelab_sim::{Command, Mode, ServerId};

use super::use_lab;
use crate::i18n::{
    t, tf,
    Text::{self, *},
};
use crate::lab::Lab;

/// (keys, what they do, whether only the full controls offer it), as listed in the dialog. An
/// embed with minimal controls offers playback and the mode switch: its keys do no more.
const SHORTCUTS: [(Text, Text, bool); 9] = [
    (KeySpace, KeyPlayPause, false),
    (KeyS, KeyStep, false),
    (KeyR, KeyReset, false),
    (KeyM, KeyMode, false),
    (KeyA, KeyAdd, true),
    (KeyDigits, KeyCrash, true),
    (KeyT, KeyTrace, true),
    (KeyHelp, KeyOpenHelp, false),
    (KeyEsc, KeyClose, false),
];

/// Whether the key belongs to the focused control, not to the shortcuts: everything typed into
/// a field or a menu, and the keys a button (or a toggle), box, radio or slider answers itself. A letter on
/// a checkbox or a slider is still a shortcut: the mode switch and the sliders are the first
/// controls a learner touches.
fn typing_into(ev: &web_sys::KeyboardEvent) -> bool {
    use wasm_bindgen::JsCast;
    let Some(el) = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else { return false };
    let key = ev.key();
    let pressed = match key.as_str() {
        "Enter" => true,
        // Space on a control the mouse clicked is play/pause, as everywhere else: whoever
        // clicked Add server and then presses Space means the run, not a second server. A
        // control reached with the keyboard still takes its Space.
        " " => !super::focus::pointed_at(&el),
        _ => false,
    };
    let moved = matches!(
        key.as_str(),
        "ArrowLeft" | "ArrowRight" | "ArrowUp" | "ArrowDown" | "Home" | "End" | "PageUp" | "PageDown"
    );
    match el.tag_name().as_str() {
        "INPUT" => match el.get_attribute("type").as_deref() {
            Some("checkbox" | "radio" | "range") => pressed || moved,
            _ => true,
        },
        "SELECT" | "TEXTAREA" => true,
        // A glossary's toggle opens with Space, as a button does.
        "BUTTON" | "SUMMARY" => pressed,
        _ => false,
    }
}

/// Runs the shortcut for `key`; returns whether one matched. `full`: the page shows the full
/// controls, so the keys that add, crash and trace are on; `traces`: it shows the trace panel,
/// without which T would trace a request nobody sees.
fn shortcut(lab: Lab, key: &str, full: bool, traces: bool) -> bool {
    match key {
        " " => {
            lab.playing.update(|p| *p = !*p);
            lab.say_play();
        }
        "s" | "S" => lab.step(),
        "r" | "R" => lab.reset(),
        // A tour sets the mode: the key says so, as the switch's note does.
        "m" | "M" if lab.tour_at.with_untracked(Option::is_some) => {
            // Only with every control does Reset leave the tour.
            lab.notice.set(Some(t(if full { TourSetsMode } else { TourSetsModeFixed }).into()));
        }
        "m" | "M" => {
            let next =
                if lab.snap.with_untracked(|s| s.mode) == Mode::Stateful { Mode::Stateless } else { Mode::Stateful };
            lab.switch_mode(next);
        }
        "?" => lab.help_open.set(true),
        _ if !full => return false,
        "a" | "A" => lab.send(Command::AddServer),
        "t" | "T" if traces => lab.trace_next(),
        k if k.len() == 1 && k.as_bytes()[0].is_ascii_digit() && k != "0" => {
            // The digit is the number on screen: "Server 3" stays 3 after Server 2 is removed.
            let server = ServerId(u32::from(k.as_bytes()[0] - b'1'));
            if lab.snap.with_untracked(|s| s.servers.iter().any(|v| v.id == server)) {
                lab.send(Command::CrashServer { server });
            } else {
                lab.notice.set(Some(tf(NoServerNumber, &[("n", &k)])));
            }
        }
        _ => return false,
    }
    true
}

/// `hidden`: the lab is out of view (compare mode shows instead), so its keys must not drive it
/// unseen. `full`: the page shows the full controls, not the minimal ones. `traces`: it shows
/// the trace panel, which T fills.
#[component]
pub fn Help(hidden: ReadSignal<bool>, full: bool, traces: bool) -> impl IntoView {
    let lab = use_lab();
    let dialog = NodeRef::<Dialog>::new();
    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        // The dialog's own state: its close event, which updates the signal, comes in a task of
        // its own, after a key pressed right after Esc.
        let off = hidden.get_untracked() || dialog.get_untracked().is_some_and(|d| d.open());
        if off || ev.ctrl_key() || ev.meta_key() || ev.alt_key() || typing_into(&ev) {
            return;
        }
        let focused = super::focus::hold_focused();
        if shortcut(lab, &ev.key(), full, traces) {
            ev.prevent_default();
            if let Some(refocus) = focused {
                refocus();
            }
        }
    });
    on_cleanup(move || keys.remove());
    // Syncs the native dialog (modal, focus trap, Esc) with the signal.
    Effect::new(move |_| {
        let open = lab.help_open.get();
        if let Some(d) = dialog.get() {
            if open && !d.open() {
                let _ = d.show_modal();
                // On its title, not on Close at its foot: a short window would scroll the
                // list's top out of view. (Not `autofocus`, which a cross-origin frame blocks
                // with an error.)
                if let Ok(Some(heading)) = d.query_selector("h2") {
                    super::focus::focus_heading(&heading);
                }
            } else if !open && d.open() {
                d.close();
            }
        }
    });
    view! {
        <button class="help-button" aria-haspopup="dialog" on:click=move |_| lab.help_open.set(true)>{t(Shortcuts)}</button>
        // A late close event must not close the dialog a ? has opened again since.
        <dialog
            node_ref=dialog
            class="help"
            aria-labelledby="help-heading"
            on:close=move |_| {
                if !dialog.get_untracked().is_some_and(|d| d.open()) {
                    lab.help_open.set(false);
                }
            }
        >
            <h2 id="help-heading">{t(Shortcuts)}</h2>
            <table>
                <thead><tr><th scope="col">{t(KeyHeader)}</th><th scope="col">{t(ActionHeader)}</th></tr></thead>
                <tbody>
                    {SHORTCUTS.iter().filter(|s| (full || !s.2) && (traces || s.0 != KeyT)).map(|(k, what, _)| view! { <tr><td><kbd>{t(*k)}</kbd></td><td>{t(*what)}</td></tr> }).collect_view()}
                </tbody>
            </table>
            <p>{t(TabHint)}</p>
            <p>{t(ScreenReaderHint)}</p>
            <div class="dialog-foot">
                <button class="primary" on:click=move |_| lab.help_open.set(false)>{t(Close)}</button>
            </div>
        </dialog>
    }
}
