//! Typed events with sim time; each reads as one plain sentence. Every event feeds the trace
//! hash, so two runs agree on the hash exactly when they agree on everything that happened.

use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::fmt;
use std::hash::{Hash, Hasher};

use crate::command::Command;
use crate::config::Mode;
use crate::database::DbName;
use crate::request::{Action, Node, ReqId};
use crate::server::{ServerId, ServerState};
use crate::store::StoreKind;
use crate::time::{clock, human_us};
use crate::user::UserId;

/// Why a request failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum FailReason {
    /// The server that got it does not hold the user's session.
    SessionLost,
    /// The server it was sent to is dead.
    ServerDown,
    /// No server in the balancer's pool.
    NoServer,
    /// The server's queue was full: 503.
    QueueFull,
    /// It waited in the queue longer than the timeout.
    Timeout,
    /// The session store is down.
    StoreDown,
    /// The master database is down, so the write failed.
    WriteFailed,
    /// No database node could serve the read.
    DbDown,
}

impl FailReason {
    /// In declaration order: per-reason counts are indexed by `reason as usize` and the CSV's
    /// columns follow it, so append only.
    pub const ALL: [FailReason; 8] = [
        FailReason::SessionLost,
        FailReason::ServerDown,
        FailReason::NoServer,
        FailReason::QueueFull,
        FailReason::Timeout,
        FailReason::StoreDown,
        FailReason::WriteFailed,
        FailReason::DbDown,
    ];

    /// A short English label, for [`Event`]'s sentence and the CLI's failure summary; the page's
    /// bursts and charts use the translated `words::fail_reason` (src/i18n/words.rs) instead.
    pub fn label(self) -> &'static str {
        match self {
            FailReason::SessionLost => "no session",
            FailReason::ServerDown => "server down",
            FailReason::NoServer => "no server",
            FailReason::QueueFull => "queue full (503)",
            FailReason::Timeout => "timeout",
            FailReason::StoreDown => "store down",
            FailReason::WriteFailed => "write failed",
            FailReason::DbDown => "database down",
        }
    }
}

/// Why a user was logged out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LogoutReason {
    /// Their session was in the memory of a server that crashed.
    ServerCrashed(ServerId),
    /// Their session was on a server that was removed.
    ServerRemoved(ServerId),
    /// A server that does not hold their session got their request.
    WrongServer(ServerId),
    /// The shared store lost its data in a crash.
    StoreLost,
    /// A switch of session mode found nowhere to put their session: the store was down, or
    /// no healthy server could hold it.
    ModeSwitch,
}

impl fmt::Display for LogoutReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LogoutReason::ServerCrashed(s) => write!(f, "{s} crashed with their session in memory"),
            LogoutReason::ServerRemoved(s) => write!(f, "{s} was removed with their session in memory"),
            LogoutReason::WrongServer(s) => write!(f, "{s} got their request but has no session for them"),
            LogoutReason::StoreLost => f.write_str("the session store lost its data"),
            LogoutReason::ModeSwitch => f.write_str("the switch of session mode had nowhere to put their session"),
        }
    }
}

