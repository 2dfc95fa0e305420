//! The API answered natively, with the real math behind the `Pi` trait.

use std::cell::RefCell;

use pi_digits_api::api::{BeyondMaximum, Capped, Headers, Method, Pi, Reply, respond};
use pi_digits_math::cache::{self, DigitCache, MAX_DIGITS};
use pi_digits_testkit::Reference;
use serde_json::{Value, json};

struct NativePi(RefCell<DigitCache>);

fn beyond(error: cache::Error) -> BeyondMaximum {
    match error {
        cache::Error::BeyondMaximum { maximum } => BeyondMaximum { maximum },
    }
}

impl Pi for NativePi {
    fn max_digits(&self) -> u64 {
        MAX_DIGITS
    }
    fn digits(&self, n: u64) -> Result<String, BeyondMaximum> {
        self.0
            .borrow_mut()
            .prefix(n)
            .map(String::from)
            .map_err(beyond)
    }
    fn digits_window(&self, offset: u64, length: u64) -> Result<String, BeyondMaximum> {
        self.0
            .borrow_mut()
            .window(offset, length)
            .map(String::from)
            .map_err(beyond)
    }
    fn histogram(&self, n: u64) -> Result<Vec<u64>, BeyondMaximum> {
        self.0
            .borrow_mut()
            .histogram(n)
            .map(|counts| counts.to_vec())
            .map_err(beyond)
    }
}

fn get(target: &str) -> Reply {
    request(Method::Get, target, None)
}

fn native() -> NativePi {
    NativePi(RefCell::new(DigitCache::new(pi_digits_math::pi::digits)))
}

fn request(method: Method, target: &str, accept: Option<&str>) -> Reply {
    let pi = native();
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let headers = Headers {
        accept,
        accept_encoding: None,
    };
    respond(&pi, &[], method, path, query, headers)
}

fn header<'a>(reply: &'a Reply, name: &str) -> &'a str {
    reply
        .headers
        .iter()
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.as_str())
        .unwrap()
}

fn json_body(reply: &Reply) -> Value {
    assert_eq!(header(reply, "content-type"), "application/json");
    serde_json::from_slice(&reply.body).unwrap()
}

#[test]
fn digits_windows_and_histograms_match_the_reference() {
    let reference = Reference::load();
    let reply = get("/api/digits?n=100");
    assert_eq!(reply.status, 200);
    assert_eq!(
        json_body(&reply),
        json!({ "n": 100, "digits": reference.prefix(100) })
    );
    assert_eq!(
        header(&reply, "cache-control"),
        "public, max-age=31536000, immutable"
    );

    let reply = get("/api/digits?offset=1000&length=50");
    let expected = json!({ "offset": 1000, "length": 50, "digits": reference.window(1000, 50) });
    assert_eq!(json_body(&reply), expected);

    for n in [0, 10, 1_000, 1_024, 10_000] {
        let reply = get(&format!("/api/histogram?n={n}"));
        assert_eq!(
            json_body(&reply),
            json!({ "n": n, "counts": reference.histogram(n) })
        );
    }
    assert_eq!(
        json_body(&get("/api/info")),
        json!({ "max_digits": MAX_DIGITS })
    );
}

#[test]
fn digits_come_as_text_on_request() {
    let expected = Reference::load().prefix(20).as_bytes();
    for reply in [
        get("/api/digits?n=20&format=text"),
        request(Method::Get, "/api/digits?n=20", Some("text/plain")),
        request(
            Method::Get,
            "/api/digits?n=20",
            Some("text/plain;q=0.9, application/json;q=0.5"),
        ),
    ] {
        assert_eq!(reply.status, 200);
        assert_eq!(header(&reply, "content-type"), "text/plain; charset=utf-8");
        assert_eq!(reply.body, expected);
    }
    let reply = request(
        Method::Get,
        "/api/digits?n=20&format=json",
        Some("text/plain"),
    );
    assert_eq!(header(&reply, "content-type"), "application/json");
}

