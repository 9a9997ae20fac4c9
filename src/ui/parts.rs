//! The menu a click on a box opens: crash, restart, remove or promote that component right
//! where the learner is watching, without scrolling down to the control panels.

use std::cell::Cell;

use leptos::html;
use leptos::prelude::*;
use statelab_sim::database::DbRole;
use statelab_sim::snapshot::Snapshot;
use statelab_sim::Command;
use wasm_bindgen::JsCast;

use super::use_lab;
use crate::i18n::{t, tf, words, Text, Text::*};
use crate::layout::{part_box, Part, HEIGHT, WIDTH};

/// What a component's menu offers now: (label, enabled, command).
type Action = (Text, bool, Command);

/// A part's name, as its box and its key button show it; `None` once it has left the diagram.
/// A part keeps its name while it stays that part: a promotion makes another one.
fn part_name(part: Part, s: &Snapshot) -> Option<String> {
    Some(match part {
        Part::Server(id) => words::server(id),
        Part::SessionStore => t(SessionStore).to_string(),
        Part::Cache => t(Cache).to_string(),
        Part::Master => t(MasterDb).to_string(),
        Part::Replica(id) => {
            let r = s.db.iter().find(|n| n.id == id && n.role == DbRole::Replica)?;
            tf(ReplicaName, &[("n", &r.number)])
        }
    })
}

/// The component's name with its state, its actions, and why an action is off when that is not
/// plain from the state; from the snapshot, `None` once the component has left the diagram.
fn menu_of(part: Part, s: &Snapshot) -> Option<(String, Vec<Action>, Option<Text>)> {
    // Every title says the state, as a server's does ("Replica 2 — down").
    let titled = |up: bool| Some(format!("{} — {}", part_name(part, s)?, t(if up { PartUp } else { PartDown })));
    let up_down = |up: bool, crash: Command, restart: Command| {
        Some((titled(up)?, vec![(PartCrash, up, crash), (PartRestart, !up, restart)], None))
    };
    match part {
        Part::Server(server) => {
            let state = s.servers.iter().find(|v| v.id == server)?.state;
            let running = state.is_running();
            Some((
                words::server_with_state(server, state),
                vec![
                    (PartCrash, running, Command::CrashServer { server }),
                    (PartRestart, !running, Command::RestartServer { server }),
                    (PartRemove, s.removable(server), Command::RemoveServer { server }),
                ],
                (s.last_serving() == Some(server)).then_some(RemoveWhyLast),
            ))
        }
        Part::SessionStore => up_down(s.store.up, Command::CrashSessionStore, Command::RestartSessionStore),
        Part::Cache => up_down(s.cache.up, Command::CrashCache, Command::RestartCache),
        Part::Master => {
            let m = s.db.iter().find(|n| n.role == DbRole::Master)?;
            let node = m.id.0;
            up_down(m.up, Command::CrashDbNode { node }, Command::RestartDbNode { node })
        }
        Part::Replica(id) => {
            let r = s.db.iter().find(|n| n.id == id && n.role == DbRole::Replica)?;
            let node = id.0;
            let behind = r.up && r.behind;
            let title = if behind { format!("{} — {}", part_name(part, s)?, t(PartBehind)) } else { titled(r.up)? };
            Some((
                title,
                vec![
                    // A replica that is down, or behind on writes, has nothing current to serve
                    // as the master.
                    (PartPromote, r.promotable(), Command::PromoteReplica { node }),
                    (PartCrash, r.up, Command::CrashDbNode { node }),
                    (PartRestart, !r.up, Command::RestartDbNode { node }),
                    (PartRemove, true, Command::RemoveReplica { node }),
                ],
                behind.then_some(PromoteWhyBehind),
            ))
        }
    }
}

/// Every part with a menu, in the diagram's reading order.
fn parts_of(s: &Snapshot) -> Vec<Part> {
    let servers = s.servers.iter().map(|v| Part::Server(v.id));
    let data = [Part::SessionStore, Part::Cache, Part::Master];
    let replicas = s.db.iter().filter(|n| n.role == DbRole::Replica).map(|n| Part::Replica(n.id));
    servers.chain(data).chain(replicas).collect()
}

