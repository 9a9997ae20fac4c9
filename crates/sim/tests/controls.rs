//! What the page's controls send must do what their labels say, however often they are moved.

use statelab_sim::config::limits;
use statelab_sim::time::SEC;
use statelab_sim::traffic::Pattern;
use statelab_sim::{
    Command, CommandError, EventKind, FailReason, Mode, ServerId, ServerState, Sim, SimConfig, StoreKind,
};

fn sim() -> Sim {
    let mut cfg = SimConfig { seed: 3, mode: Mode::Stateless, ..SimConfig::default() };
    // Above a fifth of the spike's floor, so a spike is five times the rate.
    cfg.traffic.rate_per_s = 400;
    Sim::new(cfg).unwrap()
}

/// What the rate slider sends: the new rate with the pattern the page shows.
fn move_rate_slider(s: &mut Sim, rate_per_s: u32) {
    let pattern = s.snapshot(0).pattern;
    s.apply(Command::SetTraffic { rate_per_s, pattern }).unwrap();
}

#[test]
fn a_spike_ends_as_steady_traffic_and_moving_the_rate_later_starts_no_new_one() {
    let mut s = sim();
    s.run_until(2 * SEC);
    s.apply(Command::Spike).unwrap();
    s.run_until(10 * SEC);
    assert_eq!(s.snapshot(0).pattern, Pattern::Spike);
    assert_eq!(s.snapshot(0).rate_per_s, 2_000);
    assert_eq!(s.snapshot(0).spike_left_s, Some(22));
    s.run_until(40 * SEC);
    assert_eq!(s.snapshot(0).spike_left_s, None);
    assert_eq!(s.snapshot(0).pattern, Pattern::Steady, "the spike is over after 30 s");
    move_rate_slider(&mut s, 120);
    s.run_until(45 * SEC);
    assert_eq!(s.snapshot(0).rate_per_s, 120, "the slider set a rate, not a second spike");
}

#[test]
fn moving_the_rate_during_a_spike_keeps_its_end() {
    let mut s = sim();
    s.apply(Command::Spike).unwrap();
    s.run_until(20 * SEC);
    move_rate_slider(&mut s, 320);
    assert_eq!(s.snapshot(0).rate_per_s, 1_600, "five times the new rate while the spike lasts");
    s.run_until(31 * SEC);
    assert_eq!(s.snapshot(0).rate_per_s, 320, "the spike still ends 30 s after it began");
}

#[test]
fn the_spike_button_always_starts_a_fresh_spike() {
    let mut s = sim();
    s.apply(Command::Spike).unwrap();
    s.run_until(25 * SEC);
    s.apply(Command::Spike).unwrap();
    s.run_until(50 * SEC);
    assert_eq!(s.snapshot(0).rate_per_s, 2_000);
}

#[test]
fn restarting_a_removed_server_respects_the_server_cap() {
    let mut s = sim();
    s.run_until(SEC);
    s.apply(Command::RemoveServer { server: ServerId(0) }).unwrap();
    s.run_until(60 * SEC);
    assert_eq!(s.server(ServerId(0)).unwrap().state, ServerState::Stopped);
    while s.apply(Command::AddServer).is_ok() {}
    let running = s.servers().iter().filter(|x| x.state != ServerState::Stopped).count() as u32;
    assert_eq!(running, limits::SERVERS);
    assert_eq!(s.apply(Command::RestartServer { server: ServerId(0) }), Err(CommandError::TooManyServers));
}

#[test]
fn the_snapshot_shows_the_replication_lag_in_force() {
    let mut s = sim();
    let configured = s.config().database.lag_ms;
    assert_eq!(s.snapshot(0).replication_lag_ms, configured);
    s.apply(Command::SetReplicationLag { min_ms: 500, max_ms: 2_000 }).unwrap();
    assert_eq!(s.snapshot(0).replication_lag_ms, (500, 2_000));
}

