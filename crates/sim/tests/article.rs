//! The article's claims, reproduced by the model: each test is one sentence of it.

use statelab_sim::config::Pipeline;
use statelab_sim::event::EventKind;
use statelab_sim::time::{MS, SEC};
use statelab_sim::user::SessionHome;
use statelab_sim::{Action, Command, LogoutReason, Mode, ServerId, Sim, SimConfig, UserId};

fn sim(mode: Mode) -> Sim {
    Sim::new(SimConfig { mode, seed: 7, ..SimConfig::default() }).unwrap()
}

fn users_on(sim: &Sim, server: ServerId) -> Vec<UserId> {
    sim.users().iter().filter(|u| u.home == SessionHome::Server(server)).map(|u| u.id).collect()
}

#[test]
fn stateful_crash_logs_out_exactly_the_users_whose_sessions_were_on_that_server() {
    let mut s = sim(Mode::Stateful);
    s.run_until(5 * SEC);
    let victims = users_on(&s, ServerId(0));
    assert!(!victims.is_empty(), "server 1 holds sessions");
    let before = s.totals().logouts;
    s.apply(Command::CrashServer { server: ServerId(0) }).unwrap();
    let logged_out: Vec<UserId> = s
        .events()
        .since(0)
        .filter_map(|e| match e.kind {
            EventKind::LoggedOut { user, .. } => Some(user),
            _ => None,
        })
        .collect();
    assert_eq!(s.totals().logouts - before, victims.len() as u64);
    assert_eq!(logged_out, victims);
    assert_eq!(s.logged_out(), victims.len() as u32);
}

#[test]
fn stateless_crash_logs_out_nobody_and_users_notice_nothing() {
    let mut s = sim(Mode::Stateless);
    s.run_until(5 * SEC);
    let failed_before = s.totals().failed;
    s.apply(Command::CrashServer { server: ServerId(0) }).unwrap();
    s.run_until(30 * SEC);
    assert_eq!(s.totals().logouts, 0);
    assert_eq!(s.logged_out(), 0);
    assert_eq!(s.totals().failed, failed_before, "the balancer retried every request elsewhere");
}

/// Runs until `user`'s next request has been misrouted and answered; returns the server it
/// went to and that request's fate: answered (with its session time) or logged out.
fn misroute(mode: Mode, user: UserId) -> (Sim, ServerId, Option<u64>) {
    let mut s = sim(mode);
    s.run_until(2 * SEC);
    s.apply(Command::Misroute { user }).unwrap();
    let (mut cursor, mut to) = (s.events().total(), None);
    for _ in 0..2_000 {
        s.run_until(s.now_us() + 10 * MS);
        let mut outcome = None;
        for e in s.events().since(cursor) {
            match e.kind {
                EventKind::Misrouted { user: u, to: server } if u == user => to = Some(server),
                EventKind::LoggedOut { user: u, reason: LogoutReason::WrongServer(server) } if u == user => {
                    outcome = Some((server, None));
                }
                EventKind::RequestDone { req, user: u, .. } if u == user && to.is_some() => {
                    let done = s.completed().iter().find(|c| c.id == req).expect("just finished");
                    if done.server == to {
                        outcome = to.map(|server| (server, Some(done.breakdown.session_us())));
                    }
                }
                _ => {}
            }
            if outcome.is_some() {
                break;
            }
        }
        if let Some((server, answered)) = outcome {
            return (s, server, answered);
        }
        cursor = s.events().total();
    }
    panic!("the misrouted request never finished");
}

#[test]
fn wrong_server_stateful_logs_the_user_out_and_stateless_reads_the_session_in_about_a_ms() {
    let (s, server, answered) = misroute(Mode::Stateful, UserId(0));
    assert_eq!(answered, None, "Server {} had no idea who the user was", server.0 + 1);
    assert!(s.user(UserId(0)).unwrap().is_logged_out(), "the stray request logged User A out");

    let (s, server, answered) = misroute(Mode::Stateless, UserId(0));
    let session_us = answered.expect("the other server answered");
    assert!((500..=3_000).contains(&session_us), "its session came from the store in {session_us} µs");
    assert_eq!(s.totals().logouts, 0);
    let told = s
        .events()
        .since(0)
        .any(|e| matches!(e.kind, EventKind::MisrouteAnswered { user: UserId(0), server: at, .. } if at == server));
    assert!(told, "the feed tells that the stray request was answered");
}

