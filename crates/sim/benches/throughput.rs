//! How fast the model runs on one core, what a UI frame's snapshot costs, and proof that memory
//! stays flat over a long run. `cargo bench -p statelab-sim` prints the figures.

use std::hint::black_box;
use std::time::Instant;

use statelab_sim::engine::RECENT_COMPLETED;
use statelab_sim::time::SEC;
use statelab_sim::{Mode, Sim, SimConfig};

/// The largest system the UI allows, pushed hard.
fn big(rate_per_s: u32) -> Sim {
    let mut cfg = SimConfig { seed: 1, mode: Mode::Stateless, users: 10_000, servers: 64, ..SimConfig::default() };
    cfg.traffic.rate_per_s = rate_per_s;
    cfg.server.workers = 64;
    cfg.server.queue = 256;
    Sim::new(cfg).expect("a valid config")
}

fn throughput() {
    const WARMUP_S: u64 = 1;
    const MEASURED_S: u64 = 5;
    let mut sim = big(100_000);
    sim.run_until(WARMUP_S * SEC);
    let (steps, events, issued, completed) =
        (sim.steps(), sim.events().total(), sim.totals().issued, sim.totals().completed);
    let start = Instant::now();
    sim.run_until((WARMUP_S + MEASURED_S) * SEC);
    let wall_s = start.elapsed().as_secs_f64();
    let t = sim.totals();
    let per_s = |n: u64| n as f64 / wall_s;
    println!("throughput: 64 servers, 10,000 users, 100,000 requests/s, {MEASURED_S} simulated s");
    println!("  wall time            {wall_s:.2} s ({:.2}× real time)", MEASURED_S as f64 / wall_s);
    println!("  agenda steps         {:>12.0} /s", per_s(sim.steps() - steps));
    println!("  logged events        {:>12.0} /s", per_s(sim.events().total() - events));
    println!("  requests issued      {:>12.0} /s", per_s(t.issued - issued));
    println!("  requests completed   {:>12.0} /s ({} failed overall)", per_s(t.completed - completed), t.failed);
}

fn snapshot_cost() {
    const CALLS: u32 = 5_000;
    let mut sim = big(19_000);
    sim.run_until(3 * SEC);
    let start = Instant::now();
    for _ in 0..CALLS {
        black_box(sim.snapshot(black_box(1_000)));
    }
    let mean_us = start.elapsed().as_secs_f64() * 1e6 / f64::from(CALLS);
    let listed = sim.snapshot(1_000).requests.len();
    println!("snapshot(1000): 64 servers, {} requests in flight ({listed} listed)", sim.in_flight());
    println!("  mean cost            {mean_us:>12.1} µs per call over {CALLS} calls");
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