#[test]
fn a_request_rerouted_by_a_crash_keeps_its_true_latency() {
    let mut s = sim();
    let (mut checked, mut retried) = (0, 0);
    for at in [5, 6, 7, 8] {
        s.run_until(at * SEC);
        let victim = s.servers().iter().find(|x| x.state == ServerState::Healthy).unwrap().id;
        let (cursor, retries) = (s.events().total(), s.totals().retries);
        s.apply(Command::CrashServer { server: victim }).unwrap();
        // Long enough for every rerouted request to finish, short enough for the rings to
        // still hold them all.
        s.run_until(at * SEC + 200 * statelab_sim::time::MS);
        retried += s.totals().retries - retries;
        for e in s.events().since(cursor) {
            let EventKind::RequestDone { req, latency_us, .. } = e.kind else { continue };
            let c = s.completed().iter().find(|c| c.id == req).expect("still in the ring");
            assert_eq!(c.breakdown.total_us(), latency_us, "request {req} was cut short by a stale step");
            checked += 1;
        }
        s.apply(Command::RestartServer { server: victim }).unwrap();
    }
    assert!(checked > 20, "checked {checked}");
    assert!(retried > 0, "the crashes rerouted requests");
}

#[test]
fn auto_scaling_replaces_a_crashed_server_and_never_drains_the_last_healthy_one() {
    let mut cfg = SimConfig { seed: 5, mode: Mode::Stateless, ..SimConfig::default() };
    cfg.autoscaler.enabled = true;
    cfg.autoscaler.min_servers = 2;
    let mut s = Sim::new(cfg).unwrap();
    s.run_until(SEC);
    s.apply(Command::CrashServer { server: ServerId(0) }).unwrap();
    s.apply(Command::CrashServer { server: ServerId(1) }).unwrap();
    for t in 2..120 {
        s.run_until(t * SEC);
        let healthy = s.servers().iter().filter(|x| x.state == ServerState::Healthy).count();
        assert!(healthy >= 1, "no healthy server at {t} s");
    }
    let serving = s.servers().iter().filter(|x| x.state.accepts()).count();
    assert!(serving >= 2, "the minimum of two is restored, got {serving}");
    assert_eq!(s.totals().logouts, 0);
}

#[test]
fn removing_the_last_healthy_server_is_refused_even_with_a_crashed_one_left() {
    let mut s = sim();
    s.apply(Command::CrashServer { server: ServerId(0) }).unwrap();
    s.apply(Command::RemoveServer { server: ServerId(1) }).unwrap();
    assert_eq!(s.apply(Command::RemoveServer { server: ServerId(2) }), Err(CommandError::LastServer));
    // A crashed server costs no capacity: it may go even when nothing else serves.
    s.apply(Command::CrashServer { server: ServerId(2) }).unwrap();
    s.apply(Command::RemoveServer { server: ServerId(0) }).unwrap();
}

#[test]
fn a_long_queue_that_fails_at_once_does_not_overflow_the_stack() {
    let mut cfg = SimConfig { seed: 1, mode: Mode::Stateless, servers: 1, ..SimConfig::default() };
    cfg.server.workers = 1;
    cfg.server.queue = 10_000;
    cfg.server.timeout_ms = 1;
    cfg.traffic.rate_per_s = limits::RATE_PER_S;
    let mut s = Sim::new(cfg).unwrap();
    s.run_until(3 * SEC);
    assert!(s.totals().failed > 10_000, "the queue timed out in bulk: {}", s.totals().failed);
}

