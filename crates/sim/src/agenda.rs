//! The agenda: pending events ordered by (time, insertion order). A radix heap over integer
//! time, because popping is the engine's hottest operation: simulated time never goes back,
//! so an item is filed by the highest bit in which its time differs from the last time popped,
//! and only moves towards bucket 0 a few times in its life, in sequential passes that stay in
//! cache. Buckets are first-in first-out, so ties in time keep insertion order, which makes
//! runs deterministic.

/// Buckets: 0 holds items due exactly at `last`; bucket `b > 0` those whose time differs from
/// `last` first in bit `b - 1`.
const BUCKETS: usize = 65;

/// Pending items of type `T`, each due at a time no earlier than the last one popped.
pub(crate) struct Agenda<T> {
    buckets: [Vec<(u64, T)>; BUCKETS],
    /// Items of bucket 0 already popped: it drains from the front, in insertion order.
    head: usize,
    /// Bit `b` set when bucket `b` holds items not yet popped.
    filled: u128,
    /// Time of the last item popped [µs].
    last: u64,
    len: usize,
}

fn bucket(at_us: u64, last: u64) -> usize {
    (u64::BITS - (at_us ^ last).leading_zeros()) as usize
}

impl<T: Copy> Agenda<T> {
    pub(crate) fn new() -> Self {
        Self { buckets: std::array::from_fn(|_| Vec::new()), head: 0, filled: 0, last: 0, len: 0 }
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Time of the earliest item.
    pub(crate) fn next_at(&self) -> Option<u64> {
        match self.filled.trailing_zeros() as usize {
            0 => Some(self.last),
            BUCKETS.. => None,
            b => self.buckets[b].iter().map(|(at, _)| *at).min(),
        }
    }

    /// Files an item due at `at_us`, which must not be earlier than the last item popped.
    pub(crate) fn push(&mut self, at_us: u64, item: T) {
        debug_assert!(at_us >= self.last, "the agenda never goes back in time");
        let b = bucket(at_us, self.last);
        self.buckets[b].push((at_us, item));
        self.filled |= 1 << b;
        self.len += 1;
    }

    /// Removes the earliest item, with its time.
    pub(crate) fn pop(&mut self) -> Option<(u64, T)> {
        self.pop_due(u64::MAX)
    }

    /// Removes the earliest item if it is due at or before `t_us`, with its time.
    pub(crate) fn pop_due(&mut self, t_us: u64) -> Option<(u64, T)> {
        if self.filled & 1 == 0 {
            let b = self.filled.trailing_zeros() as usize;
            if b >= BUCKETS {
                return None;
            }
            let min = self.buckets[b].iter().map(|(at, _)| *at).min().expect("a filled bucket");
            if min > t_us {
                return None;
            }
            self.spill(b, min);
        } else if self.last > t_us {
            return None;
        }
        self.take_front()
    }

    /// Refiles every item of bucket `b` (the lowest filled one) against its earliest time
    /// `min`; each lands in a lower bucket, in order, so ties keep their insertion order.
    fn spill(&mut self, b: usize, min: u64) {
        let mut items = std::mem::take(&mut self.buckets[b]);
        self.filled &= !(1 << b);
        self.last = min;
        for (at, item) in items.drain(..) {
            let to = bucket(at, min);
            self.buckets[to].push((at, item));
            self.filled |= 1 << to;
        }
        self.buckets[b] = items;
    }

    fn take_front(&mut self) -> Option<(u64, T)> {
        let front = &mut self.buckets[0];
        let item = front[self.head];
        self.head += 1;
        if self.head == front.len() {
            front.clear();
            self.head = 0;
            self.filled &= !1;
        }
        self.len -= 1;
        Some(item)
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
    fn interleaved_pushes_and_pops_match_a_sorted_reference() {
        let mut a = Agenda::new();
        let mut reference = std::collections::BTreeSet::new();
        let mut now = 0;
        let mut x: u64 = 12345;
        for step in 0..50_000u64 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            // Many zero and tiny delays, so ties are common; some far ones.
            let delay = match (x >> 60) % 4 {
                0 => 0,
                1 => (x >> 40) % 8,
                2 => (x >> 40) % 1_000,
                _ => (x >> 20) % 1_000_000,
            };
            a.push(now + delay, step);
            reference.insert((now + delay, step));
            if step % 3 != 0 {
                let popped = a.pop().unwrap();
                assert_eq!(Some(popped), reference.pop_first());
                assert!(popped.0 >= now, "time never goes back");
                now = popped.0;
            }
            assert_eq!(a.next_at(), reference.first().map(|e| e.0));
            assert_eq!(a.len(), reference.len());
        }
    }

    #[test]
    fn pop_due_leaves_later_items_in_place() {
        let mut a = Agenda::new();
        a.push(100, 'a');
        a.push(300, 'b');
        assert_eq!(a.pop_due(50), None);
        assert_eq!(a.pop_due(100), Some((100, 'a')));
        assert_eq!(a.pop_due(299), None);
        a.push(200, 'c');
        assert_eq!(a.pop_due(1_000), Some((200, 'c')));
        assert_eq!(a.pop_due(1_000), Some((300, 'b')));
        assert_eq!(a.pop_due(1_000), None);
    }
}
