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
    // The moment opened at, the commands replayed up to it and the future kept after it.
    let at = p.at_us.unwrap_or(u64::MAX);
    assert!(p.at_us.is_none_or(|at| at <= params::MAX_REPLAY_US));
    assert!(p.commands.iter().all(|(t, _)| *t <= at), "replayed after the moment: {query:?}");
    match p.until_us {
        Some(until) => {
            assert!(p.at_us.is_some_and(|at| at < until), "a future with no moment before it: {query:?}");
            assert!(p.future.iter().all(|(t, _)| *t > at && *t <= until), "future out of its span: {query:?}");
        }
        None => assert!(p.future.is_empty(), "a future with no end: {query:?}"),
    }
    assert!(p.commands.len() + p.future.len() <= link::MAX_COMMANDS);
    assert!(p.commands.windows(2).chain(p.future.windows(2)).all(|w| w[0].0 <= w[1].0), "out of order: {query:?}");
    let _ = link::decode(query);
});
