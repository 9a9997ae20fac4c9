//! Tour checkpoints in the page's language: the claim and the measured sentence. The simulation
//! words both in English for the command-line runner; the page words them here, from the
//! checkpoint's expected values and the numbers the check measured ([`Figures`]).

use statelab_sim::tour::Figures;
use statelab_sim::{CheckResult, Checkpoint as C};

use super::{counted, t, tf, words, Grouped, Text, Text::*};

/// The claim as a short phrase, e.g. "At least 1 user logged out"; in English, equal to
/// [`Checkpoint::describe`](statelab_sim::Checkpoint::describe).
pub fn claim(c: &C) -> String {
    match *c {
        C::LoggedOutAtLeast { users } => bounded(ClaimAtLeast, users.into(), ClaimLoggedOutOne, ClaimLoggedOutMany),
        C::LoggedOutAtMost { users: 0 } => t(ClaimNobodyLoggedOut).into(),
        C::LoggedOutAtMost { users } => bounded(ClaimAtMost, users.into(), ClaimLoggedOutOne, ClaimLoggedOutMany),
        C::LogoutsAtLeast { logouts } => bounded(ClaimAtLeast, logouts, ClaimLogoutsOne, ClaimLogoutsMany),
        C::LogoutsAtMost { logouts: 0 } => t(ClaimNoLogouts).into(),
        C::LogoutsAtMost { logouts } => bounded(ClaimAtMost, logouts, ClaimLogoutsOne, ClaimLogoutsMany),
        C::FailedAtMost { requests: 0 } => t(ClaimNoFailed).into(),
        C::FailedAtMost { requests } => bounded(ClaimAtMost, requests, ClaimFailedOne, ClaimFailedMany),
        C::FailedAtLeast { requests } => bounded(ClaimAtLeast, requests, ClaimFailedOne, ClaimFailedMany),
        C::CacheHitAtLeast { percent } => tf(ClaimCacheHit, &[("percent", &percent)]),
        C::StepDbLoadCutAtLeast { percent } => tf(ClaimDbLoadCut, &[("percent", &percent)]),
        C::StepDbWaitsAtLeast { percent } => tf(ClaimDbWaitsAtLeast, &[("percent", &percent)]),
        C::StepDbWaitsAtMost { percent } => tf(ClaimDbWaitsAtMost, &[("percent", &percent)]),
        C::StepStaleReadsAtLeast { reads } => bounded(ClaimAtLeast, reads, ClaimStaleOne, ClaimStaleMany),
        C::ServersAtLeast { servers } => bounded(ClaimAtLeast, servers.into(), ClaimServersOne, ClaimServersMany),
        C::ServersAtMost { servers } => bounded(ClaimAtMost, servers.into(), ClaimServersOne, ClaimServersMany),
        C::ServersShareAtLeast { servers, percent } => tf(
            ClaimServersShare,
            &[("servers", &counted(servers.into(), ClaimServersOne, ClaimServersMany)), ("percent", &percent)],
        ),
        C::SessionFetchAtMost { micros } => tf(ClaimSessionFetch, &[("max", &words::duration(micros))]),
        C::CacheHitFasterThanDb => t(ClaimCacheFaster).into(),
        C::LoggedInAtLeast { users } => bounded(ClaimAtLeast, users.into(), ClaimLoggedInOne, ClaimLoggedInMany),
        C::CartItemsAtLeast { items } => bounded(ClaimAtLeast, items, ClaimCartItemsOne, ClaimCartItemsMany),
        C::LoginsAtLeast { logins } => bounded(ClaimAtLeast, logins, ClaimLoginsOne, ClaimLoginsMany),
        C::StepLogoutsAtLeast { logouts } => bounded(ClaimAtLeast, logouts, ClaimStepLogoutsOne, ClaimStepLogoutsMany),
        C::StepStrayAnsweredAtLeast { requests } => bounded(ClaimAtLeast, requests, ClaimStrayOne, ClaimStrayMany),
        C::StepLogoutsAtMost { logouts: 0 } => t(ClaimNoStepLogouts).into(),
        C::StepLogoutsAtMost { logouts } => bounded(ClaimAtMost, logouts, ClaimStepLogoutsOne, ClaimStepLogoutsMany),
    }
}

