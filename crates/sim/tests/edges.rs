//! The model at its edges: what a removal, a slider or a crash under way must not get wrong.

use statelab_sim::config::AutoscalerConfig;
use statelab_sim::database::DbName;
use statelab_sim::request::{Action, HopKind, Watch};
use statelab_sim::snapshot::{FailsMore, Totals};
use statelab_sim::time::{MS, SEC};
use statelab_sim::traffic::{rates_by_second, Pattern, Traffic};
use statelab_sim::{Command, EventKind, FailReason, Mode, Node, ServerId, ServerState, Sim, SimConfig};

/// Stateless, cache off: every product view reads a database node.
fn reads_lab(seed: u64) -> Sim {
    let mut cfg = SimConfig { seed, mode: Mode::Stateless, servers: 4, users: 200, ..SimConfig::default() };
    cfg.traffic.rate_per_s = 400;
    cfg.cache.enabled = false;
    Sim::new(cfg).unwrap()
}

#[test]
fn removing_a_replica_sends_its_reads_under_way_elsewhere() {
    for at_ms in [5_000, 5_500] {
        let mut s = reads_lab(1);
        s.run_until(at_ms * MS);
        let reads = s.totals().db_reads;
        s.apply(Command::RemoveReplica { node: 1 }).unwrap();
        s.run_until(7 * SEC);
        assert_eq!(
            s.totals().failed_by_reason[FailReason::DbDown as usize],
            0,
            "removed at {at_ms} ms: nothing was down"
        );
        assert!(s.totals().db_reads > reads + 100, "the other nodes kept reading");
    }
}

/// Each second's reads per node add up to its reads: a node that left or was renamed keeps its share.
fn assert_reads_per_node_add_up(s: &Sim) {
    for x in s.metrics().samples() {
        let by_node: u32 = x.db_reads_by_node.iter().map(|n| n.1).sum();
        assert_eq!(by_node, x.db_reads, "second {}: {:?}", x.t_s, x.db_reads_by_node);
    }
}

#[test]
fn each_seconds_reads_per_node_add_up_across_a_replica_removal() {
    let mut s = reads_lab(1);
    s.run_until(5_500 * MS);
    s.apply(Command::RemoveReplica { node: 1 }).unwrap();
    s.run_until(8 * SEC);
    assert_reads_per_node_add_up(&s);
    let gone = &s.metrics().samples()[5].db_reads_by_node;
    assert!(
        gone.iter().any(|&(name, reads)| name == DbName::Replica(1) && reads > 0),
        "the removed replica's last second: {gone:?}"
    );
}

#[test]
fn a_promotion_mid_second_leaves_that_second_s_reads_under_the_names_that_served_them() {
    let mut s = reads_lab(1);
    s.run_until(5_500 * MS);
    s.apply(Command::PromoteReplica { node: 1 }).unwrap();
    s.run_until(7 * SEC);
    assert_reads_per_node_add_up(&s);
    let of = |second: &[(DbName, u32)], name| second.iter().filter(|n| n.0 == name).map(|n| n.1).sum::<u32>();
    let promoted = &s.metrics().samples()[5].db_reads_by_node;
    // Half a second as Replica 1, then half as the master, which the other replica relieves
    // of reads: Replica 1's line holds its reads, and the master's only what came after.
    assert!(of(promoted, DbName::Replica(1)) > 0, "{promoted:?}");
    let after = &s.metrics().samples()[6].db_reads_by_node;
    assert_eq!(of(after, DbName::Replica(1)), 0, "no Replica 1 once promoted: {after:?}");
    assert!(of(promoted, DbName::Master) < of(promoted, DbName::Replica(1)), "{promoted:?}");
}

#[test]
fn moving_the_slider_adds_no_request() {
    let issued = |commands: u32| -> u64 {
        (0..20)
            .map(|seed| {
                let mut cfg = SimConfig { seed, mode: Mode::Stateless, ..SimConfig::default() };
                cfg.traffic.rate_per_s = 2;
                let mut s = Sim::new(cfg).unwrap();
                s.run_until(SEC);
                let before = s.totals().issued;
                for i in 0..commands {
                    s.run_until(SEC + u64::from(i) * SEC / u64::from(commands.max(1)));
                    s.apply(Command::SetTraffic { rate_per_s: 2, pattern: Pattern::Steady }).unwrap();
                }
                s.run_until(2 * SEC);
                s.totals().issued - before
            })
            .sum()
    };
    let (still, moved) = (issued(0), issued(50));
    // 20 seconds at 2 requests a second either way; a request per command would add 1,000.
    assert!(moved < 80 && still < 80, "{still} requests without commands, {moved} with 50 a second");
}

