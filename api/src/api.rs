//! Routing and responses: one request in, one [`Reply`] out. The pi calls
//! go through the [`Pi`] trait, so the same code serves the imported WIT
//! interface in the HTTP component and the math directly in native tests.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::browser;
use crate::query::Query;

/// The pi component's answer when a request reaches past its maximum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BeyondMaximum {
    /// The most digits the component computes.
    pub maximum: u64,
}

/// The longest search pattern, in digits: the contract's bound
/// (`search` in wit/pi.wit).
pub const MAX_PATTERN_DIGITS: usize = 100;

/// What is wrong with a search pattern, which must be 1 to
/// [`MAX_PATTERN_DIGITS`] decimal digits: `pattern-problem` in the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatternProblem {
    /// The pattern is empty.
    Empty,
    /// A character of the pattern is not one of the digits 0–9.
    NotADigit,
    /// The pattern is longer than [`MAX_PATTERN_DIGITS`].
    TooLong,
}

impl PatternProblem {
    /// What is wrong with `pattern`, if anything, checked in the
    /// component's order (empty, too long, a non-digit), so that both edges
    /// name the same problem.
    pub fn of(pattern: &str) -> Option<PatternProblem> {
        if pattern.is_empty() {
            Some(PatternProblem::Empty)
        } else if pattern.len() > MAX_PATTERN_DIGITS {
            // Bytes, not characters: a pattern of digits has one byte each.
            Some(PatternProblem::TooLong)
        } else if !pattern.bytes().all(|byte| byte.is_ascii_digit()) {
            Some(PatternProblem::NotADigit)
        } else {
            None
        }
    }

    /// Its name in the contract, which error bodies report as `problem`.
    pub fn name(self) -> &'static str {
        match self {
            PatternProblem::Empty => "empty",
            PatternProblem::NotADigit => "not-a-digit",
            PatternProblem::TooLong => "too-long",
        }
    }
}

/// Where a pattern occurs among the first digits: `occurrences` in the
/// contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Occurrences {
    /// The position of the first occurrence's first digit (0 is the
    /// leading 3), if it occurs.
    pub position: Option<u64>,
    /// How often it occurs, overlapping occurrences counted.
    pub count: u64,
}

/// The pi component's refusal of a search.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchRefusal {
    /// `n` is past the maximum.
    BeyondMaximum(BeyondMaximum),
    /// The pattern is not 1 to [`MAX_PATTERN_DIGITS`] decimal digits.
    BadPattern(PatternProblem),
}

impl From<BeyondMaximum> for SearchRefusal {
    fn from(beyond: BeyondMaximum) -> SearchRefusal {
        SearchRefusal::BeyondMaximum(beyond)
    }
}

/// The calls of `pi:digits/pi` the API needs.
pub trait Pi {
    /// The most digits the component computes.
    fn max_digits(&self) -> u64;
    /// The first `n` digits.
    fn digits(&self, n: u64) -> Result<String, BeyondMaximum>;
    /// `length` digits from `offset`.
    fn digits_window(&self, offset: u64, length: u64) -> Result<String, BeyondMaximum>;
    /// The histogram of the first `n` digits.
    fn histogram(&self, n: u64) -> Result<Vec<u64>, BeyondMaximum>;
    /// Where `pattern` occurs among the first `n` digits.
    fn search(&self, pattern: &str, n: u64) -> Result<Occurrences, SearchRefusal>;
}

/// The environment variable through which a host sets the app's maximum
/// below the component's (`pi-digits serve --max-digits`, or `environment`
/// in spin.toml); `/api/info` reports it and larger requests are refused.
pub const MAX_DIGITS_VAR: &str = "PI_DIGITS_MAX_DIGITS";

/// The app's maximum where [`MAX_DIGITS_VAR`] is unset: below the
/// component's 100,000,000 (minutes of work and over a GiB of memory per
/// request), as every host's default is; the variable lifts it.
pub const DEFAULT_MAX_DIGITS: u64 = 10_000_000;

/// A [`Pi`] that refuses more than `maximum` digits, a host's limit: as if
/// the component's own maximum were the smaller of the two.
#[derive(Debug, Clone, Copy)]
pub struct Capped<P> {
    /// The component.
    pub pi: P,
    /// The host's limit.
    pub maximum: u64,
}

