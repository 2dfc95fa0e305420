//! Fuzzes the query parser (`Query::parse`, `Query::count`), the host's
//! pre-check (`api::digits_needed`) and the router (`api::respond`) with
//! arbitrary request lines, and checks what must hold for every input:
//!
//! - nothing panics;
//! - a query is refused with one of the documented codes, 414 exactly when
//!   it is longer than `MAX_QUERY_LEN`;
//! - `count` accepts exactly the non-empty runs of ASCII digits that fit a
//!   u64, and returns their value;
//! - a parsed query survives a round trip through percent-encoding;
//! - whenever the router asks the pi component for digits, `digits_needed`
//!   (what the host checks against `--max-digits` before any work) named
//!   exactly the most any of its calls needs: no request reaches the
//!   component unchecked;
//! - replies have a known status, errors are JSON with their code and are
//!   never cached, answers are cacheable, carry an `ETag` and echo the
//!   request.
//!
//! The first byte picks the method, the path and the `Accept` header; the
//! rest, as lossy UTF-8, is the raw query string (or, for one choice, the
//! path and the query, split at the first `?`).

#![no_main]

use std::cell::RefCell;

use libfuzzer_sys::fuzz_target;
use pi_digits_api::api::{self, BeyondMaximum, Method, Occurrences, Pi, Reply, SearchRefusal};
use pi_digits_api::query::{MAX_QUERY_LEN, Query};

/// Every parameter name any route allows.
const ALLOWED: &[&str] = &["n", "offset", "length", "format", "q", "start", "numberOfDigits", "radix"];

/// The codes the query parser may refuse with.
const PARSE_CODES: &[&str] = &["query-too-long", "invalid-query", "unknown-parameter", "repeated-parameter"];

/// Every code the router may answer with.
const ROUTER_CODES: &[&str] = &[
    "query-too-long",
    "invalid-query",
    "unknown-parameter",
    "repeated-parameter",
    "missing-parameter",
    "invalid-number",
    "conflicting-parameters",
    "invalid-format",
    "beyond-maximum",
    "invalid-pattern",
    "unsupported-radix",
    "not-found",
    "method-not-allowed",
];

const PATHS: &[&str] = &[
    "/api/digits",
    "/api/histogram",
    "/api/info",
    "/api/search",
    "/v1/pi",
    "/",
    "/app.js",
    "/style.css",
    "/api/nope",
];

/// A stand-in for the pi component: records what each call needs and
/// answers with zeros, up to a small maximum.
struct RecordingPi {
    asked: RefCell<Vec<u64>>,
}

const MOCK_MAX: u64 = 4096;

impl RecordingPi {
    fn ask(&self, needed: u64) -> Result<(), BeyondMaximum> {
        self.asked.borrow_mut().push(needed);
        if needed > MOCK_MAX { Err(BeyondMaximum { maximum: MOCK_MAX }) } else { Ok(()) }
    }

    /// The most digits any call needed, if there was a call.
    fn most_asked(&self) -> Option<u64> {
        self.asked.borrow().iter().copied().max()
    }
}

impl Pi for RecordingPi {
    fn max_digits(&self) -> u64 {
        MOCK_MAX
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
        let found = pattern.bytes().all(|digit| digit == b'0') && length <= n;
        Ok(Occurrences { position: found.then_some(0), count: if found { n - length + 1 } else { 0 } })
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    let text = String::from_utf8_lossy(rest);
    check_query(&text);

    let method = match selector >> 6 {
        0 => Method::Get,
        1 => Method::Head,
        2 => Method::Options,
        _ => Method::Other,
    };
    let accept = match (selector >> 4) & 0x3 {
        0 => None,
        1 => Some("text/plain"),
        2 => Some("application/json, text/plain"),
        _ => Some(" text/plain;q=0.5 , */*"),
    };
    let choice = (selector & 0x0f) as usize;
    let (path, query) = match PATHS.get(choice) {
        Some(path) => (*path, &*text),
        // Path and query both from the input.
        None => text.split_once('?').unwrap_or((&*text, "")),
    };
    check_route(method, path, query, accept);
});

fn check_query(raw: &str) {
    let parsed = Query::parse(raw, ALLOWED);
    if raw.len() > MAX_QUERY_LEN {
        assert_eq!(parsed.as_ref().err().map(|e| e.code), Some("query-too-long"));
        return;
    }
    let query = match parsed {
        Ok(query) => query,
        Err(error) => {
            assert!(PARSE_CODES.contains(&error.code), "unexpected code {:?}", error.code);
            assert_eq!(error.status, 400);
            return;
        }
    };
    // Parsing is deterministic.
    assert_eq!(Query::parse(raw, ALLOWED).as_ref(), Ok(&query));
    for name in ALLOWED {
        assert_eq!(query.has(name), query.text(name).is_some());
        check_count(&query, name);
    }
    // Every parameter percent-encoded byte by byte reads back the same.
    let mut encoded = String::new();
    for name in ALLOWED {
        if let Some(value) = query.text(name) {
            encoded.push('&');
            encoded.push_str(&percent_encode_all(name));
            encoded.push('=');
            encoded.push_str(&percent_encode_all(value));
        }
    }
    if encoded.len() <= MAX_QUERY_LEN {
        assert_eq!(Query::parse(&encoded, ALLOWED).as_ref(), Ok(&query), "round trip of {encoded:?}");
    }
}

