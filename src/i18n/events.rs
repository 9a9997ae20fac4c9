//! The simulation's narration (what happened, what the learner did, why a command was refused) in
//! the page's language. The sim's own `Display` speaks English for the command-line runner.

use statelab_sim::config::{limits, ConfigError};
use statelab_sim::database::DbName;
use statelab_sim::store::StoreKind;
use statelab_sim::time::SEC;
use statelab_sim::{
    Command, CommandError, Event, EventKind, FailReason, LogoutReason, Mode, Node, ServerId, ServerState, UserId,
};

use super::{t, tf, words, Grouped, Text::*};

/// An event as the feed narrates it, its time first; in English, the sim's own sentence.
pub fn sentence(e: &Event) -> String {
    format!("[{}] {}", words::clock(e.at_us), happening(&e.kind))
}

/// Users a grouped line names before it counts the rest.
const NAMED_USERS: usize = 8;

/// One line of the feed.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    /// It tells a loss (logouts, lost sessions, a crash): what a screen reader must hear of a
    /// busy second.
    pub loss: bool,
    /// It tells an action of the learner's or a tour's ("You: crash Server 1."): the cause a
    /// short feed keeps in view.
    pub command: bool,
    /// The number of its first event.
    pub seq: u64,
    /// When its first event happened [µs].
    pub at_us: u64,
    /// The sentence, in the page's language.
    pub text: String,
    /// Routine events told together (failures, logins, stale reads), so that a busy second
    /// does not push its cause out of the feed; the next batch of the same kind joins the line
    /// (see [`Group::join_into`]).
    pub group: Option<Group>,
}

/// What the events of one [`Group`] have in common.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kin {
    /// Requests that failed at one place for one reason.
    Failed {
        /// The box the diagram outlines.
        at: Node,
        /// As the failure's label says.
        reason: FailReason,
    },
    /// Logins whose sessions went to one server's memory (`Some`), or to the shared store.
    LoggedIn { at: Option<ServerId> },
    /// Reads that found a replica's copy not yet up to date.
    StaleRead,
    /// Users logged out for one reason (a server that got their requests without their
    /// sessions, one after another as they come back).
    LoggedOut { reason: LogoutReason },
    /// Requests the balancer could not hand to one server and sent on to others.
    Retried { from: ServerId },
}

/// Routine events of one kin within one simulated second, told as one line.
#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    /// What they have in common, which the line tells once.
    pub kin: Kin,
    /// How many so far, grown as later batches join the line.
    pub count: u64,
    /// The first users who logged in or out or were retried, each once, for the line to name (eight at most,
    /// so a join costs the same in a lab of any size).
    pub named: Vec<UserId>,
    /// When the latest of them happened [µs]: the line's stamp spans the second's events.
    pub last_us: u64,
}

impl Group {
    /// The group `e` starts, for an event of a routine kind.
    fn of(e: &Event) -> Option<Group> {
        let (kin, named) = match e.kind {
            EventKind::RequestFailed { at, reason, .. } => (Kin::Failed { at, reason }, Vec::new()),
            EventKind::LoggedIn { user, at } => (Kin::LoggedIn { at }, vec![user]),
            EventKind::StaleRead { .. } => (Kin::StaleRead, Vec::new()),
            EventKind::Retried { user, from, .. } => (Kin::Retried { from }, vec![user]),
            _ => return None,
        };
        Some(Group { kin, count: 1, named, last_us: e.at_us })
    }

    /// Joins `later` into the first of `lines` it goes on from, searching back through the
    /// lines of its second; returns it when it joined none.
    pub fn join_into<'a>(lines: impl DoubleEndedIterator<Item = &'a mut Line>, later: Line) -> Option<Line> {
        let second = later.at_us / SEC;
        for line in lines.rev().take_while(|l| l.at_us / SEC == second) {
            if Group::absorb(line, &later) {
                return None;
            }
        }
        Some(later)
    }

    /// Tells `later`, a line that came after `line`, in `line` when both tell events of one
    /// kin within one simulated second: one line, from the first to the latest, updated in
    /// place. Returns whether it did.
    fn absorb(line: &mut Line, later: &Line) -> bool {
        let (Some(a), Some(b)) = (line.group.as_mut(), later.group.as_ref()) else { return false };
        if a.kin != b.kin || line.at_us / SEC != later.at_us / SEC {
            return false;
        }
        a.count += b.count;
        for u in &b.named {
            if a.named.len() < NAMED_USERS && !a.named.contains(u) {
                a.named.push(*u);
            }
        }
        a.last_us = a.last_us.max(b.last_us);
        line.text = a.sentence(line.at_us);
        // A new key, so the feed redraws the line.
        line.seq = later.seq;
        true
    }

    fn sentence(&self, at_us: u64) -> String {
        let n = Grouped(self.count);
        // Logins are each a user's: past the ones named, the count says how many more.
        let users = || {
            let list: Vec<String> = self.named.iter().map(|&u| words::letters(u)).collect();
            named(list.join(", "), self.count.saturating_sub(self.named.len() as u64))
        };
        let text = match self.kin {
            Kin::Failed { at, reason } => {
                tf(EvFailedMany, &[("n", &n), ("at", &words::node(at)), ("reason", &words::fail_reason(reason))])
            }
            Kin::LoggedIn { at: Some(server) } => {
                tf(EvLoggedInServerMany, &[("n", &n), ("users", &users()), ("server", &words::server(server))])
            }
            Kin::LoggedIn { at: None } => tf(EvLoggedInStoreMany, &[("n", &n), ("users", &users())]),
            Kin::StaleRead => tf(EvStaleReadMany, &[("n", &n)]),
            Kin::Retried { from } => {
                tf(EvRetriedMany, &[("n", &n), ("users", &users()), ("from", &words::server(from))])
            }
            Kin::LoggedOut { reason } => {
                tf(EvLoggedOutMany, &[("n", &n), ("users", &users()), ("reason", &words::logout_reason(reason, true))])
            }
        };
        format!("[{}] {text}", words::clock_span(at_us, self.last_us))
    }
}

