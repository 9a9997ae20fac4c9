//! Scenarios: a config plus timed commands, so a story ("a server crashes at 10 s") can be
//! replayed headless by `statelab-cli` or shared as a JSON file.
//!
//! ```json
//! { "config": { "mode": "stateless", "servers": 4 },
//!   "commands": [ { "at_ms": 10000, "cmd": "crash_server", "server": 0 } ] }
//! ```

use serde::Deserialize;
use std::fmt;

use crate::command::{Command, CommandError};
use crate::config::{AutoscalerConfig, ConfigError, Mode, SimConfig};
use crate::engine::Sim;
use crate::server::ServerId;
use crate::time::{MS, SEC};
use crate::user::UserId;

/// Names accepted by [`Scenario::builtin`].
pub const BUILTIN: [&str; 5] = ["steady", "crash", "misroute", "scale-out", "spike"];

/// Trace hash of [`reference_trace_hash`]'s run. Native tests and the WASM build assert the same
/// value, which proves the model is deterministic across targets. It changes whenever the model
/// or its defaults change; update it deliberately.
pub const REFERENCE_TRACE_HASH: u64 = 0x923d_6960_09f3_2551;

/// A starting config and the commands to apply, in time order.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    /// [`Scenario::run`] may override its mode and seed, so one story runs both ways.
    pub config: SimConfig,
    /// `(at_us, command)` pairs sorted by time; equal times keep their given order.
    pub commands: Vec<(u64, Command)>,
}

/// Why a scenario could not be loaded or run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScenarioError {
    /// No built-in scenario has that name.
    UnknownName(String),
    /// The JSON does not parse; serde's message names the field, line and column.
    Parse(String),
    /// The config is out of range.
    Config(ConfigError),
    /// The system refused a command when its time came.
    Rejected { at_us: u64, command: Command, error: CommandError },
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScenarioError::UnknownName(name) => {
                write!(f, "there is no built-in scenario `{name}`; try one of {}", BUILTIN.join(", "))
            }
            ScenarioError::Parse(msg) => write!(f, "scenario is not valid: {msg}"),
            ScenarioError::Config(e) => write!(f, "scenario config: {e}"),
            ScenarioError::Rejected { at_us, command, error } => {
                write!(f, "at {} ms, \"{command}\" was refused: {error}", at_us / MS)
            }
        }
    }
}

impl std::error::Error for ScenarioError {}

/// The file form: times in milliseconds, each command's fields beside its time.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScenarioFile {
    #[serde(default)]
    config: SimConfig,
    #[serde(default)]
    commands: Vec<TimedCommand>,
}

#[derive(Deserialize)]
struct TimedCommand {
    at_ms: u64,
    #[serde(flatten)]
    command: Command,
}

impl Scenario {
    /// A scenario that only sets up the system; push commands to tell a story.
    pub fn new(config: SimConfig) -> Self {
        Self { config, commands: Vec::new() }
    }

    /// One of the [`BUILTIN`] stories, each acting at 10 s on the default system.
    pub fn builtin(name: &str) -> Result<Self, ScenarioError> {
        let at = 10 * SEC;
        let mut s = Self::new(SimConfig::default());
        match name {
            "steady" => {}
            "crash" => s.commands.push((at, Command::CrashServer { server: ServerId(0) })),
            "misroute" => s.commands.push((at, Command::Misroute { user: UserId(0) })),
            "scale-out" => s.commands.push((at, Command::AddServer)),
            "spike" => {
                // Enough load that five times as much overwhelms three servers.
                s.config.users = 500;
                s.config.traffic.rate_per_s = 300;
                let policy = AutoscalerConfig { enabled: true, ..AutoscalerConfig::default() };
                s.commands.push((0, Command::SetAutoscaling { policy }));
                s.commands.push((at, Command::Spike));
            }
            _ => return Err(ScenarioError::UnknownName(name.to_owned())),
        }
        Ok(s)
    }

    /// Parses the JSON form, rejecting unknown fields by name, and validates the config.
    pub fn from_json(text: &str) -> Result<Self, ScenarioError> {
        let file: ScenarioFile = serde_json::from_str(text).map_err(|e| ScenarioError::Parse(e.to_string()))?;
        file.config.validate().map_err(ScenarioError::Config)?;
        let mut commands: Vec<(u64, Command)> =
            file.commands.into_iter().map(|c| (c.at_ms.saturating_mul(MS), c.command)).collect();
        commands.sort_by_key(|(at_us, _)| *at_us);
        Ok(Self { config: file.config, commands })
    }