/// What the check of `c` measured, as a sentence with the expected value; in English, equal to
/// `r.measured` but for the page's thousands marks. A result whose figures do not fit `c` keeps the simulation's English sentence.
pub fn measured(c: &C, r: &CheckResult) -> String {
    let least = |n: u64, fact: String| tf(MeasuredAtLeast, &[("fact", &fact), ("n", &n)]);
    let most =
        |n: u64, fact: String| tf(if n == 0 { MeasuredNone } else { MeasuredAtMost }, &[("fact", &fact), ("n", &n)]);
    let logged_out = |n| counted(n, MeasuredLoggedOutOne, MeasuredLoggedOutMany);
    let logouts = |n| counted_or_none(n, MeasuredNoLogouts, MeasuredLogoutsOne, MeasuredLogoutsMany);
    let failed = |n| counted_or_none(n, MeasuredNoFailed, MeasuredFailedOne, MeasuredFailedMany);
    let servers = |n| counted(n, MeasuredServersOne, MeasuredServersMany);
    let step_logouts = |n| counted_or_none(n, MeasuredNoStepLogouts, MeasuredStepLogoutsOne, MeasuredStepLogoutsMany);
    match (c, &r.figures) {
        (C::LoggedOutAtLeast { users }, &Figures::Count(n)) => least((*users).into(), logged_out(n)),
        (C::LoggedOutAtMost { users }, &Figures::Count(n)) => most((*users).into(), logged_out(n)),
        (C::LogoutsAtLeast { logouts: e }, &Figures::Count(n)) => least(*e, logouts(n)),
        (C::LogoutsAtMost { logouts: e }, &Figures::Count(n)) => most(*e, logouts(n)),
        (C::FailedAtMost { requests }, &Figures::Count(n)) => most(*requests, failed(n)),
        (C::FailedAtLeast { requests }, &Figures::Count(n)) => least(*requests, failed(n)),
        (C::CacheHitAtLeast { percent }, &Figures::Share { part, whole }) => tf(
            MeasuredCacheHit,
            &[
                ("pct", &percent_of(part, whole)),
                ("hits", &Grouped(part)),
                ("total", &Grouped(whole)),
                ("percent", percent),
            ],
        ),
        (C::StepDbLoadCutAtLeast { percent }, &Figures::Share { part, whole }) => tf(
            MeasuredDbLoadCut,
            &[
                ("pct", &percent_of(part, whole)),
                ("db", &Grouped(whole.saturating_sub(part))),
                ("total", &Grouped(whole)),
                ("percent", percent),
            ],
        ),
        (C::StepDbWaitsAtLeast { percent } | C::StepDbWaitsAtMost { percent }, &Figures::Share { part, whole }) => tf(
            if matches!(c, C::StepDbWaitsAtLeast { .. }) { MeasuredDbWaitsAtLeast } else { MeasuredDbWaitsAtMost },
            &[
                ("pct", &percent_of(part, whole)),
                ("waits", &Grouped(part)),
                ("total", &Grouped(whole)),
                ("percent", percent),
            ],
        ),
        (C::StepStaleReadsAtLeast { reads }, &Figures::Count(n)) => {
            least(*reads, counted_or_none(n, MeasuredNoStale, MeasuredStaleOne, MeasuredStaleMany))
        }
        (C::ServersAtLeast { servers: e }, &Figures::Count(n)) => least((*e).into(), servers(n)),
        (C::ServersAtMost { servers: e }, &Figures::Count(n)) => most((*e).into(), servers(n)),
        (C::ServersShareAtLeast { servers: min, percent }, &Figures::Spread { servers: n, fewest, most, requests }) => {
            tf(
                if fewest == most { MeasuredServersShareEqual } else { MeasuredServersShare },
                &[
                    ("servers", &servers(n)),
                    ("requests", &counted(requests, MeasuredRequestOne, MeasuredRequestsMany)),
                    ("fewest", &Grouped(fewest)),
                    ("most", &Grouped(most)),
                    ("pct", &percent_of(fewest * n, requests)),
                    ("min", &counted((*min).into(), MeasuredServerOne, MeasuredServersCount)),
                    ("percent", percent),
                ],
            )
        }
        (C::SessionFetchAtMost { micros }, &Figures::SessionFetches { fetches, slowest_us }) => tf(
            if fetches == 1 { MeasuredSessionFetchOne } else { MeasuredSessionFetchesMany },
            &[("n", &fetches), ("slowest", &words::duration(slowest_us)), ("max", &words::duration(*micros))],
        ),
        (C::SessionFetchAtMost { micros }, Figures::NoSample) => {
            tf(MeasuredNoSessionFetch, &[("max", &words::duration(*micros))])
        }
        (C::CacheHitFasterThanDb, &Figures::CacheVsDb { slowest_hit_us, fastest_db_us, slowest_db_us }) => tf(
            MeasuredCacheVsDb,
            &[
                ("hit", &words::duration(slowest_hit_us)),
                ("fastest", &words::duration(fastest_db_us)),
                ("slowest", &words::duration(slowest_db_us)),
            ],
        ),
        (C::CacheHitFasterThanDb, Figures::NoSample) => t(MeasuredNoCacheVsDb).into(),
        (C::LoggedInAtLeast { users }, &Figures::Count(n)) => {
            least((*users).into(), counted(n, MeasuredLoggedInOne, MeasuredLoggedInMany))
        }
        (C::CartItemsAtLeast { items }, &Figures::Count(n)) => {
            least(*items, counted(n, MeasuredCartItemsOne, MeasuredCartItemsMany))
        }
        (C::LoginsAtLeast { logins }, &Figures::Count(n)) => {
            least(*logins, counted_or_none(n, MeasuredNoLogins, MeasuredLoginsOne, MeasuredLoginsMany))
        }
        (C::StepLogoutsAtLeast { logouts }, &Figures::Count(n)) => least(*logouts, step_logouts(n)),
        (C::StepStrayAnsweredAtLeast { requests }, &Figures::Count(n)) => {
            least(*requests, counted(n, MeasuredStrayOne, MeasuredStrayMany))
        }
        (C::StepLogoutsAtMost { logouts }, &Figures::Count(n)) => most(*logouts, step_logouts(n)),
        _ => r.measured.clone(),
    }
}

