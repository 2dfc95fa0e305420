//! `--phases`: where the time of one computation of digits goes, natively
//! and in wasm, side by side. The math crate's `phases` feature times each
//! phase (square root, series, division, final product, radix conversion)
//! and, within it, the multiplications by the transform; the peer
//! `bench/peers/phases-pi` runs it natively and, built for wasm32-wasip2,
//! under the wasmtime CLI. Runs interleave the two, and the run of median
//! total time is the one shown.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};
use thousands::Separable as _;

use crate::numbers::{ratio, seconds};
use crate::peers::cargo;
use crate::process;
use crate::settings::Settings;
use crate::verify::{sha256_hex, verify};
use crate::workspace_root;

/// One phase of one run: its name, its seconds, and the seconds of it in
/// multiplications by the transform.
struct PhaseTime {
    name: String,
    total: f64,
    transform: f64,
}

/// What one run of the peer reported.
struct Run {
    /// Digits and histogram, seconds.
    total: f64,
    phases: Vec<PhaseTime>,
}

impl Run {
    /// The time outside every phase: counting, the exactness check, the
    /// copies between them.
    fn rest(&self) -> f64 {
        self.total - self.phases.iter().map(|phase| phase.total).sum::<f64>()
    }
}

/// Where a build of the peer runs.
#[derive(Clone, Copy)]
enum Target {
    Native,
    Wasm,
}

/// Builds the peer natively and for wasm32-wasip2 (release) into
/// target/peers; the native program and the wasm file.
fn build() -> anyhow::Result<(PathBuf, PathBuf)> {
    let target = workspace_root().join("target").join("peers");
    for wasm in [false, true] {
        eprintln!(
            "building the phases peer (bench/peers/phases-pi{}) ...",
            if wasm { ", wasm32-wasip2" } else { "" }
        );
        let mut command = cargo();
        command.args(["build", "--release", "--locked"]);
        if wasm {
            command.args(["--target", "wasm32-wasip2"]);
        }
        let status = command
            .args(["--manifest-path", "bench/peers/phases-pi/Cargo.toml"])
            .arg("--target-dir")
            .arg(&target)
            .status()
            .context("running cargo")?;
        anyhow::ensure!(status.success(), "building bench/peers/phases-pi failed");
    }
    Ok((
        target.join("release").join("phases-pi"),
        target.join("wasm32-wasip2/release/phases-pi.wasm"),
    ))
}

/// One run of `n` digits on `target`, its digits checked.
fn run_once(
    target: Target,
    native: &Path,
    wasm: &Path,
    n: u64,
    settings: &Settings,
) -> anyhow::Result<Run> {
    let mut command;
    match target {
        Target::Native => command = Command::new(native),
        Target::Wasm => {
            command = Command::new(&settings.wasmtime);
            command.arg("run").arg(wasm);
        }
    }
    command.arg(n.to_string());
    let finished = match process::run(command, settings.timeout) {
        Ok(finished) => finished,
        Err(process::RunError::TimedOut) => bail!("the phases peer timed out at {n} digits"),
        Err(process::RunError::Failed(error)) => return Err(error),
    };
    let (run, counts) = parse(&finished.stderr)?;
    let check = verify(
        n,
        &finished.stdout,
        &sha256_hex(&finished.stdout),
        &counts,
        None,
    );
    if check.is_wrong() {
        bail!("the phases peer at {n} digits: {check}");
    }
    Ok(run)
}

/// The peer's report on stderr: `seconds=S`, `counts=c0,…,c9`, and a line
/// `phase=NAME seconds=S transform=S` for each phase.
fn parse(stderr: &str) -> anyhow::Result<(Run, [u64; 10])> {
    let mut total = None;
    let mut counts = None;
    let mut phases = Vec::new();
    for line in stderr.lines() {
        let fields: Vec<(&str, &str)> = line
            .split(' ')
            .filter_map(|field| field.split_once('='))
            .collect();
        match fields.as_slice() {
            [("seconds", value)] => total = Some(value.parse()?),
            [("counts", value)] => {
                let parsed: Vec<u64> =
                    value.split(',').map(str::parse).collect::<Result<_, _>>()?;
                counts = Some(<[u64; 10]>::try_from(parsed).ok().context("ten counts")?);
            }
            [
                ("phase", name),
                ("seconds", total),
                ("transform", transform),
            ] => phases.push(PhaseTime {
                name: name.replace('-', " "),
                total: total.parse()?,
                transform: transform.parse()?,
            }),
            _ => {}
        }
    }
    let (Some(total), Some(counts)) = (total, counts) else {
        bail!("the phases peer did not report: {stderr}");
    };
    Ok((Run { total, phases }, counts))
}

