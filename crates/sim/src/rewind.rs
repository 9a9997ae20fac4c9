//! Jumping to any moment of a run without replaying it from the start.
//!
//! A run is its config plus its command log, so replaying rebuilds any moment of it exactly.
//! An hour of heavy traffic takes seconds to replay, though, and the page would freeze that
//! long on every drag of its timeline. So copies of the system are kept along the run, and a
//! jump replays only from the latest copy before the moment asked for. When one copy too many
//! is due, every other one goes and the spacing doubles: the copies' number, and so their
//! memory, stays bounded however long the run, and a jump replays at most the spacing plus
//! the simulated second between two looks for a due copy.

use crate::time::SEC;
use crate::{Command, ConfigError, Sim};

/// Copies kept at most (some 480 kB each for a lab of 1,000 users, made in well under 1 ms; a
/// lab of 10,000 users keeps more of its story in each, some 2 MB).
pub const MAX_COPIES: usize = 16;
/// Agenda steps between the first copies: some 30 ms of replay in the browser. All
/// [`MAX_COPIES`] are kept after 4 M steps, within the first ten minutes at 1,000 requests/s,
/// so memory reaches its plateau early in a long run.
const FIRST_SPACING: u64 = 250_000;
/// Simulated time between two looks for a due copy while running far ahead [µs].
const SLICE_US: u64 = SEC;

/// The copies kept along one run.
pub struct Rewinder {
    /// Copies, oldest first, at strictly increasing times.
    copies: Vec<Sim>,
    /// Agenda steps from one copy to the next.
    spacing: u64,
    /// Keeps no copy at all (see [`Rewinder::off`]).
    off: bool,
}

impl Default for Rewinder {
    fn default() -> Self {
        Self { copies: Vec::new(), spacing: FIRST_SPACING, off: false }
    }
}

impl Rewinder {
    /// One that never keeps a copy, for a run that is never rewound (and so needs no memory
    /// for it).
    pub fn off() -> Self {
        Self { off: true, ..Self::default() }
    }

    /// Forgets every copy: a new run starts. One that is [`Rewinder::off`] stays off.
    pub fn clear(&mut self) {
        self.copies.clear();
        self.spacing = FIRST_SPACING;
    }

    /// Copies kept now, never past their bound: the heap example reports them with the memory.
    pub fn len(&self) -> usize {
        self.copies.len()
    }

    /// True before the first copy, e.g. early in a run.
    pub fn is_empty(&self) -> bool {
        self.copies.is_empty()
    }

    /// Keeps a copy of `sim` when it has done a spacing's work since the latest copy. Only
    /// [`Rewinder::run_until`] calls it: between commands, at the run's newest moment, so the
    /// copy's command log is the start of the timeline.
    fn offer(&mut self, sim: &Sim) {
        let due = |copies: &[Sim], spacing: u64| {
            let last = copies.last().map_or((0, 0), |c| (c.now_us(), c.steps()));
            sim.now_us() > last.0 && sim.steps() >= last.1 + spacing
        };
        if self.off || !due(&self.copies, self.spacing) {
            return;
        }
        if self.copies.len() == MAX_COPIES {
            // The latest copy stays; the new one waits for the doubled spacing, so copies stay
            // evenly spread.
            let mut odd = false;
            self.copies.retain(|_| {
                odd = !odd;
                !odd
            });
            self.spacing *= 2;
            if !due(&self.copies, self.spacing) {
                return;
            }
        }
        self.copies.push(sim.clone());
    }

    /// [`Sim::run_until`] in slices, offering a copy after each, so a long run keeps copies.
    /// It runs at least once: already at `t_us`, the events due then (a fresh run's, at 0)
    /// still come before a command applied there, as [`Sim::apply_at`] and a replay have them.
    pub fn run_until(&mut self, sim: &mut Sim, t_us: u64) {
        loop {
            sim.run_until(t_us.min(sim.now_us().saturating_add(SLICE_US)));
            self.offer(sim);
            if sim.now_us() >= t_us {
                break;
            }
        }
    }