#[test]
fn a_request_that_timed_out_in_the_queue_is_not_counted_as_served() {
    let mut cfg = SimConfig { seed: 2, mode: Mode::Stateless, servers: 1, ..SimConfig::default() };
    cfg.server.workers = 1;
    cfg.server.queue = 10_000;
    cfg.server.timeout_ms = 50;
    cfg.traffic.rate_per_s = 2_000;
    let mut s = Sim::new(cfg).unwrap();
    s.run_until(10 * SEC);
    let t = s.totals();
    let timed_out = t.failed_by_reason[statelab_sim::FailReason::Timeout as usize];
    assert!(timed_out > 1_000, "the queue overflowed its timeout: {timed_out}");
    let served: u64 = s.servers().iter().map(|v| v.served).sum();
    // A request counts as served once answered.
    assert!(
        served <= t.completed + u64::from(s.in_flight()),
        "served {served}, completed {}, in flight {}",
        t.completed,
        s.in_flight()
    );
    assert!(served > 0);
}

#[test]
fn a_misroute_waits_for_a_request_that_carries_a_session() {
    let mut cfg = SimConfig { seed: 8, mode: Mode::Stateful, start_logged_in: false, ..SimConfig::default() };
    // Above a fifth of the spike's floor, so a spike is five times the rate.
    cfg.traffic.rate_per_s = 400;
    let mut s = Sim::new(cfg).unwrap();
    let user = statelab_sim::UserId(0);
    s.apply(Command::Misroute { user }).unwrap();
    // The log keeps recent events only: read it as the run goes.
    let (mut cursor, mut seen) = (0, Vec::new());
    for t in 1..=120 {
        s.run_until(t * SEC);
        for e in s.events().since(cursor) {
            match e.kind {
                EventKind::LoggedIn { user: u, .. } if u == user => seen.push("logged in"),
                EventKind::Misrouted { user: u, .. } if u == user => seen.push("misrouted"),
                _ => {}
            }
        }
        cursor = s.events().total();
    }
    assert_eq!(seen.first(), Some(&"logged in"), "the login went to the user's own server: {seen:?}");
    assert!(seen.contains(&"misrouted"), "then a request of theirs went astray: {seen:?}");
}

#[test]
fn the_server_just_removed_can_be_restarted() {
    let mut s = sim();
    for _ in 0..6 {
        s.apply(Command::AddServer).unwrap();
    }
    s.run_until(20 * SEC);
    for id in 0..6 {
        s.apply(Command::RemoveServer { server: ServerId(id) }).unwrap();
        s.run_until(s.now_us() + 10 * SEC);
        assert_eq!(s.server(ServerId(id)).map(|x| x.state), Some(ServerState::Stopped));
    }
    s.apply(Command::RestartServer { server: ServerId(5) }).unwrap();
}

#[test]
fn a_command_is_logged_before_what_it_causes() {
    let mut s = Sim::new(SimConfig { seed: 3, mode: Mode::Stateful, ..SimConfig::default() }).unwrap();
    s.run_until(5 * SEC);
    let from = s.events().total();
    s.apply(Command::CrashServer { server: ServerId(0) }).unwrap();
    let kinds: Vec<&EventKind> = s.events().since(from).map(|e| &e.kind).collect();
    assert!(kinds.len() > 2, "the crash logged its consequences too: {kinds:?}");
    assert!(matches!(kinds[0], EventKind::Command { cmd: Command::CrashServer { .. }, .. }), "{kinds:?}");
    assert!(kinds[1..].iter().any(|k| matches!(k, EventKind::LoggedOut { .. })), "{kinds:?}");

    let from = s.events().total();
    assert!(s.apply(Command::CrashServer { server: ServerId(0) }).is_err());
    assert_eq!(s.events().total(), from, "a refused command logs nothing");
}

#[test]
fn after_a_promotion_the_feed_names_the_replica_and_the_snapshot_lists_replicas_by_number() {
    let mut s = sim();
    s.run_until(2 * SEC);
    s.apply(Command::CrashDbNode { node: 0 }).unwrap();
    let from = s.events().total();
    s.apply(Command::PromoteReplica { node: 1 }).unwrap();
    let told = s.events().since(from).next().map(|e| e.to_string()).unwrap_or_default();
    assert!(told.ends_with("You: promote Replica 1 to master."), "{told}");
    s.apply(Command::RestartDbNode { node: 0 }).unwrap();
    let order: Vec<(bool, u32)> =
        s.snapshot(0).db.iter().map(|n| (n.role == statelab_sim::database::DbRole::Master, n.number)).collect();
    assert_eq!(order.len(), 3);
    assert!(order[0].0, "the master first: {order:?}");
    assert!(order[1].1 < order[2].1, "then the replicas by number: {order:?}");
}

