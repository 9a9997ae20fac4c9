//! A web server: a few workers, a bounded queue, and — in stateful mode — the sessions of the
//! users it has served, held in memory that a crash wipes.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, VecDeque};
use std::fmt;

use crate::command::CommandError;
use crate::request::ReqRef;
use crate::user::UserId;

/// A server's stable id; shown as "Server 1" for id 0, and never reused within a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "bake", derive(databake::Bake), databake(path = statelab_sim::server))]
pub struct ServerId(pub u32);

impl fmt::Display for ServerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Server {}", u64::from(self.0) + 1)
    }
}

/// A server's life cycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ServerState {
    /// Cold start; takes no traffic until `ready_at_us`.
    Booting {
        ready_at_us: u64,
    },
    Healthy,
    /// Removed from the pool; finishes what it has, then stops.
    Draining,
    Stopped,
    /// Dead: its memory, and every session in it, is gone.
    Crashed,
}

impl ServerState {
    /// Whether it would pass a health check.
    pub fn is_healthy(self) -> bool {
        matches!(self, ServerState::Healthy)
    }

    /// Whether a request that reaches it gets an answer at all.
    pub fn accepts(self) -> bool {
        matches!(self, ServerState::Healthy | ServerState::Draining)
    }

    /// Whether it runs at all (booting, healthy or draining): a running server can crash, and
    /// only one that does not can be restarted. The commands and the page's buttons share it.
    pub fn is_running(self) -> bool {
        !matches!(self, ServerState::Crashed | ServerState::Stopped)
    }

    /// Whether it is in the balancer's pool, i.e. not removed (draining) or stopped: only such a
    /// server can be removed.
    pub fn in_pool(self) -> bool {
        !matches!(self, ServerState::Draining | ServerState::Stopped)
    }

    /// Whether it serves, or soon will: healthy or booting, not crashed or leaving.
    pub fn serves(self) -> bool {
        matches!(self, ServerState::Healthy | ServerState::Booting { .. })
    }
}

/// Servers counted by state, as a metrics sample counts them at a second's end and a page's
/// live charts count them now; stopped servers count in no state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Serving, and in the balancer's pool.
    pub healthy: u32,
    /// Capacity on the way, which the auto-scaler waits for.
    pub booting: u32,
    /// Finishing their work after a removal or a scale-in, taking none.
    pub draining: u32,
    /// Crashed: their in-memory sessions are gone.
    pub down: u32,
}

impl Tally {
    /// Counts `states` in one pass, so a chart and a sample agree on every server.
    pub fn of(states: impl IntoIterator<Item = ServerState>) -> Tally {
        let mut t = Tally::default();
        for s in states {
            match s {
                ServerState::Healthy => t.healthy += 1,
                ServerState::Booting { .. } => t.booting += 1,
                ServerState::Draining => t.draining += 1,
                ServerState::Crashed => t.down += 1,
                ServerState::Stopped => {}
            }
        }
        t
    }
}

/// Whether `server` may be removed from a lab whose servers are `pool` (id and state): it must
/// be in the pool, and not the last one serving; a crashed one costs no capacity. The engine
/// refuses the rest, and the page greys out the same ones.
pub fn removal(
    pool: impl IntoIterator<Item = (ServerId, ServerState)> + Clone,
    server: ServerId,
) -> Result<(), CommandError> {
    let state = pool
        .clone()
        .into_iter()
        .find_map(|(id, state)| (id == server).then_some(state))
        .ok_or(CommandError::NoSuchServer(server))?;
    if !state.in_pool() {
        return Err(CommandError::WrongServerState { server, state, wanted: "in the pool" });
    }
    if state.serves() && !pool.into_iter().any(|(id, state)| id != server && state.serves()) {
        return Err(CommandError::LastServer);
    }
    Ok(())
}

impl fmt::Display for ServerState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ServerState::Booting { .. } => "booting",
            ServerState::Healthy => "healthy",
            ServerState::Draining => "draining",
            ServerState::Stopped => "stopped",
            ServerState::Crashed => "crashed",
        })
    }
}

/// A server as the engine runs it. In stateful mode its memory holds sessions: what a crash
/// destroys, and why routing must be sticky.
#[derive(Clone, Debug)]
pub struct Server {
    pub id: ServerId,
    /// The truth; the balancer learns of a change at its next health check (at once for a 0 period).
    pub state: ServerState,
    /// When the current boot started [µs], for the progress bar.
    pub boot_started_us: u64,
    /// Workers busy right now.
    pub busy: u32,
    pub(crate) queue: VecDeque<ReqRef>,
    /// Users whose session is in this server's memory (stateful mode only).
    pub sessions: BTreeSet<UserId>,
    /// Busy worker time while healthy, accumulated since the last reading [µs].
    busy_us: u64,
    /// Time spent healthy and in the balancer's pool since the last reading [µs]: a server that
    /// joined or fell mid-second offered its workers for that part of the second only.
    healthy_us: u64,
    /// Whether the balancer sends it requests: a server that booted waits for a health check.
    pooled: bool,
    last_change_us: u64,
    /// Requests it handled that were answered, since the run began (not those that failed); a
    /// restart keeps the count.
    pub served: u64,
}