#[test]
fn the_auto_scaler_is_told_before_the_server_it_boots() {
    let mut cfg = SimConfig { seed: 5, mode: Mode::Stateless, servers: 2, users: 500, ..SimConfig::default() };
    cfg.traffic.rate_per_s = 800;
    cfg.autoscaler.enabled = true;
    let mut s = Sim::new(cfg).unwrap();
    let (mut cursor, mut order) = (0, Vec::new());
    for t in 1..=20 {
        s.run_until(t * SEC);
        for e in s.events().since(cursor) {
            match e.kind {
                EventKind::ScaledOut { server, .. } => order.push(("scaled out", server)),
                EventKind::ServerState { server, state: ServerState::Booting { .. } } => {
                    order.push(("booting", server))
                }
                _ => {}
            }
        }
        cursor = s.events().total();
    }
    assert!(!order.is_empty(), "the load made it scale out");
    for pair in order.chunks(2) {
        assert!(matches!(pair, [("scaled out", a), ("booting", b)] if a == b), "{order:?}");
    }
}

#[test]
fn a_login_answered_after_its_server_crashed_is_not_counted_as_served() {
    let mut cfg = SimConfig {
        seed: 0,
        mode: Mode::Stateful,
        servers: 3,
        users: 30,
        start_logged_in: false,
        ..SimConfig::default()
    };
    cfg.traffic.rate_per_s = 200;
    cfg.relogin_ms = (100, 200);
    let mut s = Sim::new(cfg).unwrap();
    // Logins answered whose session vanished on the way back: they fail at the browser.
    let (mut cursor, mut lost_on_the_way) = (0, 0);
    let mut read = |s: &Sim| {
        lost_on_the_way += s
            .events()
            .since(cursor)
            .filter(|e| {
                matches!(e.kind, EventKind::RequestFailed { at: Node::Browser(_), reason: FailReason::SessionLost, .. })
            })
            .count();
        cursor = s.events().total();
    };
    for k in 0..20u64 {
        s.run_until((k + 1) * 500 * MS);
        let server = ServerId((k % 3) as u32);
        s.apply(Command::CrashServer { server }).unwrap();
        s.run_until((k + 1) * 500 * MS + 3 * MS);
        s.apply(Command::RestartServer { server }).unwrap();
        read(&s);
    }
    s.run_until(12 * SEC);
    read(&s);
    assert!(lost_on_the_way > 0, "a login lost its session on the way back");
    let served: u64 = s.servers().iter().map(|v| v.served).sum();
    assert!(served <= s.totals().completed, "served {served} of {} answered", s.totals().completed);
}

#[test]
fn a_replica_behind_says_when_it_has_caught_up() {
    let mut cfg = SimConfig { seed: 1, mode: Mode::Stateless, ..SimConfig::default() };
    cfg.traffic.rate_per_s = 200;
    let mut s = Sim::new(cfg).unwrap();
    s.apply(Command::CrashDbNode { node: 1 }).unwrap();
    // Checkouts write to the master while the replica is down.
    s.run_until(10 * SEC);
    s.apply(Command::CrashDbNode { node: 0 }).unwrap();
    s.apply(Command::RestartDbNode { node: 1 }).unwrap();
    assert!(s.snapshot(0).db.iter().any(|n| n.id.0 == 1 && n.behind), "no master to copy from");
    let cursor = s.events().total();
    s.apply(Command::RestartDbNode { node: 0 }).unwrap();
    let told: Vec<String> = s.events().since(cursor).map(|e| e.to_string()).collect();
    assert_eq!(
        told[1..],
        ["[10.0 s] The master database is up.", "[10.0 s] Replica 1 copied the writes it missed and now serves reads."],
        "{told:?}"
    );
    assert!(!s.snapshot(0).db.iter().any(|n| n.behind));
}

#[test]
fn a_crash_that_logs_thousands_out_keeps_the_whole_story() {
    // The app's own event log (2,000 events), and more sessions on one server than that.
    let mut s = Sim::new(SimConfig { users: 10_000, mode: Mode::Stateful, ..SimConfig::default() }).unwrap();
    s.run_until(20 * SEC);
    let from = s.events().total();
    s.apply(Command::CrashServer { server: ServerId(1) }).unwrap();
    let story: Vec<_> = s.events().narrated_since(from).map(|e| &e.kind).collect();
    let logouts = story.iter().filter(|k| matches!(k, EventKind::LoggedOut { .. })).count();
    assert!(logouts > 3_000, "server 1 held about a third of 10,000 sessions: {logouts}");
    assert_eq!(logouts as u32, s.snapshot(0).logged_out, "every logout is told");
    assert!(matches!(story[0], EventKind::Command { .. }), "the learner's click is told first: {:?}", story[0]);
}

