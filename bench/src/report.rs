//! `docs/benchmarks.md`: the machine, the targets, the time to first answer
//! and one table per size.

use std::fmt::Write as _;
use std::path::Path;

use crate::child::FirstAnswer;
use crate::run::{Implementation, Measurement, Outcome, Settings, probe};

/// What the numbers were measured on.
pub struct Machine {
    pub cpu: String,
    pub cores: usize,
    pub memory: String,
    pub load: String,
    pub date: String,
    pub os: String,
    pub commit: String,
    pub python: String,
    pub wasmtime_cli: String,
    pub rustc: String,
    pub bench_profile: &'static str,
    pub command: String,
}

impl Machine {
    pub fn probe(settings: &Settings) -> Machine {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu = cpuinfo
            .lines()
            .find_map(|line| line.strip_prefix("model name"))
            .map(|rest| rest.trim_start_matches([' ', '\t', ':']).trim().to_string())
            .unwrap_or_else(|| "unknown".into());
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let memory = meminfo
            .lines()
            .find_map(|line| line.strip_prefix("MemTotal:"))
            .and_then(|rest| {
                rest.trim()
                    .trim_end_matches("kB")
                    .trim()
                    .parse::<u64>()
                    .ok()
            })
            .map(|kib| format!("{:.1} GiB", kib as f64 / 1024.0 / 1024.0))
            .unwrap_or_else(|| "unknown".into());
        let load = std::fs::read_to_string("/proc/loadavg")
            .map(|text| {
                text.split_whitespace()
                    .take(3)
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .unwrap_or_else(|_| "unknown".into());
        let unknown = || "unknown".to_string();
        let date = probe(Path::new("date"), &["-u", "+%Y-%m-%d %H:%M UTC"]).unwrap_or_else(unknown);
        let os = probe(Path::new("uname"), &["-sr"]).unwrap_or_else(unknown);
        let root = crate::workspace_root();
        let root = root.to_str().unwrap_or(".");
        let commit = match probe(
            Path::new("git"),
            &["-C", root, "rev-parse", "--short", "HEAD"],
        ) {
            Some(commit) => {
                let dirty =
                    probe(Path::new("git"), &["-C", root, "status", "--porcelain"]).is_some();
                if dirty {
                    format!("{commit} (with uncommitted changes)")
                } else {
                    commit
                }
            }
            None => unknown(),
        };
        let python = probe(
            &settings.python,
            &[
                "-c",
                "import sys, mpmath, gmpy2; print('CPython %s, mpmath %s, gmpy2 %s (%s)' % (sys.version.split()[0], mpmath.__version__, gmpy2.version(), gmpy2.mp_version()))",
            ],
        )
        .unwrap_or_else(|| "python3 with mpmath and gmpy2 not found".into());
        let wasmtime_cli = probe(&settings.wasmtime, &["--version"]).unwrap_or_else(unknown);
        let rustc = probe(Path::new("rustc"), &["--version"]).unwrap_or_else(unknown);
        let command = std::iter::once("cargo run -p pi-digits-bench --".to_string())
            .chain(std::env::args().skip(1))
            .collect::<Vec<_>>()
            .join(" ");
        Machine {
            cpu,
            cores: std::thread::available_parallelism().map_or(0, usize::from),
            memory,
            load,
            date,
            os,
            commit,
            python,
            wasmtime_cli,
            rustc,
            bench_profile: if cfg!(debug_assertions) {
                "dev"
            } else {
                "release"
            },
            command: command.trim_end_matches(" --").to_string(),
        }
    }

    pub fn summary(&self) -> String {
        format!(
            "{} ({} cores, {}), load {}, {}",
            self.cpu, self.cores, self.memory, self.load, self.date
        )
    }
}

impl FirstAnswer {
    pub fn summary(&self) -> String {
        format!(
            "component {} bytes; compile {}; fresh instance + digits(10) {}; cold {}",
            self.component_bytes,
            seconds(self.compile),
            seconds(self.instance_digits10),
            seconds(self.cold)
        )
    }
}

/// A duration for people: µs, ms or s with three significant digits.
pub fn seconds(value: f64) -> String {
    if value < 1e-3 {
        format!("{:.0} µs", value * 1e6)
    } else if value < 1.0 {
        format!("{} ms", significant(value * 1e3))
    } else {
        format!("{} s", significant(value))
    }
}

fn significant(value: f64) -> String {
    if value >= 100.0 {
        format!("{value:.0}")
    } else if value >= 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.2}")
    }
}

