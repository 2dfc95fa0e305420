//! `--compare`: pi component files side by side in one run — size,
//! instantiation, a fresh instance's `histogram(1000000)`, and digits +
//! histogram at each size with peak memory — for a before and after of a
//! change to the component (an allocator, the snapshot). Runs interleave
//! the files, so load on the machine reaches every file alike.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, bail};

use crate::child::Instantiation;
use crate::median::median;
use crate::numbers::{mebibytes, ratio, seconds};
use crate::process::{self, RunError};
use crate::protocol;
use crate::settings::Settings;
use crate::verify::{sha256_hex, verify};

/// One component file to compare, as `LABEL=PATH` names it.
#[derive(Clone, Debug)]
pub struct Candidate {
    /// Its name in the table.
    pub label: String,
    /// The component file.
    pub path: PathBuf,
}

impl std::str::FromStr for Candidate {
    type Err = String;

    fn from_str(text: &str) -> Result<Candidate, String> {
        let (label, path) = text
            .split_once('=')
            .ok_or_else(|| format!("{text:?} is not LABEL=PATH"))?;
        Ok(Candidate {
            label: label.to_owned(),
            path: PathBuf::from(path),
        })
    }
}

/// One candidate at one size: medians over the runs.
struct Row {
    seconds: f64,
    spread: (f64, f64),
    peak_kib: u64,
    runs: usize,
}

/// Measures every candidate and returns the report, markdown.
pub fn compare(
    candidates: &[Candidate],
    sizes: &[u64],
    settings: &Settings,
    instantiation_samples: usize,
) -> anyhow::Result<String> {
    if candidates.len() < 2 {
        bail!("--compare needs two component files or more");
    }
    let mut sizes_bytes = Vec::new();
    let mut instantiations = Vec::new();
    for candidate in candidates {
        let bytes = std::fs::metadata(&candidate.path)
            .with_context(|| format!("reading {}", candidate.path.display()))?
            .len();
        sizes_bytes.push(bytes);
        eprintln!(
            "{}: instantiation ({instantiation_samples} samples) ...",
            candidate.label
        );
        instantiations.push(instantiation(
            &candidate.path,
            instantiation_samples,
            settings,
        )?);
    }
    let mut rows: Vec<Vec<Row>> = Vec::new();
    for &n in sizes {
        let mut times: Vec<Vec<Duration>> = vec![Vec::new(); candidates.len()];
        let mut peaks = vec![0u64; candidates.len()];
        // Interleaved: run r of every candidate before run r + 1 of any.
        for _ in 0..settings.runs {
            for (index, candidate) in candidates.iter().enumerate() {
                let (seconds, peak_kib) = run_once(&candidate.path, n, settings)
                    .with_context(|| format!("{} at {n} digits", candidate.label))?;
                eprintln!(
                    "{n:>9} digits  {:<12} {seconds:>10.4} s  {peak_kib:>8} KiB",
                    candidate.label
                );
                times[index].push(Duration::from_secs_f64(seconds));
                peaks[index] = peaks[index].max(peak_kib);
            }
        }
        rows.push(
            times
                .into_iter()
                .zip(peaks)
                .map(|(mut times, peak_kib)| {
                    let runs = times.len();
                    let seconds = median(&mut times).as_secs_f64();
                    let fastest = times.iter().min().expect("at least one run").as_secs_f64();
                    let slowest = times.iter().max().expect("at least one run").as_secs_f64();
                    Row {
                        seconds,
                        spread: (fastest, slowest),
                        peak_kib,
                        runs,
                    }
                })
                .collect(),
        );
    }
    Ok(report(
        candidates,
        &sizes_bytes,
        &instantiations,
        sizes,
        &rows,
    ))
}

/// One run of the component child on `path`: its own timing and its
/// peak memory; its digits checked against the reference.
fn run_once(path: &Path, n: u64, settings: &Settings) -> anyhow::Result<(f64, u64)> {
    let mut command = Command::new(std::env::current_exe()?);
    command
        .arg("component")
        .arg(n.to_string())
        .arg("--file")
        .arg(path);
    let output = match process::run(command, settings.timeout) {
        Ok(output) => output,
        Err(RunError::TimedOut) => bail!("timed out after {} s", settings.timeout.as_secs()),
        Err(RunError::Failed(error)) => return Err(error),
    };
    let report = protocol::parse(&output.stderr)?;
    let sha256 = sha256_hex(&output.stdout);
    let check = verify(n, &output.stdout, &sha256, &report.counts, None);
    if check.is_wrong() {
        bail!("wrong digits: {check}");
    }
    Ok((report.seconds, output.peak_kib))
}

