//! Simulated time: integer microseconds, so every target counts the same way.

/// One millisecond [µs].
pub const MS: u64 = 1_000;
/// One second [µs].
pub const SEC: u64 = 1_000_000;

/// Formats a duration in µs the way a learner reads it: "0.9 ms", "42 ms", "2.5 s".
pub fn human_us(us: u64) -> String {
    if us < 10 * MS {
        format!("{}.{} ms", us / MS, (us % MS) / 100)
    } else if us < 10 * SEC {
        format!("{} ms", us / MS)
    } else {
        format!("{}.{} s", us / SEC, (us % SEC) / 100_000)
    }
}

/// A moment of a run as a log stamps it: seconds to a tenth, so that lines compare at a glance.
pub fn clock(us: u64) -> String {
    format!("{}.{} s", us / SEC, (us % SEC) / 100_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_durations_read_naturally() {
        assert_eq!(human_us(900), "0.9 ms");
        assert_eq!(human_us(42 * MS), "42 ms");
        assert_eq!(human_us(25 * SEC / 2), "12.5 s");
    }
}