/// Like [`counted`], with a form of its own for zero ("There have been no logouts").
fn counted_or_none(n: u64, none: Text, one: Text, many: Text) -> String {
    if n == 0 {
        t(none).into()
    } else {
        counted(n, one, many)
    }
}

/// A step's verdict, "✓ claim: measured". Spanish goes on in lower case after a colon.
pub fn verdict(mark: &str, claim: &str, measured: &str) -> String {
    let mut rest = measured.chars();
    let measured = match (super::current(), rest.next()) {
        (super::Lang::Es, Some(first)) => first.to_lowercase().chain(rest).collect(),
        _ => measured.to_string(),
    };
    format!("{mark} {claim}: {measured}")
}

/// "At least 3 healthy servers": a bound around a counted phrase.
fn bounded(bound: Text, n: u64, one: Text, many: Text) -> String {
    tf(bound, &[("what", &counted(n, one, many))])
}

/// `part` of `whole` in percent with one decimal, 0.0 of nothing, as the sim writes it.
fn percent_of(part: u64, whole: u64) -> String {
    words::decimal(format!("{:.1}", statelab_sim::tour::pct(part, whole)))
}

#[cfg(test)]
mod tests {
    use statelab_sim::time::MS;
    use statelab_sim::tour::builtin_tours;
    use statelab_sim::{Sim, SimConfig};

    use super::*;
    use crate::i18n::{set, Lang};

    /// Every kind of checkpoint, with `n` as its expected value.
    fn every_kind(n: u64) -> Vec<C> {
        let small = n as u32;
        vec![
            C::LoggedOutAtLeast { users: small },
            C::LoggedOutAtMost { users: small },
            C::LogoutsAtLeast { logouts: n },
            C::LogoutsAtMost { logouts: n },
            C::FailedAtMost { requests: n },
            C::FailedAtLeast { requests: n },
            C::CacheHitAtLeast { percent: small },
            C::StepDbLoadCutAtLeast { percent: small },
            C::StepDbWaitsAtLeast { percent: small },
            C::StepDbWaitsAtMost { percent: small },
            C::StepStaleReadsAtLeast { reads: n },
            C::ServersAtLeast { servers: small },
            C::ServersAtMost { servers: small },
            C::ServersShareAtLeast { servers: small, percent: small },
            C::SessionFetchAtMost { micros: n * MS },
            C::CacheHitFasterThanDb,
            C::LoggedInAtLeast { users: small },
            C::CartItemsAtLeast { items: n },
            C::LoginsAtLeast { logins: n },
            C::StepLogoutsAtLeast { logouts: n },
            C::StepLogoutsAtMost { logouts: n },
            C::StepStrayAnsweredAtLeast { requests: n },
        ]
    }

