//! Running the implementations: building the peers, one child process per
//! run, its peak memory from `wait4`, and checking its digits.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow, bail};
use clap::ValueEnum;
use pi_digits_testkit::Reference;
use sha2::{Digest, Sha256};

use crate::child::{FirstAnswer, median};
use crate::workspace_root;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Implementation {
    /// The pi component through the host library (wasmtime).
    Component,
    /// The same math natively (the `pi-digits` crate, release build).
    Native,
    /// dashu's big integers in wasm (wasm32-wasip2, wasmtime CLI).
    Dashu,
    /// mpmath with the gmpy2 backend: GMP, the baseline.
    Gmp,
    /// The Gibbons unbounded spigot in CPython, as the Pi Day app used.
    Spigot,
}

impl Implementation {
    pub const ALL: [Implementation; 5] = [
        Implementation::Component,
        Implementation::Native,
        Implementation::Dashu,
        Implementation::Gmp,
        Implementation::Spigot,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Implementation::Component => "pi-digits component (wasmtime, host library)",
            Implementation::Native => "pi-digits math, native",
            Implementation::Dashu => "dashu in wasm (wasmtime CLI)",
            Implementation::Gmp => "mpmath+gmpy2 (GMP)",
            Implementation::Spigot => "Python spigot (CPython)",
        }
    }

    pub fn short(self) -> &'static str {
        match self {
            Implementation::Component => "component",
            Implementation::Native => "native",
            Implementation::Dashu => "dashu-wasm",
            Implementation::Gmp => "mpmath+gmpy2",
            Implementation::Spigot => "spigot",
        }
    }
}

pub struct Settings {
    pub runs: usize,
    pub repeat_below: f64,
    pub timeout: Duration,
    pub spigot_max: u64,
    pub wasmtime: PathBuf,
    pub python: PathBuf,
}

/// The peers' binaries, built by [`build_peers`].
pub struct Peers {
    native: PathBuf,
    dashu: PathBuf,
}

/// One implementation at one size.
pub struct Measurement {
    pub implementation: Implementation,
    pub n: u64,
    pub outcome: Outcome,
    /// How the digits were checked, or why they are wrong.
    pub check: String,
    wrong: bool,
}

impl Measurement {
    pub fn is_wrong(&self) -> bool {
        self.wrong
    }

    /// The median time, if it ran and its digits are right.
    pub fn seconds(&self) -> Option<f64> {
        match &self.outcome {
            Outcome::Measured { median, .. } if !self.wrong => Some(*median),
            _ => None,
        }
    }

    pub fn peak_kib(&self) -> Option<u64> {
        match &self.outcome {
            Outcome::Measured { peak_kib, .. } => Some(*peak_kib),
            _ => None,
        }
    }
}

pub enum Outcome {
    Measured {
        /// Median of the runs' own timings (digits + histogram), seconds.
        median: f64,
        /// Median wall time of the whole child process, seconds.
        process_median: f64,
        /// Runs behind the medians.
        runs: usize,
        /// Largest peak resident set of the runs, KiB.
        peak_kib: u64,
    },
    Skipped(String),
    Failed(String),
}

const MPMATH: &str = r#"
import math, sys, time
import gmpy2
from mpmath.libmp import BACKEND
from mpmath.libmp.libelefun import pi_fixed
assert BACKEND == "gmpy", f"mpmath uses {BACKEND}, not gmpy2"
n = int(sys.argv[1])
GUARD = 20
start = time.perf_counter()
prec = math.ceil((n + GUARD) * math.log2(10)) + 32
scaled = gmpy2.mpz(pi_fixed(prec)) * gmpy2.mpz(10) ** (n - 1 + GUARD) >> prec
text = str(scaled)[:n]
counts = [text.count(c) for c in "0123456789"]
seconds = time.perf_counter() - start
sys.stdout.write(text)
sys.stdout.flush()
sys.stderr.write("seconds=%r counts=%s\n" % (seconds, ",".join(map(str, counts))))
"#;

const SPIGOT: &str = r#"
import itertools, sys, time