/// The phase table for `sizes`, `settings.runs` runs of each build.
pub fn phases(sizes: &[u64], settings: &Settings) -> anyhow::Result<String> {
    let (native, wasm) = build()?;
    let version = Command::new(&settings.wasmtime)
        .arg("--version")
        .output()
        .with_context(|| format!("running {} --version", settings.wasmtime.display()))?;
    let version = String::from_utf8_lossy(&version.stdout).trim().to_owned();
    let mut report = String::new();
    writeln!(
        report,
        "Each size: {} runs of each build, interleaved; the run of median total time is shown. \
         *transform*: the part of a phase in multiplications by the number-theoretic transform; \
         *below*: the rest of it (num-bigint's multiplications below the threshold, additions, \
         shifts, copies). Native: the math crate in a release build; wasm: the same built for \
         wasm32-wasip2, under `wasmtime run` ({version}). Every run's digits are checked \
         against the reference.\n",
        settings.runs,
    )?;
    for &n in sizes {
        let mut runs: [Vec<Run>; 2] = [Vec::new(), Vec::new()];
        for round in 0..settings.runs {
            for (slot, target) in [Target::Native, Target::Wasm].into_iter().enumerate() {
                let run = run_once(target, &native, &wasm, n, settings)?;
                eprintln!(
                    "{n} digits, {}, run {}: {}",
                    ["native", "wasm"][slot],
                    round + 1,
                    seconds(run.total)
                );
                runs[slot].push(run);
            }
        }
        let [native_run, wasm_run] = runs.map(|mut runs| {
            runs.sort_by(|a, b| a.total.total_cmp(&b.total));
            runs.swap_remove(runs.len() / 2)
        });
        table(&mut report, n, &native_run, &wasm_run)?;
    }
    Ok(report)
}

/// One size's table.
fn table(report: &mut String, n: u64, native: &Run, wasm: &Run) -> anyhow::Result<()> {
    writeln!(report, "## {} digits\n", n.separate_with_commas())?;
    writeln!(
        report,
        "| phase | native | transform | below | wasm | transform | below | wasm / native | transform | below |"
    )?;
    writeln!(report, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")?;
    let cell = |value: f64| {
        if value > 0.0 {
            seconds(value)
        } else {
            "–".to_owned()
        }
    };
    let quotient = |a: f64, b: f64| {
        if a > 0.0 && b > 0.0 {
            ratio(a / b)
        } else {
            "–".to_owned()
        }
    };
    for (ours, theirs) in native.phases.iter().zip(&wasm.phases) {
        let (native_below, wasm_below) =
            (ours.total - ours.transform, theirs.total - theirs.transform);
        writeln!(
            report,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            ours.name,
            cell(ours.total),
            cell(ours.transform),
            cell(native_below),
            cell(theirs.total),
            cell(theirs.transform),
            cell(wasm_below),
            quotient(theirs.total, ours.total),
            quotient(theirs.transform, ours.transform),
            quotient(wasm_below, native_below),
        )?;
    }
    writeln!(
        report,
        "| the rest | {} | | | {} | | | {} | | |",
        cell(native.rest()),
        cell(wasm.rest()),
        quotient(wasm.rest(), native.rest())
    )?;
    writeln!(
        report,
        "| **total** | {} | | | {} | | | {} | | |\n",
        seconds(native.total),
        seconds(wasm.total),
        ratio(wasm.total / native.total)
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_gives_the_phases_and_the_rest() {
        let stderr = "seconds=2.5\ncounts=0,2,1,2,1,2,1,0,0,1\n\
                      phase=square-root seconds=0.5 transform=0.25\n\
                      phase=radix-conversion seconds=1 transform=0\n";
        let (run, counts) = parse(stderr).unwrap();
        assert_eq!(counts, [0, 2, 1, 2, 1, 2, 1, 0, 0, 1]);
        assert_eq!(run.total, 2.5);
        let names: Vec<&str> = run.phases.iter().map(|phase| phase.name.as_str()).collect();
        assert_eq!(names, ["square root", "radix conversion"]);
        assert_eq!(run.phases[0].transform, 0.25);
        assert_eq!(run.rest(), 1.0);
    }

    #[test]
    fn a_report_without_counts_is_an_error() {
        assert!(parse("seconds=1\n").is_err());
        assert!(parse("seconds=1\ncounts=1,2\n").is_err());
    }
}
