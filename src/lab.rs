//! The page's shared state: the simulation plus the few signals the components read.

use std::collections::VecDeque;

use leptos::prelude::*;
use statelab_sim::request::{Completed, Node, Watch};
use statelab_sim::rewind::Rewinder;
use statelab_sim::{Command, EventKind, Sim, SimConfig, Snapshot, UserId};

use crate::i18n::{events, t, tf, words, Lang, Text::*};
use crate::params::{page_pairs, setup_pairs, share_query, tour_query, Theme};

/// In-flight requests drawn as dots; the rest are counted, not drawn.
pub const MAX_DOTS: usize = 600;
/// Narration lines kept on the page.
const FEED_LINES: usize = 60;
/// Failure bursts kept for the dot layer.
const MAX_BURSTS: usize = 40;
/// Shortest gap between two publications of the snapshot to the page's text and boxes while the
/// animation loop runs [ms]; the dots still move every frame.
const PUBLISH_MS: f64 = 100.0;
/// Default playback speed: slow enough to follow a single request.
pub const DEFAULT_SPEED: f64 = 0.2;
/// The grid Step moves on [µs]: a tenth of a second, as the clock reads; a press goes to the
/// next line of it, at most this far.
pub const STEP_US: u64 = 100_000;

/// The language menu's id, which a page reloaded in another language carries as its fragment
/// until the menu has the focus back.
pub const LANGUAGE_MARK: &str = "language";

/// How far Step moves from `now_us` [µs]: to the next multiple of [`STEP_US`].
fn to_next_step(now_us: u64) -> u64 {
    STEP_US - now_us % STEP_US
}

/// A failure to flash where it happened.
#[derive(Clone, Copy, Debug)]
pub struct Burst {
    /// Where the failure happened; the flash is drawn over that box.
    pub at: Node,
    /// The failure's short name in the page's language (`words::fail_reason`).
    pub label: &'static str,
    /// Time played when it happened [ms, `Lab::played_ms`].
    pub born_ms: f64,
    /// Run time of the failure [µs].
    pub born_us: u64,
}

impl Burst {
    /// How far through its flash it is, from 0 (new) to 1 (gone), by the time played or the
    /// run's clock, whichever is further on: readable at 1×, and gone soon after the failures
    /// at 10×.
    pub fn age(&self, now_ms: f64, now_us: u64) -> f64 {
        let page = (now_ms - self.born_ms) / crate::ui::dots::BURST_MS;
        let run = now_us.saturating_sub(self.born_us) as f64 / crate::ui::dots::BURST_US as f64;
        page.max(run).clamp(0.0, 1.0)
    }
}

/// A command of the run at its simulated time.
#[derive(Clone, Debug)]
struct Timed {
    at_us: u64,
    cmd: Command,
    /// A tour step's own command, not the learner's: it stays due when the learner rewinds
    /// and acts, which drops only their own recorded future.
    scripted: bool,
}

/// A command waiting for its simulated time.
#[derive(Clone, Debug)]
struct Queued {
    timed: Timed,
    /// Already on the timeline: a command being replayed after a rewind, not a new one.
    replay: bool,
}

/// The request-tracing panel's state.
#[derive(Clone, Debug, PartialEq)]
pub enum Trace {
    /// Nothing traced: the panel offers "Trace next request".
    Off,
    /// Waiting for the first request sent since the learner asked to finish.
    Waiting,
    /// Waiting for the request the learner tapped to finish.
    Following { id: u64 },
    /// The traced request finished: its waterfall is shown until the next trace. `tapped`: it
    /// was a dot the learner tapped, which the diagram's own line tells too.
    Shown { request: Completed, tapped: bool },
}