/// `list`, the users a line names, and how many `more` it does not.
fn named(list: String, more: u64) -> String {
    match more {
        0 => list,
        more => tf(ListAndMore, &[("list", &list), ("n", &more)]),
    }
}

/// The feed's lines for `events`: one per event, except that the users logged out at one
/// moment for one reason share a line, and so do routine events of one kin within a second
/// (the requests that failed at one place for one reason, the logins to one place, the stale
/// reads). A crash that logs out hundreds of users, an overload that turns thousands of requests
/// away, or a busy second of logins then takes one line, and does not push its cause out of the
/// feed. `by_tour`: whether a command event came from a tour step, not the learner.
pub fn lines<'a>(events: impl IntoIterator<Item = &'a Event>, by_tour: impl Fn(&Event) -> bool) -> Vec<Line> {
    let mut lines: Vec<Line> = Vec::new();
    let mut group: Option<(&Event, LogoutReason, Vec<UserId>)> = None;
    for e in events {
        if let EventKind::LoggedOut { user, reason } = e.kind {
            match &mut group {
                Some((first, r, users)) if first.at_us == e.at_us && *r == reason => users.push(user),
                _ => {
                    if let Some(line) = group.take().map(logouts) {
                        push(&mut lines, line);
                    }
                    group = Some((e, reason, vec![user]));
                }
            }
            continue;
        }
        if let Some(line) = group.take().map(logouts) {
            push(&mut lines, line);
        }
        let loss = matches!(
            e.kind,
            EventKind::SessionsLost { .. } | EventKind::ServerState { state: ServerState::Crashed, .. }
        );
        let command = matches!(e.kind, EventKind::Command { .. });
        let text = match &e.kind {
            EventKind::Command { cmd, db } if by_tour(e) => {
                format!("[{}] {}", words::clock(e.at_us), tf(EvTourCommand, &[("command", &command_phrase(cmd, *db))]))
            }
            _ => sentence(e),
        };
        let line = Line { loss, command, seq: e.seq, at_us: e.at_us, text, group: Group::of(e) };
        push(&mut lines, line);
    }
    if let Some(line) = group.map(logouts) {
        push(&mut lines, line);
    }
    lines
}

/// Adds `line`, or joins it into a line of its second that tells the same kin of events.
fn push(lines: &mut Vec<Line>, line: Line) {
    if let Some(line) = Group::join_into(lines.iter_mut(), line) {
        lines.push(line);
    }
}

/// One line for the users `first` opened the list of, all logged out for `reason` at its
/// moment; later logouts of its second for the same reason join it.
fn logouts((first, reason, users): (&Event, LogoutReason, Vec<UserId>)) -> Line {
    let group = Group {
        kin: Kin::LoggedOut { reason },
        count: users.len() as u64,
        named: users.iter().copied().take(NAMED_USERS).collect(),
        last_us: first.at_us,
    };
    let text = if users.len() == 1 { sentence(first) } else { group.sentence(first.at_us) };
    Line { loss: true, command: false, seq: first.seq, at_us: first.at_us, text, group: Some(group) }
}

/// What a command did, a database node named as it was then.
fn command_phrase(cmd: &Command, db: Option<DbName>) -> String {
    let Some(name) = db.map(words::db_name_in_text) else { return command(cmd) };
    match cmd {
        Command::CrashDbNode { .. } => tf(CmdCrashNamedDb, &[("name", &name)]),
        Command::RestartDbNode { .. } => tf(CmdRestartNamedDb, &[("name", &name)]),
        Command::PromoteReplica { .. } => tf(CmdPromoteNamedDb, &[("name", &name)]),
        Command::RemoveReplica { .. } => tf(CmdRemoveNamedDb, &[("name", &name)]),
        _ => command(cmd),
    }
}