fn instantiation(
    path: &Path,
    samples: usize,
    settings: &Settings,
) -> anyhow::Result<Instantiation> {
    let mut command = Command::new(std::env::current_exe()?);
    command
        .arg("instantiation")
        .arg(samples.to_string())
        .arg(path);
    let output = match process::run(command, settings.timeout) {
        Ok(output) => output,
        Err(RunError::TimedOut) => bail!("instantiation timed out"),
        Err(RunError::Failed(error)) => return Err(error),
    };
    serde_json::from_slice(&output.stdout).context("parsing instantiation's report")
}

fn report(
    candidates: &[Candidate],
    sizes_bytes: &[u64],
    instantiations: &[Instantiation],
    sizes: &[u64],
    rows: &[Vec<Row>],
) -> String {
    let mut text = String::new();
    let header: Vec<&str> = candidates.iter().map(|c| c.label.as_str()).collect();
    let first = &candidates[0].label;
    let _ = writeln!(
        text,
        "Components compared, in one run (runs interleaved; ratio = to `{first}`):\n"
    );
    for candidate in candidates {
        let _ = writeln!(
            text,
            "- `{}`: {}",
            candidate.label,
            candidate.path.display()
        );
    }
    let _ = writeln!(text, "\n| what | {} | ratio |", header.join(" | "));
    let _ = writeln!(text, "|---|{}---:|", "---:|".repeat(candidates.len()));
    let mut line = |what: &str, values: Vec<String>, ratio_of: Option<(f64, f64)>| {
        let ratio_text = ratio_of.map_or("–".to_owned(), |(before, after)| ratio(after / before));
        let _ = writeln!(text, "| {what} | {} | {ratio_text} |", values.join(" | "));
    };
    let last = candidates.len() - 1;
    line(
        "size",
        sizes_bytes
            .iter()
            .map(|bytes| format!("{bytes} bytes"))
            .collect(),
        Some((sizes_bytes[0] as f64, sizes_bytes[last] as f64)),
    );
    let pick = |f: fn(&Instantiation) -> f64| -> (Vec<String>, Option<(f64, f64)>) {
        let values: Vec<f64> = instantiations.iter().map(f).collect();
        (
            values.iter().map(|&v| seconds(v)).collect(),
            Some((values[0], values[last])),
        )
    };
    let (values, ratio_of) = pick(|i| i.compile);
    line("compiling (`Runtime::new`)", values, ratio_of);
    let (values, ratio_of) = pick(|i| i.instance);
    line("fresh instance (`session()`), median", values, ratio_of);
    let (values, ratio_of) = pick(|i| i.instance_histogram_million);
    line(
        "fresh instance + `histogram(1000000)`, median",
        values,
        ratio_of,
    );
    for (&n, row) in sizes.iter().zip(rows) {
        line(
            &format!("{n} digits + histogram, median (fastest–slowest)"),
            row.iter()
                .map(|r| {
                    format!(
                        "{} ({}–{}, {} runs)",
                        seconds(r.seconds),
                        seconds(r.spread.0),
                        seconds(r.spread.1),
                        r.runs
                    )
                })
                .collect(),
            Some((row[0].seconds, row[last].seconds)),
        );
        line(
            &format!("{n} digits: peak memory"),
            row.iter().map(|r| mebibytes(r.peak_kib)).collect(),
            Some((row[0].peak_kib as f64, row[last].peak_kib as f64)),
        );
    }
    let _ = writeln!(
        text,
        "\nTimes are the component's calls on a fresh instance of a compiled component (host library, \
         default limits), digits then histogram; peak memory is the child process's (wasmtime's \
         compiler included). The ratio column is the last file's over the first's. Every run's digits \
         are checked against the reference fixture."
    );
    text
}
