//! Controls: playback, the session-mode switch, and per-server actions. Every control is a real
//! button or input with an accessible name, so tests and screen readers find them the same way.

use gloo_timers::callback::Timeout;
use leptos::prelude::*;
use statelab_sim::{Command, Keyed, Mode, ServerState};
use wasm_bindgen::JsCast;

use super::use_lab;
use crate::i18n::{counted, t, tf, words, Lang, Text::*};
use crate::lab::LANGUAGE_MARK;
use crate::params::{Theme, SPEED_RANGE};

/// Speed slider position (-1..=1, log scale) to simulated seconds per real second.
fn speed_from_slider(v: f64) -> f64 {
    10f64.powf(v)
}

/// The longer of "Play" and "Pause" in the page's language: the button keeps room for it
/// (see `.play` in style/main.css), so the controls after it never shift as it toggles.
pub fn play_room() -> &'static str {
    let (play, pause) = (t(Play), t(Pause));
    if play.chars().count() >= pause.chars().count() {
        play
    } else {
        pause
    }
}

/// `full` false (`controls=minimal`): playback (Play, Step, Reset, speed) and the mode switch
/// only, for small embeds, where Reset keeps a tour (see `TourPlayer`).
#[component]
/// `glossary`: the page shows the glossary, which the mode note then offers to open.
pub fn Toolbar(theme: RwSignal<Theme>, full: bool, glossary: bool) -> impl IntoView {
    let lab = use_lab();
    // The run's own seed: a tour step or a link may bring another. A memo, so the field is only
    // set when the seed changes, never while the learner types.
    let seed = Memo::new(move |_| lab.panel_snap(|_| lab.with_sim(|s| s.config().seed)));
    let apply_seed = move |text: &str| match text.trim().parse::<u64>() {
        Ok(n) => {
            // A new seed leaves a tour, back to the page's own settings.
            let touring = lab.tour_at.with_untracked(Option::is_some);
            let mut cfg = if touring { lab.page_config() } else { lab.with_sim(|s| s.config().clone()) };
            cfg.seed = n;
            cfg.mode = lab.snap.with_untracked(|s| s.mode);
            lab.restart(Some(cfg));
        }
        Err(_) => lab.notice.set(Some(tf(SeedInvalid, &[("max", &crate::i18n::Grouped(u64::MAX))]))),
    };
    let mode = move || lab.snap.with(|s| s.mode);
    let touring = move || lab.tour_at.with(Option::is_some);
    let notice_line = NodeRef::<leptos::html::P>::new();
    // Reloaded by the language menu: it has the focus again.
    if full && window().location().hash().is_ok_and(|h| h == format!("#{LANGUAGE_MARK}")) {
        request_animation_frame(|| {
            if let Some(menu) =
                document().get_element_by_id(LANGUAGE_MARK).and_then(|m| m.dyn_into::<web_sys::HtmlElement>().ok())
            {
                let _ = menu.focus();
            }
            // Off the address, so a later reload or a copied address does not do it again.
            let location = window().location();
            let plain = format!("{}{}", location.pathname().unwrap_or_default(), location.search().unwrap_or_default());
            if let Ok(history) = window().history() {
                let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&plain));
            }
        });
    }
    view! {
        <section class="toolbar" aria-label=t(ToolbarLabel)>
            <div class="playback">
                <button
                    class="primary play"
                    data-room=play_room()
                    aria-keyshortcuts="Space"
                    on:click=move |_| lab.playing.update(|p| *p = !*p)
                >
                    {move || t(if lab.playing.get() { Pause } else { Play })}
                </button>
                <button aria-keyshortcuts="S" on:click=move |_| lab.step()>{t(Step)}</button>
                <button aria-keyshortcuts="R" on:click=move |_| lab.reset()>{t(Reset)}</button>
                <label class="speed">
                    <span class="speed-word">{t(Speed)}" "</span>
                    <input
                        type="range" min="-1" max="1" step="0.05"
                        prop:value=move || lab.speed.get().log10().to_string()
                        aria-valuetext=move || tf(SpeedValue, &[("x", &words::decimal(format!("{:.2}", lab.speed.get())))])
                        on:input=move |ev| {
                            if let Ok(v) = event_target_value(&ev).parse::<f64>() {
                                lab.speed.set(speed_from_slider(v).clamp(SPEED_RANGE.0, SPEED_RANGE.1));
                            }
                        }
                    />
                    <output aria-live="off">{move || words::decimal(format!("{:.2}×", lab.speed.get()))}</output>
                </label>
                <span class="slowed hint" role="status">
                    {move || lab.slowed.get().map(words::slowdown)}
                </span>
                <span class="clock" role="timer" aria-label=t(SimTime)>
                    // Worded as the timeline words it, so the two never differ by a rounding.
                    {move || lab.snap.with(|s| format!("t = {}", words::clock(s.now_us)))}
                </span>
                <span class="visually-hidden" aria-live="polite">{move || lab.clock_said.get()}</span>
                {full.then(|| view! {
                    <label class="seed">
                        {t(Seed)}" "
                        <input
                            type="number" min="0" inputmode="numeric"
                            prop:value=move || seed.get().to_string()
                            on:change=move |ev| apply_seed(&event_target_value(&ev))
                        />
                    </label>
                    <label class="theme">
                        {t(Theme)}" "
                        <select
                            prop:value=move || theme.get().key()
                            on:change=move |ev| {
                                if let Some(t) = Theme::from_key(&event_target_value(&ev)) {
                                    theme.set(t);
                                }
                            }
                        >
                            {Theme::ALL.into_iter().map(|t| view! { <option value=t.key()>{t.label()}</option> }).collect_view()}
                        </select>
                    </label>
                    <label class="lang">
                        {t(Language)}" "
                        <select id=LANGUAGE_MARK prop:value=crate::i18n::current().key() on:change=move |ev| {
                            if let Some(l) = Lang::from_tag(&event_target_value(&ev)) {
                                lab.switch_language(l, theme.get_untracked());
                            }
                        }>
                            {Lang::ALL.into_iter().map(|l| view! { <option value=l.key() lang=l.key()>{l.name()}</option> }).collect_view()}
                        </select>
                    </label>
                })}
            </div>
            // A frame that embeds a tour has its Tour mode for this: a page-wide switch there
            // would only be locked, and take the room of the step's text.
            <div class="mode-switch" role="radiogroup" aria-label=t(SessionMode) aria-keyshortcuts="M" hidden=move || touring() && !full>
                <span class="group-label" aria-hidden="true">{t(SessionMode)}</span>
                {[(Mode::Stateful, Mode::Stateful.key(), t(Stateful)), (Mode::Stateless, Mode::Stateless.key(), t(Stateless))]
                    .into_iter()
                    .map(|(m, value, name)| view! {
                        <label class:active=move || mode() == m>
                            <input
                                type="radio" name="session-mode" value=value
                                prop:checked=move || mode() == m
                                disabled=touring
                                on:change=move |_| lab.switch_mode(m)
                            />
                            {name}
                        </label>
                    })
                    .collect_view()}
                <p class="mode-note" class:touring=touring>
                    {move || t(match mode() {
                        _ if touring() => TourSetsMode,
                        Mode::Stateful => StatefulNote,
                        Mode::Stateless => StatelessNote,
                    })}
                    // The note's words are the first a newcomer does not know.
                    {glossary.then(|| view! {
                        " "
                        <button class="link" on:click=|_| open_glossary()>{t(WhatWordsMean)}</button>
                    })}
                </p>
            </div>
            <p class="notice" role="status" node_ref=notice_line>{move || lab.notice.get()}</p>
            <NoticeEcho line=notice_line />
        </section>
    }
}

