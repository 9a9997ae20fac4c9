//! Guided tours: the article's stories as data. A tour is a starting config and a list of steps;
//! each step has narration, timed commands, a run length, and a checkpoint that measures on the
//! running model whether the story came true. The same JSON drives the web app's tour player and
//! the headless runner, so every claim a tour makes is tested on the numbers it names.
//!
//! ```json
//! { "id": "crash-2am", "title": "…", "summary": "…", "modes": ["stateful", "stateless"],
//!   "config": { "traffic": { "pattern": "quiet" } },
//!   "steps": [ { "title": "…", "narration": "…", "run_ms": 20000,
//!                "commands": [ { "at_ms": 1000, "cmd": "crash_server", "server": 0 } ],
//!                "checkpoint": { "stateful": { "kind": "logouts_at_least", "logouts": 1 },
//!                                "stateless": { "kind": "logouts_at_most", "logouts": 0 } } } ] }
//! ```

use crate::ServerId;
use serde::{Deserialize, Serialize};
use std::fmt;

use crate::command::{Command, CommandError};
use crate::config::{limits, ConfigError, Mode, SimConfig};
use crate::engine::Sim;
use crate::server::ServerState;
use crate::snapshot::Totals;
use crate::time::{human_us, MS};

/// Ids of the built-in tours, in the order a learner meets them.
pub const TOUR_IDS: [&str; 10] = [
    "what-is-state",
    "wrong-server",
    "add-server",
    "crash-2am",
    "request-path",
    "auto-scaling",
    "replicas",
    "cache",
    "shared-store",
    "takeaway",
];

/// The built-in tour files, in [`TOUR_IDS`] order; compiled in so every target has them.
const BUILTIN_JSON: [&str; 10] = [
    include_str!("../../../assets/scenarios/what-is-state.json"),
    include_str!("../../../assets/scenarios/wrong-server.json"),
    include_str!("../../../assets/scenarios/add-server.json"),
    include_str!("../../../assets/scenarios/crash-2am.json"),
    include_str!("../../../assets/scenarios/request-path.json"),
    include_str!("../../../assets/scenarios/auto-scaling.json"),
    include_str!("../../../assets/scenarios/replicas.json"),
    include_str!("../../../assets/scenarios/cache.json"),
    include_str!("../../../assets/scenarios/shared-store.json"),
    include_str!("../../../assets/scenarios/takeaway.json"),
];

/// The Spanish words of the built-in tours, in [`TOUR_IDS`] order (see [`Tour::translate`]).
const SPANISH_JSON: [&str; 10] = [
    include_str!("../../../assets/scenarios/es/what-is-state.json"),
    include_str!("../../../assets/scenarios/es/wrong-server.json"),
    include_str!("../../../assets/scenarios/es/add-server.json"),
    include_str!("../../../assets/scenarios/es/crash-2am.json"),
    include_str!("../../../assets/scenarios/es/request-path.json"),
    include_str!("../../../assets/scenarios/es/auto-scaling.json"),
    include_str!("../../../assets/scenarios/es/replicas.json"),
    include_str!("../../../assets/scenarios/es/cache.json"),
    include_str!("../../../assets/scenarios/es/shared-store.json"),
    include_str!("../../../assets/scenarios/es/takeaway.json"),
];

/// Longest run a single step may ask for [ms]: an hour of simulated time.
pub const MAX_RUN_MS: u64 = 3_600_000;

/// Every built-in tour, in [`TOUR_IDS`] order. The files are checked by the tests, so a file
/// that does not load is a bug in this crate and panics with the loader's message.
pub fn builtin_tours() -> Vec<Tour> {
    TOUR_IDS
        .iter()
        .zip(BUILTIN_JSON)
        .map(|(id, text)| Tour::from_json(&format!("{id}.json"), text).unwrap_or_else(|e| panic!("{e}")))
        .collect()
}

/// Every built-in tour with its Spanish words laid over it. The tests and the app's build call
/// it, so a translation that does not fit fails both, never the page.
pub fn spanish_tours() -> Vec<Tour> {
    let mut tours = builtin_tours();
    for (tour, text) in tours.iter_mut().zip(SPANISH_JSON) {
        let file = format!("es/{}.json", tour.id);
        tour.translate(&file, text).unwrap_or_else(|e| panic!("{e}"));
    }
    tours
}

/// Lays a translation, given as the words [`Tour::words_mut`] lists tour after tour, over
/// `tours`; the web app bakes its translations this way, so the tours' structure exists once.
pub fn lay_words<'w>(tours: &mut [Tour], words: impl IntoIterator<Item = &'w str>) {
    for (slot, word) in tours.iter_mut().flat_map(Tour::words_mut).zip(words) {
        word.clone_into(slot);
    }
}

/// A guided story through the model, loaded from `assets/scenarios/<id>.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tour {
    /// The file stem, e.g. "wrong-server"; taken from the file name when the JSON leaves it out.
    #[serde(default)]
    pub id: String,
    pub title: String,
    /// Shown in the tour chooser, before the learner starts the tour.
    pub summary: String,
    /// Modes this tour contrasts; the learner picks one (both where the article contrasts them).
    pub modes: Vec<Mode>,
    /// The starting config; its mode is replaced by the mode the learner picks.
    #[serde(default)]
    pub config: SimConfig,
    pub steps: Vec<Step>,
}

/// One stop of a tour: what to read, what to do, how long to watch, and what to check.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub title: String,
    /// The step's text, shown before the learner runs it.
    pub narration: String,
    /// Commands applied when the learner runs the step, at `at_ms` after the step starts.
    #[serde(default)]
    pub commands: Vec<TimedCommand>,
    /// Simulated time the step runs for after it starts [ms].
    pub run_ms: u64,
    /// Components to highlight: "balancer", "store", "cache", "db" (the master and its
    /// replicas), "cdn", "dns", "server:N" (server id, 0 = Server 1) or "user:N" (0 = User A).
    #[serde(default)]
    pub spotlight: Vec<String>,
    /// A guess the learner makes before the step runs; its explanation is shown after.
    #[serde(default)]
    pub prediction: Option<Prediction>,
    /// Checked when the step's run has finished; per mode where the outcome differs.
    #[serde(default)]
    pub checkpoint: Option<ModeCheckpoint>,
}

