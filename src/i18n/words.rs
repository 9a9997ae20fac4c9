//! The names of the model's things (servers, users, states, kinds) in the page's language. The
//! simulation's own `Display` speaks English for the command-line runner; the page asks here.

use statelab_sim::database::DbName;
use statelab_sim::user::Region;
use statelab_sim::{
    Action, FailReason, LbAlgorithm, LogoutReason, Mode, Node, Pattern, ServerId, ServerState, StoreKind, UserId,
};

use statelab_sim::time::human_us;

use crate::runner::Slowdown;

use super::{current, t, tf, Lang, Text::*};

/// "AB" of "User AB": the letters that name a user in every language.
pub fn letters(id: UserId) -> String {
    id.to_string().trim_start_matches("User ").to_string()
}

/// "User AB": the letters stay, the word is translated.
pub fn user(id: UserId) -> String {
    tf(UserName, &[("letters", &letters(id))])
}

/// "Server 3", numbered from 1 as the diagram shows it (ids count from 0).
pub fn server(id: ServerId) -> String {
    tf(ServerName, &[("n", &(u64::from(id.0) + 1))])
}

/// A server as a phrase names it, with the article Spanish needs ("Tumbar el Servidor 1").
pub fn server_in_text(id: ServerId) -> String {
    tf(NodeServer, &[("server", &server(id))])
}

/// A server's state as its box and row print it, so colour is never the only sign.
pub fn server_state(state: ServerState) -> &'static str {
    t(match state {
        ServerState::Booting { .. } => StateBooting,
        ServerState::Healthy => StateHealthy,
        ServerState::Draining => StateDraining,
        ServerState::Stopped => StateStopped,
        ServerState::Crashed => StateCrashed,
    })
}

/// "Server 3 — crashed": the pointer's tooltip and the heading of the server's menu.
pub fn server_with_state(id: ServerId, state: ServerState) -> String {
    format!("{} — {}", server(id), server_state(state))
}

/// The session mode as the switch names it.
pub fn mode(mode: Mode) -> &'static str {
    t(match mode {
        Mode::Stateful => ModeStateful,
        Mode::Stateless => ModeStateless,
    })
}

/// The balancing rule as the menu and the balancer's box name it.
pub fn algorithm(a: LbAlgorithm) -> &'static str {
    t(match a {
        LbAlgorithm::RoundRobin => AlgoRoundRobin,
        LbAlgorithm::LeastConnections => AlgoLeastConnections,
        LbAlgorithm::Random => AlgoRandom,
        LbAlgorithm::Sticky => AlgoSticky,
    })
}

/// The traffic shape as the pattern menu names it.
pub fn pattern(p: Pattern) -> &'static str {
    t(match p {
        Pattern::Steady => PatternSteady,
        Pattern::Spike => PatternSpike,
        Pattern::Ramp => PatternRamp,
        Pattern::Diurnal => PatternDiurnal,
        Pattern::Quiet => PatternQuiet,
    })
}

/// The session store's kind as its menu and box name it.
pub fn store_kind(k: StoreKind) -> &'static str {
    t(match k {
        StoreKind::Redis => StoreRedis,
        StoreKind::Memcached => StoreMemcached,
        StoreKind::Sql => StoreSql,
        StoreKind::Nosql => StoreNosql,
    })
}

/// Where a user lives, which picks their CDN edge.
pub fn region(r: Region) -> &'static str {
    t(match r {
        Region::Europe => RegionEurope,
        Region::Americas => RegionAmericas,
        Region::Asia => RegionAsia,
    })
}

/// What a request does, as the waterfall and the inspector name it.
pub fn action(a: Action) -> &'static str {
    t(match a {
        Action::LoadPage => ActionLoadPage,
        Action::Browse => ActionBrowse,
        Action::AddToCart => ActionAddToCart,
        Action::SetPreference => ActionSetPreference,
        Action::Checkout => ActionCheckout,
        Action::Login => ActionLogin,
        Action::Probe => ActionProbe,
    })
}

/// The short label of a failure, as its burst and the charts show it.
pub fn fail_reason(r: FailReason) -> &'static str {
    t(match r {
        FailReason::SessionLost => FailSessionLost,
        FailReason::ServerDown => FailServerDown,
        FailReason::NoServer => FailNoServer,
        FailReason::QueueFull => FailQueueFull,
        FailReason::Timeout => FailTimeout,
        FailReason::StoreDown => FailStoreDown,
        FailReason::WriteFailed => FailWriteFailed,
        FailReason::DbDown => FailDbDown,
    })
}