    fn result(figures: Figures, measured: &str) -> CheckResult {
        CheckResult { passed: false, measured: measured.into(), figures }
    }

    /// Results for none, one and many of what each kind of checkpoint measures, with the
    /// sim's English sentence for each (expected values of 0, 1 and 7 in turn).
    fn cases() -> Vec<(C, CheckResult)> {
        let share = |part, whole| Figures::Share { part, whole };
        let fetches = |fetches, slowest_us| Figures::SessionFetches { fetches, slowest_us };
        let db = Figures::CacheVsDb { slowest_hit_us: 900, fastest_db_us: 12 * MS, slowest_db_us: 80 * MS };
        let rows = [
            (C::LoggedOutAtLeast { users: 1 }, Figures::Count(0), "0 users are logged out (expected at least 1)."),
            (C::LoggedOutAtMost { users: 0 }, Figures::Count(1), "1 user is logged out (expected none)."),
            (C::LoggedInAtLeast { users: 7 }, Figures::Count(1), "1 user is logged in (expected at least 7)."),
            (C::LoggedInAtLeast { users: 1 }, Figures::Count(24), "24 users are logged in (expected at least 1)."),
            (C::CartItemsAtLeast { items: 7 }, Figures::Count(1), "1 product is in carts (expected at least 7)."),
            (C::CartItemsAtLeast { items: 1 }, Figures::Count(38), "38 products are in carts (expected at least 1)."),
            (
                C::LogoutsAtLeast { logouts: 1 },
                Figures::Count(0),
                "There have been no logouts so far (expected at least 1).",
            ),
            (C::LogoutsAtMost { logouts: 0 }, Figures::Count(1), "There has been 1 logout so far (expected none)."),
            (
                C::LogoutsAtMost { logouts: 7 },
                Figures::Count(9),
                "There have been 9 logouts so far (expected at most 7).",
            ),
            (
                C::FailedAtMost { requests: 0 },
                Figures::Count(0),
                "There have been no failed requests so far (expected none).",
            ),
            (
                C::FailedAtLeast { requests: 1 },
                Figures::Count(1),
                "There has been 1 failed request so far (expected at least 1).",
            ),
            (
                C::FailedAtLeast { requests: 7 },
                Figures::Count(12),
                "There have been 12 failed requests so far (expected at least 7).",
            ),
            (
                C::StepStaleReadsAtLeast { reads: 1 },
                Figures::Count(0),
                "There have been no stale reads from replicas during this step (expected at least 1).",
            ),
            (
                C::StepStaleReadsAtLeast { reads: 1 },
                Figures::Count(1),
                "There has been 1 stale read from replicas during this step (expected at least 1).",
            ),
            (
                C::StepStaleReadsAtLeast { reads: 7 },
                Figures::Count(3),
                "There have been 3 stale reads from replicas during this step (expected at least 7).",
            ),
            (C::ServersAtLeast { servers: 1 }, Figures::Count(0), "0 servers are healthy (expected at least 1)."),
            (
                C::ServersShareAtLeast { servers: 1, percent: 60 },
                Figures::Spread { servers: 1, fewest: 1, most: 1, requests: 1 },
                "1 server is healthy; of the last 1 request they answered, each answered 1: the fewest is 100.0 % of \
                 an even share (expected at least 1 server and 60 %).",
            ),
            (
                C::ServersShareAtLeast { servers: 4, percent: 60 },
                Figures::Spread { servers: 4, fewest: 38, most: 1_109, requests: 2_560 },
                "4 servers are healthy; of the last 2,560 requests they answered, each answered 38 to 1,109: the fewest \
                 is 5.9 % of an even share (expected at least 4 servers and 60 %).",
            ),
            (C::ServersAtMost { servers: 7 }, Figures::Count(1), "1 server is healthy (expected at most 7)."),
            (C::ServersAtLeast { servers: 7 }, Figures::Count(8), "8 servers are healthy (expected at least 7)."),
            (
                C::LoginsAtLeast { logins: 1 },
                Figures::Count(0),
                "There have been no re-logins so far (expected at least 1).",
            ),
            (C::LoginsAtLeast { logins: 1 }, Figures::Count(1), "There has been 1 re-login so far (expected at least 1)."),
            (
                C::LoginsAtLeast { logins: 7 },
                Figures::Count(30),
                "There have been 30 re-logins so far (expected at least 7).",
            ),
            (
                C::StepLogoutsAtMost { logouts: 0 },
                Figures::Count(0),
                "There have been no logouts during this step (expected none).",
            ),
            (
                C::StepStrayAnsweredAtLeast { requests: 1 },
                Figures::Count(0),
                "0 stray requests were answered during this step (expected at least 1).",
            ),
            (
                C::StepStrayAnsweredAtLeast { requests: 7 },
                Figures::Count(1),
                "1 stray request was answered during this step (expected at least 7).",
            ),
            (
                C::StepLogoutsAtLeast { logouts: 1 },
                Figures::Count(1),
                "There has been 1 logout during this step (expected at least 1).",
            ),
            (
                C::StepLogoutsAtMost { logouts: 7 },
                Figures::Count(5),
                "There have been 5 logouts during this step (expected at most 7).",
            ),
            (
                C::CacheHitAtLeast { percent: 0 },
                share(0, 0),
                "0.0 % of product lookups hit the cache (0 of 0; expected at least 0 %).",
            ),
            (
                C::CacheHitAtLeast { percent: 1 },
                share(1, 1),
                "100.0 % of product lookups hit the cache (1 of 1; expected at least 1 %).",
            ),
            (
                C::CacheHitAtLeast { percent: 70 },
                share(2, 3),
                "66.7 % of product lookups hit the cache (2 of 3; expected at least 70 %).",
            ),
            (
                C::StepDbLoadCutAtLeast { percent: 0 },
                share(0, 0),
                "Database queries during this step, reads and writes: 0; without the cache: 0. A cut of 0.0 % \
                 (expected at least 0 %).",
            ),
            (
                C::StepDbLoadCutAtLeast { percent: 1 },
                share(0, 1),
                "Database queries during this step, reads and writes: 1; without the cache: 1. A cut of 0.0 % \
                 (expected at least 1 %).",
            ),
            (
                C::StepDbLoadCutAtLeast { percent: 50 },
                share(7, 8),
                "Database queries during this step, reads and writes: 1; without the cache: 8. A cut of 87.5 % \
                 (expected at least 50 %).",
            ),
            (
                C::StepDbWaitsAtLeast { percent: 10 },
                share(824, 3_747),
                "22.0 % of this step's database queries waited for a connection (824 of 3,747; expected at least 10 %).",
            ),
            (
                C::StepDbWaitsAtMost { percent: 3 },
                share(0, 0),
                "0.0 % of this step's database queries waited for a connection (0 of 0; expected at most 3 %).",
            ),
            (
                C::SessionFetchAtMost { micros: 2 * MS },
                Figures::NoSample,
                "No recent request fetched a session from the shared store (expected fetches of at most 2.0 ms).",
            ),
            (
                C::SessionFetchAtMost { micros: 2 * MS },
                fetches(1, 1_300),
                "The last session fetch took 1.3 ms (expected at most 2.0 ms).",
            ),
            (
                C::SessionFetchAtMost { micros: 2 * MS },
                fetches(7, 42 * MS),
                "Of the last 7 session fetches, the slowest took 42 ms (expected at most 2.0 ms).",
            ),
            (
                C::CacheHitFasterThanDb,
                Figures::NoSample,
                "The recent requests need both a cache hit and a database trip to compare (expected both).",
            ),
            (
                C::CacheHitFasterThanDb,
                db,
                "Cache hits took at most 0.9 ms; database trips took 12 ms to 80 ms (expected hits of about 1 ms, at \
                 most 2 ms, faster than every trip, and trips of 10–100 ms).",
            ),
        ];
        rows.into_iter().map(|(c, figures, measured)| (c, result(figures, measured))).collect()
    }

