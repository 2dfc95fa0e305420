//! The host library on the embedded component, against the reference.

use std::time::{Duration, Instant};

use sha2::{Digest as _, Sha256};

use pi_digits_host::{CallError, Limits, Options, PatternProblem, Runtime};
use pi_digits_testkit::Reference;

const MAX_DIGITS: u64 = 10_000_000;

#[test]
fn digits_and_histograms_match_the_reference() {
    let reference = Reference::load();
    let runtime = Runtime::embedded(&Options::default()).unwrap();
    let mut session = runtime.session().unwrap();
    for n in [
        0, 1, 2, 10, 50, 100, 762, 768, 1_000, 1_024, 4_096, 4_097, 30_000, 100_000,
    ] {
        assert_eq!(
            session.digits(n).unwrap(),
            reference.prefix(n),
            "digits({n})"
        );
        assert_eq!(
            session.histogram(n).unwrap(),
            reference.histogram(n),
            "histogram({n})"
        );
    }
    assert_eq!(
        session.histogram(10).unwrap(),
        [0, 2, 1, 2, 1, 2, 1, 0, 0, 1]
    );
}

#[test]
fn a_fresh_instance_answers_a_million_digits_from_its_snapshot() {
    let reference = Reference::load();
    let runtime = Runtime::embedded(&Options::default()).unwrap();
    assert_eq!(
        runtime.session().unwrap().histogram(1_000_000).unwrap(),
        reference.histogram(1_000_000)
    );
    let digits = runtime.session().unwrap().digits(1_000_000).unwrap();
    assert_eq!(
        hex::encode(Sha256::digest(&digits)),
        reference.sha256(1_000_000).unwrap()
    );
    // Across the end of the snapshot: the computed digits continue it.
    let mut session = runtime.session().unwrap();
    let inside = session.digits_window(999_990, 10).unwrap();
    let straddling = session.digits_window(999_990, 20).unwrap();
    assert_eq!(&straddling[..10], inside);
    assert_eq!(&straddling[..10], &digits[999_990..]);
}

/// Every search of the fixture's up to 10^6 digits, each on a fresh
/// instance: answered from the snapshot, under a deadline far below the
/// seconds that computing a million digits takes.
#[test]
fn a_fresh_instance_searches_a_million_digits_from_its_snapshot() {
    let reference = Reference::load();
    let runtime = limited(Limits {
        timeout: Duration::from_secs(1),
        ..Limits::default()
    });
    let mut checked = 0;
    for case in reference.searches().filter(|case| case.n <= 1_000_000) {
        let found = runtime
            .session()
            .unwrap()
            .search(case.pattern, case.n)
            .unwrap_or_else(|error| panic!("{case:?}: {error}"));
        assert_eq!(
            (found.position, found.count),
            (case.position, case.count),
            "{case:?}"
        );
        checked += 1;
    }
    assert!(checked >= 60, "only {checked} searches");
    // One session, many searches: the instance goes on as before.
    let mut session = runtime.session().unwrap();
    let found = session.search("140319", 1_000_000).unwrap();
    assert_eq!((found.position, found.count), (Some(450_403), 1));
    assert_eq!(session.search("14159", 10).unwrap().position, Some(1));
    assert_eq!(session.digits(10).unwrap(), "3141592653");
}

#[test]
fn malformed_patterns_are_typed_errors_whatever_n_is() {
    let runtime = limited(Limits {
        max_digits: 1_000,
        ..Limits::default()
    });
    let mut session = runtime.session().unwrap();
    let too_long = "1".repeat(101);
    for (pattern, problem) in [
        ("", PatternProblem::Empty),
        ("14a3", PatternProblem::NotADigit),
        ("-1", PatternProblem::NotADigit),
        ("١٤", PatternProblem::NotADigit),
        (too_long.as_str(), PatternProblem::TooLong),
    ] {
        for n in [10, 1_000, 1_001, MAX_DIGITS + 1, u64::MAX] {
            match session.search(pattern, n) {
                Err(CallError::BadPattern(found)) => assert_eq!(found, problem, "{pattern:?}"),
                other => panic!("search({pattern:?}, {n}): expected {problem:?}, got {other:?}"),
            }
        }
    }
    let message = session.search("14a3", 10).unwrap_err().to_string();
    assert!(message.contains("not a digit"), "{message}");
    // The longest pattern is searched for: π's 100 digits from digit 500.
    let hundred = Reference::load().window(500, 100);
    let found = session.search(hundred, 1_000).unwrap();
    assert_eq!((found.position, found.count), (Some(500), 1));
}