#[test]
fn a_crash_tells_the_lost_sessions_before_the_requests_it_rerouted_or_failed() {
    for mode in [Mode::Stateful, Mode::Stateless] {
        let mut cfg = SimConfig { seed: 5, mode, ..SimConfig::default() };
        cfg.traffic.rate_per_s = 400;
        let mut s = Sim::new(cfg).unwrap();
        s.run_until(3 * SEC);
        let from = s.events().total();
        s.apply(Command::CrashServer { server: ServerId(0) }).unwrap();
        let kinds: Vec<EventKind> = s.events().since(from).map(|e| e.kind.clone()).collect();
        let lost = kinds.iter().position(|k| matches!(k, EventKind::SessionsLost { .. }));
        let rerouted =
            kinds.iter().position(|k| matches!(k, EventKind::Retried { .. } | EventKind::RequestFailed { .. }));
        let (Some(lost), Some(rerouted)) = (lost, rerouted) else {
            panic!("{mode}: a busy server's crash loses sessions and cuts requests: {kinds:?}")
        };
        assert!(lost < rerouted, "{mode}: {kinds:?}");
        assert!(matches!(kinds[1], EventKind::ServerState { state: ServerState::Crashed, .. }), "{kinds:?}");
    }
}

#[test]
fn a_store_crash_is_told_before_the_logouts_it_causes() {
    let mut s = sim();
    s.run_until(3 * SEC);
    let from = s.events().total();
    s.apply(Command::CrashSessionStore).unwrap();
    let kinds: Vec<EventKind> = s.events().since(from).map(|e| e.kind.clone()).collect();
    assert!(matches!(kinds[1], EventKind::StoreDown { lost: 1.., .. }), "{kinds:?}");
    assert!(kinds[2..].iter().all(|k| matches!(k, EventKind::LoggedOut { .. })) && kinds.len() > 2, "{kinds:?}");
}

#[test]
fn a_replica_is_added_only_while_the_master_is_up_to_copy_from() {
    let mut s = sim();
    s.run_until(2 * SEC);
    s.apply(Command::CrashDbNode { node: 0 }).unwrap();
    let replicas = s.snapshot(0).db.len();
    assert_eq!(s.apply(Command::AddReplica), Err(CommandError::NoMasterToCopy));
    assert_eq!(s.snapshot(0).db.len(), replicas, "no node was added");
    s.apply(Command::PromoteReplica { node: 1 }).unwrap();
    s.apply(Command::AddReplica).unwrap();
    assert_eq!(s.snapshot(0).db.len(), replicas + 1, "a promoted master is one to copy from");
}

#[test]
fn a_replica_down_through_writes_is_promoted_only_once_it_caught_up() {
    let mut cfg = SimConfig { seed: 4, mode: Mode::Stateful, ..SimConfig::default() };
    cfg.traffic.rate_per_s = 400;
    let mut s = Sim::new(cfg).unwrap();
    s.run_until(SEC);
    s.apply(Command::CrashDbNode { node: 1 }).unwrap();
    let written = s.snapshot(0).totals.db_writes;
    s.run_until(20 * SEC);
    assert!(s.snapshot(0).totals.db_writes > written, "checkouts were written while it was down");
    s.apply(Command::CrashDbNode { node: 0 }).unwrap();
    s.apply(Command::RestartDbNode { node: 1 }).unwrap();
    let node = |s: &Sim, id: u32| s.snapshot(0).db.into_iter().find(|n| n.id.0 == id).unwrap();
    assert!(node(&s, 1).up && node(&s, 1).behind, "no master to catch up from");
    assert_eq!(s.apply(Command::PromoteReplica { node: 1 }), Err(CommandError::BehindNotPromoted(1)));
    s.apply(Command::PromoteReplica { node: 2 }).unwrap();
    assert!(!node(&s, 1).behind, "it catches up from the promoted master");
    // The old master, a replica now and still down, misses the new master's writes.
    let written = s.snapshot(0).totals.db_writes;
    s.run_until(40 * SEC);
    assert!(s.snapshot(0).totals.db_writes > written);
    assert!(node(&s, 0).behind);
    s.apply(Command::RestartDbNode { node: 0 }).unwrap();
    assert!(!node(&s, 0).behind, "back up with a master to copy from, it catches up");
    s.apply(Command::PromoteReplica { node: 1 }).unwrap();
}

