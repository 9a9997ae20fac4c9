//! Cache-aside for product reads (Redis or Memcached): a hit costs ~1 ms, a miss sends the
//! server to the database (10–100 ms) and then fills the cache. LRU eviction plus a TTL.

/// No product: the end of the recency list.
const NONE: u32 = u32::MAX;

/// A product's place in the cache: its expiry and its neighbours in the recency list.
#[derive(Clone, Copy, Debug)]
struct Slot {
    cached: bool,
    expires_us: u64,
    /// Next older product.
    older: u32,
    /// Next newer product.
    newer: u32,
}

/// Cache-aside for product reads: a hit (~1 ms) saves the server a 10–100 ms database read.
#[derive(Clone, Debug)]
pub struct Cache {
    /// The learner's switch; off, servers go straight to the database.
    pub enabled: bool,
    /// False after a crash, which emptied it; a restart brings it back empty.
    pub up: bool,
    /// Products held before the least recently used is evicted.
    pub capacity: u32,
    /// How long a cached product stays valid: after it, a read misses and refetches [µs].
    pub ttl_us: u64,
    /// Indexed by product. Cached ones form a doubly linked recency list, so a hit, a fill and
    /// an eviction each cost O(1) on the request path.
    slots: Vec<Slot>,
    /// Least recently used cached product.
    oldest: u32,
    /// Most recently used cached product.
    newest: u32,
    len: u32,
    /// Lookups answered while in use, since the start: the snapshot's hit ratio comes from these.
    pub hits: u64,
    /// Lookups it missed while in use. Unlike [`crate::Sample::cache_misses`], reads made while it
    /// is off or down do not count.
    pub misses: u64,
}

impl Cache {
    /// Takes the catalogue's size so that each product has a slot: a hit, a fill or an eviction is
    /// an index, never a hash lookup.
    pub fn new(enabled: bool, capacity: u32, ttl_us: u64, products: u32) -> Self {
        let empty = Slot { cached: false, expires_us: 0, older: NONE, newer: NONE };
        Self {
            enabled,
            up: true,
            capacity,
            ttl_us,
            slots: vec![empty; products as usize],
            oldest: NONE,
            newest: NONE,
            len: 0,
            hits: 0,
            misses: 0,
        }
    }

    /// Whether servers consult it at all.
    pub fn in_use(&self) -> bool {
        self.enabled && self.up
    }

    /// Products cached right now: the recency list's tests hold it to a plain model's.
    #[cfg(test)]
    fn len(&self) -> u32 {
        self.len
    }

    /// Pairs [`Cache::len`], as clippy asks of a public `len`; the cache's own tests use it.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Looks a product up, counting a hit or a miss; a hit refreshes its recency.
    pub fn get(&mut self, product: u32, now_us: u64) -> bool {
        let s = self.slots[product as usize];
        if s.cached && now_us < s.expires_us {
            self.unlink(product);
            self.link_newest(product);
            self.hits += 1;
            true
        } else {
            self.misses += 1;
            false
        }
    }

    /// Stores a product fetched from the database, evicting the least recently used.
    pub fn fill(&mut self, product: u32, now_us: u64) {
        self.invalidate(product);
        while self.len >= self.capacity && self.oldest != NONE {
            self.invalidate(self.oldest);
        }
        self.link_newest(product);
        self.slots[product as usize].expires_us = now_us + self.ttl_us;
    }

    /// Drops a product after a write, so the next read goes to the database.
    pub fn invalidate(&mut self, product: u32) {
        if self.slots[product as usize].cached {
            self.unlink(product);
        }
    }

    /// Empties it (a crash, or a restart of a cache without persistence).
    pub fn clear(&mut self) {
        while self.oldest != NONE {
            self.unlink(self.oldest);
        }
    }

    fn unlink(&mut self, product: u32) {
        let Slot { older, newer, .. } = self.slots[product as usize];
        match older {
            NONE => self.oldest = newer,
            o => self.slots[o as usize].newer = newer,
        }
        match newer {
            NONE => self.newest = older,
            n => self.slots[n as usize].older = older,
        }
        self.slots[product as usize] = Slot { cached: false, older: NONE, newer: NONE, ..self.slots[product as usize] };
        self.len -= 1;
    }

    fn link_newest(&mut self, product: u32) {
        let s = &mut self.slots[product as usize];
        s.cached = true;
        s.older = self.newest;
        s.newer = NONE;
        match self.newest {
            NONE => self.oldest = product,
            n => self.slots[n as usize].newer = product,
        }
        self.newest = product;
        self.len += 1;
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

    #[test]
    fn matches_a_plain_lru_list_over_random_operations() {
        let (capacity, ttl) = (20, 500);
        let mut c = Cache::new(true, capacity, ttl, 50);
        // Oldest first: (product, expires).
        let mut reference: Vec<(u32, u64)> = Vec::new();
        let mut x: u64 = 7;
        for now in 0..20_000u64 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let p = ((x >> 33) % 50) as u32;
            let at = reference.iter().position(|e| e.0 == p);
            match (x >> 60) % 8 {
                0..=3 => {
                    let hit = at.is_some_and(|i| now < reference[i].1);
                    if hit {
                        let e = reference.remove(at.unwrap());
                        reference.push(e);
                    }
                    assert_eq!(c.get(p, now), hit);
                }
                4..=6 => {
                    if let Some(i) = at {
                        reference.remove(i);
                    }
                    while reference.len() >= capacity as usize {
                        reference.remove(0);
                    }
                    reference.push((p, now + ttl));
                    c.fill(p, now);
                }
                _ if x.is_multiple_of(100) => {
                    reference.clear();
                    c.clear();
                }
                _ => {
                    if let Some(i) = at {
                        reference.remove(i);
                    }
                    c.invalidate(p);
                }
            }
            assert_eq!(c.len() as usize, reference.len());
        }
    }
}