#[test]
fn adding_a_server_stateful_logs_some_users_out_stateless_takes_traffic_at_once() {
    let mut s = sim(Mode::Stateful);
    s.run_until(2 * SEC);
    s.apply(Command::AddServer).unwrap();
    s.run_until(30 * SEC);
    assert!(s.totals().logouts > 0, "sticky rules moved users to a server without their session");

    let mut s = sim(Mode::Stateless);
    s.run_until(2 * SEC);
    s.apply(Command::AddServer).unwrap();
    // Booting takes seconds; a minute without it is a failure, not a hang.
    while !s.server(ServerId(3)).unwrap().state.accepts() {
        assert!(s.now_us() < 60 * SEC, "Server 4 never finished booting");
        s.run_until(s.now_us() + 10 * MS);
    }
    // From the moment it is up, it takes its share: no migration, no sticky rules to wait for.
    let served = |s: &Sim| s.servers().iter().map(|x| x.served).collect::<Vec<_>>();
    let before = served(&s);
    s.run_until(s.now_us() + 10 * SEC);
    let gained: Vec<u64> = served(&s).iter().zip(&before).map(|(a, b)| a - b).collect();
    let others = gained[..3].iter().sum::<u64>() as f64 / 3.0;
    assert!(gained[3] as f64 >= 0.6 * others, "the new server took {} against {others:.0} each", gained[3]);
    assert_eq!(s.totals().logouts, 0);
}

#[test]
fn the_balancer_spreads_requests_evenly_over_stateless_servers() {
    let mut s = sim(Mode::Stateless);
    s.run_until(60 * SEC);
    let served: Vec<u64> = s.servers().iter().map(|x| x.served).collect();
    let mean = served.iter().sum::<u64>() as f64 / served.len() as f64;
    assert!(mean > 100.0, "{served:?}");
    assert!(served.iter().all(|&n| (n as f64 - mean).abs() <= 0.15 * mean), "{served:?}");
}

#[test]
fn a_request_goes_through_dns_the_cdn_the_balancer_a_server_the_cache_and_the_database() {
    let mut s = sim(Mode::Stateless);
    let mut seen = [false; 3];
    for t in 1..=120 {
        s.run_until(t * SEC);
        for c in s.completed().iter().filter(|c| c.failure.is_none()) {
            let b = &c.breakdown;
            // Opening a page: the address from DNS, static files from the CDN edge, the page
            // itself from a server behind the balancer.
            seen[0] |=
                c.action == Action::LoadPage && b.dns_us > 0 && b.cdn_us > 0 && b.network_us > 0 && c.server.is_some();
            // A product view the cache answers, never touching the database.
            seen[1] |= c.action == Action::Browse && b.cache_us > 0 && b.db_us == 0 && c.db.is_none();
            // A miss: the cache first, then a read on a replica.
            seen[2] |= c.action == Action::Browse
                && b.cache_us > 0
                && b.db_us > 0
                && c.db.is_some_and(|n| s.database().replicas().any(|r| r.id == n));
        }
    }
    assert_eq!(seen, [true; 3], "page load, cache hit, cache miss to a replica");
}

#[test]
fn cache_hit_is_about_a_millisecond_and_a_db_query_10_to_100() {
    let mut s = sim(Mode::Stateless);
    s.run_until(60 * SEC);
    let c = s.completed();
    let hits: Vec<_> = c.iter().filter(|c| c.cache_hit == Some(true)).collect();
    let misses: Vec<_> = c.iter().filter(|c| c.cache_hit == Some(false) && c.failure.is_none()).collect();
    assert!(!hits.is_empty() && !misses.is_empty());
    assert!(hits.iter().all(|c| (500..=1_500).contains(&c.breakdown.cache_us)));
    assert!(misses.iter().all(|c| (10 * MS..=100 * MS).contains(&c.breakdown.db_us)));
}

/// Database queries in ten minutes of the default lab, with a cache of `capacity` products of
/// the 500, or none: (reads, writes).
fn db_queries(cache: Option<u32>) -> (u64, u64) {
    let mut cfg = SimConfig { seed: 3, ..SimConfig::default() };
    cfg.cache.enabled = cache.is_some();
    cfg.cache.capacity = cache.unwrap_or(cfg.cache.capacity);
    let mut s = Sim::new(cfg).unwrap();
    s.run_until(600 * SEC);
    (s.totals().db_reads, s.totals().db_writes)
}

