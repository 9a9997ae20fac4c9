//! The headless runner, driven the way a script would drive it: arguments in, text and an exit
//! code out.

use std::process::{Command, Output};

fn cli(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_statelab-cli")).args(args).output().expect("the binary runs")
}

fn stdout(out: &Output) -> String {
    assert!(out.status.success(), "exit {:?}: {}", out.status, String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout.clone()).expect("UTF-8 output")
}

/// The number after `Logouts: ` in the summary.
fn logouts(summary: &str) -> u64 {
    let line = summary.lines().find(|l| l.starts_with("Logouts: ")).expect("a logouts line");
    line["Logouts: ".len()..].split_whitespace().next().unwrap().parse().unwrap()
}

#[test]
fn a_stateful_crash_logs_users_out() {
    let summary = stdout(&cli(&["run", "--scenario", "crash", "--mode", "stateful", "--duration", "20s"]));
    assert!(logouts(&summary) > 0, "{summary}");
    assert!(summary.contains("Trace hash: 0x"), "{summary}");
}

#[test]
fn a_stateless_crash_logs_nobody_out() {
    let summary = stdout(&cli(&["run", "--scenario", "crash", "--mode", "stateless", "--duration", "20s"]));
    assert_eq!(logouts(&summary), 0, "{summary}");
}

#[test]
fn a_misrouted_user_is_logged_out_only_when_stateful() {
    let args = |mode| ["run", "--scenario", "misroute", "--mode", mode, "--duration", "20s"];
    assert_eq!(logouts(&stdout(&cli(&args("stateful")))), 1);
    assert_eq!(logouts(&stdout(&cli(&args("stateless")))), 0);
}

#[test]
fn csv_has_a_header_and_a_row_per_second() {
    let csv = stdout(&cli(&["run", "--duration", "5s", "--csv"]));
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().expect("a header").split(',').collect();
    assert_eq!(header[..3], ["t_s", "completed", "failed"]);
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 5);
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(row.len(), header.len());
        assert_eq!(row[0], (i + 1).to_string());
        assert!(row.iter().all(|cell| cell.parse::<u64>().is_ok()), "{row:?}");
    }
}

#[test]
fn events_are_json_lines() {
    let text = stdout(&cli(&["run", "--scenario", "crash", "--duration", "11s", "--events"]));
    let events: Vec<serde_json::Value> =
        text.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect();
    assert!(!events.is_empty());
    assert!(events.iter().all(|e| e["seq"].is_u64() && e["at_us"].is_u64() && e["kind"].is_object()));
    assert!(events.iter().any(|e| e["kind"]["Command"]["cmd"]["cmd"] == "crash_server"));
}

#[test]
fn json_summary_parses() {
    let text = stdout(&cli(&["run", "--duration", "2s", "--seed", "5", "--json"]));
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["seed"], 5);
    assert_eq!(
        v["issued"].as_u64().unwrap(),
        v["completed"].as_u64().unwrap() + v["failed"].as_u64().unwrap() + v["in_flight"].as_u64().unwrap()
    );
}

#[test]
fn one_seed_gives_one_output() {
    let args = ["run", "--scenario", "crash", "--duration", "15s", "--seed", "3"];
    assert_eq!(stdout(&cli(&args)), stdout(&cli(&args)));
}

fn refused(args: &[&str]) -> String {
    let out = cli(args);
    assert_eq!(out.status.code(), Some(2), "{args:?}");
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    err
}

#[test]
fn a_bad_flag_exits_2_with_a_message() {
    assert!(refused(&["run", "--sede", "4"]).contains("unknown option `--sede`"));
    assert!(refused(&["run", "--duration", "10"]).contains("--duration"));
    assert!(refused(&["run", "--duration", "25h"]).contains("at most 24h"));
    assert!(refused(&["run", "--duration", "99999999999999999h"]).contains("at most 24h"));
    assert!(refused(&["run", "--scenario", "meltdown"]).contains("meltdown"));
    assert!(refused(&["fly"]).contains("fly"));
}

#[test]
fn an_unknown_config_field_exits_2_naming_it() {
    let path = std::env::temp_dir().join(format!("statelab-cli-test-{}.json", std::process::id()));
    std::fs::write(&path, r#"{ "servers": 2, "sevrers": 4 }"#).unwrap();
    let err = refused(&["run", "--config", path.to_str().unwrap()]);
    std::fs::remove_file(&path).unwrap();
    assert!(err.contains("unknown field `sevrers`"), "{err}");
}

#[test]
fn a_scenario_file_runs_its_commands() {
    let path = std::env::temp_dir().join(format!("statelab-cli-scenario-{}.json", std::process::id()));
    std::fs::write(
        &path,
        r#"{ "config": { "servers": 2, "mode": "stateful" },
             "commands": [ { "at_ms": 3000, "cmd": "crash_server", "server": 1 } ] }"#,
    )
    .unwrap();
    let summary = stdout(&cli(&["run", "--scenario", path.to_str().unwrap(), "--duration", "5s"]));
    std::fs::remove_file(&path).unwrap();
    assert!(summary.contains("2 servers at start"), "{summary}");
    assert!(logouts(&summary) > 0, "{summary}");
}

#[test]
fn help_prints_usage() {
    let text = stdout(&cli(&["--help"]));
    assert!(text.starts_with("Usage: statelab-cli run"));
}