/// A command at a time relative to the start of its step; in JSON the command's fields sit
/// beside the time: `{"at_ms": 0, "cmd": "crash_server", "server": 0}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bake", derive(databake::Bake), databake(path = statelab_sim::tour))]
pub struct TimedCommand {
    /// Since the step started [ms], not since the run began.
    pub at_ms: u64,
    #[serde(flatten)]
    pub command: Command,
}

/// A question asked before the step runs, so the learner commits to a guess first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Prediction {
    pub question: String,
    pub choices: Vec<String>,
    /// Index into `choices` of the right answer, per mode or for both.
    pub answer: ModeAnswer,
    /// Shown after the step ran; one text for both modes, so it explains each where they differ.
    pub explanation: String,
}

/// The right answer of a prediction: `{"both": 1}`, or `{"stateful": 0, "stateless": 2}` where
/// the modes disagree. `both` cannot be combined with a per-mode answer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "bake", derive(databake::Bake), databake(path = statelab_sim::tour))]
pub struct ModeAnswer {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub both: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stateful: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stateless: Option<usize>,
}

impl ModeAnswer {
    /// The index of the right choice in `mode`, if the tour gives one.
    pub fn for_mode(&self, mode: Mode) -> Option<usize> {
        self.both.or(match mode {
            Mode::Stateful => self.stateful,
            Mode::Stateless => self.stateless,
        })
    }
}

/// The checkpoint of a step, per mode where the outcome differs: `{"both": {...}}`, or
/// `{"stateful": {...}, "stateless": {...}}`. `both` cannot be combined with a per-mode one.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "bake", derive(databake::Bake), databake(path = statelab_sim::tour))]
pub struct ModeCheckpoint {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stateful: Option<Checkpoint>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stateless: Option<Checkpoint>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub both: Option<Checkpoint>,
}

impl ModeCheckpoint {
    /// The checkpoint that applies when the tour runs in `mode`.
    pub fn for_mode(&self, mode: Mode) -> Option<&Checkpoint> {
        self.both.as_ref().or(match mode {
            Mode::Stateful => self.stateful.as_ref(),
            Mode::Stateless => self.stateless.as_ref(),
        })
    }
}

/// A claim about the model, measured when a step's run has finished. Unless the name says
/// `Step…`, counts are cumulative since the run began; the `Step…` kinds count only what
/// happened during the step (see [`Checkpoint::check_step`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
#[cfg_attr(feature = "bake", derive(databake::Bake), databake(path = statelab_sim::tour))]
pub enum Checkpoint {
    /// Users logged out right now (`Sim::logged_out`).
    LoggedOutAtLeast {
        users: u32,
    },
    LoggedOutAtMost {
        users: u32,
    },
    /// Times any user lost their session (`Totals::logouts`).
    LogoutsAtLeast {
        logouts: u64,
    },
    LogoutsAtMost {
        logouts: u64,
    },
    /// Requests that got an error (`Totals::failed`).
    FailedAtMost {
        requests: u64,
    },
    FailedAtLeast {
        requests: u64,
    },
    /// Share of product lookups the cache answered (the cache's own hit counter).
    CacheHitAtLeast {
        percent: u32,
    },
    /// Share of the database's load the cache took off it during this step: its hits, of the
    /// queries the database would have run without it (hits + reads + writes). Writes count, as
    /// they load the database all the same: the article's "DB load −80 %" is of the whole load.
    StepDbLoadCutAtLeast {
        percent: u32,
    },
    /// Reads a replica answered, during this step, with a value the master had already changed:
    /// the step's own count, so a longer lag shows against the stale reads any lag gives.
    StepStaleReadsAtLeast {
        reads: u64,
    },
    /// Servers in the `Healthy` state: booting, draining, crashed and stopped ones do not count.
    ServersAtLeast {
        servers: u32,
    },
    ServersAtMost {
        servers: u32,
    },
    /// At least `servers` are healthy, and each of them answered at least `percent` % of an
    /// even share of the recent requests the healthy servers answered on their first try: the
    /// balancer spreads the load, and a new server takes its part at once.
    ServersShareAtLeast {
        servers: u32,
        percent: u32,
    },
    /// The slowest session fetch (`Breakdown::session_read_us`) among the recent requests that
    /// read the shared store is at most this: the article's "from Redis in ~1 ms".
    SessionFetchAtMost {
        micros: u64,
    },
    /// Among the recent requests, every cache hit took less time than every database trip,
    /// and every database trip took 10–100 ms: the article's ~1 ms against 10–100 ms.
    CacheHitFasterThanDb,
    /// Products in all carts right now: state the servers keep for their users.
    CartItemsAtLeast {
        items: u64,
    },
    /// Users logged in right now (`Sim::logged_in`).
    LoggedInAtLeast {
        users: u32,
    },
    /// Logins completed (`Totals::logins`); users who start logged in do not count, so this
    /// counts the users who had to log in again.
    LoginsAtLeast {
        logins: u64,
    },
    /// Logouts during this step only.
    StepLogoutsAtLeast {
        logouts: u64,
    },
    /// Requests sent to a server the balancer would not have chosen that were answered all the
    /// same, during this step (`Totals::misroutes_answered`): the stray request of scenario 1.
    StepStrayAnsweredAtLeast {
        requests: u64,
    },
    /// Share of this step's database queries (reads and writes) that waited for a connection:
    /// what a node's load costs in time.
    StepDbWaitsAtLeast {
        percent: u32,
    },
    StepDbWaitsAtMost {
        percent: u32,
    },
    StepLogoutsAtMost {
        logouts: u64,
    },
}

/// The verdict of a checkpoint, with the number it was judged on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckResult {
    pub passed: bool,
    /// A sentence with the measured number, e.g. "7 users are logged out (expected at least 1)."
    pub measured: String,
    /// The numbers `measured` states, so a UI can word them in another language; the expected
    /// values are the checkpoint's own.
    pub figures: Figures,
}