fn happening(kind: &EventKind) -> String {
    match kind {
        EventKind::Command { cmd, db } => tf(EvCommand, &[("command", &command_phrase(cmd, *db))]),
        EventKind::RequestDone { user, action, latency_us, .. } => tf(
            EvRequestDone,
            &[
                ("user", &words::user(*user)),
                ("action", &words::action(*action)),
                ("latency", &words::duration(*latency_us)),
            ],
        ),
        // A login whose new session vanished before its answer got back.
        EventKind::RequestFailed { user, at: Node::Browser(_), reason: FailReason::SessionLost, .. } => {
            tf(EvLoginLost, &[("user", &words::user(*user))])
        }
        EventKind::RequestFailed { user, action, at, reason: FailReason::SessionLost, .. } => tf(
            EvAuthFailed,
            &[("user", &words::user(*user)), ("action", &words::action(*action)), ("at", &words::node(*at))],
        ),
        EventKind::RequestFailed { user, action, at, reason, .. } => tf(
            EvRequestFailed,
            &[
                ("user", &words::user(*user)),
                ("action", &words::action(*action)),
                ("at", &words::node(*at)),
                ("reason", &words::fail_reason(*reason)),
            ],
        ),
        EventKind::Retried { user, from, to, .. } => tf(
            EvRetried,
            &[("from", &words::server(*from)), ("user", &words::user(*user)), ("to", &words::server(*to))],
        ),
        EventKind::Misrouted { user, to } => {
            tf(EvMisrouted, &[("user", &words::user(*user)), ("to", &words::server(*to))])
        }
        EventKind::MisrouteAnswered { user, server, latency_us } => tf(
            EvMisrouteAnswered,
            &[
                ("server", &words::server(*server)),
                ("user", &words::user(*user)),
                ("latency", &words::duration(*latency_us)),
            ],
        ),
        EventKind::LoggedIn { user, at: Some(s) } => {
            tf(EvLoggedInServer, &[("user", &words::user(*user)), ("server", &words::server(*s))])
        }
        EventKind::LoggedIn { user, at: None } => tf(EvLoggedInStore, &[("user", &words::user(*user))]),
        EventKind::LoggedOut { user, reason } => {
            tf(EvLoggedOut, &[("user", &words::user(*user)), ("reason", &words::logout_reason(*reason, false))])
        }
        EventKind::ServerState { server, state: ServerState::Crashed } => {
            tf(EvServerCrashed, &[("server", &words::server(*server))])
        }
        EventKind::ServerState { server, state } => {
            tf(EvServerState, &[("server", &words::server(*server)), ("state", &words::server_state(*state))])
        }
        EventKind::HealthCheck { server, up } => {
            tf(if *up { EvHealthUp } else { EvHealthDown }, &[("server", &words::server(*server))])
        }
        EventKind::LeftPool { server } => tf(EvLeftPool, &[("server", &words::server(*server))]),
        EventKind::StickyMoved { server, users: 1 } => tf(EvStickyMovedOne, &[("server", &words::server(*server))]),
        EventKind::StickyMoved { server, users } => {
            tf(EvStickyMovedMany, &[("server", &words::server(*server)), ("users", users)])
        }
        EventKind::SessionsLost { server, count: 0 } => tf(EvNoSessionLost, &[("server", &words::server(*server))]),
        EventKind::SessionsLost { server, count } => tf(
            if *count == 1 { EvSessionLost } else { EvSessionsLost },
            &[("count", &Grouped((*count).into())), ("server", &words::server(*server))],
        ),
        EventKind::StoreDown { kind, lost: 0 } => tf(EvStoreDownNoLoss, &[("kind", &words::store_kind(*kind))]),
        EventKind::StoreDown { kind, lost } => tf(
            if *lost == 1 { EvStoreDownLostOne } else { EvStoreDownLost },
            &[("kind", &words::store_kind(*kind)), ("lost", lost)],
        ),
        EventKind::StoreUp { kind, standby } => {
            tf(if *standby { EvStandbyTookOver } else { EvStoreUp }, &[("kind", &words::store_kind(*kind))])
        }
        EventKind::CacheDown => t(EvCacheDown).to_string(),
        EventKind::CacheUp => t(EvCacheUp).to_string(),
        EventKind::DbDown { name: DbName::Master, .. } => t(EvMasterDown).to_string(),
        EventKind::DbDown { name, .. } => tf(EvDbDown, &[("name", &words::db_name(*name))]),
        EventKind::DbUp { name: DbName::Master, .. } => t(EvMasterUp).to_string(),
        EventKind::DbUp { name, behind: true, .. } => tf(EvDbUpBehind, &[("name", &words::db_name(*name))]),
        EventKind::DbUp { name, .. } => tf(EvDbUp, &[("name", &words::db_name(*name))]),
        EventKind::CaughtUp { name, .. } => tf(EvCaughtUp, &[("name", &words::db_name(*name))]),
        EventKind::ReadsMoved { name, count, .. } => tf(
            if *count == 1 { EvReadMoved } else { EvReadsMoved },
            &[("name", &words::db_name(*name)), ("count", &Grouped((*count).into()))],
        ),
        EventKind::Promoted { was, demoted: None, .. } => tf(EvPromoted, &[("name", &words::db_name(*was))]),
        EventKind::Promoted { was, demoted: Some((old, up)), .. } => tf(
            if *up { EvPromotedOldUp } else { EvPromotedOldDown },
            &[("name", &words::db_name(*was)), ("old", &words::db_name(*old))],
        ),
        EventKind::StaleRead { user, product } => {
            tf(EvStaleRead, &[("user", &words::user(*user)), ("product", product)])
        }
        EventKind::ScaledOut { utilization_pct, server } => {
            tf(EvScaledOut, &[("pct", utilization_pct), ("server", &words::server(*server))])
        }
        EventKind::ScaledIn { utilization_pct, server } => {
            tf(EvScaledIn, &[("pct", utilization_pct), ("server", &words::server(*server))])
        }
        EventKind::ModeChanged { mode, moved, lost } => {
            let key = match mode {
                Mode::Stateless => EvNowStateless,
                Mode::Stateful => EvNowStateful,
            };
            tf(key, &[("moved", moved), ("lost", lost)])
        }
    }
}