fn mebibytes(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

/// 1,000,000
pub fn grouped(n: u64) -> String {
    let text = n.to_string();
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i > 0 && (text.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn ratio(value: f64) -> String {
    if value >= 100.0 {
        format!("{value:.0}x")
    } else if value >= 10.0 {
        format!("{value:.1}x")
    } else {
        format!("{value:.2}x")
    }
}

fn find(results: &[Measurement], implementation: Implementation, n: u64) -> Option<&Measurement> {
    results
        .iter()
        .find(|result| result.implementation == implementation && result.n == n)
}

fn time_of(results: &[Measurement], implementation: Implementation, n: u64) -> Option<f64> {
    find(results, implementation, n).and_then(Measurement::seconds)
}

pub fn markdown(
    machine: &Machine,
    settings: &Settings,
    sizes: &[u64],
    implementations: &[Implementation],
    results: &[Measurement],
    first: &FirstAnswer,
) -> String {
    let mut out = String::new();
    let w = &mut out;
    let _ = writeln!(w, "# Benchmarks\n");
    let _ = writeln!(
        w,
        "Written by `{}` on {}; regenerate rather than edit. \
         The plot: [benchmarks.svg](benchmarks.svg).\n",
        machine.command, machine.date
    );
    let _ = writeln!(
        w,
        "![median time against digits, log-log](benchmarks.svg)\n"
    );

    let _ = writeln!(w, "## Targets\n");
    let _ = writeln!(w, "| target | measured | verdict |");
    let _ = writeln!(w, "|---|---|---|");
    for row in targets(results, first) {
        let _ = writeln!(w, "| {} | {} | {} |", row.0, row.1, row.2);
    }
    let _ = writeln!(w);

    let _ = writeln!(w, "## Time to first answer\n");
    let _ = writeln!(
        w,
        "The cost every Spin request pays: a fresh instance of the component \
         for each request (medians of {} samples, in one process).\n",
        first.samples
    );
    let _ = writeln!(w, "| what | time |");
    let _ = writeln!(w, "|---|---|");
    let _ = writeln!(
        w,
        "| component size | {} bytes |",
        grouped(first.component_bytes as u64)
    );
    let _ = writeln!(
        w,
        "| fresh instance alone (`session()`), compile excluded | {} |",
        seconds(first.instance)
    );
    let _ = writeln!(
        w,
        "| fresh instance + `digits(10)`, compile excluded (`session()` + `digits(10)`) | {} |",
        seconds(first.instance_digits10)
    );
    let _ = writeln!(
        w,
        "| fresh instance + `histogram(1000)`, compile excluded | {} |",
        seconds(first.instance_histogram1000)
    );
    let _ = writeln!(
        w,
        "| compiling the component (`Runtime::embedded()`) | {} |",
        seconds(first.compile)
    );
    let _ = writeln!(
        w,
        "| compile included: first `Runtime::embedded()` + `session()` + `digits(10)` of a process | {} |",
        seconds(first.cold)
    );
    let _ = writeln!(w);

    let _ = writeln!(w, "## Results\n");
    let _ = writeln!(
        w,
        "Median wall time of {} runs (a first run over {} s is not repeated) of \
         computing the first N digits (the leading 3 included) and their \
         histogram, as timed inside each implementation's own process: \
         process start, interpreter or wasm compilation and printing are \
         excluded (the *process* column includes them). *Ratio* is to \
         mpmath+gmpy2 (GMP) at the same size, lower is faster. *Peak memory* \
         is the process's peak resident set (`wait4`'s `ru_maxrss`), \
         wasmtime's compiler and Python's interpreter included. Every result's \
         digits are checked against `tests/fixtures/reference.json` (its \
         digits up to 100,000, its SHA-256 table for 10^k), else against GMP's \
         of the same run.\n",
        settings.runs, settings.repeat_below
    );
    for &n in sizes {
        let _ = writeln!(w, "### {} digits\n", grouped(n));
        let _ = writeln!(
            w,
            "| implementation | median | runs | ratio to GMP | peak memory | process | check |"
        );
        let _ = writeln!(w, "|---|---:|---:|---:|---:|---:|---|");
        let gmp = time_of(results, Implementation::Gmp, n);
        for &implementation in implementations {
            let Some(result) = find(results, implementation, n) else {
                continue;
            };
            match &result.outcome {
                Outcome::Measured {
                    median,
                    process_median,
                    runs,
                    peak_kib,
                } => {
                    let ratio_text = match gmp {
                        Some(gmp) if !result.is_wrong() => ratio(median / gmp),
                        _ => "–".into(),
                    };
                    let _ = writeln!(
                        w,
                        "| {} | {} | {} | {} | {} | {} | {} |",
                        implementation.name(),
                        seconds(*median),
                        runs,
                        ratio_text,
                        mebibytes(*peak_kib),
                        seconds(*process_median),
                        result.check
                    );
                }
                Outcome::Skipped(why) | Outcome::Failed(why) => {
                    let _ = writeln!(
                        w,
                        "| {} | – | 0 | – | – | – | {} |",
                        implementation.name(),
                        why
                    );
                }
            }
        }
        let _ = writeln!(w);
    }

    let _ = writeln!(w, "### All sizes: median time\n");
    let mut header = String::from("| implementation |");
    let mut rule = String::from("|---|");
    for &n in sizes {
        let _ = write!(header, " {} |", grouped(n));
        rule.push_str("---:|");
    }
    let _ = writeln!(w, "{header}\n{rule}");
    for &implementation in implementations {
        let mut row = format!("| {} |", implementation.short());
        for &n in sizes {
            let cell = time_of(results, implementation, n).map_or("–".to_string(), seconds);
            let _ = write!(row, " {cell} |");
        }
        let _ = writeln!(w, "{row}");
    }
    let _ = writeln!(w);

    let _ = writeln!(w, "## What runs\n");
    let _ = writeln!(
        w,
        "- **component**: the embedded `pi:digits/pi` component through \
         `pi-digits-host` with its default options (`Runtime::embedded()` and \
         `session()`, then timed: `digits(n)` and `histogram(n)`; the time \
         to compile and instantiate is in the table above), in a child process of the bench.\n\
         - **native**: `pi_digits::pi::digits(n)` and a count, built by the \
         bench in release (`bench/peers/native-pi`).\n\
         - **dashu-wasm**: `bench/peers/dashu-pi`, Chudnovsky by binary \
         splitting on `dashu-int` (its multiplication, square root, division \
         and decimal conversion), built for wasm32-wasip2 with the workspace's \
         flags and run by the `wasmtime` CLI.\n\
         - **mpmath+gmpy2**: mpmath's `pi_fixed` (Chudnovsky on GMP through \
         gmpy2) and GMP's decimal conversion, in CPython.\n\
         - **spigot**: Gibbons' unbounded spigot generator in CPython, as the \
         original Pi Day app used; run up to {} digits only (it is quadratic).\n",
        grouped(settings.spigot_max)
    );

    let _ = writeln!(w, "## Machine\n");
    let _ = writeln!(w, "| | |");
    let _ = writeln!(w, "|---|---|");
    let _ = writeln!(w, "| CPU | {} |", machine.cpu);
    let _ = writeln!(w, "| cores (nproc) | {} |", machine.cores);
    let _ = writeln!(w, "| memory | {} |", machine.memory);
    let _ = writeln!(w, "| load average at start | {} |", machine.load);
    let _ = writeln!(w, "| OS | {} |", machine.os);
    let _ = writeln!(w, "| date | {} |", machine.date);
    let _ = writeln!(w, "| commit | {} |", machine.commit);
    let _ = writeln!(w, "| rustc | {} |", machine.rustc);
    let _ = writeln!(w, "| Python | {} |", machine.python);
    let _ = writeln!(
        w,
        "| wasmtime CLI (dashu peer) | {} |",
        machine.wasmtime_cli
    );
    let _ = writeln!(
        w,
        "| bench (host library) profile | {} (the component runs as compiled by wasmtime's Cranelift either way; a dev build only slows compiling it) |",
        machine.bench_profile
    );
    out
}

/// (target, measured, verdict) rows.
fn targets(results: &[Measurement], first: &FirstAnswer) -> Vec<(String, String, String)> {
    let mut rows = Vec::new();
    let component = Implementation::Component;

    // 1. 1,000,000 digits within 2x of GMP.
    let target = "1,000,000 digits within 2x of GMP (mpmath+gmpy2)".to_string();
    match (
        time_of(results, component, 1_000_000),
        time_of(results, Implementation::Gmp, 1_000_000),
    ) {
        (Some(ours), Some(gmp)) => {
            let r = ours / gmp;
            let native = time_of(results, Implementation::Native, 1_000_000)
                .map(|native| format!("; native {}", ratio(native / gmp)))
                .unwrap_or_default();
            let verdict = if r <= 2.0 {
                format!("**met**: {:.0}% under the limit", (1.0 - r / 2.0) * 100.0)
            } else {
                format!(
                    "**missed** by {:.0}% ({} of GMP, limit 2x)",
                    (r / 2.0 - 1.0) * 100.0,
                    ratio(r)
                )
            };
            rows.push((
                target,
                format!(
                    "component {} vs GMP {}: {}{native}",
                    seconds(ours),
                    seconds(gmp),
                    ratio(r)
                ),
                verdict,
            ));
        }
        _ => rows.push((
            target,
            "not measured".into(),
            "– (needs size 1000000)".into(),
        )),
    }

    // 2. 10,000,000 digits under 60 s with peak memory under 1 GiB.
    let target = "10,000,000 digits under 60 s, peak memory under 1 GiB".to_string();
    match find(results, component, 10_000_000) {
        Some(result) if result.seconds().is_some() => {
            let time = result.seconds().unwrap_or_default();
            let kib = result.peak_kib().unwrap_or_default();
            let limit_kib = 1024 * 1024;
            let time_verdict = if time < 60.0 {
                format!("time **met** ({:.0}% under)", (1.0 - time / 60.0) * 100.0)
            } else {
                format!("time **missed** by {:.0}%", (time / 60.0 - 1.0) * 100.0)
            };
            let memory_verdict = if kib < limit_kib {
                format!(
                    "memory **met** ({:.0}% under)",
                    (1.0 - kib as f64 / limit_kib as f64) * 100.0
                )
            } else {
                format!(
                    "memory **missed** by {:.0}%",
                    (kib as f64 / limit_kib as f64 - 1.0) * 100.0
                )
            };
            rows.push((
                target,
                format!("component {}, peak {}", seconds(time), mebibytes(kib)),
                format!("{time_verdict}; {memory_verdict}"),
            ));
        }
        _ => rows.push((
            target,
            "not measured".into(),
            "– (run with `--full`)".into(),
        )),
    }

    // 3. 30,000 digits + histogram at least 1000x faster than the spigot.
    let target =
        "30,000 digits + histogram at least 1000x faster than the Python spigot".to_string();
    match time_of(results, component, 30_000) {
        Some(calls) => {
            // As a Spin request: a fresh instance, then the calls.
            let ours = calls + first.instance_digits10;
            let ours_text = format!(
                "component {} ({} of calls + {} for a fresh instance)",
                seconds(ours),
                seconds(calls),
                seconds(first.instance_digits10)
            );
            let original = format!(
                "; {} faster than the original app's 8.5 s",
                ratio(8.5 / ours)
            );
            match time_of(results, Implementation::Spigot, 30_000) {
                Some(spigot) => {
                    let speedup = spigot / ours;
                    let verdict = if speedup >= 1000.0 {
                        format!("**met**: {:.1}x the required speed-up", speedup / 1000.0)
                    } else {
                        format!(
                            "**missed**: {:.0}% of the required speed-up",
                            speedup / 10.0
                        )
                    };
                    rows.push((
                        target,
                        format!(
                            "{ours_text} vs spigot {}: {} faster{original}",
                            seconds(spigot),
                            ratio(speedup)
                        ),
                        verdict,
                    ));
                }
                None => rows.push((
                    target,
                    format!("{ours_text}{original}"),
                    "– (spigot not measured at 30,000)".into(),
                )),
            }
        }
        None => rows.push((target, "not measured".into(), "– (needs size 30000)".into())),
    }
    rows
}
