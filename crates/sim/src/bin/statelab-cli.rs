//! Headless runner: plays a scenario without a browser and prints a summary, the per-second
//! metrics as CSV, or the event log as JSON lines, so runs can be scripted, diffed and graphed.
//! Given a guided tour, it runs every step and judges every checkpoint, so the tours' claims
//! can be checked from a shell.

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use statelab_sim::time::{MS, SEC};
use statelab_sim::tour::TOUR_IDS;
use statelab_sim::{FailReason, Mode, Scenario, Sim, SimConfig, Tour};

const USAGE: &str = "\
Usage: statelab-cli run [options]

Runs the StateLab model headless and prints what happened.

Options:
  --scenario <name|file.json>  steady (default), crash, misroute, scale-out, spike
                               (each acts at 10 s), or a JSON file
                               {\"config\": {...}, \"commands\": [...]};
                               or a guided tour: its id (what-is-state, wrong-server,
                               add-server, crash-2am, request-path, auto-scaling, replicas,
                               cache, shared-store, takeaway) or a tour JSON file with
                               \"steps\". A tour runs every step in each of its modes,
                               prints a line per checkpoint and exits 1 if one fails.
  --mode stateful|stateless    where sessions live (overrides the scenario's config;
                               for a tour, runs only that mode)
  --seed N                     seed of the run (overrides the scenario's config)
  --duration <time>            simulated time to run, e.g. 500ms, 60s, 2m (default 60s);
                               not for tours, whose steps set their own length
  --config file.json           a full SimConfig, replacing the scenario's config
  --json                       print the summary as JSON
  --csv                        print the per-second metrics as CSV
  --events                     print the kept events as JSON lines: the
                               latest ones, and the narrated ones before them
  -h, --help                   print this help
";

/// What to print.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Output {
    Summary,
    Json,
    Csv,
    Events,
}

struct Args {
    scenario: String,
    mode: Option<Mode>,
    seed: Option<u64>,
    /// `None` until given: scenarios default to 60 s, tours refuse it.
    duration_us: Option<u64>,
    config: Option<String>,
    output: Output,
}

/// What `--scenario` names.
enum Story {
    Scenario(Scenario),
    Tour(Tour),
}

/// What the command line asks for.
enum Invocation {
    Help,
    Run(Args),
}

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let args = match parse(&argv) {
        Ok(Invocation::Help) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Ok(Invocation::Run(args)) => args,
        Err(msg) => return fail(&msg),
    };
    let scenario = match load(&args.scenario) {
        Ok(Story::Scenario(scenario)) => scenario,
        Ok(Story::Tour(tour)) => return run_tour(&args, &tour),
        Err(msg) => return fail(&msg),
    };
    let sim = match run(&args, scenario) {
        Ok(sim) => sim,
        Err(msg) => return fail(&msg),
    };
    let mut out = BufWriter::new(io::stdout().lock());
    let written = match args.output {
        Output::Summary => write_summary(&mut out, &args, &sim),
        Output::Json => write_json(&mut out, &args, &sim),
        Output::Csv => write_csv(&mut out, &sim),
        Output::Events => write_events(&mut out, &sim),
    };
    match written.and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        // A closed pipe (`| head`) is the reader's choice, not an error.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("statelab-cli: cannot write the output: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Bad input: one line on stderr, exit code 2.
fn fail(msg: &str) -> ExitCode {
    eprintln!("statelab-cli: {msg}");
    ExitCode::from(2)
}

fn parse(argv: &[String]) -> Result<Invocation, String> {
    let mut rest = argv.iter();
    match rest.next().map(String::as_str) {
        Some("run") => {}
        Some("-h" | "--help" | "help") => return Ok(Invocation::Help),
        Some(other) => return Err(format!("unknown command `{other}`; try `statelab-cli --help`")),
        None => return Err("missing command; try `statelab-cli run` or `statelab-cli --help`".into()),
    }
    let mut args = Args {
        scenario: "steady".into(),
        mode: None,
        seed: None,
        duration_us: None,
        config: None,
        output: Output::Summary,
    };
    let mut output_flag: Option<&str> = None;
    let mut seen: Vec<&str> = Vec::new();
    while let Some(arg) = rest.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v)),
            _ => (arg.as_str(), None),
        };
        if flag == "-h" || flag == "--help" {
            return Ok(Invocation::Help);
        }
        if seen.contains(&flag) {
            return Err(format!("{flag} is given twice"));
        }
        seen.push(flag);
        let mut value = || -> Result<&str, String> {
            inline.or_else(|| rest.next().map(String::as_str)).ok_or_else(|| format!("{flag} needs a value"))
        };
        match flag {
            "--scenario" => args.scenario = value()?.to_owned(),
            "--mode" => args.mode = Some(parse_mode(value()?)?),
            "--seed" => {
                let v = value()?;
                args.seed = Some(v.parse().map_err(|_| format!("--seed must be a whole number, not `{v}`"))?);
            }
            "--duration" => args.duration_us = Some(parse_duration_us(value()?)?),
            "--config" => args.config = Some(value()?.to_owned()),
            "--json" | "--csv" | "--events" => {
                if inline.is_some() {
                    return Err(format!("{flag} takes no value"));
                }
                if let Some(previous) = output_flag {
                    return Err(format!("{previous} and {flag} cannot be combined; pick one output"));
                }
                output_flag = Some(flag);
                args.output = match flag {
                    "--json" => Output::Json,
                    "--csv" => Output::Csv,
                    _ => Output::Events,
                };
            }
            _ => return Err(format!("unknown option `{arg}`; try `statelab-cli --help`")),
        }
    }
    Ok(Invocation::Run(args))
}