/// What happened, as data, so each reader words it: the page in its language, [`Event`]'s
/// `Display` in English.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EventKind {
    /// A command the learner gave; `db` names the database node it acted on, as it was named
    /// when given (a promotion renames it).
    Command {
        cmd: Command,
        db: Option<DbName>,
    },
    /// A request answered; most of the log, and dropped first, as the feed groups them.
    RequestDone {
        req: ReqId,
        user: UserId,
        action: Action,
        latency_us: u64,
    },
    RequestFailed {
        req: ReqId,
        user: UserId,
        action: Action,
        at: Node,
        reason: FailReason,
    },
    /// The balancer could not reach a server and sent the request elsewhere.
    Retried {
        req: ReqId,
        user: UserId,
        from: ServerId,
        to: ServerId,
    },
    Misrouted {
        user: UserId,
        to: ServerId,
    },
    /// A misrouted request was answered all the same: its session was in the shared store.
    MisrouteAnswered {
        user: UserId,
        server: ServerId,
        latency_us: u64,
    },
    LoggedIn {
        user: UserId,
        at: Option<ServerId>,
    },
    /// A user lost their session and must log in again: what the learner watches for.
    LoggedOut {
        user: UserId,
        reason: LogoutReason,
    },
    ServerState {
        server: ServerId,
        state: ServerState,
    },
    /// A health check changed the balancer's view.
    HealthCheck {
        server: ServerId,
        up: bool,
    },
    /// An operator or the auto-scaler took a healthy server out of the balancer's pool.
    LeftPool {
        server: ServerId,
    },
    /// Stateful mode: a server that joined the balancer's pool now wins the sticky rule for
    /// `users` logged-in users whose sessions live in another server's memory; each of them is
    /// logged out on their next request. It tells the cause before those logouts.
    StickyMoved {
        server: ServerId,
        users: u32,
    },
    /// Sessions that vanished with a crashed or stopped server's memory; a stateless crash
    /// logs it with a count of 0, which the narration words as the store keeping them safe.
    SessionsLost {
        server: ServerId,
        count: u32,
    },
    StoreDown {
        kind: StoreKind,
        lost: u32,
    },
    /// `standby`: the standby replica took over, and is used up until the learner adds one.
    StoreUp {
        kind: StoreKind,
        standby: bool,
    },
    CacheDown,
    CacheUp,
    DbDown {
        node: u32,
        name: DbName,
    },
    DbUp {
        node: u32,
        name: DbName,
        /// A replica back while the master is down: it missed writes, and copies them only once
        /// there is a master again (restarted or promoted), so until then it serves no reads and
        /// cannot be promoted.
        behind: bool,
    },
    /// A replica that was behind copied the writes it missed: it serves reads again and may be
    /// promoted.
    CaughtUp {
        node: u32,
        name: DbName,
    },
    Promoted {
        node: u32,
        /// Its name as a replica, before the promotion.
        was: DbName,
        /// The old master's name as a replica, and whether it is up: a crashed master rejoins
        /// the replicas still down, and the learner should hear where it went.
        demoted: Option<(DbName, bool)>,
    },
    /// A replica answered a read with a value the master had already changed: the price of
    /// replication lag.
    StaleRead {
        user: UserId,
        product: u32,
    },
    /// The auto-scaler added `server`, the servers having been `utilization_pct` % busy.
    ScaledOut {
        utilization_pct: u32,
        server: ServerId,
    },
    ScaledIn {
        utilization_pct: u32,
        server: ServerId,
    },
    /// The learner switched the session mode to `mode`: `moved` sessions went to their new
    /// home (the shared store, or a server's memory), and `lost` users could not keep theirs
    /// (a store that was down) and were logged out.
    ModeChanged {
        mode: Mode,
        moved: u32,
        lost: u32,
    },
    /// A removed replica's reads under way, running or waiting for a connection: the servers
    /// ask another node for each at once, as a client retries a dropped connection. Last, so
    /// the trace hash of a run without it stays as it was (a variant hashes by its position).
    ReadsMoved {
        node: u32,
        name: DbName,
        count: u32,
    },
}

impl EventKind {
    /// A stable name for exports and host pages.
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::Command { .. } => "command",
            EventKind::RequestDone { .. } => "request_done",
            EventKind::RequestFailed { .. } => "request_failed",
            EventKind::Retried { .. } => "retried",
            EventKind::Misrouted { .. } => "misrouted",
            EventKind::MisrouteAnswered { .. } => "misroute_answered",
            EventKind::LoggedIn { .. } => "logged_in",
            EventKind::LoggedOut { .. } => "logged_out",
            EventKind::ServerState { .. } => "server_state",
            EventKind::HealthCheck { .. } => "health_check",
            EventKind::LeftPool { .. } => "left_pool",
            EventKind::StickyMoved { .. } => "sticky_moved",
            EventKind::SessionsLost { .. } => "sessions_lost",
            EventKind::StoreDown { .. } => "store_down",
            EventKind::StoreUp { .. } => "store_up",
            EventKind::CacheDown => "cache_down",
            EventKind::CacheUp => "cache_up",
            EventKind::DbDown { .. } => "db_down",
            EventKind::DbUp { .. } => "db_up",
            EventKind::CaughtUp { .. } => "caught_up",
            EventKind::ReadsMoved { .. } => "reads_moved",
            EventKind::Promoted { .. } => "promoted",
            EventKind::StaleRead { .. } => "stale_read",
            EventKind::ScaledOut { .. } => "scaled_out",
            EventKind::ScaledIn { .. } => "scaled_in",
            EventKind::ModeChanged { .. } => "mode_changed",
        }
    }
}

