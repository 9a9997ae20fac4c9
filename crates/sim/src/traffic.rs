//! Traffic: the arrival rate over time. Arrivals are Poisson at the current rate, each one a
//! random user acting, so a user's mean think time is `users / rate`.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::command::Command;
use crate::time::SEC;

/// Shape of the arrival rate around the base rate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "bake", derive(databake::Bake), databake(path = statelab_sim::traffic))]
pub enum Pattern {
    Steady,
    /// Five times the base rate, and at least [`SPIKE_FLOOR_PER_S`], for 30 s; then the pattern
    /// it interrupted goes on (steady, when the spike was picked as the pattern itself).
    Spike,
    /// Climbs linearly to five times the base rate over 60 s, then holds.
    Ramp,
    /// A compressed day: a two-minute sine between 0.2× and 1.8×.
    Diurnal,
    /// The quiet of 2 am: a tenth of the base rate.
    Quiet,
}

impl Pattern {
    /// The order share links number patterns by (`src/link.rs`) and the menu lists: append only.
    pub const ALL: [Pattern; 5] = [Pattern::Steady, Pattern::Spike, Pattern::Ramp, Pattern::Diurnal, Pattern::Quiet];

    /// The highest rate it reaches from `base` requests/s: a spike's own rate, and the ceiling
    /// the tests hold every moment's rate to.
    pub fn peak_per_s(self, base: f64) -> f64 {
        match self {
            Pattern::Steady => base,
            Pattern::Spike => (base * SPIKE_FACTOR).max(SPIKE_FLOOR_PER_S),
            Pattern::Ramp => base * SPIKE_FACTOR,
            Pattern::Diurnal => base * (1.0 + DIURNAL_SWING),
            Pattern::Quiet => base * QUIET_SHARE,
        }
    }
}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Pattern::Steady => "steady",
            Pattern::Spike => "spike",
            Pattern::Ramp => "ramp",
            Pattern::Diurnal => "diurnal",
            Pattern::Quiet => "quiet (2 am)",
        })
    }
}

/// How long a spike lasts [µs].
pub const SPIKE_US: u64 = 30 * SEC;
/// Rate multiplier of a spike and of a ramp's top.
pub const SPIKE_FACTOR: f64 = 5.0;
/// The least a spike brings [requests/s]: more than the default lab's three servers can take,
/// so a spike from the quiet default traffic still strains the pool and the auto-scaler answers
/// it, as the article promises.
pub const SPIKE_FLOOR_PER_S: f64 = 1_500.0;
const RAMP_US: u64 = 60 * SEC;
const DAY_US: u64 = 120 * SEC;
/// How far a simulated day swings around the base rate, as a share of it.
const DIURNAL_SWING: f64 = 0.8;
/// The share of the base rate that the quiet of 2 am keeps.
const QUIET_SHARE: f64 = 0.1;

/// The live traffic: set from the config, then replaced by `SetTraffic` and `Spike`.
#[derive(Clone, Debug)]
pub struct Traffic {
    /// The rate the learner set; the pattern scales it over time.
    pub base_per_s: u32,
    /// As set; read [`Traffic::pattern_at`], which turns a finished spike into the pattern it
    /// interrupted.
    pub pattern: Pattern,
    /// When the pattern's clock started [µs]: a spike ends, and a ramp tops out, relative to it.
    pub since_us: u64,
    /// The pattern a spike interrupted, with its clock: it goes on once the spike has passed.
    pub after_spike: (Pattern, u64),
}

impl Traffic {
    /// `pattern` from `since_us` on, around `base_per_s`; a spike picked this way ends steady.
    pub fn new(base_per_s: u32, pattern: Pattern, since_us: u64) -> Self {
        Self { base_per_s, pattern, since_us, after_spike: (Pattern::Steady, since_us) }
    }

    /// The pattern in force at `now_us`, with its clock: a spike that has run its course gives
    /// way to the pattern it interrupted, so the controls show that one and a later rate change
    /// does not start it over.
    pub fn in_force(&self, now_us: u64) -> (Pattern, u64) {
        match self.pattern {
            Pattern::Spike if now_us.saturating_sub(self.since_us) >= SPIKE_US => self.after_spike,
            p => (p, self.since_us),
        }
    }

    /// The pattern in force at `now_us` (see [`Traffic::in_force`]).
    pub fn pattern_at(&self, now_us: u64) -> Pattern {
        self.in_force(now_us).0
    }

    /// A spike from `now_us` on; whatever was in force resumes after it, as if never stopped.
    pub fn spike(&mut self, now_us: u64) {
        let now = self.in_force(now_us);
        // A spike during a spike keeps what comes after the first.
        if now.0 != Pattern::Spike {
            self.after_spike = now;
        }
        self.pattern = Pattern::Spike;
        self.since_us = now_us;
    }

    /// Whole seconds left of a spike under way at `now_us` (rounded up), if one is.
    pub fn spike_left_s(&self, now_us: u64) -> Option<u32> {
        let left = (self.since_us + SPIKE_US).checked_sub(now_us).filter(|_| self.pattern == Pattern::Spike)?;
        (left > 0).then(|| left.div_ceil(SEC) as u32)
    }

    /// The traffic after `cmd` at `now_us`; a command about anything else leaves it as it is.
    /// Moving only the rate keeps the pattern's clock: a spike or a ramp under way goes on.
    pub fn after(&self, cmd: &Command, now_us: u64) -> Traffic {
        match *cmd {
            Command::SetTraffic { rate_per_s, pattern } if pattern == self.pattern_at(now_us) => {
                Traffic { base_per_s: rate_per_s, ..self.clone() }
            }
            Command::SetTraffic { rate_per_s, pattern } => Traffic::new(rate_per_s, pattern, now_us),
            Command::Spike => {
                let mut spiked = self.clone();
                spiked.spike(now_us);
                spiked
            }
            _ => self.clone(),
        }
    }

