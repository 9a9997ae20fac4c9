//! Everything a learner (or a scenario, or a host page) can do to a running system. Commands are
//! data, so a run is replayable from its seed and its command log.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::balancer::LbAlgorithm;
use crate::config::{AutoscalerConfig, Mode};
use crate::server::ServerId;
use crate::store::StoreKind;
use crate::tour::grouped;
use crate::traffic::Pattern;
use crate::user::UserId;

/// A change applied to the running system.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "cmd", rename_all = "snake_case", deny_unknown_fields)]
#[cfg_attr(feature = "bake", derive(databake::Bake), databake(path = statelab_sim::command))]
pub enum Command {
    /// Switch where sessions live. Stateful → stateless copies every in-memory session into the
    /// shared store; stateless → stateful copies each session into the memory of the user's
    /// sticky server. Sessions that have nowhere to go (store or all servers down) are lost.
    SetMode { mode: Mode },
    /// Kills a server at once: its requests fail and, stateful, its sessions are gone.
    CrashServer { server: ServerId },
    /// Boots a crashed or stopped server again, with empty memory.
    RestartServer { server: ServerId },
    /// Boots one more server; it takes traffic once up.
    AddServer,
    /// Takes a server out of the pool; it drains, then stops.
    RemoveServer { server: ServerId },
    /// Sends the user's next request to a server other than the usual one.
    Misroute { user: UserId },
    /// How the balancer picks a server; stateful mode keeps each user on theirs whatever it is.
    SetAlgorithm { algorithm: LbAlgorithm },
    /// The users' request rate and its shape over time.
    SetTraffic { rate_per_s: u32, pattern: Pattern },
    /// Five times the traffic for 30 s.
    Spike,
    /// Whether product reads go through the cache or all reach the database.
    SetCacheEnabled { enabled: bool },
    /// The cache goes down: every read falls through to the database.
    CrashCache,
    /// The cache comes back empty, and warms up again.
    RestartCache,
    /// What keeps the shared sessions, and how durable it is.
    SetSessionStore { kind: StoreKind, persistence: bool, replica: bool },
    /// The shared session store goes down; stateless servers can then authenticate nobody.
    CrashSessionStore,
    /// The store comes back, with its sessions if it persisted them.
    RestartSessionStore,
    /// A database node goes down; reads move to the others, writes wait for a master.
    CrashDbNode { node: u32 },
    /// A database node comes back, catching up with the master's writes.
    RestartDbNode { node: u32 },
    /// A replica becomes the master, as after a master's failure.
    PromoteReplica { node: u32 },
    /// One more read replica, from a copy of the master's data.
    AddReplica,
    /// Takes a replica away; its reads go to the other nodes.
    RemoveReplica { node: u32 },
    /// How late writes reach the replicas, which can then serve stale reads.
    SetReplicationLag { min_ms: u32, max_ms: u32 },
    /// The auto-scaler's policy, or off.
    SetAutoscaling { policy: AutoscalerConfig },
    /// Health-check period [ms]; 0 = instant.
    SetHealthCheck { interval_ms: u32 },
}

impl Command {
    /// Replication lag of up to `max_ms`, from a quarter of it (at least 10 ms): one slider sets
    /// a spread like the default 50–200 ms, so writes reach the replicas at different moments.
    pub fn replication_lag_up_to(max_ms: u32) -> Command {
        Command::SetReplicationLag { min_ms: (max_ms / 4).max(10).min(max_ms), max_ms }
    }

    /// The database node it acts on, if any.
    pub fn db_node(&self) -> Option<u32> {
        match self {
            Command::CrashDbNode { node }
            | Command::RestartDbNode { node }
            | Command::PromoteReplica { node }
            | Command::RemoveReplica { node } => Some(*node),
            _ => None,
        }
    }