/// Handles to the running lab. `Copy`, so every component gets its own by value.
#[derive(Clone, Copy)]
pub struct Lab {
    /// The simulation itself; only this module touches it mutably.
    sim: StoredValue<Sim>,
    /// The snapshot the page's text and boxes show. While the animation loop runs it follows
    /// `live` at most every [`PUBLISH_MS`]: numbers changing 60 times a second cannot be read,
    /// and re-rendering every label each frame was most of a big lab's frame time.
    pub snap: RwSignal<Snapshot>,
    /// Tells the panels other than the diagram, cards and user strip to re-read `snap` (see
    /// [`Lab::panel_snap`]). While the loop runs it fires on the frame after `snap` changes, so
    /// one publication's page work is split over two frames; otherwise together with `snap`.
    panels: Trigger,
    /// `snap` changed and the panels have not been told yet.
    panels_behind: StoredValue<bool>,
    /// The newest snapshot, every frame; the dot layer draws it.
    pub live: StoredValue<Snapshot>,
    /// Page time `snap` was last set [ms].
    published_ms: StoredValue<f64>,
    /// Page time spent playing [ms]: a failure's flash fades by it, so a pause to explain a
    /// crash keeps its outlines, and steps after the pause age them only by the run's clock.
    pub played_ms: StoredValue<f64>,
    /// Whether the animation loop moves time on; stepping by hand pauses it first.
    pub playing: RwSignal<bool>,
    /// Simulated seconds per real second.
    pub speed: RwSignal<f64>,
    /// The learner's speed and the pace a tour step raised it to, while it does: a link made
    /// meanwhile carries the learner's.
    pub paced: StoredValue<Option<(f64, f64)>>,
    /// The speed the run really reaches, when the frame's work budget or slow frames hold it
    /// below `speed`.
    pub slowed: RwSignal<Option<crate::runner::Slowdown>>,
    /// A message for the learner, e.g. why a command was refused.
    pub notice: RwSignal<Option<String>>,
    /// The clock after Step or Reset, for a screen reader: the clock itself is never announced,
    /// as it changes every frame while the run plays.
    pub clock_said: RwSignal<String>,
    /// Commands the learner sent from the page that took effect since this run began (a
    /// restart, or a tour's step shown), so a tour can tell when its next step sets aside what
    /// the learner did. A host page's commands are its own.
    pub own_sent: StoredValue<u64>,
    /// Recent narrated events, oldest first.
    pub feed: RwSignal<Vec<FeedLine>>,
    /// The newest line that told a loss, kept even after a busy run pushed it out of `feed`:
    /// the screen reader's live region speaks it first.
    pub last_loss: StoredValue<Option<FeedLine>>,
    /// The newest line that told an action, kept likewise: a short feed keeps it in view.
    pub last_command: StoredValue<Option<FeedLine>>,
    /// The user whose session the inspector shows.
    pub selected_user: RwSignal<Option<UserId>>,
    /// What the waterfall shows, or which request it is waiting for.
    pub trace: RwSignal<Trace>,
    /// Failures the dot layer flashes; read once per frame, so not a signal.
    pub bursts: StoredValue<Vec<Burst>>,
    /// The failure plates' background and ink, read from the stylesheet once per theme rather
    /// than every frame (see `dots::draw`); `None` until read, and again when the theme or the
    /// system's colour scheme changes.
    pub plate_colours: StoredValue<Option<(String, String)>>,
    /// The projector theme is on: the dot layer draws larger, outlined dots, as pale colours on
    /// white wash out on a projector. Set with the theme, not read from the page every frame.
    pub projector: StoredValue<bool>,
    /// The boxes where a burst is on screen, outlined by the diagram instead of ringed over
    /// their text; set only when it changes.
    pub failing: RwSignal<Vec<Node>>,
    /// The help dialog is open.
    pub help_open: RwSignal<bool>,
    /// The diagram is on screen (false when an embedding page scrolled it away).
    pub on_screen: RwSignal<bool>,
    /// The tab is in front; nothing animates or ticks while it is hidden.
    pub tab_visible: RwSignal<bool>,
    /// Where playback pauses by itself: the end of a tour step's run [µs].
    pub stop_at: RwSignal<Option<u64>>,
    /// Commands waiting for their simulated time, earliest first: a tour step being played, and
    /// after a rewind the rest of the timeline.
    script: StoredValue<VecDeque<Queued>>,
    /// Every command of this run with its time, including ones after a rewind point, so the
    /// timeline can be scrubbed forward again.
    timeline: StoredValue<Vec<Timed>>,
    /// Copies of the run along its timeline, so a jump back replays from near the moment, not
    /// from the start.
    rewinder: StoredValue<Rewinder>,
    /// The latest simulated time this run has reached [µs]. Not a signal: it moves every frame.
    horizon_us: StoredValue<u64>,
    /// `horizon_us` when `snap` was published, so the timeline's end agrees with its position.
    shown_horizon_us: StoredValue<u64>,
    /// Components the current tour step points at ("balancer", "server:0", "user:3", …).
    pub spotlight: RwSignal<Vec<String>>,
    /// The guided tour being shown: its id, the step and the mode, for "Copy link".
    pub tour_at: RwSignal<Option<(String, usize, statelab_sim::Mode)>>,
    /// The page's own settings (from its URL, or the seed box), which Reset returns to from a
    /// tour: a tour brings its own, and a link outside the tour could not name them.
    page_config: StoredValue<SimConfig>,
    /// Event sequence number the feed has read up to.
    feed_cursor: StoredValue<u64>,
    /// Feed lines told on this page so far (see [`FeedLine::n`]).
    lines_told: StoredValue<u64>,
    /// How many times the run was rebuilt (Reset, a jump, a tour step), and the last line of
    /// the history the latest rebuild retold: the past, not news for the live region.
    rebuilt: StoredValue<(u64, u64)>,
    /// First event sequence number the host page has not been told about; `None` for a lab that
    /// never tells it (the two halves of compare mode). A rewind leaves it: the host heard the
    /// replayed events the first time. A new action lowers it, as what follows is a new history.
    host_from: StoredValue<Option<u64>>,
}

impl Lab {
    /// A lab on `config`; an invalid config falls back to the defaults with a notice.
    pub fn new(config: SimConfig) -> Self {
        let (sim, notice) = match Sim::new(config) {
            Ok(sim) => (sim, None),
            Err(e) => {
                (Sim::new(SimConfig::default()).expect("defaults are valid"), Some(tf(SettingsIgnored, &[("why", &e)])))
            }
        };
        let snap = RwSignal::new(sim.snapshot(MAX_DOTS));
        let page_config = StoredValue::new(sim.config().clone());
        Self {
            page_config,
            live: StoredValue::new(snap.get_untracked()),
            panels: Trigger::new(),
            panels_behind: StoredValue::new(false),
            published_ms: StoredValue::new(0.0),
            played_ms: StoredValue::new(0.0),
            sim: StoredValue::new(sim),
            snap,
            playing: RwSignal::new(true),
            speed: RwSignal::new(DEFAULT_SPEED),
            paced: StoredValue::new(None),
            slowed: RwSignal::new(None),
            own_sent: StoredValue::new(0),
            notice: RwSignal::new(notice),
            clock_said: RwSignal::new(String::new()),
            feed: RwSignal::new(Vec::new()),
            last_loss: StoredValue::new(None),
            last_command: StoredValue::new(None),
            selected_user: RwSignal::new(None),
            trace: RwSignal::new(Trace::Off),
            bursts: StoredValue::new(Vec::new()),
            plate_colours: StoredValue::new(None),
            projector: StoredValue::new(false),
            failing: RwSignal::new(Vec::new()),
            help_open: RwSignal::new(false),
            on_screen: RwSignal::new(true),
            tab_visible: RwSignal::new(crate::runner::visible()),
            stop_at: RwSignal::new(None),
            script: StoredValue::new(VecDeque::new()),
            timeline: StoredValue::new(Vec::new()),
            rewinder: StoredValue::new(Rewinder::default()),
            horizon_us: StoredValue::new(0),
            shown_horizon_us: StoredValue::new(0),
            tour_at: RwSignal::new(None),
            spotlight: RwSignal::new(Vec::new()),
            feed_cursor: StoredValue::new(0),
            lines_told: StoredValue::new(0),
            rebuilt: StoredValue::new((0, 0)),
            host_from: StoredValue::new(Some(0)),
        }
    }

