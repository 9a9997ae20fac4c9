//! The shared session store of stateless mode. Servers no longer hold anything irreplaceable,
//! so this is now the part to protect: what survives its crash depends on kind and settings.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::config::StoreConfig;
use crate::time::MS;

/// The article's four choices of shared store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "bake", derive(databake::Bake), databake(path = statelab_sim::store))]
pub enum StoreKind {
    Redis,
    Memcached,
    Sql,
    Nosql,
}

impl StoreKind {
    /// The order share links number kinds by (`src/link.rs`) and the store menu lists: append only.
    pub const ALL: [StoreKind; 4] = [StoreKind::Redis, StoreKind::Memcached, StoreKind::Sql, StoreKind::Nosql];

    /// Whether its sessions outlive a crash: the page offers the persistence switch only where
    /// the answer depends on it, and says what a crash does for the other kinds.
    pub fn durability(self) -> Durability {
        match self {
            StoreKind::Redis => Durability::Optional,
            StoreKind::Memcached => Durability::Never,
            StoreKind::Sql | StoreKind::Nosql => Durability::Always,
        }
    }

    /// Whether it can keep a standby copy that takes over: Memcached has no replication of its
    /// own, so the page greys out the standby switch for it, as it does persistence.
    pub fn replicates(self) -> bool {
        self != StoreKind::Memcached
    }

    /// Round-trip latency range of one session read or write [µs].
    pub fn latency_us(self) -> (u64, u64) {
        match self {
            StoreKind::Redis | StoreKind::Memcached => (500, 1_500),
            StoreKind::Sql => (5 * MS, 10 * MS),
            StoreKind::Nosql => (2 * MS, 5 * MS),
        }
    }
}

/// What a store kind's crash does to its sessions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Durability {
    /// Kept only with persistence on (Redis's snapshots to disk).
    Optional,
    /// Always lost: the kind keeps sessions in memory only.
    Never,
    /// Always kept: the kind writes every session to disk.
    Always,
}

impl fmt::Display for StoreKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            StoreKind::Redis => "Redis",
            StoreKind::Memcached => "Memcached",
            StoreKind::Sql => "SQL database",
            StoreKind::Nosql => "NoSQL store",
        })
    }
}

/// What a crash of the store does to the sessions in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CrashOutcome {
    /// Memory only: every session is gone.
    SessionsLost,
    /// On disk: sessions come back when it restarts; requests fail meanwhile.
    KeptUntilRestart,
    /// A standby replica takes over after a short failover.
    FailsOver,
}

/// Failover time of a store with a replica [µs].
pub const FAILOVER_US: u64 = 1_000 * MS;

/// The live shared store. Commands change its kind and settings mid-run, and what its next crash
/// costs follows them.
#[derive(Clone, Debug)]
pub struct SessionStore {
    pub kind: StoreKind,
    /// Counts only for Redis; SQL and NoSQL keep sessions anyway, and Memcached never can.
    pub persistence: bool,
    /// A standby that takes over [`FAILOVER_US`] after a crash, for a kind that
    /// [`StoreKind::replicates`].
    pub replica: bool,
    pub up: bool,
    /// Sessions held right now.
    pub sessions: u32,
}

impl SessionStore {
    /// Up and empty; sessions arrive with logins, or all at once when every user starts logged in.
    pub fn new(cfg: &StoreConfig) -> Self {
        Self { kind: cfg.kind, persistence: cfg.persistence, replica: cfg.replica, up: true, sessions: 0 }
    }

    /// What a crash does, given kind and settings: SQL and NoSQL stores are durable, Redis
    /// only with persistence, Memcached never; a replica fails over, for every kind but Memcached.
    pub fn crash_outcome(&self) -> CrashOutcome {
        if self.replica && self.kind.replicates() {
            CrashOutcome::FailsOver
        } else if self.durable() {
            CrashOutcome::KeptUntilRestart
        } else {
            CrashOutcome::SessionsLost
        }
    }

    fn durable(&self) -> bool {
        match self.kind.durability() {
            Durability::Optional => self.persistence,
            Durability::Never => false,
            Durability::Always => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_survives_a_crash_depends_on_kind_and_settings() {
        let mut s = SessionStore::new(&StoreConfig::default());
        assert_eq!(s.crash_outcome(), CrashOutcome::SessionsLost);
        s.persistence = true;
        assert_eq!(s.crash_outcome(), CrashOutcome::KeptUntilRestart);
        s.kind = StoreKind::Memcached;
        assert_eq!(s.crash_outcome(), CrashOutcome::SessionsLost, "memcached cannot persist");
        s.replica = true;
        assert_eq!(s.crash_outcome(), CrashOutcome::SessionsLost, "memcached has no standby");
        s.kind = StoreKind::Sql;
        assert_eq!(s.crash_outcome(), CrashOutcome::FailsOver);
        s.replica = false;
        assert_eq!(s.crash_outcome(), CrashOutcome::KeptUntilRestart);
    }
}