/// A part as its key button's `data-part` names it, so a closed menu can hand the focus back.
fn part_key(part: Part) -> String {
    match part {
        Part::Server(id) => format!("server-{}", id.0),
        Part::SessionStore => "store".into(),
        Part::Cache => "cache".into(),
        Part::Master => "master".into(),
        Part::Replica(id) => format!("replica-{}", id.0),
    }
}

/// The keyboard's way to the parts' menus, which a pointer opens on the diagram: a row of
/// buttons, out of sight until one of them has the focus.
#[component]
pub fn PartKeys(open: RwSignal<Option<Part>>) -> impl IntoView {
    let lab = use_lab();
    let parts = Memo::new(move |_| lab.snap.with(parts_of));
    view! {
        <div class="part-keys" role="group" aria-label=t(PartKeysLabel)>
            <span class="group-label" aria-hidden="true">{t(PartKeysLabel)}</span>
            // Keyed by part, whose name does not change: the row is rebuilt only when a part
            // comes or goes, and a publication that changes neither allocates nothing.
            <For each=move || parts.get() key=|p| *p let:part>
                <button
                    data-part=part_key(part)
                    aria-expanded=move || (open.get() == Some(part)).to_string()
                    on:focus=move |_| {
                        if let Some((x, ..)) = lab.snap.with_untracked(|s| part_box(part, s)) {
                            reveal_across(x);
                        }
                    }
                    on:click=move |_| {
                        OPENED_BY_KEY.set(Some(part));
                        open.set(Some(part));
                    }
                >
                    {lab.snap.with_untracked(|s| part_name(part, s))}
                </button>
            </For>
        </div>
    }
}

/// Where the diagram scrolls sideways (a phone), brings the point `x` of its drawing [SVG
/// units] to the middle of the view: a part whose key has the focus is in sight.
fn reveal_across(x: f64) {
    let frame =
        web_sys::window().and_then(|w| w.document()).and_then(|d| d.query_selector("figure.diagram").ok().flatten());
    let Some(frame) = frame.filter(|f| f.scroll_width() > f.client_width()) else { return };
    let middle = x / WIDTH * f64::from(frame.scroll_width()) - f64::from(frame.client_width()) / 2.0;
    frame.set_scroll_left(middle.max(0.0) as i32);
}

thread_local! {
    /// The part whose menu a key button opened: closing it gives that button the focus back.
    static OPENED_BY_KEY: Cell<Option<Part>> = const { Cell::new(None) };
}

/// Closes the menu and, when a key button opened it, gives that button the focus back.
fn close(open: RwSignal<Option<Part>>) {
    let Some(part) = open.get_untracked() else { return };
    open.set(None);
    if OPENED_BY_KEY.take() == Some(part) {
        focus_key(part);
    }
}

/// Gives a part's key button the focus.
fn focus_key(part: Part) {
    let key = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector(&format!(".part-keys [data-part='{}']", part_key(part))).ok().flatten());
    if let Some(button) = key.and_then(|b| b.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = button.focus();
    }
}

