//! Properties that hold for any run: random small systems, random commands at random times,
//! checked after every single agenda step.

use proptest::prelude::*;
use std::collections::BTreeSet;

use statelab_sim::config::AutoscalerConfig;
use statelab_sim::engine::RECENT_COMPLETED;
use statelab_sim::event::{EventKind, LogoutReason};
use statelab_sim::store::StoreKind;
use statelab_sim::time::{MS, SEC};
use statelab_sim::user::SessionHome;
use statelab_sim::{Command, LbAlgorithm, Mode, Node, Pattern, ServerId, ServerState, Sim, SimConfig, UserId};

/// Simulated length of every case.
const RUN_US: u64 = 30 * SEC;

/// 256 cases unless `PROPTEST_CASES` says otherwise (`scripts/proptest-long.sh` asks for
/// 10,000): proptest's default config reads it.
fn cases() -> ProptestConfig {
    // The crash property skips runs whose warm-up already took its server down or left it no
    // session; they are a minority, but a 10,000-case run skips more than the default allows.
    ProptestConfig { max_global_rejects: 1_000_000, ..ProptestConfig::default() }
}

/// A small system, so hundreds of cases stay fast.
#[derive(Clone, Debug)]
struct Setup {
    seed: u64,
    mode: Mode,
    servers: u32,
    users: u32,
    rate_per_s: u32,
    health_check_ms: u32,
    history_s: u32,
    event_log: u32,
}

impl Setup {
    fn config(&self) -> SimConfig {
        let mut cfg = SimConfig {
            seed: self.seed,
            mode: self.mode,
            servers: self.servers,
            users: self.users,
            products: 50,
            history_s: self.history_s,
            event_log: self.event_log,
            ..SimConfig::default()
        };
        cfg.traffic.rate_per_s = self.rate_per_s;
        cfg.balancer.health_check_ms = self.health_check_ms;
        cfg.server.queue = 16;
        cfg.server.boot_ms = 1_000;
        cfg.relogin_ms = (500, 2_000);
        cfg
    }
}

fn setup(mode: impl Strategy<Value = Mode>) -> impl Strategy<Value = Setup> {
    (any::<u64>(), mode, 1..=4u32, 2..=30u32, 5..=120u32, prop_oneof![Just(0u32), 100..=1_000u32], 3..=12u32).prop_map(
        |(seed, mode, servers, users, rate_per_s, health_check_ms, history_s)| Setup {
            seed,
            mode,
            servers,
            users,
            rate_per_s,
            health_check_ms,
            history_s,
            // Big enough to hold everything one command emits, small enough to wrap often.
            event_log: 4 * users + 100,
        },
    )
}

fn any_mode() -> impl Strategy<Value = Mode> {
    prop_oneof![Just(Mode::Stateful), Just(Mode::Stateless)]
}

fn server() -> impl Strategy<Value = ServerId> {
    (0..8u32).prop_map(ServerId)
}

fn user() -> impl Strategy<Value = UserId> {
    (0..32u32).prop_map(UserId)
}

/// What changes servers and routing, none of which may cost a stateless user their session.
fn server_command() -> impl Strategy<Value = Command> {
    prop_oneof![
        3 => server().prop_map(|server| Command::CrashServer { server }),
        2 => server().prop_map(|server| Command::RestartServer { server }),
        2 => Just(Command::AddServer),
        2 => server().prop_map(|server| Command::RemoveServer { server }),
        3 => user().prop_map(|user| Command::Misroute { user }),
        1 => proptest::sample::select(LbAlgorithm::ALL.to_vec()).prop_map(|algorithm| Command::SetAlgorithm { algorithm }),
        1 => prop_oneof![Just(0u32), 100..=1_000u32].prop_map(|interval_ms| Command::SetHealthCheck { interval_ms }),
        1 => any::<bool>().prop_map(|enabled| Command::SetAutoscaling {
            policy: AutoscalerConfig { enabled, interval_ms: 2_000, cooldown_ms: 2_000, ..AutoscalerConfig::default() },
        }),
    ]
}

