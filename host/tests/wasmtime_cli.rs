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
    assert_eq!(answer("max-digits()"), "10000000");
}

#[test]
fn requests_past_the_maximum_are_typed_errors() {
    for call in [
        "digits(10000001)",
        "histogram(18446744073709551615)",
        "digits-window(9999999, 2)",
        "digits-window(18446744073709551615, 2)",
    ] {
        assert_eq!(answer(call), "err(beyond-maximum(10000000))", "{call}");
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