#[test]
fn windows_page_through_the_expansion() {
    let reference = Reference::load();
    let runtime = Runtime::embedded(&Options::default()).unwrap();
    let mut session = runtime.session().unwrap();
    let mut paged = String::new();
    for offset in (0..20_000).step_by(1_234) {
        paged += &session.digits_window(offset, 1_234).unwrap();
    }
    assert_eq!(paged.len(), 17 * 1_234);
    assert_eq!(paged, reference.prefix(17 * 1_234));
    assert_eq!(session.digits_window(1, 4).unwrap(), "1415");
    assert_eq!(
        session.digits_window(99_990, 10).unwrap(),
        reference.window(99_990, 10)
    );
}

/// The maximum, computed once (some 20 s): the first 10^7 digits hash to the
/// reference's SHA-256 and count to its histogram; windows that end exactly
/// at the maximum are answered from them, and windows that straddle it are
/// refused.
#[test]
fn the_maximum_matches_the_reference() {
    let reference = Reference::load();
    let runtime = Runtime::embedded(&Options {
        cache_dir: None,
        ..Options::default()
    })
    .unwrap();
    let mut session = runtime.session().unwrap();
    // The first call searches: past the snapshot, it computes the maximum,
    // which the calls after it reuse.
    let found = session.search("140319", MAX_DIGITS).unwrap();
    assert_eq!((found.position, found.count), (Some(450_403), 9));
    let digits = session.digits(MAX_DIGITS).unwrap();
    assert_eq!(digits.len() as u64, MAX_DIGITS);
    assert_eq!(
        Some(hex::encode(Sha256::digest(&digits)).as_str()),
        reference.sha256(MAX_DIGITS),
        "SHA-256 of the first 10^7 digits"
    );
    let mut counts = [0; 10];
    for digit in digits.bytes() {
        counts[usize::from(digit - b'0')] += 1;
    }
    assert_eq!(counts, reference.histogram(MAX_DIGITS), "counted digits");
    // The instance keeps what it computed: these are answered without
    // computing again, from digits the hash has just vouched for.
    assert_eq!(session.histogram(MAX_DIGITS).unwrap(), counts);
    let mut searched = 0;
    for case in reference.searches_in(MAX_DIGITS) {
        let found = session.search(case.pattern, MAX_DIGITS).unwrap();
        assert_eq!(
            (found.position, found.count),
            (case.position, case.count),
            "{case:?}"
        );
        searched += 1;
    }
    assert!(searched >= 10, "only {searched} searches of 10^7 digits");
    let max = MAX_DIGITS as usize;
    for length in [0, 1, 2, 10, 1_000_000] {
        assert_eq!(
            session.digits_window(MAX_DIGITS - length, length).unwrap(),
            digits[max - length as usize..],
            "the window of {length} ending at the maximum"
        );
    }
    for (offset, length) in [(MAX_DIGITS - 5, 10), (MAX_DIGITS - 1, 2), (MAX_DIGITS, 1)] {
        assert!(
            matches!(
                session.digits_window(offset, length),
                Err(CallError::BeyondMaximum {
                    maximum: MAX_DIGITS,
                    ..
                })
            ),
            "digits_window({offset}, {length}) straddles the maximum"
        );
    }
}

#[test]
fn requests_past_the_maximum_are_typed_errors_and_the_session_goes_on() {
    let runtime = Runtime::embedded(&Options::default()).unwrap();
    let mut session = runtime.session().unwrap();
    assert_eq!(session.max_digits().unwrap(), MAX_DIGITS);
    let beyond = |result: Result<_, CallError>| match result {
        Err(CallError::BeyondMaximum { maximum, .. }) => maximum,
        other => panic!("expected beyond-maximum, got {other:?}"),
    };
    assert_eq!(beyond(session.digits(MAX_DIGITS + 1).map(drop)), MAX_DIGITS);
    assert_eq!(beyond(session.histogram(u64::MAX).map(drop)), MAX_DIGITS);
    assert_eq!(
        beyond(session.digits_window(MAX_DIGITS, 1).map(drop)),
        MAX_DIGITS
    );
    assert_eq!(
        beyond(session.digits_window(u64::MAX, 2).map(drop)),
        MAX_DIGITS
    );
    assert_eq!(
        beyond(session.digits_window(2, u64::MAX).map(drop)),
        MAX_DIGITS
    );
    assert_eq!(
        beyond(session.search("3", MAX_DIGITS + 1).map(drop)),
        MAX_DIGITS
    );
    assert_eq!(beyond(session.search("3", u64::MAX).map(drop)), MAX_DIGITS);
    assert_eq!(session.digits(10).unwrap(), "3141592653");
}

