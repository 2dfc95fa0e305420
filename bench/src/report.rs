//! `docs/benchmarks.md`: the targets, the time to first answer, one table
//! per size and one of all sizes, what runs, and the machine.

mod targets;

use std::fmt::Write as _;

use thousands::Separable;

use crate::child::{FirstAnswer, SEARCH_PATTERN, SEARCHED};
use crate::implementation::Implementation;
use crate::machine::Machine;
use crate::measure::{Measurement, Outcome, find, seconds_of};
use crate::numbers::{mebibytes, ratio, seconds};
use crate::settings::Settings;

// Writing to a String cannot fail, so the `fmt::Result`s of `writeln!` in
// this module are dropped with `let _`.

/// The whole markdown document.
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
    targets_section(w, results, first);
    first_answer_section(w, first);
    results_section(w, settings, sizes, implementations, results);
    what_runs_section(w, settings);
    machine_section(w, machine);
    out
}

fn targets_section(w: &mut String, results: &[Measurement], first: &FirstAnswer) {
    let _ = writeln!(w, "## Targets\n");
    let _ = writeln!(w, "| target | measured | verdict |");
    let _ = writeln!(w, "|---|---|---|");
    for row in targets::rows(results, first) {
        let _ = writeln!(w, "| {} | {} | {} |", row.target, row.measured, row.verdict);
    }
    let _ = writeln!(w);
}

fn first_answer_section(w: &mut String, first: &FirstAnswer) {
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
        first.component_bytes.separate_with_commas()
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
    let search = format!("`search(\"{SEARCH_PATTERN}\", {SEARCHED})`");
    let _ = writeln!(
        w,
        "| {search} alone on a fresh instance (made before the clock starts) | {} |",
        seconds(first.search_million)
    );
    let _ = writeln!(
        w,
        "| fresh instance + {search} | {} |",
        seconds(first.instance_search_million)
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
}

fn results_section(
    w: &mut String,
    settings: &Settings,
    sizes: &[u64],
    implementations: &[Implementation],
    results: &[Measurement],
) {
    let _ = writeln!(w, "## Results\n");
    let _ = writeln!(
        w,
        "Median wall time of {} runs (a first run over {} s is not repeated) of \
         computing the first N digits (the leading 3 included) and their \
         histogram, as timed inside each implementation's own process: \
         process start, interpreter or wasm compilation and printing are \
         excluded (the *process* column includes them). The runs interleave: \
         in each round every implementation runs once, so that the machine's \
         load falls on all of them alike. *Ratio* is to mpmath+gmpy2 (GMP) at \
         the same size, lower is faster: the median of the rounds' ratios, \
         each between two runs made side by side, and the lowest and highest \
         of them, the spread a ratio can be trusted to. *Peak memory* \
         is the process's peak resident set (`wait4`'s `ru_maxrss`), \
         wasmtime's compiler and Python's interpreter included. Every result's \
         digits are checked against `testkit/fixtures/reference.json` (its \
         digits up to 100,000, its SHA-256 table for 10^k), else against GMP's \
         of the same run.\n",
        settings.runs, settings.repeat_below
    );
    for &n in sizes {
        size_table(w, n, implementations, results);
    }
    all_sizes_table(w, sizes, implementations, results);
}

/// The table of one size: every implementation's numbers and check.
fn size_table(w: &mut String, n: u64, implementations: &[Implementation], results: &[Measurement]) {
    let _ = writeln!(w, "### {} digits\n", n.separate_with_commas());
    let _ = writeln!(
        w,
        "| implementation | median (fastest–slowest) | runs | ratio to GMP (lowest–highest round) | peak memory | process | check |"
    );
    let _ = writeln!(w, "|---|---:|---:|---:|---:|---:|---|");
    let gmp = find(results, Implementation::Gmp, n);
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
                check,
                ..
            } => {
                let time = match result.spread() {
                    Some((fastest, slowest)) if *runs > 1 => format!(
                        "{} ({}–{})",
                        seconds(*median),
                        seconds(fastest),
                        seconds(slowest)
                    ),
                    _ => seconds(*median),
                };
                // A wrong answer is no speed: no ratio for it.
                let ratio_text = match gmp.and_then(|gmp| result.ratio_to(gmp)) {
                    Some(r) if r.rounds > 1 => format!(
                        "{} ({}–{})",
                        ratio(r.median),
                        ratio(r.lowest),
                        ratio(r.highest)
                    ),
                    Some(r) => ratio(r.median),
                    None => "–".into(),
                };
                let _ = writeln!(
                    w,
                    "| {} | {} | {} | {} | {} | {} | {} |",
                    implementation.name(),
                    time,
                    runs,
                    ratio_text,
                    mebibytes(*peak_kib),
                    seconds(*process_median),
                    check
                );
            }
            Outcome::Skipped(why) => not_measured_row(w, implementation, why),
            Outcome::Failed(why) => not_measured_row(w, implementation, why),
        }
    }
    let _ = writeln!(w);
}