/// "A good cache strategy can reduce DB load by 80 %+": the default cache (250 products of
/// 500) takes 80 % of the reads; one that holds what people look at (400, as the cache tour
/// has) takes 80 % of the whole load, writes included, which still reach the master.
#[test]
fn a_good_cache_cuts_the_database_s_load_by_80_percent_or_more_and_leaves_writes() {
    let without = db_queries(None);
    let cut = |with: u64, without: u64| 100.0 * (1.0 - with as f64 / without as f64);
    for (capacity, reads_at_least, load_at_least) in [(250, 80.0, 0.0), (400, 80.0, 80.0)] {
        let (reads, writes) = db_queries(Some(capacity));
        let (read_cut, load_cut) = (cut(reads, without.0), cut(reads + writes, without.0 + without.1));
        println!(
            "a cache of {capacity} cut database reads by {read_cut:.1} % ({reads} vs {}); writes {writes} vs {}; \
             all queries cut by {load_cut:.1} %",
            without.0, without.1
        );
        assert!(read_cut >= reads_at_least, "{capacity}: reads cut {read_cut:.1} %");
        assert!(load_cut >= load_at_least, "{capacity}: load cut {load_cut:.1} %");
        assert!(writes.abs_diff(without.1) * 10 <= without.1, "{capacity}: writes {writes} vs {}", without.1);
    }
}

/// A busy shop: (share of database queries that waited for a connection [%], the master's
/// reads) over 20 s.
fn busy_database(replicas: u32, cache: bool) -> (f64, u64) {
    let mut cfg = SimConfig { seed: 9, users: 200, mode: Mode::Stateless, ..SimConfig::default() };
    cfg.traffic.rate_per_s = 500;
    cfg.cache.enabled = cache;
    cfg.database.replicas = replicas;
    let mut s = Sim::new(cfg).unwrap();
    s.run_until(5 * SEC);
    let before = s.totals();
    s.run_until(25 * SEC);
    let t = s.totals();
    let queries = t.db_reads + t.db_writes - before.db_reads - before.db_writes;
    let share = 100.0 * (t.db_waits - before.db_waits) as f64 / queries as f64;
    (share, s.database().master().unwrap().reads)
}

/// "This separates read and write load — dramatically improving performance at scale": a
/// node runs a few queries at once, so at scale the master alone makes reads wait in line,
/// and replicas that take the reads remove the line.
#[test]
fn replicas_take_the_read_load_off_the_master_and_cut_the_wait_at_scale() {
    let (alone, master_reads) = busy_database(0, false);
    let (two, master_reads_with_two) = busy_database(2, false);
    let (three, _) = busy_database(3, false);
    println!("waited for a connection: master alone {alone:.1} %, 2 replicas {two:.1} %, 3 replicas {three:.1} %");
    assert!(master_reads > 0 && master_reads_with_two == 0, "the master reads only when it is alone");
    assert!(alone > 50.0, "the master alone makes most queries wait: {alone:.1} %");
    assert!(two < alone / 2.0 && three < two, "each replica shortens the line: {alone:.1}, {two:.1}, {three:.1} %");
    assert!(three < 3.0, "three replicas keep up: {three:.1} %");
}

/// The cache's cut of the database's reads is time as well as a count: at scale, the reads
/// it answers are the ones that would have waited for a connection.
#[test]
fn the_cache_keeps_a_busy_database_from_making_reads_wait() {
    let (without, _) = busy_database(2, false);
    let (with, _) = busy_database(2, true);
    println!("waited for a connection: cache off {without:.1} %, cache on {with:.1} %");
    assert!(without > 10.0, "cache off: {without:.1} %");
    assert!(with < 1.0, "cache on: {with:.1} %");
}

#[test]
fn writes_go_to_the_master_and_reads_to_replicas_with_stale_reads_inside_the_lag() {
    let mut cfg = SimConfig { seed: 5, users: 100, mode: Mode::Stateless, ..SimConfig::default() };
    cfg.traffic.rate_per_s = 300;
    cfg.products = 20;
    cfg.cache.enabled = false;
    cfg.database.lag_ms = (1_000, 2_000);
    let mut s = Sim::new(cfg).unwrap();
    s.run_until(60 * SEC);
    let db = s.database();
    let master = db.master().unwrap();
    assert!(master.writes > 0);
    assert_eq!(master.reads, 0, "with replicas up, reads never hit the master");
    assert!(db.replicas().all(|r| r.reads > 0 && r.writes == 0));
    assert!(s.totals().stale_reads > 0);
}