#[test]
fn the_scaler_readout_tells_seconds_with_no_server_up_from_busy_ones() {
    let mut cfg = SimConfig { seed: 1, mode: Mode::Stateless, ..SimConfig::default() };
    cfg.autoscaler.enabled = true;
    let mut s = Sim::new(cfg).unwrap();
    s.run_until(10 * SEC);
    assert_eq!(s.autoscaler_readout().unwrap().unserved_s, 0, "three servers up");
    // Every server still running: the scaler may have let one go in the quiet start.
    let running: Vec<_> =
        s.snapshot(0).servers.iter().filter(|v| v.state == ServerState::Healthy).map(|v| v.id).collect();
    for server in running {
        s.apply(Command::CrashServer { server }).unwrap();
    }
    // The 5 s window fills with seconds that had traffic and no server, each counted 100 % busy.
    let mut seen = Vec::new();
    for step in 1..=5 {
        s.run_until(10 * SEC + step * SEC + 1);
        let r = s.autoscaler_readout().unwrap();
        let down = s.metrics().samples().iter().rev().take(r.window_s as usize);
        assert_eq!(r.unserved_s as usize, down.filter(|x| x.servers_healthy == 0).count(), "{r:?}");
        seen.push((r.unserved_s, r.mean_pct));
    }
    assert!(seen.iter().any(|&(unserved, _)| unserved > 0), "{seen:?}");
    // A server up and flat out is busy, not unserved.
    let mut cfg = SimConfig { seed: 1, mode: Mode::Stateless, servers: 1, ..SimConfig::default() };
    cfg.autoscaler = AutoscalerConfig { enabled: true, min_servers: 1, max_servers: 1, ..AutoscalerConfig::default() };
    cfg.traffic.rate_per_s = 2_000;
    let mut s = Sim::new(cfg).unwrap();
    s.run_until(8 * SEC);
    let r = s.autoscaler_readout().unwrap();
    assert_eq!(r.unserved_s, 0, "{r:?}");
    assert!(r.mean_pct >= 95, "{r:?}");
}

#[test]
fn the_scaler_readout_names_a_server_sticky_sessions_overload_under_a_calm_mean() {
    for mode in [Mode::Stateful, Mode::Stateless] {
        let mut cfg = SimConfig { seed: 1, mode, ..SimConfig::default() };
        cfg.autoscaler.enabled = true;
        let mut s = Sim::new(cfg).unwrap();
        assert_eq!(s.autoscaler_readout(), None, "no second has closed");
        s.run_until(10 * SEC);
        s.apply(Command::Spike).unwrap();
        let mut named = 0;
        for step in 1..=300 {
            s.run_until(10 * SEC + step * 100 * MS);
            let r = s.autoscaler_readout().unwrap();
            assert!((1..=5).contains(&r.window_s), "the scaler's 5 s interval: {r:?}");
            if let Some(id) = r.sticky_overload {
                let snap = s.snapshot(0);
                let v = snap.servers.iter().find(|v| v.id == id).unwrap();
                assert!(r.mean_pct < 70 && r.wait.is_none() && v.queued >= v.workers, "{r:?} {v:?}");
                named += 1;
            }
        }
        assert_eq!(named > 0, mode == Mode::Stateful, "{mode:?}: named {named} times");
    }
}

