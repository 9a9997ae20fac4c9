//! A request's journey: which hop it is on (for the moving dot) and where its time went (for
//! the latency waterfall).

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::database::DbNodeId;
use crate::server::ServerId;
use crate::user::{Region, UserId};

/// What the user is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Action {
    /// Opens a page: static files from the CDN, the page from a server.
    LoadPage,
    /// Looks at a product: a database read, through the cache.
    Browse,
    /// A session write.
    AddToCart,
    /// A session write.
    SetPreference,
    /// A database write on the master, then the cart is emptied.
    Checkout,
    /// Creates the session.
    Login,
    /// A bare request of the queueing validation (servers only).
    Probe,
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Action::LoadPage => "page load",
            Action::Browse => "product view",
            Action::AddToCart => "add to cart",
            Action::SetPreference => "preference change",
            Action::Checkout => "checkout",
            Action::Login => "login",
            Action::Probe => "request",
        })
    }
}

/// A place a request can be: the ends of the edges the dots travel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Node {
    /// A user's browser, where every request starts and ends.
    Browser(UserId),
    /// The resolver a browser asks when its cached answer has expired.
    Dns,
    /// The CDN edge in the user's region, which serves static files.
    CdnEdge(Region),
    /// Where an edge fetches a static file it does not hold.
    Origin,
    Balancer,
    Server(ServerId),
    /// The shared session store (stateless mode).
    SessionStore,
    /// The product cache in front of the database.
    Cache,
    /// A database node, by the id that outlives promotions.
    Db(DbNodeId),
}

impl fmt::Display for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Node::Browser(u) => write!(f, "{u}'s browser"),
            Node::Dns => f.write_str("DNS"),
            Node::CdnEdge(r) => write!(f, "the CDN edge in {r}"),
            Node::Origin => f.write_str("the origin"),
            Node::Balancer => f.write_str("the load balancer"),
            Node::Server(s) => write!(f, "{s}"),
            Node::SessionStore => f.write_str("the session store"),
            Node::Cache => f.write_str("the cache"),
            Node::Db(_) => f.write_str("the database"),
        }
    }
}

/// The kind of trip a dot is making, so the UI can colour it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum HopKind {
    Dns,
    Static,
    /// The edge's fetch from the origin on a miss.
    Origin,
    Page,
    Queue,
    SessionRead,
    SessionWrite,
    CacheRead,
    DbRead,
    DbWrite,
    Compute,
    Response,
}

/// One leg of the journey: from → to, over `[start_us, end_us]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Hop {
    /// What the leg is for: it picks the dot's colour and the waterfall row the time is charged to.
    pub kind: HopKind,
    /// Where the dot sets out from; the same as `to` while it waits or works in one place.
    pub from: Node,
    pub to: Node,
    /// When it set out, for the dot's place along the leg [µs].
    pub start_us: u64,
    /// `u64::MAX` while waiting in a queue: the end is not known yet.
    pub end_us: u64,
}

impl Hop {
    /// How far along the leg the request is, 0..=1000.
    pub fn progress_per_mille(&self, now_us: u64) -> u32 {
        if self.end_us == u64::MAX || self.end_us <= self.start_us {
            return 0;
        }
        let done = now_us.saturating_sub(self.start_us).min(self.end_us - self.start_us);
        (done * 1000 / (self.end_us - self.start_us)) as u32
    }
}

/// Where a completed request's time went [µs].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Breakdown {
    /// 0 while the browser's cached answer is fresh.
    pub dns_us: u64,
    /// Static file from the nearby edge; page loads only.
    pub cdn_us: u64,
    /// The edge's trip to the distant origin on a miss: what a cold edge costs.
    pub origin_us: u64,
    /// Browser → balancer → server.
    pub network_us: u64,
    /// The balancer's trip to a server that was down or gone on arrival: time the retry, or
    /// the failure, costs on top.
    pub down_server_us: u64,
    /// Waiting for a worker: the part that overload inflates.
    pub queue_us: u64,
    /// Reading the session from the shared store; 0 in stateful mode, where it is in memory.
    pub session_read_us: u64,
    /// The cache lookup (~1 ms), hit or miss.
    pub cache_us: u64,
    /// Waiting for one of a database node's connections: what an overloaded database adds.
    pub db_wait_us: u64,
    /// A read on a replica (or the master), or a checkout's write on the master.
    pub db_us: u64,
    /// Writing the changed session back to the shared store, after the database.
    pub session_write_us: u64,
    /// The server's own work, drawn from the config's service time.
    pub compute_us: u64,
    /// The answer's trip back to the browser, the last hop.
    pub response_us: u64,
}

