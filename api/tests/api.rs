//! The API answered natively, with the real math behind the `Pi` trait.

use std::cell::RefCell;

use pi_digits_api::api::{
    BeyondMaximum, Capped, Headers, Method, Occurrences, PatternProblem, Pi, Reply, SearchRefusal,
    respond,
};
use pi_digits_math::cache::{self, DigitCache, MAX_DIGITS};
use pi_digits_math::search::{self, Pattern};
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
    fn search(&self, pattern: &str, n: u64) -> Result<Occurrences, SearchRefusal> {
        let pattern = Pattern::new(pattern).map_err(|problem| {
            SearchRefusal::BadPattern(match problem {
                search::PatternProblem::Empty => PatternProblem::Empty,
                search::PatternProblem::NotADigit => PatternProblem::NotADigit,
                search::PatternProblem::TooLong => PatternProblem::TooLong,
            })
        })?;
        let found = self
            .0
            .borrow_mut()
            .search(pattern, n)
            .map_err(|error| SearchRefusal::BeyondMaximum(beyond(error)))?;
        Ok(Occurrences {
            position: found.position,
            count: found.count,
        })
    }
}

fn get(target: &str) -> Reply {
    request(Method::Get, target, None)
}

fn native() -> NativePi {
    NativePi(RefCell::new(DigitCache::new(pi_digits_math::pi::digits)))
}

fn request(method: Method, target: &str, accept: Option<&str>) -> Reply {
    let headers = Headers {
        accept,
        ..Headers::default()
    };
    request_from(&native(), method, target, headers)
}

fn request_from(pi: &impl Pi, method: Method, target: &str, headers: Headers) -> Reply {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    respond(pi, &[], method, path, query, headers)
}

fn find_header<'a>(reply: &'a Reply, name: &str) -> Option<&'a str> {
    reply
        .headers
        .iter()
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.as_str())
}

fn header<'a>(reply: &'a Reply, name: &str) -> &'a str {
    find_header(reply, name).unwrap_or_else(|| panic!("no {name} in {:?}", reply.headers))
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
        ("/api/digits?n=100000001", 422, "beyond-maximum"),
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
        json_body(&get("/api/digits?n=100000001"))["max_digits"],
        MAX_DIGITS
    );

    let reply = request(Method::Other, "/api/digits?n=5", None);
    assert_eq!(reply.status, 405);
    assert_eq!(json_body(&reply)["error"], "method-not-allowed");
    assert_eq!(header(&reply, "allow"), "GET, HEAD, OPTIONS");
}

/// A request to every GET route, one answer of each kind.
const GET_ROUTES: &[&str] = &[
    "/",
    "/app.js",
    "/style.css",
    "/browser/worker.js",
    "/api/info",
    "/api/digits?n=50",
    "/api/digits?offset=5&length=5&format=text",
    "/api/histogram?n=100",
    "/api/search?q=999999&n=1000",
    "/v1/pi?start=0&numberOfDigits=10",
];

/// The routes that pages on other origins may call.
fn is_api(target: &str) -> bool {
    target.starts_with("/api/") || target.starts_with("/v1/")
}

fn with(if_none_match: &str) -> Headers<'_> {
    Headers {
        if_none_match: Some(if_none_match),
        ..Headers::default()
    }
}

#[test]
fn head_gets_the_reply_get_gets() {
    for target in GET_ROUTES
        .iter()
        .chain(&["/api/digits?n=x", "/api/digits?n=100000001", "/nope"])
    {
        assert_eq!(request(Method::Head, target, None), get(target), "{target}");
    }
}

