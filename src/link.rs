//! A compact, URL-safe encoding of a run's command log, so "Copy link" can put the whole state
//! in the URL: seed and settings are parameters, and every command applied so far rides along
//! with its exact simulated time. Replaying them on open reproduces the run exactly.
//!
//! Format: commands joined by `~`; each is `time_us.code[.arg…]` with integer arguments only,
//! which stay unescaped in a query string.

use statelab_sim::config::AutoscalerConfig;
use statelab_sim::{Command, Keyed, ServerId, UserId};

/// A choice as a link writes it: its place among its kind's choices.
fn index_of<T: Keyed>(x: T) -> u64 {
    x.index() as u64
}

fn code_and_args(cmd: &Command) -> (&'static str, Vec<u64>) {
    use Command::*;
    let b = u64::from;
    let f = |x: bool| u64::from(x);
    match cmd {
        SetMode { mode } => ("m", vec![index_of(*mode)]),
        CrashServer { server } => ("c", vec![b(server.0)]),
        RestartServer { server } => ("r", vec![b(server.0)]),
        AddServer => ("a", vec![]),
        RemoveServer { server } => ("x", vec![b(server.0)]),
        Misroute { user } => ("w", vec![b(user.0)]),
        SetAlgorithm { algorithm } => ("l", vec![index_of(*algorithm)]),
        SetTraffic { rate_per_s, pattern } => ("t", vec![b(*rate_per_s), index_of(*pattern)]),
        Spike => ("s", vec![]),
        SetCacheEnabled { enabled } => ("k", vec![f(*enabled)]),
        CrashCache => ("kc", vec![]),
        RestartCache => ("kr", vec![]),
        SetSessionStore { kind, persistence, replica } => ("ss", vec![index_of(*kind), f(*persistence), f(*replica)]),
        CrashSessionStore => ("sc", vec![]),
        RestartSessionStore => ("sr", vec![]),
        CrashDbNode { node } => ("dc", vec![b(*node)]),
        RestartDbNode { node } => ("dr", vec![b(*node)]),
        PromoteReplica { node } => ("dp", vec![b(*node)]),
        AddReplica => ("da", vec![]),
        RemoveReplica { node } => ("dx", vec![b(*node)]),
        SetReplicationLag { min_ms, max_ms } => ("dl", vec![b(*min_ms), b(*max_ms)]),
        SetAutoscaling { policy: p } => (
            "as",
            vec![
                f(p.enabled),
                b(p.scale_out_pct),
                b(p.scale_in_pct),
                b(p.min_servers),
                b(p.max_servers),
                b(p.interval_ms),
                b(p.cooldown_ms),
            ],
        ),
        SetHealthCheck { interval_ms } => ("h", vec![b(*interval_ms)]),
    }
}

/// The `cmds=` value of a share link: every command with its exact time, so opening the link
/// replays the run to the same state.
pub fn encode(commands: &[(u64, Command)]) -> String {
    commands
        .iter()
        .map(|(at, cmd)| {
            let (code, args) = code_and_args(cmd);
            let mut item = format!("{at}.{code}");
            for a in args {
                item.push('.');
                item.push_str(&a.to_string());
            }
            item
        })
        .collect::<Vec<_>>()
        .join("~")
}

/// The choice at a link's index `i`, if there is one.
fn pick<T: Keyed>(i: u64) -> Option<T> {
    T::CHOICES.get(usize::try_from(i).ok()?).copied()
}

fn small(v: u64) -> Option<u32> {
    u32::try_from(v).ok()
}

fn flag(v: u64) -> Option<bool> {
    match v {
        0 => Some(false),
        1 => Some(true),
        _ => None,
    }
}

