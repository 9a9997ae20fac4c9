//! How fast the model runs on one core, what a UI frame's snapshot costs, and proof that memory
//! stays flat over a long run. `cargo bench -p statelab-sim` prints the figures.

use std::time::Instant;

use statelab_sim::engine::RECENT_COMPLETED;
use statelab_sim::time::SEC;
use statelab_sim::{bench, Mode, Sim, SimConfig};

fn throughput() {
    let origin = Instant::now();
    println!("{}", bench::throughput(|| origin.elapsed().as_secs_f64()));
}

fn snapshot_cost() {
    let origin = Instant::now();
    let (mean_us, in_flight, listed) = bench::snapshot_cost(|| origin.elapsed().as_secs_f64());
    println!("snapshot(1000): 64 servers, {in_flight} requests in flight ({listed} listed)");
    println!("  mean cost            {mean_us:>12.1} µs per call over 5000 calls");
}

fn memory_flatness() {
    let mut cfg = SimConfig { seed: 4, mode: Mode::Stateless, users: 1_000, servers: 8, ..SimConfig::default() };
    cfg.traffic.rate_per_s = 1_000;
    let (history_s, event_log) = (cfg.history_s, cfg.event_log);
    let mut sim = Sim::new(cfg).expect("a valid config");
    let start = Instant::now();
    sim.run_until(3_600 * SEC);
    let wall_s = start.elapsed().as_secs_f64();
    println!("memory after 1 simulated hour at 1,000 requests/s ({wall_s:.1} s of wall time)");
    println!("  requests issued      {:>12}", sim.totals().issued);
    println!("  metrics ring         {:>12} of {history_s} samples", sim.metrics().samples().len());
    println!(
        "  event log            {:>12} of {event_log} kept ({} ever logged)",
        sim.events().len(),
        sim.events().total()
    );
    println!("  completed ring       {:>12} of {RECENT_COMPLETED}", sim.completed().len());
    println!("  request slab         {:>12} slots ({} in flight now)", sim.request_slots(), sim.in_flight());
    println!("  agenda               {:>12} entries", sim.scheduled_events());
}

fn main() {
    throughput();
    snapshot_cost();
    memory_flatness();
}