fn parse_mode(text: &str) -> Result<Mode, String> {
    match text {
        "stateful" => Ok(Mode::Stateful),
        "stateless" => Ok(Mode::Stateless),
        _ => Err(format!("--mode must be stateful or stateless, not `{text}`")),
    }
}

/// The longest run asked for: a day, which takes under a minute at the default rate; past it a
/// typo like `100000h` would keep the runner busy for weeks.
const MAX_DURATION_US: u64 = 24 * 3_600 * SEC;

/// `500ms`, `60s`, `2m`, `1h` (or `250us`) in microseconds.
fn parse_duration_us(text: &str) -> Result<u64, String> {
    let bad = || format!("--duration must be a whole number with a unit (us, ms, s, m, h), like 60s, not `{text}`");
    let split = text.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
    let (number, unit) = text.split_at(split);
    let n: u64 = number.parse().map_err(|_| bad())?;
    let scale = match unit {
        "us" => 1,
        "ms" => MS,
        "s" => SEC,
        "m" => 60 * SEC,
        "h" => 3_600 * SEC,
        _ => return Err(bad()),
    };
    match n.checked_mul(scale) {
        Some(0) => Err("--duration must be longer than zero".into()),
        Some(us) if us <= MAX_DURATION_US => Ok(us),
        _ => Err(format!("--duration `{text}` is too long: at most 24h")),
    }
}

fn read(path: &str) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))
}

/// A tour id, a built-in scenario name, or a JSON file of either (a tour has `steps`).
fn load(name: &str) -> Result<Story, String> {
    if TOUR_IDS.contains(&name) {
        return Tour::builtin(name).map(Story::Tour).ok_or_else(|| format!("no tour `{name}`"));
    }
    if statelab_sim::scenario::BUILTIN.contains(&name) {
        return Scenario::builtin(name).map(Story::Scenario).map_err(|e| e.to_string());
    }
    if !name.ends_with(".json") && !std::path::Path::new(name).exists() {
        return Err(format!(
            "unknown scenario `{name}`; use one of {}, a tour ({}), or a .json file",
            statelab_sim::scenario::BUILTIN.join(", "),
            TOUR_IDS.join(", ")
        ));
    }
    let text = read(name)?;
    let is_tour = serde_json::from_str::<serde_json::Value>(&text).is_ok_and(|v| v.get("steps").is_some());
    if is_tour {
        return Tour::from_json(name, &text).map(Story::Tour).map_err(|e| e.to_string());
    }
    Scenario::from_json(&text).map(Story::Scenario).map_err(|e| format!("{name}: {e}"))
}