#[test]
fn the_standby_takes_over_once_and_the_store_then_runs_without_one() {
    let mut s = sim();
    s.apply(Command::SetSessionStore { kind: StoreKind::Redis, persistence: false, replica: true }).unwrap();
    s.run_until(2 * SEC);
    s.apply(Command::CrashSessionStore).unwrap();
    s.run_until(4 * SEC);
    let store = s.snapshot(0).store;
    assert!(store.up && !store.replica, "the standby took over and none is left");
    assert_eq!(s.snapshot(0).totals.logouts, 0);
    s.apply(Command::CrashSessionStore).unwrap();
    assert!(s.snapshot(0).totals.logouts > 0, "a second crash of memory-only Redis loses the sessions");
}

#[test]
fn switching_to_stateful_never_puts_sessions_on_a_crashed_server() {
    let mut s = sim();
    s.apply(Command::SetHealthCheck { interval_ms: 10_000 }).unwrap();
    s.run_until(SEC);
    s.apply(Command::CrashServer { server: ServerId(0) }).unwrap();
    s.run_until(1_500_000);
    s.apply(Command::SetMode { mode: Mode::Stateful }).unwrap();
    let snap = s.snapshot(0);
    assert_eq!(snap.servers[0].sessions, 0, "a dead machine holds no memory");
    assert!(snap.servers.iter().map(|v| v.sessions).sum::<u32>() > 0);
}

#[test]
fn a_store_that_is_down_keeps_its_settings_until_it_is_back() {
    let mut s = sim();
    s.apply(Command::SetSessionStore { kind: StoreKind::Redis, persistence: true, replica: false }).unwrap();
    s.run_until(2 * SEC);
    s.apply(Command::CrashSessionStore).unwrap();
    let memcached = Command::SetSessionStore { kind: StoreKind::Memcached, persistence: false, replica: false };
    assert_eq!(s.apply(memcached.clone()), Err(CommandError::StoreDown));
    s.apply(Command::RestartSessionStore).unwrap();
    assert_eq!(s.snapshot(0).totals.logouts, 0, "Redis kept the sessions on disk");
    s.apply(memcached).unwrap();
}

#[test]
fn a_misroute_waits_for_a_pool_with_another_server_to_send_it_to() {
    let mut cfg = SimConfig { seed: 8, mode: Mode::Stateful, servers: 2, ..SimConfig::default() };
    cfg.traffic.rate_per_s = 400;
    cfg.balancer.health_check_ms = 0;
    let mut s = Sim::new(cfg).unwrap();
    s.run_until(SEC);
    let user = statelab_sim::UserId(0);
    s.apply(Command::Misroute { user }).unwrap();
    s.apply(Command::CrashServer { server: ServerId(1) }).unwrap();
    let from = s.events().total();
    s.run_until(5 * SEC);
    let misrouted = |s: &Sim, from| {
        s.events().since(from).any(|e| matches!(e.kind, EventKind::Misrouted { user: u, .. } if u == user))
    };
    assert!(!misrouted(&s, from), "one server left: nowhere else to send it");
    s.apply(Command::RestartServer { server: ServerId(1) }).unwrap();
    let from = s.events().total();
    for t in 6..=60 {
        s.run_until(t * SEC);
        if misrouted(&s, from) {
            return;
        }
    }
    panic!("once the pool has two servers again, the misroute happens");
}

