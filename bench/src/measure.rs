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
        /// Each run's own timing, seconds, in the order of the rounds: run
        /// i of every implementation at this size ran in round i.
        times: Vec<f64>,
        /// Largest peak resident set of the runs, KiB.
        peak_kib: u64,
        /// How the first run's digits were checked.
        check: Check,
    },
    /// It was not run.
    Skipped(Skip),
    /// A run failed or timed out.
    Failed(Failure),
}

/// One implementation's time over another's at one size, from the rounds
/// in which both ran.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ratio {
    /// The median of the rounds' ratios.
    pub median: f64,
    /// The lowest round's.
    pub lowest: f64,
    /// The highest round's.
    pub highest: f64,
    /// How many rounds (1: the ratio of the medians, no spread).
    pub rounds: usize,
}

/// Why an implementation was not run at a size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    /// The size is over the peer's limit (`--spigot-max`, `--dashu-max`).
    PeerLimit {
        /// The peer.
        implementation: Implementation,
        /// Its limit.
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
            Skip::PeerLimit {
                implementation,
                max,
            } => write!(
                f,
                "skipped: {} runs up to {max} digits",
                implementation.short()
            ),
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

    /// Its fastest and slowest runs, seconds, if it ran and its digits are
    /// right.
    pub fn spread(&self) -> Option<(f64, f64)> {
        match &self.outcome {
            Outcome::Measured { times, check, .. } if !check.is_wrong() => Some((
                times.iter().copied().fold(f64::INFINITY, f64::min),
                times.iter().copied().fold(0.0, f64::max),
            )),
            _ => None,
        }
    }

    /// Its time over `reference`'s, round by round: each ratio compares two
    /// runs made side by side. `None` unless both ran and are right.
    pub fn ratio_to(&self, reference: &Measurement) -> Option<Ratio> {
        let (Some(_), Some(_)) = (self.seconds(), reference.seconds()) else {
            return None;
        };
        let (Outcome::Measured { times: ours, .. }, Outcome::Measured { times: theirs, .. }) =
            (&self.outcome, &reference.outcome)
        else {
            return None;
        };
        let ratios: Vec<f64> = ours.iter().zip(theirs).map(|(a, b)| a / b).collect();
        // One side ran once (a long first run is not repeated): the ratio of
        // the medians, with no spread to show.
        if ratios.len() < 2 {
            let ratio = self.seconds()? / reference.seconds()?;
            return Some(Ratio {
                median: ratio,
                lowest: ratio,
                highest: ratio,
                rounds: 1,
            });
        }
        let mut as_durations: Vec<Duration> =
            ratios.iter().map(|&r| Duration::from_secs_f64(r)).collect();
        Some(Ratio {
            median: median(&mut as_durations).as_secs_f64(),
            lowest: ratios.iter().copied().fold(f64::INFINITY, f64::min),
            highest: ratios.iter().copied().fold(0.0, f64::max),
            rounds: ratios.len(),
        })
    }

    /// Its peak memory in KiB, if it ran (right or wrong).
    pub fn peak_kib(&self) -> Option<u64> {
        match &self.outcome {
            Outcome::Measured { peak_kib, .. } => Some(*peak_kib),
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

/// Every implementation at every size. At each size the runs interleave:
/// round after round, each implementation once per round, GMP first so
/// that the others can be checked against it where the fixture has no
/// hash. A change in the machine's load then falls on every implementation
/// alike, and each round's ratios compare runs made side by side.
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
        let mut states: Vec<(Implementation, State)> = order
            .iter()
            .map(|&implementation| {
                let limit = settings.peer_limit(implementation).filter(|&max| n > max);
                let state = if let Some(max) = limit {
                    State::Ended(Outcome::Skipped(Skip::PeerLimit {
                        implementation,
                        max,
                    }))
                } else if let Some(&(implementation, n)) =
                    failed_at.iter().find(|(which, _)| *which == implementation)
                {
                    State::Ended(Outcome::Skipped(Skip::FailedBefore { implementation, n }))
                } else {
                    State::Running(None)
                };
                (implementation, state)
            })
            .collect();
        let mut gmp_sha256: Option<String> = None;
        for round in 0..settings.runs {
            for (implementation, state) in &mut states {
                let State::Running(runs) = state else {
                    continue;
                };
                let first = runs.is_none();
                match run_once(
                    *implementation,
                    n,
                    settings,
                    peers,
                    gmp_sha256.as_deref(),
                    runs,
                ) {
                    Ok(()) => {}
                    Err(failure) => {
                        *state = State::Ended(Outcome::Failed(failure));
                        continue;
                    }
                }
                let runs_so_far = runs.as_ref().expect("a run was recorded");
                if first && *implementation == Implementation::Gmp && !runs_so_far.check.is_wrong()
                {
                    gmp_sha256 = Some(runs_so_far.sha256.clone());
                }
                eprintln!(
                    "{n:>9} digits  {:<14} run {}  {:>10.4} s  {:>8} KiB  {}",
                    implementation.short(),
                    round + 1,
                    runs_so_far.times.last().expect("a run was recorded"),
                    runs_so_far.peak_kib,
                    runs_so_far.check
                );
                // A wrong answer is not timed again, nor a run that long.
                if runs_so_far.check.is_wrong() || runs_so_far.times[0] > settings.repeat_below {
                    let runs = runs.take().expect("a run was recorded");
                    *state = State::Ended(runs.into_outcome());
                }
            }
        }
        for (implementation, state) in states {
            let outcome = match state {
                State::Running(Some(runs)) => runs.into_outcome(),
                State::Running(None) => unreachable!("--runs is at least 1"),
                State::Ended(outcome) => outcome,
            };
            log(implementation, n, &outcome);
            if let Outcome::Failed(_) = outcome {
                failed_at.push((implementation, n));
            }
            results.push(Measurement {
                implementation,
                n,
                outcome,
            });
        }
    }
    Ok(results)
}

/// Where one implementation is at one size.
enum State {
    /// Still to be run in the next round; its runs so far, if any.
    Running(Option<Runs>),
    /// Done: measured, skipped or failed.
    Ended(Outcome),
}

/// The runs of one implementation at one size so far.
struct Runs {
    /// Each run's own timing, seconds, in the order of the rounds.
    times: Vec<f64>,
    /// Each run's whole-process wall time, seconds.
    process_times: Vec<f64>,
    /// The largest peak resident set so far, KiB.
    peak_kib: u64,
    /// How the first run's digits were checked (the others are the same
    /// program on the same input).
    check: Check,
    /// SHA-256 of the first run's digits.
    sha256: String,
}

impl Runs {
    fn into_outcome(self) -> Outcome {
        let mut times: Vec<Duration> = self
            .times
            .iter()
            .copied()
            .map(Duration::from_secs_f64)
            .collect();
        let mut process_times: Vec<Duration> = self
            .process_times
            .into_iter()
            .map(Duration::from_secs_f64)
            .collect();
        Outcome::Measured {
            median: median(&mut times).as_secs_f64(),
            process_median: median(&mut process_times).as_secs_f64(),
            runs: self.times.len(),
            times: self.times,
            peak_kib: self.peak_kib,
            check: self.check,
        }
    }
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

/// One run of `implementation` at `n`, added to `runs`; its digits are
/// checked if it is the first.
fn run_once(
    implementation: Implementation,
    n: u64,
    settings: &Settings,
    peers: &Peers,
    gmp_sha256: Option<&str>,
    runs: &mut Option<Runs>,
) -> Result<(), Failure> {
    let command = peers
        .command(implementation, n, settings)
        .map_err(Failure::Error)?;
    let output = match process::run(command, settings.timeout) {
        Ok(output) => output,
        Err(RunError::TimedOut) => return Err(Failure::TimedOut(settings.timeout)),
        Err(RunError::Failed(error)) => return Err(Failure::Error(error)),
    };
    let report = protocol::parse(&output.stderr).map_err(Failure::Error)?;
    let runs = runs.get_or_insert_with(|| {
        let sha256 = sha256_hex(&output.stdout);
        let check = verify(n, &output.stdout, &sha256, &report.counts, gmp_sha256);
        Runs {
            times: Vec::new(),
            process_times: Vec::new(),
            peak_kib: 0,
            check,
            sha256,
        }
    });
    runs.times.push(report.seconds);
    runs.process_times.push(output.process_seconds);
    runs.peak_kib = runs.peak_kib.max(output.peak_kib);
    Ok(())
}
