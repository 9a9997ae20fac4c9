//! The page's shared state: the simulation plus the few signals the components read.

use leptos::prelude::*;
use statelab_sim::{Command, Sim, SimConfig, Snapshot};

/// In-flight requests drawn as dots; the rest are counted, not drawn.
pub const MAX_DOTS: usize = 400;
/// Narration lines kept on the page.
const FEED_LINES: usize = 40;
/// Default playback speed: slow enough to follow a single request.
pub const DEFAULT_SPEED: f64 = 0.2;

/// Handles to the running lab. `Copy`, so every component gets its own by value.
#[derive(Clone, Copy)]
pub struct Lab {
    /// The simulation itself; only this module and the runner touch it.
    sim: StoredValue<Sim>,
    /// The latest snapshot; every visual reads from it.
    pub snap: RwSignal<Snapshot>,
    pub playing: RwSignal<bool>,
    /// Simulated seconds per real second.
    pub speed: RwSignal<f64>,
    /// A message for the learner, e.g. why a command was refused.
    pub notice: RwSignal<Option<String>>,
    /// Recent narrated events, newest last.
    pub feed: RwSignal<Vec<String>>,
    /// Event sequence number the feed has read up to.
    feed_cursor: StoredValue<u64>,
}

impl Lab {
    pub fn new(config: SimConfig) -> Self {
        let sim = Sim::new(config)
            .unwrap_or_else(|_| Sim::new(SimConfig::default()).expect("defaults are valid"));
        let snap = RwSignal::new(sim.snapshot(MAX_DOTS));
        Self {
            sim: StoredValue::new(sim),
            snap,
            playing: RwSignal::new(true),
            speed: RwSignal::new(DEFAULT_SPEED),
            notice: RwSignal::new(None),
            feed: RwSignal::new(Vec::new()),
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

    /// Starts over with the same config and seed.
    pub fn reset(&self) {
        self.sim.update_value(|s| {
            let cfg = s.config().clone();
            if let Ok(fresh) = Sim::new(cfg) {
                *s = fresh;
            }
        });
        self.feed_cursor.set_value(0);
        self.feed.set(Vec::new());
        self.notice.set(None);
        self.refresh();
    }

    /// Reads the simulation without changing it.
    pub fn with_sim<R>(&self, f: impl FnOnce(&Sim) -> R) -> R {
        self.sim.with_value(f)
    }

    fn refresh(&self) {
        let cursor = self.feed_cursor.get_value();
        let (snapshot, lines, next) = self.sim.with_value(|s| {
            let lines: Vec<String> = s
                .events()
                .since(cursor)
                .filter(|e| e.is_narrated())
                .map(|e| e.to_string())
                .collect();
            (s.snapshot(MAX_DOTS), lines, s.events().total())
        });
        self.feed_cursor.set_value(next);
        self.snap.set(snapshot);
        if !lines.is_empty() {
            self.feed.update(|feed| {
                feed.extend(lines);
                let excess = feed.len().saturating_sub(FEED_LINES);
                feed.drain(..excess);
            });
        }
    }
}
