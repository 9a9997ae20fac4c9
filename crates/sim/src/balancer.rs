//! The load balancer: picks a server for each request and keeps its own view of which servers
//! are up, refreshed by health checks — so a crash is noticed only at the next check.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::server::ServerId;
use crate::user::UserId;

/// How the balancer spreads requests.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "bake", derive(databake::Bake), databake(path = statelab_sim::balancer))]
pub enum LbAlgorithm {
    RoundRobin,
    LeastConnections,
    Random,
    /// Session affinity: the user's cookie is hashed onto the pool (rendezvous hashing), so a
    /// user keeps their server while the pool is unchanged and about 1/N of users move when a
    /// server joins. Stateful mode forces it.
    Sticky,
}

impl LbAlgorithm {
    /// The order share links number algorithms by (`src/link.rs`) and the menu lists: append only.
    pub const ALL: [LbAlgorithm; 4] =
        [LbAlgorithm::RoundRobin, LbAlgorithm::LeastConnections, LbAlgorithm::Random, LbAlgorithm::Sticky];
}

impl fmt::Display for LbAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LbAlgorithm::RoundRobin => "round robin",
            LbAlgorithm::LeastConnections => "least connections",
            LbAlgorithm::Random => "random",
            LbAlgorithm::Sticky => "sticky sessions",
        })
    }
}

/// A server the balancer may choose, with its open connections.
#[derive(Clone, Copy, Debug)]
pub struct Candidate {
    pub id: ServerId,
    /// Requests it holds, busy plus queued: what least-connections compares.
    pub connections: u32,
}

/// The balancer's state: its algorithm, round-robin cursor and health view.
#[derive(Clone, Debug)]
pub struct Balancer {
    /// The learner's choice; stateful mode routes sticky anyway (`Sim::effective_algorithm`).
    pub algorithm: LbAlgorithm,
    /// Health-check period [µs]; 0 = instant.
    pub health_check_us: u64,
    /// Indexed by server id: ids are small and never reused, and this is read on every request.
    marked_up: Vec<bool>,
    cursor: u32,
    /// Round robin's turn among the servers a retry may take, apart from `cursor`: retries
    /// taking turns in the main rotation would skew it (a crashed server's share going 2 : 1
    /// to the two left).
    retry_cursor: u32,
}