impl Breakdown {
    /// The whole latency: for an answered request it equals the `RequestDone` event's `latency_us`
    /// (a crash refunds the hop it cut short), and the waterfall scales its bars to it.
    pub fn total_us(&self) -> u64 {
        self.rows().iter().map(|(_, us)| us).sum()
    }

    /// The round trips to the shared store: the read, and the write if any.
    pub fn session_us(&self) -> u64 {
        self.session_read_us + self.session_write_us
    }

    /// (label, µs) rows in the order the request meets them, one hop after another, so a
    /// waterfall that starts each where the one before ends draws them where they happened.
    /// A retry on another server repeats some of them: their rows hold the sum.
    pub fn rows(&self) -> [(&'static str, u64); 13] {
        [
            ("DNS", self.dns_us),
            ("CDN", self.cdn_us),
            ("Origin", self.origin_us),
            ("Network", self.network_us),
            ("Down server", self.down_server_us),
            ("Queue", self.queue_us),
            ("Session read", self.session_read_us),
            ("Cache", self.cache_us),
            ("DB queue", self.db_wait_us),
            ("Database", self.db_us),
            ("Session write", self.session_write_us),
            ("Compute", self.compute_us),
            ("Response", self.response_us),
        ]
    }

    pub(crate) fn charge(&mut self, kind: HopKind, us: u64) {
        *self.slot(kind) += us;
    }

    /// Takes back the part of a hop that never happened: a crash cut it short.
    pub(crate) fn refund(&mut self, kind: HopKind, us: u64) {
        let slot = self.slot(kind);
        *slot = slot.saturating_sub(us);
    }

    fn slot(&mut self, kind: HopKind) -> &mut u64 {
        match kind {
            HopKind::Dns => &mut self.dns_us,
            HopKind::Static => &mut self.cdn_us,
            HopKind::Origin => &mut self.origin_us,
            HopKind::Page => &mut self.network_us,
            HopKind::Response => &mut self.response_us,
            HopKind::Queue => &mut self.queue_us,
            HopKind::SessionRead => &mut self.session_read_us,
            HopKind::SessionWrite => &mut self.session_write_us,
            HopKind::CacheRead => &mut self.cache_us,
            HopKind::DbRead | HopKind::DbWrite => &mut self.db_us,
            HopKind::Compute => &mut self.compute_us,
        }
    }
}

/// Where a request is in its life; each step ends with a scheduled event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Phase {
    Dns,
    Edge { hit: bool },
    Origin,
    ToBalancer,
    ToServer,
    Queued,
    SessionRead,
    CacheRead,
    DbRead(DbNodeId),
    DbWrite(DbNodeId),
    SessionWrite,
    Compute,
    Respond,
}

/// Stable request number, unique within a run.
pub type ReqId = u64;

/// A handle to an in-flight request: its slab slot and id (the id guards against reuse).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ReqRef {
    pub slot: u32,
    pub id: ReqId,
}

/// A request under way, held in the engine's slab until it is answered or fails, when a
/// [`Completed`] takes its place.
#[derive(Clone, Debug)]
pub struct Request {
    pub id: ReqId,
    pub user: UserId,
    pub action: Action,
    pub hop: Hop,
    pub(crate) phase: Phase,
    /// When the browser sent it [µs]; latency is counted from here.
    pub started_us: u64,
    /// The server it was routed to, once routed; a retry after a crash moves it to another.
    pub server: Option<ServerId>,
    /// Product it reads or adds, or static file it fetches.
    pub(crate) item: u32,
    /// The server the balancer could not reach, after which it retried once on another.
    pub(crate) retried_from: Option<ServerId>,
    /// It holds a worker on `server`.
    pub(crate) has_worker: bool,
    /// Its write happened (database or session); a crash after this must not replay it.
    pub(crate) committed: bool,
    /// The learner sent it to a server the balancer would not have chosen.
    pub(crate) misrouted: bool,
    /// It was routed while stateful mode forced the sticky rule: one routed before a switch to
    /// stateful mode may have landed off the user's sticky server, and ends the stateless way.
    pub(crate) sticky: bool,
    /// The database node it went to, if any: a replica for a read, the master for a write.
    pub db: Option<DbNodeId>,
    /// How much of the current hop is a wait for a database connection, which comes before
    /// its query; 0 on any other hop.
    pub(crate) hop_wait_us: u64,
    /// Time charged so far, hop by hop.
    pub breakdown: Breakdown,
    /// See [`Completed::cache_hit`].
    pub(crate) cache_hit: Option<bool>,
}