/// An event at a sim time.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Event {
    /// Position in the run, from 0.
    pub seq: u64,
    /// Sim time [µs]; several events can share one, and `seq` orders them.
    pub at_us: u64,
    pub kind: EventKind,
}

impl Event {
    /// Whether it belongs in the run's story, kept apart from single requests: at a high rate
    /// their successes, and in an overload their failures, would push it out of the log.
    pub fn is_narrated(&self) -> bool {
        !matches!(self.kind, EventKind::RequestDone { .. } | EventKind::RequestFailed { .. })
    }
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}] ", clock(self.at_us))?;
        match &self.kind {
            EventKind::Command { cmd, db: Some(name) } => write!(f, "You: {}.", cmd.with_db_name(*name)),
            EventKind::Command { cmd, db: None } => write!(f, "You: {cmd}."),
            EventKind::RequestDone { user, action, latency_us, .. } => {
                write!(f, "{user}'s {action} was answered in {}.", human_us(*latency_us))
            }
            EventKind::RequestFailed { user, action, at, reason, .. } => match reason {
                FailReason::SessionLost if matches!(at, Node::Browser(_)) => write!(
                    f,
                    "{user}'s login was lost: the session it had just opened vanished before the answer got back."
                ),
                FailReason::SessionLost => {
                    write!(f, "{user}'s {action} reached {at}, which has no session for {user}: authentication failed.")
                }
                _ => write!(f, "{user}'s {action} failed at {at}: {}.", reason.label()),
            },
            EventKind::Retried { user, from, to, .. } => {
                write!(f, "The load balancer could not reach {from} for {user} and retried on {to}.")
            }
            EventKind::Misrouted { user, to } => {
                write!(f, "The load balancer sends {user}'s next request to {to}, a server it would not have chosen.")
            }
            EventKind::MisrouteAnswered { user, server, latency_us } => write!(
                f,
                "{server} answered {user}'s stray request in {}: it read the session from the shared store, \
                 so {user} noticed nothing.",
                human_us(*latency_us)
            ),
            EventKind::LoggedIn { user, at: Some(s) } => {
                write!(f, "{user} logged in; the session lives in {s}'s memory.")
            }
            EventKind::LoggedIn { user, at: None } => {
                write!(f, "{user} logged in; the session lives in the shared store.")
            }
            EventKind::LoggedOut { user, reason } => write!(f, "{user} is logged out: {reason}."),
            EventKind::ServerState { server, state: ServerState::Crashed } => write!(f, "{server} crashed."),
            EventKind::ServerState { server, state } => write!(f, "{server} is {state}."),
            EventKind::HealthCheck { server, up: true } => {
                write!(f, "Health check: {server} is up, the load balancer sends it traffic.")
            }
            EventKind::HealthCheck { server, up: false } => {
                write!(f, "Health check: {server} is down, the load balancer stops using it.")
            }
            EventKind::LeftPool { server } => {
                write!(f, "The load balancer takes {server} out of its pool: no new request goes there.")
            }
            EventKind::StickyMoved { server, users: 1 } => write!(
                f,
                "The sticky rule now sends 1 user to {server}, but that session lives in another server's memory: \
                 the user's next request will find no session there."
            ),
            EventKind::StickyMoved { server, users } => write!(
                f,
                "The sticky rule now sends {users} users to {server}, but their sessions live in other servers' \
                 memory: each one's next request will find no session there."
            ),
            EventKind::SessionsLost { server, count: 0 } => {
                write!(f, "No session was lost with {server}: sessions live in the shared store.")
            }
            EventKind::SessionsLost { server, count: 1 } => write!(f, "1 session vanished with {server}'s memory."),
            EventKind::SessionsLost { server, count } => {
                write!(f, "{count} sessions vanished with {server}'s memory.")
            }
            EventKind::StoreDown { kind, lost: 0 } => {
                write!(f, "The session store ({kind}) is down; no session was lost.")
            }
            EventKind::StoreDown { kind, lost: 1 } => {
                write!(f, "The session store ({kind}) is down and lost 1 session.")
            }
            EventKind::StoreDown { kind, lost } => {
                write!(f, "The session store ({kind}) is down and lost {lost} sessions.")
            }
            EventKind::StoreUp { kind, standby: false } => write!(f, "The session store ({kind}) is up."),
            EventKind::StoreUp { kind, standby: true } => write!(
                f,
                "The standby took over as the session store ({kind}) with every session; there is no standby until one is added again."
            ),
            EventKind::CacheDown => f.write_str("The cache is down: every product read goes to the database."),
            EventKind::CacheUp => f.write_str("The cache is up again, empty."),
            EventKind::DbDown { name: DbName::Master, .. } => {
                f.write_str("The master database is down: no checkout can be saved until it is back.")
            }
            EventKind::DbDown { name, .. } => write!(f, "{name} is down."),
            EventKind::DbUp { name: DbName::Master, .. } => f.write_str("The master database is up."),
            EventKind::DbUp { name, behind: true, .. } => {
                write!(f, "{name} is up but behind: it copies the writes it missed once there is a master again.")
            }
            EventKind::DbUp { name, .. } => write!(f, "{name} is up."),
            EventKind::CaughtUp { name, .. } => write!(f, "{name} copied the writes it missed and now serves reads."),
            EventKind::ReadsMoved { name, count: 1, .. } => {
                write!(f, "{name} left with 1 read under way: its server asks another database node.")
            }
            EventKind::ReadsMoved { name, count, .. } => {
                write!(f, "{name} left with {count} reads under way: their servers ask another database node.")
            }
            EventKind::Promoted { was, demoted: None, .. } => write!(f, "{was} is now the master database."),
            EventKind::Promoted { was, demoted: Some((old, true)), .. } => {
                write!(f, "{was} is now the master database; the old master serves reads as {old}.")
            }
            EventKind::Promoted { was, demoted: Some((old, false)), .. } => write!(
                f,
                "{was} is now the master database; the old master, still down, becomes {old}: restart it to serve reads."
            ),
            EventKind::StaleRead { user, product } => {
                write!(f, "Stale read: {user} saw an old copy of product {product}, not yet replicated.")
            }
            EventKind::ScaledOut { utilization_pct, server } => {
                write!(f, "Auto-scaling: utilization {utilization_pct} % is high, {server} is starting.")
            }
            EventKind::ScaledIn { utilization_pct, server } => {
                write!(f, "Auto-scaling: at {utilization_pct} % utilization, {server} leaves the pool.")
            }
            EventKind::ModeChanged { mode: Mode::Stateless, moved, lost } => write!(
                f,
                "Now stateless: {moved} sessions copied from server memory into the shared store, {lost} lost."
            ),
            EventKind::ModeChanged { mode: Mode::Stateful, moved, lost } => write!(
                f,
                "Now stateful: {moved} sessions copied into the memory of each user's sticky server, {lost} lost."
            ),
        }
    }
}

