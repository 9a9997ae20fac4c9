//! What the UI draws each frame: small views of every component and the in-flight requests.
//! Built from counters the engine keeps, so it costs one pass over servers and requests.

use serde::Serialize;

use crate::balancer::LbAlgorithm;
use crate::config::Mode;
use crate::database::{DbName, DbNodeId, DbRole};
use crate::request::{Action, Hop, ReqId};
use crate::server::{ServerId, ServerState};
use crate::store::StoreKind;
use crate::traffic::Pattern;
use crate::user::UserId;

/// Seconds of the recent window that "now" figures (the cache's hit ratio) are taken over.
pub const RECENT_S: usize = 10;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ServerView {
    pub id: ServerId,
    pub state: ServerState,
    /// Whether the balancer currently believes it is up.
    pub lb_up: bool,
    pub busy: u32,
    pub workers: u32,
    pub queued: u32,
    pub queue_capacity: u32,
    /// Sessions in its memory (stateful mode).
    pub sessions: u32,
    pub boot_per_mille: Option<u32>,
    pub served: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RequestView {
    pub id: ReqId,
    pub user: UserId,
    pub action: Action,
    pub hop: Hop,
    /// 0..=1000 along the hop.
    pub progress_per_mille: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StoreView {
    pub kind: StoreKind,
    pub up: bool,
    pub persistence: bool,
    pub replica: bool,
    pub sessions: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CacheView {
    pub enabled: bool,
    pub up: bool,
    pub len: u32,
    pub capacity: u32,
    /// Of all product reads so far [‰].
    pub hit_per_mille: u32,
    /// Of product reads in the last [`RECENT_S`] seconds [‰]; `None` when there was none.
    pub recent_hit_per_mille: Option<u32>,
}

/// What the cache shows now: a cache that is off or down has no ratio worth showing, and a
/// quiet spell has none at all, so the page never shows a stale number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CacheReading {
    Off,
    Down,
    NoReadsYet,
    /// Hits among the last [`RECENT_S`] seconds' product reads [%].
    HitPct(u32),
}

impl CacheView {
    /// Its state, off before down before the recent hit ratio.
    pub fn reading(&self) -> CacheReading {
        match (self.enabled, self.up, self.recent_hit_per_mille) {
            (false, _, _) => CacheReading::Off,
            (_, false, _) => CacheReading::Down,
            (_, _, None) => CacheReading::NoReadsYet,
            (_, _, Some(r)) => CacheReading::HitPct(r / 10),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DbView {
    pub id: DbNodeId,
    pub role: DbRole,
    pub number: u32,
    pub up: bool,
    pub reads: u64,
    pub writes: u64,
}

impl DbView {
    /// Its name now, as the diagram labels it.
    pub fn name(&self) -> DbName {
        DbName::of(self.role, self.number)
    }
}

/// Counts since the run began.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub issued: u64,
    pub completed: u64,
    pub failed: u64,
    /// Attempts the balancer repeated on another server after one was unreachable.
    pub retries: u64,
    pub logins: u64,
    pub logouts: u64,
    pub stale_reads: u64,
    pub cache_hits: u64,
    pub db_reads: u64,
    pub db_writes: u64,
    /// Failures by reason, in [`crate::FailReason::ALL`] order; the metrics ring forgets old ones.
    pub failed_by_reason: [u64; 8],
    /// Time completed requests spent waiting in server queues [µs]; over `completed`, the mean
    /// queue wait that queueing theory predicts.
    pub queue_wait_us: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Snapshot {
    pub now_us: u64,
    pub mode: Mode,
    /// The algorithm in force (sticky whenever stateful).
    pub algorithm: LbAlgorithm,
    pub health_check_ms: u32,
    pub pattern: Pattern,
    pub base_rate_per_s: u32,
    pub rate_per_s: u32,
    /// Seconds left of a spike under way, so the page can say when it ends.
    pub spike_left_s: Option<u32>,
    pub servers: Vec<ServerView>,
    pub requests: Vec<RequestView>,
    /// In-flight requests not listed because of the cap.
    pub requests_hidden: u32,
    pub store: StoreView,
    pub cache: CacheView,
    /// The master first, then the replicas by number.
    pub db: Vec<DbView>,
    /// Replication lag in force, [min, max] ms: a tour step or a link may have changed it.
    pub replication_lag_ms: (u32, u32),
    pub users: u32,
    pub logged_in: u32,
    pub logged_out: u32,
    pub cdn_hit_per_mille: u32,
    pub autoscaling: bool,
    pub totals: Totals,
    pub in_flight: u32,
}
