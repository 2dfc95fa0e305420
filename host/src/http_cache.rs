//! A shared HTTP cache in front of the app, as a cache in front of a
//! server would be (RFC 9111): `GET` answers the app marks `public` with a
//! `max-age` are kept in memory, bounded in bytes and evicted
//! least-recently-used (moka), so a repeated request is answered without
//! instantiating the guest. Per server process: lost on restart.
//!
//! Keys are the path and query with the two request headers our app's
//! answers vary on, `Accept` and `Accept-Encoding`; an answer that varies
//! on any other header is not kept, so a key never serves a variant made
//! for another request.

use std::time::{Duration, Instant};

use http_body_util::BodyExt as _;
use hyper::body::{Body, Bytes, Frame, SizeHint};
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::{Method, StatusCode};
use moka::Expiry;
use moka::policy::EvictionPolicy;
use moka::sync::Cache;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use wasmtime_wasi_http::p2::body::HyperOutgoingBody;

/// What an entry costs beyond its body and headers: the key, the entry's
/// fields and moka's bookkeeping, roughly.
const ENTRY_OVERHEAD: usize = 256;

/// The request headers an answer may vary on and still be kept: each is
/// part of the key.
const KEYED_HEADERS: [header::HeaderName; 2] = [header::ACCEPT, header::ACCEPT_ENCODING];

/// The in-memory cache of one server process.
#[derive(Clone)]
pub(crate) struct HttpCache {
    entries: Cache<Key, Arc<Entry>>,
    /// The largest answer kept: a quarter of the cache, so that one answer
    /// never evicts everything else.
    max_entry: usize,
}

/// What identifies a stored answer.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Key {
    path_and_query: String,
    keyed_headers: [Option<HeaderValue>; 2],
}

/// A stored answer.
struct Entry {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
    stored: Instant,
    max_age: Duration,
}

/// Entries expire when the answer's own `max-age` says.
struct MaxAge;

impl Expiry<Key, Arc<Entry>> for MaxAge {
    fn expire_after_create(
        &self,
        _key: &Key,
        entry: &Arc<Entry>,
        _created_at: Instant,
    ) -> Option<Duration> {
        Some(entry.max_age)
    }
}

impl HttpCache {
    /// A cache of at most `max_bytes` (bodies, headers and bookkeeping), or
    /// none for 0.
    pub(crate) fn new(max_bytes: u64) -> Option<HttpCache> {
        if max_bytes == 0 {
            return None;
        }
        let entries = Cache::builder()
            .max_capacity(max_bytes)
            .weigher(|_key: &Key, entry: &Arc<Entry>| {
                u32::try_from(entry.weight()).unwrap_or(u32::MAX)
            })
            .eviction_policy(EvictionPolicy::lru())
            .expire_after(MaxAge)
            .build();
        Some(HttpCache {
            entries,
            max_entry: usize::try_from(max_bytes / 4).unwrap_or(usize::MAX),
        })
    }

    /// The key under which an answer to `request` may be stored or found;
    /// `None` for requests a shared cache does not answer: not `GET` or
    /// `HEAD`, with credentials, or asking for a fresh answer.
    pub(crate) fn key<B>(request: &hyper::Request<B>) -> Option<Key> {
        if request.method() != Method::GET && request.method() != Method::HEAD {
            return None;
        }
        let headers = request.headers();
        let bypass = headers.get_all(header::CACHE_CONTROL).iter().any(|value| {
            directives(value).any(|(name, _)| name == "no-cache" || name == "no-store")
        });
        if bypass || headers.contains_key(header::AUTHORIZATION) {
            return None;
        }
        Some(Key {
            path_and_query: request
                .uri()
                .path_and_query()
                .map_or("/", |path| path.as_str())
                .to_owned(),
            keyed_headers: KEYED_HEADERS.map(|name| headers.get(name).cloned()),
        })
    }

    /// The stored answer to a request with `key`, with its `Age`: for
    /// `HEAD` without the body; a 304 without one if `if_none_match` (the
    /// request's `If-None-Match`) names the stored answer's `ETag`.
    pub(crate) fn lookup(
        &self,
        key: &Key,
        method: &Method,
        if_none_match: Option<&HeaderValue>,
    ) -> Option<hyper::Response<HyperOutgoingBody>> {
        let entry = self.entries.get(key)?;
        let not_modified = if_none_match.is_some_and(|tags| entry.matches(tags));
        let mut response = hyper::Response::new(if method == Method::HEAD || not_modified {
            empty_body()
        } else {
            full_body(entry.body.clone())
        });
        *response.status_mut() = entry.status;
        *response.headers_mut() = entry.headers.clone();
        if not_modified {
            // RFC 9110 15.4.5: what a 200 would have said about the
            // answer, not about its body.
            *response.status_mut() = StatusCode::NOT_MODIFIED;
            for name in [
                header::CONTENT_LENGTH,
                header::CONTENT_TYPE,
                header::CONTENT_ENCODING,
            ] {
                response.headers_mut().remove(name);
            }
            response.headers_mut().insert(
                header::AGE,
                HeaderValue::from(entry.stored.elapsed().as_secs()),
            );
            return Some(response);
        }
        response.headers_mut().insert(
            header::AGE,
            HeaderValue::from(entry.stored.elapsed().as_secs()),
        );
        if method == Method::HEAD {
            response
                .headers_mut()
                .insert(header::CONTENT_LENGTH, HeaderValue::from(entry.body.len()));
        }
        Some(response)
    }