    /// The phrase with the database node named by its role then ("promote Replica 1 to
    /// master"), as the page names it; node numbers are for links and host pages.
    pub fn with_db_name(&self, name: crate::database::DbName) -> String {
        match self {
            Command::CrashDbNode { .. } => format!("crash {name}"),
            Command::RestartDbNode { .. } => format!("restart {name}"),
            Command::PromoteReplica { .. } => format!("promote {name} to master"),
            Command::RemoveReplica { .. } => format!("remove {name}"),
            _ => self.to_string(),
        }
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Command::SetMode { mode } => write!(f, "switch to {mode} sessions"),
            Command::CrashServer { server } => write!(f, "crash {server}"),
            Command::RestartServer { server } => write!(f, "restart {server}"),
            Command::AddServer => f.write_str("add a server"),
            Command::RemoveServer { server } => write!(f, "remove {server}"),
            Command::Misroute { user } => write!(f, "send {user}'s next request to another server"),
            Command::SetAlgorithm { algorithm } => write!(f, "balance by {algorithm}"),
            Command::SetTraffic { rate_per_s, pattern } => {
                write!(f, "set traffic to {} requests/s, {pattern}", grouped((*rate_per_s).into()))
            }
            Command::Spike => f.write_str("spike the traffic"),
            Command::SetCacheEnabled { enabled: true } => f.write_str("turn the cache on"),
            Command::SetCacheEnabled { enabled: false } => f.write_str("turn the cache off"),
            Command::CrashCache => f.write_str("crash the cache"),
            Command::RestartCache => f.write_str("restart the cache"),
            // Only Redis has a persistence switch: the other kinds are durable or never are.
            Command::SetSessionStore { kind: kind @ StoreKind::Redis, persistence, replica } => write!(
                f,
                "keep sessions in {kind} (persistence {}, replica {})",
                on_off(*persistence),
                on_off(*replica)
            ),
            // Nor has Memcached a standby: its switch is greyed out.
            Command::SetSessionStore { kind: kind @ StoreKind::Memcached, .. } => write!(f, "keep sessions in {kind}"),
            Command::SetSessionStore { kind, replica, .. } => {
                write!(f, "keep sessions in {kind} (replica {})", on_off(*replica))
            }
            Command::CrashSessionStore => f.write_str("crash the session store"),
            Command::RestartSessionStore => f.write_str("restart the session store"),
            Command::CrashDbNode { node } => write!(f, "crash database node {node}"),
            Command::RestartDbNode { node } => write!(f, "restart database node {node}"),
            Command::PromoteReplica { node } => write!(f, "promote database node {node} to master"),
            Command::AddReplica => f.write_str("add a read replica"),
            Command::RemoveReplica { node } => write!(f, "remove database node {node}"),
            Command::SetReplicationLag { min_ms, max_ms } => {
                write!(f, "set replication lag to {}–{} ms", grouped((*min_ms).into()), grouped((*max_ms).into()))
            }
            Command::SetAutoscaling { policy } => {
                write!(f, "turn auto-scaling {}", on_off(policy.enabled))
            }
            Command::SetHealthCheck { interval_ms: 0 } => f.write_str("make health checks instant"),
            Command::SetHealthCheck { interval_ms } => {
                write!(f, "check server health every {} ms", grouped((*interval_ms).into()))
            }
        }
    }
}

fn on_off(b: bool) -> &'static str {
    if b {
        "on"
    } else {
        "off"
    }
}