/// Affinity score of a user for a server; the highest score wins (rendezvous hashing).
pub fn affinity(user: UserId, server: ServerId) -> u64 {
    let mut z = (u64::from(user.0) << 32 | u64::from(server.0)).wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The server sticky routing gives `user` among `candidates`, and the runner-up.
pub fn sticky_pick(user: UserId, candidates: &[Candidate]) -> (Option<ServerId>, Option<ServerId>) {
    let mut best: Option<(u64, ServerId)> = None;
    let mut second: Option<(u64, ServerId)> = None;
    for c in candidates {
        let score = (affinity(user, c.id), c.id);
        if best.is_none_or(|b| score > b) {
            second = best;
            best = Some(score);
        } else if second.is_none_or(|s| score > s) {
            second = Some(score);
        }
    }
    (best.map(|b| b.1), second.map(|s| s.1))
}

impl Balancer {
    /// Knows no server yet: each counts as down until the engine marks it up as it joins.
    pub fn new(algorithm: LbAlgorithm, health_check_us: u64) -> Self {
        Self { algorithm, health_check_us, marked_up: Vec::new(), cursor: 0, retry_cursor: 0 }
    }

    /// The balancer's belief, not the truth: it lags a crash until the next health check. Unknown
    /// ids read as down.
    pub fn is_marked_up(&self, id: ServerId) -> bool {
        self.marked_up.get(id.0 as usize).copied().unwrap_or(false)
    }

    /// Records a health-check verdict; returns whether the view changed.
    pub fn mark(&mut self, id: ServerId, up: bool) -> bool {
        let i = id.0 as usize;
        if i >= self.marked_up.len() {
            self.marked_up.resize(i + 1, false);
        }
        std::mem::replace(&mut self.marked_up[i], up) != up
    }

    /// Chooses a server. `sticky` overrides the algorithm (stateful mode); `misroute` takes the
    /// sticky runner-up, or the next server in turn, instead of the usual choice; `retry`: the
    /// candidates are the others after one could not be reached. `random` is the run's RNG,
    /// drawn only by the random algorithm.
    pub fn route(
        &mut self,
        user: UserId,
        candidates: &[Candidate],
        sticky: bool,
        misroute: bool,
        retry: bool,
        random: impl FnOnce(usize) -> usize,
    ) -> Option<ServerId> {
        if candidates.is_empty() {
            return None;
        }
        let algorithm = if sticky { LbAlgorithm::Sticky } else { self.algorithm };
        let usual = match algorithm {
            LbAlgorithm::Sticky => {
                let (first, second) = sticky_pick(user, candidates);
                return if misroute { second.or(first) } else { first };
            }
            LbAlgorithm::RoundRobin => {
                let cursor = if retry { &mut self.retry_cursor } else { &mut self.cursor };
                *cursor = cursor.wrapping_add(1);
                *cursor as usize % candidates.len()
            }
            LbAlgorithm::LeastConnections => {
                candidates.iter().enumerate().min_by_key(|(_, c)| (c.connections, c.id)).map_or(0, |(i, _)| i)
            }
            LbAlgorithm::Random => random(candidates.len()),
        };
        let index = if misroute { (usual + 1) % candidates.len() } else { usual };
        Some(candidates[index].id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool(ids: &[u32]) -> Vec<Candidate> {
        ids.iter().map(|&i| Candidate { id: ServerId(i), connections: 0 }).collect()
    }

    #[test]
    fn sticky_keeps_users_put_and_moves_about_one_in_n_when_a_server_joins() {
        let three = pool(&[0, 1, 2]);
        let four = pool(&[0, 1, 2, 3]);
        let mut moved = 0;
        for u in 0..3_000 {
            let before = sticky_pick(UserId(u), &three).0.unwrap();
            let after = sticky_pick(UserId(u), &four).0.unwrap();
            if before != after {
                assert_eq!(after, ServerId(3), "users only ever move to the new server");
                moved += 1;
            }
        }
        assert!((600..900).contains(&moved), "about a quarter moved, got {moved}");
    }

    #[test]
    fn removing_a_server_moves_only_its_users() {
        let three = pool(&[0, 1, 2]);
        let two = pool(&[1, 2]);
        for u in 0..1_000 {
            let before = sticky_pick(UserId(u), &three).0.unwrap();
            let after = sticky_pick(UserId(u), &two).0.unwrap();
            if before != ServerId(0) {
                assert_eq!(before, after);
            }
        }
    }

    #[test]
    fn round_robin_cycles_and_misroute_picks_another_server() {
        let mut lb = Balancer::new(LbAlgorithm::RoundRobin, 0);
        let c = pool(&[0, 1, 2]);
        let picks: Vec<_> = (0..6).map(|_| lb.route(UserId(0), &c, false, false, false, |_| 0).unwrap().0).collect();
        assert_eq!(picks, [1, 2, 0, 1, 2, 0]);
        let usual = sticky_pick(UserId(7), &c).0;
        let wrong = lb.route(UserId(7), &c, true, true, false, |_| 0);
        assert_ne!(usual, wrong);
    }

    #[test]
    fn least_connections_prefers_the_idlest() {
        let mut lb = Balancer::new(LbAlgorithm::LeastConnections, 0);
        let c = [
            Candidate { id: ServerId(0), connections: 5 },
            Candidate { id: ServerId(1), connections: 2 },
            Candidate { id: ServerId(2), connections: 9 },
        ];
        assert_eq!(lb.route(UserId(0), &c, false, false, false, |_| 0), Some(ServerId(1)));
        assert_eq!(lb.route(UserId(0), &[], false, false, false, |_| 0), None);
    }
}