/// Any command at all, with targets that are sometimes valid and sometimes not.
fn any_command() -> impl Strategy<Value = Command> {
    let node = 0..5u32;
    prop_oneof![
        8 => server_command(),
        1 => any_mode().prop_map(|mode| Command::SetMode { mode }),
        1 => (0..=200u32, proptest::sample::select(Pattern::ALL.to_vec()))
            .prop_map(|(rate_per_s, pattern)| Command::SetTraffic { rate_per_s, pattern }),
        1 => Just(Command::Spike),
        1 => any::<bool>().prop_map(|enabled| Command::SetCacheEnabled { enabled }),
        1 => Just(Command::CrashCache),
        1 => Just(Command::RestartCache),
        1 => (proptest::sample::select(StoreKind::ALL.to_vec()), any::<bool>(), any::<bool>())
            .prop_map(|(kind, persistence, replica)| Command::SetSessionStore { kind, persistence, replica }),
        1 => Just(Command::CrashSessionStore),
        1 => Just(Command::RestartSessionStore),
        1 => node.clone().prop_map(|node| Command::CrashDbNode { node }),
        1 => node.clone().prop_map(|node| Command::RestartDbNode { node }),
        1 => node.clone().prop_map(|node| Command::PromoteReplica { node }),
        1 => Just(Command::AddReplica),
        1 => node.prop_map(|node| Command::RemoveReplica { node }),
        1 => (0..500u32, 0..500u32).prop_map(|(a, b)| Command::SetReplicationLag { min_ms: a.min(b), max_ms: a.max(b) }),
    ]
}

/// Commands at random times over the run, in time order.
fn timeline(command: impl Strategy<Value = Command>) -> impl Strategy<Value = Vec<(u64, Command)>> {
    proptest::collection::vec((0..RUN_US / MS, command), 0..16).prop_map(|mut cmds| {
        cmds.sort_by_key(|(at_ms, _)| *at_ms);
        cmds.into_iter().map(|(at_ms, c)| (at_ms * MS, c)).collect()
    })
}

/// Balancer's view as a bit set over server ids, to notice when it changes.
fn marks(sim: &Sim) -> u128 {
    sim.servers()
        .iter()
        .filter(|s| sim.balancer().is_marked_up(s.id))
        .fold(0, |m, s| m | 1u128.checked_shl(s.id.0).expect("fewer than 128 servers"))
}

/// Runs a case, checking the invariants after every step and every command.
struct Checker {
    sim: Sim,
    /// Time at which the balancer's view last changed: routes made at that very instant may
    /// predate the change, so they are not judged against the new view.
    marks_changed_at_us: Option<u64>,
    marks: u128,
}

impl Checker {
    fn new(cfg: SimConfig) -> Self {
        let sim = Sim::new(cfg).unwrap();
        let marks = marks(&sim);
        Self { sim, marks_changed_at_us: None, marks }
    }

    fn check(&mut self) -> Result<(), TestCaseError> {
        let sim = &self.sim;
        let now = sim.now_us();
        let t = sim.totals();
        prop_assert_eq!(t.issued, t.completed + t.failed + u64::from(sim.in_flight()), "requests leaked at {}", now);
        prop_assert_eq!(sim.requests().count(), sim.in_flight() as usize);
        prop_assert_eq!(t.failed, t.failed_by_reason.iter().sum::<u64>());
        prop_assert!(sim.metrics().samples().len() <= sim.config().history_s as usize);
        prop_assert!(sim.events().len() <= sim.config().event_log as usize);
        prop_assert!(sim.completed().len() <= RECENT_COMPLETED);
        prop_assert_eq!(sim.routes_to_marked_down(), 0);
        // Every session lives in one place, which knows it, and belongs to a user who holds it.
        let users = sim.users();
        let in_store = users.iter().filter(|u| u.home == SessionHome::Store).count() as u32;
        prop_assert_eq!(sim.store().sessions, in_store, "sessions counted in the store at {}", now);
        for u in users {
            match u.home {
                SessionHome::Server(s) => {
                    prop_assert!(
                        sim.server(s).is_some_and(|v| v.sessions.contains(&u.id)),
                        "{} not on {} at {}",
                        u.id,
                        s,
                        now
                    )
                }
                SessionHome::Store => prop_assert_eq!(sim.mode(), Mode::Stateless),
                SessionHome::None => {}
            }
            prop_assert!(
                u.home == SessionHome::None || u.session.is_some(),
                "{} has a session home, not a session, at {}",
                u.id,
                now
            );
        }
        let held: usize = sim.servers().iter().map(|v| v.sessions.len()).sum();
        prop_assert_eq!(held, users.iter().filter(|u| matches!(u.home, SessionHome::Server(_))).count());
        let marks = marks(sim);
        if marks != self.marks {
            self.marks = marks;
            self.marks_changed_at_us = Some(now);
        }
        if self.marks_changed_at_us != Some(now) {
            for r in sim.requests() {
                if let (Node::Balancer, Node::Server(s)) = (r.hop.from, r.hop.to) {
                    if r.hop.start_us == now {
                        prop_assert!(sim.balancer().is_marked_up(s), "request {} sent to {}, marked down", r.id, s);
                    }
                }
            }
        }
        Ok(())
    }

    fn run_until(&mut self, t_us: u64) -> Result<(), TestCaseError> {
        while self.sim.next_event_us().is_some_and(|at| at <= t_us) {
            self.sim.step();
            self.check()?;
        }
        self.sim.run_until(t_us);
        Ok(())
    }