#[test]
fn the_page_and_its_assets_are_served() {
    for (path, content_type) in [
        ("/", "text/html; charset=utf-8"),
        ("/app.js", "text/javascript; charset=utf-8"),
        ("/style.css", "text/css; charset=utf-8"),
    ] {
        let reply = get(path);
        assert_eq!(reply.status, 200, "{path}");
        assert_eq!(header(&reply, "content-type"), content_type);
        assert!(!reply.body.is_empty());
    }
    // The in-browser mode's own files; native builds have no transpiled
    // component (host/tests/http.rs checks the built ones).
    let reply = get("/browser/worker.js");
    assert_eq!(reply.status, 200);
    assert_eq!(
        header(&reply, "content-type"),
        "text/javascript; charset=utf-8"
    );
    // The component imports nothing: no WASI shim to serve.
    assert_eq!(get("/browser/wasi.js").status, 404);
    assert_eq!(get("/browser/").status, 404);
    assert_eq!(get("/browser/../app.js").status, 404);
    let page = String::from_utf8(get("/").body).unwrap();
    assert!(page.contains("/app.js") && page.contains("/style.css"));
    assert!(!page.contains("https://"), "the page must work offline");
}

/// Every refusal: status, stable code, and a JSON body that is not cached.
#[test]
fn bad_requests_get_json_errors() {
    let cases = [
        ("/api/digits", 400, "missing-parameter"),
        ("/api/digits?n=", 400, "invalid-number"),
        ("/api/digits?n=-1", 400, "invalid-number"),
        ("/api/digits?n=abc", 400, "invalid-number"),
        ("/api/digits?n=1.5", 400, "invalid-number"),
        ("/api/digits?n=0x10", 400, "invalid-number"),
        ("/api/digits?n=18446744073709551616", 400, "invalid-number"),
        ("/api/digits?n=5&n=6", 400, "repeated-parameter"),
        ("/api/digits?n=5&color=blue", 400, "unknown-parameter"),
        (
            "/api/digits?n=5&offset=1&length=2",
            400,
            "conflicting-parameters",
        ),
        ("/api/digits?offset=1", 400, "missing-parameter"),
        ("/api/digits?n=5&format=xml", 400, "invalid-format"),
        ("/api/digits?n=%FF", 400, "invalid-query"),
        ("/api/histogram?n=%2B5", 400, "invalid-number"),
        ("/api/info?verbose=1", 400, "unknown-parameter"),
        ("/api/digits?n=10000001", 422, "beyond-maximum"),
        (
            "/api/histogram?n=18446744073709551615",
            422,
            "beyond-maximum",
        ),
        (
            "/api/digits?offset=18446744073709551615&length=2",
            422,
            "beyond-maximum",
        ),
        ("/api/nothing", 404, "not-found"),
        ("/index.html", 404, "not-found"),
    ];
    for (target, status, code) in cases {
        let reply = get(target);
        assert_eq!(reply.status, status, "{target}");
        let body = json_body(&reply);
        assert_eq!(body["error"], code, "{target}");
        assert!(
            body["message"]
                .as_str()
                .is_some_and(|message| !message.is_empty()),
            "{target}"
        );
        assert_eq!(header(&reply, "cache-control"), "no-store", "{target}");
    }
    assert_eq!(
        json_body(&get("/api/digits?n=10000001"))["max_digits"],
        MAX_DIGITS
    );

    let reply = request(Method::Other, "/api/digits?n=5", None);
    assert_eq!(reply.status, 405);
    assert_eq!(json_body(&reply)["error"], "method-not-allowed");
    assert_eq!(header(&reply, "allow"), "GET");
}

#[test]
fn hosts_can_tell_how_many_digits_a_request_needs() {
    use pi_digits_api::api::digits_needed;
    assert_eq!(digits_needed("/api/digits", "n=500"), Some(500));
    assert_eq!(
        digits_needed("/api/digits", "offset=100&length=50&format=text"),
        Some(150)
    );
    assert_eq!(
        digits_needed("/api/digits", "offset=18446744073709551615&length=2"),
        Some(u64::MAX)
    );
    assert_eq!(
        digits_needed("/api/histogram", "n=1000000"),
        Some(1_000_000)
    );
    assert_eq!(
        digits_needed("/api/histogram", "n=abc"),
        None,
        "malformed: the component refuses it"
    );
    assert_eq!(digits_needed("/api/digits", "n=5&n=6"), None);
    assert_eq!(digits_needed("/api/info", ""), None);
    assert_eq!(digits_needed("/", "n=5"), None);
}