/// Opens the glossary and brings it into view with the focus on its toggle.
fn open_glossary() {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
    let Some(details) = doc.query_selector(".glossary").ok().flatten() else { return };
    let _ = details.set_attribute("open", "");
    if let Some(summary) = details.query_selector("summary").ok().flatten() {
        summary.scroll_into_view();
        if let Some(el) = summary.dyn_ref::<web_sys::HtmlElement>() {
            let _ = el.focus();
        }
    }
}

/// How long a notice's echo stays in the window [ms].
const ECHO_MS: u32 = 6_000;

/// A notice is written at the top of the page, which a learner far down it (at the database's
/// controls, say) would never see: while that line is out of the window, a copy shows at the
/// window's top for a few seconds, or at its foot when the focus is in its upper half (a
/// zoomed-in window is short, and the copy would cover the button just pressed). Screen
/// readers already hear the line itself. `line`: that line.
#[component]
fn NoticeEcho(line: NodeRef<leptos::html::P>) -> impl IntoView {
    let lab = use_lab();
    let echo = RwSignal::new(None::<String>);
    let low = RwSignal::new(false);
    let shown = StoredValue::new(0u64);
    Effect::new(move |_| {
        let notice = lab.notice.get();
        shown.update_value(|n| *n += 1);
        let stamp = shown.get_value();
        // A new notice replaces the copy of the one before, wherever it shows.
        echo.set(None);
        let Some(text) = notice else { return };
        // After the line is drawn, so its place is known.
        // The timers check the component is still there (a frame's view can go meanwhile).
        let current = move || shown.try_get_value() == Some(stamp);
        Timeout::new(0, move || {
            let height = window().inner_height().ok().and_then(|h| h.as_f64()).unwrap_or(0.0);
            let out_of_view = line.try_get_untracked().flatten().is_some_and(|l| {
                let b = l.get_bounding_client_rect();
                b.bottom() <= 0.0 || b.top() >= height
            });
            if out_of_view && current() {
                let focus_high = document()
                    .active_element()
                    .map(|f| f.get_bounding_client_rect())
                    .is_some_and(|f| f.top() + f.bottom() < height);
                low.set(focus_high);
                echo.set(Some(text));
                Timeout::new(ECHO_MS, move || {
                    if current() {
                        echo.set(None);
                    }
                })
                .forget();
            }
        })
        .forget();
    });
    view! { <p class="notice-echo" class:low=low aria-hidden="true" hidden=move || echo.with(Option::is_none)>{move || echo.get()}</p> }
}