    /// This lab's events are not forwarded to an embedding page: it is not the page's main lab.
    pub fn unhosted(self) -> Self {
        self.host_from.set_value(None);
        self
    }

    /// This lab has no timeline to jump on, so it keeps no copies of its run for one.
    pub fn untimed(self) -> Self {
        self.rewinder.set_value(Rewinder::off());
        self
    }

    /// Moves the first event the host page has not heard of, in a lab that tells a host.
    fn move_host_mark(&self, to: impl FnOnce(u64) -> u64) {
        self.host_from.update_value(|from| {
            if let Some(f) = from {
                *f = to(*f);
            }
        });
    }

    /// Applies a command; a refusal becomes a notice instead of an error.
    pub fn send(&self, cmd: Command) {
        self.try_send(cmd, |result| {
            if result.is_ok() {
                self.own_sent.update_value(|n| *n += 1);
            }
        });
    }

    /// The learner's mode switch. A tour judges each step in the mode it runs in, so while one
    /// is open only its own "Tour mode" may change the mode; the locked switch's note says so.
    pub fn switch_mode(&self, mode: statelab_sim::Mode) {
        if self.tour_at.with_untracked(Option::is_none) && self.snap.with_untracked(|s| s.mode) != mode {
            self.send(Command::SetMode { mode });
        }
    }

    /// [`Lab::send`], also handing the outcome to `tell`, for callers that report it elsewhere.
    /// `tell` runs before the command's effects are published, so a host page hears of the
    /// command before the logouts it caused.
    pub fn try_send(&self, cmd: Command, tell: impl FnOnce(&Result<(), statelab_sim::CommandError>)) {
        let result = self.sim.try_update_value(|s| self.apply(s, s.now_us(), cmd, false)).unwrap_or(Ok(()));
        match &result {
            Err(e) => self.notice.set(Some(tf(NotPossible, &[("why", &events::command_error(e))]))),
            Ok(()) => self.notice.set(None),
        }
        tell(&result);
        self.refresh();
    }

    /// Applies a command at `at_us` (see [`Sim::apply_at`]) and records it on the timeline. The
    /// learner's own command starts a new history after a rewind (see [`Lab::branch`]); a tour
    /// step's is part of its script.
    fn apply(&self, s: &mut Sim, at_us: u64, cmd: Command, scripted: bool) -> Result<(), statelab_sim::CommandError> {
        self.rewinder.update_value(|r| r.run_until(s, at_us));
        let (now, heard) = (s.now_us(), s.events().total());
        s.apply(cmd.clone())?;
        if !scripted {
            self.branch(now, heard);
        }
        self.timeline.update_value(|t| t.push(Timed { at_us: now, cmd, scripted }));
        Ok(())
    }

    /// A new history from `now` on, whose events from `heard` on are new to the host page: the
    /// learner's recorded future is dropped; a tour step's commands stay due.
    fn branch(&self, now: u64, heard: u64) {
        self.timeline.update_value(|t| t.retain(|x| x.at_us <= now));
        self.rewinder.update_value(|r| r.forget_after(now));
        // The timeline ends here now: the dropped future can no longer be scrubbed to.
        self.horizon_us.set_value(now);
        self.script.update_value(|q| {
            q.retain(|x| !x.replay || x.timed.scripted);
            for x in q.iter_mut() {
                x.replay = false;
            }
        });
        self.move_host_mark(|f| f.min(heard));
    }

    /// Step, from its button, its key or a host page: pauses, then moves to the next whole
    /// [`STEP_US`]. Play stops between them; stepping on from there lands where the clock's
    /// tenth says, so two learners at "t = 15.0 s" see the same run.
    pub fn step(&self) {
        self.playing.set(false);
        self.advance(to_next_step(self.with_sim(|s| s.now_us())));
        self.say_clock();
    }

    /// Reset as the learner asks for it (the button or R), heard as the clock back at 0.
    pub fn reset(&self) {
        self.restart(None);
        self.say_clock();
    }

    /// Play or pause from a key, where the focus may be far from the button that names it.
    pub fn say_play(&self) {
        let said = if self.playing.get_untracked() {
            t(SaidPlaying).to_string()
        } else {
            tf(SaidPaused, &[("clock", &format!("t = {}", words::clock(self.with_sim(|s| s.now_us()))))])
        };
        self.clock_said.set(said);
    }

    fn say_clock(&self) {
        let now = self.with_sim(|s| s.now_us());
        self.clock_said.set(format!("{}: {}", t(SimTime), words::clock(now)));
    }

    /// Advances simulated time, applying scripted commands at their exact times and stopping at
    /// `stop_at`, then publishes the new state.
    pub fn advance(&self, dt_us: u64) {
        self.advance_and(dt_us, false);
    }

    /// [`Lab::advance`] for the animation loop: the page's text follows at most every
    /// [`PUBLISH_MS`], the dot layer every frame. Returns the time the simulation itself took
    /// [ms], which grows with `dt_us`, unlike the page's work after it.
    pub fn advance_frame(&self, dt_us: u64) -> f64 {
        self.advance_and(dt_us, true)
    }

