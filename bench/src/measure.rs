//! The measurement loop: every implementation at every size, a few runs
//! each in fresh child processes, the first run's digits checked; and the
//! time to first answer, from a child of its own.

use std::fmt;
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, bail};

use crate::child::FirstAnswer;
use crate::implementation::Implementation;
use crate::median::median;
use crate::peers::Peers;
use crate::process::{self, RunError};
use crate::protocol;
use crate::settings::Settings;
use crate::verify::{Check, sha256_hex, verify};

/// One implementation at one size.
pub struct Measurement {
    /// What ran.
    pub implementation: Implementation,
    /// How many digits it was asked for.
    pub n: u64,
    /// What came of it.
    pub outcome: Outcome,
}

/// What came of running one implementation at one size.
pub enum Outcome {
    /// It ran every run it was given; its digits may still be wrong.
    Measured {
        /// Median of the runs' own timings (digits + histogram), seconds.
        median: f64,
        /// Median wall time of the whole child process, seconds.
        process_median: f64,
        /// Runs behind the medians.
        runs: usize,
        /// Largest peak resident set of the runs, KiB.
        peak_kib: u64,
        /// How the first run's digits were checked.
        check: Check,
        /// SHA-256 of the first run's digits (hex), to check the others by
        /// where the fixture has nothing at this size.
        sha256: String,
    },
    /// It was not run.
    Skipped(Skip),
    /// A run failed or timed out.
    Failed(Failure),
}

/// Why an implementation was not run at a size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    /// The size is over `--spigot-max`.
    SpigotLimit {
        /// `--spigot-max`.
        max: u64,
    },
    /// It failed or timed out at a smaller size: a larger one would too,
    /// only slower.
    FailedBefore {
        /// What failed.
        implementation: Implementation,
        /// The size at which it failed.
        n: u64,
    },
}

/// Why a run gave no measurement.
pub enum Failure {
    /// It was stopped at `--timeout`.
    TimedOut(Duration),
    /// It could not be started, exited with an error, or reported nothing.
    Error(anyhow::Error),
}

impl fmt::Display for Skip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Skip::SpigotLimit { max } => write!(f, "skipped: the spigot runs up to {max} digits"),
            Skip::FailedBefore { implementation, n } => {
                write!(
                    f,
                    "skipped: {} failed at {n} digits",
                    implementation.short()
                )
            }
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::TimedOut(after) => write!(f, "timed out after {} s", after.as_secs()),
            Failure::Error(error) => write!(f, "failed: {error:#}"),
        }
    }
}

impl Measurement {
    /// How its digits were checked, if it ran.
    pub fn check(&self) -> Option<&Check> {
        match &self.outcome {
            Outcome::Measured { check, .. } => Some(check),
            _ => None,
        }
    }

    /// Whether it ran and gave wrong digits.
    pub fn is_wrong(&self) -> bool {
        self.check().is_some_and(Check::is_wrong)
    }

    /// The median time, if it ran and its digits are right.
    pub fn seconds(&self) -> Option<f64> {
        match &self.outcome {
            Outcome::Measured { median, check, .. } if !check.is_wrong() => Some(*median),
            _ => None,
        }
    }

    /// Its peak memory in KiB, if it ran (right or wrong).
    pub fn peak_kib(&self) -> Option<u64> {
        match &self.outcome {
            Outcome::Measured { peak_kib, .. } => Some(*peak_kib),
            _ => None,
        }
    }

    /// The SHA-256 of its digits, if it ran and they are right.
    fn right_sha256(&self) -> Option<&str> {
        match &self.outcome {
            Outcome::Measured { check, sha256, .. } if !check.is_wrong() => Some(sha256),
            _ => None,
        }
    }
}

/// The measurement of `implementation` at `n` digits in `results`.
pub fn find(
    results: &[Measurement],
    implementation: Implementation,
    n: u64,
) -> Option<&Measurement> {
    results
        .iter()
        .find(|result| result.implementation == implementation && result.n == n)
}

/// The median time of `implementation` at `n` digits, if measured and right.
pub fn seconds_of(results: &[Measurement], implementation: Implementation, n: u64) -> Option<f64> {
    find(results, implementation, n).and_then(Measurement::seconds)
}

/// Time to first answer and the component's size, from a fresh process.
pub fn first_answer(samples: usize, settings: &Settings) -> anyhow::Result<FirstAnswer> {
    eprintln!("time to first answer ({samples} samples) ...");
    let mut command = Command::new(std::env::current_exe()?);
    command.args(["first-answer", &samples.to_string()]);
    let output = match process::run(command, settings.timeout) {
        Ok(output) => output,
        Err(RunError::TimedOut) => bail!("first-answer timed out"),
        Err(RunError::Failed(error)) => return Err(error),
    };
    serde_json::from_slice(&output.stdout).context("parsing first-answer's report")
}

