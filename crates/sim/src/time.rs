//! Simulated time: integer microseconds, so every target counts the same way.

/// One millisecond [µs].
pub const MS: u64 = 1_000;
/// One second [µs].
pub const SEC: u64 = 1_000_000;

/// Formats a duration in µs the way a learner reads it: "0.9 ms", "42 ms", "2.5 s". Rounded to
/// the nearest digit shown, so the rows of a latency breakdown add up to its total as near as
/// they can.
pub fn human_us(us: u64) -> String {
    let tenths = |unit: u64| us.saturating_add(unit / 20) / (unit / 10);
    if tenths(MS) < 100 {
        format!("{}.{} ms", tenths(MS) / 10, tenths(MS) % 10)
    } else if us.saturating_add(MS / 2) / MS < 10_000 {
        format!("{} ms", us.saturating_add(MS / 2) / MS)
    } else {
        format!("{}.{} s", tenths(SEC) / 10, tenths(SEC) % 10)
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
        // Rounded, not cut: 7.96 ms reads 8.0 ms, and 37.6 ms reads 38 ms.
        assert_eq!(human_us(7_960), "8.0 ms");
        assert_eq!(human_us(9_960), "10 ms");
        assert_eq!(human_us(37_600), "38 ms");
        assert_eq!(human_us(9_999_600), "10.0 s");
        // A tour file may ask for any figure: the largest reads as seconds, without overflow.
        assert_eq!(human_us(u64::MAX), "18446744073709.5 s");
    }
}