#[test]
fn stateless_fails_more_in_an_overload_as_it_is_asked_more_and_holds_workers_for_sessions() {
    let run = |mode, spike| {
        let mut s = Sim::new(SimConfig { seed: 3, mode, ..SimConfig::default() }).unwrap();
        s.run_until(10 * SEC);
        s.apply(Command::CrashServer { server: ServerId(1) }).unwrap();
        if spike {
            s.apply(Command::Spike).unwrap();
        }
        s.run_until(40 * SEC);
        s.totals()
    };
    let (sticky, shared) = (run(Mode::Stateful, true), run(Mode::Stateless, true));
    assert!(sticky.logouts > 0 && shared.failed > sticky.failed, "{sticky:?} {shared:?}");
    assert!(shared.issued > sticky.issued, "the logged-out users sent nothing meanwhile");
    // A higher share failed too: stateless servers answered fewer, each request holding its
    // worker through a session read and write at the store.
    assert!(shared.completed < sticky.completed, "{sticky:?} {shared:?}");
    assert_eq!(shared.why_failed_more(&sticky), Some(FailsMore::AskedMoreAndSessionTrips));
    let asked_more = Totals { failed: sticky.failed * 2, issued: sticky.issued * 2, ..shared };
    assert_eq!(asked_more.why_failed_more(&sticky), Some(FailsMore::AskedMore), "the same share of twice as many");
    // A few hundred more requests do not explain thousands more failures (compare view, a
    // crash, a misroute, a spike: 1.5 % more requests, 71 % more failures).
    let few_more = Totals { issued: 44_888, failed: 3_491, logouts: 20, ..sticky };
    let many_failed = Totals { issued: 45_565, failed: 5_983, ..shared };
    assert_eq!(many_failed.why_failed_more(&few_more), Some(FailsMore::SessionTrips));
    let no_logouts = Totals { logouts: 0, ..sticky };
    assert_eq!(shared.why_failed_more(&no_logouts), Some(FailsMore::SessionTrips));
    // Without the spike nothing overloads: stateless fails less, and there is nothing to explain.
    let (sticky, shared) = (run(Mode::Stateful, false), run(Mode::Stateless, false));
    assert!(shared.failed <= sticky.failed, "{sticky:?} {shared:?}");
    assert_eq!(shared.why_failed_more(&sticky), None);
}

#[test]
fn an_empty_pool_is_not_blamed_on_the_session_trips() {
    let run = |mode| {
        let mut s = Sim::new(SimConfig { seed: 3, mode, ..SimConfig::default() }).unwrap();
        s.run_until(10 * SEC);
        for id in 0..3 {
            s.apply(Command::CrashServer { server: ServerId(id) }).unwrap();
        }
        s.run_until(40 * SEC);
        s.totals()
    };
    let (sticky, shared) = (run(Mode::Stateful), run(Mode::Stateless));
    assert!(shared.failed > sticky.failed, "{sticky:?} {shared:?}");
    assert_eq!(shared.failed_by_reason[FailReason::QueueFull as usize], 0, "nothing was overloaded");
    assert_eq!(shared.why_failed_more(&sticky), Some(FailsMore::AskedMore));
}

#[test]
fn a_watched_request_is_kept_however_many_finish_after_it() {
    let mut cfg = SimConfig::default();
    cfg.traffic.rate_per_s = 50_000;
    let mut s = Sim::new(cfg).unwrap();
    s.run_until(2 * SEC);
    let id = s.requests().map(|r| r.id).min().expect("requests in flight");
    s.watch(Watch::Exact(id));
    let from = s.totals().issued;
    let mut next = s.clone();
    next.watch(Watch::Next);
    s.run_until(3 * SEC);
    next.run_until(3 * SEC);
    assert!(s.completed().iter().all(|c| c.id != id), "thousands finished since: the ring turned over");
    assert_eq!(s.watched().map(|c| c.id), Some(id));
    assert_eq!(next.watched().map(|c| c.id), Some(from), "the next request sent");
}

#[test]
fn tracing_the_next_request_follows_the_traffic_mix_slow_reads_included() {
    // A busy shop with no cache: product views wait for a database connection.
    let mut cfg = SimConfig { seed: 2, ..SimConfig::default() };
    cfg.traffic.rate_per_s = 500;
    cfg.cache.enabled = false;
    let mut s = Sim::new(cfg).unwrap();
    s.run_until(5 * SEC);
    let (mut views, mut waited) = (0, 0);
    for _ in 0..100 {
        s.watch(Watch::Next);
        let mut t = s.now_us();
        while s.watched().is_none() {
            t += 10 * MS;
            s.run_until(t);
        }
        let done = s.watched().unwrap();
        views += usize::from(done.action == Action::Browse);
        waited += usize::from(done.breakdown.db_wait_us > 0);
    }
    // About half of the traffic is product views (45 here); following the first request to
    // finish instead picked the quick ones (28 here, and none in the page).
    assert!(views >= 35, "{views} product views in 100 traces");
    assert!(waited > 0, "some traced read waited for a connection");
}