#[test]
fn answers_carry_a_strong_etag_and_one_named_in_if_none_match_is_a_304() {
    for target in GET_ROUTES {
        let reply = get(target);
        let etag = header(&reply, "etag").to_owned();
        // Strong (no W/), quoted, and stable: the same answer has the same tag.
        assert!(
            etag.len() > 2 && etag.starts_with('"') && etag.ends_with('"'),
            "{target}: {etag}"
        );
        assert_eq!(header(&get(target), "etag"), etag, "{target}");
        for (method, if_none_match) in [
            (Method::Get, etag.clone()),
            (Method::Head, etag.clone()),
            (Method::Get, "*".to_owned()),
            (Method::Get, format!("\"stale\", W/{etag}")),
        ] {
            let revalidated = request_from(&native(), method, target, with(&if_none_match));
            assert_eq!(revalidated.status, 304, "{target} with {if_none_match}");
            assert!(revalidated.body.is_empty());
            for name in [
                "etag",
                "cache-control",
                "vary",
                "access-control-allow-origin",
            ] {
                assert_eq!(
                    find_header(&revalidated, name),
                    find_header(&reply, name),
                    "{target}: {name}"
                );
            }
            for name in ["content-type", "content-length"] {
                assert_eq!(find_header(&revalidated, name), None, "{target}: {name}");
            }
        }
        let changed = request_from(&native(), Method::Get, target, with("\"0123\", W/\"4567\""));
        assert_eq!(changed, reply, "{target}: another tag gets the answer");
    }
    // Two representations of one resource have two tags.
    let json = get("/api/digits?n=20");
    let text = request(Method::Get, "/api/digits?n=20", Some("text/plain"));
    assert_ne!(header(&json, "etag"), header(&text, "etag"));
    assert_eq!(
        header(&text, "etag"),
        header(&get("/api/digits?n=20&format=text"), "etag")
    );
    assert_ne!(
        header(&json, "etag"),
        header(&get("/api/digits?n=21"), "etag")
    );
    // Refusals are not representations: no tag, never a 304.
    for target in ["/api/digits?n=x", "/api/search?q=x", "/nope"] {
        let refused = request_from(&native(), Method::Get, target, with("*"));
        assert!(refused.status >= 400, "{target}");
        assert_eq!(find_header(&refused, "etag"), None, "{target}");
    }
}

#[test]
fn the_api_is_open_to_every_origin_and_answers_preflights() {
    for target in GET_ROUTES {
        let reply = get(target);
        if is_api(target) {
            assert_eq!(
                header(&reply, "access-control-allow-origin"),
                "*",
                "{target}"
            );
            assert_eq!(
                header(&reply, "access-control-expose-headers"),
                "etag",
                "{target}"
            );
        } else {
            assert_eq!(
                find_header(&reply, "access-control-allow-origin"),
                None,
                "{target}"
            );
        }

        let preflight = request(Method::Options, target, None);
        assert_eq!(preflight.status, 204, "{target}");
        assert!(preflight.body.is_empty());
        assert_eq!(header(&preflight, "allow"), "GET, HEAD, OPTIONS");
        if is_api(target) {
            assert_eq!(header(&preflight, "access-control-allow-origin"), "*");
            assert_eq!(
                header(&preflight, "access-control-allow-methods"),
                "GET, HEAD, OPTIONS"
            );
            assert_eq!(header(&preflight, "access-control-allow-headers"), "*");
            let max_age: u64 = header(&preflight, "access-control-max-age")
                .parse()
                .unwrap();
            assert!(max_age >= 600, "{max_age}");
        } else {
            assert_eq!(
                find_header(&preflight, "access-control-allow-origin"),
                None,
                "{target}"
            );
        }

        let refused = request(Method::Other, target, None);
        assert_eq!(refused.status, 405, "{target}");
        assert_eq!(json_body(&refused)["error"], "method-not-allowed");
        assert_eq!(header(&refused, "allow"), "GET, HEAD, OPTIONS");
        assert_eq!(header(&refused, "cache-control"), "no-store");
    }
    // Every refusal is readable from any origin, the host's own among them.
    for target in [
        "/api/digits?n=x",
        "/api/digits?n=100000001",
        "/v1/pi?radix=16",
        "/nope",
    ] {
        assert_eq!(
            header(&get(target), "access-control-allow-origin"),
            "*",
            "{target}"
        );
    }
    assert_eq!(request(Method::Options, "/nope", None).status, 404);
}