/// FNV-1a taken a whole integer at a time (one multiply per field, not per byte, since every
/// event of a run is hashed), with integers at a fixed width so 32- and 64-bit targets agree.
/// Each step is a bijection of the state, so two traces that differ in one field always differ.
#[derive(Clone)]
pub(crate) struct TraceHasher(u64);

const FNV_PRIME: u64 = 0x0100_0000_01b3;

impl TraceHasher {
    pub(crate) fn new() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }

    fn word(&mut self, w: u64) {
        self.0 = (self.0 ^ w).wrapping_mul(FNV_PRIME);
    }
}

impl Hasher for TraceHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.word(u64::from(*b));
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.word(u64::from(i));
    }
    fn write_u16(&mut self, i: u16) {
        self.word(u64::from(i));
    }
    fn write_u32(&mut self, i: u32) {
        self.word(u64::from(i));
    }
    fn write_u64(&mut self, i: u64) {
        self.word(i);
    }
    fn write_usize(&mut self, i: usize) {
        self.word(i as u64);
    }
    fn write_isize(&mut self, i: isize) {
        self.word(i as i64 as u64);
    }
}

/// The recent events, a cursor for readers, and the running trace hash.
#[derive(Clone)]
pub struct EventLog {
    recent: VecDeque<Event>,
    /// The latest narrated events, kept apart: at a high rate a second of single requests
    /// would push every command, logout and crash out of `recent`, and the story with them.
    narrated: VecDeque<Event>,
    capacity: usize,
    /// At least `capacity`, and room for two lines per user: one command (a crashed store) can
    /// log every user out, and the whole of it must reach the feed and a host page.
    story: usize,
    next_seq: u64,
    hasher: TraceHasher,
    /// Events of a command being applied, held back until the command's own event is known.
    held: Option<Vec<(u64, EventKind)>>,
}

