//! The histogram as a text bar chart, for the terminal.

use thousands::Separable as _;

/// Widest bar, in characters.
const BAR_WIDTH: u64 = 40;

/// A text chart of `counts`: one bar per digit, with count and share.
pub fn bar_chart(n: u64, counts: &[u64; 10]) -> String {
    let mut chart = format!(
        "How often each digit occurs in the first {} digits of π\n\n",
        n.separate_with_commas()
    );
    let largest = counts.iter().copied().max().unwrap_or(0).max(1);
    let count_width = largest.separate_with_commas().len();
    for (digit, &count) in counts.iter().enumerate() {
        let bar = bar(count * BAR_WIDTH * 8 / largest);
        let share = if n == 0 {
            0.0
        } else {
            count as f64 * 100.0 / n as f64
        };
        chart += &format!(
            "{digit} │{bar:<width$} {count:>count_width$} {share:>6.2}%\n",
            width = BAR_WIDTH as usize,
            count = count.separate_with_commas(),
        );
    }
    chart
}

/// A bar `eighths` eighths of a character long.
fn bar(eighths: u64) -> String {
    const PARTIAL: [&str; 8] = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];
    "█".repeat((eighths / 8) as usize) + PARTIAL[(eighths % 8) as usize]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chart_scales_bars_to_the_largest_count() {
        let chart = bar_chart(10, &[0, 2, 1, 2, 1, 2, 1, 0, 0, 1]);
        let lines: Vec<&str> = chart.lines().skip(2).collect();
        assert_eq!(lines.len(), 10);
        assert!(lines[0].starts_with("0 │ "), "{}", lines[0]);
        assert_eq!(lines[1].matches('█').count(), BAR_WIDTH as usize);
        assert_eq!(lines[2].matches('█').count(), BAR_WIDTH as usize / 2);
        assert_eq!(bar(8 * 3 + 4), "███▌");
        assert!(lines[1].ends_with(" 2  20.00%"), "{}", lines[1]);
    }

    #[test]
    fn chart_of_no_digits_has_empty_bars() {
        let chart = bar_chart(0, &[0; 10]);
        assert!(!chart.contains('█'));
        assert!(chart.contains("0   0.00%"));
    }
}