impl<P: Pi> Capped<P> {
    /// Refuses a request past the host's limit without calling the
    /// component; within it, the component checks its own maximum. Only a
    /// refusal asks the component for its maximum, to state the smaller.
    fn check(&self, needed: Option<u64>) -> Result<(), BeyondMaximum> {
        match needed {
            Some(needed) if needed <= self.maximum => Ok(()),
            _ => Err(BeyondMaximum {
                maximum: self.max_digits(),
            }),
        }
    }
}

impl<P: Pi> Pi for Capped<P> {
    fn max_digits(&self) -> u64 {
        self.pi.max_digits().min(self.maximum)
    }

    fn digits(&self, n: u64) -> Result<String, BeyondMaximum> {
        self.check(Some(n))?;
        self.pi.digits(n)
    }

    fn digits_window(&self, offset: u64, length: u64) -> Result<String, BeyondMaximum> {
        self.check(offset.checked_add(length))?;
        self.pi.digits_window(offset, length)
    }

    fn histogram(&self, n: u64) -> Result<Vec<u64>, BeyondMaximum> {
        self.check(Some(n))?;
        self.pi.histogram(n)
    }

    fn search(&self, pattern: &str, n: u64) -> Result<Occurrences, SearchRefusal> {
        self.check(Some(n))?;
        self.pi.search(pattern, n)
    }
}

/// A response, ready to be written by whichever HTTP binding runs us.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// HTTP status code.
    pub status: u16,
    /// Header name–value pairs.
    pub headers: Vec<(&'static str, String)>,
    /// The body.
    pub body: Vec<u8>,
}

/// The digits of π never change: answers about them may be cached forever.
const CACHE_FOREVER: &str = "public, max-age=31536000, immutable";
/// The page may change with a new release, and `/api/info` with the
/// server's configuration: revalidate them, which their `ETag` makes cheap.
const CACHE_REVALIDATE: &str = "no-cache";
/// Errors are not worth caching.
const CACHE_NEVER: &str = "no-store";

/// The methods every route answers, as `Allow` lists them.
const ALLOWED_METHODS: &str = "GET, HEAD, OPTIONS";

/// How long a browser may reuse a preflight's answer, in seconds: a day
/// (Firefox's cap; Chromium keeps one at most two hours).
const PREFLIGHT_MAX_AGE: &str = "86400";

/// How many digits `/api/search` searches when `n` is not given.
pub const SEARCH_DEFAULT_DIGITS: u64 = 1_000_000;

/// How many digits `/api/search` shows on each side of the first
/// occurrence, at most.
pub const SEARCH_CONTEXT_DIGITS: u64 = 20;

/// How many digits `/v1/pi` answers when `numberOfDigits` is not given,
/// as pi.delivery does.
pub const PI_DELIVERY_DEFAULT_DIGITS: u64 = 100;

const INDEX_HTML: &str = include_str!("../assets/index.html");
const APP_JS: &str = include_str!("../assets/app.js");
const STYLE_CSS: &str = include_str!("../assets/style.css");

/// A request's method, as far as routing cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// GET.
    Get,
    /// HEAD: answered as GET (see [`respond`]).
    Head,
    /// OPTIONS: a CORS preflight, or a client asking what is allowed.
    Options,
    /// Any other method.
    Other,
}

/// The request headers the API reads.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Headers<'a> {
    /// `Accept`: `text/plain` asks `/api/digits` for the bare digits.
    pub accept: Option<&'a str>,
    /// `Accept-Encoding`: with `gzip`, the in-browser files come compressed.
    pub accept_encoding: Option<&'a str>,
    /// `If-None-Match`: naming the answer's `ETag`, it gets a 304.
    pub if_none_match: Option<&'a str>,
}

