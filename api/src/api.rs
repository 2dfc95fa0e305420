//! Routing and responses: one request in, one [`Reply`] out. The pi calls
//! go through the [`Pi`] trait, so the same code serves the imported WIT
//! interface in the HTTP component and the math directly in native tests.

use serde_json::{Value, json};

use crate::browser;
use crate::query::Query;

/// The pi component's answer when a request reaches past its maximum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BeyondMaximum {
    /// The most digits the component computes.
    pub maximum: u64,
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
}

/// The environment variable through which a host sets the app's maximum
/// below the component's (`pi-digits serve --max-digits`, or `environment`
/// in spin.toml); `/api/info` reports it and larger requests are refused.
pub const MAX_DIGITS_VAR: &str = "PI_DIGITS_MAX_DIGITS";

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

/// The digits of π never change: successful answers may be cached forever.
const CACHE_FOREVER: &str = "public, max-age=31536000, immutable";
/// The page may change with a new release: revalidate it.
const CACHE_REVALIDATE: &str = "no-cache";
/// Errors are not worth caching.
const CACHE_NEVER: &str = "no-store";

const INDEX_HTML: &str = include_str!("../assets/index.html");
const APP_JS: &str = include_str!("../assets/app.js");
const STYLE_CSS: &str = include_str!("../assets/style.css");

/// A request's method, as far as routing cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// GET.
    Get,
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
}

/// Answers one request. `query` is the raw query string (no `?`);
/// `transpiled` the build's files of the in-browser mode.
pub fn respond(
    pi: &impl Pi,
    transpiled: browser::Transpiled,
    method: Method,
    path: &str,
    query: &str,
    headers: Headers,
) -> Reply {
    let route = match path {
        "/" => Route::Asset("text/html; charset=utf-8", INDEX_HTML.as_bytes()),
        "/app.js" => Route::Asset("text/javascript; charset=utf-8", APP_JS.as_bytes()),
        "/style.css" => Route::Asset("text/css; charset=utf-8", STYLE_CSS.as_bytes()),
        "/api/info" => Route::Info,
        "/api/digits" => Route::Digits,
        "/api/histogram" => Route::Histogram,
        _ => match path
            .strip_prefix("/browser/")
            .and_then(|name| browser::file(name, transpiled))
        {
            Some(file) => Route::Browser(file),
            None => return ApiError::not_found(path).reply(),
        },
    };
    if method != Method::Get {
        return ApiError::method_not_allowed().reply();
    }
    let answer = match route {
        Route::Asset(content_type, body) => {
            return Reply::new(200, content_type, CACHE_REVALIDATE, body.to_vec());
        }
        Route::Browser(file) => return browser_file(file, headers.accept_encoding),
        Route::Info => info(pi, query),
        Route::Digits => digits(pi, query, headers.accept),
        Route::Histogram => histogram(pi, query),
    };
    answer.unwrap_or_else(|error| error.reply())
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
        _ => None,
    }
}

enum Route {
    Asset(&'static str, &'static [u8]),
    Browser(browser::File),
    Info,
    Digits,
    Histogram,
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
    Ok(json_reply(&json!({ "max_digits": pi.max_digits() })))
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
    if as_text {
        return Ok(Reply::new(
            200,
            "text/plain; charset=utf-8",
            CACHE_FOREVER,
            digits.into_bytes(),
        ));
    }
    Ok(json_reply(&body))
}

fn histogram(pi: &impl Pi, query: &str) -> Result<Reply, ApiError> {
    let n = Query::parse(query, &["n"])?.count("n")?;
    let counts = pi.histogram(n).map_err(ApiError::beyond_maximum)?;
    Ok(json_reply(&json!({ "n": n, "counts": counts })))
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
}

impl ApiError {
    /// An error with no extra fields.
    pub fn new(status: u16, code: &'static str, message: String) -> ApiError {
        ApiError {
            status,
            code,
            message,
            max_digits: None,
        }
    }

    pub(crate) fn not_found(path: &str) -> ApiError {
        ApiError::new(404, "not-found", format!("no such route: {path}"))
    }

    pub(crate) fn method_not_allowed() -> ApiError {
        ApiError::new(
            405,
            "method-not-allowed",
            "only GET is supported".to_owned(),
        )
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

    /// A request past `maximum` digits.
    pub fn beyond_maximum(BeyondMaximum { maximum }: BeyondMaximum) -> ApiError {
        let message =
            format!("the request reaches past digit {maximum}, the most this service computes");
        ApiError {
            max_digits: Some(maximum),
            ..ApiError::new(422, "beyond-maximum", message)
        }
    }

    /// The JSON reply for this error.
    pub fn reply(&self) -> Reply {
        let mut body = json!({ "error": self.code, "message": self.message });
        if let Some(maximum) = self.max_digits {
            body["max_digits"] = maximum.into();
        }
        let mut reply = Reply::new(
            self.status,
            "application/json",
            CACHE_NEVER,
            body.to_string().into_bytes(),
        );
        if self.status == 405 {
            reply.headers.push(("allow", "GET".to_owned()));
        }
        reply
    }
}

#[cfg(test)]
mod tests {
    use super::accepts_gzip;

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