/// A command as the feed and notices name it ("crash Server 1"); in English, the sim's phrase.
pub fn command(c: &Command) -> String {
    match c {
        Command::SetMode { mode } => tf(CmdSetMode, &[("mode", &words::mode(*mode))]),
        Command::CrashServer { server } => tf(CmdCrashServer, &[("server", &words::server(*server))]),
        Command::RestartServer { server } => tf(CmdRestartServer, &[("server", &words::server(*server))]),
        Command::AddServer => t(CmdAddServer).to_string(),
        Command::RemoveServer { server } => tf(CmdRemoveServer, &[("server", &words::server(*server))]),
        Command::Misroute { user } => tf(CmdMisroute, &[("user", &words::user(*user))]),
        Command::SetAlgorithm { algorithm } => tf(CmdSetAlgorithm, &[("algorithm", &words::algorithm(*algorithm))]),
        Command::SetTraffic { rate_per_s, pattern } => {
            tf(CmdSetTraffic, &[("rate", &Grouped((*rate_per_s).into())), ("pattern", &words::pattern(*pattern))])
        }
        Command::Spike => t(CmdSpike).to_string(),
        Command::SetCacheEnabled { enabled } => t(if *enabled { CmdCacheOn } else { CmdCacheOff }).to_string(),
        Command::CrashCache => t(CmdCrashCache).to_string(),
        Command::RestartCache => t(CmdRestartCache).to_string(),
        Command::SetSessionStore { kind: kind @ StoreKind::Redis, persistence, replica } => tf(
            CmdSetStore,
            &[
                ("kind", &words::store_kind(*kind)),
                ("persistence", &on_off(*persistence)),
                ("replica", &on_off(*replica)),
            ],
        ),
        Command::SetSessionStore { kind: kind @ StoreKind::Memcached, .. } => {
            tf(CmdSetStoreOnly, &[("kind", &words::store_kind(*kind))])
        }
        Command::SetSessionStore { kind, replica, .. } => {
            tf(CmdSetStoreKind, &[("kind", &words::store_kind(*kind)), ("replica", &on_off(*replica))])
        }
        Command::CrashSessionStore => t(CmdCrashStore).to_string(),
        Command::RestartSessionStore => t(CmdRestartStore).to_string(),
        Command::CrashDbNode { node } => tf(CmdCrashDbNode, &[("node", node)]),
        Command::RestartDbNode { node } => tf(CmdRestartDbNode, &[("node", node)]),
        Command::PromoteReplica { node } => tf(CmdPromote, &[("node", node)]),
        Command::AddReplica => t(CmdAddReplica).to_string(),
        Command::RemoveReplica { node } => tf(CmdRemoveDbNode, &[("node", node)]),
        Command::SetReplicationLag { min_ms, max_ms } => {
            tf(CmdSetLag, &[("min", &Grouped((*min_ms).into())), ("max", &Grouped((*max_ms).into()))])
        }
        Command::SetAutoscaling { policy } => {
            t(if policy.enabled { CmdAutoscalingOn } else { CmdAutoscalingOff }).to_string()
        }
        Command::SetHealthCheck { interval_ms: 0 } => t(CmdHealthInstant).to_string(),
        Command::SetHealthCheck { interval_ms } => tf(CmdHealthEvery, &[("interval", &Grouped((*interval_ms).into()))]),
    }
}

fn on_off(on: bool) -> &'static str {
    t(if on { CmdOn } else { CmdOff })
}

/// Why a command was refused, as the learner's notice says it; in English, the sim's reason.
pub fn command_error(e: &CommandError) -> String {
    match e {
        CommandError::NoSuchServer(s) => tf(CmdErrNoSuchServer, &[("server", &words::server(*s))]),
        CommandError::NoSuchUser(u) => tf(CmdErrNoSuchUser, &[("user", &words::user(*u))]),
        CommandError::NoSuchDbNode(n) => tf(CmdErrNoSuchDbNode, &[("node", n)]),
        CommandError::WrongServerState { server, state, wanted } => tf(
            CmdErrWrongServerState,
            &[
                ("server", &words::server(*server)),
                ("state", &words::server_state(*state)),
                ("wanted", &phrase(wanted)),
            ],
        ),
        CommandError::TooManyServers => tf(CmdErrTooManyServers, &[("max", &limits::SERVERS)]),
        CommandError::LastServer => t(CmdErrLastServer).to_string(),
        CommandError::NoOtherServer => t(CmdErrNoOtherServer).to_string(),
        CommandError::TooManyReplicas => tf(CmdErrTooManyReplicas, &[("max", &limits::REPLICAS)]),
        CommandError::NoMasterToCopy => t(CmdErrNoMasterToCopy).to_string(),
        CommandError::StoreDown => t(CmdErrStoreDown).to_string(),
        CommandError::NotAReplica(n) => tf(CmdErrNotAReplica, &[("node", n)]),
        CommandError::DownNotPromoted(_) => t(CmdErrDownNotPromoted).to_string(),
        CommandError::BehindNotPromoted(_) => t(CmdErrBehindNotPromoted).to_string(),
        CommandError::AlreadyThere(what) => phrase(what),
        // Out-of-range values: the controls cannot send them, but a host page or a link can.
        CommandError::Config(ConfigError::OutOfRange { field, value, min, max }) => {
            tf(CmdErrOutOfRange, &[("field", field), ("value", value), ("min", min), ("max", max)])
        }
        CommandError::Config(ConfigError::Inverted { field }) => tf(CmdErrInverted, &[("field", field)]),
        CommandError::Config(ConfigError::Parse(detail)) => tf(CmdErrUnreadable, &[("detail", detail)]),
    }
}