/// Why a user was logged out; `many`: why several were, told together (their sessions).
pub fn logout_reason(r: LogoutReason, many: bool) -> String {
    let pick = |one, several| if many { several } else { one };
    match r {
        LogoutReason::ServerCrashed(s) => tf(pick(LogoutCrashed, LogoutCrashedMany), &[("server", &server(s))]),
        LogoutReason::ServerRemoved(s) => tf(pick(LogoutRemoved, LogoutRemovedMany), &[("server", &server(s))]),
        LogoutReason::WrongServer(s) => tf(pick(LogoutWrongServer, LogoutWrongServerMany), &[("server", &server(s))]),
        LogoutReason::StoreLost => t(LogoutStoreLost).to_string(),
        LogoutReason::ModeSwitch => t(pick(LogoutModeSwitch, LogoutModeSwitchMany)).to_string(),
    }
}

/// A database node as a sentence names it ("the master database", "Replica 2").
pub fn db_name_in_text(name: DbName) -> String {
    match name {
        DbName::Master => t(TheMasterDb).to_string(),
        DbName::Replica(n) => tf(ReplicaInText, &[("n", &n)]),
    }
}

/// A database node by its role, as a label: "Master DB", "Replica 2".
pub fn db_name(name: DbName) -> String {
    match name {
        DbName::Master => t(MasterDb).to_string(),
        DbName::Replica(n) => tf(ReplicaName, &[("n", &n)]),
    }
}

/// Where a request is, as a sentence names it ("the load balancer", "Server 2").
pub fn node(n: Node) -> String {
    match n {
        Node::Browser(u) => tf(NodeBrowser, &[("user", &user(u))]),
        Node::Dns => t(NodeDns).to_string(),
        Node::CdnEdge(r) => tf(NodeCdnEdge, &[("region", &region(r))]),
        Node::Origin => t(NodeOrigin).to_string(),
        Node::Balancer => t(NodeBalancer).to_string(),
        // In a sentence: "Server 2" in English, "el Servidor 2" in Spanish, like "the cache".
        Node::Server(s) => server_in_text(s),
        Node::SessionStore => t(NodeSessionStore).to_string(),
        Node::Cache => t(NodeCache).to_string(),
        Node::Db(_) => t(NodeDb).to_string(),
    }
}

/// A row label of a request's latency breakdown ("DNS", "Queue", …), as the sim names it. The
/// cache's row says whether the read found the product there, as the cache answered it
/// (`missed`).
pub fn hop_label(label: &str, missed: bool) -> &str {
    match label {
        "Cache" if missed => t(HopCacheMiss),
        "Cache" => t(HopCacheHit),
        "Origin" => t(HopOrigin),
        "Network" => t(HopNetwork),
        "Down server" => t(HopDownServer),
        "Queue" => t(HopQueue),
        "Session read" => t(HopSessionRead),
        "Session write" => t(HopSessionWrite),
        "Response" => t(HopResponse),
        "DB queue" => t(HopDbWait),
        "Database" => t(HopDatabase),
        "Compute" => t(HopCompute),
        other => other,
    }
}

/// A speed reached, as "1.1" or, below 1, to two places ("0.03"): a crawl never reads 0.0.
pub fn speed(x: f64) -> String {
    decimal(if x < 1.0 { format!("{x:.2}") } else { format!("{x:.1}") })
}

/// The readout beside the speed slider: the speed a run reaches, and what holds it back.
pub fn slowdown(slowed: Slowdown) -> String {
    match slowed {
        Slowdown::Compute(x) => tf(SlowedTo, &[("x", &speed(x))]),
        Slowdown::Frames(x) => tf(SlowedFrames, &[("x", &speed(x))]),
    }
}

/// A number written with a decimal point, with the page language's decimal separator instead
/// ("12.5" stays in English, becomes "12,5" in Spanish).
pub fn decimal(text: String) -> String {
    match current() {
        Lang::En => text,
        Lang::Es => text.replace('.', ","),
    }
}

/// A moment of the run as the feed stamps it: seconds to a tenth, so lines compare at a glance.
pub fn clock(us: u64) -> String {
    decimal(statelab_sim::time::clock(us))
}

/// The moments from `first_us` to `last_us` as one stamp ("5.0–5.9 s"), or one moment when
/// both show the same tenth.
pub fn clock_span(first_us: u64, last_us: u64) -> String {
    let (first, last) = (clock(first_us), clock(last_us));
    if first == last {
        return first;
    }
    format!("{}–{last}", first.trim_end_matches(" s"))
}

/// A duration as the sim words it ("0.9 ms", "42 ms", "12.5 s"), in the page's number style.
pub fn duration(us: u64) -> String {
    decimal(human_us(us))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::set;

    /// The sim names the rows of a latency breakdown in English; each must have Spanish words
    /// (DNS and CDN are the same in both), or a reworded row would show English on a Spanish page.
    #[test]
    fn every_breakdown_row_has_spanish_words() {
        set(Lang::Es, true);
        for (label, _) in statelab_sim::Breakdown::default().rows() {
            if !["DNS", "CDN"].contains(&label) {
                for missed in [false, true] {
                    assert_ne!(hop_label(label, missed), label);
                }
            }
        }
        set(Lang::En, false);
    }
}
