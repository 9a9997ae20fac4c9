//! Fuzzing the URL parser and the link decoder: any query string at all must give settings and
//! notices, never a panic, and every setting must stay in range. CI runs these properties;
//! `scripts/fuzz-params.sh` runs cargo fuzz on the same functions a million times.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use statelab::{link, params};
use statelab_sim::config::limits;

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
        "[a-z%+=&]{0,12}",
    ];
    let value = prop_oneof![
        "[0-9]{0,25}",
        "-?[0-9]{1,5}\\.[0-9]{0,5}(e[0-9]{1,4})?",
        "[0-9]{1,9}\\.[a-z]{1,2}(\\.[0-9]{1,12}){0,8}(~[0-9]{1,9}\\.[a-z]{1,2}(\\.[0-9]{1,5}){0,3}){0,4}",
        "(%[0-9A-Fa-f]{0,2}|[<>\"'&=+;#?/ a-zA-Z]){0,40}",
        any::<String>(),
    ];
    proptest::collection::vec((key, value), 0..8)
        .prop_map(|pairs| pairs.into_iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&"))
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_query_gives_settings_in_range(q in query()) {
        let (p, notices) = params::parse(&q, statelab::i18n::Lang::En);
        prop_assert!(p.config.validate().is_ok());
        prop_assert!((1..=limits::SERVERS).contains(&p.config.servers));
        prop_assert!((1..=limits::USERS).contains(&p.config.users));
        prop_assert!((params::SPEED_RANGE.0..=params::SPEED_RANGE.1).contains(&p.speed));
        prop_assert!(p.commands.len() <= link::MAX_COMMANDS);
        prop_assert!(notices.iter().all(|n| n.chars().count() < 200));
    }

    #[test]
    fn any_text_decodes_or_is_refused(text in any::<String>()) {
        // Whatever decodes is a log the page can write back and read again unchanged.
        if let Ok(log) = link::decode(&text) {
            prop_assert_eq!(link::decode(&link::encode(&log)), Ok(log));
        }
        let _ = params::percent_decode(&text);
    }
}
