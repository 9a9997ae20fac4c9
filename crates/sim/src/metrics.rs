//! Per-second metrics in a bounded ring: what the charts draw and what the tests check.

use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

use crate::database::DbName;
use crate::event::FailReason;

/// Figures for one simulated second.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    /// End of the second [s of sim time].
    pub t_s: u64,
    /// Requests answered this second; the percentiles are over answers alone, failures left out.
    pub completed: u32,
    /// Requests that ended in an error this second, whatever the reason (see `errors`).
    pub failed: u32,
    /// Failures by reason, in [`FailReason::ALL`] order.
    pub errors: [u32; 8],
    /// Latency percentiles of the requests answered this second, with those of the seconds
    /// before it while they number under [`PERCENTILE_ANSWERS`] (see [`Metrics::close`]);
    /// `None` when none was answered this second, which is no latency rather than one of 0.
    pub p50_us: Option<u64>,
    /// The 95th percentile: the slow tail a learner feels when a server is busy [µs].
    pub p95_us: Option<u64>,
    /// The 99th percentile: one request in a hundred waits at least this long [µs].
    pub p99_us: Option<u64>,
    /// Users holding a session at the second's end.
    pub logged_in: u32,
    /// Users waiting to log in again at the second's end (see [`crate::Sim::logged_out`]).
    pub logged_out: u32,
    /// Users logged out during this second.
    pub logouts: u32,
    /// Product reads the cache answered this second.
    pub cache_hits: u32,
    /// Product reads it did not answer, counting every read while it is off or down.
    pub cache_misses: u32,
    /// Database reads the cache answered instead (= cache hits).
    pub db_reads_avoided: u32,
    /// Reads any database node answered this second.
    pub db_reads: u32,
    /// Writes the master ran this second: a cache never takes these off it.
    pub db_writes: u32,
    /// Reads per database node this second, by the name the node had as the second closed (a
    /// promotion renames two), in node order (master first), then any node removed during it.
    /// A node's history under its old name stays with that name.
    pub db_reads_by_node: Vec<(DbName, u32)>,
    /// Replica reads that saw a value the master had already changed.
    pub stale_reads: u32,
    /// Servers taking traffic at the second's end; utilization is over the time each server
    /// was healthy during the second.
    pub servers_healthy: u32,
    /// Booting at the second's end: capacity on its way, not yet serving.
    pub servers_booting: u32,
    /// Draining at the second's end: finishing their work, taking no new requests.
    pub servers_draining: u32,
    /// Crashed at the second's end; stopped servers count in no state.
    pub servers_down: u32,
    /// Mean worker utilization of healthy servers [%]; 100 in a second that is
    /// [`Sample::unserved`], the most overloaded a system can be.
    pub utilization_pct: u32,
    /// Arrival rate in force [requests/s].
    pub rate_per_s: u32,
}

impl Sample {
    /// Traffic came and no server was healthy to take it. Its utilization says 100 %, which
    /// the auto-scaler acts on, but no server was at work: a readout or chart must not say so.
    pub fn unserved(&self) -> bool {
        self.servers_healthy == 0 && self.rate_per_s > 0
    }

    /// Share of product reads the cache answered [%], if any read happened.
    pub fn cache_hit_pct(&self) -> Option<u32> {
        let total = self.cache_hits + self.cache_misses;
        (total > 0).then(|| self.cache_hits * 100 / total)
    }
}

/// Answers a second's percentiles are taken over at least, where the seconds before it (up to
/// [`PERCENTILE_WINDOW_S`] in all) hold them: at 20 requests a second, one second's p99 would be
/// its single slowest answer.
pub const PERCENTILE_ANSWERS: usize = 1_000;

/// The most seconds a second's percentiles reach over, its own included.
pub const PERCENTILE_WINDOW_S: usize = 10;

/// The ring of samples plus the counters of the second in progress.
#[derive(Clone)]
pub struct Metrics {
    samples: VecDeque<Sample>,
    capacity: usize,
    pub(crate) current: Sample,
    latencies_us: Vec<u64>,
    /// The latencies of the seconds before, newest last, as far back as a window can reach.
    earlier_us: VecDeque<Vec<u64>>,
    /// The window's latencies, gathered for a second's percentiles.
    window_us: Vec<u64>,
}

