//! The benchmark workload, shared by the native bench (`cargo bench`) and the browser one
//! (`tests/wasm_bench.rs`) so both measure exactly the same thing. The caller passes its clock.

use std::fmt;
use std::hint::black_box;

use crate::config::{Mode, SimConfig};
use crate::engine::Sim;
use crate::time::SEC;

/// The largest system the UI allows (64 servers, 10,000 users), stateless, pushed hard, with a
/// database sized to keep up (every replica, 1,024 connections each): the bench measures the
/// engine's pace, not a database turning requests away.
pub fn busiest(rate_per_s: u32) -> Sim {
    let mut cfg = SimConfig { seed: 1, mode: Mode::Stateless, users: 10_000, servers: 64, ..SimConfig::default() };
    cfg.traffic.rate_per_s = rate_per_s;
    cfg.server.workers = 64;
    cfg.server.queue = 256;
    cfg.database.replicas = crate::config::limits::REPLICAS;
    cfg.database.connections = 1_024;
    Sim::new(cfg).expect("a valid config")
}

/// What one throughput run measured.
pub struct Throughput {
    /// Simulated seconds measured, after the warm-up.
    pub measured_s: u64,
    /// Wall time they took, by the caller's clock [s].
    pub wall_s: f64,
    /// Agenda entries processed, stale ones included: the engine's unit of work.
    pub steps: u64,
    /// Events logged, every single success included.
    pub events: u64,
    /// Requests started during the measured seconds.
    pub issued: u64,
    /// Requests answered during the measured seconds.
    pub completed: u64,
    /// Failures over the whole run, warm-up included, as the report's "overall" says.
    pub failed: u64,
}

/// 100,000 requests/s: one simulated second of warm-up, then five measured. `clock_s` reads
/// wall time in seconds.
pub fn throughput(clock_s: impl Fn() -> f64) -> Throughput {
    const WARMUP_S: u64 = 1;
    const MEASURED_S: u64 = 5;
    let mut sim = busiest(100_000);
    sim.run_until(WARMUP_S * SEC);
    let (steps, events, t0) = (sim.steps(), sim.events().total(), sim.totals());
    let start = clock_s();
    sim.run_until((WARMUP_S + MEASURED_S) * SEC);
    let wall_s = clock_s() - start;
    let t = sim.totals();
    Throughput {
        measured_s: MEASURED_S,
        wall_s,
        steps: sim.steps() - steps,
        events: sim.events().total() - events,
        issued: t.issued - t0.issued,
        completed: t.completed - t0.completed,
        failed: t.failed,
    }
}

impl fmt::Display for Throughput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let per_s = |n: u64| n as f64 / self.wall_s;
        writeln!(f, "throughput: 64 servers, 10,000 users, 100,000 requests/s, {} simulated s", self.measured_s)?;
        writeln!(
            f,
            "  wall time            {:.2} s ({:.2}× real time)",
            self.wall_s,
            self.measured_s as f64 / self.wall_s
        )?;
        writeln!(f, "  agenda steps         {:>12.0} /s", per_s(self.steps))?;
        writeln!(f, "  logged events        {:>12.0} /s", per_s(self.events))?;
        writeln!(f, "  requests issued      {:>12.0} /s", per_s(self.issued))?;
        write!(f, "  requests completed   {:>12.0} /s ({} failed overall)", per_s(self.completed), self.failed)
    }
}

/// Mean cost of `snapshot(1000)` with ~1,000 requests in flight [µs], with the in-flight and
/// listed counts.
pub fn snapshot_cost(clock_s: impl Fn() -> f64) -> (f64, u32, usize) {
    const CALLS: u32 = 5_000;
    let mut sim = busiest(19_000);
    sim.run_until(3 * SEC);
    let start = clock_s();
    for _ in 0..CALLS {
        black_box(sim.snapshot(black_box(1_000)));
    }
    let mean_us = (clock_s() - start) * 1e6 / f64::from(CALLS);
    (mean_us, sim.in_flight(), sim.snapshot(1_000).requests.len())
}
