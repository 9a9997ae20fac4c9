//! The one random source of a run. PCG is portable (same stream on every target) and cheap;
//! `libm` keeps `ln` bit-identical between native code and WASM.

use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64Mcg;

#[derive(Clone)]
pub(crate) struct SimRng(Pcg64Mcg);

impl SimRng {
    pub(crate) fn new(seed: u64) -> Self {
        Self(Pcg64Mcg::seed_from_u64(seed))
    }

    /// Uniform integer in `[lo, hi]`.
    pub(crate) fn between(&mut self, lo: u64, hi: u64) -> u64 {
        if hi <= lo {
            lo
        } else {
            self.0.random_range(lo..=hi)
        }
    }

    /// Uniform index in `[0, n)`; `n` must be positive.
    pub(crate) fn index(&mut self, n: usize) -> usize {
        self.0.random_range(0..n)
    }

    /// Uniform in `[0, 1)`.
    pub(crate) fn unit(&mut self) -> f64 {
        self.0.random::<f64>()
    }

    /// Exponentially distributed duration with the given mean [µs], at least 1 µs.
    pub(crate) fn exp_us(&mut self, mean_us: f64) -> u64 {
        (self.exp(mean_us) as u64).max(1)
    }

    /// Exponentially distributed, with the given mean, unrounded: arrival gaps keep their
    /// fraction of a µs, or a high rate would come out wrong.
    pub(crate) fn exp(&mut self, mean: f64) -> f64 {
        -libm::log(1.0 - self.unit()) * mean
    }
}