mod bad_input {
    use std::cell::Cell;

    use pi_digits_api::api::digits_needed;
    use proptest::prelude::*;

    use super::*;

    /// A stand-in for the pi component that records how many digits it is
    /// asked for (and answers zeros, up to a small maximum).
    #[derive(Default)]
    struct Recording {
        asked: Cell<Option<u64>>,
    }

    impl Recording {
        const MAX: u64 = 4_096;

        fn ask(&self, needed: u64) -> Result<(), BeyondMaximum> {
            assert!(self.asked.replace(Some(needed)).is_none(), "asked twice");
            if needed > Self::MAX {
                return Err(BeyondMaximum { maximum: Self::MAX });
            }
            Ok(())
        }
    }

    impl Pi for Recording {
        fn max_digits(&self) -> u64 {
            Self::MAX
        }
        fn digits(&self, n: u64) -> Result<String, BeyondMaximum> {
            self.ask(n)?;
            Ok("0".repeat(n as usize))
        }
        fn digits_window(&self, offset: u64, length: u64) -> Result<String, BeyondMaximum> {
            self.ask(offset.saturating_add(length))?;
            Ok("0".repeat(length as usize))
        }
        fn histogram(&self, n: u64) -> Result<Vec<u64>, BeyondMaximum> {
            self.ask(n)?;
            Ok(vec![n, 0, 0, 0, 0, 0, 0, 0, 0, 0])
        }
    }

    /// Values a count parameter may carry, valid or not.
    fn value() -> impl Strategy<Value = String> {
        prop_oneof![
            (0u64..=20_000).prop_map(|n| n.to_string()),
            any::<u64>().prop_map(|n| n.to_string()),
            Just("4294967296".to_owned()),
            Just("18446744073709551616".to_owned()),
            "[0-9]{21,40}",
            "-[0-9]{1,5}",
            "\\+[0-9]{1,5}",
            "[0-9]{1,3}\\.[0-9]{1,3}",
            "[0-9]e[0-9]",
            "0x[0-9a-f]{1,4}",
            "( |%20|%09)[0-9]{1,3}( |%20)?",
            Just(String::new()),
            "%[89A-F][0-9A-F]",
            "[a-z]{1,8}",
        ]
    }