/// What a checkpoint measured, as numbers rather than an English sentence. Each kind of
/// checkpoint fills one shape, documented on each variant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Figures {
    /// Users, logouts, logins, failed requests, stale reads or healthy servers: the count kinds.
    Count(u64),
    /// `part` of `whole`: cache hits of product lookups (`CacheHitAtLeast`), this step's cache
    /// hits of the queries the database would have run without the cache
    /// (`StepDbLoadCutAtLeast`), or this
    /// step's database queries that waited for a connection (`StepDbWaits…`).
    Share { part: u64, whole: u64 },
    /// Recent requests that fetched a session from the shared store, and the slowest fetch
    /// [µs] (`SessionFetchAtMost`); `fetches` is at least 1.
    SessionFetches { fetches: u64, slowest_us: u64 },
    /// The healthy servers, and the fewest and the most of the recent `requests` any one of
    /// them answered (`ServersShareAtLeast`).
    Spread { servers: u64, fewest: u64, most: u64, requests: u64 },
    /// The slowest recent cache hit and the fastest and slowest recent database trips [µs]
    /// (`CacheHitFasterThanDb`).
    CacheVsDb { slowest_hit_us: u64, fastest_db_us: u64, slowest_db_us: u64 },
    /// The recent requests held nothing to time: no session round trip (`SessionFetchAtMost`),
    /// or not both a cache hit and a database trip (`CacheHitFasterThanDb`).
    NoSample,
}

/// Bounds of a database trip the article gives [µs].
const DB_TRIP_US: (u64, u64) = (10 * MS, 100 * MS);

/// The slowest cache hit that still reads as the article's "~1 ms" [µs].
const CACHE_HIT_MAX_US: u64 = 2 * MS;

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", grouped(n), if n == 1 { one } else { many })
}

/// `n` with its thousands marked as the page writes counts in English ("25,971").
pub(crate) fn grouped(n: u64) -> String {
    grouped_by(n, ",", 4)
}

/// `n` with `mark` between its thousands once it has `from_digits` digits or more: English
/// marks four ("2,000"), Spanish five, with a narrow no-break space ("25 971").
pub fn grouped_by(n: u64, mark: &str, from_digits: usize) -> String {
    let digits = n.to_string();
    if digits.len() < from_digits {
        return digits;
    }
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 * mark.len());
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(mark);
        }
        out.push(d);
    }
    out
}

fn users_are(n: u32) -> String {
    if n == 1 {
        "1 user is".into()
    } else {
        format!("{} users are", grouped(n.into()))
    }
}

fn count(n: impl Into<u64>) -> Figures {
    Figures::Count(n.into())
}

/// `part` of `whole` [%], 0 for an empty whole: the share a checkpoint's sentence shows, in
/// every language.
pub fn pct(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        100.0 * part as f64 / whole as f64
    }
}

impl Checkpoint {
    /// Judges the claim on `sim` at the end of a step, counting from the start of the run.
    /// Equal to [`Checkpoint::check_step`] with a step that began at time zero.
    pub fn check(&self, sim: &Sim) -> CheckResult {
        self.check_step(sim, &Totals::default())
    }