impl Metrics {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            samples: VecDeque::with_capacity(capacity.min(4096)),
            capacity,
            current: Sample::default(),
            latencies_us: Vec::new(),
            earlier_us: VecDeque::new(),
            window_us: Vec::new(),
        }
    }

    pub(crate) fn record_success(&mut self, latency_us: u64) {
        self.current.completed += 1;
        self.latencies_us.push(latency_us);
    }

    pub(crate) fn record_failure(&mut self, reason: FailReason) {
        self.current.failed += 1;
        self.current.errors[reason as usize] += 1;
    }

    /// Closes the current second: percentiles, then into the ring. A second that answered
    /// nothing has none; else they are over its answers and, while those number fewer than
    /// [`PERCENTILE_ANSWERS`], the answers of the seconds before it, newest first, within
    /// [`PERCENTILE_WINDOW_S`] and after the last second that had that many.
    pub(crate) fn close(&mut self, mut sample: Sample) {
        if !self.latencies_us.is_empty() {
            self.window_us.clear();
            self.window_us.extend_from_slice(&self.latencies_us);
            for earlier in self.earlier_us.iter().rev() {
                if self.window_us.len() >= PERCENTILE_ANSWERS {
                    break;
                }
                self.window_us.extend_from_slice(earlier);
            }
            let n = self.window_us.len();
            for (q, slot) in [(50, &mut sample.p50_us), (95, &mut sample.p95_us), (99, &mut sample.p99_us)] {
                let k = ((n * q).div_ceil(100)).clamp(1, n) - 1;
                *slot = Some(*self.window_us.select_nth_unstable(k).1);
            }
        }
        // A second with enough answers of its own ends every later window, itself included:
        // after a busy spell, its many slow answers would outweigh a quiet second's own for
        // the whole window.
        if self.latencies_us.len() >= PERCENTILE_ANSWERS {
            self.earlier_us.clear();
            self.latencies_us.clear();
        }
        let reused = if self.earlier_us.len() + 1 >= PERCENTILE_WINDOW_S { self.earlier_us.pop_front() } else { None };
        let mut next = reused.unwrap_or_default();
        next.clear();
        self.earlier_us.push_back(std::mem::replace(&mut self.latencies_us, next));
        if self.samples.len() == self.capacity {
            self.samples.pop_front();
        }
        self.samples.push_back(sample);
    }

    /// Every kept sample as CSV, one row per simulated second, with a header row; a second
    /// without an answer leaves its latency cells empty.
    pub fn to_csv(&self) -> String {
        let errors: Vec<String> = FailReason::ALL.iter().map(|r| format!("failed_{r:?}")).collect();
        let mut out = format!(
            "t_s,completed,failed,{},p50_us,p95_us,p99_us,logged_in,logged_out,logouts,cache_hits,cache_misses,\
             db_reads,db_writes,stale_reads,servers_healthy,servers_booting,servers_draining,servers_down,\
             utilization_pct,rate_per_s\n",
            errors.join(",")
        );
        for s in &self.samples {
            let errors: Vec<String> = s.errors.iter().map(u32::to_string).collect();
            let row = [
                s.t_s.to_string(),
                s.completed.to_string(),
                s.failed.to_string(),
                errors.join(","),
                cell(s.p50_us),
                cell(s.p95_us),
                cell(s.p99_us),
                s.logged_in.to_string(),
                s.logged_out.to_string(),
                s.logouts.to_string(),
                s.cache_hits.to_string(),
                s.cache_misses.to_string(),
                s.db_reads.to_string(),
                s.db_writes.to_string(),
                s.stale_reads.to_string(),
                s.servers_healthy.to_string(),
                s.servers_booting.to_string(),
                s.servers_draining.to_string(),
                s.servers_down.to_string(),
                s.utilization_pct.to_string(),
                s.rate_per_s.to_string(),
            ];
            out.push_str(&row.join(","));
            out.push('\n');
        }
        out
    }

    /// Closed seconds, oldest first, at most [`Metrics::capacity`]; the charts take the tail.
    pub fn samples(&self) -> &VecDeque<Sample> {
        &self.samples
    }

    /// Share of product reads the cache answered over the last `seconds`: the second in
    /// progress and the closed ones before it [‰]; `None` if there was no read. A learner who
    /// crashes the cache sees this fall at once, where the share since the start would hide it
    /// for minutes.
    pub fn recent_cache_hit_per_mille(&self, seconds: usize) -> Option<u32> {
        let (hits, misses) = self
            .samples
            .iter()
            .rev()
            .take(seconds.saturating_sub(1))
            .chain(std::iter::once(&self.current))
            .fold((0u64, 0u64), |(h, m), s| (h + u64::from(s.cache_hits), m + u64::from(s.cache_misses)));
        (hits + misses > 0).then(|| (hits * 1000 / (hits + misses)) as u32)
    }

    /// The second under way, counted so far: a chart of closed seconds must not deny a failure
    /// the cards already count.
    pub fn open(&self) -> &Sample {
        &self.current
    }

    /// The last closed second, which the CLI reports and the auto-scaler's readout shows.
    pub fn latest(&self) -> Option<&Sample> {
        self.samples.back()
    }

    /// Seconds kept (the config's `history_s`); the share panel states it as the CSV's window.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Latencies kept for the percentiles: the second in progress and the window's earlier
    /// seconds (bounded by [`PERCENTILE_WINDOW_S`] seconds of traffic); the memory test checks
    /// that they never pile up.
    pub fn pending_latencies(&self) -> usize {
        self.latencies_us.len() + self.earlier_us.iter().map(Vec::len).sum::<usize>()
    }
}