    fn advance_and(&self, dt_us: u64, throttled: bool) -> f64 {
        let mut sim_ms = 0.0;
        let stop = self.stop_at.get_untracked();
        let mut refused = None;
        let reached = self.sim.try_update_value(|s| {
            let target = stop.map_or(s.now_us() + dt_us, |end| (s.now_us() + dt_us).min(end));
            while let Some(next) = self.script.with_value(|q| q.front().filter(|x| x.timed.at_us <= target).cloned()) {
                self.script.update_value(|q| {
                    q.pop_front();
                });
                // Only a tour step's commands are queued as new; a replay is on the timeline.
                let at = next.timed.at_us;
                let result =
                    if next.replay { s.apply_at(at, next.timed.cmd) } else { self.apply(s, at, next.timed.cmd, true) };
                if let Err(e) = result {
                    refused.get_or_insert_with(|| tf(ScriptRefused, &[("why", &events::command_error(&e))]));
                }
            }
            let started = page_ms();
            self.rewinder.update_value(|r| r.run_until(s, target));
            sim_ms = page_ms() - started;
            s.now_us()
        });
        if let Some(now) = reached {
            self.horizon_us.update_value(|h| *h = (*h).max(now));
            if stop == Some(now) {
                self.stop_at.set(None);
                self.playing.set(false);
            }
        }
        let stopped = !self.playing.get_untracked();
        if refused.is_some() {
            self.notice.set(refused);
        }
        self.publish(throttled && !stopped);
        sim_ms
    }

    /// Plays `commands` at their times and pauses at `end_us`: a new history from now on.
    pub fn play_script(&self, commands: Vec<(u64, Command)>, end_us: u64) {
        let (now, heard) = self.sim.with_value(|s| (s.now_us(), s.events().total()));
        self.branch(now, heard);
        let queue = commands
            .into_iter()
            .map(|(at_us, cmd)| Queued { timed: Timed { at_us, cmd, scripted: true }, replay: false });
        self.script.set_value(queue.collect());
        self.stop_at.set(Some(end_us));
        self.playing.set(true);
    }

    /// Swaps in a prepared system (a tour step), keeping its commands as the timeline: all of
    /// them the tour's (its earlier steps'), which the feed credits to it.
    pub fn load(&self, sim: Sim) {
        let commands =
            sim.commands().iter().map(|(at_us, cmd)| Timed { at_us: *at_us, cmd: cmd.clone(), scripted: true });
        self.timeline.set_value(commands.collect());
        self.rewinder.update_value(Rewinder::clear);
        self.horizon_us.set_value(sim.now_us());
        let total = sim.events().total();
        self.move_host_mark(|_| total);
        self.sim.set_value(sim);
        self.own_sent.set_value(0);
        self.script.update_value(VecDeque::clear);
        self.stop_at.set(None);
        self.rebuild_views();
    }

    /// Rebuilds the run at simulated time `t_us` from its timeline, starting from the latest
    /// copy of the run before it (see [`Rewinder`]): every target computes the same state, so
    /// this is an exact rewind (or fast-forward). Playing on from
    /// there replays the rest of the timeline, so playing and dragging forward agree, and a tour
    /// step being played still ends where it would have.
    pub fn scrub(&self, t_us: u64) {
        let timeline = self.timeline.get_value();
        self.sim.update_value(|s| {
            let entries = timeline.iter().map(|x| (x.at_us, &x.cmd));
            // The config is the running one's, so it is valid.
            let _ = self.rewinder.try_update_value(|r| r.seek(s, entries, t_us));
        });
        self.script.update_value(|q| {
            let unplayed: Vec<Queued> = q.drain(..).filter(|x| !x.replay).collect();
            let later = timeline.iter().filter(|x| x.at_us > t_us);
            q.extend(later.map(|timed| Queued { timed: timed.clone(), replay: true }));
            q.extend(unplayed);
        });
        if self.stop_at.get_untracked().is_some_and(|end| end <= t_us) {
            self.stop_at.set(None);
        }
        self.rebuild_views();
    }

    /// A burst for `node` is on screen: its box is outlined.
    pub fn is_failing(&self, node: Node) -> bool {
        self.failing.with(|f| f.contains(&node))
    }

    /// Retells the rebuilt run from its start: the feed, the flashes and the trace start over.
    fn rebuild_views(&self) {
        self.feed_cursor.set_value(0);
        self.last_loss.set_value(None);
        self.last_command.set_value(None);
        self.feed.set(Vec::new());
        self.trace.set(Trace::Off);
        self.refresh();
        // The retold past's failures are not happening now.
        self.bursts.update_value(Vec::clear);
        self.failing.set(Vec::new());
        let told = self.lines_told.get_value();
        self.rebuilt.update_value(|(n, end)| (*n, *end) = (*n + 1, told));
    }

    /// How many times the run was rebuilt, and the last line that retold its past.
    pub fn rebuilt(&self) -> (u64, u64) {
        self.rebuilt.get_value()
    }

    /// The settings the page runs outside a tour.
    pub fn page_config(&self) -> SimConfig {
        self.page_config.get_value()
    }

    /// Starts over with `config`; with `None`, the current settings, or the page's own when
    /// leaving a tour.
    pub fn restart(&self, config: Option<SimConfig>) {
        let leaving_tour = self.tour_at.with_untracked(Option::is_some);
        let cfg = match &config {
            Some(cfg) => cfg.clone(),
            None if leaving_tour => self.page_config.get_value(),
            None => self.sim.with_value(|s| s.config().clone()),
        };
        // A config the sim refuses leaves the run as it was, with the reason on the page.
        let fresh = match Sim::new(cfg) {
            Ok(fresh) => fresh,
            Err(e) => {
                self.notice.set(Some(tf(NotPossible, &[("why", &e)])));
                return;
            }
        };
        if let Some(cfg) = config {
            self.page_config.set_value(cfg);
        }
        self.sim.set_value(fresh);
        self.own_sent.set_value(0);
        self.timeline.set_value(Vec::new());
        self.rewinder.update_value(Rewinder::clear);
        self.horizon_us.set_value(0);
        self.move_host_mark(|_| 0);
        self.tour_at.set(None);
        self.spotlight.set(Vec::new());
        self.script.update_value(VecDeque::clear);
        self.stop_at.set(None);
        self.notice.set(None);
        self.rebuild_views();
    }