    /// Judges the claim on `sim` at the end of a step; `at_start` is `sim.totals()` taken when
    /// the step started, which the `Step…` kinds subtract. The other kinds ignore it.
    pub fn check_step(&self, sim: &Sim, at_start: &Totals) -> CheckResult {
        let t = sim.totals();
        let step_logouts = t.logouts.saturating_sub(at_start.logouts);
        let (passed, figures, measured) = match *self {
            Checkpoint::LoggedOutAtLeast { users } => {
                let n = sim.logged_out();
                (n >= users, count(n), format!("{} logged out (expected at least {users}).", users_are(n)))
            }
            Checkpoint::LoggedOutAtMost { users } => {
                let n = sim.logged_out();
                (n <= users, count(n), format!("{} logged out ({}).", users_are(n), expected_at_most(users.into())))
            }
            Checkpoint::LogoutsAtLeast { logouts } => (
                t.logouts >= logouts,
                count(t.logouts),
                format!("{} so far (expected at least {logouts}).", there_have_been(t.logouts, "logout", "logouts")),
            ),
            Checkpoint::LogoutsAtMost { logouts } => (
                t.logouts <= logouts,
                count(t.logouts),
                format!("{} so far ({}).", there_have_been(t.logouts, "logout", "logouts"), expected_at_most(logouts)),
            ),
            Checkpoint::FailedAtMost { requests } => (
                t.failed <= requests,
                count(t.failed),
                format!(
                    "{} so far ({}).",
                    there_have_been(t.failed, "failed request", "failed requests"),
                    expected_at_most(requests)
                ),
            ),
            Checkpoint::FailedAtLeast { requests } => (
                t.failed >= requests,
                count(t.failed),
                format!(
                    "{} so far (expected at least {requests}).",
                    there_have_been(t.failed, "failed request", "failed requests")
                ),
            ),
            Checkpoint::CacheHitAtLeast { percent } => {
                let c = sim.cache();
                let total = c.hits + c.misses;
                (
                    total > 0 && c.hits * 100 >= u64::from(percent) * total,
                    Figures::Share { part: c.hits, whole: total },
                    format!(
                        "{:.1} % of product lookups hit the cache ({} of {}; expected at least {percent} %).",
                        pct(c.hits, total),
                        grouped(c.hits),
                        grouped(total)
                    ),
                )
            }
            Checkpoint::StepDbLoadCutAtLeast { percent } => {
                let hits = t.cache_hits.saturating_sub(at_start.cache_hits);
                let queries = (t.db_reads + t.db_writes).saturating_sub(at_start.db_reads + at_start.db_writes);
                let without = hits + queries;
                (
                    without > 0 && hits * 100 >= u64::from(percent) * without,
                    Figures::Share { part: hits, whole: without },
                    format!(
                        "Database queries during this step, reads and writes: {}; without the cache: {}. \
                         A cut of {:.1} % (expected at least {percent} %).",
                        grouped(queries),
                        grouped(without),
                        pct(hits, without)
                    ),
                )
            }
            Checkpoint::StepStaleReadsAtLeast { reads } => {
                let n = t.stale_reads.saturating_sub(at_start.stale_reads);
                (
                    n >= reads,
                    count(n),
                    format!(
                        "{} from replicas during this step (expected at least {reads}).",
                        there_have_been(n, "stale read", "stale reads")
                    ),
                )
            }
            Checkpoint::ServersAtLeast { servers } => {
                let n = healthy_servers(sim);
                (n >= servers, count(n), format!("{} healthy (expected at least {servers}).", servers_are(n)))
            }
            Checkpoint::ServersAtMost { servers } => {
                let n = healthy_servers(sim);
                (n <= servers, count(n), format!("{} healthy ({}).", servers_are(n), expected_at_most(servers.into())))
            }
            Checkpoint::ServersShareAtLeast { servers, percent } => {
                let healthy: Vec<ServerId> =
                    sim.servers().iter().filter(|s| s.state == ServerState::Healthy).map(|s| s.id).collect();
                let answered = |id: ServerId| answered_once(sim).filter(|c| c.server == Some(id)).count() as u64;
                let counts: Vec<u64> = healthy.iter().map(|&id| answered(id)).collect();
                let (n, requests) = (healthy.len() as u64, counts.iter().sum::<u64>());
                let (fewest, most) =
                    (counts.iter().copied().min().unwrap_or(0), counts.iter().copied().max().unwrap_or(0));
                // fewest ≥ percent % of requests / n, compared without dividing.
                let even = n >= u64::from(servers) && requests > 0 && fewest * n * 100 >= u64::from(percent) * requests;
                (
                    even,
                    Figures::Spread { servers: n, fewest, most, requests },
                    format!(
                        "{} healthy; of the last {} they answered, each answered {}: the fewest is {:.1} % of an \
                         even share (expected at least {} and {percent} %).",
                        servers_are(n as u32),
                        plural(requests, "request", "requests"),
                        if fewest == most {
                            grouped(fewest)
                        } else {
                            format!("{} to {}", grouped(fewest), grouped(most))
                        },
                        pct(fewest * n, requests),
                        plural(servers.into(), "server", "servers")
                    ),
                )
            }
            Checkpoint::SessionFetchAtMost { micros } => {
                let fetches: Vec<u64> =
                    answered_once(sim).map(|c| c.breakdown.session_read_us).filter(|&us| us > 0).collect();
                match fetches.iter().max() {
                    Some(&slowest) => (
                        slowest <= micros,
                        Figures::SessionFetches { fetches: fetches.len() as u64, slowest_us: slowest },
                        match fetches.len() {
                            1 => format!(
                                "The last session fetch took {} (expected at most {}).",
                                human_us(slowest),
                                human_us(micros)
                            ),
                            n => format!(
                                "Of the last {n} session fetches, the slowest took {} (expected at most {}).",
                                human_us(slowest),
                                human_us(micros)
                            ),
                        },
                    ),
                    None => (
                        false,
                        Figures::NoSample,
                        format!(
                            "No recent request fetched a session from the shared store (expected fetches of at most {}).",
                            human_us(micros)
                        ),
                    ),
                }
            }
            Checkpoint::CacheHitFasterThanDb => cache_vs_db(sim),
            Checkpoint::LoggedInAtLeast { users } => {
                let n = sim.logged_in();
                (n >= users, count(n), format!("{} logged in (expected at least {users}).", users_are(n)))
            }
            Checkpoint::CartItemsAtLeast { items } => {
                let n: u64 = sim.users().iter().map(|u| u.cart_len() as u64).sum();
                let are = if n == 1 { "1 product is".into() } else { format!("{} products are", grouped(n)) };
                (n >= items, count(n), format!("{are} in carts (expected at least {items})."))
            }
            Checkpoint::LoginsAtLeast { logins } => (
                t.logins >= logins,
                count(t.logins),
                format!("{} so far (expected at least {logins}).", there_have_been(t.logins, "re-login", "re-logins")),
            ),
            Checkpoint::StepLogoutsAtLeast { logouts } => (
                step_logouts >= logouts,
                count(step_logouts),
                format!(
                    "{} during this step (expected at least {logouts}).",
                    there_have_been(step_logouts, "logout", "logouts")
                ),
            ),
            Checkpoint::StepStrayAnsweredAtLeast { requests } => {
                let n = t.misroutes_answered.saturating_sub(at_start.misroutes_answered);
                (
                    n >= requests,
                    count(n),
                    format!(
                        "{} answered during this step (expected at least {requests}).",
                        plural(n, "stray request was", "stray requests were")
                    ),
                )
            }
            Checkpoint::StepDbWaitsAtLeast { percent } | Checkpoint::StepDbWaitsAtMost { percent } => {
                let waits = t.db_waits.saturating_sub(at_start.db_waits);
                let queries = (t.db_reads + t.db_writes).saturating_sub(at_start.db_reads + at_start.db_writes);
                let at_least = matches!(self, Checkpoint::StepDbWaitsAtLeast { .. });
                let over = waits * 100 >= u64::from(percent) * queries;
                let under = waits * 100 <= u64::from(percent) * queries;
                (
                    queries > 0 && if at_least { over } else { under },
                    Figures::Share { part: waits, whole: queries },
                    format!(
                        "{:.1} % of this step's database queries waited for a connection ({} of {}; expected {} {percent} %).",
                        pct(waits, queries),
                        grouped(waits),
                        grouped(queries),
                        if at_least { "at least" } else { "at most" }
                    ),
                )
            }
            Checkpoint::StepLogoutsAtMost { logouts } => (
                step_logouts <= logouts,
                count(step_logouts),
                format!(
                    "{} during this step ({}).",
                    there_have_been(step_logouts, "logout", "logouts"),
                    expected_at_most(logouts)
                ),
            ),
        };
        CheckResult { passed, measured, figures }
    }