impl EventLog {
    pub(crate) fn new(capacity: usize, users: usize) -> Self {
        Self {
            recent: VecDeque::with_capacity(capacity.min(4096)),
            narrated: VecDeque::new(),
            capacity,
            story: capacity.max(2 * users + 100),
            next_seq: 0,
            hasher: TraceHasher::new(),
            held: None,
        }
    }

    /// Holds back the events logged from now on, until [`EventLog::release`].
    pub(crate) fn hold(&mut self) {
        debug_assert!(self.held.is_none(), "a hold inside a hold would drop the first one's events");
        self.held = Some(Vec::new());
    }

    /// Logs `first`, then the events held back: a cause is told before its effects.
    pub(crate) fn release(&mut self, first: Option<(u64, EventKind)>) {
        let held = self.held.take().unwrap_or_default();
        for (at_us, kind) in first.into_iter().chain(held) {
            self.push(at_us, kind);
        }
    }

    pub(crate) fn push(&mut self, at_us: u64, kind: EventKind) {
        if let Some(held) = &mut self.held {
            held.push((at_us, kind));
            return;
        }
        let event = Event { seq: self.next_seq, at_us, kind };
        event.hash(&mut self.hasher);
        self.next_seq += 1;
        if event.is_narrated() {
            if self.narrated.len() == self.story {
                self.narrated.pop_front();
            }
            self.narrated.push_back(event.clone());
        }
        if self.recent.len() == self.capacity {
            self.recent.pop_front();
        }
        self.recent.push_back(event);
    }

    /// Hash of every event so far: one number that tells two runs apart, on any target.
    pub fn trace_hash(&self) -> u64 {
        self.hasher.finish()
    }

    /// Events ever logged.
    pub fn total(&self) -> u64 {
        self.next_seq
    }

    /// Kept events with `seq >= from`, oldest first.
    pub fn since(&self, from: u64) -> impl Iterator<Item = &Event> {
        let first = self.recent.front().map_or(self.next_seq, |e| e.seq);
        let skip = from.saturating_sub(first) as usize;
        self.recent.iter().skip(skip)
    }

    /// Kept narrated events with `seq >= from`, oldest first: as many as the log holds in all,
    /// however many single successes came between them.
    pub fn narrated_since(&self, from: u64) -> impl Iterator<Item = &Event> {
        let skip = self.narrated.partition_point(|e| e.seq < from);
        self.narrated.iter().skip(skip)
    }