/// Crash, restart and remove for each server, plus add. A button is greyed out by the same state
/// test the command makes, so a disabled one is one the engine would refuse. Each shows its verb
/// alone, which keeps a row to two lines in any language; its name says which server.
#[component]
pub fn ServerControls() -> impl IntoView {
    let lab = use_lab();
    let ids = move || lab.panel_snap(|s| s.servers.iter().map(|v| v.id).collect::<Vec<_>>());
    // The server whose Remove is off only because it is the last one serving: its state does
    // not say why, so a line under the list does.
    let last = Memo::new(move |_| lab.panel_snap(|s| s.last_serving()));
    view! {
        <section class="panel server-controls" aria-labelledby="servers-heading">
            <h2 id="servers-heading">{t(Servers)}</h2>
            <ul>
                <For each=ids key=|id| *id let:id>
                    {
                        // One subscriber to the panels' publications per server row.
                        let row = Memo::new(move |_| lab.panel_snap(|s| s.servers.iter().find(|v| v.id == id).map(|v| (v.state, v.served, s.removable(id), (s.mode == Mode::Stateful).then_some(v.sessions)))));
                        let state = Memo::new(move |_| row.with(|r| r.map(|(state, ..)| state)));
                        let state = move || state.get();
                        let running = move || state().is_some_and(ServerState::is_running);
                        let removable = Memo::new(move |_| row.with(|r| r.is_some_and(|(_, _, removable, _)| removable)));
                        view! {
                            <li>
                                <span class="name">{words::server(id)}</span>
                                <span class="state">{move || state().map(words::server_state)}</span>
                                <span class="served">
                                    // Stateful: with the sessions a crash of this server
                                    // would lose, in words, as the diagram draws them.
                                    {move || row.get().map(|(_, served, _, held)| {
                                        let served = counted(served, ServedOne, Served);
                                        match held {
                                            Some(n) => format!("{served} · {}", counted(n.into(), SessionsOne, SessionsCount)),
                                            None => served,
                                        }
                                    })}
                                </span>
                                // The three buttons on a line of their own, in every row.
                                <span class="break"></span>
                                <button
                                    class="danger"
                                    disabled=move || !running()
                                    on:click=move |_| lab.send(Command::CrashServer { server: id })
                                    aria-label=tf(CrashNamed, &[("name", &words::server_in_text(id))])
                                    aria-keyshortcuts=(id.0 < 9).then(|| (id.0 + 1).to_string())
                                >
                                    {t(PartCrash)}
                                </button>
                                <button
                                    disabled=running
                                    on:click=move |_| lab.send(Command::RestartServer { server: id })
                                    aria-label=tf(RestartNamed, &[("name", &words::server_in_text(id))])
                                >
                                    {t(PartRestart)}
                                </button>
                                // The last server serving stays focusable, so a keyboard reaches
                                // it and hears why it is off; a press says why too.
                                <button
                                    disabled=move || !removable.get() && last.get() != Some(id)
                                    aria-disabled=move || (last.get() == Some(id)).then_some("true")
                                    aria-describedby=move || (last.get() == Some(id)).then_some("remove-why")
                                    on:click=move |_| lab.send(Command::RemoveServer { server: id })
                                    aria-label=tf(RemoveNamed, &[("name", &words::server_in_text(id))])
                                >
                                    {t(PartRemove)}
                                </button>
                            </li>
                        }
                    }
                </For>
            </ul>
            <Show when=move || last.get().is_some()>
                <p class="hint" id="remove-why">{t(RemoveWhyLast)}</p>
            </Show>
            <button class="primary" aria-keyshortcuts="A" on:click=move |ev| {
                lab.send(Command::AddServer);
                super::focus::keep_in_view(&ev);
            }>{t(AddServer)}</button>
        </section>
    }
}