    /// The claim as a short phrase for the UI, e.g. "At least 1 user logged out".
    pub fn describe(&self) -> String {
        match *self {
            Checkpoint::LoggedOutAtLeast { users } => {
                format!("At least {} logged out", plural(users.into(), "user", "users"))
            }
            Checkpoint::LoggedOutAtMost { users: 0 } => "Nobody logged out".into(),
            Checkpoint::LoggedOutAtMost { users } => {
                format!("At most {} logged out", plural(users.into(), "user", "users"))
            }
            Checkpoint::LogoutsAtLeast { logouts } => {
                format!("At least {} so far", plural(logouts, "logout", "logouts"))
            }
            Checkpoint::LogoutsAtMost { logouts: 0 } => "No logouts so far".into(),
            Checkpoint::LogoutsAtMost { logouts } => format!("At most {} so far", plural(logouts, "logout", "logouts")),
            Checkpoint::FailedAtMost { requests: 0 } => "No failed requests so far".into(),
            Checkpoint::FailedAtMost { requests } => {
                format!("At most {} so far", plural(requests, "failed request", "failed requests"))
            }
            Checkpoint::FailedAtLeast { requests } => {
                format!("At least {} so far", plural(requests, "failed request", "failed requests"))
            }
            Checkpoint::CacheHitAtLeast { percent } => format!("At least {percent} % of product lookups hit the cache"),
            Checkpoint::StepDbLoadCutAtLeast { percent } => {
                format!("The cache cuts the database's load by at least {percent} % during this step")
            }
            Checkpoint::StepStaleReadsAtLeast { reads } => {
                format!("At least {} from a replica during this step", plural(reads, "stale read", "stale reads"))
            }
            Checkpoint::ServersAtLeast { servers } => {
                format!("At least {}", plural(servers.into(), "healthy server", "healthy servers"))
            }
            Checkpoint::ServersAtMost { servers } => {
                format!("At most {}", plural(servers.into(), "healthy server", "healthy servers"))
            }
            Checkpoint::ServersShareAtLeast { servers, percent } => format!(
                "At least {}, each answering at least {percent} % of an even share of the recent requests",
                plural(servers.into(), "healthy server", "healthy servers")
            ),
            Checkpoint::SessionFetchAtMost { micros } => {
                format!("Fetching a session from the shared store takes at most {}", human_us(micros))
            }
            Checkpoint::CacheHitFasterThanDb => {
                "A cache hit beats every database trip (~1 ms against 10–100 ms)".into()
            }
            Checkpoint::LoggedInAtLeast { users } => {
                format!("At least {} logged in", plural(users.into(), "user", "users"))
            }
            Checkpoint::CartItemsAtLeast { items } => {
                format!("At least {} in carts", plural(items, "product", "products"))
            }
            Checkpoint::LoginsAtLeast { logins } => {
                format!("At least {} so far", plural(logins, "re-login", "re-logins"))
            }
            Checkpoint::StepLogoutsAtLeast { logouts } => {
                format!("At least {} during this step", plural(logouts, "logout", "logouts"))
            }
            Checkpoint::StepStrayAnsweredAtLeast { requests } => format!(
                "At least {} during this step",
                plural(requests, "stray request answered", "stray requests answered")
            ),
            Checkpoint::StepDbWaitsAtLeast { percent } => {
                format!("At least {percent} % of this step's database queries wait for a connection")
            }
            Checkpoint::StepDbWaitsAtMost { percent } => {
                format!("At most {percent} % of this step's database queries wait for a connection")
            }
            Checkpoint::StepLogoutsAtMost { logouts: 0 } => "No logouts during this step".into(),
            Checkpoint::StepLogoutsAtMost { logouts } => {
                format!("At most {} during this step", plural(logouts, "logout", "logouts"))
            }
        }
    }
}

/// "There have been no logouts", "There has been 1 logout", "There have been 7 logouts".
/// "expected at most 3", or "expected none" for a bound of 0.
fn expected_at_most(n: u64) -> String {
    if n == 0 {
        "expected none".to_string()
    } else {
        format!("expected at most {n}")
    }
}

fn there_have_been(n: u64, one: &str, many: &str) -> String {
    match n {
        0 => format!("There have been no {many}"),
        1 => format!("There has been 1 {one}"),
        n => format!("There have been {} {many}", grouped(n)),
    }
}

fn servers_are(n: u32) -> String {
    if n == 1 {
        "1 server is".into()
    } else {
        format!("{n} servers are")
    }
}

fn healthy_servers(sim: &Sim) -> u32 {
    sim.servers().iter().filter(|s| s.state == ServerState::Healthy).count() as u32
}

/// The recent requests answered on their first try: a failed one stopped part-way, and a
/// retried one's rows add up both tries, so neither times a single trip.
fn answered_once(sim: &Sim) -> impl Iterator<Item = &crate::request::Completed> {
    sim.completed().iter().filter(|c| c.failure.is_none() && c.retried_from.is_none())
}

/// Cache hits are the recent requests the cache answered; database trips are those that read
/// or wrote the database (cache misses included).
fn cache_vs_db(sim: &Sim) -> (bool, Figures, String) {
    let slowest_hit = answered_once(sim).filter(|c| c.cache_hit == Some(true)).map(|c| c.breakdown.cache_us).max();
    let db: Vec<u64> = answered_once(sim).map(|c| c.breakdown.db_us).filter(|&us| us > 0).collect();
    let (Some(hit), Some(&fastest), Some(&slowest)) = (slowest_hit, db.iter().min(), db.iter().max()) else {
        return (
            false,
            Figures::NoSample,
            "The recent requests need both a cache hit and a database trip to compare (expected both).".into(),
        );
    };
    let passed = hit <= CACHE_HIT_MAX_US && hit < fastest && fastest >= DB_TRIP_US.0 && slowest <= DB_TRIP_US.1;
    let measured = format!(
        "Cache hits took at most {}; database trips took {} to {} (expected hits of about 1 ms, at most 2 ms, \
         faster than every trip, and trips of 10–100 ms).",
        human_us(hit),
        human_us(fastest),
        human_us(slowest)
    );
    let figures = Figures::CacheVsDb { slowest_hit_us: hit, fastest_db_us: fastest, slowest_db_us: slowest };
    (passed, figures, measured)
}

