//! DNS: the browser asks a resolver for the site's address and caches the answer for a TTL.

use crate::config::DnsConfig;
use crate::time::MS;

/// How often browsers had to ask the resolver, for the diagram's DNS box.
#[derive(Clone, Debug, Default)]
pub struct Dns {
    /// Requests whose browser had to ask the resolver, its cached answer having expired.
    pub lookups: u64,
    /// Requests whose browser still held a fresh answer and skipped the lookup.
    pub cache_hits: u64,
}

impl Dns {
    /// Whether a browser whose cached answer expires at `expires_us` must ask the resolver.
    pub fn needs_lookup(&mut self, now_us: u64, expires_us: u64) -> bool {
        if now_us < expires_us {
            self.cache_hits += 1;
            false
        } else {
            self.lookups += 1;
            true
        }
    }

    /// Requests that skipped the lookup, of all [‰]; `None` before the first request.
    pub fn cached_per_mille(&self) -> Option<u32> {
        crate::cdn::ratio_per_mille(self.cache_hits, self.cache_hits + self.lookups)
    }

    /// When a fresh answer fetched now expires.
    pub fn expiry(cfg: &DnsConfig, now_us: u64) -> u64 {
        now_us + u64::from(cfg.ttl_ms) * MS
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fresh_answer_skips_the_lookup_and_counts_as_cached() {
        let mut dns = Dns::default();
        assert_eq!(dns.cached_per_mille(), None, "nothing asked yet");
        assert!(dns.needs_lookup(0, 0), "no answer yet");
        assert!(!dns.needs_lookup(10, 60_000));
        assert!(!dns.needs_lookup(20, 60_000));
        assert!(dns.needs_lookup(60_000, 60_000), "expired");
        assert_eq!(dns.cached_per_mille(), Some(500));
    }
}
