//! Memory stays flat however long a run lasts: every buffer is a bounded ring or a slab whose
//! slots are reused, so a tab left open for hours costs what it cost after a minute.

use statelab_sim::engine::RECENT_COMPLETED;
use statelab_sim::time::SEC;
use statelab_sim::{Mode, Sim, SimConfig};

/// Sizes of everything that could grow with the length of a run.
#[derive(Debug)]
struct Footprint {
    samples: usize,
    events: usize,
    completed: usize,
    request_slots: usize,
    scheduled: usize,
    pending_latencies: usize,
}

fn footprint(sim: &Sim) -> Footprint {
    Footprint {
        samples: sim.metrics().samples().len(),
        events: sim.events().len(),
        completed: sim.completed().len(),
        request_slots: sim.request_slots(),
        scheduled: sim.scheduled_events(),
        pending_latencies: sim.metrics().pending_latencies(),
    }
}

#[test]
fn ten_minutes_at_a_thousand_requests_a_second_stay_bounded() {
    let mut cfg = SimConfig { seed: 4, mode: Mode::Stateless, users: 1_000, servers: 8, ..SimConfig::default() };
    cfg.traffic.rate_per_s = 1_000;
    cfg.history_s = 120;
    cfg.event_log = 500;
    let mut sim = Sim::new(cfg).unwrap();
    sim.run_until(60 * SEC);
    let early = footprint(&sim);
    for minute in 2..=10 {
        sim.run_until(minute * 60 * SEC);
        let now = footprint(&sim);
        assert_eq!(now.samples, 120, "the metrics ring is full and no longer");
        assert_eq!(now.events, 500, "the event log is full and no longer");
        assert_eq!(now.completed, RECENT_COMPLETED);
        // The slab only grows to the most requests ever in flight at once: a couple of hundred.
        assert!(now.request_slots <= 2 * early.request_slots.max(100), "{early:?} then {now:?}");
        // One entry per moving request, plus the few periodic ones.
        assert!(now.scheduled <= sim.in_flight() as usize + 32, "{now:?}");
        // The percentiles' window: at most ten seconds of answers.
        assert!(now.pending_latencies <= 10 * 1_200, "{now:?}");
    }
    let t = sim.totals();
    assert!(t.issued > 550_000, "the run really carried the load: {t:?}");
    assert!(sim.events().total() > 100 * 500, "the log wrapped many times");
    println!("after 10 minutes: {:?}, in flight now {}", footprint(&sim), sim.in_flight());
}