/// A CSV cell: the number, or nothing where there is none.
fn cell(value: Option<u64>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_nearest_rank() {
        let mut m = Metrics::new(2);
        for l in 1..=100 {
            m.record_success(l);
        }
        let current = std::mem::take(&mut m.current);
        m.close(current);
        let s = m.latest().unwrap();
        assert_eq!((s.p50_us, s.p95_us, s.p99_us, s.completed), (Some(50), Some(95), Some(99), 100));
        // A quiet second after it has no latency, and its CSV row leaves the cells empty.
        m.close(Sample { t_s: 2, ..Sample::default() });
        assert_eq!(m.latest().unwrap().p50_us, None);
        let csv = m.to_csv();
        let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
        let p50 = header.iter().position(|h| *h == "p50_us").unwrap();
        let cells = |row: &str| row.split(',').skip(p50).take(3).map(str::to_string).collect::<Vec<_>>();
        let rows: Vec<&str> = csv.lines().skip(1).collect();
        assert_eq!(cells(rows[0]), ["50", "95", "99"]);
        assert_eq!(cells(rows[1]), ["", "", ""]);
    }

    #[test]
    fn a_quiet_second_reaches_back_for_enough_answers_and_no_further_than_the_window() {
        let mut m = Metrics::new(30);
        let second = |m: &mut Metrics, latencies: &[u64]| {
            for &l in latencies {
                m.record_success(l);
            }
            let current = std::mem::take(&mut m.current);
            m.close(current);
            m.latest().unwrap().clone()
        };
        // 20 answers a second: a slow second, then quiet ones.
        assert_eq!(second(&mut m, &[500; 20]).p50_us, Some(500));
        let quiet = [10; 20];
        for _ in 2..PERCENTILE_WINDOW_S {
            second(&mut m, &quiet);
        }
        // The tenth second's window holds all ten: 20 slow answers in 200, a tenth of them.
        let s = second(&mut m, &quiet);
        assert_eq!((s.p50_us, s.p95_us, s.p99_us), (Some(10), Some(500), Some(500)));
        // The eleventh's leaves the slow second out.
        assert_eq!(second(&mut m, &quiet).p99_us, Some(10));
        // A busy second has enough answers of its own: the quiet seconds before it do not count.
        let busy = vec![70; PERCENTILE_ANSWERS];
        assert_eq!(second(&mut m, &busy).p50_us, Some(70));
        assert_eq!(second(&mut m, &[40]).p99_us, Some(40), "nor do they for a quiet second after it");
        assert_eq!(second(&mut m, &[50]).p99_us, Some(50));
        assert_eq!(m.pending_latencies(), 2);
    }

    #[test]
    fn the_recent_hit_ratio_forgets_older_seconds() {
        let mut m = Metrics::new(60);
        assert_eq!(m.recent_cache_hit_per_mille(3), None, "no read yet");
        for (hits, misses) in [(10, 0), (3, 1), (1, 3)] {
            m.close(Sample { cache_hits: hits, cache_misses: misses, ..Sample::default() });
        }
        assert_eq!(m.recent_cache_hit_per_mille(3), Some(500), "two closed seconds and an empty one: 4 of 8");
        m.current.cache_misses = 8;
        assert_eq!(m.recent_cache_hit_per_mille(3), Some(250), "and the second in progress: 4 of 16");
    }

    #[test]
    fn csv_has_a_header_and_a_row_per_second() {
        let mut m = Metrics::new(4);
        m.record_success(10);
        let current = std::mem::take(&mut m.current);
        m.close(Sample { t_s: 1, ..current });
        let csv = m.to_csv();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].split(',').count(), lines[1].split(',').count());
        assert!(lines[1].starts_with("1,1,0,"), "{}", lines[1]);
    }

    #[test]
    fn the_ring_never_exceeds_its_capacity() {
        let mut m = Metrics::new(3);
        for t in 0..10 {
            m.close(Sample { t_s: t, ..Sample::default() });
            assert!(m.samples().len() <= 3);
        }
        assert_eq!(m.samples().front().unwrap().t_s, 7);
    }
}