/// Why a command could not be applied; the system is unchanged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CommandError {
    /// No server has that number: a host page or a link named one the lab never had.
    NoSuchServer(ServerId),
    /// No user has that number.
    NoSuchUser(UserId),
    /// No database node has that number.
    NoSuchDbNode(u32),
    /// The server is not in a state the command applies to.
    WrongServerState { server: ServerId, state: crate::server::ServerState, wanted: &'static str },
    /// Already at the most servers the model runs.
    TooManyServers,
    /// Removing it would leave no server in the pool.
    LastServer,
    /// Misrouting needs a second server to send the request to.
    NoOtherServer,
    /// Already at the most read replicas the model runs.
    TooManyReplicas,
    /// A new replica starts from a copy of the master's data, and the master is down.
    NoMasterToCopy,
    /// The session store is down, so its settings cannot change until it is back.
    StoreDown,
    /// Only a replica can be promoted or removed.
    NotAReplica(u32),
    /// A replica that is down has no current data to serve as the master.
    DownNotPromoted(u32),
    /// A replica that missed writes while down, with no master to copy them from, would lose
    /// them as the master.
    BehindNotPromoted(u32),
    /// The component is already in the wanted state.
    AlreadyThere(&'static str),
    /// A setting outside the range the config allows for it, named by its config field.
    Config(crate::config::ConfigError),
}

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CommandError::NoSuchServer(s) => write!(f, "there is no {s}"),
            CommandError::NoSuchUser(u) => write!(f, "there is no {u}"),
            CommandError::NoSuchDbNode(n) => write!(f, "there is no database node {n}"),
            CommandError::WrongServerState { server, state, wanted } => {
                write!(f, "{server} is {state}; it must be {wanted}")
            }
            CommandError::TooManyServers => {
                write!(f, "the model runs at most {} servers", crate::config::limits::SERVERS)
            }
            CommandError::LastServer => f.write_str("that would leave no server to take traffic"),
            CommandError::NoOtherServer => f.write_str("misrouting needs at least two servers in the pool"),
            CommandError::TooManyReplicas => {
                write!(f, "the model runs at most {} read replicas", crate::config::limits::REPLICAS)
            }
            CommandError::StoreDown => f.write_str("the session store is down: restart it before changing it"),
            CommandError::NoMasterToCopy => {
                f.write_str("a new replica starts from a copy of the master's data, and the master is down")
            }
            CommandError::NotAReplica(n) => write!(f, "database node {n} is not a replica"),
            CommandError::DownNotPromoted(_) => f.write_str("a replica that is down cannot be promoted"),
            CommandError::BehindNotPromoted(_) => f.write_str(
                "that replica missed writes while it was down and has not caught up: as the master it would lose them",
            ),
            CommandError::AlreadyThere(what) => write!(f, "{what}"),
            CommandError::Config(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for CommandError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_json_with_a_tag() {
        let c = Command::CrashServer { server: ServerId(0) };
        let text = serde_json::to_string(&c).unwrap();
        assert_eq!(text, r#"{"cmd":"crash_server","server":0}"#);
        assert_eq!(serde_json::from_str::<Command>(&text).unwrap(), c);
        assert_eq!(c.to_string(), "crash Server 1");
        assert!(serde_json::from_str::<Command>(r#"{"cmd":"explode"}"#).is_err());
    }

    #[test]
    fn a_lag_slider_sets_a_valid_spread() {
        let lag = |max_ms| match Command::replication_lag_up_to(max_ms) {
            Command::SetReplicationLag { min_ms, max_ms } => (min_ms, max_ms),
            other => panic!("{other:?}"),
        };
        assert_eq!(lag(200), (50, 200));
        assert_eq!(lag(20), (10, 20));
        assert_eq!(lag(5), (5, 5), "never a minimum above the maximum");
    }

    /// The feed tells large figures as the cards do: "5000 ms" once sat beside "1,000,000".
    #[test]
    fn figures_in_a_command_are_grouped() {
        assert_eq!(Command::replication_lag_up_to(5_000).to_string(), "set replication lag to 1,250–5,000 ms");
        let traffic = Command::SetTraffic { rate_per_s: 100_000, pattern: Pattern::Steady };
        assert_eq!(traffic.to_string(), "set traffic to 100,000 requests/s, steady");
        assert_eq!(Command::SetHealthCheck { interval_ms: 2_000 }.to_string(), "check server health every 2,000 ms");
    }
}