    /// Every event the log still holds, recent and narrated, once each and oldest first: what
    /// an export writes, so a long run keeps its crashes and logouts, not only its last
    /// single successes.
    pub fn kept(&self) -> Vec<&Event> {
        let mut kept: Vec<&Event> = self.recent.iter().chain(&self.narrated).collect();
        kept.sort_by_key(|e| e.seq);
        kept.dedup_by_key(|e| e.seq);
        kept
    }

    /// Events kept, at most the config's `event_log`; [`EventLog::total`] counts all ever logged.
    pub fn len(&self) -> usize {
        self.recent.len()
    }

    /// Whether nothing was logged yet (the ring never shrinks); pairs [`EventLog::len`] for clippy.
    pub fn is_empty(&self) -> bool {
        self.recent.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_is_bounded_and_readable_from_a_cursor() {
        let mut log = EventLog::new(3, 0);
        for i in 0..5 {
            log.push(i, EventKind::CacheUp);
        }
        assert_eq!(log.len(), 3);
        assert_eq!(log.total(), 5);
        let seqs: Vec<u64> = log.since(3).map(|e| e.seq).collect();
        assert_eq!(seqs, [3, 4]);
        assert_eq!(log.since(0).count(), 3);
    }

    #[test]
    fn narrated_events_outlive_a_flood_of_single_successes() {
        let mut log = EventLog::new(3, 0);
        log.push(0, EventKind::CacheDown);
        let done = |req| EventKind::RequestDone { req, user: UserId(0), action: Action::Browse, latency_us: 1 };
        for req in 0..10 {
            log.push(1, done(req));
        }
        log.push(2, EventKind::CacheUp);
        assert!(log.since(0).all(|e| e.seq >= 8), "the flood pushed the crash out of the recent events");
        let told: Vec<u64> = log.narrated_since(0).map(|e| e.seq).collect();
        assert_eq!(told, [0, 11]);
        assert_eq!(log.narrated_since(1).map(|e| e.seq).collect::<Vec<_>>(), [11]);
        assert_eq!(log.narrated_since(12).count(), 0);
        // The export: the crash, then the recent events with the restart among them, once each.
        assert_eq!(log.kept().iter().map(|e| e.seq).collect::<Vec<_>>(), [0, 9, 10, 11]);
        // The narrated events are a ring too, with room for 100 lines and two per user: a long
        // run keeps only the latest.
        for _ in 0..200 {
            log.push(3, EventKind::CacheDown);
        }
        let told: Vec<u64> = log.narrated_since(0).map(|e| e.seq).collect();
        assert_eq!((told.len(), told[0], told[99]), (100, 112, 211));
    }

    #[test]
    fn the_hash_depends_on_content_and_order() {
        let mut a = EventLog::new(8, 0);
        let mut b = EventLog::new(8, 0);
        a.push(1, EventKind::CacheUp);
        a.push(2, EventKind::CacheDown);
        b.push(1, EventKind::CacheDown);
        b.push(2, EventKind::CacheUp);
        assert_ne!(a.trace_hash(), b.trace_hash());
    }

    #[test]
    fn events_read_as_sentences() {
        let e = Event {
            seq: 0,
            at_us: 1_500_000,
            kind: EventKind::RequestFailed {
                req: 9,
                user: UserId(0),
                action: Action::Browse,
                at: Node::Server(ServerId(1)),
                reason: FailReason::SessionLost,
            },
        };
        assert_eq!(
            e.to_string(),
            "[1.5 s] User A's product view reached Server 2, which has no session for User A: authentication failed."
        );
        // A login's session gone before its answer got back: no server is blamed, nor the browser.
        let lost = Event {
            kind: EventKind::RequestFailed {
                req: 9,
                user: UserId(0),
                action: Action::Login,
                at: Node::Browser(UserId(0)),
                reason: FailReason::SessionLost,
            },
            ..e
        };
        assert_eq!(
            lost.to_string(),
            "[1.5 s] User A's login was lost: the session it had just opened vanished before the answer got back."
        );
    }
}
