//! The `pi-digits` CLI as a user runs it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use pi_digits_testkit::{Reference, run, stderr, stdout};
use serde_json::Value;

fn pi_digits(args: &[&str]) -> Output {
    run(Command::new(env!("CARGO_BIN_EXE_pi-digits")).args(args))
}

#[test]
fn digits_window_and_json_histogram() {
    let reference = Reference::load();
    assert_eq!(
        stdout(&pi_digits(&["digits", "50"])),
        format!("{}\n", reference.prefix(50))
    );
    assert_eq!(
        stdout(&pi_digits(&["window", "100", "20"])),
        format!("{}\n", reference.window(100, 20))
    );

    let json: Value =
        serde_json::from_str(&stdout(&pi_digits(&["histogram", "1000", "--json"]))).unwrap();
    assert_eq!(json["n"], 1000);
    assert_eq!(
        json["counts"],
        serde_json::to_value(reference.histogram(1_000)).unwrap()
    );

    let json: Value =
        serde_json::from_str(&stdout(&pi_digits(&["--json", "window", "1", "4"]))).unwrap();
    assert_eq!(json["digits"], "1415");
}

/// `search`: the reference's position and count, the digits around the
/// first occurrence (from the reference's digits), in text and JSON.
#[test]
fn search_prints_position_count_and_the_digits_around() {
    let reference = Reference::load();
    let text = stdout(&pi_digits(&["search", "999999", "1000"]));
    let around = format!(
        "…{}[999999]{}…",
        reference.window(742, 20),
        reference.window(768, 20)
    );
    assert_eq!(
        text,
        format!(
            "999999 occurs once in the first 1,000 digits of π, first at position 762 \
             (0 is the leading 3):\n{around}\n"
        )
    );
    // At the start, and at the end of the digits searched: no ellipsis
    // where nothing is left out, and nothing shown past n.
    let text = stdout(&pi_digits(&["search", "3", "12"]));
    assert!(
        text.starts_with("3 occurs 2 times in the first 12 digits of π, first at position 0 "),
        "{text}"
    );
    assert!(
        text.ends_with(&format!("\n[3]{}\n", reference.window(1, 11))),
        "{text}"
    );
    let text = stdout(&pi_digits(&["search", "53", "10"]));
    assert!(
        text.ends_with(&format!("\n{}[53]\n", reference.window(0, 8))),
        "{text}"
    );
    assert_eq!(
        stdout(&pi_digits(&["search", "140319", "10"])),
        "140319 does not occur in the first 10 digits of π\n"
    );

    // The default n is a million; --json, before or after the command.
    // 271828 first occurs inside the digits the fixture stores, so the
    // digits around it are the fixture's too.
    let case = reference
        .searches_in(1_000_000)
        .find(|case| case.pattern == "271828")
        .unwrap();
    let position = case.position.unwrap();
    assert!(position + 26 <= reference.stored_digits());
    for args in [
        ["search", "271828", "--json"],
        ["--json", "search", "271828"],
    ] {
        let json: Value = serde_json::from_str(&stdout(&pi_digits(&args))).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "q": "271828",
                "n": 1_000_000,
                "position": position,
                "count": case.count,
                "before": reference.window(position - 20, 20),
                "after": reference.window(position + 6, 20),
            })
        );
    }
    let case = reference
        .searches_in(1_000_000)
        .find(|case| case.pattern == "140319")
        .unwrap();
    let json: Value =
        serde_json::from_str(&stdout(&pi_digits(&["search", "140319", "--json"]))).unwrap();
    assert_eq!(json["position"], serde_json::json!(case.position));
    assert_eq!(json["count"], case.count);
    assert_eq!(json["before"].as_str().map(str::len), Some(20), "{json}");
    assert_eq!(json["after"].as_str().map(str::len), Some(20), "{json}");
    for case in reference.searches_in(100_000) {
        let n = case.n.to_string();
        let json: Value =
            serde_json::from_str(&stdout(&pi_digits(&["--json", "search", case.pattern, &n])))
                .unwrap();
        assert_eq!(
            json["position"],
            serde_json::json!(case.position),
            "{case:?}"
        );
        assert_eq!(json["count"], case.count, "{case:?}");
    }
    let json: Value =
        serde_json::from_str(&stdout(&pi_digits(&["--json", "search", "0123456789"]))).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "q": "0123456789", "n": 1_000_000, "position": null, "count": 0,
            "before": "", "after": "",
        })
    );
}