#[test]
fn the_rates_second_by_second_foretell_what_a_run_sends() {
    let mut cfg = SimConfig::default();
    cfg.traffic.rate_per_s = 2_000;
    let commands = vec![
        (5 * SEC, Command::Spike),
        (20 * SEC, Command::SetTraffic { rate_per_s: 3_000, pattern: Pattern::Spike }),
        (60 * SEC, Command::SetTraffic { rate_per_s: 500, pattern: Pattern::Steady }),
    ];
    let traffic = Traffic::new(cfg.traffic.rate_per_s, cfg.traffic.pattern, 0);
    let rates = rates_by_second(&traffic, &commands, 120 * SEC);
    assert_eq!(rates.len(), 121);
    // The spike and the rate moved under it (its clock goes on), then calm.
    assert_eq!((rates[4], rates[6], rates[25], rates[40], rates[90]), (2_000.0, 10_000.0, 15_000.0, 3_000.0, 500.0));
    let mut sim = Sim::new(cfg).unwrap();
    for (at, cmd) in commands {
        sim.apply_at(at, cmd).unwrap();
    }
    sim.run_until(120 * SEC);
    let foretold: f64 = rates[..120].iter().sum();
    let sent = sim.totals().issued as f64;
    assert!((sent / foretold - 1.0).abs() < 0.05, "sent {sent}, foretold {foretold}");
}

#[test]
fn the_present_config_is_sized_as_the_run_is_now() {
    let mut s = Sim::new(SimConfig { servers: 3, ..SimConfig::default() }).unwrap();
    s.apply(Command::AddServer).unwrap();
    s.apply(Command::AddServer).unwrap();
    s.apply(Command::SetTraffic { rate_per_s: 300, pattern: Pattern::Steady }).unwrap();
    s.run_until(10 * SEC);
    // A moment when Server 2 is at work, so removing it drains it.
    let at_work = |s: &Sim| s.snapshot(0).servers.iter().any(|v| v.id == ServerId(1) && v.busy > 0);
    while !at_work(&s) {
        s.advance(MS);
    }
    s.apply(Command::RemoveServer { server: ServerId(1) }).unwrap();
    // Draining its requests, it is already gone from the size: the same before and after.
    let draining = s.snapshot(0).servers.iter().any(|v| v.id == ServerId(1) && v.state == ServerState::Draining);
    assert!(draining, "Server 2 has requests to finish");
    assert_eq!(s.present_config().servers, 4);
    s.run_until(30 * SEC);
    let c = s.present_config();
    assert_eq!((c.servers, c.traffic.rate_per_s, c.users, c.seed), (4, 300, s.config().users, s.config().seed));
    assert!(c.validate().is_ok());
    // The pattern goes with the rate: a quiet night at 1,000/s is not a steady 1,000/s.
    s.apply(Command::SetTraffic { rate_per_s: 1_000, pattern: Pattern::Quiet }).unwrap();
    let c = s.present_config();
    assert_eq!((c.traffic.rate_per_s, c.traffic.pattern), (1_000, Pattern::Quiet));
}

#[test]
fn a_shorter_scaling_interval_counts_from_when_it_is_set() {
    let mut cfg = SimConfig { mode: Mode::Stateless, users: 500, ..SimConfig::default() };
    cfg.traffic.rate_per_s = 1_500;
    cfg.autoscaler.interval_ms = 600_000;
    let mut s = Sim::new(cfg).unwrap();
    s.run_until(SEC);
    let policy = statelab_sim::config::AutoscalerConfig {
        enabled: true,
        interval_ms: 1_000,
        cooldown_ms: 1_000,
        ..Default::default()
    };
    s.apply(Command::SetAutoscaling { policy }).unwrap();
    s.run_until(10 * SEC);
    assert!(s.servers().len() > 3, "the scaler judged every second and added servers: {}", s.servers().len());
}

#[test]
fn a_retry_is_counted_only_when_another_server_takes_it() {
    let mut cfg = SimConfig { mode: Mode::Stateless, servers: 1, ..SimConfig::default() };
    cfg.traffic.rate_per_s = 200;
    cfg.balancer.health_check_ms = 5_000;
    let mut s = Sim::new(cfg).unwrap();
    s.run_until(SEC);
    s.apply(Command::CrashServer { server: ServerId(0) }).unwrap();
    s.run_until(4 * SEC);
    let failed = &s.totals().failed_by_reason;
    assert!(failed[FailReason::NoServer as usize] > 100, "{failed:?}");
    assert_eq!(s.totals().retries, 0, "no server was left to retry on");
}

#[test]
fn the_highest_server_id_is_named_without_overflow() {
    assert_eq!(ServerId(u32::MAX).to_string(), "Server 4294967296");
}