/// Answers one request. `query` is the raw query string (no `?`);
/// `transpiled` the build's files of the in-browser mode.
///
/// Every answer carries a strong `ETag`, and one that `If-None-Match`
/// names is a 304 without a body. HEAD gets GET's reply, body included:
/// wasi:http holds a response body to its `Content-Length`, so a binding
/// must write it, and the HTTP server sends no body after a HEAD request's
/// head (hyper, under every host here, drops it).
pub fn respond(
    pi: &impl Pi,
    transpiled: browser::Transpiled,
    method: Method,
    path: &str,
    query: &str,
    headers: Headers,
) -> Reply {
    let Some(route) = Route::of(path, transpiled) else {
        return ApiError::not_found(path).reply();
    };
    match method {
        Method::Get | Method::Head => {}
        Method::Options => return preflight(route.is_api()),
        Method::Other => return ApiError::method_not_allowed().reply(),
    }
    let answer = match route {
        Route::Asset(content_type, body) => Ok(Reply::new(
            200,
            content_type,
            CACHE_REVALIDATE,
            body.to_vec(),
        )),
        Route::Browser(file) => Ok(browser_file(file, headers.accept_encoding)),
        Route::Info => info(pi, query),
        Route::Digits => digits(pi, query, headers.accept),
        Route::Histogram => histogram(pi, query),
        Route::Search => search(pi, query),
        Route::PiDelivery => pi_delivery(pi, query),
    };
    let mut reply = match answer {
        Ok(reply) => reply,
        Err(error) => return error.reply(),
    };
    if route.is_api() {
        reply.allow_any_origin();
        // Not a CORS-safelisted response header: without this, a page on
        // another origin could not read it to revalidate.
        reply
            .headers
            .push(("access-control-expose-headers", "etag".to_owned()));
    }
    let etag = etag(&reply);
    reply.headers.push(("etag", etag.clone()));
    if headers
        .if_none_match
        .is_some_and(|tags| names_tag(tags, &etag))
    {
        return reply.not_modified();
    }
    reply
}

/// How many leading digits a well-formed API request needs, so a host can
/// refuse it before any work; `None` for other requests.
pub fn digits_needed(path: &str, query: &str) -> Option<u64> {
    match path {
        "/api/digits" => {
            let query = Query::parse(query, &["n", "offset", "length", "format"]).ok()?;
            match query.count("n") {
                Ok(n) => Some(n),
                Err(_) => Some(
                    query
                        .count("offset")
                        .ok()?
                        .saturating_add(query.count("length").ok()?),
                ),
            }
        }
        "/api/histogram" => Query::parse(query, &["n"]).ok()?.count("n").ok(),
        // The context shown around a match lies within the n searched.
        "/api/search" => SearchRequest::parse(query).ok().map(|request| request.n),
        "/v1/pi" => PiDeliveryRequest::parse(query)
            .ok()
            .map(|request| request.start.saturating_add(request.length)),
        _ => None,
    }
}

enum Route {
    Asset(&'static str, &'static [u8]),
    Browser(browser::File),
    Info,
    Digits,
    Histogram,
    Search,
    PiDelivery,
}

impl Route {
    fn of(path: &str, transpiled: browser::Transpiled) -> Option<Route> {
        Some(match path {
            "/" => Route::Asset("text/html; charset=utf-8", INDEX_HTML.as_bytes()),
            "/app.js" => Route::Asset("text/javascript; charset=utf-8", APP_JS.as_bytes()),
            "/style.css" => Route::Asset("text/css; charset=utf-8", STYLE_CSS.as_bytes()),
            "/api/info" => Route::Info,
            "/api/digits" => Route::Digits,
            "/api/histogram" => Route::Histogram,
            "/api/search" => Route::Search,
            "/v1/pi" => Route::PiDelivery,
            _ => Route::Browser(browser::file(path.strip_prefix("/browser/")?, transpiled)?),
        })
    }

    /// Whether pages on any origin may call it (CORS).
    fn is_api(&self) -> bool {
        !matches!(self, Route::Asset(..) | Route::Browser(_))
    }
}

/// The answer to OPTIONS: what the route allows and, for the API, the
/// CORS preflight's permissions. Any request header is allowed (`*`
/// covers all but `Authorization`, and the API takes no credentials).
fn preflight(api: bool) -> Reply {
    let mut headers = vec![("allow", ALLOWED_METHODS.to_owned())];
    if api {
        headers.extend([
            ("access-control-allow-origin", "*".to_owned()),
            ("access-control-allow-methods", ALLOWED_METHODS.to_owned()),
            ("access-control-allow-headers", "*".to_owned()),
            ("access-control-max-age", PREFLIGHT_MAX_AGE.to_owned()),
        ]);
    }
    Reply {
        status: 204,
        headers,
        body: Vec::new(),
    }
}