/// Why a tour could not be loaded or replayed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TourError {
    /// The JSON does not parse, or has an unknown, missing or mistyped field; `message` is
    /// serde's, which names the field.
    Parse { file: String, line: usize, column: usize, message: String },
    /// The JSON parses but breaks a rule of tours (no steps, an answer out of range, …).
    Invalid { file: String, message: String },
    /// The starting config is out of range.
    Config { file: String, error: ConfigError },
    /// The tour has no step with that index.
    NoSuchStep { tour: String, index: usize, steps: usize },
    /// The tour does not offer that mode.
    ModeNotOffered { tour: String, mode: Mode },
    /// The model refused a command of a step when its time came. `step` counts from 0; the
    /// command is boxed to keep every `Result` of this module small.
    Rejected { tour: String, step: usize, title: String, at_us: u64, command: Box<Command>, error: CommandError },
}

impl fmt::Display for TourError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TourError::Parse { file, line: 0, message, .. } => write!(f, "{file}: {message}"),
            TourError::Parse { file, line, column, message } => {
                write!(f, "{file} line {line} column {column}: {message}")
            }
            TourError::Invalid { file, message } => write!(f, "{file}: {message}"),
            TourError::Config { file, error } => write!(f, "{file}: config: {error}"),
            TourError::NoSuchStep { tour, index, steps } => {
                write!(
                    f,
                    "tour `{tour}` has {} (numbered from 0), not step {index}",
                    plural(*steps as u64, "step", "steps")
                )
            }
            TourError::ModeNotOffered { tour, mode } => write!(f, "tour `{tour}` does not run in {mode} mode"),
            TourError::Rejected { tour, step, title, at_us, command, error } => write!(
                f,
                "tour `{tour}`, step {} \"{title}\": at {} ms, \"{command}\" was refused: {error}",
                step + 1,
                at_us / MS
            ),
        }
    }
}

impl std::error::Error for TourError {}

/// Tours as Rust code, for a build script that bakes them into a program: the web app does, so
/// it carries no JSON parser. Written by hand for the types that hold words, as the derive
/// accepts only fields a `const` could hold, and `String` is not one.
#[cfg(feature = "bake")]
mod bake {
    use super::{Prediction, Step, Tour};
    use databake::{quote, Bake, CrateEnv, TokenStream};