fn limited(limits: Limits) -> Runtime {
    Runtime::embedded(&Options {
        limits,
        cache_dir: None,
        ..Options::default()
    })
    .unwrap()
}

#[test]
fn the_host_maximum_refuses_before_any_work() {
    // Nearly ten million digits take many seconds; the deadline is far
    // below that, so a host that computed before refusing would answer
    // "deadline exceeded", not "beyond the maximum".
    let runtime = limited(Limits {
        max_digits: 1_000,
        timeout: Duration::from_millis(200),
        ..Limits::default()
    });
    let mut session = runtime.session().unwrap();
    for (what, result) in [
        ("histogram", session.histogram(9_999_999).map(drop)),
        ("digits", session.digits(9_999_999).map(drop)),
        ("window", session.digits_window(9_999_000, 999).map(drop)),
        ("search", session.search("140319", 9_999_999).map(drop)),
    ] {
        match result {
            Err(CallError::BeyondMaximum {
                requested: 9_999_999,
                maximum: 1_000,
            }) => {}
            other => panic!("{what}: expected the host's maximum, got {other:?}"),
        }
    }
    assert!(matches!(
        session.digits_window(999, 2),
        Err(CallError::BeyondMaximum { maximum: 1_000, .. })
    ));
    assert_eq!(
        session.histogram(1_000).unwrap(),
        Reference::load().histogram(1_000)
    );
}

#[test]
fn a_call_past_its_deadline_is_stopped_and_the_next_is_answered() {
    let timeout = Duration::from_millis(200);
    let runtime = limited(Limits {
        timeout,
        ..Limits::default()
    });
    let mut session = runtime.session().unwrap();
    let started = Instant::now();
    match session.digits(10_000_000) {
        Err(CallError::DeadlineExceeded(limit)) => assert_eq!(limit, timeout),
        other => panic!(
            "expected the deadline, got {:?}",
            other.map(|digits| digits.len())
        ),
    }
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "stopped near the deadline"
    );
    assert_eq!(session.digits(100).unwrap(), Reference::load().prefix(100));
}

#[test]
fn a_call_past_its_memory_cap_is_stopped_and_the_next_is_answered() {
    let max_memory = 8 << 20;
    let runtime = limited(Limits {
        max_memory,
        ..Limits::default()
    });
    let mut session = runtime.session().unwrap();
    // Past the component's snapshot (10^6 digits), so they are computed.
    match session.digits(2_000_000) {
        Err(CallError::MemoryLimitExceeded(limit)) => assert_eq!(limit, max_memory),
        other => panic!(
            "expected the memory cap, got {:?}",
            other.map(|digits| digits.len())
        ),
    }
    assert_eq!(
        session.histogram(1_000).unwrap(),
        Reference::load().histogram(1_000)
    );
}

#[test]
fn a_trapping_component_is_a_clear_error_not_a_crash() {
    let wat = include_str!("fixtures/trapping.wat");
    let runtime = Runtime::new(wat.as_bytes(), &Options::default()).unwrap();
    let mut session = runtime.session().unwrap();
    for _ in 0..2 {
        match session.digits(10) {
            Err(CallError::Failed(error)) => {
                let chain = format!("{error:#}");
                assert!(chain.contains("unreachable"), "{chain}");
            }
            other => panic!("expected a failure, got {other:?}"),
        }
        match session.search("3", 10) {
            Err(CallError::Failed(error)) => {
                let chain = format!("{error:#}");
                assert!(chain.contains("unreachable"), "{chain}");
            }
            other => panic!("expected a failure, got {other:?}"),
        }
    }
}