/// A strong validator for a reply: a hash of its body and of the headers
/// that say how to read it, so two representations differ in their tags
/// (the digits as JSON or text, a file gzipped or not). 128 bits of
/// SHA-256: the same on every host and build that gives the same bytes.
fn etag(reply: &Reply) -> String {
    let mut hash = Sha256::new();
    for (name, value) in &reply.headers {
        if matches!(*name, "content-type" | "content-encoding") {
            hash.update(name.as_bytes());
            hash.update(b":");
            hash.update(value.as_bytes());
            hash.update(b"\n");
        }
    }
    hash.update(&reply.body);
    let hex: String = hash.finalize()[..16]
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    format!("\"{hex}\"")
}

/// Whether an `If-None-Match` value is `*` or names `etag`, compared
/// weakly (a `W/` prefix ignored) as RFC 9110 has it for this header. A
/// malformed list names nothing past the point where it goes wrong.
fn names_tag(if_none_match: &str, etag: &str) -> bool {
    let mut rest = if_none_match.trim();
    if rest == "*" {
        return true;
    }
    loop {
        rest = rest.trim_start_matches([' ', '\t', ',']);
        if rest.is_empty() {
            return false;
        }
        let tag = rest.strip_prefix("W/").unwrap_or(rest);
        // An entity tag is a quoted string without inner quotes.
        let Some(end) = tag.strip_prefix('"').and_then(|inner| inner.find('"')) else {
            return false;
        };
        let (quoted, after) = tag.split_at(end + 2);
        if quoted == etag {
            return true;
        }
        rest = after;
    }
}

/// An in-browser file, gzip-compressed (a third of the bytes) when the
/// client accepts it and the build compressed it.
fn browser_file(file: browser::File, accept_encoding: Option<&str>) -> Reply {
    let mut reply = match file.gzip {
        Some(gzip) if accept_encoding.is_some_and(accepts_gzip) => {
            let mut reply = Reply::new(200, file.content_type, CACHE_REVALIDATE, gzip.to_vec());
            reply.headers.push(("content-encoding", "gzip".to_owned()));
            reply
        }
        _ => Reply::new(200, file.content_type, CACHE_REVALIDATE, file.body.to_vec()),
    };
    if file.gzip.is_some() {
        reply.headers.push(("vary", "accept-encoding".to_owned()));
    }
    reply
}

/// Whether an `Accept-Encoding` value admits gzip: listed by name (or `*`)
/// without `q=0`.
fn accepts_gzip(accept_encoding: &str) -> bool {
    accept_encoding.split(',').any(|coding| {
        let mut parts = coding.split(';').map(str::trim);
        let name = parts.next().unwrap_or_default();
        let refused = parts.any(|parameter| {
            parameter
                .strip_prefix("q=")
                .and_then(|q| q.parse::<f32>().ok())
                .is_some_and(|q| q == 0.0)
        });
        (name.eq_ignore_ascii_case("gzip") || name == "*") && !refused
    })
}

fn info(pi: &impl Pi, query: &str) -> Result<Reply, ApiError> {
    Query::parse(query, &[])?;
    let body = json!({ "max_digits": pi.max_digits() });
    Ok(Reply::new(
        200,
        "application/json",
        CACHE_REVALIDATE,
        body.to_string().into_bytes(),
    ))
}

