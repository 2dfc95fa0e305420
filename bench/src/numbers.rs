//! Numbers for people, as the report and the console show them: three
//! significant digits are all that run-to-run noise leaves meaningful.
//! Digit counts and byte sizes take thousands separators, from
//! [`thousands::Separable`].

/// A duration in seconds for people: µs, ms or s with three significant
/// digits (whole microseconds below a millisecond).
pub fn seconds(value: f64) -> String {
    if value < 1e-3 {
        format!("{:.0} µs", value * 1e6)
    } else if value < 1.0 {
        format!("{} ms", significant(value * 1e3))
    } else {
        format!("{} s", significant(value))
    }
}

/// A size in KiB (what `wait4` reports) as MiB with one decimal.
pub fn mebibytes(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

/// A ratio of two times, such as `2.28x` or `0.39x`.
pub fn ratio(value: f64) -> String {
    format!("{}x", significant(value))
}

/// Three significant digits from 1 up: two decimals below 10, one below
/// 100, none above; values under 1 keep two decimals.
fn significant(value: f64) -> String {
    if value >= 100.0 {
        format!("{value:.0}")
    } else if value >= 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.2}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use thousands::Separable;

    #[test]
    fn durations_pick_their_unit() {
        assert_eq!(seconds(0.000_161), "161 µs");
        assert_eq!(seconds(0.038_9), "38.9 ms");
        assert_eq!(seconds(0.465), "465 ms");
        assert_eq!(seconds(3.37), "3.37 s");
        assert_eq!(seconds(125.4), "125 s");
    }

    #[test]
    fn sizes_and_ratios() {
        assert_eq!(mebibytes(671_949), "656.2 MiB");
        assert_eq!(ratio(2.2834), "2.28x");
        assert_eq!(ratio(15.82), "15.8x");
        assert_eq!(ratio(3191.2), "3191x");
    }

    #[test]
    fn digit_counts_take_commas() {
        assert_eq!(1000u64.separate_with_commas(), "1,000");
        assert_eq!(10_000_000u64.separate_with_commas(), "10,000,000");
        assert_eq!(206_070usize.separate_with_commas(), "206,070");
        assert_eq!(100u64.separate_with_commas(), "100");
    }
}