#[test]
fn autoscaling_adds_servers_in_a_spike_and_removes_them_after_it() {
    let mut cfg = SimConfig { seed: 9, users: 500, mode: Mode::Stateless, ..SimConfig::default() };
    cfg.traffic.rate_per_s = 300;
    cfg.autoscaler.enabled = true;
    cfg.autoscaler.min_servers = 3;
    let mut s = Sim::new(cfg).unwrap();
    s.run_until(10 * SEC);
    s.apply(Command::Spike).unwrap();
    s.run_until(40 * SEC);
    let peak = s.servers().iter().filter(|x| x.state.accepts()).count();
    assert!(peak > 3, "scaled out to {peak}");
    s.run_until(300 * SEC);
    let after = s.servers().iter().filter(|x| x.state.accepts()).count();
    assert_eq!(after, 3, "scaled back in to the minimum, from {peak}");
    assert_eq!(s.totals().logouts, 0, "stateless scale-in logs nobody out");
}

#[test]
fn a_server_joining_mid_second_does_not_dilute_a_full_pool_s_busy_share() {
    let mut s = sim(Mode::Stateless);
    s.run_until(10 * SEC);
    s.apply(Command::Spike).unwrap();
    // Mid-second, so the new server is healthy for part of its first second.
    s.run_until(12_300 * MS);
    s.apply(Command::AddServer).unwrap();
    // Every second while the spike lasts: the three old servers are full, and the new one
    // fills as soon as it is up, so no second of it reads as three quarters busy.
    s.run_until(20 * SEC);
    let joined = s.metrics().samples().iter().find(|x| x.t_s > 12 && x.servers_healthy == 4).unwrap();
    let before = s.metrics().samples().iter().find(|x| x.t_s == joined.t_s - 1).unwrap();
    assert_eq!(before.servers_healthy, 3);
    assert!(before.utilization_pct >= 95, "before: {} %", before.utilization_pct);
    assert!(joined.utilization_pct >= 95, "the second it joined: {} %", joined.utilization_pct);
}

#[test]
fn stateful_scale_in_logs_out_the_users_of_the_removed_server() {
    let mut s = sim(Mode::Stateful);
    s.run_until(2 * SEC);
    let victims = users_on(&s, ServerId(2));
    assert!(!victims.is_empty());
    let cursor = s.events().total();
    s.apply(Command::RemoveServer { server: ServerId(2) }).unwrap();
    s.run_until(10 * SEC);
    let removed: Vec<UserId> = s
        .events()
        .since(cursor)
        .filter_map(|e| match e.kind {
            EventKind::LoggedOut { user, reason: LogoutReason::ServerRemoved(ServerId(2)) } => Some(user),
            _ => None,
        })
        .collect();
    assert_eq!(removed, victims);
}

#[test]
fn queueing_only_pipeline_runs() {
    let cfg = SimConfig { pipeline: Pipeline::ServersOnly, ..SimConfig::default() };
    let mut s = Sim::new(cfg).unwrap();
    s.run_until(10 * SEC);
    assert!(s.totals().completed > 100);
}

#[test]
fn a_spike_in_the_default_lab_makes_the_auto_scaler_add_servers() {
    // The lab as a learner opens it, auto-scaling switched on, then the Spike button: the
    // quiet default traffic first lets it drain servers, and the spike must bring more back.
    let mut cfg = SimConfig { mode: Mode::Stateless, ..SimConfig::default() };
    cfg.autoscaler.enabled = true;
    let mut s = Sim::new(cfg).unwrap();
    s.run_until(10 * SEC);
    let before = s.servers().iter().filter(|x| x.state.accepts()).count();
    s.apply(Command::Spike).unwrap();
    let mut peak = before;
    while s.now_us() < 40 * SEC {
        s.run_until(s.now_us() + SEC);
        peak = peak.max(s.servers().iter().filter(|x| x.state.accepts()).count());
    }
    assert!(peak > before, "the spike took the pool from {before} to at most {peak} servers");
}

#[test]
fn a_server_joining_a_stateful_pool_first_says_whom_the_sticky_rule_moves_to_it() {
    let moved = |mode: Mode| {
        let mut s = sim(mode);
        s.run_until(2 * SEC);
        s.apply(Command::AddServer).unwrap();
        s.run_until(30 * SEC);
        let events: Vec<_> = s.events().since(0).cloned().collect();
        let told = events.iter().find_map(|e| match e.kind {
            EventKind::StickyMoved { server: ServerId(3), users } => Some((e.seq, users)),
            _ => None,
        });
        let first_logout = events.iter().find(|e| matches!(e.kind, EventKind::LoggedOut { .. })).map(|e| e.seq);
        (told, first_logout)
    };
    let (told, first_logout) = moved(Mode::Stateful);
    let (seq, users) = told.expect("the feed tells why users are about to be logged out");
    assert!(users > 0);
    assert!(first_logout.is_some_and(|l| seq < l), "the cause comes before the first logout");
    assert_eq!(moved(Mode::Stateless).0, None, "stateless routing moves nobody's session");
}