#[test]
fn switching_to_stateful_blames_no_logout_on_a_store_that_lost_nothing() {
    let mut cfg = SimConfig { seed: 2, mode: Mode::Stateless, users: 2_000, servers: 6, ..SimConfig::default() };
    cfg.traffic.rate_per_s = 300;
    cfg.store.kind = StoreKind::Sql;
    let mut s = Sim::new(cfg).unwrap();
    s.run_until(5 * SEC);
    let from = s.events().total();
    s.apply(Command::SetMode { mode: Mode::Stateful }).unwrap();
    s.run_until(6 * SEC);
    let blamed: Vec<String> = s
        .events()
        .since(from)
        .filter(|e| matches!(e.kind, EventKind::LoggedOut { reason: statelab_sim::LogoutReason::StoreLost, .. }))
        .map(|e| e.to_string())
        .collect();
    assert!(blamed.is_empty(), "the store kept every session: {blamed:?}");
}

#[test]
fn a_login_that_fails_after_writing_its_session_leaves_no_session_behind() {
    use statelab_sim::time::MS;
    use statelab_sim::user::SessionHome;
    // Stateless, one server: a login writes its session to the store, then its server crashes
    // and the retry finds no server. Some of these seeds hit that window.
    let mut failed_after_writing = 0;
    for k in 0..100u64 {
        let mut cfg = SimConfig {
            seed: k,
            mode: Mode::Stateless,
            servers: 1,
            users: 50,
            start_logged_in: false,
            ..SimConfig::default()
        };
        cfg.traffic.rate_per_s = 100;
        let mut s = Sim::new(cfg).unwrap();
        s.apply_at(SEC + k * MS, Command::CrashServer { server: ServerId(0) }).unwrap();
        s.run_until(3 * SEC);
        failed_after_writing += s
            .completed()
            .iter()
            .filter(|c| c.action == statelab_sim::Action::Login && c.failure.is_some() && c.breakdown.session_us() > 0)
            .count();
        let homed = s.users().iter().filter(|u| u.home == SessionHome::Store).count() as u32;
        assert_eq!(s.store().sessions, homed, "seed {k}");
        for u in s.users().iter().filter(|u| u.home != SessionHome::None) {
            assert!(
                u.is_logged_in() || u.state == statelab_sim::user::UserState::LoggingIn,
                "seed {k}: {} {:?}",
                u.id,
                u.state
            );
        }
        // A store crash loses exactly the sessions of the users it logs out.
        let before = s.totals().logouts;
        s.apply(Command::CrashSessionStore).unwrap();
        let lost = s.events().kept().iter().rev().find_map(|e| match e.kind {
            EventKind::StoreDown { lost, .. } => Some(lost),
            _ => None,
        });
        assert_eq!(lost.map(u64::from), Some(s.totals().logouts - before), "seed {k}");
    }
    assert!(failed_after_writing > 0, "the crash caught logins that had written their session");
}

#[test]
fn a_login_routed_before_a_switch_to_stateful_keeps_its_session_on_the_sticky_server() {
    use statelab_sim::balancer::{sticky_pick, Candidate};
    use statelab_sim::time::MS;
    use statelab_sim::user::SessionHome;
    for k in 0..40u64 {
        let mut cfg = SimConfig {
            seed: k,
            mode: Mode::Stateless,
            servers: 4,
            users: 400,
            start_logged_in: false,
            ..SimConfig::default()
        };
        cfg.traffic.rate_per_s = 1_200;
        let mut s = Sim::new(cfg).unwrap();
        s.apply_at(500 * MS + k * 997, Command::SetMode { mode: Mode::Stateful }).unwrap();
        s.run_until(s.now_us() + 300 * MS);
        let pool: Vec<Candidate> = s.servers().iter().map(|v| Candidate { id: v.id, connections: 0 }).collect();
        for u in s.users().iter().filter(|u| u.is_logged_in()) {
            let SessionHome::Server(home) = u.home else { panic!("seed {k}: {} has no server", u.id) };
            assert_eq!(sticky_pick(u.id, &pool).0, Some(home), "seed {k}: {}", u.id);
        }
        assert_eq!(s.totals().logouts, 0, "seed {k}: the switch itself logs nobody out");
    }
}

