//! Any query string at all must give settings in range and notices, never a panic; the command
//! log inside it (`cmds`) goes through the link decoder too.
#![no_main]

use libfuzzer_sys::fuzz_target;
use statelab::{link, params};
use statelab_sim::config::limits;

fuzz_target!(|data: &[u8]| {
    let Ok(query) = std::str::from_utf8(data) else { return };
    let (p, _notices) = params::parse(query, statelab::i18n::Lang::En);
    assert!((1..=limits::SERVERS).contains(&p.config.servers));
    assert!((1..=limits::USERS).contains(&p.config.users));
    assert!(p.config.traffic.rate_per_s <= limits::RATE_PER_S);
    assert!(p.speed.is_finite() && p.speed > 0.0);
    assert_eq!(params::broken_rule(&p), None, "{query:?}");
    let _ = link::decode(query);
});