#[test]
fn digits_are_cached_forever_the_limit_is_revalidated() {
    for target in [
        "/api/digits?n=50",
        "/api/histogram?n=100",
        "/api/search?q=999999&n=1000",
        "/v1/pi",
    ] {
        let reply = get(target);
        assert_eq!(
            header(&reply, "cache-control"),
            "public, max-age=31536000, immutable",
            "{target}"
        );
    }
    // The server's configured maximum may change with a restart.
    assert_eq!(header(&get("/api/info"), "cache-control"), "no-cache");
    // What `Accept` chooses, caches must keep apart.
    for reply in [
        get("/api/digits?n=5"),
        get("/api/digits?n=5&format=text"),
        request(Method::Get, "/api/digits?n=5", Some("text/plain")),
    ] {
        assert_eq!(header(&reply, "vary"), "accept");
    }
    assert_eq!(find_header(&get("/api/histogram?n=5"), "vary"), None);
}

#[test]
fn v1_pi_answers_as_pi_delivery_does() {
    let reference = Reference::load();
    assert_eq!(reference.prefix(10), "3141592653");
    for (target, content) in [
        ("/v1/pi?start=0&numberOfDigits=10", reference.prefix(10)),
        ("/v1/pi", reference.prefix(100)),
        ("/v1/pi?start=1000", reference.window(1000, 100)),
        (
            "/v1/pi?numberOfDigits=5&start=1&radix=10",
            reference.window(1, 5),
        ),
        (
            "/v1/pi?start=99000&numberOfDigits=1000",
            reference.window(99_000, 1000),
        ),
        ("/v1/pi?numberOfDigits=0", ""),
    ] {
        let reply = get(target);
        assert_eq!(reply.status, 200, "{target}");
        assert_eq!(json_body(&reply), json!({ "content": content }), "{target}");
    }
    for (target, status, code) in [
        ("/v1/pi?radix=16", 400, "unsupported-radix"),
        (
            "/v1/pi?start=0&numberOfDigits=10&radix=2",
            400,
            "unsupported-radix",
        ),
        ("/v1/pi?radix=ten", 400, "invalid-number"),
        ("/v1/pi?start=-1", 400, "invalid-number"),
        ("/v1/pi?numberOfDigits=1.5", 400, "invalid-number"),
        ("/v1/pi?start=1&start=2", 400, "repeated-parameter"),
        ("/v1/pi?digits=5", 400, "unknown-parameter"),
        (
            "/v1/pi?start=100000000&numberOfDigits=1",
            422,
            "beyond-maximum",
        ),
        (
            "/v1/pi?start=18446744073709551615&numberOfDigits=2",
            422,
            "beyond-maximum",
        ),
    ] {
        let reply = get(target);
        assert_eq!(reply.status, status, "{target}");
        assert_eq!(json_body(&reply)["error"], code, "{target}");
        assert_eq!(header(&reply, "cache-control"), "no-store");
    }
    let radix = json_body(&get("/v1/pi?radix=16"));
    assert!(
        radix["message"].as_str().unwrap().contains("only radix 10"),
        "{radix}"
    );
}

/// Up to 20 digits either side of `position`, within the first `n`, from
/// the reference (which holds 10^5 digits).
fn context(position: u64, length: u64, n: u64) -> (&'static str, &'static str) {
    let reference = Reference::load();
    let start = position.saturating_sub(20);
    let end = (position + length + 20).min(n);
    (
        reference.window(start, position - start),
        reference.window(position + length, end - position - length),
    )
}