#[test]
fn with_the_cache_off_or_down_every_product_read_is_a_miss() {
    let mut s = sim();
    s.run_until(5 * SEC);
    assert!(s.metrics().latest().and_then(|m| m.cache_hit_pct()).is_some_and(|p| p > 0));
    for (cmd, back) in [
        (Command::SetCacheEnabled { enabled: false }, Command::SetCacheEnabled { enabled: true }),
        (Command::CrashCache, Command::RestartCache),
    ] {
        s.apply(cmd).unwrap();
        s.run_until(s.now_us() + 3 * SEC);
        let last = s.metrics().latest().unwrap();
        assert!(last.db_reads > 0 && last.cache_misses > 0, "{last:?}");
        assert_eq!(last.cache_hit_pct(), Some(0), "the chart reads 0 %, not \"no reads\"");
        s.apply(back).unwrap();
        s.run_until(s.now_us() + 3 * SEC);
    }
}

#[test]
fn a_switch_with_nowhere_to_put_the_sessions_is_told_before_the_logouts_it_causes() {
    let mut s = Sim::new(SimConfig { seed: 5, mode: Mode::Stateful, ..SimConfig::default() }).unwrap();
    s.run_until(3 * SEC);
    s.apply(Command::CrashSessionStore).unwrap();
    let from = s.events().total();
    s.apply(Command::SetMode { mode: Mode::Stateless }).unwrap();
    let kinds: Vec<EventKind> = s.events().since(from).map(|e| e.kind.clone()).collect();
    assert!(matches!(kinds[1], EventKind::ModeChanged { moved: 0, lost: 1.., .. }), "{kinds:?}");
    let logouts = &kinds[2..];
    assert!(!logouts.is_empty(), "{kinds:?}");
    assert!(
        logouts
            .iter()
            .all(|k| matches!(k, EventKind::LoggedOut { reason: statelab_sim::LogoutReason::ModeSwitch, .. })),
        "the store lost nothing: the switch had nowhere to put them: {kinds:?}"
    );
}

#[test]
fn a_retried_request_remembers_the_server_it_could_not_reach() {
    let mut cfg = SimConfig { seed: 5, mode: Mode::Stateless, ..SimConfig::default() };
    cfg.traffic.rate_per_s = 400;
    let mut s = Sim::new(cfg).unwrap();
    s.run_until(3 * SEC);
    let from = s.events().total();
    s.apply(Command::CrashServer { server: ServerId(0) }).unwrap();
    // Until the first retried request is answered, while it is among the latest completed.
    let mut until = 3 * SEC;
    while until < 5 * SEC && !s.completed().iter().any(|c| c.retried_from.is_some()) {
        until += SEC / 100;
        s.run_until(until);
    }
    let retried: Vec<(u64, ServerId, ServerId)> = s
        .events()
        .since(from)
        .filter_map(|e| match e.kind {
            EventKind::Retried { req, from, to, .. } => Some((req, from, to)),
            _ => None,
        })
        .collect();
    assert!(!retried.is_empty(), "a busy server's crash sends some requests elsewhere");
    let mut seen = 0;
    for c in s.completed().iter().filter(|c| c.retried_from.is_some()) {
        let &(_, from, to) = retried.iter().find(|r| r.0 == c.id).expect("a retry the events told");
        assert_eq!((c.retried_from, c.server), (Some(from), Some(to)));
        seen += 1;
    }
    assert!(seen > 0, "some retried request is among the latest completed");
    assert!(s.completed().iter().filter(|c| c.retried_from.is_none()).all(|c| !retried.iter().any(|r| r.0 == c.id)));
}

