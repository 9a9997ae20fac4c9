//! What the page's controls send must do what their labels say, however often they are moved.

use statelab_sim::config::limits;
use statelab_sim::time::SEC;
use statelab_sim::traffic::Pattern;
use statelab_sim::{Command, CommandError, Mode, ServerId, ServerState, Sim, SimConfig};

fn sim() -> Sim {
    let mut cfg = SimConfig { seed: 3, mode: Mode::Stateless, ..SimConfig::default() };
    cfg.traffic.rate_per_s = 100;
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
    assert_eq!(s.snapshot(0).rate_per_s, 500);
    s.run_until(40 * SEC);
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
    move_rate_slider(&mut s, 60);
    assert_eq!(s.snapshot(0).rate_per_s, 300, "five times the new rate while the spike lasts");
    s.run_until(31 * SEC);
    assert_eq!(s.snapshot(0).rate_per_s, 60, "the spike still ends 30 s after it began");
}

#[test]
fn the_spike_button_always_starts_a_fresh_spike() {
    let mut s = sim();
    s.apply(Command::Spike).unwrap();
    s.run_until(25 * SEC);
    s.apply(Command::Spike).unwrap();
    s.run_until(50 * SEC);
    assert_eq!(s.snapshot(0).rate_per_s, 500);
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