#[test]
fn bad_search_patterns_are_refused_with_a_clear_message() {
    for (pattern, message) in [
        ("", "the pattern is empty"),
        ("14a3", "not a digit"),
        ("-14", "not a digit"),
        ("3.14", "not a digit"),
    ] {
        let output = pi_digits(&["search", pattern]);
        assert_eq!(output.status.code(), Some(1), "search {pattern:?}");
        assert!(
            stderr(&output).contains(message),
            "{pattern:?}: {}",
            stderr(&output)
        );
        assert!(!stderr(&output).contains("panic"), "{}", stderr(&output));
        assert!(
            output.stdout.is_empty(),
            "search {pattern:?} printed an answer"
        );
    }
    let output = pi_digits(&["search", &"1".repeat(101)]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("longer than 100 digits"),
        "{}",
        stderr(&output)
    );
    let output = pi_digits(&["search", "3", "10000001"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("at most 10000000 are allowed"),
        "{}",
        stderr(&output)
    );
    let output = pi_digits(&["search", "3", "-1"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("invalid value"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn histogram_chart_shows_every_count_and_share() {
    let counts = Reference::load().histogram(30_000);
    let chart = stdout(&pi_digits(&["histogram", "30000"]));
    assert!(chart.starts_with("How often each digit occurs in the first 30,000 digits of π"));
    let rows: Vec<&str> = chart.lines().filter(|line| line.contains('│')).collect();
    assert_eq!(rows.len(), 10);
    for (digit, row) in rows.iter().enumerate() {
        let count = counts[digit];
        let expected_tail = format!(
            "{},{:03} {:6.2}%",
            count / 1000,
            count % 1000,
            count as f64 * 100.0 / 30_000.0
        );
        assert!(row.starts_with(&format!("{digit} │█")), "{row}");
        assert!(
            row.ends_with(&expected_tail),
            "{row} should end with {expected_tail}"
        );
    }
}

#[test]
fn another_component_can_be_loaded() {
    let output = pi_digits(&[
        "--component",
        pi_digits_artifacts::PI_COMPONENT_PATH,
        "digits",
        "10",
    ]);
    assert_eq!(stdout(&output), "3141592653\n");

    let output = pi_digits(&["--component", "no/such/file.wasm", "digits", "10"]);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("reading no/such/file.wasm"),
        "{}",
        stderr(&output)
    );

    let output = pi_digits(&["--component", "Cargo.toml", "digits", "10"]);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("loading Cargo.toml"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn bad_input_is_refused_with_a_clear_message() {
    let output = pi_digits(&["digits", "10000001"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("at most 10000000 are allowed"),
        "{}",
        stderr(&output)
    );

    let output = pi_digits(&["window", "18446744073709551615", "2"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("at most 10000000 are allowed"),
        "{}",
        stderr(&output)
    );

    for n in ["18446744073709551616", "-1", "1e3", "ten", ""] {
        let output = pi_digits(&["histogram", n]);
        assert_eq!(output.status.code(), Some(2), "histogram {n:?}");
        assert!(
            stderr(&output).contains("invalid value"),
            "{}",
            stderr(&output)
        );
    }
}

#[test]
fn limits_are_settings() {
    let output = pi_digits(&["--max-digits", "500", "digits", "501"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("at most 500 are allowed"),
        "{}",
        stderr(&output)
    );

    // Lifted past the component's own maximum (100,000,000, ten times the
    // default), the component's stands.
    let output = pi_digits(&["--max-digits", "1000000000", "digits", "100000001"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("at most 100000000 are allowed"),
        "{}",
        stderr(&output)
    );

    let output = run(Command::new(env!("CARGO_BIN_EXE_pi-digits"))
        .args(["histogram", "2000"])
        .env("PI_DIGITS_MAX_DIGITS", "1999"));
    assert!(
        stderr(&output).contains("at most 1999 are allowed"),
        "{}",
        stderr(&output)
    );

    let output = pi_digits(&["--timeout", "0.2", "digits", "10000000"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("deadline of 200ms"),
        "{}",
        stderr(&output)
    );

    let output = pi_digits(&["--timeout", "0", "digits", "1"]);
    assert!(
        stderr(&output).contains("--timeout must be a positive number"),
        "{}",
        stderr(&output)
    );

    let help = stdout(&pi_digits(&["--help"]));
    for setting in [
        "PI_DIGITS_MAX_DIGITS",
        "PI_DIGITS_TIMEOUT",
        "PI_DIGITS_MAX_MEMORY",
        "default: 10000000",
    ] {
        assert!(help.contains(setting), "--help documents {setting}");
    }
}

/// `pi-digits ARGS` with one environment variable set.
fn with_env(name: &str, value: &str, args: &[&str]) -> Output {
    run(Command::new(env!("CARGO_BIN_EXE_pi-digits"))
        .args(args)
        .env(name, value))
}

/// The limits table's variables, each through what it does (the flags
/// are checked in `limits_are_settings`).
#[test]
fn the_limit_variables_take_effect() {
    let output = with_env("PI_DIGITS_TIMEOUT", "0.2", &["digits", "10000000"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("deadline of 200ms"),
        "{}",
        stderr(&output)
    );

    // Past the component's snapshot (10^6 digits), so they are computed.
    let histogram = ["--json", "histogram", "2000000"];
    let output = with_env("PI_DIGITS_MAX_MEMORY", "8", &histogram);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("memory cap of 8388608 bytes"),
        "{}",
        stderr(&output)
    );
    // The same request is answered under the default cap.
    let json: Value = serde_json::from_str(&stdout(&pi_digits(&histogram))).unwrap();
    let counts: Vec<u64> = serde_json::from_value(json["counts"].clone()).unwrap();
    assert_eq!(counts.iter().sum::<u64>(), 2_000_000, "{json}");
}

/// The compiled-component files in `dir` (none if it does not exist).
fn cached_files(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir).map_or_else(
        |_| Vec::new(),
        |entries| entries.map(|entry| entry.unwrap().path()).collect(),
    )
}

/// `--cache-dir` and `PI_DIGITS_CACHE_DIR` say where compiled components
/// go, `none` turns the cache off, and by default it is
/// `~/.cache/pi-digits`: each seen in the files written.
#[test]
fn the_cache_goes_where_it_is_told() {
    let home = tempfile::tempdir().unwrap();
    let by_flag = home.path().join("by-flag");
    let by_variable = home.path().join("by-variable");
    let default = home.path().join(".cache/pi-digits");
    let pi = |cache: Option<&str>, flag: Option<&Path>| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_pi-digits"));
        if let Some(flag) = flag {
            command.arg("--cache-dir").arg(flag);
        }
        command.args(["digits", "10"]).env("HOME", home.path());
        match cache {
            Some(value) => command.env("PI_DIGITS_CACHE_DIR", value),
            None => command.env_remove("PI_DIGITS_CACHE_DIR"),
        };
        assert_eq!(stdout(&run(&mut command)), "3141592653\n");
    };

    pi(Some("none"), None);
    pi(Some("none"), Some(Path::new("none")));
    assert_eq!(
        cached_files(home.path()),
        Vec::<PathBuf>::new(),
        "none writes nothing"
    );

    pi(Some(by_variable.to_str().unwrap()), None);
    let written = cached_files(&by_variable);
    assert_eq!(written.len(), 1, "{written:?}");
    assert!(written[0].to_str().unwrap().ends_with(".cwasm"));
    // A second run loads that file: it is neither rewritten nor joined.
    let modified = std::fs::metadata(&written[0]).unwrap().modified().unwrap();
    pi(Some(by_variable.to_str().unwrap()), None);
    assert_eq!(cached_files(&by_variable), written);
    assert_eq!(
        std::fs::metadata(&written[0]).unwrap().modified().unwrap(),
        modified
    );

    // The flag wins over the variable.
    pi(Some("none"), Some(&by_flag));
    assert_eq!(cached_files(&by_flag).len(), 1);

    assert_eq!(cached_files(&default), Vec::<PathBuf>::new());
    pi(None, None);
    assert_eq!(cached_files(&default).len(), 1, "the default, under HOME");
}

/// The README's command-line session: every `$ pi-digits …` line runs and
/// succeeds (`other.wasm` standing for the component this build made).
#[test]
fn the_readme_session_runs() {
    let readme = include_str!("../../README.md");
    let session = readme
        .split("The host answers on the command line too")
        .nth(1)
        .and_then(|rest| rest.split("```console\n").nth(1))
        .and_then(|rest| rest.split("```").next())
        .expect("the README has the command-line session");
    let mut checked = 0;
    for line in session.lines() {
        let command = line
            .strip_prefix("$ pi-digits ")
            .unwrap_or_else(|| panic!("not a pi-digits command: {line}"));
        let command = command.split('#').next().unwrap();
        let args: Vec<&str> = command
            .split_whitespace()
            .map(|arg| match arg {
                "other.wasm" => pi_digits_artifacts::PI_COMPONENT_PATH,
                arg => arg,
            })
            .collect();
        let output = pi_digits(&args);
        assert!(!stdout(&output).is_empty(), "{line} printed nothing");
        checked += 1;
    }
    assert!(
        checked >= 4,
        "only {checked} commands in the README session"
    );
}