    /// Runs for `duration_us` of simulated time, applying each command at its time (those
    /// after the end are skipped). `mode` and `seed` override the config's when given.
    pub fn run(&self, mode: Option<Mode>, seed: Option<u64>, duration_us: u64) -> Result<Sim, ScenarioError> {
        let mut config = self.config.clone();
        config.mode = mode.unwrap_or(config.mode);
        config.seed = seed.unwrap_or(config.seed);
        let mut sim = Sim::new(config).map_err(ScenarioError::Config)?;
        for (at_us, command) in self.commands.iter().take_while(|(at_us, _)| *at_us <= duration_us) {
            sim.apply_at(*at_us, command.clone()).map_err(|error| ScenarioError::Rejected {
                at_us: *at_us,
                command: command.clone(),
                error,
            })?;
        }
        sim.run_until(duration_us);
        Ok(sim)
    }
}

/// Runs the fixed reference story (stateful, seed 42: crash Server 1 at 5 s, misroute User B
/// at 8 s, add a server at 12 s, go stateless at 15 s, stop at 30 s) and returns its trace hash.
pub fn reference_trace_hash() -> u64 {
    reference_scenario().run(None, None, 30 * SEC).expect("the reference story applies every command").trace_hash()
}

/// The story behind [`REFERENCE_TRACE_HASH`], run for 30 s: a crash, a misroute, a new server and
/// a switch to stateless mode. Other targets replay it to check they agree with this one.
pub fn reference_scenario() -> Scenario {
    Scenario {
        config: SimConfig { seed: 42, mode: Mode::Stateful, ..SimConfig::default() },
        commands: vec![
            (5 * SEC, Command::CrashServer { server: ServerId(0) }),
            (8 * SEC, Command::Misroute { user: UserId(1) }),
            (12 * SEC, Command::AddServer),
            (15 * SEC, Command::SetMode { mode: Mode::Stateless }),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_loads_and_runs() {
        for name in BUILTIN {
            let sim = Scenario::builtin(name).unwrap().run(None, None, 12 * SEC).unwrap();
            assert!(sim.totals().issued > 0, "{name}");
        }
        assert!(matches!(Scenario::builtin("nope"), Err(ScenarioError::UnknownName(_))));
    }

    #[test]
    fn the_json_form_carries_config_and_timed_commands() {
        let s = Scenario::from_json(
            r#"{ "config": { "servers": 4 },
                 "commands": [ { "at_ms": 2000, "cmd": "add_server" },
                               { "at_ms": 1000, "cmd": "crash_server", "server": 1 } ] }"#,
        )
        .unwrap();
        assert_eq!(s.config.servers, 4);
        assert_eq!(
            s.commands,
            [(1_000 * MS, Command::CrashServer { server: ServerId(1) }), (2_000 * MS, Command::AddServer)]
        );
        let sim = s.run(Some(Mode::Stateless), Some(9), 3 * SEC).unwrap();
        assert_eq!((sim.mode(), sim.config().seed, sim.commands().len()), (Mode::Stateless, 9, 2));
    }

    #[test]
    fn bad_json_names_the_field() {
        let err = Scenario::from_json(r#"{ "config": { "sevrers": 4 } }"#).unwrap_err();
        assert!(err.to_string().contains("sevrers"), "{err}");
        let err =
            Scenario::from_json(r#"{ "commands": [ { "at_ms": 1, "cmd": "crash_server", "srv": 0 } ] }"#).unwrap_err();
        assert!(err.to_string().contains("srv"), "{err}");
        let err = Scenario::from_json(r#"{ "config": { "servers": 0 } }"#).unwrap_err();
        assert!(err.to_string().contains("servers must be between 1 and 64"), "{err}");
    }

    #[test]
    fn a_refused_command_is_reported_with_its_time() {
        let s = Scenario::from_json(r#"{ "commands": [ { "at_ms": 1500, "cmd": "crash_server", "server": 9 } ] }"#)
            .unwrap();
        let err = s.run(None, None, 2 * SEC).err().expect("server 10 does not exist");
        assert_eq!(err.to_string(), "at 1500 ms, \"crash Server 10\" was refused: there is no Server 10");
    }

    #[test]
    fn the_reference_run_has_the_recorded_hash() {
        assert_eq!(reference_trace_hash(), REFERENCE_TRACE_HASH, "got {:#018x}", reference_trace_hash());
    }
}