#[test]
fn a_server_queue_is_capped_where_full_queues_still_fit_in_a_tab() {
    let mut cfg = SimConfig::default();
    cfg.server.queue = 10_000;
    assert!(cfg.validate().is_ok());
    cfg.server.queue = 10_001;
    assert_eq!(cfg.validate().unwrap_err().to_string(), "server.queue must be between 0 and 10000, but is 10001");
}

/// A busy shop with the cache off, `seconds` in: with few nodes, their connections are full and
/// reads wait.
fn busy_shop(replicas: u32, rate_per_s: u32, seconds: u64) -> Sim {
    let mut cfg = SimConfig { seed: 4, users: 200, mode: Mode::Stateless, ..SimConfig::default() };
    cfg.traffic.rate_per_s = rate_per_s;
    cfg.cache.enabled = false;
    cfg.database.replicas = replicas;
    let mut s = Sim::new(cfg).unwrap();
    s.run_until(seconds * SEC);
    s
}

fn on_db(s: &Sim, node: u32) -> usize {
    let snap = s.snapshot(usize::MAX);
    snap.requests.iter().filter(|r| r.hop.to == Node::Db(statelab_sim::database::DbNodeId(node))).count()
}

#[test]
fn a_database_crash_fails_at_once_what_it_ran_and_held() {
    let mut s = busy_shop(0, 500, 5);
    let master = s.snapshot(0).db[0].clone();
    assert!(master.waiting > 0 && master.busy == master.connections, "{master:?}");
    let held = on_db(&s, 0);
    assert_eq!(held, (master.busy + master.waiting) as usize, "each query is a request on its way");
    let failed = |s: &Sim| {
        let t = s.totals();
        t.failed_by_reason[FailReason::DbDown as usize] + t.failed_by_reason[FailReason::WriteFailed as usize]
    };
    let before = failed(&s);
    s.apply(Command::CrashDbNode { node: 0 }).unwrap();
    assert_eq!(failed(&s) - before, held as u64, "every query it held failed when it went down");
    assert_eq!(on_db(&s, 0), 0);
    // Back a moment later, it runs no more than its connections at once.
    s.run_until(5 * SEC + MS);
    s.apply(Command::RestartDbNode { node: 0 }).unwrap();
    for ms in 1..200 {
        s.run_until(5 * SEC + (1 + ms) * MS);
        let m = s.snapshot(0).db[0].clone();
        assert!(on_db(&s, 0) <= (m.busy + m.waiting) as usize, "at {ms} ms: {m:?}");
    }
}

#[test]
fn a_removed_replica_sends_its_queued_reads_elsewhere_at_once() {
    let mut s = busy_shop(2, 600, 8);
    let replica = s.snapshot(0).db.iter().find(|n| n.number == 1).unwrap().clone();
    let held = on_db(&s, replica.id.0);
    assert!(held > 0, "{replica:?}");
    let seen = s.events().total();
    s.apply(Command::RemoveReplica { node: replica.id.0 }).unwrap();
    assert_eq!(on_db(&s, replica.id.0), 0, "nothing waits on a node that is gone");
    // The feed says so, right after the learner's command.
    let told: Vec<_> = s.events().since(seen).map(|e| e.to_string()).collect();
    assert_eq!(
        told[..2],
        [
            "[8.0 s] You: remove Replica 1.".to_string(),
            format!("[8.0 s] Replica 1 left with {held} reads under way: their servers ask another database node.")
        ],
        "{told:?}"
    );
}