    /// Replays more of a shared run, a step at a time while `more()` allows (at least one), so
    /// a long link can show its progress. Returns whether the run has reached
    /// its moment; it is then published, paused there.
    pub fn replay_some(&self, replay: &mut Replay, more: impl Fn() -> bool) -> bool {
        self.sim.update_value(|s| loop {
            match replay.commands.front() {
                Some((at, _)) if s.now_us() >= *at => {
                    let (_, cmd) = replay.commands.pop_front().expect("a command is next");
                    if let Err(e) = self.apply(s, s.now_us(), cmd, false) {
                        replay.refused.push(events::command_error(&e));
                    }
                }
                next => {
                    let target = next.map_or(replay.until_us, |(at, _)| *at);
                    if s.now_us() >= target {
                        break;
                    }
                    self.rewinder.update_value(|r| r.run_until(s, target.min(s.now_us() + replay.step_us)));
                    if !more() {
                        break;
                    }
                }
            }
        });
        let now = self.sim.with_value(Sim::now_us);
        let done = replay.commands.is_empty() && now >= replay.until_us;
        if done {
            self.horizon_us.set_value(now.max(replay.horizon_us));
            let future = std::mem::take(&mut replay.future);
            self.timeline.update_value(|t| {
                t.extend(future.iter().map(|(at_us, cmd)| Timed { at_us: *at_us, cmd: cmd.clone(), scripted: false }));
            });
            self.script.update_value(|q| {
                q.extend(
                    future
                        .into_iter()
                        .map(|(at_us, cmd)| Queued { timed: Timed { at_us, cmd, scripted: false }, replay: true }),
                );
            });
            let refused = std::mem::take(&mut replay.refused);
            match refused.len() {
                0 => {}
                1 => self.notice.set(Some(tf(LinkRefused, &[("why", &refused[0])]))),
                n => self.notice.set(Some(tf(LinkRefusedMany, &[("n", &n), ("why", &refused.join("; "))]))),
            }
            self.refresh();
        }
        done
    }

    /// The query string that reopens exactly what is on screen: the tour step being shown, or
    /// the run's settings, commands and moment; with the language if the URL chose one.
    pub fn link_query(&self, theme: Theme) -> String {
        with_chosen_lang(self.run_query(theme))
    }

    /// The speed the learner chose: a tour step's raised pace is not theirs.
    fn chosen_speed(&self) -> f64 {
        let speed = self.speed.get_untracked();
        self.paced.get_value().filter(|&(_, pace)| pace == speed).map_or(speed, |(chosen, _)| chosen)
    }

    /// The query string that opens compare view sized as this run is now (see
    /// [`Sim::present_config`]), with the language if the URL chose one.
    pub fn compare_query(&self, theme: Theme) -> String {
        let speed = self.chosen_speed();
        let run = self.with_sim(|s| share_query(&s.present_config(), speed, theme, &[], 0, 0));
        with_chosen_lang(format!("{run}&view=compare"))
    }

    /// The tour step, or the run's settings, commands and moment, as query pairs.
    fn run_query(&self, theme: Theme) -> String {
        let speed = self.chosen_speed();
        match self.tour_at.get_untracked() {
            Some((id, step, mode)) => tour_query(&id, step, mode, speed, theme),
            None => {
                // The whole timeline: after a rewind, its later part goes too, so the link
                // reopens the whole run, at the moment shown.
                let commands: Vec<(u64, Command)> =
                    self.timeline.with_value(|t| t.iter().map(|x| (x.at_us, x.cmd.clone())).collect());
                let until = self.horizon_us.get_value();
                self.with_sim(|s| share_query(s.config(), speed, theme, &commands, s.now_us(), until))
            }
        }
    }

    /// Reopens this run in another language: the page's strings are fixed at start, and the link
    /// replays the run deterministically (a tour reopens at its step). The page's other
    /// parameters (host, panel, controls, title, and the test hooks) are kept as they were, but
    /// not `view`: the language is picked in the lab's view, so the page reopens in it.
    pub fn switch_language(&self, lang: Lang, theme: Theme) {
        if lang == crate::i18n::current() {
            return;
        }
        let Some(location) = web_sys::window().map(|w| w.location()) else { return };
        let search = location.search().unwrap_or_default();
        let mut query: Vec<String> =
            page_pairs(&search).filter(|pair| !pair.starts_with("view=")).map(str::to_string).collect();
        query.push(self.run_query(theme).replace("&autoplay=0", ""));
        // Inside a tour, the page's own setup goes along, for Reset to bring back after it.
        if self.tour_at.with_untracked(Option::is_some) {
            query.extend(setup_pairs(&self.page_config.get_value()));
        }
        query.push(format!("autoplay={}", u8::from(self.playing.get_untracked())));
        query.push(format!("lang={}", lang.key()));
        // The new page gives the language menu the focus back (see `LANGUAGE_MARK`): a keyboard
        // user who arrowed through it goes on from where they were, not from the page's top.
        let _ = location.assign(&format!("?{}#{LANGUAGE_MARK}", query.join("&")));
    }

    /// Shows the newest snapshot in the page's text at once, e.g. when playback stops between
    /// two throttled publications.
    pub fn flush(&self) {
        self.publish_main();
        self.panels_behind.set_value(false);
        self.panels.notify();
    }

    fn publish_main(&self) {
        self.published_ms.set_value(page_ms());
        self.shown_horizon_us.set_value(self.horizon_us.get_value());
        self.snap.set(self.live.get_value());
    }

