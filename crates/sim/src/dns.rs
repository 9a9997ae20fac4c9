//! DNS: the browser asks a resolver for the site's address and caches the answer for a TTL.

use crate::config::DnsConfig;
use crate::time::MS;

/// Resolver figures for the snapshot and metrics.
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

    /// When a fresh answer fetched now expires.
    pub fn expiry(cfg: &DnsConfig, now_us: u64) -> u64 {
        now_us + u64::from(cfg.ttl_ms) * MS
    }
}