    /// Forgets the copies later than `t_us`: the run takes another course from there.
    pub fn forget_after(&mut self, t_us: u64) {
        self.copies.retain(|c| c.now_us() <= t_us);
    }

    /// Moves `sim` to `t_us` of its run. `timeline` is every command of the run with its time,
    /// in order, those after `sim`'s moment included. The replay starts from the latest of
    /// `sim` itself and the copies that is not later than `t_us`, or else from the start.
    /// Returns the agenda steps replayed: the jump's cost.
    pub fn seek<'a>(
        &mut self,
        sim: &mut Sim,
        timeline: impl IntoIterator<Item = (u64, &'a Command)>,
        t_us: u64,
    ) -> Result<u64, ConfigError> {
        let copy = self.copies.iter().rev().find(|c| c.now_us() <= t_us);
        if sim.now_us() > t_us || copy.is_some_and(|c| c.now_us() > sim.now_us()) {
            *sim = match copy {
                Some(copy) => copy.clone(),
                None => Sim::new(sim.config().clone())?,
            };
        }
        let (done, from) = (sim.commands().len(), sim.steps());
        for (at_us, cmd) in timeline.into_iter().skip(done).take_while(|(at_us, _)| *at_us <= t_us) {
            self.run_until(sim, at_us);
            // It was applied on this very state before, so it applies again.
            let _ = sim.apply_at(at_us, cmd.clone());
        }
        self.run_until(sim, t_us);
        Ok(sim.steps() - from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::MS;
    use crate::SimConfig;

    fn busy() -> SimConfig {
        let mut cfg = SimConfig { users: 200, ..SimConfig::default() };
        cfg.traffic.rate_per_s = 3_000;
        cfg
    }

    /// A run of a minute and a half with a crash, an added server and a mode switch.
    fn timeline() -> Vec<(u64, Command)> {
        vec![
            (20 * SEC, Command::CrashServer { server: crate::ServerId(0) }),
            (20 * SEC, Command::AddServer),
            (45 * SEC + 3 * MS, Command::SetMode { mode: crate::Mode::Stateless }),
            (70 * SEC, Command::SetTraffic { rate_per_s: 400, pattern: crate::Pattern::Steady }),
        ]
    }

    fn played(t_us: u64) -> Sim {
        let mut sim = Sim::new(busy()).unwrap();
        for (at, cmd) in timeline().into_iter().filter(|(at, _)| *at <= t_us) {
            sim.apply_at(at, cmd).unwrap();
        }
        sim.run_until(t_us);
        sim
    }

    fn entries(t: &[(u64, Command)]) -> impl Iterator<Item = (u64, &Command)> {
        t.iter().map(|(at, cmd)| (*at, cmd))
    }

    /// The whole timeline played with copies kept, as the page plays it.
    fn played_through() -> (Vec<(u64, Command)>, Rewinder, Sim) {
        let line = timeline();
        let mut rw = Rewinder::default();
        let mut sim = Sim::new(busy()).unwrap();
        rw.seek(&mut sim, entries(&line), 90 * SEC).unwrap();
        (line, rw, sim)
    }

    #[test]
    fn every_jump_lands_on_the_state_a_straight_run_reaches() {
        let (line, mut rw, mut sim) = played_through();
        assert!(rw.len() >= 3, "a minute and a half at 3,000 requests/s leaves copies, got {}", rw.len());
        for t in
            [89 * SEC, 5 * SEC, 88 * SEC, 20 * SEC, 45 * SEC + 3 * MS, 45 * SEC, 60 * SEC + 7, 0, 90 * SEC, 33 * SEC]
        {
            rw.seek(&mut sim, entries(&line), t).unwrap();
            let straight = played(t);
            assert_eq!(sim.now_us(), t);
            assert_eq!(sim.trace_hash(), straight.trace_hash(), "at {t} µs");
            assert_eq!(sim.commands(), straight.commands(), "at {t} µs");
        }
    }

    #[test]
    fn a_jump_replays_at_most_the_spacing_from_a_copy() {
        let (line, mut rw, mut sim) = played_through();
        let total = sim.steps();
        // Back, forward past copies, a little forward, and back again.
        for t in [89 * SEC, 5 * SEC, 88 * SEC, 88 * SEC + 500 * MS, 30 * SEC] {
            let replayed = rw.seek(&mut sim, entries(&line), t).unwrap();
            assert!(replayed <= rw.spacing + total / 90, "to {t} µs: replayed {replayed} steps of {total}");
        }
        assert!(rw.seek(&mut sim, entries(&line), 30 * SEC).unwrap() == 0, "a jump to where it is replays nothing");
    }

    #[test]
    fn copies_stay_bounded_and_thin_out_evenly() {
        let mut cfg = busy();
        cfg.traffic.rate_per_s = 10_000;
        let mut rw = Rewinder::default();
        let mut sim = Sim::new(cfg).unwrap();
        rw.run_until(&mut sim, 400 * SEC);
        assert!(rw.spacing > FIRST_SPACING, "a long run doubled the spacing");
        assert!((MAX_COPIES / 2..=MAX_COPIES).contains(&rw.len()), "{} copies", rw.len());
        let gaps: Vec<u64> = rw.copies.windows(2).map(|w| w[1].steps() - w[0].steps()).collect();
        assert!(gaps.iter().all(|&g| g >= rw.spacing), "evenly spread, at least the spacing apart: {gaps:?}");
    }

    #[test]
    fn a_new_course_taken_after_a_jump_back_replays_as_a_straight_run() {
        let (mut line, mut rw, mut sim) = played_through();
        rw.seek(&mut sim, entries(&line), 30 * SEC).unwrap();
        // A new command at 30 s: the old future from there on is dropped, and its copies.
        line.retain(|(at, _)| *at <= 30 * SEC);
        line.push((30 * SEC, Command::AddServer));
        rw.forget_after(30 * SEC);
        sim.apply(Command::AddServer).unwrap();
        rw.run_until(&mut sim, 80 * SEC);
        let straight = |t: u64| {
            let mut s = Sim::new(busy()).unwrap();
            for (at, cmd) in line.iter().filter(|(at, _)| *at <= t) {
                s.apply_at(*at, cmd.clone()).unwrap();
            }
            s.run_until(t);
            s.trace_hash()
        };
        for t in [70 * SEC, 40 * SEC, 25 * SEC, 80 * SEC] {
            rw.seek(&mut sim, entries(&line), t).unwrap();
            assert_eq!(sim.trace_hash(), straight(t), "at {t} µs");
        }
    }

    #[test]
    fn a_new_course_forgets_the_copies_after_it() {
        let (_, mut rw, _) = played_through();
        let before = rw.len();
        rw.forget_after(30 * SEC);
        assert!(rw.len() < before);
        assert!(rw.copies.iter().all(|c| c.now_us() <= 30 * SEC));
        rw.clear();
        assert!(rw.is_empty());
    }

    #[test]
    fn one_that_is_off_keeps_nothing_and_still_jumps() {
        let line = timeline();
        let mut rw = Rewinder::off();
        let mut sim = Sim::new(busy()).unwrap();
        rw.seek(&mut sim, entries(&line), 90 * SEC).unwrap();
        rw.clear();
        rw.seek(&mut sim, entries(&line), 50 * SEC).unwrap();
        assert!(rw.is_empty());
        assert_eq!(sim.trace_hash(), played(50 * SEC).trace_hash());
    }

    #[test]
    fn a_copy_taken_just_before_a_command_replays_that_command() {
        let line = timeline();
        let mut rw = Rewinder { spacing: 1, ..Rewinder::default() };
        let mut sim = Sim::new(busy()).unwrap();
        rw.run_until(&mut sim, 20 * SEC);
        assert_eq!(rw.copies.last().map(|c| (c.now_us(), c.commands().len())), Some((20 * SEC, 0)));
        rw.seek(&mut sim, entries(&line), 30 * SEC).unwrap();
        for t in [20 * SEC, 25 * SEC] {
            rw.seek(&mut sim, entries(&line), t).unwrap();
            assert_eq!(sim.commands().len(), 2, "both commands at 20 s are in force at {t} µs");
            assert_eq!(sim.trace_hash(), played(t).trace_hash());
        }
    }
}