#[test]
fn searches_match_the_reference() {
    let reference = Reference::load();
    let pi = native();
    let search = |target: &str| {
        let reply = request_from(&pi, Method::Get, target, Headers::default());
        assert_eq!(reply.status, 200, "{target}");
        json_body(&reply)
    };
    for n in [10, 1_000, 100_000, 1_000_000] {
        let mut cases = 0;
        for case in reference.searches_in(n) {
            cases += 1;
            let body = search(&format!("/api/search?q={}&n={n}", case.pattern));
            assert_eq!(body["q"], case.pattern);
            assert_eq!(body["n"], n);
            assert_eq!(body["position"], json!(case.position), "{case:?}");
            assert_eq!(body["count"], case.count, "{case:?}");
            let (before, after) = (
                body["before"].as_str().unwrap(),
                body["after"].as_str().unwrap(),
            );
            let Some(position) = case.position else {
                assert_eq!((before, after), ("", ""), "{case:?}");
                continue;
            };
            let length = case.pattern.len() as u64;
            if position + length + 20 <= reference.stored_digits() {
                assert_eq!((before, after), context(position, length, n), "{case:?}");
            } else {
                // Past the reference's digits (140319 at 450,403): the
                // context is the 20 digits either side, as the window API has them.
                assert_eq!((before.len(), after.len()), (20, 20), "{case:?}");
                let around = search(&format!(
                    "/api/search?q={before}{}{after}&n={n}",
                    case.pattern
                ));
                assert_eq!(around["position"], position - 20, "{case:?}");
            }
        }
        assert!(cases >= 10, "the fixture has searches in the first {n}");
    }
    // The birthday of the issue, 14 March 2019, in the default million.
    let birthday = search("/api/search?q=140319");
    assert_eq!(birthday["n"], 1_000_000);
    let expected = reference
        .searches_in(1_000_000)
        .find(|case| case.pattern == "140319")
        .unwrap();
    assert_eq!(birthday["position"], json!(expected.position));
    assert_eq!(birthday["count"], expected.count);
    // The context stays within the n digits searched, and within π's start.
    let nine = reference
        .searches_in(10)
        .find(|case| case.pattern == "9")
        .unwrap();
    let body = search("/api/search?q=9&n=10");
    assert_eq!(body["position"], json!(nine.position));
    let (before, after) = context(nine.position.unwrap(), 1, 10);
    assert_eq!(
        (
            body["before"].as_str().unwrap(),
            body["after"].as_str().unwrap()
        ),
        (before, after)
    );
    assert_eq!(after.len(), 4, "cut at n");
    assert_eq!(search("/api/search?q=314159&n=10")["before"], "");
    let long = search("/api/search?q=3141592653&n=5");
    assert_eq!(
        (long["position"].clone(), long["count"].clone()),
        (Value::Null, json!(0))
    );
}

/// A pi component that must not be called.
struct Untouchable;

impl Pi for Untouchable {
    fn max_digits(&self) -> u64 {
        panic!("max_digits called")
    }
    fn digits(&self, _: u64) -> Result<String, BeyondMaximum> {
        panic!("digits called")
    }
    fn digits_window(&self, _: u64, _: u64) -> Result<String, BeyondMaximum> {
        panic!("digits_window called")
    }
    fn histogram(&self, _: u64) -> Result<Vec<u64>, BeyondMaximum> {
        panic!("histogram called")
    }
    fn search(&self, pattern: &str, _: u64) -> Result<Occurrences, SearchRefusal> {
        panic!("search called with {pattern:?}")
    }
}