    /// How far this run has been played, as of the published snapshot [µs]: the timeline's end.
    /// Read with the snapshot (it changes only when `snap` does).
    pub fn horizon_shown(&self) -> u64 {
        self.shown_horizon_us.get_value()
    }

    /// Reads the published snapshot in a panel: the server and system controls, the charts, the
    /// session inspector and the tour's timeline. They follow `snap` one frame later while the
    /// loop runs, which keeps a big lab's publishing frame within budget; a frame's lag in a
    /// panel beside the diagram goes unseen.
    pub fn panel_snap<R>(&self, f: impl FnOnce(&Snapshot) -> R) -> R {
        self.panels.track();
        self.snap.with_untracked(f)
    }

    /// Whether the current tour step spotlights the component named `name`.
    pub fn is_spotlit(&self, name: &str) -> bool {
        !name.is_empty() && self.spotlight.with(|s| s.iter().any(|x| x == name))
    }

    /// Reads the simulation without changing it.
    pub fn with_sim<R>(&self, f: impl FnOnce(&Sim) -> R) -> R {
        self.sim.with_value(f)
    }

    /// Shows the waterfall of the next request sent from now on, once it finishes; requests
    /// already in flight began before the learner asked.
    pub fn trace_next(&self) {
        self.sim.update_value(|s| s.watch(Watch::Next));
        self.trace.set(Trace::Waiting);
        self.refresh();
    }

    /// Shows the waterfall of request `id`, a dot the learner tapped, once it finishes.
    pub fn follow(&self, id: u64) {
        self.sim.update_value(|s| s.watch(Watch::Exact(id)));
        self.trace.set(Trace::Following { id });
    }

    fn refresh(&self) {
        self.publish(false);
    }

    /// Reads what happened since the last call into the feed, the bursts and the trace, and
    /// publishes the snapshot: to the dot layer always; to `snap` and the panels at once unless
    /// `throttled`. Throttled, a frame first tells the panels about the last publication if it
    /// has not yet, else publishes to `snap` if that was [`PUBLISH_MS`] ago or more.
    fn publish(&self, throttled: bool) {
        let cursor = self.feed_cursor.get_value();
        // Whether a trace waits for its request, and whether that is a tapped dot.
        let waiting = self.trace.with_untracked(|t| match t {
            Trace::Waiting => Some(false),
            Trace::Following { .. } => Some(true),
            _ => None,
        });
        let host_from = self.host_from.get_value();
        let played = self.played_ms.get_value();
        let (snapshot, lines, bursts, next, traced) = self.sim.with_value(|s| {
            let mut bursts = Vec::new();
            // The story, and the failed requests the log still holds: told in groups, in order.
            let failed = s.events().since(cursor).filter(|e| matches!(e.kind, EventKind::RequestFailed { .. }));
            let mut told: Vec<&statelab_sim::Event> = s.events().narrated_since(cursor).chain(failed).collect();
            told.sort_by_key(|e| e.seq);
            for e in &told {
                if let EventKind::RequestFailed { at, reason, .. } = e.kind {
                    bursts.push(Burst { at, label: words::fail_reason(reason), born_ms: played, born_us: e.at_us });
                }
            }
            let before = self.lines_told.get_value();
            // A tour step's own commands are the tour's, not the learner's.
            let by_tour = |e: &statelab_sim::Event| {
                let EventKind::Command { cmd, .. } = &e.kind else { return false };
                self.timeline.with_value(|t| t.iter().any(|x| x.scripted && x.at_us == e.at_us && x.cmd == *cmd))
            };
            let lines: Vec<FeedLine> = events::lines(told, by_tour)
                .into_iter()
                .zip(before + 1..)
                .map(|(line, n)| FeedLine { n, line })
                .collect();
            if let Some(from) = host_from {
                // A logout is narrated: the story holds every one, where a busy frame's single
                // successes would push them out of the recent events.
                s.events().narrated_since(cursor.max(from)).for_each(crate::host::forward);
            }
            let traced = waiting.and_then(|_| s.watched().copied());
            (s.snapshot(MAX_DOTS), lines, bursts, s.events().total(), traced)
        });
        self.feed_cursor.set_value(next);
        self.move_host_mark(|f| f.max(next));
        let (now, now_us) = (page_ms(), snapshot.now_us);
        self.live.set_value(snapshot);
        if !throttled {
            self.flush();
        } else if self.panels_behind.get_value() {
            // Before any new publication, even when frames are slower than the interval: the
            // panels must never be starved.
            self.panels_behind.set_value(false);
            self.panels.notify();
        } else if now - self.published_ms.get_value() >= PUBLISH_MS {
            self.publish_main();
            self.panels_behind.set_value(true);
        }
        self.bursts.update_value(|b| {
            b.retain(|x| x.age(played, now_us) < 1.0);
            b.extend(bursts);
            let excess = b.len().saturating_sub(MAX_BURSTS);
            b.drain(..excess);
            let mut failing = Vec::new();
            for n in b.iter().map(|x| x.at).filter(|n| !matches!(n, Node::Browser(_))) {
                if !failing.contains(&n) {
                    failing.push(n);
                }
            }
            if self.failing.with_untracked(|f| f.len() != failing.len() || f.iter().any(|n| !failing.contains(n))) {
                self.failing.set(failing);
            }
        });
        if let (Some(request), Some(tapped)) = (traced, waiting) {
            self.trace.set(Trace::Shown { request, tapped });
        }
        if let Some(loss) = lines.iter().rev().find(|l| l.line.loss) {
            self.last_loss.set_value(Some(loss.clone()));
        }
        if let Some(command) = lines.iter().rev().find(|l| l.line.command) {
            self.last_command.set_value(Some(command.clone()));
        }
        if let Some(last) = lines.last() {
            self.lines_told.set_value(last.n);
            self.feed.update(|feed| {
                // Routine events join the line of their kin earlier in their second.
                for FeedLine { n, line } in lines {
                    let lines = feed.iter_mut().map(|f| &mut f.line);
                    if let Some(line) = events::Group::join_into(lines, line) {
                        feed.push(FeedLine { n, line });
                    }
                }
                trim(feed);
            });
        }
    }
}