/// A traced request's rows come in the order its hops happened, so a waterfall that starts each
/// bar where the one before ends puts it where it happened: the answer's trip back last, the
/// session's write after the database.
#[test]
fn a_traced_requests_rows_follow_its_hops_in_time() {
    let mut cfg = SimConfig { seed: 3, mode: Mode::Stateless, ..SimConfig::default() };
    cfg.traffic.rate_per_s = 40;
    let mut s = Sim::new(cfg).unwrap();
    s.run_until(3 * SEC);
    let label = |kind: HopKind| match kind {
        HopKind::Dns => "DNS",
        HopKind::Static => "CDN",
        HopKind::Origin => "Origin",
        HopKind::Page => "Network",
        HopKind::Queue => "Queue",
        HopKind::SessionRead => "Session read",
        HopKind::CacheRead => "Cache",
        HopKind::DbRead | HopKind::DbWrite => "Database",
        HopKind::SessionWrite => "Session write",
        HopKind::Compute => "Compute",
        HopKind::Response => "Response",
    };
    let mut actions = Vec::new();
    for _ in 0..12 {
        // Ids go up by one: the next request sent is one past every request seen so far.
        let in_flight = s.snapshot(usize::MAX).requests.iter().map(|r| r.id).max();
        let id = in_flight.into_iter().chain(s.completed().iter().map(|c| c.id)).max().unwrap() + 1;
        s.watch(Watch::Next);
        let mut seen: Vec<&str> = Vec::new();
        while s.watched().is_none() {
            s.advance(20);
            let snap = s.snapshot(usize::MAX);
            let Some(hop) = snap.requests.iter().find(|r| r.id == id).map(|r| r.hop) else { continue };
            if hop.end_us > hop.start_us && seen.last() != Some(&label(hop.kind)) {
                seen.push(label(hop.kind));
            }
        }
        let done = *s.watched().unwrap();
        let rows: Vec<&str> =
            done.breakdown.rows().into_iter().filter(|&(l, us)| us > 0 && l != "DB queue").map(|(l, _)| l).collect();
        assert_eq!(rows, seen, "{:?} {:?}", done.action, done.breakdown);
        assert_eq!(rows.last(), Some(&"Response"), "the trip back comes last");
        actions.push(done.action);
    }
    for wanted in [Action::Browse, Action::AddToCart] {
        assert!(actions.contains(&wanted), "{wanted:?} among {actions:?}");
    }
}

/// A node that was the master until a promotion may still have checkouts' writes under way:
/// removed, those fail, and the feed does not count them among the reads sent elsewhere.
#[test]
fn a_removed_old_master_tells_no_write_as_a_read_sent_elsewhere() {
    let mut s = busy_shop(1, 500, 5);
    // Reads go to the replica: what is on its way to the master is writes.
    let mut step = 0;
    while on_db(&s, 0) == 0 && step < 1_000 {
        step += 1;
        s.run_until(5 * SEC + step * 10 * MS);
    }
    let writes = on_db(&s, 0);
    assert!(writes > 0, "no write on its way to the master in 10 s");
    s.apply(Command::PromoteReplica { node: 1 }).unwrap();
    let seen = s.events().total();
    let failed = s.totals().failed_by_reason[FailReason::WriteFailed as usize];
    s.apply(Command::RemoveReplica { node: 0 }).unwrap();
    assert!(
        !s.events().since(seen).any(|e| matches!(e.kind, EventKind::ReadsMoved { .. })),
        "{writes} writes told as reads"
    );
    assert_eq!(s.totals().failed_by_reason[FailReason::WriteFailed as usize], failed + writes as u64);
}

#[test]
fn the_scaler_acts_on_the_mean_its_readout_shows_at_that_moment() {
    // A spike a second before a judgement: the second it fills closes as the judgement falls due.
    let mut cfg = SimConfig { seed: 7, ..SimConfig::default() };
    cfg.autoscaler.enabled = true;
    let mut s = Sim::new(cfg).unwrap();
    s.run_until(4 * SEC);
    s.apply(Command::Spike).unwrap();
    let mut judged = 0;
    for t in 4..40 {
        let from = s.events().total();
        s.run_until(t * SEC + 1);
        for e in s.events().narrated_since(from) {
            if let EventKind::ScaledIn { utilization_pct, .. } | EventKind::ScaledOut { utilization_pct, .. } = e.kind {
                assert_eq!(e.at_us, t * SEC, "judged as a second closes");
                assert_eq!(utilization_pct, s.autoscaler_readout().unwrap().mean_pct, "at {t} s");
                judged += 1;
            }
        }
    }
    assert!(judged > 0, "the spike made the scaler act");
}

#[test]
fn a_page_load_charges_the_edge_and_an_edge_miss_the_origin_on_rows_of_their_own() {
    let cfg = SimConfig { seed: 2, mode: Mode::Stateless, ..SimConfig::default() };
    let (edge, origin) = (cfg.cdn.edge_ms, cfg.cdn.origin_ms);
    let mut s = Sim::new(cfg).unwrap();
    let (mut hits, mut misses) = (0, 0);
    for t in 1..=20 {
        s.run_until(t * SEC);
        for c in s.completed().iter().filter(|c| c.action == Action::LoadPage && c.failure.is_none()) {
            let b = c.breakdown;
            assert!(
                (edge.0 as u64 * MS..=edge.1 as u64 * MS).contains(&b.cdn_us),
                "the edge row is the edge's trip: {b:?}"
            );
            if b.origin_us == 0 {
                hits += 1;
            } else {
                assert!((origin.0 as u64 * MS..=origin.1 as u64 * MS).contains(&b.origin_us), "{b:?}");
                misses += 1;
            }
        }
    }
    assert!(hits > 0 && misses > 0, "a cold edge misses, a warm one hits: {hits} hits, {misses} misses");
}