/// Round robin keeps its turns even while a crashed server is still in the pool: the requests
/// sent to it and retried elsewhere take turns of their own, so the two servers left share its
/// traffic evenly rather than 2 : 1.
#[test]
fn retries_away_from_a_crashed_server_leave_round_robin_even() {
    let mut cfg = SimConfig { seed: 4, mode: Mode::Stateless, users: 300, ..SimConfig::default() };
    cfg.traffic.rate_per_s = 300;
    cfg.balancer.health_check_ms = 5_000;
    let mut s = Sim::new(cfg).unwrap();
    s.run_until(2 * SEC);
    let served = |s: &Sim| s.snapshot(0).servers.iter().map(|v| v.served).collect::<Vec<_>>();
    let before = served(&s);
    s.apply(Command::CrashServer { server: ServerId(0) }).unwrap();
    s.run_until(4 * SEC + SEC * 9 / 10);
    assert!(s.totals().retries > 100, "the balancer kept sending to the crashed server: {:?}", s.totals());
    let after = served(&s);
    let (a, b) = ((after[1] - before[1]) as f64, (after[2] - before[2]) as f64);
    assert!(a.max(b) / a.min(b) < 1.2, "Server 2 took {a}, Server 3 {b}");
}

/// The trip to a server found down on arrival is its own row of the waterfall, not network
/// time: with another server up it is the retry's cost, with none it is all the request got.
#[test]
fn the_trip_to_a_down_server_is_told_apart_from_the_network() {
    for servers in [1, 3] {
        let mut cfg = SimConfig { seed: 5, mode: Mode::Stateless, servers, ..SimConfig::default() };
        cfg.traffic.rate_per_s = 400;
        let mut s = Sim::new(cfg).unwrap();
        s.run_until(3 * SEC);
        assert!(s.completed().iter().all(|c| c.breakdown.down_server_us == 0), "no server was down yet");
        s.apply(Command::CrashServer { server: ServerId(0) }).unwrap();
        let mut until = 3 * SEC;
        while until < 5 * SEC && !s.completed().iter().any(|c| c.breakdown.down_server_us > 0) {
            until += SEC / 100;
            s.run_until(until);
        }
        let lost: Vec<_> = s.completed().iter().filter(|c| c.breakdown.down_server_us > 0).collect();
        assert!(!lost.is_empty(), "{servers} servers: a request on its way to the crashed one got there");
        for c in lost {
            assert!(c.finished_us > 3 * SEC);
            match servers {
                1 => assert_eq!((c.failure, c.server), (Some(FailReason::NoServer), Some(ServerId(0))), "{c:?}"),
                _ => assert!(c.retried_from == Some(ServerId(0)) || c.failure.is_some(), "{c:?}"),
            }
            assert!(c.breakdown.network_us > 0, "the way to the balancer is still network time: {c:?}");
        }
    }
}

#[test]
fn a_crash_with_no_other_server_fails_its_requests_without_a_retry() {
    let mut cfg = SimConfig { seed: 5, mode: Mode::Stateless, servers: 1, ..SimConfig::default() };
    cfg.traffic.rate_per_s = 400;
    let mut s = Sim::new(cfg).unwrap();
    s.run_until(3 * SEC);
    let from = s.events().total();
    s.apply(Command::CrashServer { server: ServerId(0) }).unwrap();
    s.run_until(3 * SEC + SEC / 2);
    assert!(!s.events().since(from).any(|e| matches!(e.kind, EventKind::Retried { .. })), "no server to retry on");
    let failed: Vec<_> = s.completed().iter().filter(|c| c.finished_us >= 3 * SEC && c.failure.is_some()).collect();
    assert!(!failed.is_empty(), "the crash cut requests short");
    assert!(failed.iter().all(|c| c.retried_from.is_none() && c.failed_at.is_some()), "{failed:?}");
}