fn run(args: &Args, mut scenario: Scenario) -> Result<Sim, String> {
    if let Some(path) = &args.config {
        scenario.config = SimConfig::from_json(&read(path)?).map_err(|e| format!("{path}: {e}"))?;
    }
    scenario.run(args.mode, args.seed, args.duration_us.unwrap_or(60 * SEC)).map_err(|e| e.to_string())
}

/// Runs every step of the tour in each mode asked for, printing a line per step; exit 1 if a
/// checkpoint failed, 2 if the tour cannot run as asked.
fn run_tour(args: &Args, tour: &Tour) -> ExitCode {
    if args.duration_us.is_some() || args.config.is_some() || args.output != Output::Summary {
        return fail("a tour takes only --mode and --seed: its steps set the config, the length and the output");
    }
    let modes = match args.mode {
        Some(mode) if !tour.modes.contains(&mode) => {
            let offered: Vec<String> = tour.modes.iter().map(Mode::to_string).collect();
            return fail(&format!("tour `{}` runs only in {} mode", tour.id, offered.join(" and ")));
        }
        Some(mode) => vec![mode],
        None => tour.modes.clone(),
    };
    let mut tour = tour.clone();
    tour.config.seed = args.seed.unwrap_or(tour.config.seed);
    let mut out = io::stdout().lock();
    let (mut checked, mut failed) = (0, 0);
    for mode in modes {
        let mut sim = match tour.start(mode) {
            Ok(sim) => sim,
            Err(e) => return fail(&e.to_string()),
        };
        // Output errors (a closed pipe) do not change the verdict, which the exit code carries.
        let _ = writeln!(out, "Tour {}, {mode} sessions, seed {}: {}", tour.id, tour.config.seed, tour.title);
        for (i, step) in tour.steps.iter().enumerate() {
            let line = match tour.run_and_check(&mut sim, i) {
                Ok(Some(result)) => {
                    checked += 1;
                    if !result.passed {
                        failed += 1;
                    }
                    format!("{} {}", if result.passed { "✓" } else { "✗" }, result.measured)
                }
                Ok(None) => "· no checkpoint".to_owned(),
                Err(e) => return fail(&e.to_string()),
            };
            let _ = writeln!(out, "  step {}/{} \"{}\": {line}", i + 1, tour.steps.len(), step.title);
        }
    }
    let _ = writeln!(out, "{} of {checked} checkpoints passed.", checked - failed);
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Share of product reads the cache answered [%], if there were any.
fn cache_hit_pct(sim: &Sim) -> Option<f64> {
    let c = sim.cache();
    let reads = c.hits + c.misses;
    (reads > 0).then(|| 100.0 * c.hits as f64 / reads as f64)
}

fn ms(us: u64) -> String {
    format!("{:.1} ms", us as f64 / MS as f64)
}

fn write_summary(out: &mut impl Write, args: &Args, sim: &Sim) -> io::Result<()> {
    let t = sim.totals();
    let cfg = sim.config();
    writeln!(
        out,
        "Scenario {}: {} sessions, seed {}, {} s simulated, {} servers at start, {} users.",
        args.scenario,
        sim.mode(),
        cfg.seed,
        sim.now_us() as f64 / SEC as f64,
        cfg.servers,
        cfg.users
    )?;
    writeln!(
        out,
        "Requests: {} issued, {} completed, {} failed, {} still in flight.",
        t.issued,
        t.completed,
        t.failed,
        sim.in_flight()
    )?;
    let reasons: Vec<String> = FailReason::ALL
        .iter()
        .zip(t.failed_by_reason)
        .filter(|(_, n)| *n > 0)
        .map(|(r, n)| format!("{} {n}", r.label()))
        .collect();
    if !reasons.is_empty() {
        writeln!(out, "Failures by reason: {}.", reasons.join(", "))?;
    }
    writeln!(out, "Retries on another server: {}.", t.retries)?;
    writeln!(
        out,
        "Logouts: {} users lost their session; {} were still logged out at the end.",
        t.logouts,
        sim.logged_out()
    )?;
    match cache_hit_pct(sim) {
        Some(pct) => writeln!(out, "Cache: {pct:.1} % of product reads were hits.")?,
        None => writeln!(out, "Cache: no product reads.")?,
    }
    writeln!(out, "Database: {} reads, {} writes, {} stale reads.", t.db_reads, t.db_writes, t.stale_reads)?;
    match sim.metrics().latest() {
        Some(s) => match (s.p50_us, s.p95_us, s.p99_us) {
            (Some(p50), Some(p95), Some(p99)) => writeln!(
                out,
                "Latency in the last second ({} answers): p50 {}, p95 {}, p99 {}.",
                s.completed,
                ms(p50),
                ms(p95),
                ms(p99)
            )?,
            _ => writeln!(out, "Latency: no request was answered in the last second.")?,
        },
        None => writeln!(out, "Latency: no full second was simulated.")?,
    }
    writeln!(out, "Trace hash: {:#018x}", sim.trace_hash())
}

fn write_json(out: &mut impl Write, args: &Args, sim: &Sim) -> io::Result<()> {
    let t = sim.totals();
    let failures: serde_json::Map<String, serde_json::Value> =
        FailReason::ALL.iter().zip(t.failed_by_reason).map(|(r, n)| (format!("{r:?}"), n.into())).collect();
    let latest = sim.metrics().latest();
    let summary = serde_json::json!({
        "scenario": args.scenario,
        "mode": sim.mode(),
        "seed": sim.config().seed,
        "duration_us": sim.now_us(),
        "issued": t.issued,
        "completed": t.completed,
        "failed": t.failed,
        "in_flight": sim.in_flight(),
        "failed_by_reason": failures,
        "retries": t.retries,
        "logins": t.logins,
        "logouts": t.logouts,
        "logged_out_at_end": sim.logged_out(),
        "cache_hit_pct": cache_hit_pct(sim),
        "db_reads": t.db_reads,
        "db_writes": t.db_writes,
        "stale_reads": t.stale_reads,
        "p50_us": latest.and_then(|s| s.p50_us),
        "p95_us": latest.and_then(|s| s.p95_us),
        "p99_us": latest.and_then(|s| s.p99_us),
        // As a string: JavaScript numbers cannot hold every u64.
        "trace_hash": format!("{:#018x}", sim.trace_hash()),
    });
    serde_json::to_writer_pretty(&mut *out, &summary)?;
    writeln!(out)
}

fn write_csv(out: &mut impl Write, sim: &Sim) -> io::Result<()> {
    out.write_all(sim.metrics().to_csv().as_bytes())
}

fn write_events(out: &mut impl Write, sim: &Sim) -> io::Result<()> {
    for event in sim.events().kept() {
        serde_json::to_writer(&mut *out, event)?;
        writeln!(out)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_need_a_unit() {
        assert_eq!(parse_duration_us("500ms"), Ok(500 * MS));
        assert_eq!(parse_duration_us("60s"), Ok(60 * SEC));
        assert_eq!(parse_duration_us("2m"), Ok(120 * SEC));
        assert!(parse_duration_us("60").is_err());
        assert!(parse_duration_us("s").is_err());
        assert!(parse_duration_us("0s").is_err());
        assert!(parse_duration_us("5 days").is_err());
    }

    #[test]
    fn flags_take_values_inline_or_after() {
        let argv: Vec<String> = ["run", "--seed=7", "--mode", "stateless", "--csv"].map(String::from).to_vec();
        let Ok(Invocation::Run(args)) = parse(&argv) else { panic!("parses") };
        assert_eq!((args.seed, args.mode), (Some(7), Some(Mode::Stateless)));
        assert!(args.output == Output::Csv);
        let twice: Vec<String> = ["run", "--json", "--csv"].map(String::from).to_vec();
        assert!(parse(&twice).is_err());
    }
}
