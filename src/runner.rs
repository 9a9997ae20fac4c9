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

/// Work one frame may spend advancing the simulation [ms]: a run with more to compute (a
/// million requests a second at 10×) goes slower than asked, and says so, instead of freezing
/// the page between frames.
const WORK_BUDGET_MS: f64 = 10.0;

/// Simulated time of the first frames, before the cost of a simulated µs is known [µs].
const FIRST_STEP_US: f64 = 10_000.0;

/// Frames between updates of the slowed-down readout, so it does not flicker.
const PACE_EVERY: u32 = 30;

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
    let pace = Pace::new(WORK_BUDGET_MS);
    *handle.borrow_mut() = Some(Closure::new(move |t: f64| {
        if !lab.playing.get_untracked() || !lab.on_screen.get_untracked() || !lab.tab_visible.get_untracked() {
            RUNNING.with(|r| r.set(false));
            frame.borrow_mut().take();
            lab.slowed.set(None);
            // The page's text may be one throttled publication behind the dots.
            lab.flush();
            return;
        }
        let gap_ms = last.get().map_or(0.0, |l: f64| (t - l).max(0.0));
        let dt_ms = gap_ms.min(MAX_FRAME_MS);
        last.set(Some(t));
        lab.played_ms.update_value(|p| *p += dt_ms);
        let speed = lab.speed.get_untracked();
        let wanted_us = dt_ms * 1000.0 * speed;
        let dt_us = pace.allowed_us(wanted_us);
        let work_ms = lab.advance_frame(dt_us as u64);
        // Judged against the whole gap too: frames slower than MAX_FRAME_MS (a slow phone)
        // lose time, and the readout must say so as it does for a heavy run.
        pace.spent(dt_us, wanted_us, gap_ms * 1000.0 * speed, work_ms);
        if let Some(slowed) = pace.readout(speed) {
            if lab.slowed.get_untracked() != slowed {
                lab.slowed.set(slowed);
            }
        }
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

/// Why a run goes slower than its speed, and the speed it reaches.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Slowdown {
    /// A frame's work budget cannot compute all the simulated time asked for.
    Compute(f64),
    /// The frames come too far apart (a slow device): each covers at most `MAX_FRAME_MS`.
    Frames(f64),
}

/// How fast a loop can go: the work a simulated µs costs, learnt from the frames so far. The
/// lab's frames and compare view's ticks each keep one, so a heavy run never freezes the page.
pub(crate) struct Pace {
    /// The work one frame or tick may do [ms].
    budget_ms: f64,
    /// Smoothed cost of a simulated µs [ms]; `None` until measured.
    cost_ms: Cell<Option<f64>>,
    /// Smoothed share of the asked-for simulated time the frames reached.
    reached: Cell<f64>,
    /// Smoothed share of it the work budget let through: below 1, the computing held it back.
    computed: Cell<f64>,
    frames: Cell<u32>,
}

impl Pace {
    /// A loop whose frames or ticks may each do `budget_ms` of work.
    pub(crate) fn new(budget_ms: f64) -> Self {
        Self {
            budget_ms,
            cost_ms: Cell::new(None),
            reached: Cell::new(0.0),
            computed: Cell::new(1.0),
            frames: Cell::new(0),
        }
    }

    /// The simulated time this frame may cover [µs]: what the speed asks, within the budget,
    /// but always some, so a heavy run still moves. Until a frame has been measured, a short
    /// step: the first frame of a heavy run would otherwise be a long task.
    pub(crate) fn allowed_us(&self, wanted_us: f64) -> f64 {
        let budget_us = match self.cost_ms.get() {
            None => FIRST_STEP_US,
            Some(cost) if cost > 0.0 => (self.budget_ms / cost).max(1_000.0),
            Some(_) => f64::INFINITY,
        };
        wanted_us.min(budget_us)
    }

    /// Learns from a frame that covered `dt_us` of the `wanted_us` its capped gap asked for, and
    /// of the `asked_us` the whole gap did, with `work_ms` of work.
    pub(crate) fn spent(&self, dt_us: f64, wanted_us: f64, asked_us: f64, work_ms: f64) {
        if dt_us >= 1.0 {
            let cost = work_ms / dt_us;
            self.cost_ms.set(Some(self.cost_ms.get().map_or(cost, |old| 0.8 * old + 0.2 * cost)));
        }
        if asked_us >= 1.0 && wanted_us >= 1.0 {
            let share = (dt_us / asked_us).min(1.0);
            let computed = (dt_us / wanted_us).min(1.0);
            let frames = self.frames.get();
            let smooth = |old: f64, new: f64| if frames == 0 { new } else { 0.9 * old + 0.1 * new };
            self.reached.set(smooth(self.reached.get(), share));
            self.computed.set(smooth(self.computed.get(), computed));
            self.frames.set(frames + 1);
        }
    }

    /// Every [`PACE_EVERY`] frames: the speed reached and why, when it is clearly below
    /// `speed`, else `None`.
    pub(crate) fn readout(&self, speed: f64) -> Option<Option<Slowdown>> {
        let frames = self.frames.get();
        (frames > 0 && frames.is_multiple_of(PACE_EVERY)).then(|| {
            let reached = self.reached.get();
            let cause = if self.computed.get() < 0.9 { Slowdown::Compute } else { Slowdown::Frames };
            (reached < 0.8).then_some(cause(speed * reached))
        })
    }
}