fn digits(pi: &impl Pi, query: &str, accept: Option<&str>) -> Result<Reply, ApiError> {
    let query = Query::parse(query, &["n", "offset", "length", "format"])?;
    let as_text = match query.text("format") {
        None => accept.is_some_and(prefers_text),
        Some("text") => true,
        Some("json") => false,
        Some(other) => return Err(ApiError::invalid_format(other)),
    };
    let (digits, body) = if query.has("offset") || query.has("length") {
        if query.has("n") {
            return Err(ApiError::conflicting_parameters());
        }
        let (offset, length) = (query.count("offset")?, query.count("length")?);
        let digits = pi
            .digits_window(offset, length)
            .map_err(ApiError::beyond_maximum)?;
        let body = json!({ "offset": offset, "length": length, "digits": digits });
        (digits, body)
    } else {
        let n = query.count("n")?;
        let digits = pi.digits(n).map_err(ApiError::beyond_maximum)?;
        let body = json!({ "n": n, "digits": digits });
        (digits, body)
    };
    let mut reply = if as_text {
        Reply::new(
            200,
            "text/plain; charset=utf-8",
            CACHE_FOREVER,
            digits.into_bytes(),
        )
    } else {
        json_reply(&body)
    };
    // Without `format`, the answer depends on `Accept`: caches must key on it.
    reply.headers.push(("vary", "accept".to_owned()));
    Ok(reply)
}

fn histogram(pi: &impl Pi, query: &str) -> Result<Reply, ApiError> {
    let n = Query::parse(query, &["n"])?.count("n")?;
    let counts = pi.histogram(n).map_err(ApiError::beyond_maximum)?;
    Ok(json_reply(&json!({ "n": n, "counts": counts })))
}

/// A well-formed `/api/search` query: the pattern, checked here at the
/// edge, and how many digits to search.
struct SearchRequest {
    q: String,
    n: u64,
}

impl SearchRequest {
    fn parse(query: &str) -> Result<SearchRequest, ApiError> {
        let query = Query::parse(query, &["q", "n"])?;
        let q = query
            .text("q")
            .ok_or_else(|| ApiError::missing_parameter("q"))?;
        if let Some(problem) = PatternProblem::of(q) {
            return Err(ApiError::invalid_pattern(problem, q));
        }
        Ok(SearchRequest {
            q: q.to_owned(),
            n: query.count_or("n", SEARCH_DEFAULT_DIGITS)?,
        })
    }
}

/// The first occurrence of `q` among the first `n` digits, how many there
/// are, and up to [`SEARCH_CONTEXT_DIGITS`] digits either side of the
/// first, within those `n`.
fn search(pi: &impl Pi, query: &str) -> Result<Reply, ApiError> {
    let SearchRequest { q, n } = SearchRequest::parse(query)?;
    let found = pi
        .search(&q, n)
        .map_err(|refusal| ApiError::refused_search(refusal, &q))?;
    let (before, after) = match found.position {
        Some(position) => {
            let start = position.saturating_sub(SEARCH_CONTEXT_DIGITS);
            let end = position
                .saturating_add(q.len() as u64 + SEARCH_CONTEXT_DIGITS)
                .min(n);
            let around = pi
                .digits_window(start, end.saturating_sub(start))
                .map_err(ApiError::beyond_maximum)?;
            // Both within `around`: the match ends within the n digits.
            let before = (position - start) as usize;
            let after = (before + q.len()).min(around.len());
            (around[..before].to_owned(), around[after..].to_owned())
        }
        None => (String::new(), String::new()),
    };
    Ok(json_reply(&json!({
        "q": q,
        "n": n,
        "position": found.position,
        "count": found.count,
        "before": before,
        "after": after,
    })))
}

/// A well-formed `/v1/pi` query, pi.delivery's: `start` (0 is the 3),
/// `numberOfDigits` (100 if absent), `radix` (10 only).
struct PiDeliveryRequest {
    start: u64,
    length: u64,
}

impl PiDeliveryRequest {
    fn parse(query: &str) -> Result<PiDeliveryRequest, ApiError> {
        let query = Query::parse(query, &["start", "numberOfDigits", "radix"])?;
        let radix = query.count_or("radix", 10)?;
        if radix != 10 {
            return Err(ApiError::unsupported_radix(radix));
        }
        Ok(PiDeliveryRequest {
            start: query.count_or("start", 0)?,
            length: query.count_or("numberOfDigits", PI_DELIVERY_DEFAULT_DIGITS)?,
        })
    }
}

fn pi_delivery(pi: &impl Pi, query: &str) -> Result<Reply, ApiError> {
    let PiDeliveryRequest { start, length } = PiDeliveryRequest::parse(query)?;
    let content = pi
        .digits_window(start, length)
        .map_err(ApiError::beyond_maximum)?;
    Ok(json_reply(&json!({ "content": content })))
}