/// The fixed phrases the sim puts into its errors, in the page's language.
fn phrase(english: &str) -> String {
    let key = match english {
        "running" => PhraseRunning,
        "crashed or stopped" => PhraseCrashedOrStopped,
        "in the pool" => PhraseInPool,
        "sessions are already kept that way" => PhraseSessionsSameWay,
        "the cache is already down" => PhraseCacheDown,
        "the cache is already up" => PhraseCacheUp,
        "the session store is already down" => PhraseStoreDown,
        "the session store is already up" => PhraseStoreUp,
        "that database node is already down" => PhraseDbNodeDown,
        "that database node is already up" => PhraseDbNodeUp,
        other => return other.to_string(),
    };
    t(key).to_string()
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;
    use std::mem::discriminant;

    use statelab_sim::config::{limits, AutoscalerConfig, ConfigError};
    use statelab_sim::database::DbName;
    use statelab_sim::time::SEC;
    use statelab_sim::{
        Command, CommandError, Event, EventKind, FailReason, LbAlgorithm, LogoutReason, Mode, Pattern, ServerId,
        ServerState, Sim, SimConfig, StoreKind, UserId,
    };

    use super::{command, command_error, sentence, Line};

    /// The feed's lines for events none of which a tour gave.
    fn lines<'a>(events: impl IntoIterator<Item = &'a Event>) -> Vec<Line> {
        super::lines(events, |_| false)
    }

    /// Whether an event is of one sentence template's case.
    type Case = fn(&EventKind) -> bool;
    use crate::i18n::{set, Lang};

    /// Applies each command, then runs the given simulated seconds; keeps commands and refusals.
    fn play(sim: &mut Sim, script: Vec<(Command, u64)>, commands: &mut Vec<Command>, refusals: &mut Vec<CommandError>) {
        for (cmd, secs) in script {
            commands.push(cmd.clone());
            if let Err(e) = sim.apply(cmd) {
                refusals.push(e);
            }
            sim.advance(secs * SEC);
        }
    }

    /// A run that gives every command, and has many refused, so that every kind of event and of
    /// refusal happens: its events, the commands and the refusals.
    fn run() -> (Vec<Event>, Vec<Command>, Vec<CommandError>) {
        let (mut commands, mut refusals) = (Vec::new(), Vec::new());
        let mut sim = Sim::new(SimConfig { users: 60, servers: 4, event_log: 1_000_000, ..Default::default() })
            .expect("a valid config");
        let scaling = AutoscalerConfig { enabled: true, interval_ms: 1_000, cooldown_ms: 1_000, ..Default::default() };
        let script = vec![
            // Servers and users, in stateful mode.
            (Command::SetTraffic { rate_per_s: 400, pattern: Pattern::Steady }, 2),
            (Command::CrashServer { server: ServerId(0) }, 1),
            (Command::CrashServer { server: ServerId(0) }, 0),
            (Command::RestartServer { server: ServerId(1) }, 0),
            (Command::CrashServer { server: ServerId(99) }, 0),
            (Command::RestartServer { server: ServerId(0) }, 5),
            (Command::Misroute { user: UserId(5) }, 0),
            (Command::Misroute { user: UserId(6) }, 0),
            (Command::Misroute { user: UserId(7) }, 2),
            (Command::Misroute { user: UserId(999) }, 0),
            (Command::RemoveServer { server: ServerId(3) }, 3),
            (Command::RemoveServer { server: ServerId(3) }, 0),
            (Command::AddServer, 3),
            (Command::SetAlgorithm { algorithm: LbAlgorithm::LeastConnections }, 1),
            (Command::SetAlgorithm { algorithm: LbAlgorithm::Random }, 1),
            (Command::SetAlgorithm { algorithm: LbAlgorithm::Sticky }, 1),
            (Command::SetAlgorithm { algorithm: LbAlgorithm::RoundRobin }, 1),
            (Command::SetTraffic { rate_per_s: limits::RATE_PER_S + 1, pattern: Pattern::Steady }, 0),
            (Command::SetHealthCheck { interval_ms: 0 }, 1),
            (Command::SetHealthCheck { interval_ms: 60_001 }, 0),
            (Command::SetHealthCheck { interval_ms: 500 }, 1),
            // Cache and session store.
            (Command::SetCacheEnabled { enabled: false }, 1),
            (Command::SetCacheEnabled { enabled: true }, 1),
            (Command::CrashCache, 1),
            (Command::CrashCache, 0),
            (Command::RestartCache, 1),
            (Command::RestartCache, 0),
            (Command::SetMode { mode: Mode::Stateful }, 0),
            (Command::CrashSessionStore, 1),
            (Command::CrashSessionStore, 0),
            (Command::RestartSessionStore, 1),
            (Command::RestartSessionStore, 0),
            (Command::SetMode { mode: Mode::Stateless }, 3),
            (Command::Misroute { user: UserId(8) }, 2),
            (Command::CrashServer { server: ServerId(2) }, 0),
            (Command::RestartServer { server: ServerId(2) }, 1),
            (Command::CrashSessionStore, 2),
            (Command::RestartSessionStore, 10),
            (Command::SetSessionStore { kind: StoreKind::Sql, persistence: false, replica: true }, 1),
            (Command::CrashSessionStore, 3),
            (Command::SetSessionStore { kind: StoreKind::Redis, persistence: true, replica: false }, 1),
            (Command::CrashSessionStore, 1),
            (Command::RestartSessionStore, 2),
            (Command::SetSessionStore { kind: StoreKind::Memcached, persistence: false, replica: false }, 1),
            (Command::SetSessionStore { kind: StoreKind::Nosql, persistence: false, replica: false }, 1),
            (Command::SetMode { mode: Mode::Stateful }, 3),
            // The database: node 0 is the master, 1 and 2 its replicas.
            (Command::CrashDbNode { node: 0 }, 1),
            (Command::CrashDbNode { node: 0 }, 0),
            (Command::RestartDbNode { node: 0 }, 1),
            (Command::RestartDbNode { node: 0 }, 0),
            (Command::CrashDbNode { node: 1 }, 1),
            (Command::PromoteReplica { node: 1 }, 0),
            (Command::RestartDbNode { node: 1 }, 1),
            (Command::PromoteReplica { node: 1 }, 1),
            (Command::PromoteReplica { node: 1 }, 0),
            // A crashed master demoted: it rejoins the replicas still down.
            (Command::CrashDbNode { node: 1 }, 1),
            (Command::PromoteReplica { node: 2 }, 1),
            (Command::RemoveReplica { node: 1 }, 0),
            (Command::CrashDbNode { node: 42 }, 0),
            (Command::AddReplica, 1),
            (Command::AddReplica, 0),
            (Command::AddReplica, 0),
            (Command::AddReplica, 0),
            (Command::AddReplica, 0),
            // Without the cache, a replica always has reads under way when it goes.
            (Command::SetCacheEnabled { enabled: false }, 1),
            (Command::RemoveReplica { node: 3 }, 1),
            (Command::SetCacheEnabled { enabled: true }, 0),
            // Slow replication without a cache: reads on replicas miss recent checkouts.
            (Command::SetReplicationLag { min_ms: 20_000, max_ms: 30_000 }, 0),
            (Command::SetReplicationLag { min_ms: 5, max_ms: 1 }, 0),
            (Command::SetCacheEnabled { enabled: false }, 10),
            // Auto-scaling through a spike and a quiet night.
            (Command::SetAutoscaling { policy: scaling }, 0),
            (
                Command::SetAutoscaling {
                    policy: AutoscalerConfig { scale_out_pct: 50, scale_in_pct: 90, ..AutoscalerConfig::default() },
                },
                0,
            ),
            (Command::Spike, 6),
            (Command::SetTraffic { rate_per_s: 20, pattern: Pattern::Quiet }, 10),
            (Command::SetAutoscaling { policy: AutoscalerConfig::default() }, 1),
            (Command::SetTraffic { rate_per_s: 50, pattern: Pattern::Ramp }, 1),
            (Command::SetTraffic { rate_per_s: 50, pattern: Pattern::Diurnal }, 1),
        ];
        play(&mut sim, script, &mut commands, &mut refusals);
        let events = sim.events().since(0).cloned().collect();

        let mut alone = Sim::new(SimConfig { servers: 1, ..Default::default() }).expect("a valid config");
        let script =
            vec![(Command::RemoveServer { server: ServerId(0) }, 0), (Command::Misroute { user: UserId(0) }, 0)];
        play(&mut alone, script, &mut commands, &mut refusals);
        let mut full = Sim::new(SimConfig { servers: limits::SERVERS, ..Default::default() }).expect("a valid config");
        play(&mut full, vec![(Command::AddServer, 0)], &mut commands, &mut refusals);
        (events, commands, refusals)
    }

    #[test]
    fn one_line_tells_the_users_a_crash_logged_out() {
        let mut sim = Sim::new(SimConfig::default()).expect("the default config is valid");
        sim.advance(5 * SEC);
        let from = sim.events().total();
        sim.apply(Command::CrashServer { server: ServerId(0) }).expect("Server 1 is up");
        let events: Vec<&Event> = sim.events().narrated_since(from).collect();
        let out: Vec<UserId> = events
            .iter()
            .filter_map(|e| match e.kind {
                EventKind::LoggedOut { user, .. } => Some(user),
                _ => None,
            })
            .collect();
        assert!(out.len() > 8, "the crash logs out more users than a line names: {}", out.len());
        let told = lines(events.iter().copied());
        assert_eq!(told.len(), events.len() - out.len() + 1, "{told:?}");
        let logout = told.iter().find(|l| l.text.contains("users are logged out")).expect("a logout line");
        let named = out[..8].iter().map(|u| u.to_string().trim_start_matches("User ").to_string()).collect::<Vec<_>>();
        let expected = format!(
            "{} users are logged out ({} and {} more): Server 1 crashed with their sessions in memory.",
            out.len(),
            named.join(", "),
            out.len() - 8
        );
        assert!(logout.text.ends_with(&expected), "{}", logout.text);
        let losses: Vec<&str> = told.iter().filter(|l| l.loss).map(|l| l.text.as_str()).collect();
        assert_eq!(losses.len(), 3, "the crash, the lost sessions and the logouts: {losses:?}");
        // The crash and the lost sessions keep their own lines, before the logouts.
        let at = |needle: &str| told.iter().position(|l| l.text.contains(needle)).expect(needle);
        assert!(at("Server 1 crashed.") < at("users are logged out"));
        assert!(at("vanished with Server 1") < at("users are logged out"));
    }

    #[test]
    fn a_lone_logout_keeps_its_own_sentence() {
        let one = Event {
            seq: 7,
            at_us: 2 * SEC,
            kind: EventKind::LoggedOut { user: UserId(2), reason: LogoutReason::WrongServer(ServerId(1)) },
        };
        let other = Event {
            seq: 8,
            at_us: 2 * SEC,
            kind: EventKind::LoggedOut { user: UserId(3), reason: LogoutReason::StoreLost },
        };
        let told = lines([&one, &other]);
        let texts: Vec<&str> = told.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts, [sentence(&one), sentence(&other)]);
        assert!(told.iter().all(|l| l.loss));
    }

    #[test]
    fn retries_away_from_one_server_share_a_line_within_a_second() {
        set(Lang::En, false);
        let retried = |seq, at_us, user, to| Event {
            seq,
            at_us,
            kind: EventKind::Retried { req: seq, user: UserId(user), from: ServerId(0), to: ServerId(to) },
        };
        let told: Vec<String> =
            lines(&[retried(1, 2_000_000, 0, 1), retried(2, 2_400_000, 1, 2)]).into_iter().map(|l| l.text).collect();
        assert_eq!(
            told,
            ["[2.0–2.4 s] The load balancer could not reach Server 1 for 2 requests (A, B) and retried them on other servers."]
        );
    }

    #[test]
    fn users_logged_out_for_one_reason_share_a_line_within_a_second() {
        set(Lang::En, false);
        let out = |seq, at_us, user, server| Event {
            seq,
            at_us,
            kind: EventKind::LoggedOut { user: UserId(user), reason: LogoutReason::WrongServer(ServerId(server)) },
        };
        // Users come back one by one to a server without their sessions.
        let events = [
            out(1, 2_100_000, 0, 4),
            out(2, 2_300_000, 1, 4),
            out(3, 2_300_000, 2, 3),
            out(4, 2_800_000, 3, 4),
            out(5, 3_100_000, 4, 4),
        ];
        let told: Vec<String> = lines(&events).into_iter().map(|l| l.text).collect();
        assert_eq!(
            told,
            [
                "[2.1–2.8 s] 3 users are logged out (A, B, D): Server 5 got their requests but has no sessions for them.",
                "[2.3 s] User C is logged out: Server 4 got their request but has no session for them.",
                "[3.1 s] User E is logged out: Server 5 got their request but has no session for them.",
            ]
        );
    }

    #[test]
    fn failures_at_one_place_for_one_reason_share_a_line_within_a_second() {
        set(Lang::En, false);
        let failed = |seq, at_us, server| Event {
            seq,
            at_us,
            kind: EventKind::RequestFailed {
                req: seq,
                user: UserId(1),
                action: statelab_sim::Action::Browse,
                at: statelab_sim::Node::Server(ServerId(server)),
                reason: FailReason::QueueFull,
            },
        };
        // A balancer alternates servers: each server's failures of a second share a line.
        let events =
            [failed(1, 1_100_000, 1), failed(2, 1_200_000, 2), failed(3, 1_300_000, 1), failed(4, 2_400_000, 1)];
        let mut told = lines(&events);
        let texts: Vec<&str> = told.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts.len(), 3, "{texts:?}");
        assert!(texts[0].starts_with("[1.1–1.3 s] 2 requests failed at Server 2: "), "{texts:?}");
        assert_eq!(texts[1], sentence(&events[1]), "one failure keeps its own sentence");
        assert_eq!(texts[2], sentence(&events[3]), "a new second, a new line");
        // The next batch's failure joins the line of the same failures, within its second only.
        let later = lines(&[failed(5, 2_900_000, 1)]).remove(0);
        assert_eq!(super::Group::join_into(told.iter_mut(), later), None);
        assert!(told[2].text.starts_with("[2.4–2.9 s] 2 requests failed at Server 2: "), "{}", told[2].text);
        assert_eq!(told[2].seq, 5, "a new key, so the feed redraws it");
        let next_second = lines(&[failed(6, 3_000_000, 1)]).remove(0);
        assert!(super::Group::join_into(told.iter_mut(), next_second).is_some());
    }

    #[test]
    fn logins_and_stale_reads_of_a_second_share_a_line_and_logins_name_their_users() {
        set(Lang::En, false);
        let event = |seq, at_us, kind| Event { seq, at_us, kind };
        let login = |seq, at_us, user, at| event(seq, at_us, EventKind::LoggedIn { user: UserId(user), at });
        let stale = |seq, at_us, user| event(seq, at_us, EventKind::StaleRead { user: UserId(user), product: 3 });
        let add = event(3, 5_200_000, EventKind::Command { cmd: Command::AddReplica, db: None });
        let mut events = vec![
            login(1, 5_000_000, 0, Some(ServerId(2))),
            stale(2, 5_100_000, 9),
            add.clone(),
            login(4, 5_300_000, 1, None),
            login(5, 5_400_000, 2, Some(ServerId(2))),
            login(6, 5_500_000, 3, Some(ServerId(0))),
        ];
        // Ten stale reads of the same two users, then a new second.
        events.extend((0..10).map(|i| stale(7 + i, 5_600_000 + i * 30_000, 9 + (i % 2) as u32)));
        events.push(stale(17, 6_000_000, 4));
        let texts: Vec<String> = lines(&events).into_iter().map(|l| l.text).collect();
        assert_eq!(
            texts,
            [
                "[5.0–5.4 s] 2 users logged in (A, C); their sessions live in Server 3's memory.".to_string(),
                "[5.1–5.8 s] 11 stale reads: each saw an old copy of a product, not yet replicated.".to_string(),
                sentence(&add),
                sentence(&events[3]),
                sentence(&events[5]),
                sentence(&events[16]),
            ]
        );
        // Past eight users, the line counts the rest.
        let many: Vec<Event> = (0..11).map(|u| login(u as u64, 7_000_000, u, None)).collect();
        assert_eq!(
            lines(&many)[0].text,
            "[7.0 s] 11 users logged in (A, B, C, D, E, F, G, H and 3 more); their sessions live in the shared store."
        );
    }

    #[test]
    fn english_narration_is_the_sims_own() {
        set(Lang::En, false);
        let (events, commands, refusals) = run();
        for e in &events {
            assert_eq!(sentence(e), e.to_string());
        }
        for c in &commands {
            assert_eq!(command(c), c.to_string());
        }
        for err in &refusals {
            assert_eq!(command_error(err), err.to_string());
        }

        // One case per sentence template, so that each one was compared above.
        let templates: &[(&str, Case)] = &[
            ("a command", |k| matches!(k, EventKind::Command { db: None, .. })),
            ("a crash of a named database", |k| {
                matches!(k, EventKind::Command { cmd: Command::CrashDbNode { .. }, db: Some(DbName::Master) })
            }),
            ("a restart of a named database", |k| {
                matches!(k, EventKind::Command { cmd: Command::RestartDbNode { .. }, db: Some(DbName::Replica(_)) })
            }),
            ("a promotion of a named replica", |k| {
                matches!(k, EventKind::Command { cmd: Command::PromoteReplica { .. }, db: Some(_) })
            }),
            ("a removal of a named replica", |k| {
                matches!(k, EventKind::Command { cmd: Command::RemoveReplica { .. }, db: Some(_) })
            }),
            ("an answered request", |k| matches!(k, EventKind::RequestDone { .. })),
            ("a failed authentication", |k| {
                matches!(k, EventKind::RequestFailed { reason: FailReason::SessionLost, .. })
            }),
            (
                "another failure",
                |k| matches!(k, EventKind::RequestFailed { reason, .. } if *reason != FailReason::SessionLost),
            ),
            ("a retry", |k| matches!(k, EventKind::Retried { .. })),
            ("a misrouted request", |k| matches!(k, EventKind::Misrouted { .. })),
            ("a login to a server", |k| matches!(k, EventKind::LoggedIn { at: Some(_), .. })),
            ("a login to the store", |k| matches!(k, EventKind::LoggedIn { at: None, .. })),
            ("a logout", |k| matches!(k, EventKind::LoggedOut { .. })),
            ("a server crashed", |k| matches!(k, EventKind::ServerState { state: ServerState::Crashed, .. })),
            (
                "another server state",
                |k| matches!(k, EventKind::ServerState { state, .. } if *state != ServerState::Crashed),
            ),
            ("a server marked up", |k| matches!(k, EventKind::HealthCheck { up: true, .. })),
            ("a server marked down", |k| matches!(k, EventKind::HealthCheck { up: false, .. })),
            ("a server taken out of the pool", |k| matches!(k, EventKind::LeftPool { .. })),
            ("users the sticky rule moved", |k| matches!(k, EventKind::StickyMoved { .. })),
            ("sessions lost with a server", |k| matches!(k, EventKind::SessionsLost { count: 1.., .. })),
            ("no session lost with a server", |k| matches!(k, EventKind::SessionsLost { count: 0, .. })),
            ("a misrouted request answered", |k| matches!(k, EventKind::MisrouteAnswered { .. })),
            ("a store down, nothing lost", |k| matches!(k, EventKind::StoreDown { lost: 0, .. })),
            ("a store down with sessions", |k| matches!(k, EventKind::StoreDown { lost: 1.., .. })),
            ("a store up", |k| matches!(k, EventKind::StoreUp { standby: false, .. })),
            ("a standby taking over", |k| matches!(k, EventKind::StoreUp { standby: true, .. })),
            ("the cache down", |k| matches!(k, EventKind::CacheDown)),
            ("the cache up", |k| matches!(k, EventKind::CacheUp)),
            ("the master down", |k| matches!(k, EventKind::DbDown { name: DbName::Master, .. })),
            ("a replica down", |k| matches!(k, EventKind::DbDown { name: DbName::Replica(_), .. })),
            ("the master up", |k| matches!(k, EventKind::DbUp { name: DbName::Master, .. })),
            ("a replica up", |k| matches!(k, EventKind::DbUp { name: DbName::Replica(_), .. })),
            ("a replica caught up", |k| matches!(k, EventKind::CaughtUp { .. })),
            ("a replica removed with reads under way", |k| matches!(k, EventKind::ReadsMoved { .. })),
            ("a promotion over a running master", |k| {
                matches!(k, EventKind::Promoted { demoted: Some((_, true)), .. })
            }),
            ("a promotion over a crashed master", |k| {
                matches!(k, EventKind::Promoted { demoted: Some((_, false)), .. })
            }),
            ("a stale read", |k| matches!(k, EventKind::StaleRead { .. })),
            ("a scale-out", |k| matches!(k, EventKind::ScaledOut { .. })),
            ("a scale-in", |k| matches!(k, EventKind::ScaledIn { .. })),
            ("a switch to stateless", |k| matches!(k, EventKind::ModeChanged { mode: Mode::Stateless, .. })),
            ("a switch to stateful", |k| matches!(k, EventKind::ModeChanged { mode: Mode::Stateful, .. })),
        ];
        for (what, happened) in templates {
            assert!(events.iter().any(|e| happened(&e.kind)), "the run never had {what}");
        }
        let kinds: HashSet<_> = refusals.iter().map(discriminant).collect();
        assert_eq!(kinds.len(), 12, "every kind of refusal: {refusals:?}");
    }

    #[test]
    fn spanish_narration_is_spanish() {
        let (events, commands, refusals) = run();
        set(Lang::Es, true);
        for e in &events {
            let es = sentence(e);
            assert!(!es.contains('{'), "a slot left unfilled: {es}");
            assert_ne!(es, e.to_string());
        }
        for c in &commands {
            assert_ne!(command(c), c.to_string());
        }
        // Every refusal is in Spanish, the sim's fixed phrases ("already down", its server
        // states) and the ranges a setting must keep to included.
        assert!(refusals.iter().any(|e| matches!(e, CommandError::Config(ConfigError::OutOfRange { .. }))));
        assert!(refusals.iter().any(|e| matches!(e, CommandError::Config(ConfigError::Inverted { .. }))));
        for err in &refusals {
            assert_ne!(command_error(err), err.to_string());
        }
        let out = Event {
            seq: 0,
            at_us: 1_500_000,
            kind: EventKind::LoggedOut { user: UserId(0), reason: LogoutReason::ServerCrashed(ServerId(1)) },
        };
        let es = sentence(&out);
        assert!(es.starts_with("[1,5 s] Al Usuario A se le cerró la sesión: el Servidor 2 "), "{es}");
        set(Lang::En, false);
    }
}
