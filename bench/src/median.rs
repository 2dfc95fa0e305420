//! The median of a few timings: what every table reports, because one slow
//! run (a page fault storm, another process) should not move the number.

use std::time::Duration;

/// The median of `times` (the mean of the middle two for an even count),
/// sorting them in place. `times` must not be empty.
pub fn median(times: &mut [Duration]) -> Duration {
    times.sort_unstable();
    let middle = times.len() / 2;
    if times.len() % 2 == 1 {
        times[middle]
    } else {
        (times[middle - 1] + times[middle]) / 2
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(values: &[u64]) -> Vec<Duration> {
        values.iter().copied().map(Duration::from_millis).collect()
    }

    #[test]
    fn odd_count_takes_the_middle() {
        assert_eq!(median(&mut ms(&[30, 10, 20])), Duration::from_millis(20));
    }

    #[test]
    fn even_count_takes_the_mean_of_the_middle_two() {
        assert_eq!(
            median(&mut ms(&[40, 10, 20, 30])),
            Duration::from_millis(25)
        );
    }
}