fn command(code: &str, a: &[u64]) -> Option<Command> {
    use Command::*;
    let arg = |i: usize| a.get(i).copied();
    let n = |i: usize| arg(i).and_then(small);
    let expect = |count: usize| (a.len() == count).then_some(());
    Some(match code {
        "m" => expect(1).and(pick(arg(0)?)).map(|mode| SetMode { mode })?,
        "c" => expect(1).and(n(0)).map(|s| CrashServer { server: ServerId(s) })?,
        "r" => expect(1).and(n(0)).map(|s| RestartServer { server: ServerId(s) })?,
        "a" => expect(0).map(|_| AddServer)?,
        "x" => expect(1).and(n(0)).map(|s| RemoveServer { server: ServerId(s) })?,
        "w" => expect(1).and(n(0)).map(|u| Misroute { user: UserId(u) })?,
        "l" => expect(1).and(pick(arg(0)?)).map(|algorithm| SetAlgorithm { algorithm })?,
        "t" => {
            expect(2)?;
            SetTraffic { rate_per_s: n(0)?, pattern: pick(arg(1)?)? }
        }
        "s" => expect(0).map(|_| Spike)?,
        "k" => expect(1).and(flag(arg(0)?)).map(|enabled| SetCacheEnabled { enabled })?,
        "kc" => expect(0).map(|_| CrashCache)?,
        "kr" => expect(0).map(|_| RestartCache)?,
        "ss" => {
            expect(3)?;
            SetSessionStore { kind: pick(arg(0)?)?, persistence: flag(arg(1)?)?, replica: flag(arg(2)?)? }
        }
        "sc" => expect(0).map(|_| CrashSessionStore)?,
        "sr" => expect(0).map(|_| RestartSessionStore)?,
        "dc" => expect(1).and(n(0)).map(|node| CrashDbNode { node })?,
        "dr" => expect(1).and(n(0)).map(|node| RestartDbNode { node })?,
        "dp" => expect(1).and(n(0)).map(|node| PromoteReplica { node })?,
        "da" => expect(0).map(|_| AddReplica)?,
        "dx" => expect(1).and(n(0)).map(|node| RemoveReplica { node })?,
        "dl" => {
            expect(2)?;
            SetReplicationLag { min_ms: n(0)?, max_ms: n(1)? }
        }
        "as" => {
            expect(7)?;
            SetAutoscaling {
                policy: AutoscalerConfig {
                    enabled: flag(arg(0)?)?,
                    scale_out_pct: n(1)?,
                    scale_in_pct: n(2)?,
                    min_servers: n(3)?,
                    max_servers: n(4)?,
                    interval_ms: n(5)?,
                    cooldown_ms: n(6)?,
                },
            }
        }
        "h" => expect(1).and(n(0)).map(|interval_ms| SetHealthCheck { interval_ms })?,
        _ => return None,
    })
}

/// Most commands a link replays; a longer log opens before the first one left out.
pub const MAX_COMMANDS: usize = 500;

/// Why a command log was refused; the page words it in its own language.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LinkError {
    /// Command `n` (from 1) is not one this page writes.
    Invalid(usize),
    /// Command `n` comes before the one ahead of it.
    Backwards(usize),
}

/// A command log as a link can replay it.
#[derive(Debug, PartialEq)]
pub struct Decoded {
    /// The first [`MAX_COMMANDS`] commands at most.
    pub commands: Vec<(u64, Command)>,
    /// When the log carries more: the time of the first one left out, before which the run
    /// must open, or it would show a moment without a command that happened.
    pub cut_at: Option<u64>,
}

/// Decodes a command log; times must not go backwards. Only [`MAX_COMMANDS`] commands are
/// read, however long the text: of the first one left out only the time counts, and a time
/// that is cut short or goes backwards there cuts the log at the last command kept.
pub fn decode(text: &str) -> Result<Decoded, LinkError> {
    let mut decoded = Decoded { commands: Vec::new(), cut_at: None };
    if text.is_empty() {
        return Ok(decoded);
    }
    let mut last = 0;
    for (i, item) in text.split('~').enumerate().take(MAX_COMMANDS + 1) {
        let n = i + 1;
        let mut parts = item.split('.');
        let at: Option<u64> = parts.next().and_then(|t| t.parse().ok());
        if n > MAX_COMMANDS {
            decoded.cut_at = Some(at.filter(|&at| at >= last).unwrap_or(last));
            break;
        }
        let at = at.ok_or(LinkError::Invalid(n))?;
        if at < last {
            return Err(LinkError::Backwards(n));
        }
        last = at;
        let code = parts.next().ok_or(LinkError::Invalid(n))?;
        let args: Vec<u64> = parts.map(|p| p.parse().map_err(|_| LinkError::Invalid(n))).collect::<Result<_, _>>()?;
        decoded.commands.push((at, command(code, &args).ok_or(LinkError::Invalid(n))?));
    }
    Ok(decoded)
}

