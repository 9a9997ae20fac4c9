//! What the UI draws each frame: small views of every component and the in-flight requests.
//! Built from counters the engine keeps, so it costs one pass over servers and requests.

use serde::Serialize;

use crate::balancer::LbAlgorithm;
use crate::config::Mode;
use crate::database::{DbName, DbNodeId, DbRole};
use crate::event::FailReason;
use crate::request::{Action, Hop, ReqId};
use crate::server::{ServerId, ServerState, Tally};
use crate::store::StoreKind;
use crate::traffic::Pattern;
use crate::user::UserId;

/// Seconds of the recent window that "now" figures (the cache's hit ratio) are taken over.
pub const RECENT_S: usize = 10;

/// A server's box: its state, its load and, in stateful mode, the sessions a crash would take.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ServerView {
    pub id: ServerId,
    /// The truth; the balancer learns of a change only at its next health check.
    pub state: ServerState,
    /// Workers in use; once all `workers` are busy, new requests wait in the queue.
    pub busy: u32,
    /// The config's worker count, the same for every server.
    pub workers: u32,
    /// Requests waiting for a worker; at the config's queue bound the next one is refused with
    /// a 503.
    pub queued: u32,
    /// Sessions in its memory (stateful mode).
    pub sessions: u32,
    /// Boot progress, 0..=1000, for the box's progress bar; `None` unless booting.
    pub boot_per_mille: Option<u32>,
    /// Requests it handled that were answered, since the run began (not those that failed); a
    /// restart keeps the count.
    pub served: u64,
}

/// A request under way, drawn as a dot travelling its current hop.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RequestView {
    pub id: ReqId,
    pub user: UserId,
    pub action: Action,
    /// The leg it is on: the dot moves from `hop.from` to `hop.to`, coloured by `hop.kind`.
    pub hop: Hop,
    /// 0..=1000 along the hop.
    pub progress_per_mille: u32,
}

/// The shared session store: whether it is up, and the settings that decide what a crash costs.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StoreView {
    pub kind: StoreKind,
    pub up: bool,
    /// Counts only for Redis (sessions on disk survive a crash); SQL and NoSQL always keep them.
    pub persistence: bool,
    /// A standby takes over about a second after a crash; counts only for a kind that
    /// [`crate::StoreKind::replicates`].
    pub replica: bool,
    /// Sessions it holds now; stateless mode keeps every session here.
    pub sessions: u32,
}

/// The product cache. Off (`enabled`) and crashed (`up`) are kept apart, so the page can say which.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CacheView {
    /// The learner's switch: off, servers read every product from the database.
    pub enabled: bool,
    /// False after a crash, which emptied it; a restart brings it back empty.
    pub up: bool,
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

/// A database node's box; [`DbView::name`] says what to call it now.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DbView {
    /// Stable through promotions, unlike the name: commands and links refer to nodes by it.
    pub id: DbNodeId,
    pub role: DbRole,
    /// A replica's display number ("Replica 2"); 0 for the master.
    pub number: u32,
    pub up: bool,
    /// Missed writes while down and has not copied them yet (see
    /// [`crate::database::DbNode::behind`]); an up node that is behind serves no reads.
    pub behind: bool,
    pub reads: u64,
    pub writes: u64,
    /// Connections running a query, of `connections`.
    pub busy: u32,
    pub connections: u32,
    /// Queries waiting for a connection.
    pub waiting: u32,
}

impl DbView {
    /// Whether a promotion could make it the master: a replica up and not behind, as the
    /// engine's refusals require.
    pub fn promotable(&self) -> bool {
        self.role == DbRole::Replica && self.up && !self.behind
    }

    /// Its name now, as the diagram labels it.
    pub fn name(&self) -> DbName {
        DbName::of(self.role, self.number)
    }
}

/// Counts since the run began.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    /// Requests started, whatever became of them: those not `completed` or `failed` are in flight.
    pub issued: u64,
    /// Requests answered: their latency counts in the percentiles.
    pub completed: u64,
    /// Requests that ended in an error, by any reason (see `failed_by_reason`).
    pub failed: u64,
    /// Attempts the balancer repeated on another server after one was unreachable.
    pub retries: u64,
    /// Logins answered; users who start logged in never count, so it measures logging in again.
    pub logins: u64,
    /// Times a user lost their session; one user can count many times.
    pub logouts: u64,
    /// Replica reads that returned a value the master had already changed.
    pub stale_reads: u64,
    /// Requests the learner sent to another server than the balancer's that were answered
    /// all the same: scenario 1 with sessions in a shared store.
    pub misroutes_answered: u64,
    /// Product reads the cache answered; set against `db_reads`, the load it took off the database.
    pub cache_hits: u64,
    /// Reads any node answered: a replica, or the master when no replica is up.
    pub db_reads: u64,
    /// Writes the master ran: checkouts, which no cache answers.
    pub db_writes: u64,
    /// Of `db_reads` and `db_writes`, those that found every connection of their node busy and
    /// waited for one.
    pub db_waits: u64,
    /// Failures by reason, in [`crate::FailReason::ALL`] order; the metrics ring forgets old ones.
    pub failed_by_reason: [u64; 8],
    /// Time completed requests spent waiting in server queues [µs]; over `completed`, the mean
    /// queue wait that queueing theory predicts.
    pub queue_wait_us: u64,
}