    /// Passes `response` on; if a shared cache may keep it, its body is
    /// kept as it streams to the client and the whole answer stored at its
    /// end (not if the client goes away first, or it is too long).
    pub(crate) fn store(
        &self,
        key: Key,
        method: &Method,
        response: hyper::Response<HyperOutgoingBody>,
    ) -> hyper::Response<HyperOutgoingBody> {
        if method != Method::GET {
            return response;
        }
        let Some(max_age) = storable(&response) else {
            return response;
        };
        let (parts, body) = response.into_parts();
        let mut headers = parts.headers.clone();
        // Hop-by-hop, or of this one transfer.
        headers.remove(header::CONNECTION);
        headers.remove(header::TRANSFER_ENCODING);
        let length = headers
            .get(header::CONTENT_LENGTH)
            .and_then(|length| length.to_str().ok()?.parse().ok());
        let pending = Pending {
            length,
            body: Vec::with_capacity(length.unwrap_or(0).min(self.max_entry)),
            cache: self.clone(),
            key,
            status: parts.status,
            headers,
            max_age,
        };
        let body = StoringBody {
            body,
            pending: Some(pending),
        };
        hyper::Response::from_parts(parts, body.boxed_unsync())
    }

    #[cfg(test)]
    fn weighted_size(&self) -> u64 {
        self.entries.run_pending_tasks();
        self.entries.weighted_size()
    }
}

impl Entry {
    /// Whether an `If-None-Match` value names this answer's entity tag:
    /// `*`, or a listed tag equal to it in the weak comparison (RFC 9110
    /// 13.1.2: `W/` aside).
    fn matches(&self, if_none_match: &HeaderValue) -> bool {
        let Some(etag) = self
            .headers
            .get(header::ETAG)
            .and_then(|tag| tag.to_str().ok())
        else {
            return false;
        };
        let opaque = |tag: &str| tag.trim().trim_start_matches("W/").to_owned();
        if_none_match.to_str().is_ok_and(|tags| {
            tags.trim() == "*" || tags.split(',').any(|tag| opaque(tag) == opaque(etag))
        })
    }

    fn weight(&self) -> usize {
        let headers: usize = self
            .headers
            .iter()
            .map(|(name, value)| name.as_str().len() + value.len())
            .sum();
        self.body.len() + headers + ENTRY_OVERHEAD
    }
}

/// How long a shared cache may keep `response`: a 200 marked `public` with
/// a `max-age` (or `s-maxage`), neither `private`, `no-store` nor
/// `no-cache`, setting no cookie, varying on no header outside the key.
fn storable(response: &hyper::Response<HyperOutgoingBody>) -> Option<Duration> {
    if response.status() != StatusCode::OK {
        return None;
    }
    let headers = response.headers();
    if headers.contains_key(header::SET_COOKIE) {
        return None;
    }
    let varies_elsewhere = headers.get_all(header::VARY).iter().any(|value| {
        value.to_str().map_or(true, |value| {
            value.split(',').map(str::trim).any(|name| {
                !KEYED_HEADERS
                    .iter()
                    .any(|keyed| keyed.as_str().eq_ignore_ascii_case(name))
            })
        })
    });
    if varies_elsewhere {
        return None;
    }
    let mut public = false;
    let mut max_age = None;
    let mut shared_max_age = None;
    for value in headers.get_all(header::CACHE_CONTROL) {
        for (name, argument) in directives(value) {
            match name.as_str() {
                "public" => public = true,
                "private" | "no-store" | "no-cache" => return None,
                "max-age" => max_age = argument.and_then(|seconds| seconds.parse().ok()),
                "s-maxage" => shared_max_age = argument.and_then(|seconds| seconds.parse().ok()),
                _ => {}
            }
        }
    }
    let seconds: u64 = shared_max_age.or(max_age).filter(|_| public)?;
    (seconds > 0).then(|| Duration::from_secs(seconds))
}