/// A row of a size table for an implementation that gave no numbers.
fn not_measured_row(w: &mut String, implementation: Implementation, why: &dyn std::fmt::Display) {
    let _ = writeln!(
        w,
        "| {} | – | 0 | – | – | – | {} |",
        implementation.name(),
        why
    );
}

/// Median times only, an implementation a row, a size a column.
fn all_sizes_table(
    w: &mut String,
    sizes: &[u64],
    implementations: &[Implementation],
    results: &[Measurement],
) {
    let _ = writeln!(w, "### All sizes: median time\n");
    let mut header = String::from("| implementation |");
    let mut rule = String::from("|---|");
    for &n in sizes {
        let _ = write!(header, " {} |", n.separate_with_commas());
        rule.push_str("---:|");
    }
    let _ = writeln!(w, "{header}\n{rule}");
    for &implementation in implementations {
        let mut row = format!("| {} |", implementation.short());
        for &n in sizes {
            let cell = seconds_of(results, implementation, n).map_or("–".to_string(), seconds);
            let _ = write!(row, " {cell} |");
        }
        let _ = writeln!(w, "{row}");
    }
    let _ = writeln!(w);
}

fn what_runs_section(w: &mut String, settings: &Settings) {
    let _ = writeln!(w, "## What runs\n");
    let _ = writeln!(
        w,
        "- **component**: the `pi:digits/pi` component built without its \
         snapshot (`PI_DIGITS_SNAPSHOT_DIGITS=0`, by the bench into \
         `target/peers`), so that every size is computed, not looked up, \
         through `pi-digits-host` with its default options (`Runtime::new()` \
         and `session()`, then timed: `digits(n)` and `histogram(n)`; the \
         default options include the 300 s deadline, whose epoch checks slow \
         a computation: docs/load-test.md, *Command line*; past the default \
         10,000,000 digits, the limits lifted as `--max-digits`, `--timeout` \
         and `--max-memory` lift them), in a child process of the bench. \
         The time to first answer above is the embedded component's, with \
         its snapshot.\n\
         - **native**: `pi_digits_math::pi::digits(n)` and a count, built by the \
         bench in release (`bench/peers/native-pi`).\n\
         - **math-wasm**: the same program built for wasm32-wasip2 with the \
         workspace's flags (the component's arithmetic, simd128 included) and \
         run by the `wasmtime` CLI with no deadline, as dashu is: beside the \
         component row, the cost of the host's deadline.\n\
         - **dashu-wasm**: `bench/peers/dashu-pi`, Chudnovsky by binary \
         splitting on `dashu-int` (its multiplication, square root, division \
         and decimal conversion), built for wasm32-wasip2 with the workspace's \
         flags and run by the `wasmtime` CLI; up to {} digits only.\n\
         - **mpmath+gmpy2**: mpmath's `pi_fixed` (Chudnovsky on GMP through \
         gmpy2) and GMP's decimal conversion, in CPython.\n\
         - **spigot**: Gibbons' unbounded spigot generator in CPython, as the \
         original Pi Day app used; run up to {} digits only (it is quadratic).\n",
        settings.dashu_max.separate_with_commas(),
        settings.spigot_max.separate_with_commas()
    );
}