/// One of each command, for the tests of links and of the host API.
#[cfg(test)]
pub(crate) fn every_command() -> Vec<Command> {
    use statelab_sim::{LbAlgorithm, Mode, Pattern, StoreKind};
    use Command::*;
    vec![
        SetMode { mode: Mode::Stateless },
        CrashServer { server: ServerId(0) },
        RestartServer { server: ServerId(0) },
        AddServer,
        RemoveServer { server: ServerId(2) },
        Misroute { user: UserId(5) },
        SetAlgorithm { algorithm: LbAlgorithm::LeastConnections },
        SetTraffic { rate_per_s: 250, pattern: Pattern::Diurnal },
        Spike,
        SetCacheEnabled { enabled: false },
        CrashCache,
        RestartCache,
        SetSessionStore { kind: StoreKind::Nosql, persistence: true, replica: true },
        CrashSessionStore,
        RestartSessionStore,
        CrashDbNode { node: 1 },
        RestartDbNode { node: 1 },
        PromoteReplica { node: 2 },
        AddReplica,
        RemoveReplica { node: 3 },
        SetReplicationLag { min_ms: 100, max_ms: 900 },
        SetAutoscaling { policy: AutoscalerConfig { enabled: true, ..AutoscalerConfig::default() } },
        SetHealthCheck { interval_ms: 0 },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_round_trips() {
        let log: Vec<(u64, Command)> =
            every_command().into_iter().enumerate().map(|(i, c)| (i as u64 * 1_500, c)).collect();
        let text = encode(&log);
        assert!(text.chars().all(|c| c.is_ascii_alphanumeric() || "~.".contains(c)), "{text}");
        assert_eq!(decode(&text).unwrap().commands, log);
    }

    #[test]
    fn malformed_logs_are_refused_with_a_reason() {
        assert_eq!(decode("").unwrap(), Decoded { commands: vec![], cut_at: None });
        assert_eq!(decode("5.zz"), Err(LinkError::Invalid(1)));
        assert_eq!(decode("5.c.0~3.c.1"), Err(LinkError::Backwards(2)));
        assert_eq!(decode("5.c"), Err(LinkError::Invalid(1)));
        assert_eq!(decode("5.c.99999999999"), Err(LinkError::Invalid(1)));
        assert_eq!(decode("x.c.1"), Err(LinkError::Invalid(1)));
        assert_eq!(decode("18446744073709551615.a").map(|d| d.commands.len()), Ok(1));
    }

    #[test]
    fn a_longer_log_is_read_up_to_the_first_command_left_out() {
        let log: Vec<String> = (0..MAX_COMMANDS + 40).map(|i| format!("{i}.a")).collect();
        let d = decode(&log.join("~")).unwrap();
        assert_eq!((d.commands.len(), d.commands.last().map(|c| c.0)), (MAX_COMMANDS, Some(MAX_COMMANDS as u64 - 1)));
        assert_eq!(d.cut_at, Some(MAX_COMMANDS as u64));
        // What comes after is not read at all.
        let tail = format!("{}~{}.a~junk", log[..MAX_COMMANDS].join("~"), MAX_COMMANDS);
        assert_eq!(decode(&tail).map(|d| d.cut_at), Ok(Some(MAX_COMMANDS as u64)));
        assert_eq!(decode(&log[..MAX_COMMANDS].join("~")).map(|d| d.cut_at), Ok(None));
        // A first command left out that is cut short or goes backwards cuts at the last one kept.
        let last = MAX_COMMANDS as u64 - 1;
        for bad in ["0.a", "x", ""] {
            let text = format!("{}~{bad}", log[..MAX_COMMANDS].join("~"));
            assert_eq!(decode(&text).map(|d| (d.commands.len(), d.cut_at)), Ok((MAX_COMMANDS, Some(last))), "{bad:?}");
        }
    }
}
