//! Fuzzing the URL parser and the link decoder: any query string at all must give settings and
//! notices, never a panic, and every setting must stay in range. CI runs these properties;
//! `scripts/fuzz-params.sh` runs cargo fuzz on the same functions a million times.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use statelab::{link, params};
use statelab_sim::config::{limits, AutoscalerConfig};
use statelab_sim::store::StoreKind;
use statelab_sim::traffic::Pattern;
use statelab_sim::{Command, LbAlgorithm, Mode, ServerId, UserId};

fn config() -> ProptestConfig {
    ProptestConfig { failure_persistence: None, ..ProptestConfig::default() }
}

/// Query strings built from the pieces a real or hostile URL is made of.
fn query() -> impl Strategy<Value = String> {
    let key = prop_oneof![
        Just("mode".to_string()),
        Just("seed".to_string()),
        Just("servers".to_string()),
        Just("users".to_string()),
        Just("rate".to_string()),
        Just("speed".to_string()),
        Just("theme".to_string()),
        Just("cmds".to_string()),
        Just("t".to_string()),
        Just("host".to_string()),
        Just("view".to_string()),
        Just("until".to_string()),
        Just("scenario".to_string()),
        Just("step".to_string()),
        Just("lang".to_string()),
        Just("panel".to_string()),
        Just("controls".to_string()),
        Just("autoplay".to_string()),
        "[a-z%+=&]{0,12}",
    ];
    let value = prop_oneof![
        "[0-9]{0,25}",
        "-?[0-9]{1,5}\\.[0-9]{0,5}(e[0-9]{1,4})?",
        cmds(),
        Just("crash-2am".to_string()),
        "(es|en|es-MX|fr|[a-z]{2}-[A-Z]{2})",
        "(%[0-9A-Fa-f]{0,2}|[<>\"'&=+;#?/ a-zA-Z]){0,40}",
        any::<String>(),
    ];
    proptest::collection::vec((key, value), 0..8)
        .prop_map(|pairs| pairs.into_iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&"))
}

/// Text in the shape of a link's command log (`at.code.field…~…`), which decodes far more
/// often than random text does.
fn cmds() -> impl Strategy<Value = String> {
    "[0-9]{1,9}\\.[a-z]{1,2}(\\.[0-9]{1,12}){0,8}(~[0-9]{1,9}\\.[a-z]{1,2}(\\.[0-9]{1,5}){0,3}){0,4}"
}

/// Any command, with any value in each of its fields.
fn command() -> impl Strategy<Value = Command> {
    let id = any::<u32>();
    let policy = (any::<bool>(), any::<[u32; 6]>()).prop_map(|(enabled, [a, b, c, d, e, f])| AutoscalerConfig {
        enabled,
        scale_out_pct: a,
        scale_in_pct: b,
        min_servers: c,
        max_servers: d,
        interval_ms: e,
        cooldown_ms: f,
    });
    prop_oneof![
        prop_oneof![Just(Mode::Stateful), Just(Mode::Stateless)].prop_map(|mode| Command::SetMode { mode }),
        id.prop_map(|n| Command::CrashServer { server: ServerId(n) }),
        id.prop_map(|n| Command::RestartServer { server: ServerId(n) }),
        Just(Command::AddServer),
        id.prop_map(|n| Command::RemoveServer { server: ServerId(n) }),
        id.prop_map(|n| Command::Misroute { user: UserId(n) }),
        proptest::sample::select(LbAlgorithm::ALL.to_vec()).prop_map(|algorithm| Command::SetAlgorithm { algorithm }),
        (id, proptest::sample::select(Pattern::ALL.to_vec()))
            .prop_map(|(rate_per_s, pattern)| Command::SetTraffic { rate_per_s, pattern }),
        Just(Command::Spike),
        any::<bool>().prop_map(|enabled| Command::SetCacheEnabled { enabled }),
        Just(Command::CrashCache),
        Just(Command::RestartCache),
        (proptest::sample::select(StoreKind::ALL.to_vec()), any::<bool>(), any::<bool>())
            .prop_map(|(kind, persistence, replica)| Command::SetSessionStore { kind, persistence, replica }),
        Just(Command::CrashSessionStore),
        Just(Command::RestartSessionStore),
        id.prop_map(|node| Command::CrashDbNode { node }),
        id.prop_map(|node| Command::RestartDbNode { node }),
        id.prop_map(|node| Command::PromoteReplica { node }),
        Just(Command::AddReplica),
        id.prop_map(|node| Command::RemoveReplica { node }),
        (id, id).prop_map(|(min_ms, max_ms)| Command::SetReplicationLag { min_ms, max_ms }),
        policy.prop_map(|policy| Command::SetAutoscaling { policy }),
        id.prop_map(|interval_ms| Command::SetHealthCheck { interval_ms }),
    ]
}

/// A log as "Copy link" writes it: up to the most commands a link holds, in time order, none
/// later than a replay may reach.
fn command_log() -> impl Strategy<Value = Vec<(u64, Command)>> {
    proptest::collection::vec((0..=params::MAX_REPLAY_US, command()), 0..=link::MAX_COMMANDS).prop_map(|mut log| {
        log.sort_by_key(|(at_us, _)| *at_us);
        log
    })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_query_gives_settings_in_range(q in query()) {
        let (p, notices) = params::parse(&q, statelab::i18n::Lang::En);
        prop_assert_eq!(params::broken_rule(&p), None);
        prop_assert!((1..=limits::SERVERS).contains(&p.config.servers));
        prop_assert!((1..=limits::USERS).contains(&p.config.users));
        prop_assert!(notices.iter().all(|n| n.chars().count() < 200));
    }

    #[test]
    fn any_text_decodes_or_is_refused_without_a_panic(text in prop_oneof![any::<String>(), cmds()]) {
        // What decodes is a log the page can write back unchanged.
        if let Ok(log) = link::decode(&text) {
            prop_assert!(log.commands.len() <= link::MAX_COMMANDS);
            prop_assert_eq!(link::decode(&link::encode(&log.commands)).map(|d| d.commands), Ok(log.commands));
        }
        let _ = params::percent_decode(&text);
    }

    /// Every field of every command, at any value, in any log a link may hold: a field written
    /// in the wrong place or clipped would replay another run.
    #[test]
    fn any_command_log_survives_a_link(log in command_log()) {
        let text = link::encode(&log);
        prop_assert_eq!(link::decode(&text).map(|d| d.commands), Ok(log));
    }
}