    /// Bakes a struct field by field; the destructuring fails to compile if a field is added.
    macro_rules! bake_struct {
        ($ty:ident { $($field:ident),* }) => {
            impl Bake for $ty {
                fn bake(&self, env: &CrateEnv) -> TokenStream {
                    env.insert("statelab_sim");
                    let $ty { $($field),* } = self;
                    $(let $field = $field.bake(env);)*
                    quote! { statelab_sim::tour::$ty { $($field: #$field),* } }
                }
            }
        };
    }

    bake_struct!(Tour { id, title, summary, modes, config, steps });
    bake_struct!(Step { title, narration, commands, run_ms, spotlight, prediction, checkpoint });
    bake_struct!(Prediction { question, choices, answer, explanation });
}

/// Parses JSON, keeping serde's line, column and field name in the error.
fn parse<T: serde::de::DeserializeOwned>(file: &str, text: &str) -> Result<T, TourError> {
    serde_json::from_str(text).map_err(|e| {
        let (line, column) = (e.line(), e.column());
        let full = e.to_string();
        let suffix = format!(" at line {line} column {column}");
        let message = full.strip_suffix(&suffix).unwrap_or(&full).to_owned();
        TourError::Parse { file: file.to_owned(), line, column, message }
    })
}

/// The words of a tour in another language, step by step; see [`Tour::translate`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TourWords {
    title: String,
    summary: String,
    steps: Vec<StepWords>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StepWords {
    title: String,
    narration: String,
    #[serde(default)]
    prediction: Option<PredictionWords>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PredictionWords {
    question: String,
    choices: Vec<String>,
    explanation: String,
}

/// Names the spotlight understands besides "server:N" and "user:N".
const SPOTLIGHT_NAMES: [&str; 6] = ["balancer", "store", "cache", "db", "cdn", "dns"];

/// One tour's system at the start of each step reached so far, in one mode. Back, a step shown
/// again and Next after a step the page played copy a kept state instead of running every
/// earlier step again: minutes of simulated time in the longer tours, a long task on a phone.
#[derive(Default)]
pub struct StepStarts {
    /// The tour and mode the states are of.
    of: Option<(String, Mode)>,
    /// `starts[k]`: the system as step `k` is first shown, for every `k` up to the last kept.
    starts: Vec<Sim>,
}

impl StepStarts {
    /// The system as step `index` of `tour` is first shown in `mode`, as [`Tour::replay`]
    /// builds it, run on from the latest state kept before it.
    pub fn replay(&mut self, tour: &Tour, mode: Mode, index: usize) -> Result<Sim, TourError> {
        if index > tour.steps.len() {
            return Err(TourError::NoSuchStep { tour: tour.id.clone(), index, steps: tour.steps.len() });
        }
        self.keep_for(tour, mode);
        if self.starts.is_empty() {
            self.starts.push(tour.start(mode)?);
        }
        while self.starts.len() <= index {
            let k = self.starts.len() - 1;
            let mut sim = self.starts[k].clone();
            tour.run_step(&mut sim, k)?;
            self.starts.push(sim);
        }
        Ok(self.starts[index].clone())
    }

    /// Keeps `sim` as the start of step `index + 1` if it is step `index` run to its end from
    /// the kept start with the tour's commands only (as the page plays a step, the learner and
    /// the host page sending nothing): then it is the state a replay would build, exactly.
    /// Whether it was kept.
    pub fn offer(&mut self, tour: &Tour, mode: Mode, index: usize, sim: &Sim) -> bool {
        if !self.holds(tour, mode) || self.starts.len() != index + 1 {
            return false;
        }
        let start = &self.starts[index];
        let scripted = start.commands().iter().cloned().chain(tour.schedule(index, start.now_us()));
        let whole = tour.end_us(index, start.now_us()) == Some(sim.now_us())
            && sim.config() == start.config()
            && sim.commands().iter().cloned().eq(scripted);
        if whole {
            self.starts.push(sim.clone());
        }
        whole
    }

    fn holds(&self, tour: &Tour, mode: Mode) -> bool {
        self.of.as_ref().is_some_and(|(id, m)| *id == tour.id && *m == mode)
    }

    /// Drops the states of another tour or mode.
    fn keep_for(&mut self, tour: &Tour, mode: Mode) {
        if !self.holds(tour, mode) {
            self.of = Some((tour.id.clone(), mode));
            self.starts.clear();
        }
    }
}

impl Tour {
    /// Parses and validates a tour. `file` is the file name (or path) the text came from: it
    /// names the file in errors and supplies the id when the JSON leaves it out. Errors from
    /// the JSON carry serde's line, column and field name.
    pub fn from_json(file: &str, text: &str) -> Result<Tour, TourError> {
        let mut tour: Tour = parse(file, text)?;
        let stem = std::path::Path::new(file).file_stem().and_then(|s| s.to_str()).unwrap_or(file);
        if tour.id.is_empty() {
            tour.id = stem.to_owned();
        } else if tour.id != stem {
            return Err(TourError::Invalid {
                file: file.to_owned(),
                message: format!("the id `{}` does not match the file name `{stem}`", tour.id),
            });
        }
        tour.validate(file)?;
        Ok(tour)
    }

    /// Lays a translation (`assets/scenarios/<lang>/<id>.json`) over the tour's words, so
    /// commands, timings and checkpoints exist once whatever the language. Refuses one whose
    /// steps, predictions or choices do not line up, and then leaves the tour untouched.
    pub fn translate(&mut self, file: &str, text: &str) -> Result<(), TourError> {
        let words: TourWords = parse(file, text)?;
        let invalid = |message: String| TourError::Invalid { file: file.to_owned(), message };
        if words.steps.len() != self.steps.len() {
            return Err(invalid(format!("{} steps, the tour has {}", words.steps.len(), self.steps.len())));
        }
        for (i, (w, step)) in words.steps.iter().zip(&self.steps).enumerate() {
            let fits = match (&w.prediction, &step.prediction) {
                (None, None) => true,
                (Some(w), Some(p)) => w.choices.len() == p.choices.len(),
                _ => false,
            };
            if !fits {
                return Err(invalid(format!("step {} has a different prediction", i + 1)));
            }
        }
        self.title = words.title;
        self.summary = words.summary;
        for (w, step) in words.steps.into_iter().zip(&mut self.steps) {
            step.title = w.title;
            step.narration = w.narration;
            if let (Some(w), Some(p)) = (w.prediction, step.prediction.as_mut()) {
                p.question = w.question;
                p.choices = w.choices;
                p.explanation = w.explanation;
            }
        }
        Ok(())
    }

    /// Every text a translation replaces, in one fixed order, so a translation can also travel
    /// as a flat list of strings (see [`lay_words`]).
    pub fn words_mut(&mut self) -> Vec<&mut String> {
        let mut words = vec![&mut self.title, &mut self.summary];
        for step in &mut self.steps {
            words.push(&mut step.title);
            words.push(&mut step.narration);
            if let Some(p) = &mut step.prediction {
                words.push(&mut p.question);
                words.extend(p.choices.iter_mut());
                words.push(&mut p.explanation);
            }
        }
        words
    }

    /// Rules serde cannot express, each reported with the step it is about.
    fn validate(&self, file: &str) -> Result<(), TourError> {
        let invalid = |message: String| TourError::Invalid { file: file.to_owned(), message };
        self.config.validate().map_err(|error| TourError::Config { file: file.to_owned(), error })?;
        if self.id.is_empty() || !self.id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
            return Err(invalid(format!("the id `{}` must be lowercase letters, digits and dashes", self.id)));
        }
        if self.title.trim().is_empty() || self.summary.trim().is_empty() {
            return Err(invalid("the tour needs a title and a summary".into()));
        }
        if self.modes.is_empty() {
            return Err(invalid("`modes` must name at least one mode".into()));
        }
        if self.modes.iter().enumerate().any(|(i, m)| self.modes[..i].contains(m)) {
            return Err(invalid("`modes` names the same mode twice".into()));
        }
        if self.steps.is_empty() {
            return Err(invalid("the tour needs at least one step".into()));
        }
        for (i, step) in self.steps.iter().enumerate() {
            let at = |what: String| invalid(format!("step {} \"{}\": {what}", i + 1, step.title));
            if step.title.trim().is_empty() || step.narration.trim().is_empty() {
                return Err(invalid(format!("step {} needs a title and a narration", i + 1)));
            }
            if step.run_ms > MAX_RUN_MS {
                return Err(at(format!("run_ms is {}, above the limit of {MAX_RUN_MS}", step.run_ms)));
            }
            if let Some(c) = step.commands.iter().find(|c| c.at_ms > step.run_ms) {
                return Err(at(format!(
                    "a command at {} ms falls after the step's run of {} ms",
                    c.at_ms, step.run_ms
                )));
            }
            if let Some(name) = step.spotlight.iter().find(|s| !self.spotlight_ok(s)) {
                return Err(at(format!(
                    "unknown spotlight `{name}`; use {}, server:N or user:N (below {})",
                    SPOTLIGHT_NAMES.join(", "),
                    self.config.users
                )));
            }
            if let Some(p) = &step.prediction {
                self.validate_prediction(p).map_err(at)?;
            }
            if let Some(c) = &step.checkpoint {
                self.validate_per_mode(c.both.is_some(), [c.stateful.is_some(), c.stateless.is_some()], "checkpoint")
                    .map_err(at)?;
            }
        }
        Ok(())
    }

    fn spotlight_ok(&self, name: &str) -> bool {
        if SPOTLIGHT_NAMES.contains(&name) {
            return true;
        }
        match name.split_once(':') {
            Some(("server", n)) => n.parse::<u32>().is_ok_and(|n| n < limits::SERVERS),
            Some(("user", n)) => n.parse::<u32>().is_ok_and(|n| n < self.config.users),
            _ => false,
        }
    }

    fn validate_prediction(&self, p: &Prediction) -> Result<(), String> {
        if p.question.trim().is_empty() || p.explanation.trim().is_empty() {
            return Err("the prediction needs a question and an explanation".into());
        }
        if p.choices.len() < 2 {
            return Err("the prediction needs at least two choices".into());
        }
        let a = &p.answer;
        self.validate_per_mode(a.both.is_some(), [a.stateful.is_some(), a.stateless.is_some()], "prediction answer")?;
        for &mode in &self.modes {
            match a.for_mode(mode) {
                None => return Err(format!("the prediction has no answer for {mode} mode")),
                Some(i) if i >= p.choices.len() => {
                    return Err(format!(
                    "the prediction answer {i} for {mode} mode is out of range: there are {} choices, numbered from 0",
                    p.choices.len()
                ))
                }
                Some(_) => {}
            }
        }
        Ok(())
    }

    /// `both` excludes per-mode entries, and per-mode entries must be for modes the tour offers.
    fn validate_per_mode(&self, both: bool, per_mode: [bool; 2], what: &str) -> Result<(), String> {
        for (given, mode) in per_mode.into_iter().zip([Mode::Stateful, Mode::Stateless]) {
            if given && both {
                return Err(format!("the {what} gives `both` and `{mode}`; give one or the other"));
            }
            if given && !self.modes.contains(&mode) {
                return Err(format!("the {what} is for {mode} mode, which the tour does not offer"));
            }
        }
        Ok(())
    }

    fn step(&self, index: usize) -> Result<&Step, TourError> {
        self.steps.get(index).ok_or_else(|| TourError::NoSuchStep {
            tour: self.id.clone(),
            index,
            steps: self.steps.len(),
        })
    }

    /// The tour's starting system in `mode`, before any step ran.
    pub fn start(&self, mode: Mode) -> Result<Sim, TourError> {
        if !self.modes.contains(&mode) {
            return Err(TourError::ModeNotOffered { tour: self.id.clone(), mode });
        }
        let config = SimConfig { mode, ..self.config.clone() };
        Sim::new(config).map_err(|error| TourError::Config { file: format!("{}.json", self.id), error })
    }

    /// Builds the system at the moment step `index` is first shown: the config in `mode`, then
    /// every earlier step run in full (commands at their times, then `run_ms`). `index ==
    /// steps.len()` gives the system after the last step.
    pub fn replay(&self, mode: Mode, index: usize) -> Result<Sim, TourError> {
        if index > self.steps.len() {
            return Err(TourError::NoSuchStep { tour: self.id.clone(), index, steps: self.steps.len() });
        }
        let mut sim = self.start(mode)?;
        for k in 0..index {
            self.run_step(&mut sim, k)?;
        }
        Ok(sim)
    }

    /// Runs one step on `sim` (which must be at that step's start): applies its commands at
    /// their times, each after every event up to that time (as [`Sim::run_until`] does), then
    /// advances to the end of the step's `run_ms`. Used by replay and by the UI.
    pub fn run_step(&self, sim: &mut Sim, index: usize) -> Result<(), TourError> {
        let step = self.step(index)?;
        let start_us = sim.now_us();
        for (at_us, command) in self.schedule(index, start_us) {
            sim.apply_at(at_us, command.clone()).map_err(|error| TourError::Rejected {
                tour: self.id.clone(),
                step: index,
                title: step.title.clone(),
                at_us,
                command: Box::new(command),
                error,
            })?;
        }
        sim.run_until(self.end_us(index, start_us).unwrap_or(start_us));
        Ok(())
    }

    /// When step `index` ends if it starts at `start_us`: the page plays it up to there, as
    /// [`Tour::run_step`] runs it.
    pub fn end_us(&self, index: usize, start_us: u64) -> Option<u64> {
        Some(start_us + self.steps.get(index)?.run_ms * MS)
    }

    /// The checkpoint that judges step `index` in `mode`, if it has one.
    pub fn checkpoint(&self, index: usize, mode: Mode) -> Option<&Checkpoint> {
        self.steps.get(index)?.checkpoint.as_ref()?.for_mode(mode)
    }

    /// Commands of step `index` with absolute sim times given the step started at `start_us`,
    /// in time order (equal times keep their file order); empty for an index past the end.
    pub fn schedule(&self, index: usize, start_us: u64) -> Vec<(u64, Command)> {
        let Some(step) = self.steps.get(index) else { return Vec::new() };
        let mut timed: Vec<(u64, Command)> =
            step.commands.iter().map(|c| (start_us + c.at_ms * MS, c.command.clone())).collect();
        timed.sort_by_key(|(at_us, _)| *at_us);
        timed
    }

    /// Sim time at which step `index` starts in a replay: the earlier steps' runs added up. The
    /// tour tests check that [`Tour::replay`] lands exactly there.
    pub fn start_us(&self, index: usize) -> u64 {
        self.steps.iter().take(index).map(|s| s.run_ms * MS).sum()
    }

    /// Runs step `index` on `sim` like [`Tour::run_step`], then judges its checkpoint for the
    /// mode the run started in (`sim.config().mode`); `None` when the step has no checkpoint
    /// for that mode.
    pub fn run_and_check(&self, sim: &mut Sim, index: usize) -> Result<Option<CheckResult>, TourError> {
        let at_start = sim.totals();
        self.run_step(sim, index)?;
        Ok(self.checkpoint(index, sim.config().mode).map(|c| c.check_step(sim, &at_start)))
    }

    /// A built-in tour by id, for the CLI and the tests; the page bakes its tours in at build time.
    pub fn builtin(id: &str) -> Option<Tour> {
        builtin_tours().into_iter().find(|t| t.id == id)
    }
}
