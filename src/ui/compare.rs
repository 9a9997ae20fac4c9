//! Compare mode: the same seed and traffic run twice side by side, stateful on the left and
//! stateless on the right. Every action goes to both, and a summary line states the difference
//! in measured numbers.

use gloo_timers::callback::{Interval, Timeout};
use leptos::prelude::*;
use statelab_sim::snapshot::{FailsMore, Totals};
use statelab_sim::{Command, CommandError, Mode, ServerState, SimConfig, Snapshot, UserId};

use super::metrics::Card;
use super::use_lab;
use crate::i18n::{counted, t, tf, words, Grouped, Text::*};
use crate::lab::{latest_with_cause, page_ms, FeedLine, Lab};
use crate::params::Controls;
use crate::runner::{Pace, Slowdown};

/// Tick of the compare loop [ms]: the panes show numbers and boxes, not gliding dots.
const TICK_MS: u32 = 50;
/// Slowest compare speed [simulated s per real s].
const MIN_SPEED: f64 = 0.5;
/// Narrated lines a pane shows: enough to see why its numbers moved, short enough that the two
/// panes stay side by side on one screen.
const PANE_LINES: usize = 4;

/// `actions`: the view offers crash, misroute and spike, which the empty feed suggests.
#[component]
fn Pane(lab: Lab, title: &'static str, actions: bool) -> impl IntoView {
    let servers =
        move || lab.snap.with(|s| s.servers.iter().map(|v| (v.id, v.state, v.sessions, v.served)).collect::<Vec<_>>());
    view! {
        <section class="panel pane" aria-label=title>
            <h2>{title}</h2>
            <div class="cards">
                {[
                    (UsersLoggedOut, "alarm", (|s: &Snapshot| u64::from(s.logged_out)) as fn(&Snapshot) -> u64),
                    (LogoutsSoFar, "alarm", |s| s.totals.logouts),
                    (FailedRequests, "warn", |s| s.totals.failed),
                    (RequestsAnswered, "", |s| s.totals.completed),
                ]
                    .into_iter()
                    .map(|(label, tone, figure)| {
                        let value = Signal::derive(move || Grouped(lab.snap.with(figure)).to_string());
                        view! { <Card label value tone pane=title /> }
                    })
                    .collect_view()}
            </div>
            <ul class="pane-servers">
                {move || servers().into_iter().map(|(id, state, sessions, served)| {
                    let mark = match state {
                        ServerState::Healthy => "✓",
                        ServerState::Crashed => "✗",
                        ServerState::Booting { .. } => "◔",
                        _ => "■",
                    };
                    view! {
                        <li class:down=state == ServerState::Crashed>
                            {tf(PaneServer, &[("mark", &mark), ("server", &words::server(id)), ("state", &words::server_state(state)), ("served", &counted(served, ServedOne, Served)), ("sessions", &counted(sessions.into(), SessionsOne, SessionsCount))])}
                        </li>
                    }
                }).collect_view()}
            </ul>
            <p class="hint">{move || lab.snap.with(|s| tf(PaneHint, &[("in", &Grouped(s.logged_in.into())), ("users", &counted(s.users.into(), UsersOne, UsersCount)), ("now", &words::clock(s.now_us))]))}</p>
            <h3 class="pane-feed-heading">{t(FeedHeading)}</h3>
            // Not live: both panes narrate at once, and the summary line already speaks.
            <ol class="pane-feed" aria-label=format!("{title}: {}", t(FeedHeading))>
                <For each=move || {
                    let pinned: Vec<FeedLine> = [lab.last_command, lab.last_loss].iter().filter_map(|p| p.get_value()).collect();
                    lab.feed.with(|f| latest_with_cause(f, PANE_LINES, &pinned))
                } key=|line| line.line.seq let:line>
                    <li>{line.line.text}</li>
                </For>
                <Show when=move || lab.feed.with(Vec::is_empty)>
                    <li class="hint">{t(if actions { FeedEmpty } else { FeedQuiet })}</li>
                </Show>
            </ol>
        </section>
    }
}

/// Compare view's two labs and its play state: what its buttons drive, and a host page's
/// messages while it shows.
#[derive(Clone, Copy)]
pub struct Panes {
    left: Lab,
    right: Lab,
    /// Whether the panes' timer runs: Play, Pause and the host's messages set it.
    pub playing: RwSignal<bool>,
}

impl Panes {
    /// Pauses both, then moves both one step.
    pub fn step(self) {
        self.playing.set(false);
        self.left.step();
        self.right.step();
    }