fn check_count(query: &Query, name: &str) {
    let result = query.count(name);
    let Some(value) = query.text(name) else {
        assert_eq!(result.map_err(|e| e.code), Err("missing-parameter"));
        return;
    };
    let digits = !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit());
    // Leading zeros aside, a u64 has at most 20 digits, up to u64::MAX.
    let significant = value.trim_start_matches('0');
    let fits = significant.len() < 20 || (significant.len() == 20 && significant <= "18446744073709551615");
    match result {
        Ok(count) => {
            assert!(digits && fits, "count accepted {value:?}");
            let expected = if significant.is_empty() { "0" } else { significant };
            assert_eq!(count.to_string(), expected);
        }
        Err(error) => {
            assert!(!(digits && fits), "count refused {value:?}");
            assert_eq!((error.status, error.code), (400, "invalid-number"));
        }
    }
}

fn percent_encode_all(text: &str) -> String {
    text.bytes().map(|b| format!("%{b:02X}")).collect()
}

fn check_route(method: Method, path: &str, query: &str, accept: Option<&str>) {
    let needed = api::digits_needed(path, query);
    if !matches!(path, "/api/digits" | "/api/histogram" | "/api/search" | "/v1/pi") {
        assert_eq!(needed, None);
    }
    let pi = RecordingPi { asked: RefCell::new(Vec::new()) };
    let headers = api::Headers { accept, accept_encoding: accept, if_none_match: None };
    let reply = api::respond(&pi, &[], method, path, query, headers);

    // The host's pre-check saw the most the component was asked for.
    if let Some(asked) = pi.most_asked() {
        assert_eq!(needed, Some(asked), "{path}?{query}: digits_needed disagrees with the router");
        assert!(matches!(method, Method::Get | Method::Head));
        assert!(reply.status == 200 || reply.status == 422, "status {} after a pi call", reply.status);
    }
    check_reply(&reply, method, path, query, &pi);
}

fn header<'a>(reply: &'a Reply, name: &str) -> Option<&'a str> {
    reply.headers.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str())
}

fn check_reply(reply: &Reply, method: Method, path: &str, query: &str, pi: &RecordingPi) {
    assert!(
        matches!(reply.status, 200 | 204 | 400 | 404 | 405 | 414 | 422),
        "unexpected status {}",
        reply.status
    );
    let is_api = matches!(path, "/api/digits" | "/api/histogram" | "/api/info" | "/api/search" | "/v1/pi");
    if reply.status == 204 {
        assert_eq!(method, Method::Options);
        assert!(reply.body.is_empty() && pi.most_asked().is_none());
        assert_eq!(header(reply, "allow"), Some("GET, HEAD, OPTIONS"));
        assert_eq!(header(reply, "access-control-allow-origin").is_some(), is_api);
        return;
    }
    if reply.status != 200 {
        let body: serde_json::Value = serde_json::from_slice(&reply.body).expect("an error body is JSON");
        let code = body["error"].as_str().expect("an error body names its code");
        assert!(ROUTER_CODES.contains(&code), "unexpected code {code:?}");
        assert!(body["message"].is_string());
        assert_eq!(header(reply, "cache-control"), Some("no-store"));
        assert_eq!(header(reply, "content-type"), Some("application/json"));
        assert_eq!(reply.status == 405, header(reply, "allow") == Some("GET, HEAD, OPTIONS"));
        assert_eq!(header(reply, "access-control-allow-origin"), Some("*"));
        if reply.status == 422 {
            assert_eq!(body["max_digits"].as_u64(), Some(MOCK_MAX));
            assert!(pi.most_asked().is_some_and(|asked| asked > MOCK_MAX));
        }
        if reply.status == 414 {
            assert!(query.len() > MAX_QUERY_LEN);
        }
        return;
    }
    assert!(matches!(method, Method::Get | Method::Head));
    assert!(header(reply, "etag").is_some_and(|tag| tag.starts_with('"') && tag.ends_with('"')));
    assert_eq!(header(reply, "access-control-allow-origin").is_some(), is_api);
    if !is_api || path == "/api/info" {
        assert_eq!(header(reply, "cache-control"), Some("no-cache"));
        assert!(pi.most_asked().is_none());
        return;
    }
    assert_eq!(header(reply, "cache-control"), Some("public, max-age=31536000, immutable"));
    let asked = pi.most_asked().expect("an API answer comes from the pi component");
    assert!(asked <= MOCK_MAX);
    if header(reply, "content-type") == Some("application/json") {
        let body: serde_json::Value = serde_json::from_slice(&reply.body).expect("an answer is JSON");
        if let Some(n) = body.get("n") {
            assert_eq!(n.as_u64(), Some(asked));
        } else if let Some(content) = body.get("content") {
            // pi.delivery's answer names nothing but its digits.
            assert!(content.as_str().is_some_and(|digits| digits.bytes().all(|b| b == b'0')));
        } else {
            let offset = body["offset"].as_u64().expect("a window names its offset");
            let length = body["length"].as_u64().expect("a window names its length");
            assert_eq!(offset.saturating_add(length), asked);
        }
    } else {
        assert_eq!(header(reply, "content-type"), Some("text/plain; charset=utf-8"));
        assert!(reply.body.iter().all(u8::is_ascii_digit));
    }
}