/// The finished request a waterfall waits for (see [`crate::Sim::watch`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Watch {
    /// The request with this id: a dot the learner clicked.
    Exact(u64),
    /// The next request sent: "trace the next request". Not the next to finish, which would
    /// nearly always be a quick one and never a product view that waits for the database.
    Next,
}

/// A finished request kept for the waterfall view.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Completed {
    pub id: ReqId,
    pub user: UserId,
    pub action: Action,
    /// The server that last had it, if it got that far.
    pub server: Option<ServerId>,
    /// The server it was sent to first, which could not be reached, if the balancer retried it.
    pub retried_from: Option<ServerId>,
    /// The database node it went to, if any: reads go to a replica while one is up.
    pub db: Option<DbNodeId>,
    /// When it was answered or failed [µs].
    pub finished_us: u64,
    /// Where its time went; for an answered request it adds up to the reported latency.
    pub breakdown: Breakdown,
    /// Why it failed, if it did.
    pub failure: Option<crate::event::FailReason>,
    /// Where it failed, as its burst shows it: not always the last place of its path (a
    /// session store found down, a browser's login that found its session gone).
    pub failed_at: Option<Node>,
    /// Whether its product read found the product in the cache: `Some(false)` for a miss, and
    /// with the cache off or down; `None` if it read no product. Told by the cache itself, as
    /// a database trip does not say it (a miss may fail before it reaches the database).
    pub cache_hit: Option<bool>,
}

impl Completed {
    /// The places it went through, in order, read from its latency breakdown: the browser, DNS
    /// and the CDN edge in `region` if it needed them (out to the origin and back to the edge on
    /// an edge miss: the origin sends nothing on to the balancer), the balancer (by way of the
    /// server it could not reach and back, on a retry), its server, then the shared
    /// store, the cache and the database for whatever it read or wrote. The page draws it.
    pub fn path(&self, region: Region) -> Vec<Node> {
        let b = &self.breakdown;
        let mut path = vec![Node::Browser(self.user)];
        path.extend((b.dns_us > 0).then_some(Node::Dns));
        path.extend((b.cdn_us > 0).then_some(Node::CdnEdge(region)));
        if b.origin_us > 0 {
            path.extend([Node::Origin, Node::CdnEdge(region)]);
        }
        path.push(Node::Balancer);
        if let Some(first) = self.retried_from {
            path.extend([Node::Server(first), Node::Balancer]);
        }
        path.extend(self.server.map(Node::Server));
        // Session time is only ever spent on a trip to the shared store.
        path.extend((b.session_us() > 0).then_some(Node::SessionStore));
        path.extend((b.cache_us > 0).then_some(Node::Cache));
        path.extend(self.db.map(Node::Db));
        path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_lists_only_the_places_that_took_time() {
        let trip = |breakdown: Breakdown, db: Option<DbNodeId>| Completed {
            id: 7,
            user: UserId(3),
            action: Action::Browse,
            server: Some(ServerId(1)),
            retried_from: None,
            db,
            finished_us: 50_000,
            breakdown,
            failure: None,
            failed_at: None,
            cache_hit: None,
        };
        let first = trip(
            Breakdown { dns_us: 20_000, session_read_us: 900, db_us: 40_000, ..Breakdown::default() },
            Some(DbNodeId(2)),
        );
        assert_eq!(
            first.path(Region::Europe),
            vec![
                Node::Browser(UserId(3)),
                Node::Dns,
                Node::Balancer,
                Node::Server(ServerId(1)),
                Node::SessionStore,
                Node::Db(DbNodeId(2))
            ]
        );
        let cached = trip(Breakdown { cdn_us: 5_000, cache_us: 800, ..Breakdown::default() }, None);
        assert_eq!(
            cached.path(Region::Europe),
            vec![
                Node::Browser(UserId(3)),
                Node::CdnEdge(Region::Europe),
                Node::Balancer,
                Node::Server(ServerId(1)),
                Node::Cache
            ]
        );
        let missed = trip(Breakdown { cdn_us: 5_000, origin_us: 90_000, ..Breakdown::default() }, None);
        assert_eq!(
            missed.path(Region::Asia),
            vec![
                Node::Browser(UserId(3)),
                Node::CdnEdge(Region::Asia),
                Node::Origin,
                Node::CdnEdge(Region::Asia),
                Node::Balancer,
                Node::Server(ServerId(1))
            ],
            "out to the origin and back to the edge"
        );
        let retried = Completed { retried_from: Some(ServerId(0)), ..trip(Breakdown::default(), None) };
        assert_eq!(
            retried.path(Region::Asia)[1..],
            [Node::Balancer, Node::Server(ServerId(0)), Node::Balancer, Node::Server(ServerId(1))],
            "the server it could not reach, and back to the balancer"
        );
    }
}
