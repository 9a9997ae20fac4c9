//! The CDN: one edge per region keeps static files for a TTL; a miss goes to the origin.

use crate::user::Region;

/// Edge caches: for each region, when each static file expires there [µs].
#[derive(Clone, Debug)]
pub struct Cdn {
    expires_us: Vec<Vec<u64>>,
    /// Static files an edge still held, over all regions since the start.
    pub hits: u64,
    /// Requests an edge had to pass on to the origin.
    pub misses: u64,
}

impl Cdn {
    /// Every edge starts empty: the first request for each file in each region goes to the origin.
    pub fn new(assets: u32) -> Self {
        Self { expires_us: vec![vec![0; assets as usize]; Region::ALL.len()], hits: 0, misses: 0 }
    }

    /// Looks `asset` up at the region's edge; on a miss the edge keeps it until `fill_until_us`.
    pub fn lookup(&mut self, region: Region, asset: usize, now_us: u64, fill_until_us: u64) -> bool {
        let slot = &mut self.expires_us[region.index()][asset];
        if now_us < *slot {
            self.hits += 1;
            true
        } else {
            *slot = fill_until_us;
            self.misses += 1;
            false
        }
    }

    /// Distinct static files: the range a page load picks its file from.
    pub fn assets(&self) -> usize {
        self.expires_us[0].len()
    }

    /// Share of static files served by an edge, in per mille; `None` before the first file, so
    /// a page says "none yet" rather than a misleading 0 %.
    pub fn hit_ratio_per_mille(&self) -> Option<u32> {
        ratio_per_mille(self.hits, self.hits + self.misses)
    }
}

pub(crate) fn ratio_per_mille(part: u64, whole: u64) -> Option<u32> {
    (part * 1000).checked_div(whole).map(|r| r as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_edge_misses_once_then_hits_until_the_ttl() {
        let mut cdn = Cdn::new(4);
        assert_eq!(cdn.hit_ratio_per_mille(), None, "nothing asked yet");
        assert!(!cdn.lookup(Region::Asia, 2, 0, 100));
        assert!(cdn.lookup(Region::Asia, 2, 50, 150));
        assert!(!cdn.lookup(Region::Europe, 2, 50, 150), "each region has its own edge");
        assert!(!cdn.lookup(Region::Asia, 2, 100, 200), "expired at the TTL");
        assert_eq!(cdn.hit_ratio_per_mille(), Some(250));
    }
}
