//! The line every measured program ends its stderr with, shared by this
//! binary's child commands, the Rust peers and the Python peers:
//! `seconds=S counts=c0,…,c9`, S being the wall time to digits and
//! histogram as timed inside the program (process start, compiling and
//! printing excluded), c0…c9 the histogram. The digits go to stdout.
//!
//! Each program times itself because the parent cannot see where start-up
//! ends; the parent times the whole process as well (the *process* column).

use std::io::Write;

use anyhow::anyhow;

/// What a measured program reports about its own run.
#[derive(Debug, Clone, PartialEq)]
pub struct SelfReport {
    /// Wall time to digits and histogram, seconds.
    pub seconds: f64,
    /// How often each decimal digit occurs in the digits.
    pub counts: [u64; 10],
}

/// Writes `digits` to stdout and the report line to stderr, as a child
/// command of this binary.
pub fn emit(digits: &str, report: &SelfReport) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(digits.as_bytes())?;
    // Flushed before the report so that the digits are complete whenever
    // the report line is there.
    out.flush()?;
    eprintln!("{}", line(report));
    Ok(())
}

/// The report line, without its newline.
fn line(report: &SelfReport) -> String {
    let counts: Vec<String> = report.counts.iter().map(u64::to_string).collect();
    format!("seconds={} counts={}", report.seconds, counts.join(","))
}

/// The report from the last `seconds=` line of `stderr`; other lines, such
/// as warnings of wasmtime or Python, are skipped.
pub fn parse(stderr: &str) -> anyhow::Result<SelfReport> {
    let line = stderr
        .lines()
        .rev()
        .find(|line| line.starts_with("seconds="))
        .ok_or_else(|| anyhow!("no `seconds=` line on stderr: {stderr}"))?;
    let mut seconds = None;
    let mut counts = None;
    for field in line.split_whitespace() {
        if let Some(value) = field.strip_prefix("seconds=") {
            seconds = Some(value.parse::<f64>()?);
        } else if let Some(value) = field.strip_prefix("counts=") {
            let values: Vec<u64> = value.split(',').map(str::parse).collect::<Result<_, _>>()?;
            counts =
                Some(<[u64; 10]>::try_from(values).map_err(|_| anyhow!("not 10 counts: {line}"))?);
        }
    }
    Ok(SelfReport {
        seconds: seconds.ok_or_else(|| anyhow!("no seconds: {line}"))?,
        counts: counts.ok_or_else(|| anyhow!("no counts: {line}"))?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_what_it_writes() {
        let report = SelfReport {
            seconds: 0.125,
            counts: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
        };
        assert_eq!(parse(&line(&report)).unwrap(), report);
    }

    #[test]
    fn takes_the_last_report_line_after_other_output() {
        let stderr = "warning: something\nseconds=1 counts=0,0,0,0,0,0,0,0,0,0\n\
                      seconds=0.5 counts=1,5,5,9,4,5,4,4,5,8\n";
        let report = parse(stderr).unwrap();
        assert_eq!(report.seconds, 0.5);
        assert_eq!(report.counts, [1, 5, 5, 9, 4, 5, 4, 4, 5, 8]);
    }

    #[test]
    fn refuses_a_missing_line_or_a_short_histogram() {
        assert!(parse("Traceback (most recent call last):\n").is_err());
        assert!(parse("seconds=0.5 counts=1,2,3").is_err());
        assert!(parse("seconds=0.5").is_err());
    }
}
