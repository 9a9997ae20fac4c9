//! The simulation's speed as WebAssembly in the browser: the workload of
//! `crates/sim/benches/throughput.rs`, timed with `performance.now()`. Prints figures, and
//! asserts nothing about time, only that the workload ran. Not run by CI;
//! `scripts/bench-wasm.sh` runs it and compares with native.
#![cfg(target_arch = "wasm32")]

use statelab_sim::bench;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Milliseconds from the page's time origin.
fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).expect("performance in a window").now()
}

/// Wall time in seconds.
fn clock_s() -> f64 {
    now_ms() / 1000.0
}

#[wasm_bindgen_test]
fn throughput() {
    let t = bench::throughput(clock_s);
    // The same workload natively: a figure is only worth comparing if the run did its work.
    assert!(t.wall_s > 0.0 && t.issued > 0 && t.completed > 0 && t.events >= t.completed, "{t}");
    console_log!("wasm {t}");
}

#[wasm_bindgen_test]
fn snapshot_cost() {
    let (mean_us, in_flight, listed) = bench::snapshot_cost(clock_s);
    // A snapshot lists requests in flight, up to the 1,000 it was asked for.
    assert!(listed > 0 && listed <= 1_000 && listed as u32 <= in_flight, "{listed} of {in_flight}");
    console_log!("wasm snapshot(1000): 64 servers, {in_flight} requests in flight ({listed} listed)");
    console_log!("  mean cost            {mean_us:>12.1} µs per call over 5000 calls");
}