def pi_digits():
    # Gibbons' unbounded spigot (2006), on CPython's integers.
    q, r, t, k, n, l = 1, 0, 1, 1, 3, 3
    while True:
        if 4 * q + r - t < n * t:
            yield n
            q, r, n = 10 * q, 10 * (r - n * t), (10 * (3 * q + r)) // t - 10 * n
        else:
            q, r, t, k, n, l = (q * k, (2 * q + r) * l, t * l, k + 1,
                                (q * (7 * k + 2) + r * l) // (t * l), l + 2)

count = int(sys.argv[1])
start = time.perf_counter()
text = "".join(map(str, itertools.islice(pi_digits(), count)))
counts = [text.count(c) for c in "0123456789"]
seconds = time.perf_counter() - start
sys.stdout.write(text)
sys.stdout.flush()
sys.stderr.write("seconds=%r counts=%s\n" % (seconds, ",".join(map(str, counts))))
"#;

fn cargo() -> Command {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command
        .current_dir(workspace_root())
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_BUILD_TARGET")
        .env_remove("CARGO_TARGET_DIR");
    command
}

/// Builds the peers (release) into target/peers.
pub fn build_peers(implementations: &[Implementation]) -> anyhow::Result<Peers> {
    let root = workspace_root();
    let target = root.join("target").join("peers");
    if implementations.contains(&Implementation::Native) {
        eprintln!("building the native peer (bench/peers/native-pi) ...");
        let status = cargo()
            .args([
                "build",
                "--release",
                "--manifest-path",
                "bench/peers/native-pi/Cargo.toml",
            ])
            .arg("--target-dir")
            .arg(&target)
            .status()
            .context("running cargo")?;
        anyhow::ensure!(status.success(), "building bench/peers/native-pi failed");
    }
    if implementations.contains(&Implementation::Dashu) {
        eprintln!("building the dashu peer (bench/peers/dashu-pi, wasm32-wasip2) ...");
        let status = cargo()
            .args([
                "build",
                "--release",
                "--locked",
                "--target",
                "wasm32-wasip2",
            ])
            .args(["--manifest-path", "bench/peers/dashu-pi/Cargo.toml"])
            .arg("--target-dir")
            .arg(&target)
            .status()
            .context("running cargo")?;
        anyhow::ensure!(status.success(), "building bench/peers/dashu-pi failed");
    }
    Ok(Peers {
        native: target.join("release").join("native-pi"),
        dashu: target.join("wasm32-wasip2/release/dashu-pi.wasm"),
    })
}

/// What one child process gave.
struct RunOutput {
    stdout: Vec<u8>,
    stderr: String,
    process_seconds: f64,
    peak_kib: u64,
}

enum RunError {
    TimedOut,
    Other(anyhow::Error),
}

impl<E: Into<anyhow::Error>> From<E> for RunError {
    fn from(error: E) -> RunError {
        RunError::Other(error.into())
    }
}

/// Runs `command` to its end (or kills it after `timeout`), collecting its
/// output, and its peak resident set from `wait4`.
fn run_child(mut command: Command, timeout: Duration) -> Result<RunOutput, RunError> {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let start = Instant::now();
    let mut child = command
        .spawn()
        .with_context(|| format!("starting {command:?}"))?;
    let pid = child.id() as libc::pid_t;
    let mut stdout = child.stdout.take().expect("piped");
    let mut stderr = child.stderr.take().expect("piped");
    let stdout = std::thread::spawn(move || {
        let mut buffer = Vec::new();
        stdout.read_to_end(&mut buffer).map(|_| buffer)
    });
    let stderr = std::thread::spawn(move || {
        let mut buffer = Vec::new();
        stderr.read_to_end(&mut buffer).map(|_| buffer)
    });
    let mut killed = false;
    let (status, usage) = loop {
        let mut status = 0;
        // SAFETY: an all-zero rusage is valid; wait4 writes it.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: pid is our child, not yet reaped (std never waits on it).
        let reaped = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        if reaped == pid {
            break (status, usage);
        }
        if reaped < 0 {
            return Err(anyhow!("wait4: {}", std::io::Error::last_os_error()).into());
        }
        if !killed && start.elapsed() > timeout {
            let _ = child.kill();
            killed = true;
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let process_seconds = start.elapsed().as_secs_f64();
    let stdout = stdout.join().expect("reader thread")?;
    let stderr = String::from_utf8_lossy(&stderr.join().expect("reader thread")?).into_owned();
    if killed {
        return Err(RunError::TimedOut);
    }
    if !(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0) {
        let tail: String = stderr.lines().rev().take(5).collect::<Vec<_>>().join(" | ");
        return Err(anyhow!("{command:?} failed (wait status {status}): {tail}").into());
    }
    Ok(RunOutput {
        stdout,
        stderr,
        process_seconds,
        // Linux reports ru_maxrss in KiB.
        peak_kib: usage.ru_maxrss as u64,
    })
}

/// `seconds=S counts=c0,…,c9` from the last such stderr line.
fn parse_report(stderr: &str) -> anyhow::Result<(f64, [u64; 10])> {
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
    Ok((
        seconds.ok_or_else(|| anyhow!("no seconds: {line}"))?,
        counts.ok_or_else(|| anyhow!("no counts: {line}"))?,
    ))
}

fn command_for(
    implementation: Implementation,
    n: u64,
    settings: &Settings,
    peers: &Peers,
) -> anyhow::Result<Command> {
    let mut command;
    match implementation {
        Implementation::Component => {
            command = Command::new(std::env::current_exe()?);
            command.args(["component", &n.to_string()]);
        }
        Implementation::Native => {
            command = Command::new(&peers.native);
            command.arg(n.to_string());
        }
        Implementation::Dashu => {
            command = Command::new(&settings.wasmtime);
            command.arg("run").arg(&peers.dashu).arg(n.to_string());
        }
        Implementation::Gmp => {
            command = Command::new(&settings.python);
            command.args(["-c", MPMATH, &n.to_string()]);
        }
        Implementation::Spigot => {
            command = Command::new(&settings.python);
            command.args(["-c", SPIGOT, &n.to_string()]);
        }
    }
    Ok(command)
}

/// Time to first answer and the component's size, from a fresh process.
pub fn first_answer(samples: usize, settings: &Settings) -> anyhow::Result<FirstAnswer> {
    eprintln!("time to first answer ({samples} samples) ...");
    let mut command = Command::new(std::env::current_exe()?);
    command.args(["first-answer", &samples.to_string()]);
    let output = match run_child(command, settings.timeout) {
        Ok(output) => output,
        Err(RunError::TimedOut) => bail!("first-answer timed out"),
        Err(RunError::Other(error)) => return Err(error),
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
    let mut given_up: Vec<(Implementation, String)> = Vec::new();
    let mut order = implementations.to_vec();
    order.sort_by_key(|implementation| *implementation != Implementation::Gmp);
    for &n in sizes {
        let mut gmp_hash: Option<String> = None;
        for &implementation in &order {
            let skip = if implementation == Implementation::Spigot && n > settings.spigot_max {
                Some(format!(
                    "skipped: the spigot runs up to {} digits",
                    settings.spigot_max
                ))
            } else {
                given_up
                    .iter()
                    .find(|(which, _)| *which == implementation)
                    .map(|(_, why)| why.clone())
            };
            if let Some(reason) = skip {
                results.push(Measurement {
                    implementation,
                    n,
                    outcome: Outcome::Skipped(reason),
                    check: String::new(),
                    wrong: false,
                });
                continue;
            }
            let measurement = measure(implementation, n, settings, peers, gmp_hash.as_deref());
            match &measurement.outcome {
                Outcome::Measured {
                    median,
                    runs,
                    peak_kib,
                    ..
                } => eprintln!(
                    "{:>9} digits  {:<14} {:>10.4} s  ({} runs)  {:>8} KiB  {}",
                    n,
                    implementation.short(),
                    median,
                    runs,
                    peak_kib,
                    measurement.check
                ),
                Outcome::Failed(why) | Outcome::Skipped(why) => {
                    eprintln!("{n:>9} digits  {:<14} {why}", implementation.short());
                    given_up.push((
                        implementation,
                        format!("skipped: {} failed at {n} digits", implementation.short()),
                    ));
                }
            }
            if implementation == Implementation::Gmp && !measurement.wrong {
                gmp_hash = measurement.hash.clone();
            }
            results.push(measurement.into());
        }
    }
    Ok(results)
}

struct Hashed {
    measurement: Measurement,
    hash: Option<String>,
}

impl std::ops::Deref for Hashed {
    type Target = Measurement;
    fn deref(&self) -> &Measurement {
        &self.measurement
    }
}

impl From<Hashed> for Measurement {
    fn from(hashed: Hashed) -> Measurement {
        hashed.measurement
    }
}

fn measure(
    implementation: Implementation,
    n: u64,
    settings: &Settings,
    peers: &Peers,
    gmp_hash: Option<&str>,
) -> Hashed {
    let mut times = Vec::new();
    let mut process_times = Vec::new();
    let mut peak_kib = 0;
    let mut check = String::new();
    let mut wrong = false;
    let mut hash = None;
    let failed = |why: String| Hashed {
        measurement: Measurement {
            implementation,
            n,
            outcome: Outcome::Failed(why),
            check: String::new(),
            wrong: false,
        },
        hash: None,
    };
    for run in 0..settings.runs {
        let command = match command_for(implementation, n, settings, peers) {
            Ok(command) => command,
            Err(error) => return failed(format!("failed: {error:#}")),
        };
        let output = match run_child(command, settings.timeout) {
            Ok(output) => output,
            Err(RunError::TimedOut) => {
                return failed(format!("timed out after {} s", settings.timeout.as_secs()));
            }
            Err(RunError::Other(error)) => return failed(format!("failed: {error:#}")),
        };
        let (seconds, counts) = match parse_report(&output.stderr) {
            Ok(report) => report,
            Err(error) => return failed(format!("failed: {error:#}")),
        };
        if run == 0 {
            let (how, bad, digest) = verify(n, &output.stdout, &counts, gmp_hash);
            check = how;
            wrong = bad;
            hash = Some(digest);
        }
        times.push(Duration::from_secs_f64(seconds));
        process_times.push(Duration::from_secs_f64(output.process_seconds));
        peak_kib = peak_kib.max(output.peak_kib);
        if wrong || seconds > settings.repeat_below {
            break;
        }
    }
    Hashed {
        measurement: Measurement {
            implementation,
            n,
            outcome: Outcome::Measured {
                median: median(&mut times).as_secs_f64(),
                process_median: median(&mut process_times).as_secs_f64(),
                runs: times.len(),
                peak_kib,
            },
            check,
            wrong,
        },
        hash,
    }
}

/// Checks digits and histogram: against the fixture's digits or its SHA-256
/// table, else against GMP's digits of this run. Returns (how, wrong, hash).
fn verify(
    n: u64,
    digits: &[u8],
    counts: &[u64; 10],
    gmp_hash: Option<&str>,
) -> (String, bool, String) {
    let hash = hex(&Sha256::digest(digits));
    if digits.len() as u64 != n {
        return (
            format!("WRONG: {} digits, not {n}", digits.len()),
            true,
            hash,
        );
    }
    let mut own = [0u64; 10];
    for &digit in digits {
        if !digit.is_ascii_digit() {
            return (format!("WRONG: byte {digit:#x} is not a digit"), true, hash);
        }
        own[usize::from(digit - b'0')] += 1;
    }
    if own != *counts {
        return (
            "WRONG: histogram does not match the digits".into(),
            true,
            hash,
        );
    }
    let reference = Reference::load();
    if reference.histogram_sizes().any(|size| size == n) && reference.histogram(n) != *counts {
        return (
            "WRONG: histogram differs from the fixture's".into(),
            true,
            hash,
        );
    }
    if n <= reference.stored_digits() {
        if digits == reference.prefix(n).as_bytes() {
            ("fixture digits".into(), false, hash)
        } else {
            (
                "WRONG: differs from the fixture's digits".into(),
                true,
                hash,
            )
        }
    } else if let Some(expected) = reference.sha256(n) {
        if hash == expected {
            ("fixture sha256".into(), false, hash)
        } else {
            (
                "WRONG: sha256 differs from the fixture's".into(),
                true,
                hash,
            )
        }
    } else if let Some(expected) = gmp_hash {
        if hash == expected {
            ("same as GMP".into(), false, hash)
        } else {
            ("WRONG: differs from GMP's digits".into(), true, hash)
        }
    } else {
        ("unchecked".into(), false, hash)
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Output of a short command, trimmed, or None.
pub fn probe(program: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&output.stdout).trim().to_string();
    (!text.is_empty()).then_some(text)
}
