//! The auto-scaler: judges mean worker utilization every interval and adds or drains one
//! server, then waits out a cooldown. It acts in both modes; only stateless servers can be
//! drained without logging anyone out.

use crate::config::AutoscalerConfig;
use crate::server::ServerId;
use crate::time::MS;

/// What the auto-scaler decided at an evaluation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Off, waiting, or the load is within its thresholds.
    Hold,
    /// Boot one more server: busy above the threshold, or fewer than the minimum.
    ScaleOut,
    /// Drain one server: idle below the threshold, or more than the maximum.
    ScaleIn,
}

/// Why an auto-scaler that is on holds whatever the load: what a learner needs to know when
/// it waits under a full one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wait {
    /// A server is still booting: its capacity is on the way.
    Boot,
    /// The cooldown after its last change, with the time left of it [µs].
    Cooldown(u64),
}

/// What the auto-scaler weighs now, so a readout can say why it acts or holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Readout {
    /// The seconds its mean covers: the latest closed ones, as many as its interval has.
    pub window_s: u32,
    /// The mean utilization it acts on [%].
    pub mean_pct: u32,
    /// Of those seconds, the ones with traffic and no server up, which the mean counts as 100 %
    /// busy: a readout must not word them as servers at work.
    pub unserved_s: u32,
    /// Why it holds whatever the load, if it must (see [`Autoscaler::wait`]).
    pub wait: Option<Wait>,
    /// A server sticky sessions overload (its queue as long as its workers) while that mean
    /// stays under the threshold and nothing else holds the scaler: judging the mean, it adds
    /// no server for it.
    pub sticky_overload: Option<ServerId>,
    /// Time to its next judgement [µs], when that judgement would act on what it weighs now
    /// (a mean past a threshold, with room to add or drain a server): the action waits for it.
    pub next_us: Option<u64>,
}

/// Policy plus the time of the last action.
#[derive(Clone, Debug)]
pub struct Autoscaler {
    /// In force now; `SetAutoscaling` replaces it mid-run.
    pub policy: AutoscalerConfig,
    last_action_us: Option<u64>,
}

impl Autoscaler {
    /// No action yet, so the first evaluation is not held back by a cooldown.
    pub fn new(policy: AutoscalerConfig) -> Self {
        Self { policy, last_action_us: None }
    }

    /// Period between evaluations [µs], read each time the next one is scheduled.
    pub fn interval_us(&self) -> u64 {
        u64::from(self.policy.interval_ms) * MS
    }

    /// Decides from the utilization and the pool: `active` servers serving or booting. Fewer
    /// than the minimum (a crash) is replaced whatever the load, as a cloud scaling group does.
    pub fn evaluate(&self, now_us: u64, utilization_pct: u32, active: u32, booting: u32) -> Decision {
        let p = &self.policy;
        if !p.enabled || self.wait(now_us, booting).is_some() {
            Decision::Hold
        } else if active < p.min_servers || (utilization_pct > p.scale_out_pct && active < p.max_servers) {
            Decision::ScaleOut
        } else if active > p.max_servers || (utilization_pct < p.scale_in_pct && active > p.min_servers) {
            // A group above its maximum (the maximum was lowered, or servers added by hand)
            // comes back down to it, however busy.
            Decision::ScaleIn
        } else {
            Decision::Hold
        }
    }

    /// Why it would hold at `now_us` with `booting` servers booting, whatever the load.
    pub fn wait(&self, now_us: u64, booting: u32) -> Option<Wait> {
        let left =
            self.last_action_us.map_or(0, |t| (t + u64::from(self.policy.cooldown_ms) * MS).saturating_sub(now_us));
        if booting > 0 {
            Some(Wait::Boot)
        } else {
            (left > 0).then_some(Wait::Cooldown(left))
        }
    }

    /// Starts the cooldown: called once the decision was carried out, so a decision the system
    /// could not follow (at the server cap) does not silence the scaler.
    pub fn acted(&mut self, now_us: u64) {
        self.last_action_us = Some(now_us);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scaler() -> Autoscaler {
        Autoscaler::new(AutoscalerConfig { enabled: true, ..AutoscalerConfig::default() })
    }

    #[test]
    fn scales_out_when_hot_and_in_when_cold_within_bounds() {
        let mut a = scaler();
        assert_eq!(a.evaluate(0, 85, 3, 0), Decision::ScaleOut);
        assert_eq!(a.evaluate(MS, 85, 4, 0), Decision::ScaleOut, "nothing was done yet");
        a.acted(MS);
        assert_eq!(a.evaluate(2 * MS, 85, 4, 0), Decision::Hold, "cooldown");
        assert_eq!(
            a.wait(2 * MS, 0),
            Some(Wait::Cooldown(u64::from(a.policy.cooldown_ms) * MS - MS)),
            "it acted at 1 ms"
        );
        assert_eq!(a.evaluate(60_000 * MS, 10, 4, 0), Decision::ScaleIn);
        assert_eq!(a.evaluate(120_000 * MS, 10, 1, 0), Decision::Hold, "at the minimum");
        assert_eq!(a.evaluate(180_000 * MS, 95, 16, 0), Decision::Hold, "at the maximum");
        assert_eq!(a.evaluate(240_000 * MS, 95, 3, 1), Decision::Hold, "one is still booting");
        assert_eq!(a.wait(240_000 * MS, 1), Some(Wait::Boot));
        assert_eq!(a.evaluate(300_000 * MS, 95, 17, 0), Decision::ScaleIn, "above the maximum, however busy");
    }

    #[test]
    fn replaces_servers_below_the_minimum_even_when_idle() {
        let a = Autoscaler::new(AutoscalerConfig { enabled: true, min_servers: 3, ..AutoscalerConfig::default() });
        assert_eq!(a.evaluate(0, 0, 2, 0), Decision::ScaleOut);
        assert_eq!(a.evaluate(0, 0, 3, 0), Decision::Hold);
    }

    #[test]
    fn disabled_never_acts() {
        let a = Autoscaler::new(AutoscalerConfig::default());
        assert_eq!(a.evaluate(0, 100, 3, 0), Decision::Hold);
    }
}