/// Whether the client's first choice of media type is plain text.
fn prefers_text(accept: &str) -> bool {
    accept
        .split(',')
        .next()
        .is_some_and(|first| first.trim().starts_with("text/plain"))
}

fn json_reply(body: &Value) -> Reply {
    Reply::new(
        200,
        "application/json",
        CACHE_FOREVER,
        body.to_string().into_bytes(),
    )
}

impl Reply {
    fn new(status: u16, content_type: &str, cache_control: &str, body: Vec<u8>) -> Reply {
        Reply {
            status,
            headers: vec![
                ("content-type", content_type.to_owned()),
                // Known up front: clients see the size, not a chunked stream.
                ("content-length", body.len().to_string()),
                ("cache-control", cache_control.to_owned()),
                ("x-content-type-options", "nosniff".to_owned()),
            ],
            body,
        }
    }

    /// Lets pages on any origin read it: the API is public and takes no
    /// credentials.
    fn allow_any_origin(&mut self) {
        self.headers
            .push(("access-control-allow-origin", "*".to_owned()));
    }

    /// The 304 for a client that holds this reply: its validator, caching
    /// and CORS headers, no body, and nothing that describes one.
    fn not_modified(self) -> Reply {
        let headers = self
            .headers
            .into_iter()
            .filter(|(name, _)| {
                !matches!(
                    *name,
                    "content-type" | "content-length" | "content-encoding"
                )
            })
            .collect();
        Reply {
            status: 304,
            headers,
            body: Vec::new(),
        }
    }
}

/// A refused request: an HTTP status, a stable machine-readable code and a
/// message for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status code, 4xx.
    pub status: u16,
    /// Stable code, e.g. `invalid-number`.
    pub code: &'static str,
    /// What is wrong, for people.
    pub message: String,
    /// The component's maximum, for `beyond-maximum`.
    pub max_digits: Option<u64>,
    /// What is wrong with the pattern, for `invalid-pattern`.
    pub problem: Option<PatternProblem>,
}

impl ApiError {
    /// An error with no extra fields.
    pub fn new(status: u16, code: &'static str, message: String) -> ApiError {
        ApiError {
            status,
            code,
            message,
            max_digits: None,
            problem: None,
        }
    }

    pub(crate) fn not_found(path: &str) -> ApiError {
        ApiError::new(404, "not-found", format!("no such route: {path}"))
    }

    pub(crate) fn method_not_allowed() -> ApiError {
        let message = format!("only {ALLOWED_METHODS} are supported");
        ApiError::new(405, "method-not-allowed", message)
    }

    pub(crate) fn query_too_long() -> ApiError {
        let message = format!(
            "the query string is longer than {} bytes",
            crate::query::MAX_QUERY_LEN
        );
        ApiError::new(414, "query-too-long", message)
    }

    pub(crate) fn invalid_query() -> ApiError {
        ApiError::new(
            400,
            "invalid-query",
            "the query string is not valid percent-encoded UTF-8".to_owned(),
        )
    }

    pub(crate) fn unknown_parameter(name: &str, allowed: &[&str]) -> ApiError {
        let message = match allowed {
            [] => format!("unknown parameter {name:?}: this route takes none"),
            _ => format!(
                "unknown parameter {name:?}; expected {}",
                allowed.join(", ")
            ),
        };
        ApiError::new(400, "unknown-parameter", message)
    }

    pub(crate) fn repeated_parameter(name: &str) -> ApiError {
        ApiError::new(
            400,
            "repeated-parameter",
            format!("parameter {name:?} is given more than once"),
        )
    }

    pub(crate) fn missing_parameter(name: &str) -> ApiError {
        ApiError::new(
            400,
            "missing-parameter",
            format!("parameter {name:?} is required"),
        )
    }

    pub(crate) fn invalid_number(name: &str, value: &str) -> ApiError {
        let message =
            format!("{name} must be a whole number in plain decimal digits, got {value:?}");
        ApiError::new(400, "invalid-number", message)
    }

    fn invalid_format(value: &str) -> ApiError {
        let message = format!("format must be \"json\" or \"text\", got {value:?}");
        ApiError::new(400, "invalid-format", message)
    }