impl Server {
    pub(crate) fn new(id: ServerId, state: ServerState, now_us: u64) -> Self {
        Self {
            id,
            state,
            boot_started_us: now_us,
            busy: 0,
            queue: VecDeque::new(),
            sessions: BTreeSet::new(),
            busy_us: 0,
            healthy_us: 0,
            pooled: false,
            last_change_us: now_us,
            served: 0,
        }
    }

    /// Requests waiting for a worker; at the config's `queue` the next one is refused with a 503.
    pub fn queued(&self) -> u32 {
        self.queue.len() as u32
    }

    /// Requests it holds: in service plus waiting.
    pub fn connections(&self) -> u32 {
        self.busy + self.queued()
    }

    fn account(&mut self, now_us: u64) {
        if self.state.is_healthy() && self.pooled {
            let dt = now_us.saturating_sub(self.last_change_us);
            self.busy_us += u64::from(self.busy) * dt;
            self.healthy_us += dt;
        }
        self.last_change_us = now_us;
    }

    pub(crate) fn set_state(&mut self, now_us: u64, state: ServerState) {
        self.account(now_us);
        self.state = state;
    }

    pub(crate) fn set_pooled(&mut self, now_us: u64, pooled: bool) {
        self.account(now_us);
        self.pooled = pooled;
    }

    pub(crate) fn set_busy(&mut self, now_us: u64, busy: u32) {
        self.account(now_us);
        self.busy = busy;
    }

    /// Busy worker time and time serving (healthy, in the pool) since the previous call [µs].
    pub(crate) fn take_usage(&mut self, now_us: u64) -> (u64, u64) {
        self.account(now_us);
        (std::mem::take(&mut self.busy_us), std::mem::take(&mut self.healthy_us))
    }

    /// Boot progress in per mille, for a booting server.
    pub fn boot_progress_per_mille(&self, now_us: u64) -> Option<u32> {
        match self.state {
            ServerState::Booting { ready_at_us } => {
                let total = ready_at_us.saturating_sub(self.boot_started_us).max(1);
                let done = now_us.saturating_sub(self.boot_started_us).min(total);
                Some((done * 1000 / total) as u32)
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_serving_server_cannot_be_removed_but_a_crashed_one_can() {
        use ServerState::*;
        let (a, b) = (ServerId(0), ServerId(1));
        assert_eq!(removal([(a, Healthy), (b, Crashed)], a), Err(CommandError::LastServer));
        assert_eq!(removal([(a, Healthy), (b, Crashed)], b), Ok(()));
        assert_eq!(removal([(a, Healthy), (b, Booting { ready_at_us: 9 })], a), Ok(()));
        assert_eq!(removal([(a, Healthy), (b, Draining)], a), Err(CommandError::LastServer));
        assert_eq!(
            removal([(a, Healthy), (b, Draining)], b),
            Err(CommandError::WrongServerState { server: b, state: Draining, wanted: "in the pool" })
        );
        assert_eq!(removal([(a, Healthy)], b), Err(CommandError::NoSuchServer(b)));
    }

    #[test]
    fn busy_time_is_integrated_over_time() {
        let mut s = Server::new(ServerId(0), ServerState::Healthy, 0);
        s.set_pooled(0, true);
        s.set_busy(100, 2);
        s.set_busy(300, 1);
        assert_eq!(s.take_usage(400), (2 * 200 + 100, 400));
        assert_eq!(s.take_usage(500), (100, 100));
    }

    #[test]
    fn only_time_healthy_in_the_pool_counts_towards_busy_and_capacity() {
        let mut s = Server::new(ServerId(0), ServerState::Booting { ready_at_us: 600 }, 0);
        s.set_state(600, ServerState::Healthy);
        s.set_pooled(650, true);
        s.set_busy(700, 4);
        assert_eq!(s.take_usage(1_000), (4 * 300, 350));
        s.set_state(1_500, ServerState::Crashed);
        assert_eq!(s.take_usage(2_000), (4 * 500, 500));
    }

    #[test]
    fn boot_progress_runs_from_zero_to_full() {
        let s = Server::new(ServerId(3), ServerState::Booting { ready_at_us: 2_000 }, 0);
        assert_eq!(s.boot_progress_per_mille(500), Some(250));
        assert_eq!(s.boot_progress_per_mille(9_000), Some(1000));
        assert_eq!(s.id.to_string(), "Server 4");
    }
}