/// Why a stateless run failed more requests than a stateful run of the same lab, which in an
/// overload reads as stateless being the worse design unless said.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailsMore {
    /// It was asked more: the stateful run's logged-out users send nothing until they log in
    /// again. Its share of failures is no higher.
    AskedMore,
    /// Asked more, and a higher share failed too: each of its requests also fetches the
    /// session from the shared store while it holds a worker, so an overloaded server answers
    /// fewer a second.
    AskedMoreAndSessionTrips,
    /// Not asked more than a stateful run that lost no user: the session trips alone.
    SessionTrips,
}

impl Totals {
    /// Why these totals, a stateless run's, failed more than `sticky`'s, a stateful run of the
    /// same lab; `None` when they did not. Being asked more is a reason only when it accounts
    /// for a quarter of the extra failures or more (the failures at the same share of the extra
    /// requests): a few hundred more requests do not explain thousands more failures. The
    /// session trips explain a higher share only when overloaded servers made it (503s and
    /// queue timeouts): requests refused by an empty pool owe nothing to how long each holds a
    /// worker.
    pub fn why_failed_more(&self, sticky: &Totals) -> Option<FailsMore> {
        if self.failed <= sticky.failed {
            return None;
        }
        // The failures the extra requests bring at this run's share, against the extra
        // failures, each times `self.issued` to compare without dividing.
        let from_asking = u128::from(self.failed) * u128::from(self.issued.saturating_sub(sticky.issued));
        let extra = u128::from(self.failed - sticky.failed) * u128::from(self.issued);
        let asked_more = sticky.logouts > 0 && from_asking > 0 && from_asking * 4 >= extra;
        // A share of issued requests, compared without dividing.
        let higher = |ours: u64, theirs: u64| {
            u128::from(ours) * u128::from(sticky.issued) > u128::from(theirs) * u128::from(self.issued)
        };
        let overload = |t: &Totals| {
            t.failed_by_reason[FailReason::QueueFull as usize] + t.failed_by_reason[FailReason::Timeout as usize]
        };
        let higher_share = higher(self.failed, sticky.failed) && higher(overload(self), overload(sticky));
        match (asked_more, higher_share) {
            (true, false) => Some(FailsMore::AskedMore),
            (true, true) => Some(FailsMore::AskedMoreAndSessionTrips),
            (false, true) => Some(FailsMore::SessionTrips),
            (false, false) => None,
        }
    }
}

/// One moment of the whole system, by value: the page's boxes, text and dots are drawn from it,
/// and it can be kept for a later frame while the engine runs on.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Snapshot {
    /// When it was taken [µs of sim time].
    pub now_us: u64,
    /// The mode in force; a `SetMode` command may have changed it since the config.
    pub mode: Mode,
    /// The algorithm in force (sticky whenever stateful).
    pub algorithm: LbAlgorithm,
    /// Health-check period in force [ms]; 0 means the balancer sees every change at once.
    pub health_check_ms: u32,
    /// The pattern in force: a spike that has run its course reads as steady.
    pub pattern: Pattern,
    /// The rate the learner set, which the traffic slider shows; `rate_per_s` is the pattern's now.
    pub base_rate_per_s: u32,
    /// Arrivals per second right now, the pattern applied.
    pub rate_per_s: u32,
    /// Seconds left of a spike under way, so the page can say when it ends.
    pub spike_left_s: Option<u32>,
    /// In id order, stopped ones included until the engine forgets them.
    pub servers: Vec<ServerView>,
    /// At most the caller's `max_requests`: a frame draws no more dots than that.
    pub requests: Vec<RequestView>,
    pub store: StoreView,
    pub cache: CacheView,
    /// The master first, then the replicas by number.
    pub db: Vec<DbView>,
    /// Replication lag in force, [min, max] ms: a tour step or a link may have changed it.
    pub replication_lag_ms: (u32, u32),
    /// Browsers in the run; those not logged in yet, the first login under way included, are
    /// neither `logged_in` nor `logged_out`.
    pub users: u32,
    /// Users holding a session now; a login under way counts only once answered.
    pub logged_in: u32,
    /// Users who lost their session and have no new one yet, logging in again or not (not
    /// `users - logged_in`).
    pub logged_out: u32,
    /// Static files the CDN edges answered, of all asked for since the start [‰]; `None`
    /// before the first.
    pub cdn_hit_per_mille: Option<u32>,
    /// Requests whose browser still held a fresh DNS answer and skipped the lookup, of all
    /// since the start [‰]: the TTL is why DNS costs a page so little. `None` before the first.
    pub dns_cached_per_mille: Option<u32>,
    /// Whether the auto-scaler's policy is on; it may still hold for a cooldown or a boot.
    pub autoscaling: bool,
    pub totals: Totals,
    /// Every request under way, listed in `requests` or not.
    pub in_flight: u32,
}

impl Snapshot {
    /// The servers by state now, counted as the metrics count them at each second's end.
    pub fn tally(&self) -> Tally {
        Tally::of(self.servers.iter().map(|v| v.state))
    }

    /// Whether a Remove of `server` would be taken now: the engine's own rule, so a page greys
    /// out exactly the buttons it would refuse.
    pub fn removable(&self, server: ServerId) -> bool {
        self.removal(server).is_ok()
    }

    /// The last server serving, if one is: the one refusal of a Remove a page has to explain,
    /// as nothing in the server's own state shows it. Only the first server serving can be it.
    pub fn last_serving(&self) -> Option<ServerId> {
        let first = self.servers.iter().find(|v| v.state.serves())?.id;
        matches!(self.removal(first), Err(crate::CommandError::LastServer)).then_some(first)
    }

    fn removal(&self, server: ServerId) -> Result<(), crate::CommandError> {
        crate::server::removal(self.servers.iter().map(|v| (v.id, v.state)), server)
    }
}
