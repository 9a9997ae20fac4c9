//! The agenda: pending events ordered by (time, insertion order). A radix heap over integer
//! time with 64-way digits, a hierarchical timing wheel in effect: simulated time never goes
//! back, so an item is filed by the highest 6-bit digit in which its time differs from the
//! last time popped, and moves towards level 0 at most once per level (a 100 ms hop moves
//! twice), in sequential passes that stay in cache. A level-0 bucket holds one exact time, and
//! every bucket is first-in first-out, so ties keep insertion order and runs are deterministic.

/// Bits of time per level.
const DIGIT: u32 = 6;
const WIDTH: usize = 1 << DIGIT;
/// Levels enough for any `u64` time.
const LEVELS: usize = u64::BITS.div_ceil(DIGIT) as usize;

/// Pending items of type `T`, each due at a time no earlier than the last one popped.
#[derive(Clone)]
pub(crate) struct Agenda<T> {
    /// `LEVELS × WIDTH` buckets. Level `l > 0` holds items whose time first differs from
    /// `last` in digit `l`, by that digit; level 0 holds those differing only in the lowest
    /// digit, so each of its buckets is a single time.
    buckets: Vec<Vec<(u64, T)>>,
    /// Per level, bit `d` set when bucket `d` holds items not yet popped.
    filled: [u64; LEVELS],
    /// Bit `l` set when level `l` holds items.
    levels: u32,
    /// Items already popped from the level-0 bucket being drained (the one of `last`).
    head: usize,
    /// Time of the last item popped, or of the earliest item once its bucket was spilled [µs].
    last: u64,
    len: usize,
}

/// Level and digit of the bucket for an item due at `at_us` when the last time is `last`.
fn slot(at_us: u64, last: u64) -> (usize, usize) {
    let level = (u64::BITS - 1 - ((at_us ^ last) | 1).leading_zeros()) / DIGIT;
    (level as usize, (at_us >> (level * DIGIT)) as usize % WIDTH)
}

impl<T: Copy> Agenda<T> {
    pub(crate) fn new() -> Self {
        Self {
            buckets: (0..LEVELS * WIDTH).map(|_| Vec::new()).collect(),
            filled: [0; LEVELS],
            levels: 0,
            head: 0,
            last: 0,
            len: 0,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The lowest filled bucket: level, digit and index; it holds the earliest item.
    fn lowest(&self) -> Option<(usize, usize, usize)> {
        let level = self.levels.trailing_zeros() as usize;
        let digit = self.filled.get(level)?.trailing_zeros() as usize;
        Some((level, digit, level * WIDTH + digit))
    }

    /// Time of the earliest item.
    pub(crate) fn next_at(&self) -> Option<u64> {
        let (level, _, i) = self.lowest()?;
        let items = &self.buckets[i];
        if level == 0 {
            items.last().map(|(at, _)| *at)
        } else {
            items.iter().map(|(at, _)| *at).min()
        }
    }

    /// Files an item due at `at_us`, which must not be earlier than the last item popped.
    pub(crate) fn push(&mut self, at_us: u64, item: T) {
        debug_assert!(at_us >= self.last, "the agenda never goes back in time");
        self.file(at_us, item);
        self.len += 1;
    }

    fn file(&mut self, at_us: u64, item: T) {
        let (level, digit) = slot(at_us, self.last);
        self.buckets[level * WIDTH + digit].push((at_us, item));
        self.filled[level] |= 1 << digit;
        self.levels |= 1 << level;
    }

    /// Removes the earliest item, with its time.
    pub(crate) fn pop(&mut self) -> Option<(u64, T)> {
        self.pop_due(u64::MAX)
    }

    /// Removes the earliest item if it is due at or before `t_us`, with its time.
    pub(crate) fn pop_due(&mut self, t_us: u64) -> Option<(u64, T)> {
        let (mut level, mut digit, mut i) = self.lowest()?;
        if level > 0 {
            let min = self.buckets[i].iter().map(|(at, _)| *at).min().expect("a filled bucket");
            if min > t_us {
                return None;
            }
            self.spill(level, digit, min);
            (level, digit, i) = self.lowest().expect("the earliest item was refiled");
        }
        debug_assert_eq!(level, 0);
        let items = &mut self.buckets[i];
        let (at, item) = items[self.head];
        if at > t_us {
            return None;
        }
        self.last = at;
        self.head += 1;
        if self.head == items.len() {
            items.clear();
            self.head = 0;
            self.filled[0] &= !(1 << digit);
            if self.filled[0] == 0 {
                self.levels &= !1;
            }
        }
        self.len -= 1;
        Some((at, item))
    }

    /// Refiles every item of a bucket of the lowest filled level against its earliest time
    /// `min`. Each lands in a lower level, whose buckets are empty, in order, so ties keep
    /// their insertion order.
    fn spill(&mut self, level: usize, digit: usize, min: u64) {
        let i = level * WIDTH + digit;
        let mut items = std::mem::take(&mut self.buckets[i]);
        self.filled[level] &= !(1 << digit);
        if self.filled[level] == 0 {
            self.levels &= !(1 << level);
        }
        self.last = min;
        for (at, item) in items.drain(..) {
            self.file(at, item);
        }
        self.buckets[i] = items;
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
    fn times_of_every_magnitude_come_out_in_order() {
        let mut a = Agenda::new();
        let mut times: Vec<u64> = (0..64).flat_map(|k| [1u64 << k, (1u64 << k) | 1, u64::MAX >> k]).collect();
        for (i, t) in times.iter().enumerate() {
            a.push(*t, i);
        }
        times.sort();
        let out: Vec<u64> = std::iter::from_fn(|| a.pop().map(|(t, _)| t)).collect();
        assert_eq!(out, times);
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