fn machine_section(w: &mut String, machine: &Machine) {
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
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::measure::{Failure, Skip};
    use crate::verify::{Against, Check, Mismatch};

    fn machine() -> Machine {
        Machine {
            cpu: "Test CPU".into(),
            cores: 4,
            memory: "8.0 GiB".into(),
            load: "0.00 0.00 0.00".into(),
            date: "2026-01-01 00:00 UTC".into(),
            os: "Linux 6".into(),
            commit: "abc1234".into(),
            python: "CPython 3".into(),
            wasmtime_cli: "wasmtime 1".into(),
            rustc: "rustc 1".into(),
            bench_profile: "dev",
            command: "cargo run -p pi-digits-bench".into(),
        }
    }

    fn settings() -> Settings {
        Settings {
            runs: 3,
            repeat_below: 30.0,
            timeout: Duration::from_secs(600),
            spigot_max: 30_000,
            dashu_max: 10_000_000,
            wasmtime: "wasmtime".into(),
            python: "python3".into(),
        }
    }

    fn first_answer() -> FirstAnswer {
        FirstAnswer {
            component_bytes: 206_070,
            compile: 0.465,
            instance: 77e-6,
            instance_digits10: 161e-6,
            instance_histogram1000: 474e-6,
            search_million: 2.4e-3,
            instance_search_million: 2.5e-3,
            cold: 0.493,
            samples: 20,
        }
    }

    /// Three runs: the median, 2% faster and 5% slower, in that order.
    fn measured(implementation: Implementation, n: u64, median: f64, check: Check) -> Measurement {
        Measurement {
            implementation,
            n,
            outcome: Outcome::Measured {
                median,
                process_median: median + 0.25,
                runs: 3,
                times: vec![median, median * 0.98, median * 1.05],
                peak_kib: 34_406,
                check,
            },
        }
    }

    fn document(results: &[Measurement], sizes: &[u64]) -> String {
        markdown(
            &machine(),
            &settings(),
            sizes,
            &Implementation::ALL,
            results,
            &first_answer(),
        )
    }

    #[test]
    fn size_rows_show_numbers_checks_and_reasons() {
        let n = 1_000_000;
        let results = [
            measured(
                Implementation::Component,
                n,
                3.37,
                Check::Matches(Against::FixtureSha256),
            ),
            measured(
                Implementation::Native,
                n,
                1.0,
                Check::Mismatch(Mismatch::DigitsDifferFromFixture),
            ),
            Measurement {
                implementation: Implementation::Dashu,
                n,
                outcome: Outcome::Failed(Failure::TimedOut(Duration::from_secs(600))),
            },
            // GMP's rounds vary otherwise than the component's: the
            // rounds' ratios spread.
            Measurement {
                implementation: Implementation::Gmp,
                n,
                outcome: Outcome::Measured {
                    median: 1.48,
                    process_median: 1.73,
                    runs: 3,
                    times: vec![1.48, 1.40, 1.60],
                    peak_kib: 34_406,
                    check: Check::Matches(Against::FixtureSha256),
                },
            },
            Measurement {
                implementation: Implementation::Spigot,
                n,
                outcome: Outcome::Skipped(Skip::PeerLimit {
                    implementation: Implementation::Spigot,
                    max: 30_000,
                }),
            },
        ];
        let text = document(&results, &[n]);
        assert!(text.contains("### 1,000,000 digits\n"), "{text}");
        assert!(text.contains(
            "| pi-digits component, no snapshot (wasmtime, host library) | 3.37 s (3.30 s–3.54 s) | 3 | 2.28x (2.21x–2.36x) | 33.6 MiB | 3.62 s | fixture sha256 |"
        ), "{text}");
        // A wrong answer has its time, but no ratio.
        assert!(text.contains(
            "| pi-digits math, native | 1.00 s | 3 | – | 33.6 MiB | 1.25 s | WRONG: differs from the fixture's digits |"
        ), "{text}");
        assert!(
            text.contains(
                "| dashu in wasm (wasmtime CLI) | – | 0 | – | – | – | timed out after 600 s |"
            ),
            "{text}"
        );
        assert!(text.contains(
            "| Python spigot (CPython) | – | 0 | – | – | – | skipped: spigot runs up to 30000 digits |"
        ), "{text}");
        assert!(
            text.contains(
                "| implementation | 1,000,000 |\n|---|---:|\n| component | 3.37 s |\n| math-wasm | – |\n| native | – |"
            ),
            "{text}"
        );
        assert!(text.contains(
            "| the component within 2x of GMP (mpmath+gmpy2) at every size from 10,000 to 10,000,000 digits | 1,000,000: 2.28x (2.21x–2.36x) | **missed** at 1,000,000 (2.28x) (limit 2.00x) |"
        ), "{text}");
        assert!(
            text.contains("| component size | 206,070 bytes |"),
            "{text}"
        );
        assert!(text.contains("run up to 30,000 digits only"), "{text}");
        assert!(text.contains(
            "| `search(\"140319\", 1000000)` alone on a fresh instance (made before the clock starts) | 2.40 ms |"
        ), "{text}");
        assert!(text.contains(
            "| searching the first 1,000,000 digits under 10 ms (component, fresh instance) | `search(\"140319\", 1000000)` 2.40 ms (2.50 ms with the instance) | **met**: 76% under |"
        ), "{text}");
    }

    #[test]
    fn targets_not_measured_say_what_they_need() {
        let text = document(&[], &[1000]);
        assert!(text.contains(
            "| 10,000,000 digits under 60 s, peak memory under 400 MiB | not measured | – (run with `--full`) |"
        ), "{text}");
        assert!(text.contains(
            "| 100,000,000 digits under 5 minutes, peak memory under 3.5 GiB | not measured | – (run with `--full`) |"
        ), "{text}");
        assert!(
            text.contains("| not measured | – (needs size 30000) |"),
            "{text}"
        );
    }

    #[test]
    fn the_spigot_target_counts_a_fresh_instance() {
        let results = [
            measured(
                Implementation::Component,
                30_000,
                0.0389,
                Check::Matches(Against::FixtureDigits),
            ),
            measured(
                Implementation::Spigot,
                30_000,
                125.0,
                Check::Matches(Against::FixtureDigits),
            ),
        ];
        let text = document(&results, &[30_000]);
        assert!(text.contains(
            "| component 39.1 ms (38.9 ms of calls + 161 µs for a fresh instance) vs spigot 125 s: 3200x faster; 218x faster than the original app's 8.5 s | **met**: 3.2x the required speed-up |"
        ), "{text}");
    }
}
