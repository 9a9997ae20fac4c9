//! The page's shared state: the simulation plus the few signals the components read.

use leptos::prelude::*;
use statelab_sim::request::{Completed, Node};
use statelab_sim::{Command, EventKind, Sim, SimConfig, Snapshot, UserId};

/// In-flight requests drawn as dots; the rest are counted, not drawn.
pub const MAX_DOTS: usize = 600;
/// Narration lines kept on the page.
const FEED_LINES: usize = 60;
/// Failure bursts kept for the dot layer.
const MAX_BURSTS: usize = 40;
/// Default playback speed: slow enough to follow a single request.
pub const DEFAULT_SPEED: f64 = 0.2;

/// A failure to flash where it happened.
#[derive(Clone, Copy, Debug)]
pub struct Burst {
    pub at: Node,
    pub label: &'static str,
    /// Page time it was first drawn [ms since load].
    pub born_ms: f64,
}

/// The request-tracing panel's state.
#[derive(Clone, Debug, PartialEq)]
pub enum Trace {
    Off,
    /// Waiting for the first request numbered `from` or later to finish.
    Waiting {
        from: u64,
    },
    Shown(Completed),
}

/// Handles to the running lab. `Copy`, so every component gets its own by value.
#[derive(Clone, Copy)]
pub struct Lab {
    /// The simulation itself; only this module touches it mutably.
    sim: StoredValue<Sim>,
    /// The latest snapshot; every visual reads from it.
    pub snap: RwSignal<Snapshot>,
    pub playing: RwSignal<bool>,
    /// Simulated seconds per real second.
    pub speed: RwSignal<f64>,
    /// A message for the learner, e.g. why a command was refused.
    pub notice: RwSignal<Option<String>>,
    /// Recent narrated events, oldest first.
    pub feed: RwSignal<Vec<String>>,
    /// The user whose session the inspector shows.
    pub selected_user: RwSignal<Option<UserId>>,
    pub trace: RwSignal<Trace>,
    /// Failures the dot layer flashes; read once per frame, so not a signal.
    pub bursts: StoredValue<Vec<Burst>>,
    /// The help dialog is open.
    pub help_open: RwSignal<bool>,
    /// The diagram is on screen (false when an embedding page scrolled it away).
    pub on_screen: RwSignal<bool>,
    /// Event sequence number the feed has read up to.
    feed_cursor: StoredValue<u64>,
}

impl Lab {
    /// A lab on `config`; an invalid config falls back to the defaults with a notice.
    pub fn new(config: SimConfig) -> Self {
        let (sim, notice) = match Sim::new(config) {
            Ok(sim) => (sim, None),
            Err(e) => (
                Sim::new(SimConfig::default()).expect("defaults are valid"),
                Some(format!("Settings ignored ({e}); using the defaults.")),
            ),
        };
        let snap = RwSignal::new(sim.snapshot(MAX_DOTS));
        Self {
            sim: StoredValue::new(sim),
            snap,
            playing: RwSignal::new(true),
            speed: RwSignal::new(DEFAULT_SPEED),
            notice: RwSignal::new(notice),
            feed: RwSignal::new(Vec::new()),
            selected_user: RwSignal::new(None),
            trace: RwSignal::new(Trace::Off),
            bursts: StoredValue::new(Vec::new()),
            help_open: RwSignal::new(false),
            on_screen: RwSignal::new(true),
            feed_cursor: StoredValue::new(0),
        }
    }

    /// Applies a command; a refusal becomes a notice instead of an error.
    pub fn send(&self, cmd: Command) {
        let result = self.sim.try_update_value(|s| s.apply(cmd));
        match result {
            Some(Err(e)) => self.notice.set(Some(format!("Not possible: {e}."))),
            _ => self.notice.set(None),
        }
        self.refresh();
    }

    /// Advances simulated time, then publishes the new state.
    pub fn advance(&self, dt_us: u64) {
        self.sim.update_value(|s| s.advance(dt_us));
        self.refresh();
    }

    /// Starts over with `config` (the current one if `None`).
    pub fn restart(&self, config: Option<SimConfig>) {
        let mut error = None;
        self.sim.update_value(|s| {
            let cfg = config.unwrap_or_else(|| s.config().clone());
            match Sim::new(cfg) {
                Ok(fresh) => *s = fresh,
                Err(e) => error = Some(format!("Not possible: {e}.")),
            }
        });
        self.feed_cursor.set_value(0);
        self.feed.set(Vec::new());
        self.bursts.update_value(Vec::clear);
        self.trace.set(Trace::Off);
        self.notice.set(error);
        self.refresh();
    }

    /// Reads the simulation without changing it.
    pub fn with_sim<R>(&self, f: impl FnOnce(&Sim) -> R) -> R {
        self.sim.with_value(f)
    }

    /// Shows the waterfall of the next request that finishes.
    pub fn trace_next(&self) {
        let from = self.sim.with_value(|s| s.totals().issued);
        self.trace.set(Trace::Waiting { from });
        self.refresh();
    }

    fn refresh(&self) {
        let cursor = self.feed_cursor.get_value();
        let waiting = match self.trace.get_untracked() {
            Trace::Waiting { from } => Some(from),
            _ => None,
        };
        let (snapshot, lines, bursts, next, traced) = self.sim.with_value(|s| {
            let mut lines = Vec::new();
            let mut bursts = Vec::new();
            for e in s.events().since(cursor) {
                if let EventKind::RequestFailed { at, reason, .. } = e.kind {
                    bursts.push(Burst { at, label: reason.label(), born_ms: page_ms() });
                }
                if e.is_narrated() {
                    lines.push(e.to_string());
                }
            }
            let traced = waiting.and_then(|from| s.completed().iter().find(|c| c.id >= from).copied());
            (s.snapshot(MAX_DOTS), lines, bursts, s.events().total(), traced)
        });
        self.feed_cursor.set_value(next);
        self.snap.set(snapshot);
        let now = page_ms();
        self.bursts.update_value(|b| {
            b.retain(|x| now - x.born_ms < crate::ui::dots::BURST_MS);
            b.extend(bursts);
            let excess = b.len().saturating_sub(MAX_BURSTS);
            b.drain(..excess);
        });
        if let Some(c) = traced {
            self.trace.set(Trace::Shown(c));
        }
        if !lines.is_empty() {
            self.feed.update(|feed| {
                feed.extend(lines);
                let excess = feed.len().saturating_sub(FEED_LINES);
                feed.drain(..excess);
            });
        }
    }
}

/// Milliseconds since the page loaded (0 outside a browser).
pub fn page_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}