/// A `Cache-Control` value's directives: lower-case names, with their
/// arguments unquoted.
fn directives(value: &HeaderValue) -> impl Iterator<Item = (String, Option<&str>)> {
    value
        .to_str()
        .unwrap_or_default()
        .split(',')
        .filter(|directive| !directive.trim().is_empty())
        .map(|directive| {
            let (name, argument) = match directive.split_once('=') {
                Some((name, argument)) => (name, Some(argument.trim().trim_matches('"'))),
                None => (directive, None),
            };
            (name.trim().to_ascii_lowercase(), argument)
        })
}

/// An answer on its way into the cache.
struct Pending {
    cache: HttpCache,
    key: Key,
    status: StatusCode,
    headers: HeaderMap,
    max_age: Duration,
    /// The `Content-Length` the head declared, if any.
    length: Option<usize>,
    body: Vec<u8>,
}

impl StoringBody {
    /// Stores the answer, now that its body has ended.
    fn finish(&mut self) {
        if let Some(pending) = self.pending.take() {
            let entry = Entry {
                status: pending.status,
                headers: pending.headers,
                // Exactly its length: the capacity of a grown Vec can be
                // twice that, and would be held, unweighed, for as long.
                body: Bytes::from(pending.body.into_boxed_slice()),
                stored: Instant::now(),
                max_age: pending.max_age,
            };
            pending.cache.entries.insert(pending.key, Arc::new(entry));
        }
    }
}

/// The guest's body, passed on frame by frame and kept until it ends.
struct StoringBody {
    body: HyperOutgoingBody,
    /// `None` once the answer is stored, or will not be.
    pending: Option<Pending>,
}

impl Body for StoringBody {
    type Data = Bytes;
    type Error = <HyperOutgoingBody as Body>::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        // Both fields are Unpin, so is the body.
        let this = self.get_mut();
        let frame = Pin::new(&mut this.body).poll_frame(cx);
        match &frame {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(pending) = &mut this.pending {
                    match frame.data_ref() {
                        Some(data)
                            if pending.body.len() + data.len() <= pending.cache.max_entry =>
                        {
                            pending.body.extend_from_slice(data)
                        }
                        // Too long, or trailers: not kept.
                        _ => this.pending = None,
                    }
                }
                // Hyper stops polling once it has sent the length the
                // head declared, or the body says it has ended.
                let complete = this
                    .pending
                    .as_ref()
                    .is_some_and(|pending| pending.length == Some(pending.body.len()));
                if complete || this.body.is_end_stream() {
                    this.finish();
                }
            }
            Poll::Ready(Some(Err(_))) => this.pending = None,
            Poll::Ready(None) => this.finish(),
            Poll::Pending => {}
        }
        frame
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

fn full_body(bytes: Bytes) -> HyperOutgoingBody {
    http_body_util::Full::new(bytes)
        .map_err(|never| match never {})
        .boxed_unsync()
}