    #[test]
    fn english_matches_the_sim_on_every_builtin_tour() {
        set(Lang::En, false);
        let mut checked = 0;
        for tour in builtin_tours() {
            for &mode in &tour.modes {
                let mut sim = tour.start(mode).unwrap();
                for (i, step) in tour.steps.iter().enumerate() {
                    let Some(r) = tour.run_and_check(&mut sim, i).unwrap() else { continue };
                    let c = step.checkpoint.as_ref().and_then(|c| c.for_mode(mode)).unwrap();
                    assert_eq!(claim(c), c.describe(), "{} {mode} step {}", tour.id, i + 1);
                    assert_eq!(measured(c, &r), r.measured, "{} {mode} step {}", tour.id, i + 1);
                    checked += 1;
                }
            }
        }
        assert!(checked > 10, "only {checked} checkpoints ran");
    }

    #[test]
    fn english_matches_the_sim_for_none_one_and_many() {
        set(Lang::En, false);
        let mut sim = Sim::new(SimConfig::default()).unwrap();
        let fresh = sim.totals();
        sim.run_until(5_000 * MS);
        for n in [0, 1, 7] {
            for c in every_kind(n) {
                assert_eq!(claim(&c), c.describe());
                for r in [c.check(&sim), c.check_step(&sim, &sim.totals()), c.check_step(&sim, &fresh)] {
                    assert_eq!(measured(&c, &r), r.measured);
                }
            }
        }
        for (c, r) in cases() {
            assert_eq!(measured(&c, &r), r.measured);
        }
        // Thousands, grouped alike by the page and the sim.
        let mut busy = SimConfig::default();
        busy.traffic.rate_per_s = 2_000;
        let mut sim = Sim::new(busy).unwrap();
        sim.run_until(10_000 * MS);
        let c = C::StepDbLoadCutAtLeast { percent: 80 };
        let r = c.check(&sim);
        assert_eq!(measured(&c, &r), r.measured);
        assert!(r.measured.contains("without the cache: ") && r.measured.matches(',').count() >= 1, "{}", r.measured);
    }

