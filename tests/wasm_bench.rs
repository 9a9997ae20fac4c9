//! The simulation's speed as WebAssembly in the browser: the workload of
//! `crates/sim/benches/throughput.rs`, timed with `performance.now()`. Prints figures and asserts
//! nothing about time. Not run by CI; `scripts/bench-wasm.sh` runs it and compares with native.
#![cfg(target_arch = "wasm32")]

use std::hint::black_box;

use statelab_sim::time::SEC;
use statelab_sim::{Mode, Sim, SimConfig};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Milliseconds from the page's time origin.
fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).expect("performance in a window").now()
}

/// The largest system the UI allows, pushed hard (as in the native bench).
fn big(rate_per_s: u32) -> Sim {
    let mut cfg = SimConfig { seed: 1, mode: Mode::Stateless, users: 10_000, servers: 64, ..SimConfig::default() };
    cfg.traffic.rate_per_s = rate_per_s;
    cfg.server.workers = 64;
    cfg.server.queue = 256;
    Sim::new(cfg).expect("a valid config")
}

#[wasm_bindgen_test]
fn throughput() {
    const WARMUP_S: u64 = 1;
    const MEASURED_S: u64 = 5;
    let mut sim = big(100_000);
    sim.run_until(WARMUP_S * SEC);
    let (steps, events, issued, completed) =
        (sim.steps(), sim.events().total(), sim.totals().issued, sim.totals().completed);
    let start = now_ms();
    sim.run_until((WARMUP_S + MEASURED_S) * SEC);
    let wall_s = (now_ms() - start) / 1000.0;
    let t = sim.totals();
    let per_s = |n: u64| n as f64 / wall_s;
    console_log!("wasm throughput: 64 servers, 10,000 users, 100,000 requests/s, {MEASURED_S} simulated s");
    console_log!("  wall time            {wall_s:.2} s ({:.2}× real time)", MEASURED_S as f64 / wall_s);
    console_log!("  agenda steps         {:>12.0} /s", per_s(sim.steps() - steps));
    console_log!("  logged events        {:>12.0} /s", per_s(sim.events().total() - events));
    console_log!("  requests issued      {:>12.0} /s", per_s(t.issued - issued));
    console_log!("  requests completed   {:>12.0} /s ({} failed overall)", per_s(t.completed - completed), t.failed);
}

#[wasm_bindgen_test]
fn snapshot_cost() {
    const CALLS: u32 = 5_000;
    let mut sim = big(19_000);
    sim.run_until(3 * SEC);
    let start = now_ms();
    for _ in 0..CALLS {
        black_box(sim.snapshot(black_box(1_000)));
    }
    let mean_us = (now_ms() - start) * 1000.0 / f64::from(CALLS);
    let listed = sim.snapshot(1_000).requests.len();
    console_log!("wasm snapshot(1000): 64 servers, {} requests in flight ({listed} listed)", sim.in_flight());
    console_log!("  mean cost            {mean_us:>12.1} µs per call over {CALLS} calls");
}