/// Drops the oldest lines past [`FEED_LINES`], never the latest action's line nor the losses
/// told at its moment (a crash, the sessions it took): a busy run's later lines must not push
/// the cause of what the learner watches out of the feed. Routine lines (failures, logins,
/// retries, stale reads) go before the newest half feed of the others (actions, crashes,
/// logouts, the auto-scaler's moves), so a minute of logins does not erase the drain that
/// logged users out; older ones than those go by age.
fn trim(feed: &mut Vec<FeedLine>) {
    let mut excess = feed.len().saturating_sub(FEED_LINES);
    if excess == 0 {
        return;
    }
    let command = feed.iter().rposition(|f| f.line.command);
    let at = command.map(|i| feed[i].line.at_us);
    let kept = |i: usize, f: &FeedLine| Some(i) == command || (f.line.loss && Some(f.line.at_us) == at);
    let mut spared = vec![false; feed.len()];
    let told = (0..feed.len()).rev().filter(|&i| feed[i].line.loss || feed[i].line.group.is_none());
    for i in told.take(FEED_LINES / 2) {
        spared[i] = true;
    }
    let mut dropped = vec![false; feed.len()];
    for spare in [true, false] {
        for (i, f) in feed.iter().enumerate() {
            let held = kept(i, f) || (spare && spared[i]);
            if excess > 0 && !dropped[i] && !held {
                dropped[i] = true;
                excess -= 1;
            }
        }
    }
    let mut i = 0;
    feed.retain(|_| {
        i += 1;
        !dropped[i - 1]
    });
}

/// One line of [`Lab::feed`], oldest first; the feed keys its lines by `line.seq`, so a new
/// event, or routine events joining a line, redraws one line.
#[derive(Clone, Debug, PartialEq)]
pub struct FeedLine {
    /// The line's own number on this page, from 1, rising through a rebuilt run: counts the
    /// lines a listener missed, even those the feed no longer keeps.
    pub n: u64,
    /// What it tells, already in the page's language; lines within one tenth of a second
    /// read as one moment.
    pub line: events::Line,
}

/// The feed as it reads: the latest moment first, a moment being the tenth of a second its
/// stamp shows, and within one moment in the order things happened, so a command and a
/// misroute come before what they caused a few milliseconds later.
pub fn reading_order(lines: &[FeedLine]) -> Vec<FeedLine> {
    let mut shown = lines.to_vec();
    shown.sort_by_key(|l| std::cmp::Reverse(l.line.at_us / 100_000));
    shown
}

/// The latest `n` of `lines` in reading order, with each of `pinned` (the newest action and
/// the newest loss, which a busy run may have pushed out of `lines`) in place of the oldest
/// line not pinned: in a short feed (compare view's panes) routine lines such as logins and
/// retries must not push a crash and its logouts out of view.
pub fn latest_with_cause(lines: &[FeedLine], n: usize, pinned: &[FeedLine]) -> Vec<FeedLine> {
    let is_pinned = |l: &FeedLine| pinned.iter().any(|p| p.n == l.n);
    // Newest first.
    let mut kept: Vec<FeedLine> = lines.iter().rev().take(n).cloned().collect();
    for p in pinned {
        if !kept.iter().any(|k| k.n == p.n) {
            if let Some(i) = kept.iter().rposition(|k| !is_pinned(k)) {
                kept[i] = p.clone();
            }
        }
    }
    kept.sort_by_key(|l| l.n);
    reading_order(&kept)
}

/// `query` with the language, if the URL chose one: a link opens in the language it was made in.
fn with_chosen_lang(mut query: String) -> String {
    if let Some(lang) = crate::i18n::chosen() {
        query.push_str("&lang=");
        query.push_str(lang.key());
    }
    query
}

/// A shared run on its way to its moment: the commands still to apply, in order, with their
/// times, the moment itself, and the simulated time between two looks at the clock.
pub struct Replay {
    /// The commands not replayed yet, each at its time.
    commands: VecDeque<(u64, Command)>,
    /// The link's moment, where the replay stops [µs].
    until_us: u64,
    /// Simulated time per slice, short enough for a frame [µs].
    step_us: u64,
    /// Why each refused command of the link was refused, for the page to show once the run
    /// opens: a hand-edited link can break several.
    refused: Vec<String>,
    /// A rewound run's commands after its moment, and how far it had gone: kept on the
    /// timeline once the replay is done, to play or scrub on to.
    future: Vec<(u64, Command)>,
    horizon_us: u64,
}

impl Replay {
    /// Each command at its time, then on to `until_us` (else to the last command), `step_us`
    /// at a time: short enough that a step of a busy run stays well within a frame. A run
    /// rewound from `horizon_us` to `until_us` keeps its `future` for the timeline (else empty
    /// and 0).
    pub fn new(
        commands: &[(u64, Command)],
        until_us: Option<u64>,
        step_us: u64,
        future: Vec<(u64, Command)>,
        horizon_us: u64,
    ) -> Self {
        let last = commands.last().map_or(0, |(at, _)| *at);
        Self {
            commands: commands.iter().cloned().collect(),
            until_us: until_us.unwrap_or(last).max(last),
            step_us: step_us.max(1),
            refused: Vec::new(),
            future,
            horizon_us,
        }
    }

    /// The moment the run is replayed to [µs].
    pub fn until_us(&self) -> u64 {
        self.until_us
    }
}