/// The open component's menu, placed under its box (over it, for a box low in the diagram).
/// Esc, its close button or a click outside closes it; it closes itself when its component
/// leaves the diagram.
#[component]
pub fn PartMenu(open: RwSignal<Option<Part>>) -> impl IntoView {
    let lab = use_lab();
    let menu = Memo::new(move |_| {
        let part = open.get()?;
        lab.snap.with(|s| Some((part_box(part, s)?, menu_of(part, s)?)))
    });
    Effect::new(move |_| {
        let Some(part) = open.get() else { return };
        if menu.with(Option::is_some) {
            return;
        }
        open.set(None);
        // Its part left (removed, or promoted to master) and took the pressed button along: a
        // keyboard user goes on from the key of the part that takes its place, the master for
        // a replica, not from the top of the page.
        if OPENED_BY_KEY.take() == Some(part) {
            let heir = match part {
                Part::Replica(_) => Some(Part::Master),
                _ => lab.snap.with_untracked(|s| parts_of(s).first().copied()),
            };
            if let Some(heir) = heir {
                request_animation_frame(move || focus_key(heir));
            }
        }
    });
    let root = NodeRef::<html::Section>::new();
    // A newly opened menu comes into view whole, where the diagram scrolls sideways (a phone),
    // and takes the focus, so the keyboard can go on from it.
    Effect::new(move |_| {
        if open.get().is_some() {
            request_animation_frame(move || {
                let menu = root.get_untracked();
                if let Some(menu) = &menu {
                    let whole = web_sys::ScrollIntoViewOptions::new();
                    whole.set_block(web_sys::ScrollLogicalPosition::Nearest);
                    whole.set_inline(web_sys::ScrollLogicalPosition::Nearest);
                    menu.scroll_into_view_with_scroll_into_view_options(&whole);
                }
                let first =
                    menu.and_then(|r| r.query_selector(".part-menu-actions button:not(:disabled)").ok().flatten());
                if let Some(button) = first.and_then(|b| b.dyn_into::<web_sys::HtmlElement>().ok()) {
                    let _ = button.focus();
                }
            });
        }
    });
    let outside = window_event_listener(leptos::ev::pointerdown, move |ev| {
        let inside = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|el| el.closest(".part-menu, #dots, .part-keys").ok().flatten())
            .is_some();
        if !inside && open.get_untracked().is_some() {
            open.set(None);
        }
    });
    // Esc closes it wherever the focus is: a mouse user's pressed button may have just been
    // disabled, leaving the focus on the page.
    let escape = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() == "Escape" && open.get_untracked().is_some() {
            close(open);
        }
    });
    on_cleanup(move || {
        outside.remove();
        escape.remove();
    });
    // Rebuilt only when another component's menu opens: a state change updates the title
    // and the buttons in place, so the pressed button's partner can take the focus.
    move || {
        open.get()?;
        let (_, actions, _) = menu.get_untracked()?.1;
        let place = move || menu.with(|m| m.as_ref().map(|m| m.0)).unwrap_or((0.0, 0.0, 0.0, 0.0));
        // Under the box, or over it when the box sits in the diagram's lower half.
        let below = move || place().1 < HEIGHT * 0.55;
        let edge = move || {
            let (_, y, _, hh) = place();
            if below() {
                y + hh + 6.0
            } else {
                HEIGHT - (y - hh - 6.0)
            }
        };
        let at = move || format!("{:.2}%", edge() / HEIGHT * 100.0);
        // By position, and never past the end: while the menu switches to another part (a
        // server's three actions, the cache's two) the old buttons may read the new list.
        let enabled = move |i: usize| menu.with(|m| m.as_ref().and_then(|m| m.1 .1.get(i)).is_some_and(|a| a.1));
        Some(view! {
            <section
                class="part-menu"
                role="dialog"
                aria-labelledby="part-menu-title"
                node_ref=root
                // Tabbing out of it closes it, as it would otherwise hide what the focus reaches.
                on:focusout=move |ev| {
                    let to = ev.related_target().and_then(|t| t.dyn_into::<web_sys::Node>().ok());
                    let inside = root.get_untracked().is_some_and(|r| r.contains(to.as_ref()));
                    if to.is_some() && !inside {
                        open.set(None);
                    }
                }
                // Centred under its box, and never past the stage's sides (the menu is 18rem wide).
                style:left=move || format!("clamp(0.25rem, calc({:.2}% - 9rem), calc(100% - 18.25rem))", place().0 / WIDTH * 100.0)
                style:top=move || below().then(at)
                style:bottom=move || (!below()).then(at)
            >
                <div class="part-menu-head">
                    <h3 id="part-menu-title">{move || menu.with(|m| m.as_ref().map(|m| m.1 .0.clone()))}</h3>
                    <button class="close" aria-label=t(ClosePartMenu) on:click=move |_| close(open)>"×"</button>
                </div>
                <div class="part-menu-actions">
                    {actions.into_iter().enumerate().map(|(i, (label, _, cmd))| view! {
                        <button class:danger=label == PartCrash disabled=move || !enabled(i) on:click=move |_| lab.send(cmd.clone())>
                            {t(label)}
                        </button>
                    }).collect_view()}
                </div>
                {move || menu.with(|m| m.as_ref().and_then(|m| m.1 .2)).map(|why| view! { <p class="part-menu-note">{t(why)}</p> })}
            </section>
        })
    }
}