    fn conflicting_parameters() -> ApiError {
        let message = "give either n, or offset and length, not both".to_owned();
        ApiError::new(400, "conflicting-parameters", message)
    }

    fn invalid_pattern(problem: PatternProblem, q: &str) -> ApiError {
        let message = match problem {
            PatternProblem::Empty => {
                format!("q must be 1 to {MAX_PATTERN_DIGITS} decimal digits, and it is empty")
            }
            PatternProblem::TooLong => format!(
                "q must be 1 to {MAX_PATTERN_DIGITS} decimal digits, and it has {} characters",
                q.chars().count()
            ),
            PatternProblem::NotADigit => {
                format!("q must be decimal digits 0-9 only, got {q:?}")
            }
        };
        ApiError {
            problem: Some(problem),
            ..ApiError::new(400, "invalid-pattern", message)
        }
    }

    /// The component's refusal of a search for `q`. It checks the pattern
    /// again at its own edge; a refusal there is reported as ours would be.
    fn refused_search(refusal: SearchRefusal, q: &str) -> ApiError {
        match refusal {
            SearchRefusal::BeyondMaximum(beyond) => ApiError::beyond_maximum(beyond),
            SearchRefusal::BadPattern(problem) => ApiError::invalid_pattern(problem, q),
        }
    }

    fn unsupported_radix(radix: u64) -> ApiError {
        let message = format!("only radix 10 (decimal digits) is served, got radix {radix}");
        ApiError::new(400, "unsupported-radix", message)
    }

    /// A request past `maximum` digits.
    pub fn beyond_maximum(BeyondMaximum { maximum }: BeyondMaximum) -> ApiError {
        let message =
            format!("the request reaches past digit {maximum}, the most this service computes");
        ApiError {
            max_digits: Some(maximum),
            ..ApiError::new(422, "beyond-maximum", message)
        }
    }

    /// The JSON reply for this error, readable by pages on any origin: the
    /// host's own refusals (`pi-digits serve`) are these replies too.
    pub fn reply(&self) -> Reply {
        let mut body = json!({ "error": self.code, "message": self.message });
        if let Some(maximum) = self.max_digits {
            body["max_digits"] = maximum.into();
        }
        if let Some(problem) = self.problem {
            body["problem"] = problem.name().into();
        }
        let mut reply = Reply::new(
            self.status,
            "application/json",
            CACHE_NEVER,
            body.to_string().into_bytes(),
        );
        reply.allow_any_origin();
        if self.status == 405 {
            reply.headers.push(("allow", ALLOWED_METHODS.to_owned()));
        }
        reply
    }
}

#[cfg(test)]
mod tests {
    use super::{accepts_gzip, names_tag};

    #[test]
    fn if_none_match_names_a_tag_in_a_list_weakly_or_with_a_star() {
        let tag = "\"0123abcd\"";
        for naming in [
            "\"0123abcd\"",
            "*",
            " * ",
            "W/\"0123abcd\"",
            "\"other\", \"0123abcd\"",
            "\"a,b\",W/\"0123abcd\"",
            "\t\"x\" ,\"0123abcd\" ",
        ] {
            assert!(names_tag(naming, tag), "{naming}");
        }
        for not_naming in [
            "",
            "\"0123abc\"",
            "0123abcd",
            "\"0123ABCD\"",
            "\"x\", *",
            "\"unterminated, \"0123abcd\"",
            "w/\"0123abcd\"",
        ] {
            assert!(!names_tag(not_naming, tag), "{not_naming}");
        }
    }

    #[test]
    fn gzip_is_accepted_by_name_or_star_unless_its_q_is_zero() {
        for accepted in [
            "gzip",
            "GZIP",
            "br, gzip",
            "gzip;q=0.5",
            "deflate, *",
            "gzip ; q=1",
        ] {
            assert!(accepts_gzip(accepted), "{accepted}");
        }
        for refused in [
            "",
            "identity",
            "br, deflate",
            "gzip;q=0",
            "gzip; q=0.0",
            "x-gzip2",
        ] {
            assert!(!accepts_gzip(refused), "{refused}");
        }
    }
}
