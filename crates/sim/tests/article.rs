//! The article's claims, reproduced by the model: each test is one sentence of it.

use statelab_sim::config::Pipeline;
use statelab_sim::event::EventKind;
use statelab_sim::time::{MS, SEC};
use statelab_sim::user::SessionHome;
use statelab_sim::{Command, Mode, ServerId, Sim, SimConfig, UserId};

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

#[test]
fn wrong_server_stateful_logs_the_user_out_and_stateless_reads_the_session_in_about_a_ms() {
    let mut s = sim(Mode::Stateful);
    s.run_until(2 * SEC);
    s.apply(Command::Misroute { user: UserId(0) }).unwrap();
    s.run_until(20 * SEC);
    assert!(s.events().since(0).any(|e| matches!(e.kind, EventKind::LoggedOut { user: UserId(0), .. })));

    let mut s = sim(Mode::Stateless);
    s.run_until(2 * SEC);
    s.apply(Command::Misroute { user: UserId(0) }).unwrap();
    s.run_until(20 * SEC);
    assert!(s.events().since(0).any(|e| matches!(e.kind, EventKind::Misrouted { user: UserId(0), .. })));
    assert_eq!(s.totals().logouts, 0);
    let session_us: Vec<u64> = s.completed().iter().map(|c| c.breakdown.session_us).filter(|&t| t > 0).collect();
    assert!(!session_us.is_empty());
    assert!(session_us.iter().all(|&t| (500..=3_000).contains(&t)), "{session_us:?}");
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
    s.run_until(30 * SEC);
    assert_eq!(s.totals().logouts, 0);
    assert!(s.server(ServerId(3)).unwrap().served > 0, "the new server serves traffic");
}

#[test]
fn cache_hit_is_about_a_millisecond_and_a_db_query_10_to_100() {
    let mut s = sim(Mode::Stateless);
    s.run_until(60 * SEC);
    let c = s.completed();
    let hits: Vec<_> = c.iter().filter(|c| c.breakdown.cache_us > 0 && c.breakdown.db_us == 0).collect();
    let misses: Vec<_> = c.iter().filter(|c| c.breakdown.db_us > 0 && c.breakdown.cache_us > 0).collect();
    assert!(!hits.is_empty() && !misses.is_empty());
    assert!(hits.iter().all(|c| (500..=1_500).contains(&c.breakdown.cache_us)));
    assert!(misses.iter().all(|c| (10 * MS..=100 * MS).contains(&c.breakdown.db_us)));
}

/// Database queries in ten minutes of the default lab: (reads, writes).
fn db_queries(cache: bool) -> (u64, u64) {
    let mut cfg = SimConfig { seed: 3, ..SimConfig::default() };
    cfg.cache.enabled = cache;
    let mut s = Sim::new(cfg).unwrap();
    s.run_until(600 * SEC);
    (s.totals().db_reads, s.totals().db_writes)
}

/// The article's "DB load −80 %" is the read load: reads are what a cache can answer, and
/// writes still reach the master.
#[test]
fn the_cache_cuts_database_reads_by_80_percent_or_more_and_leaves_writes() {
    let ((reads, writes), (reads_without, writes_without)) = (db_queries(true), db_queries(false));
    let cut = |with: u64, without: u64| 100.0 * (1.0 - with as f64 / without as f64);
    let (read_cut, load_cut) = (cut(reads, reads_without), cut(reads + writes, reads_without + writes_without));
    println!(
        "cache cut database reads by {read_cut:.1} % ({reads} vs {reads_without}); writes {writes} vs \
         {writes_without}; all queries cut by {load_cut:.1} %"
    );
    assert!(read_cut >= 80.0, "reads cut {read_cut:.1} %");
    assert!(writes.abs_diff(writes_without) * 10 <= writes_without, "writes {writes} vs {writes_without}");
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
    let mut s = Sim::new(cfg).unwrap();
    s.run_until(10 * SEC);
    s.apply(Command::Spike).unwrap();
    s.run_until(40 * SEC);
    let peak = s.servers().iter().filter(|x| x.state.accepts()).count();
    assert!(peak > 3, "scaled out to {peak}");
    s.run_until(200 * SEC);
    let after = s.servers().iter().filter(|x| x.state.accepts()).count();
    assert!(after < peak, "scaled back in to {after}");
    assert_eq!(s.totals().logouts, 0, "stateless scale-in logs nobody out");
}

#[test]
fn stateful_scale_in_logs_out_the_users_of_the_removed_server() {
    let mut s = sim(Mode::Stateful);
    s.run_until(2 * SEC);
    let victims = users_on(&s, ServerId(2)).len() as u64;
    assert!(victims > 0);
    s.apply(Command::RemoveServer { server: ServerId(2) }).unwrap();
    s.run_until(10 * SEC);
    assert!(s.totals().logouts >= victims);
}

#[test]
fn queueing_only_pipeline_runs() {
    let cfg = SimConfig { pipeline: Pipeline::ServersOnly, ..SimConfig::default() };
    let mut s = Sim::new(cfg).unwrap();
    s.run_until(10 * SEC);
    assert!(s.totals().completed > 100);
}