/// Milliseconds since the page loaded (0 outside a browser).
pub fn page_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_lands_on_the_clock_s_tenths() {
        assert_eq!(to_next_step(0), STEP_US);
        assert_eq!(to_next_step(15_000_000), STEP_US);
        assert_eq!(to_next_step(14_987_654), 12_346);
        assert_eq!(to_next_step(15_040_000), 60_000);
    }

    #[test]
    fn the_feed_reads_latest_moment_first_and_cause_before_effect() {
        let line = |seq, at_us| FeedLine {
            n: seq,
            line: events::Line { loss: false, command: false, seq, at_us, text: String::new(), group: None },
        };
        // Stamped 0.1 s, 0.5 s (three lines, the effects a few ms after their cause) and 0.9 s.
        let lines = [line(1, 100_000), line(2, 500_000), line(3, 503_000), line(4, 540_000), line(5, 900_000)];
        let order: Vec<u64> = reading_order(&lines).iter().map(|l| l.line.seq).collect();
        assert_eq!(order, [5, 2, 3, 4, 1]);
    }

    /// At 10× the page's clock alone kept a recovered box outlined for 14 simulated seconds.
    #[test]
    fn a_burst_ends_by_the_page_s_clock_or_the_run_s_whichever_comes_first() {
        let burst = Burst { at: Node::Balancer, label: "no server", born_ms: 1_000.0, born_us: 5_000_000 };
        assert_eq!(burst.age(1_700.0, 5_700_000), 0.5, "at 1× both clocks agree");
        assert_eq!(burst.age(1_700.0, 12_000_000), 1.0, "at 10× the run's clock ends it");
        assert_eq!(burst.age(2_400.0, 5_014_000), 1.0, "at 0.01× the page's clock ends it");
        assert_eq!(burst.age(1_000.0, 4_000_000), 0.0, "a run rewound past it");
    }

    #[test]
    fn a_short_feed_keeps_the_latest_action_and_loss_in_view() {
        let line = |seq, at_s: u64, loss, command| FeedLine {
            n: seq,
            line: events::Line { loss, command, seq, at_us: at_s * 1_000_000, text: String::new(), group: None },
        };
        // A crash (the action, the loss), then five routine lines.
        let mut lines = vec![line(1, 1, false, false), line(2, 6, false, true), line(3, 6, true, false)];
        lines.extend((4..9).map(|seq| line(seq, seq + 3, false, false)));
        let pins = [lines[1].clone(), lines[2].clone()];
        let shown: Vec<u64> = latest_with_cause(&lines, 4, &pins).iter().map(|l| l.line.seq).collect();
        assert_eq!(shown, [8, 7, 2, 3]);
        // While they are among the latest, nothing is pinned.
        let shown: Vec<u64> = latest_with_cause(&lines[..5], 4, &pins).iter().map(|l| l.line.seq).collect();
        assert_eq!(shown, [5, 4, 2, 3]);
        // Pushed out of the feed itself, they are still shown.
        let shown: Vec<u64> = latest_with_cause(&lines[4..], 4, &pins).iter().map(|l| l.line.seq).collect();
        assert_eq!(shown, [8, 7, 2, 3]);
    }

    #[test]
    fn the_feed_drops_its_oldest_lines_but_keeps_the_latest_action_and_its_losses() {
        let line = |seq: u64, at_s: u64, loss, command| FeedLine {
            n: seq,
            line: events::Line { loss, command, seq, at_us: at_s * 1_000_000, text: String::new(), group: None },
        };
        // An old line, the action and its crash at 2 s, a later loss, then a busy run.
        let mut feed = vec![
            line(0, 1, false, false),
            line(1, 2, false, true),
            line(2, 2, true, false),
            line(3, 2, false, false),
            line(4, 3, true, false),
        ];
        feed.extend((5..5 + FEED_LINES as u64).map(|seq| line(seq, 4, false, false)));
        trim(&mut feed);
        let seqs: Vec<u64> = feed.iter().map(|f| f.line.seq).collect();
        assert_eq!(seqs.len(), FEED_LINES);
        assert_eq!(&seqs[..3], [1, 2, 7], "the action and its crash stay, older lines around them go");
        assert_eq!(*seqs.last().unwrap(), 4 + FEED_LINES as u64);
    }

    #[test]
    fn routine_lines_leave_the_full_feed_before_the_moves_they_followed() {
        let line = |seq: u64, loss, routine: bool| FeedLine {
            n: seq,
            line: events::Line {
                loss,
                command: false,
                seq,
                at_us: seq * 100_000,
                text: String::new(),
                group: routine.then(|| events::Group {
                    kin: events::Kin::StaleRead,
                    count: 1,
                    named: Vec::new(),
                    last_us: seq * 100_000,
                }),
            },
        };
        // The auto-scaler drains a server and its users are logged out; then a minute of logins.
        let mut feed = vec![line(0, false, true), line(1, false, false), line(2, true, false)];
        feed.extend((3..3 + FEED_LINES as u64).map(|seq| line(seq, false, true)));
        trim(&mut feed);
        let seqs: Vec<u64> = feed.iter().map(|f| f.line.seq).collect();
        assert_eq!(seqs.len(), FEED_LINES);
        assert_eq!(&seqs[..3], [1, 2, 5], "the drain and its logouts stay, the oldest routine lines go");
        // Past half the feed, the told lines go by age too, so routine ones still show.
        let mut feed: Vec<FeedLine> = (0..FEED_LINES as u64).map(|seq| line(seq, true, false)).collect();
        feed.extend((100..110).map(|seq| line(seq, false, true)));
        trim(&mut feed);
        let routine = feed.iter().filter(|f| f.line.group.is_some()).count();
        assert_eq!((feed.len(), routine, feed[0].line.seq), (FEED_LINES, 10, 10));
    }
}
