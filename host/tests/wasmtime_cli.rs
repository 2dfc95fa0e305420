//! The component in the stock `wasmtime` CLI: `wasmtime run --invoke`.

use std::process::Output;

use pi_digits_testkit::{Reference, run, wasmtime_cli};

fn invoke(call: &str) -> Output {
    // The wasmtime CLI: scripts/test.sh installs it.
    run(std::process::Command::new(wasmtime_cli()).args([
        "run",
        "--invoke",
        call,
        pi_digits_artifacts::PI_COMPONENT_PATH,
    ]))
}

/// What the call printed; `wasmtime run --invoke` exits 0 for `ok` and `err`.
fn answer(call: &str) -> String {
    let output = invoke(call);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{call}: {stderr}");
    assert!(!stderr.contains("trap"), "{call}: {stderr}");
    String::from_utf8(output.stdout)
        .unwrap()
        .trim_end()
        .to_owned()
}

#[test]
fn digits_and_histogram_match_the_reference() {
    let reference = Reference::load();
    assert_eq!(
        answer("digits(50)"),
        format!("ok(\"{}\")", reference.prefix(50))
    );
    let counts = reference
        .histogram(1_000)
        .map(|count| count.to_string())
        .join(", ");
    assert_eq!(answer("histogram(1000)"), format!("ok([{counts}])"));
    let counts = reference
        .histogram(30_000)
        .map(|count| count.to_string())
        .join(", ");
    assert_eq!(answer("histogram(30000)"), format!("ok([{counts}])"));
    // From the snapshot the component starts with.
    let counts = reference
        .histogram(1_000_000)
        .map(|count| count.to_string())
        .join(", ");
    assert_eq!(answer("histogram(1000000)"), format!("ok([{counts}])"));
    assert_eq!(answer("digits-window(1, 4)"), "ok(\"1415\")");
    assert_eq!(answer("digits(0)"), "ok(\"\")");
    assert_eq!(answer("max-digits()"), "100000000");
}

/// Searches in the stock CLI's WAVE syntax, a record holding an option:
/// one that occurs once, overlapping ones, one that never occurs; and bad
/// patterns as typed errors, never traps, whatever `n` is.
#[test]
fn search_matches_the_reference_and_bad_patterns_are_typed_errors() {
    let reference = Reference::load();
    let mut checked = 0;
    for case in reference
        .searches_in(1_000_000)
        .filter(|case| ["140319", "33", "000000"].contains(&case.pattern))
    {
        // WAVE leaves out a record field that is none.
        let position = case
            .position
            .map_or(String::new(), |at| format!("position: some({at}), "));
        assert_eq!(
            answer(&format!("search(\"{}\", 1000000)", case.pattern)),
            format!("ok({{{position}count: {}}})", case.count),
            "{case:?}"
        );
        checked += 1;
    }
    assert_eq!(checked, 3);
    let too_long = format!("search(\"{}\", 10)", "3".repeat(101));
    for (call, problem) in [
        ("search(\"\", 10)", "empty"),
        ("search(\"14a3\", 18446744073709551615)", "not-a-digit"),
        (too_long.as_str(), "too-long"),
    ] {
        assert_eq!(
            answer(call),
            format!("err(bad-pattern({problem}))"),
            "{call}"
        );
    }
}

#[test]
fn requests_past_the_maximum_are_typed_errors() {
    for call in [
        "digits(100000001)",
        "histogram(18446744073709551615)",
        "digits-window(99999999, 2)",
        "digits-window(18446744073709551615, 2)",
        "search(\"3\", 100000001)",
    ] {
        assert_eq!(answer(call), "err(beyond-maximum(100000000))", "{call}");
    }
}

#[test]
fn arguments_that_overflow_u64_are_refused_before_the_call() {
    for call in ["digits(18446744073709551616)", "histogram(-1)"] {
        let output = invoke(call);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{call}");
        assert!(stderr.contains("invalid value"), "{call}: {stderr}");
        assert!(!stderr.contains("trap"), "{call}: {stderr}");
    }
}

/// The README's `wasmtime run --invoke` session, run command by command:
/// each `$ wasmtime run --invoke 'CALL' PATH` line must print the line
/// after it (on the component this build made, wherever PATH points).
#[test]
fn the_readme_session_prints_what_it_says() {
    let readme = include_str!("../../README.md");
    let section = readme
        .split("## Call the component from the `wasmtime` CLI")
        .nth(1)
        .expect("the README has the wasmtime CLI section");
    let session = section
        .split("```console\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("the section has a console block");
    let lines: Vec<&str> = session.lines().collect();
    let mut checked = 0;
    for pair in lines.chunks(2) {
        let [command, printed] = pair else {
            panic!("a command without its output: {pair:?}");
        };
        let call = command
            .strip_prefix("$ wasmtime run --invoke '")
            .and_then(|rest| rest.split('\'').next())
            .unwrap_or_else(|| panic!("not a wasmtime --invoke command: {command}"));
        assert_eq!(answer(call), *printed, "{command}");
        checked += 1;
    }
    assert!(
        checked >= 3,
        "only {checked} commands in the README session"
    );
}