#[test]
fn a_user_logging_in_again_counts_as_logged_out_until_answered_so_the_counts_add_up() {
    let mut cfg = SimConfig { seed: 7, ..SimConfig::default() };
    cfg.autoscaler.enabled = true;
    let mut s = Sim::new(cfg).unwrap();
    s.run_until(SEC);
    for id in 0..3 {
        s.apply(Command::CrashServer { server: ServerId(id) }).unwrap();
    }
    let mut relogging = 0;
    for step in 1..=300 {
        s.run_until(SEC + step * 50 * MS);
        let snap = s.snapshot(0);
        let users = s.users();
        let out = users.iter().filter(|u| u.is_logged_out()).count() as u32;
        let never = users.iter().filter(|u| u.last_logout.is_none() && !u.is_logged_in()).count() as u32;
        assert_eq!(snap.logged_out, out, "at step {step}");
        assert_eq!(snap.logged_in + snap.logged_out + never, snap.users, "at step {step}");
        relogging += users
            .iter()
            .filter(|u| u.is_logged_out() && !matches!(u.state, statelab_sim::user::UserState::LoggedOut { .. }))
            .count();
    }
    assert!(relogging > 0, "some user was seen logging in again");
}

#[test]
fn the_scaler_readout_says_when_it_judges_next_only_when_that_judgement_would_act() {
    // A quiet lab of three is under 30 % busy: the first judgement, at 5 s, lets one go.
    let mut cfg = SimConfig { seed: 1, ..SimConfig::default() };
    cfg.autoscaler.enabled = true;
    let mut s = Sim::new(cfg.clone()).unwrap();
    s.run_until(2_300 * MS);
    assert_eq!(s.autoscaler_readout().unwrap().next_us, Some(2_700 * MS), "judged every 5 s from the start");
    // A new interval counts from the moment it is set.
    let policy = AutoscalerConfig { interval_ms: 3_000, ..cfg.autoscaler.clone() };
    s.apply(Command::SetAutoscaling { policy }).unwrap();
    assert_eq!(s.autoscaler_readout().unwrap().next_us, Some(3 * SEC));
    // At its minimum already, a quiet lab gives it nothing to do: no judgement is promised.
    let mut cfg = SimConfig { seed: 1, servers: 1, ..SimConfig::default() };
    cfg.autoscaler = AutoscalerConfig { enabled: true, min_servers: 1, ..AutoscalerConfig::default() };
    let mut s = Sim::new(cfg).unwrap();
    s.run_until(7 * SEC);
    let r = s.autoscaler_readout().unwrap();
    assert!(r.mean_pct < 30 && r.next_us.is_none(), "{r:?}");
}

#[test]
fn each_request_says_whether_the_cache_answered_its_product_read() {
    let mut cfg = SimConfig { seed: 4, mode: Mode::Stateless, users: 200, ..SimConfig::default() };
    cfg.traffic.rate_per_s = 400;
    let mut s = Sim::new(cfg).unwrap();
    s.run_until(10 * SEC);
    let recent = || s.completed().iter().filter(|c| c.failure.is_none());
    assert!(recent().any(|c| c.cache_hit == Some(true) && c.breakdown.db_us == 0));
    assert!(recent().any(|c| c.cache_hit == Some(false) && c.breakdown.db_us > 0));
    assert!(recent().all(|c| (c.action == Action::Browse) == c.cache_hit.is_some()));
    // With every database node down, a miss fails before any database time is charged: it
    // is still a miss, not a hit.
    for node in s.snapshot(0).db.iter().map(|n| n.id.0).collect::<Vec<_>>() {
        s.apply(Command::CrashDbNode { node }).unwrap();
    }
    s.run_until(12 * SEC);
    let failed_misses: Vec<_> =
        s.completed().iter().filter(|c| c.failure == Some(FailReason::DbDown) && c.finished_us > 10 * SEC).collect();
    assert!(!failed_misses.is_empty());
    assert!(failed_misses.iter().all(|c| c.cache_hit == Some(false) && c.breakdown.db_us == 0));
}
