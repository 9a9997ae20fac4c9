//! Cache-aside for product reads (Redis or Memcached): a hit costs ~1 ms, a miss sends the
//! server to the database (10–100 ms) and then fills the cache. LRU eviction plus a TTL.

use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug)]
struct Entry {
    expires_us: u64,
    /// Position in the recency order.
    tick: u64,
}

/// The product cache.
#[derive(Clone, Debug)]
pub struct Cache {
    pub enabled: bool,
    pub up: bool,
    pub capacity: u32,
    pub ttl_us: u64,
    entries: Vec<Option<Entry>>,
    /// Recency order: oldest tick first.
    order: BTreeMap<u64, u32>,
    tick: u64,
    pub hits: u64,
    pub misses: u64,
}

impl Cache {
    pub fn new(enabled: bool, capacity: u32, ttl_us: u64, products: u32) -> Self {
        Self {
            enabled,
            up: true,
            capacity,
            ttl_us,
            entries: vec![None; products as usize],
            order: BTreeMap::new(),
            tick: 0,
            hits: 0,
            misses: 0,
        }
    }

    /// Whether servers consult it at all.
    pub fn in_use(&self) -> bool {
        self.enabled && self.up
    }

    /// Products cached right now.
    pub fn len(&self) -> u32 {
        self.order.len() as u32
    }

    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// Looks a product up, counting a hit or a miss; a hit refreshes its recency.
    pub fn get(&mut self, product: u32, now_us: u64) -> bool {
        let p = product as usize;
        match self.entries[p] {
            Some(e) if now_us < e.expires_us => {
                self.order.remove(&e.tick);
                self.tick += 1;
                self.order.insert(self.tick, product);
                self.entries[p] = Some(Entry { tick: self.tick, ..e });
                self.hits += 1;
                true
            }
            _ => {
                self.misses += 1;
                false
            }
        }
    }

    /// Stores a product fetched from the database, evicting the least recently used.
    pub fn fill(&mut self, product: u32, now_us: u64) {
        self.invalidate(product);
        while self.order.len() >= self.capacity as usize {
            match self.order.pop_first() {
                Some((_, victim)) => self.entries[victim as usize] = None,
                None => break,
            }
        }
        self.tick += 1;
        self.order.insert(self.tick, product);
        self.entries[product as usize] = Some(Entry { expires_us: now_us + self.ttl_us, tick: self.tick });
    }

    /// Drops a product after a write, so the next read goes to the database.
    pub fn invalidate(&mut self, product: u32) {
        if let Some(e) = self.entries[product as usize].take() {
            self.order.remove(&e.tick);
        }
    }

    /// Empties it (a crash, or a restart of a cache without persistence).
    pub fn clear(&mut self) {
        for (_, p) in std::mem::take(&mut self.order) {
            self.entries[p as usize] = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lru_evicts_the_least_recently_used() {
        let mut c = Cache::new(true, 2, 1_000, 10);
        c.fill(1, 0);
        c.fill(2, 0);
        assert!(c.get(1, 1));
        c.fill(3, 2);
        assert!(c.get(1, 3), "recently used stays");
        assert!(!c.get(2, 3), "least recently used was evicted");
        assert!(c.get(3, 3));
        assert_eq!(c.len(), 2);
    }

    #[test]
    fn entries_expire_and_writes_invalidate() {
        let mut c = Cache::new(true, 5, 100, 10);
        c.fill(4, 0);
        assert!(c.get(4, 99));
        assert!(!c.get(4, 100), "expired at the TTL");
        c.fill(5, 200);
        c.invalidate(5);
        assert!(!c.get(5, 201));
        c.fill(6, 300);
        c.clear();
        assert!(c.is_empty());
    }
}