    fn name() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("n".to_owned()),
            Just("offset".to_owned()),
            Just("length".to_owned()),
            Just("format".to_owned()),
            "[a-z]{1,6}",
        ]
    }

    fn query() -> impl Strategy<Value = String> {
        prop_oneof![
            prop::collection::vec((name(), value()), 0..4).prop_map(|pairs| {
                pairs
                    .iter()
                    .map(|(name, value)| format!("{name}={value}"))
                    .collect::<Vec<_>>()
                    .join("&")
            }),
            "[ -~]{0,40}",
            (1_000usize..3_000).prop_map(|len| format!("n={}", "1".repeat(len))),
        ]
    }

    /// Well-formed requests for digits, on either side of the stand-in's
    /// maximum: counts, windows in either order, with or without a format.
    fn counted() -> impl Strategy<Value = String> {
        let count = prop_oneof![0u64..5_000, any::<u64>()];
        let format = prop_oneof![Just(""), Just("&format=text"), Just("&format=json")];
        prop_oneof![
            (count.clone(), format.clone()).prop_map(|(n, format)| format!("n={n}{format}")),
            (count.clone(), count, format, any::<bool>()).prop_map(
                |(offset, length, format, swapped)| if swapped {
                    format!("length={length}&offset={offset}{format}")
                } else {
                    format!("offset={offset}&length={length}{format}")
                }
            ),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Whatever the query, the answer is a success or a documented 4xx
        /// with a JSON body: never a panic, never a 5xx.
        #[test]
        fn every_query_gets_an_answer_or_a_json_4xx(
            path in prop_oneof![Just("/api/digits"), Just("/api/histogram"), Just("/api/info")],
            query in query(),
        ) {
            let reply = get(&format!("{path}?{query}"));
            match reply.status {
                200 => {}
                400 | 414 | 422 => {
                    let body = json_body(&reply);
                    let code = body["error"].as_str().unwrap_or_default();
                    let documented = [
                        "missing-parameter", "invalid-number", "repeated-parameter", "unknown-parameter",
                        "conflicting-parameters", "invalid-format", "invalid-query", "query-too-long",
                        "beyond-maximum",
                    ];
                    prop_assert!(documented.contains(&code), "{code} for {path}?{query}");
                }
                status => prop_assert!(false, "{status} for {path}?{query}"),
            }
        }

        /// The fuzz target's key invariant (api/fuzz): whenever the router
        /// asks the pi component for digits, the host's pre-check
        /// (`digits_needed`, what `--max-digits` is checked against before
        /// any work) named exactly that many, so no request reaches the
        /// component unchecked; and a refusal is never cached.
        #[test]
        fn what_the_host_checks_is_what_the_component_is_asked(
            path in prop_oneof![
                Just("/api/digits"), Just("/api/histogram"), Just("/api/info"), Just("/"), Just("/api/nope"),
            ],
            query in prop_oneof![query(), counted()],
            method in prop_oneof![Just(Method::Get), Just(Method::Other)],
            accept in prop_oneof![Just(None), Just(Some("text/plain")), Just(Some("application/json"))],
        ) {
            let needed = digits_needed(path, &query);
            let pi = Recording::default();
            let headers = Headers { accept, accept_encoding: None };
            let reply = respond(&pi, &[], method, path, &query, headers);
            if let Some(asked) = pi.asked.get() {
                prop_assert_eq!(needed, Some(asked), "{}?{}", path, query);
            }
            if reply.status != 200 {
                prop_assert_eq!(header(&reply, "cache-control"), "no-store");
            }
        }

        /// A window is answered exactly when it ends within the maximum,
        /// even where offset + length overflows a u64.
        #[test]
        fn windows_are_refused_exactly_past_the_maximum(
            offset in prop_oneof![0u64..2_000, (MAX_DIGITS - 3)..=MAX_DIGITS + 3, any::<u64>()],
            length in prop_oneof![0u64..4, any::<u64>()],
        ) {
            let fits = offset.checked_add(length).is_some_and(|end| end <= 2_000);
            let beyond = offset.checked_add(length).is_none_or(|end| end > MAX_DIGITS);
            // Windows in between are valid but slow to compute here.
            prop_assume!(fits || beyond);
            let reply = get(&format!("/api/digits?offset={offset}&length={length}"));
            if fits {
                prop_assert_eq!(reply.status, 200);
                let digits = json_body(&reply)["digits"].as_str().unwrap().to_owned();
                prop_assert_eq!(digits, Reference::load().window(offset, length));
            } else {
                prop_assert_eq!(reply.status, 422);
            }
        }
    }
}

#[test]
fn a_capped_pi_refuses_past_the_host_limit() {
    let capped = Capped {
        pi: native(),
        maximum: 1_000,
    };
    assert_eq!(capped.max_digits(), 1_000);
    assert_eq!(capped.digits(1_000).unwrap().len(), 1_000);
    let refused = BeyondMaximum { maximum: 1_000 };
    assert_eq!(capped.digits(1_001), Err(refused));
    assert_eq!(capped.histogram(1_001), Err(refused));
    assert_eq!(capped.digits_window(999, 2), Err(refused));
    assert_eq!(capped.digits_window(u64::MAX, 2), Err(refused));
    assert_eq!(capped.digits_window(999, 1).unwrap().len(), 1);
    // Above the component's own maximum, the component's stands.
    let loose = Capped {
        pi: native(),
        maximum: u64::MAX,
    };
    assert_eq!(loose.max_digits(), MAX_DIGITS);
    let reply = respond(
        &capped,
        &[],
        Method::Get,
        "/api/info",
        "",
        Headers::default(),
    );
    assert_eq!(json_body(&reply)["max_digits"], 1_000);
}
