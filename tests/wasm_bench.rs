//! The simulation's speed as WebAssembly in the browser: the workload of
//! `crates/sim/benches/throughput.rs`, timed with `performance.now()`. Prints figures and asserts
//! nothing about time. Not run by CI; `scripts/bench-wasm.sh` runs it and compares with native.
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
    console_log!("wasm {}", bench::throughput(clock_s));
}

#[wasm_bindgen_test]
fn snapshot_cost() {
    let (mean_us, in_flight, listed) = bench::snapshot_cost(clock_s);
    console_log!("wasm snapshot(1000): 64 servers, {in_flight} requests in flight ({listed} listed)");
    console_log!("  mean cost            {mean_us:>12.1} µs per call over 5000 calls");
}