#[test]
fn bad_patterns_are_refused_at_the_edge_with_a_stable_code() {
    let too_long = "1".repeat(101);
    let too_long_and_not_digits = format!("{}x", "1".repeat(100));
    for (q, problem) in [
        ("", "empty"),
        ("12a4", "not-a-digit"),
        ("3.14", "not-a-digit"),
        ("%2B1", "not-a-digit"),
        ("-1", "not-a-digit"),
        ("1%200", "not-a-digit"),
        ("%D9%A3", "not-a-digit"),
        ("1+2", "not-a-digit"),
        (&too_long, "too-long"),
        (&too_long_and_not_digits, "too-long"),
    ] {
        // Whatever n is, even past the maximum.
        for n in ["", "&n=10", "&n=18446744073709551615"] {
            let target = format!("/api/search?q={q}{n}");
            let reply = request_from(&Untouchable, Method::Get, &target, Headers::default());
            assert_eq!(reply.status, 400, "{target}");
            let body = json_body(&reply);
            assert_eq!(body["error"], "invalid-pattern", "{target}");
            assert_eq!(body["problem"], problem, "{target}");
            assert!(body["message"].as_str().unwrap().contains('q'), "{target}");
            assert_eq!(header(&reply, "cache-control"), "no-store");
        }
    }
    for (target, status, code) in [
        ("/api/search", 400, "missing-parameter"),
        ("/api/search?n=10", 400, "missing-parameter"),
        ("/api/search?q=1&n=abc", 400, "invalid-number"),
        ("/api/search?q=1&q=2", 400, "repeated-parameter"),
        ("/api/search?q=1&pattern=2", 400, "unknown-parameter"),
    ] {
        let reply = request_from(&Untouchable, Method::Get, target, Headers::default());
        assert_eq!(
            (reply.status, json_body(&reply)["error"].as_str()),
            (status, Some(code)),
            "{target}"
        );
    }
    let reply = get("/api/search?q=1&n=100000001");
    assert_eq!(reply.status, 422);
    assert_eq!(json_body(&reply)["max_digits"], MAX_DIGITS);
}

/// A pi component that refuses every pattern: its edge and ours disagree.
struct Stricter;

impl Pi for Stricter {
    fn max_digits(&self) -> u64 {
        MAX_DIGITS
    }
    fn digits(&self, _: u64) -> Result<String, BeyondMaximum> {
        unimplemented!("not called by a search")
    }
    fn digits_window(&self, _: u64, _: u64) -> Result<String, BeyondMaximum> {
        unimplemented!("not called by a refused search")
    }
    fn histogram(&self, _: u64) -> Result<Vec<u64>, BeyondMaximum> {
        unimplemented!("not called by a search")
    }
    fn search(&self, _: &str, _: u64) -> Result<Occurrences, SearchRefusal> {
        Err(SearchRefusal::BadPattern(PatternProblem::TooLong))
    }
}

#[test]
fn the_components_own_refusal_of_a_pattern_is_a_400_too() {
    let reply = request_from(
        &Stricter,
        Method::Get,
        "/api/search?q=1",
        Headers::default(),
    );
    assert_eq!(reply.status, 400);
    let body = json_body(&reply);
    assert_eq!(
        (body["error"].as_str(), body["problem"].as_str()),
        (Some("invalid-pattern"), Some("too-long"))
    );
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
    assert_eq!(digits_needed("/api/search", "q=140319&n=500"), Some(500));
    assert_eq!(
        digits_needed("/api/search", "q=140319"),
        Some(1_000_000),
        "the default n"
    );
    assert_eq!(
        digits_needed("/api/search", "q=14x&n=5"),
        None,
        "a bad pattern is a 400, whatever n is"
    );
    assert_eq!(digits_needed("/api/search", "n=5"), None);
    assert_eq!(digits_needed("/v1/pi", ""), Some(100));
    assert_eq!(
        digits_needed("/v1/pi", "start=1000&numberOfDigits=50"),
        Some(1050)
    );
    assert_eq!(digits_needed("/v1/pi", "start=1000"), Some(1100));
    assert_eq!(
        digits_needed("/v1/pi", "start=18446744073709551615&numberOfDigits=2"),
        Some(u64::MAX)
    );
    assert_eq!(digits_needed("/v1/pi", "radix=16"), None);
    assert_eq!(digits_needed("/api/info", ""), None);
    assert_eq!(digits_needed("/", "n=5"), None);
}

mod bad_input {
    use pi_digits_api::api::digits_needed;
    use proptest::prelude::*;

    use super::*;

    /// A stand-in for the pi component that records how many digits each
    /// call needs (and answers zeros, up to a small maximum).
    #[derive(Default)]
    struct Recording {
        asked: RefCell<Vec<u64>>,
    }