    /// Starts both over from the same config, so they stay comparable.
    pub fn reset(self) {
        self.left.restart(None);
        self.right.restart(None);
    }

    /// Sends `cmd` to both, and hands back each side's answer (stateful first): the panes
    /// drift apart as they run, so one may take a command the other refuses.
    pub fn send(self, cmd: Command) -> [Result<(), CommandError>; 2] {
        [self.left, self.right].map(|lab| {
            let mut result = Ok(());
            lab.try_send(cmd.clone(), |r| result = r.clone());
            result
        })
    }
}

/// The two labs, built from one config that differs only in mode.
fn pair(config: &SimConfig) -> (Lab, Lab) {
    let left = Lab::new(SimConfig { mode: Mode::Stateful, ..config.clone() }).unhosted().untimed();
    let right = Lab::new(SimConfig { mode: Mode::Stateless, ..config.clone() }).unhosted().untimed();
    for lab in [left, right] {
        lab.playing.set(false);
    }
    (left, right)
}

/// How long the compare view lets a change of logouts settle before it announces them [ms].
const SETTLE_MS: u32 = 1_500;

/// `config`: both panes start from it, stateful on the left and stateless on the right, so the
/// mode is the only difference. `autoplay`: the panes run at once. `controls`: as in the lab,
/// an embed may keep only playback, or nothing. `shown`: whether the view is in front; behind
/// the lab it keeps its run, but runs no timer and takes no host message.
#[component]
pub fn CompareView(config: SimConfig, autoplay: bool, controls: Controls, shown: ReadSignal<bool>) -> impl IntoView {
    let (left, right) = pair(&config);
    let playing = RwSignal::new(autoplay);
    let panes = Panes { left, right, playing };
    // Each side's refusal shows in its own words (see `notice`).
    let both = move |cmd: Command| {
        let _ = panes.send(cmd);
    };
    // While it shows, a host page's messages drive these panes, not the lab hidden behind.
    Effect::new(move |_| crate::host::drive(shown.get().then_some(panes)));
    on_cleanup(|| crate::host::drive(None));
    // The page's own lab knows whether the tab is in front and the page on screen.
    let page = use_lab();
    // Syncs the outside world (an interval timer) with the play state: no timer runs while
    // paused, while the tab is hidden or while the page is off screen; dropping it stops it.
    let timer = StoredValue::new_local(None::<Interval>);
    let slowed = RwSignal::new(None::<Slowdown>);
    Effect::new(move |_| {
        if playing.get() && shown.get() && page.tab_visible.get() && page.on_screen.get() {
            // The page's speed (the URL's or the slider's), but never slower than half real
            // time: the panes show numbers, which need seconds to move.
            let speed = page.speed.get().max(MIN_SPEED);
            let wanted_us = f64::from(TICK_MS) * 1_000.0 * speed;
            // A busy run (a million requests a second, a spike) covers less simulated time
            // per tick rather than block the page, and says how fast it goes. Its budget is
            // half of each tick: the panes' work is all the page does meanwhile, and a task of
            // 25 ms stays far below a long one.
            let pace = Pace::new(f64::from(TICK_MS) / 2.0);
            timer.set_value(Some(Interval::new(TICK_MS, move || {
                let step_us = pace.allowed_us(wanted_us);
                let started = page_ms();
                left.advance(step_us as u64);
                right.advance(step_us as u64);
                pace.spent(step_us, wanted_us, wanted_us, page_ms() - started);
                if let Some(reached) = pace.readout(speed) {
                    if slowed.get_untracked() != reached {
                        slowed.set(reached);
                    }
                }
            })));
        } else {
            timer.set_value(None);
            slowed.set(None);
        }
    });
    on_cleanup(move || timer.set_value(None));
    let summary = move || {
        let (l, r) = (left.snap.with(|s| s.totals), right.snap.with(|s| s.totals));
        let phrases =
            |t: Totals| (counted(t.logouts, LogoutsOne, LogoutsMany), counted(t.failed, FailedOne, FailedMany));
        let ((lo, lf), (ro, rf)) = (phrases(l), phrases(r));
        let line = tf(CompareSummary, &[("lo", &lo), ("lf", &lf), ("ro", &ro), ("rf", &rf)]);
        let sent: [(&str, &dyn std::fmt::Display); 2] = [("l", &Grouped(l.issued)), ("r", &Grouped(r.issued))];
        let why = match r.why_failed_more(&l) {
            None => return line,
            Some(FailsMore::AskedMore) => tf(CompareAskedMore, &sent),
            Some(FailsMore::AskedMoreAndSessionTrips) => tf(CompareAskedMoreAndTrips, &sent),
            Some(FailsMore::SessionTrips) => t(CompareSessionTrips).to_string(),
        };
        format!("{line} {why}")
    };
    // A screen reader hears the summary when either side's logouts change (a crash, a
    // misroute), once their count has settled; the line itself changes too often to be live.
    // A Reset, back to none on both sides, says nothing.
    let announced = RwSignal::new(String::new());
    let changes = StoredValue::new(0u64);
    let logouts = Memo::new(move |_| (left.snap.with(|s| s.totals.logouts), right.snap.with(|s| s.totals.logouts)));
    Effect::new(move |before: Option<(u64, u64)>| {
        let now = logouts.get();
        if before.is_some_and(|b| b != now) {
            changes.update_value(|n| *n += 1);
            let stamp = changes.get_value();
            Timeout::new(SETTLE_MS, move || {
                // No change since, and the view still there.
                if changes.try_get_value() == Some(stamp) && now != (0, 0) {
                    announced.set(summary());
                }
            })
            .forget();
        }
        now
    });
    // Each server with whether it is down in either pane: such a server is offered a restart.
    // A memo, so the buttons change only when a server's fate does, not on every tick.
    let servers = Memo::new(move |_| {
        let down = |lab: Lab| {
            lab.snap.with(|s| s.servers.iter().filter(|v| !v.state.is_running()).map(|v| v.id).collect::<Vec<_>>())
        };
        let (left_down, right_down) = (down(left), down(right));
        left.snap.with(|s| {
            s.servers
                .iter()
                .filter(|v| v.state != ServerState::Stopped)
                .map(|v| (v.id, left_down.contains(&v.id) || right_down.contains(&v.id)))
                .collect::<Vec<_>>()
        })
    });
    // A refused action says why, for each side that refused it.
    let notice = move || {
        [(left, Stateful), (right, Stateless)]
            .into_iter()
            .filter_map(|(lab, side)| lab.notice.get().map(|n| format!("{}: {n}", t(side))))
            .collect::<Vec<_>>()
            .join(" ")
    };
    view! {
        <main class="compare" class:hidden=move || !shown.get() aria-labelledby="compare-heading">
            <h2 id="compare-heading">{t(CompareHeading)}</h2>
            // Only a page with the lab's view button has a lab run to come back to.
            {(controls == Controls::Full).then(|| view! { <p class="hint">{t(CompareFresh)}</p> })}
            // An embed may keep only playback (`controls=minimal`), or nothing (`none`).
            {(controls != Controls::None).then(|| view! {
                <div class="row toolbar">
                    <button class="primary play" data-room=super::controls::play_room() on:click=move |_| playing.update(|p| *p = !*p)>{move || t(if playing.get() { Pause } else { Play })}</button>
                    <button on:click=move |_| panes.step()>{t(Step)}</button>
                    <button on:click=move |_| panes.reset()>{t(Reset)}</button>
                    <span class="slowed hint" role="status">
                        {move || slowed.get().map(words::slowdown)}
                    </span>
                    {(controls == Controls::Full).then(|| view! {
                        {move || servers.get().into_iter().map(|(id, down)| {
                            let name = words::server_in_text(id);
                            if down {
                                view! { <button on:click=move |_| both(Command::RestartServer { server: id })>{tf(RestartNamed, &[("name", &name)])}</button> }.into_any()
                            } else {
                                view! { <button class="danger" on:click=move |_| both(Command::CrashServer { server: id })>{tf(CrashNamed, &[("name", &name)])}</button> }.into_any()
                            }
                        }).collect_view()}
                        <button on:click=move |_| both(Command::AddServer)>{t(AddServer)}</button>
                        <button on:click=move |_| both(Command::Misroute { user: UserId(0) })>{tf(MisrouteNamed, &[("name", &words::user(UserId(0)))])}</button>
                        <button on:click=move |_| both(Command::Spike)>{t(SpikeButton)}</button>
                    })}
                </div>
            })}
            <p class="notice" role="status">{notice}</p>
            // Not a live region: its numbers change on every tick of a busy run.
            <p class="summary">{summary}</p>
            <p class="visually-hidden" aria-live="polite">{announced}</p>
            <div class="panes">
                <Pane lab=left title=t(Stateful) actions=controls == Controls::Full />
                <Pane lab=right title=t(Stateless) actions=controls == Controls::Full />
            </div>
        </main>
    }
}