    #[test]
    fn a_result_of_another_checkpoint_keeps_the_sim_sentence() {
        set(Lang::Es, true);
        let r = result(Figures::NoSample, "There have been no logouts so far (expected at least 1).");
        let text = measured(&C::LogoutsAtLeast { logouts: 1 }, &r);
        set(Lang::En, false);
        assert_eq!(text, r.measured);
    }

    #[test]
    fn a_spanish_verdict_goes_on_in_lower_case_after_its_colon() {
        set(Lang::Es, true);
        let es = verdict("✓", "Al menos 1 cierre", "Hasta ahora ha habido 12 cierres");
        set(Lang::En, false);
        assert_eq!(es, "✓ Al menos 1 cierre: hasta ahora ha habido 12 cierres");
        assert_eq!(verdict("✗", "At least 1 logout", "There have been 0"), "✗ At least 1 logout: There have been 0");
    }

    #[test]
    fn spanish_words_differ_and_keep_the_numbers() {
        let numbers = |s: &str| -> Vec<String> {
            s.split(|ch: char| !ch.is_ascii_digit() && ch != '.')
                .map(|w| w.trim_matches('.').to_string())
                .filter(|w| !w.is_empty())
                .collect()
        };
        let mut english = Vec::new();
        set(Lang::En, false);
        for n in [0, 1, 7] {
            english.extend(every_kind(n).into_iter().map(|c| claim(&c)));
        }
        english.extend(cases().iter().map(|(c, r)| measured(c, r)));
        set(Lang::Es, true);
        let mut spanish = Vec::new();
        for n in [0, 1, 7] {
            spanish.extend(every_kind(n).into_iter().map(|c| claim(&c)));
        }
        spanish.extend(cases().iter().map(|(c, r)| measured(c, r)));
        set(Lang::En, false);
        assert_eq!(spanish.len(), english.len());
        for (es, en) in spanish.iter().zip(&english) {
            assert_ne!(es, en);
            // Spanish writes a decimal comma.
            let es = &es.replace(',', ".");
            for number in numbers(en) {
                assert!(es.contains(&number), "{es:?} lacks {number} of {en:?}");
            }
        }
        assert!(spanish.contains(&"Al menos 1 usuario con la sesión cerrada".to_string()), "{spanish:#?}");
        assert!(spanish.contains(&"Hasta ahora ha habido 9 cierres de sesión (se esperaba como mucho 7).".to_string()));
    }
}