    /// Arrivals per second at `now_us`.
    pub fn rate_per_s(&self, now_us: u64) -> f64 {
        let base = f64::from(self.base_per_s);
        let (pattern, since_us) = self.in_force(now_us);
        let t = now_us.saturating_sub(since_us);
        match pattern {
            Pattern::Steady => base,
            Pattern::Spike => Pattern::Spike.peak_per_s(base),
            Pattern::Ramp => base * (1.0 + (SPIKE_FACTOR - 1.0) * (t.min(RAMP_US) as f64 / RAMP_US as f64)),
            Pattern::Diurnal => {
                let phase = (t % DAY_US) as f64 / DAY_US as f64;
                base * (1.0 + DIURNAL_SWING * libm::sin(2.0 * std::f64::consts::PI * phase))
            }
            Pattern::Quiet => base * QUIET_SHARE,
        }
    }
}

/// Arrivals per second at the start of each simulated second, from 0 to `until_us`'s second:
/// a run that starts with `traffic` and applies `commands` at their times. What replaying a
/// link to that moment asks of the page, known without running it.
pub fn rates_by_second(traffic: &Traffic, commands: &[(u64, Command)], until_us: u64) -> Vec<f64> {
    let mut traffic = traffic.clone();
    let mut due = commands.iter().peekable();
    (0..=until_us / SEC)
        .map(|s| {
            while let Some((at_us, cmd)) = due.next_if(|(at_us, _)| *at_us <= s * SEC) {
                traffic = traffic.after(cmd, *at_us);
            }
            traffic.rate_per_s(s * SEC)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_pattern_reaches_its_peak_and_never_passes_it() {
        for pattern in Pattern::ALL {
            for base in [20, 1_000] {
                let traffic = Traffic::new(base, pattern, 0);
                let top = (0..=2_400).map(|i| traffic.rate_per_s(i * SEC / 10)).fold(0.0, f64::max);
                let peak = pattern.peak_per_s(f64::from(base));
                assert!(top <= peak + 1e-9 && top >= peak * 0.999, "{pattern}: {top} against {peak}");
            }
        }
    }

    fn t(pattern: Pattern) -> Traffic {
        Traffic::new(100, pattern, 10 * SEC)
    }

    #[test]
    fn a_spike_is_five_times_the_base_and_never_less_than_its_floor() {
        let spike = |base_per_s| Traffic::new(base_per_s, Pattern::Spike, 0).rate_per_s(SEC);
        assert_eq!(spike(20), SPIKE_FLOOR_PER_S);
        assert_eq!(spike(300), 1_500.0);
        assert_eq!(spike(1_000), 5_000.0);
    }

    #[test]
    fn a_spike_hands_back_to_the_pattern_it_interrupted() {
        let mut quiet = t(Pattern::Quiet);
        quiet.spike(20 * SEC);
        assert_eq!((quiet.pattern_at(49 * SEC), quiet.rate_per_s(49 * SEC)), (Pattern::Spike, SPIKE_FLOOR_PER_S));
        assert_eq!((quiet.pattern_at(50 * SEC), quiet.rate_per_s(50 * SEC)), (Pattern::Quiet, 10.0));
        // A ramp's clock runs on through the spike.
        let mut ramp = t(Pattern::Ramp);
        ramp.spike(20 * SEC);
        assert_eq!(ramp.in_force(60 * SEC), (Pattern::Ramp, 10 * SEC));
        assert_eq!(ramp.rate_per_s(80 * SEC), 500.0, "topped out 60 s after it began");
        // A second spike during the first ends the same way.
        ramp.spike(30 * SEC);
        assert_eq!(ramp.in_force(60 * SEC), (Pattern::Ramp, 10 * SEC));
        let mut picked = t(Pattern::Spike);
        picked.spike(20 * SEC);
        assert_eq!(picked.in_force(50 * SEC), (Pattern::Steady, 10 * SEC), "a spike picked as the pattern ends steady");
    }

    #[test]
    fn patterns_shape_the_rate() {
        assert_eq!(t(Pattern::Steady).rate_per_s(50 * SEC), 100.0);
        assert_eq!(t(Pattern::Spike).rate_per_s(20 * SEC), SPIKE_FLOOR_PER_S);
        assert_eq!(t(Pattern::Spike).rate_per_s(41 * SEC), 100.0);
        assert_eq!(t(Pattern::Ramp).rate_per_s(40 * SEC), 300.0);
        assert_eq!(t(Pattern::Ramp).rate_per_s(900 * SEC), 500.0);
        assert_eq!(t(Pattern::Quiet).rate_per_s(20 * SEC), 10.0);
        assert_eq!(t(Pattern::Spike).pattern_at(39 * SEC), Pattern::Spike);
        assert_eq!(t(Pattern::Spike).spike_left_s(10 * SEC), Some(30));
        assert_eq!(t(Pattern::Spike).spike_left_s(39 * SEC + 1), Some(1));
        assert_eq!(t(Pattern::Spike).spike_left_s(40 * SEC), None);
        assert_eq!(t(Pattern::Ramp).spike_left_s(20 * SEC), None);
        assert_eq!(t(Pattern::Spike).pattern_at(40 * SEC), Pattern::Steady);
        assert_eq!(t(Pattern::Ramp).pattern_at(900 * SEC), Pattern::Ramp);
        let peak = t(Pattern::Diurnal).rate_per_s(40 * SEC);
        assert!((peak - 180.0).abs() < 1e-9, "{peak}");
    }
}