fn empty_body() -> HyperOutgoingBody {
    http_body_util::Empty::new()
        .map_err(|never| match never {})
        .boxed_unsync()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(uri: &str) -> hyper::Request<()> {
        hyper::Request::get(uri).body(()).unwrap()
    }

    fn response(cache_control: &str, body: &'static str) -> hyper::Response<HyperOutgoingBody> {
        hyper::Response::builder()
            .header(header::CACHE_CONTROL, cache_control)
            .header(header::CONTENT_TYPE, "application/json")
            .body(full_body(Bytes::from_static(body.as_bytes())))
            .unwrap()
    }

    /// Sends `response` through the cache to a client that reads it all,
    /// as hyper does: frames until the body says it has ended.
    fn pass(cache: &HttpCache, key: &Key, response: hyper::Response<HyperOutgoingBody>) -> Bytes {
        let passed = cache.store(key.clone(), &Method::GET, response);
        let mut body = passed.into_body();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let mut bytes = Vec::new();
        while !body.is_end_stream() {
            let Some(frame) = runtime.block_on(body.frame()) else {
                break;
            };
            bytes.extend_from_slice(&frame.unwrap().into_data().unwrap());
        }
        Bytes::from(bytes)
    }

    #[test]
    fn public_answers_with_a_max_age_are_kept_and_served_with_an_age() {
        let cache = HttpCache::new(1 << 20).unwrap();
        let key = HttpCache::key(&request("/api/histogram?n=10")).unwrap();
        assert!(cache.lookup(&key, &Method::GET, None).is_none());
        let body = pass(
            &cache,
            &key,
            response("public, max-age=60, immutable", "[0,2]"),
        );
        assert_eq!(body, "[0,2]");
        let hit = cache.lookup(&key, &Method::GET, None).expect("kept");
        assert_eq!(hit.headers()[header::AGE], "0");
        assert_eq!(hit.headers()[header::CONTENT_TYPE], "application/json");
        let head = cache.lookup(&key, &Method::HEAD, None).expect("kept");
        assert!(head.body().is_end_stream(), "HEAD has no body");
        assert_eq!(head.headers()[header::CONTENT_LENGTH], "5");
    }

    #[test]
    fn a_request_naming_the_stored_entity_tag_gets_304() {
        let cache = HttpCache::new(1 << 20).unwrap();
        let key = HttpCache::key(&request("/api/info")).unwrap();
        let mut tagged = response("public, max-age=60", "{}");
        tagged
            .headers_mut()
            .insert(header::ETAG, HeaderValue::from_static("\"abc\""));
        pass(&cache, &key, tagged);
        for tags in ["\"abc\"", "W/\"abc\"", "\"x\", \"abc\"", "*"] {
            let hit = cache
                .lookup(&key, &Method::GET, Some(&HeaderValue::from_static(tags)))
                .unwrap();
            assert_eq!(hit.status(), StatusCode::NOT_MODIFIED, "{tags}");
            assert!(hit.body().is_end_stream());
            assert_eq!(hit.headers()[header::ETAG], "\"abc\"");
        }
        let other = cache
            .lookup(&key, &Method::GET, Some(&HeaderValue::from_static("\"x\"")))
            .unwrap();
        assert_eq!(other.status(), StatusCode::OK);
    }

    #[test]
    fn private_unstored_errors_and_other_variants_are_not_kept() {
        let cache = HttpCache::new(1 << 20).unwrap();
        for (i, cache_control) in [
            "no-store",
            "private, max-age=60",
            "public",
            "max-age=60",
            "public, max-age=60, no-cache",
        ]
        .into_iter()
        .enumerate()
        {
            let key = HttpCache::key(&request(&format!("/{i}"))).unwrap();
            pass(&cache, &key, response(cache_control, "x"));
            assert!(
                cache.lookup(&key, &Method::GET, None).is_none(),
                "{cache_control}"
            );
        }
        let key = HttpCache::key(&request("/error")).unwrap();
        let mut error = response("public, max-age=60", "{}");
        *error.status_mut() = StatusCode::BAD_REQUEST;
        pass(&cache, &key, error);
        assert!(cache.lookup(&key, &Method::GET, None).is_none(), "an error");
        let key = HttpCache::key(&request("/vary")).unwrap();
        let mut varies = response("public, max-age=60", "{}");
        varies
            .headers_mut()
            .insert(header::VARY, HeaderValue::from_static("cookie"));
        pass(&cache, &key, varies);
        assert!(
            cache.lookup(&key, &Method::GET, None).is_none(),
            "varies on a cookie"
        );
    }

    #[test]
    fn requests_for_a_fresh_answer_or_with_credentials_bypass_the_cache() {
        let fresh = hyper::Request::get("/")
            .header(header::CACHE_CONTROL, "no-cache")
            .body(())
            .unwrap();
        assert!(HttpCache::key(&fresh).is_none());
        let authorized = hyper::Request::get("/")
            .header(header::AUTHORIZATION, "Basic eDp5")
            .body(())
            .unwrap();
        assert!(HttpCache::key(&authorized).is_none());
        let post = hyper::Request::post("/").body(()).unwrap();
        assert!(HttpCache::key(&post).is_none());
        let accepts = hyper::Request::get("/")
            .header(header::ACCEPT, "text/plain")
            .body(())
            .unwrap();
        assert_ne!(
            HttpCache::key(&accepts),
            HttpCache::key(&request("/")),
            "Accept is keyed"
        );
    }

    #[test]
    fn the_byte_bound_holds_over_many_distinct_answers() {
        let max_bytes = 64 * 1024;
        let cache = HttpCache::new(max_bytes).unwrap();
        let body: &'static str = "1".repeat(1000).leak();
        for i in 0..1000 {
            let key = HttpCache::key(&request(&format!("/api/digits?n={i}"))).unwrap();
            pass(&cache, &key, response("public, max-age=60", body));
        }
        let size = cache.weighted_size();
        assert!(size <= max_bytes, "{size} bytes kept, at most {max_bytes}");
        assert!(size > max_bytes / 2, "the cache is used: {size} bytes");
        let newest = HttpCache::key(&request("/api/digits?n=999")).unwrap();
        assert!(
            cache.lookup(&newest, &Method::GET, None).is_some(),
            "the newest is kept"
        );
        let oldest = HttpCache::key(&request("/api/digits?n=0")).unwrap();
        assert!(
            cache.lookup(&oldest, &Method::GET, None).is_none(),
            "the oldest is evicted"
        );
        let too_long = HttpCache::key(&request("/too-long")).unwrap();
        let long: &'static str = "1".repeat(max_bytes as usize / 2).leak();
        pass(&cache, &too_long, response("public, max-age=60", long));
        assert!(
            cache.lookup(&too_long, &Method::GET, None).is_none(),
            "over a quarter of the cache"
        );
    }
}