    impl Recording {
        const MAX: u64 = 4_096;

        fn ask(&self, needed: u64) -> Result<(), BeyondMaximum> {
            self.asked.borrow_mut().push(needed);
            if needed > Self::MAX {
                return Err(BeyondMaximum { maximum: Self::MAX });
            }
            Ok(())
        }

        /// The most digits any call needed, if there was a call.
        fn most_asked(&self) -> Option<u64> {
            self.asked.borrow().iter().copied().max()
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
        fn search(&self, pattern: &str, n: u64) -> Result<Occurrences, SearchRefusal> {
            self.ask(n)?;
            let length = pattern.len() as u64;
            Ok(
                if pattern.bytes().all(|digit| digit == b'0') && length <= n {
                    Occurrences {
                        position: Some(0),
                        count: n - length + 1,
                    }
                } else {
                    Occurrences {
                        position: None,
                        count: 0,
                    }
                },
            )
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
            Just("q".to_owned()),
            Just("start".to_owned()),
            Just("numberOfDigits".to_owned()),
            Just("radix".to_owned()),
            "[a-z]{1,6}",
        ]
    }

    /// Every route, for queries of any shape.
    fn path() -> impl Strategy<Value = &'static str> {
        prop_oneof![
            Just("/api/digits"),
            Just("/api/histogram"),
            Just("/api/info"),
            Just("/api/search"),
            Just("/v1/pi"),
            Just("/"),
            Just("/api/nope"),
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
    /// maximum, with their routes: digits, searches (patterns valid or
    /// not, `n` given or the default) and pi.delivery windows (each part
    /// given or not, radix 10 or not).
    fn counted() -> impl Strategy<Value = (&'static str, String)> {
        let count = prop_oneof![0u64..5_000, any::<u64>()];
        let maybe = |name: &'static str, count: BoxedStrategy<u64>| {
            prop_oneof![
                Just(String::new()),
                count.prop_map(move |n| format!("&{name}={n}"))
            ]
        };
        let counts = count.clone().boxed();
        let searches = (
            "0{1,4}|[0-9]{1,6}|[0-9]{101}|[0-9a-z%]{0,4}",
            maybe("n", counts.clone()),
        )
            .prop_map(|(q, n)| ("/api/search", format!("q={q}{n}")));
        let radix = prop_oneof![Just(""), Just("&radix=10"), Just("&radix=16")];
        let pi_delivery = (
            maybe("start", counts.clone()),
            maybe("numberOfDigits", counts),
            radix,
        )
            .prop_map(|(start, length, radix)| ("/v1/pi", format!("{start}{length}{radix}")));
        let digits = digits_counted(count);
        prop_oneof![
            digits.prop_map(|query| ("/api/digits", query)),
            searches,
            pi_delivery
        ]
    }

    /// Well-formed `/api/digits` queries: counts, windows in either order,
    /// with or without a format.
    fn digits_counted(count: impl Strategy<Value = u64> + Clone) -> impl Strategy<Value = String> {
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
            path in prop_oneof![
                Just("/api/digits"), Just("/api/histogram"), Just("/api/info"), Just("/api/search"), Just("/v1/pi"),
            ],
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
                        "beyond-maximum", "invalid-pattern", "unsupported-radix",
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
            (path, query) in prop_oneof![(path(), query()), counted()],
            method in prop_oneof![
                Just(Method::Get), Just(Method::Head), Just(Method::Options), Just(Method::Other),
            ],
            accept in prop_oneof![Just(None), Just(Some("text/plain")), Just(Some("application/json"))],
        ) {
            let needed = digits_needed(path, &query);
            let pi = Recording::default();
            let headers = Headers { accept, ..Headers::default() };
            let reply = respond(&pi, &[], method, path, &query, headers);
            // Every call within the pre-check, the largest exactly it.
            if let Some(asked) = pi.most_asked() {
                prop_assert_eq!(needed, Some(asked), "{}?{}", path, query);
            }
            if reply.status >= 400 {
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
