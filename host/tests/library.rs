//! The host library on the embedded component, against the reference.

use pi_digits_host::{CallError, Runtime};
use pi_digits_testkit::Reference;

const MAX_DIGITS: u64 = 10_000_000;

#[test]
fn digits_and_histograms_match_the_reference() {
    let reference = Reference::load();
    let runtime = Runtime::embedded().unwrap();
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
fn windows_page_through_the_expansion() {
    let reference = Reference::load();
    let runtime = Runtime::embedded().unwrap();
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

#[test]
fn requests_past_the_maximum_are_typed_errors_and_the_session_goes_on() {
    let runtime = Runtime::embedded().unwrap();
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
    assert_eq!(session.digits(10).unwrap(), "3141592653");
}
