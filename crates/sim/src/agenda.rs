//! The agenda: pending events ordered by (time, insertion order). A 4-ary min-heap, because
//! popping is the engine's hottest operation and a shallower heap touches fewer cache lines
//! than `BinaryHeap`. Ties in time keep insertion order, which makes runs deterministic.

/// Pending items of type `T`, each due at a time.
pub(crate) struct Agenda<T> {
    /// `(key, item)` with key = time [µs] in the high 64 bits, insertion number in the low 64.
    items: Vec<(u128, T)>,
    inserted: u64,
}

const ARITY: usize = 4;

impl<T> Agenda<T> {
    pub(crate) fn new() -> Self {
        Self { items: Vec::new(), inserted: 0 }
    }

    pub(crate) fn len(&self) -> usize {
        self.items.len()
    }

    /// Time of the earliest item.
    pub(crate) fn next_at(&self) -> Option<u64> {
        self.items.first().map(|(k, _)| (k >> 64) as u64)
    }

    pub(crate) fn push(&mut self, at_us: u64, item: T) {
        self.inserted += 1;
        let key = (u128::from(at_us) << 64) | u128::from(self.inserted);
        self.items.push((key, item));
        let mut i = self.items.len() - 1;
        while i > 0 {
            let parent = (i - 1) / ARITY;
            if key >= self.items[parent].0 {
                break;
            }
            self.items.swap(i, parent);
            i = parent;
        }
    }

    /// Removes the earliest item, with its time.
    pub(crate) fn pop(&mut self) -> Option<(u64, T)> {
        let last = self.items.pop()?;
        let (key, item) = if self.items.is_empty() {
            last
        } else {
            let top = std::mem::replace(&mut self.items[0], last);
            self.sift_down();
            top
        };
        Some(((key >> 64) as u64, item))
    }

    fn sift_down(&mut self) {
        let n = self.items.len();
        let key = self.items[0].0;
        let mut i = 0;
        loop {
            let first = ARITY * i + 1;
            if first >= n {
                return;
            }
            let end = (first + ARITY).min(n);
            let mut best = first;
            let mut best_key = self.items[first].0;
            for c in first + 1..end {
                let k = self.items[c].0;
                if k < best_key {
                    best = c;
                    best_key = k;
                }
            }
            if best_key >= key {
                return;
            }
            self.items.swap(i, best);
            i = best;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_in_time_order_and_keeps_insertion_order_on_ties() {
        let mut a = Agenda::new();
        let times = [50, 10, 30, 10, 70, 20, 10, 60, 40, 30, 0, 90, 80];
        for (i, t) in times.iter().enumerate() {
            a.push(*t, i);
        }
        assert_eq!(a.next_at(), Some(0));
        let mut out = Vec::new();
        while let Some(x) = a.pop() {
            out.push(x);
        }
        let mut expected: Vec<(u64, usize)> = times.iter().copied().zip(0..).collect();
        expected.sort();
        assert_eq!(out, expected);
        assert_eq!(a.len(), 0);
    }

    #[test]
    fn interleaved_pushes_and_pops_stay_ordered() {
        let mut a = Agenda::new();
        let mut now = 0;
        let mut x: u64 = 12345;
        for step in 0..5_000u64 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            a.push(now + (x >> 40) % 1_000, step);
            if step % 3 == 0 {
                let (t, _) = a.pop().unwrap();
                assert!(t >= now, "time never goes back");
                now = t;
            }
        }
    }
}