    /// Applies a command and checks what it did on the spot.
    fn apply(&mut self, cmd: &Command) -> Result<(), TestCaseError> {
        let sim = &mut self.sim;
        let before = (sim.totals(), sim.events().total(), sim.commands().len());
        let crash_victims: Option<BTreeSet<UserId>> = match cmd {
            Command::CrashServer { server } => Some(
                sim.users()
                    .iter()
                    .filter(|u| u.home == SessionHome::Server(*server) && u.is_logged_in())
                    .map(|u| u.id)
                    .collect(),
            ),
            _ => None,
        };
        if sim.apply(cmd.clone()).is_err() {
            prop_assert_eq!(before, (sim.totals(), sim.events().total(), sim.commands().len()), "refused {}", cmd);
            return self.check();
        }
        let emitted = sim.events().total() - before.1;
        prop_assert!(emitted <= sim.events().len() as u64, "the log must hold everything one command emitted");
        if let (Some(victims), Command::CrashServer { server }) = (crash_victims, cmd) {
            let mut logged_out = BTreeSet::new();
            for e in sim.events().since(before.1) {
                if let EventKind::LoggedOut { user, reason } = e.kind {
                    prop_assert_eq!(reason, LogoutReason::ServerCrashed(*server));
                    prop_assert!(logged_out.insert(user), "{} logged out twice", user);
                }
            }
            prop_assert_eq!(&logged_out, &victims, "a crash logs out exactly the users it held");
            prop_assert_eq!(sim.totals().logouts - before.0.logouts, victims.len() as u64);
        }
        self.check()
    }
}

/// Plays the timeline with every check, then replays it plainly; both must hash alike.
fn play(cfg: SimConfig, timeline: &[(u64, Command)]) -> Result<Sim, TestCaseError> {
    let mut checker = Checker::new(cfg.clone());
    for (at_us, cmd) in timeline {
        checker.run_until(*at_us)?;
        checker.apply(cmd)?;
    }
    checker.run_until(RUN_US)?;

    let mut replay = Sim::new(cfg).unwrap();
    for (at_us, cmd) in timeline {
        replay.run_until(*at_us);
        let _ = replay.apply(cmd.clone());
    }
    replay.run_until(RUN_US);
    prop_assert_eq!(replay.trace_hash(), checker.sim.trace_hash(), "one seed and one command list, one run");
    prop_assert_eq!(replay.commands(), checker.sim.commands());
    prop_assert_eq!(replay.totals(), checker.sim.totals());
    Ok(checker.sim)
}

proptest! {
    #![proptest_config(cases())]

    /// Conservation, bounded rings, a balancer that never uses a server it marked down,
    /// crash logouts that match the sessions on the server, and determinism.
    #[test]
    fn any_command_sequence_keeps_the_invariants(setup in setup(any_mode()), timeline in timeline(any_command())) {
        play(setup.config(), &timeline)?;
    }

    /// With sessions in a healthy shared store, no server event can log anybody out.
    #[test]
    fn stateless_servers_come_and_go_without_logging_anybody_out(
        setup in setup(Just(Mode::Stateless)),
        timeline in timeline(server_command()),
    ) {
        let sim = play(setup.config(), &timeline)?;
        prop_assert_eq!(sim.totals().logouts, 0);
        prop_assert_eq!(sim.logged_out(), 0);
        let logouts = sim.events().since(0).filter(|e| matches!(e.kind, EventKind::LoggedOut { .. })).count();
        prop_assert_eq!(logouts, 0);
    }

    /// A stateful crash at a random moment logs out exactly the logged-in users it held.
    #[test]
    fn a_stateful_crash_logs_out_exactly_its_users(
        setup in setup(Just(Mode::Stateful)),
        warmup in timeline(server_command()),
        crash_at_ms in 0..RUN_US / MS,
        server in server(),
    ) {
        let mut checker = Checker::new(setup.config());
        let crash_at_us = crash_at_ms * MS;
        for (at_us, cmd) in warmup.iter().take_while(|(at_us, _)| *at_us < crash_at_us) {
            checker.run_until(*at_us)?;
            checker.apply(cmd)?;
        }
        checker.run_until(crash_at_us)?;
        // One of the servers the run started with, running and holding a logged-in user's
        // session: else the crash is refused or has no victim, and would prove nothing.
        let server = ServerId(server.0 % setup.servers);
        let running = checker.sim.server(server).is_some_and(|s| s.state.is_running());
        let holds = checker.sim.users().iter().any(|u| u.home == SessionHome::Server(server) && u.is_logged_in());
        prop_assume!(running && holds);
        checker.apply(&Command::CrashServer { server })?;
        prop_assert_eq!(checker.sim.server(server).map(|s| s.state), Some(ServerState::Crashed));
    }
}