/// Every implementation at every size, GMP first at each size so the
/// others can be checked against it where the fixture has no hash.
pub fn measure_all(
    sizes: &[u64],
    implementations: &[Implementation],
    settings: &Settings,
    peers: &Peers,
) -> anyhow::Result<Vec<Measurement>> {
    let mut results: Vec<Measurement> = Vec::new();
    // The size at which each implementation failed: it is not run again.
    let mut failed_at: Vec<(Implementation, u64)> = Vec::new();
    let mut order = implementations.to_vec();
    order.sort_by_key(|implementation| *implementation != Implementation::Gmp);
    for &n in sizes {
        let mut gmp_sha256: Option<String> = None;
        for &implementation in &order {
            let skip = if implementation == Implementation::Spigot && n > settings.spigot_max {
                Some(Skip::SpigotLimit {
                    max: settings.spigot_max,
                })
            } else {
                failed_at
                    .iter()
                    .find(|(which, _)| *which == implementation)
                    .map(|&(implementation, n)| Skip::FailedBefore { implementation, n })
            };
            let outcome = match skip {
                Some(skip) => Outcome::Skipped(skip),
                None => {
                    let outcome =
                        measure(implementation, n, settings, peers, gmp_sha256.as_deref());
                    log(implementation, n, &outcome);
                    outcome
                }
            };
            if let Outcome::Failed(_) = outcome {
                failed_at.push((implementation, n));
            }
            let measurement = Measurement {
                implementation,
                n,
                outcome,
            };
            if implementation == Implementation::Gmp {
                gmp_sha256 = measurement.right_sha256().map(str::to_string);
            }
            results.push(measurement);
        }
    }
    Ok(results)
}

/// One line on the console per measurement, as it comes.
fn log(implementation: Implementation, n: u64, outcome: &Outcome) {
    match outcome {
        Outcome::Measured {
            median,
            runs,
            peak_kib,
            check,
            ..
        } => eprintln!(
            "{:>9} digits  {:<14} {:>10.4} s  ({} runs)  {:>8} KiB  {}",
            n,
            implementation.short(),
            median,
            runs,
            peak_kib,
            check
        ),
        Outcome::Failed(why) => eprintln!("{n:>9} digits  {:<14} {why}", implementation.short()),
        Outcome::Skipped(why) => eprintln!("{n:>9} digits  {:<14} {why}", implementation.short()),
    }
}

/// Up to `settings.runs` runs of `implementation` at `n`: fewer if the
/// first is slower than `repeat_below` or wrong, [`Outcome::Failed`] if any
/// fails. Only the first run's digits are checked (the others are the same
/// program on the same input).
fn measure(
    implementation: Implementation,
    n: u64,
    settings: &Settings,
    peers: &Peers,
    gmp_sha256: Option<&str>,
) -> Outcome {
    let mut times = Vec::new();
    let mut process_times = Vec::new();
    let mut peak_kib = 0;
    let mut first: Option<(Check, String)> = None;
    for _ in 0..settings.runs {
        let command = match peers.command(implementation, n, settings) {
            Ok(command) => command,
            Err(error) => return Outcome::Failed(Failure::Error(error)),
        };
        let output = match process::run(command, settings.timeout) {
            Ok(output) => output,
            Err(RunError::TimedOut) => return Outcome::Failed(Failure::TimedOut(settings.timeout)),
            Err(RunError::Failed(error)) => return Outcome::Failed(Failure::Error(error)),
        };
        let report = match protocol::parse(&output.stderr) {
            Ok(report) => report,
            Err(error) => return Outcome::Failed(Failure::Error(error)),
        };
        let (check, _) = first.get_or_insert_with(|| {
            let sha256 = sha256_hex(&output.stdout);
            let check = verify(n, &output.stdout, &sha256, &report.counts, gmp_sha256);
            (check, sha256)
        });
        let wrong = check.is_wrong();
        times.push(Duration::from_secs_f64(report.seconds));
        process_times.push(Duration::from_secs_f64(output.process_seconds));
        peak_kib = peak_kib.max(output.peak_kib);
        if wrong || report.seconds > settings.repeat_below {
            break;
        }
    }
    let (check, sha256) = first.expect("--runs is at least 1");
    Outcome::Measured {
        median: median(&mut times).as_secs_f64(),
        process_median: median(&mut process_times).as_secs_f64(),
        runs: times.len(),
        peak_kib,
        check,
        sha256,
    }
}
