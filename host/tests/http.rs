//! One HTTP suite against every host of the app: the host's own `serve`,
//! `wasmtime serve` on the composed component, and `spin up` when `spin`
//! is on PATH. Every host must give identical answers.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;

use pi_digits_testkit::{
    Reference, SERVING, Server, WASMTIME_SERVING, agent, run, stdout, wasmtime_cli,
};
use serde_json::{Value, json};

/// What a host answered: status, content type, cache policy, validator,
/// CORS and body.
#[derive(Debug, Clone, PartialEq)]
struct Answer {
    status: u16,
    content_type: String,
    cache_control: String,
    etag: String,
    allow_origin: String,
    body: String,
}

fn fetch(method: &str, url: &str, accept: Option<&str>) -> Answer {
    let mut request = agent().request(method, url);
    if let Some(accept) = accept {
        request = request.set("accept", accept);
    }
    let response = match request.call() {
        Ok(response) | Err(ureq::Error::Status(_, response)) => response,
        Err(error) => panic!("{method} {url}: {error}"),
    };
    let header = |name| response.header(name).unwrap_or_default().to_owned();
    Answer {
        status: response.status(),
        content_type: header("content-type"),
        cache_control: header("cache-control"),
        etag: header("etag"),
        allow_origin: header("access-control-allow-origin"),
        body: response.into_string().unwrap(),
    }
}

/// A response as it came over the wire.
#[derive(Debug)]
struct Wire {
    status: u16,
    /// Names lowercased, sorted (hosts send them in no fixed order), but
    /// `date`, which differs from one second to the next.
    headers: Vec<(String, String)>,
    /// Every byte after the head, until the server closed.
    after_head: Vec<u8>,
}

impl Wire {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

/// One request on a connection of its own, read to the end: what a host
/// sends after a HEAD or a 304's head, ureq would not show.
fn on_the_wire(base: &str, method: &str, target: &str, headers: &[(&str, &str)]) -> Wire {
    let address = base.strip_prefix("http://").unwrap();
    let mut stream = TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(120)))
        .unwrap();
    let mut request =
        format!("{method} {target} HTTP/1.1\r\nhost: {address}\r\nconnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes).unwrap();
    let end = bytes
        .windows(4)
        .position(|window| window == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("{method} {target}: no complete head"));
    let head = String::from_utf8(bytes[..end].to_vec()).unwrap();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let mut headers: Vec<_> = lines
        .map(|line| {
            let (name, value) = line.split_once(':').unwrap();
            (name.to_ascii_lowercase(), value.trim().to_owned())
        })
        // The time of sending; and the age a cache in front of the app
        // adds (our server's answers a repeated request: http_cache.rs).
        .filter(|(name, _)| name != "date" && name != "age")
        .collect();
    headers.sort();
    Wire {
        status,
        headers,
        after_head: bytes[end + 4..].to_vec(),
    }
}

fn json_of(answer: &Answer) -> Value {
    assert_eq!(answer.content_type, "application/json", "{answer:?}");
    serde_json::from_str(&answer.body).unwrap()
}

/// Runs the suite on one host and returns every answer, for comparison.
fn suite(base: &str) -> Vec<Answer> {
    let reference = Reference::load();
    let mut answers = Vec::new();
    let mut get = |target: &str| {
        let answer = fetch("GET", &format!("{base}{target}"), None);
        answers.push(answer.clone());
        answer
    };

    let answer = get("/api/digits?n=1000");
    assert_eq!(answer.status, 200);
    assert_eq!(
        json_of(&answer),
        json!({ "n": 1000, "digits": reference.prefix(1000) })
    );
    assert!(answer.cache_control.contains("immutable"), "{answer:?}");

    let answer = get("/api/digits?offset=30000&length=100");
    let expected =
        json!({ "offset": 30000, "length": 100, "digits": reference.window(30_000, 100) });
    assert_eq!(json_of(&answer), expected);

    // Every request is a fresh instance: a million digits come from the
    // component's snapshot.
    for n in [0, 10, 100, 1_000, 1_024, 10_000, 30_000, 100_000, 1_000_000] {
        let answer = get(&format!("/api/histogram?n={n}"));
        assert_eq!(answer.status, 200);
        assert_eq!(
            json_of(&answer),
            json!({ "n": n, "counts": reference.histogram(n) })
        );
    }
    assert_eq!(
        json_of(&get("/api/info")),
        json!({ "max_digits": 10_000_000 })
    );

    let answer = get("/api/digits?n=30&format=text");
    assert_eq!(
        (answer.status, answer.body.as_str()),
        (200, reference.prefix(30))
    );
    assert_eq!(answer.content_type, "text/plain; charset=utf-8");
    let text = fetch(
        "GET",
        &format!("{base}/api/digits?n=30"),
        Some("text/plain"),
    );
    assert_eq!(text.body, reference.prefix(30));

    let page = get("/");
    assert_eq!(
        (page.status, page.content_type.as_str()),
        (200, "text/html; charset=utf-8")
    );
    for asset in ["/app.js", "/style.css"] {
        assert_eq!(get(asset).status, 200, "{asset}");
    }

    // The page's in-browser mode: the worker and the pi component
    // transpiled to an ES module with the core wasm it loads. The component
    // imports nothing, so there is no WASI shim.
    assert_eq!(get("/browser/wasi.js").status, 404);
    for file in ["worker.js", "pi_digits.js"] {
        let answer = get(&format!("/browser/{file}"));
        assert_eq!(
            (answer.status, answer.content_type.as_str()),
            (200, "text/javascript; charset=utf-8"),
            "{file}"
        );
    }
    let core = agent()
        .get(&format!("{base}/browser/pi_digits.core.wasm"))
        .call()
        .unwrap();
    assert_eq!(core.header("content-type"), Some("application/wasm"));
    let mut module = Vec::new();
    core.into_reader().read_to_end(&mut module).unwrap();
    assert!(module.starts_with(b"\0asm\x01\0\0\0"), "a core wasm module");
    // Compressed for a client that takes gzip: the same bytes, a third the size.
    let compressed = agent()
        .get(&format!("{base}/browser/pi_digits.core.wasm"))
        .set("accept-encoding", "br, gzip")
        .call()
        .unwrap();
    assert_eq!(compressed.header("content-encoding"), Some("gzip"));
    assert_eq!(compressed.header("vary"), Some("accept-encoding"));
    let mut gzip = Vec::new();
    compressed.into_reader().read_to_end(&mut gzip).unwrap();
    assert!(
        gzip.len() < module.len() / 2,
        "{} of {} bytes",
        gzip.len(),
        module.len()
    );
    let mut unzipped = Vec::new();
    flate2::read::GzDecoder::new(&gzip[..])
        .read_to_end(&mut unzipped)
        .unwrap();
    assert!(unzipped == module, "gzip holds the same module");
    assert_eq!(get("/browser/other.js").status, 404);

    // Past the 1,024 bytes a query may have, valid as it is.
    let long_query = format!("/api/digits?n=1{}", "0".repeat(1_030));
    for (target, status, code) in [
        ("/api/digits", 400, "missing-parameter"),
        ("/api/digits?n=-5", 400, "invalid-number"),
        ("/api/digits?n=3.14", 400, "invalid-number"),
        ("/api/digits?n=ten", 400, "invalid-number"),
        ("/api/digits?n=99999999999999999999", 400, "invalid-number"),
        ("/api/histogram?n=1&n=2", 400, "repeated-parameter"),
        ("/api/histogram?n=1&x=2", 400, "unknown-parameter"),
        ("/api/digits?n=%FF", 400, "invalid-query"),
        ("/api/digits?n=10000001", 422, "beyond-maximum"),
        ("/api/digits?offset=9999999&length=2", 422, "beyond-maximum"),
        (
            "/api/histogram?n=18446744073709551615",
            422,
            "beyond-maximum",
        ),
        ("/no/such/route", 404, "not-found"),
        (&long_query, 414, "query-too-long"),
    ] {
        let answer = get(target);
        assert_eq!(answer.status, status, "{target}: {answer:?}");
        assert_eq!(json_of(&answer)["error"], code, "{target}");
        assert_eq!(answer.cache_control, "no-store", "a refusal: {target}");
    }
    assert_eq!(
        json_of(&get("/api/digits?n=10000001"))["max_digits"],
        10_000_000
    );

    for method in ["POST", "PUT", "DELETE"] {
        let answer = fetch(method, &format!("{base}/api/digits?n=5"), None);
        assert_eq!(answer.status, 405, "{method}");
        assert_eq!(json_of(&answer)["error"], "method-not-allowed");
        let wire = on_the_wire(base, method, "/api/search?q=1", &[]);
        assert_eq!(wire.header("allow"), Some("GET, HEAD, OPTIONS"), "{method}");
        answers.push(answer);
    }

    answers.extend(search(base));
    answers.extend(pi_delivery(base));
    conventions(base);
    answers
}

/// `/api/search`: the first position, the count and the digits around it,
/// from the reference; bad patterns refused with their code.
fn search(base: &str) -> Vec<Answer> {
    let reference = Reference::load();
    let mut answers = Vec::new();
    let mut get = |target: &str| {
        let answer = fetch("GET", &format!("{base}{target}"), None);
        answers.push(answer.clone());
        answer
    };
    // A birthday, 14 March 2019, in the default first million (past the
    // reference's stored digits: their context is checked by the window).
    let expected = reference
        .searches_in(1_000_000)
        .find(|case| case.pattern == "140319")
        .unwrap();
    let answer = get("/api/search?q=140319");
    assert_eq!(answer.status, 200, "{answer:?}");
    assert!(answer.cache_control.contains("immutable"), "{answer:?}");
    let body = json_of(&answer);
    let position = expected.position.unwrap();
    assert_eq!(
        (&body["q"], &body["n"], &body["position"], &body["count"]),
        (
            &json!("140319"),
            &json!(1_000_000),
            &json!(position),
            &json!(expected.count)
        )
    );
    let window = json_of(&get(&format!(
        "/api/digits?offset={}&length=46",
        position - 20
    )));
    let around = format!(
        "{}140319{}",
        body["before"].as_str().unwrap(),
        body["after"].as_str().unwrap()
    );
    assert_eq!(window["digits"], around);

    // The Feynman point, with the reference's digits either side.
    let body = json_of(&get("/api/search?q=999999&n=1000"));
    let feynman = reference
        .searches_in(1_000)
        .find(|case| case.pattern == "999999")
        .unwrap();
    assert_eq!(body["position"], json!(feynman.position));
    assert_eq!(body["count"], feynman.count);
    let position = feynman.position.unwrap();
    assert_eq!(body["before"], reference.window(position - 20, 20));
    assert_eq!(body["after"], reference.window(position + 6, 20));

    // Not among the first 100,000.
    let body = json_of(&get("/api/search?q=140319&n=100000"));
    assert_eq!(
        body,
        json!({ "q": "140319", "n": 100_000, "position": null, "count": 0, "before": "", "after": "" })
    );

    let too_long = format!("/api/search?q={}", "1".repeat(101));
    for (target, status, code, problem) in [
        (
            "/api/search?q=14a319",
            400,
            "invalid-pattern",
            Some("not-a-digit"),
        ),
        ("/api/search?q=", 400, "invalid-pattern", Some("empty")),
        (&too_long, 400, "invalid-pattern", Some("too-long")),
        // A bad pattern is refused whatever n is, before the host's limit.
        (
            "/api/search?q=x&n=99999999999",
            400,
            "invalid-pattern",
            Some("not-a-digit"),
        ),
        ("/api/search?n=10", 400, "missing-parameter", None),
        ("/api/search?q=1&n=10000001", 422, "beyond-maximum", None),
    ] {
        let answer = get(target);
        assert_eq!(answer.status, status, "{target}: {answer:?}");
        let body = json_of(&answer);
        assert_eq!(body["error"], code, "{target}");
        assert_eq!(body["problem"].as_str(), problem, "{target}");
        assert_eq!(answer.cache_control, "no-store", "{target}");
    }
    answers
}

/// `/v1/pi`, as pi.delivery's clients call it.
fn pi_delivery(base: &str) -> Vec<Answer> {
    let reference = Reference::load();
    let mut answers = Vec::new();
    for (target, content) in [
        ("/v1/pi?start=0&numberOfDigits=10", reference.prefix(10)),
        ("/v1/pi", reference.prefix(100)),
        (
            "/v1/pi?start=50000&numberOfDigits=1000&radix=10",
            reference.window(50_000, 1_000),
        ),
    ] {
        let answer = fetch("GET", &format!("{base}{target}"), None);
        assert_eq!(answer.status, 200, "{target}: {answer:?}");
        assert_eq!(json_of(&answer), json!({ "content": content }), "{target}");
        answers.push(answer);
    }
    for (target, status, code) in [
        ("/v1/pi?radix=16", 400, "unsupported-radix"),
        ("/v1/pi?start=x", 400, "invalid-number"),
        (
            "/v1/pi?start=9999999&numberOfDigits=2",
            422,
            "beyond-maximum",
        ),
    ] {
        let answer = fetch("GET", &format!("{base}{target}"), None);
        assert_eq!(answer.status, status, "{target}: {answer:?}");
        assert_eq!(json_of(&answer)["error"], code, "{target}");
        answers.push(answer);
    }
    answers
}

/// HEAD, validators and CORS, on the wire.
fn conventions(base: &str) {
    let targets = [
        "/",
        "/browser/pi_digits.core.wasm",
        "/api/info",
        "/api/histogram?n=10",
        "/api/digits?n=1000000",
        "/api/search?q=140319",
        "/v1/pi",
        "/api/digits?n=x",
    ];
    for target in targets {
        let get = on_the_wire(base, "GET", target, &[]);
        // HEAD: GET's status and headers, and not a byte of body.
        let head = on_the_wire(base, "HEAD", target, &[]);
        assert_eq!(head.status, get.status, "HEAD {target}");
        assert_eq!(head.headers, get.headers, "HEAD {target}");
        assert!(
            head.after_head.is_empty(),
            "HEAD {target}: a body of {} bytes",
            head.after_head.len()
        );
        if get.status != 200 {
            assert_eq!(get.header("etag"), None, "{target}: a refusal");
            continue;
        }
        let length: usize = get.header("content-length").unwrap().parse().unwrap();
        assert_eq!(get.after_head.len(), length, "{target}");

        // A strong validator: naming it, a client gets a bodiless 304.
        let etag = get
            .header("etag")
            .unwrap_or_else(|| panic!("{target}: no etag"));
        assert!(
            etag.starts_with('"') && etag.ends_with('"'),
            "{target}: {etag}"
        );
        for method in ["GET", "HEAD"] {
            let cached = on_the_wire(base, method, target, &[("if-none-match", etag)]);
            assert_eq!(cached.status, 304, "{method} {target}");
            assert!(cached.after_head.is_empty(), "{method} {target}");
            assert_eq!(cached.header("etag"), Some(etag));
            assert_eq!(cached.header("cache-control"), get.header("cache-control"));
        }
        let changed = on_the_wire(base, "GET", target, &[("if-none-match", "\"other\"")]);
        assert_eq!(
            (changed.status, changed.after_head.len()),
            (200, length),
            "{target}"
        );

        let api = target.starts_with("/api/") || target.starts_with("/v1/");
        let origin = get.header("access-control-allow-origin");
        assert_eq!(origin, api.then_some("*"), "{target}");
    }
    // The gzip of a file is another representation: another tag.
    let gzip = on_the_wire(
        base,
        "GET",
        "/browser/pi_digits.core.wasm",
        &[("accept-encoding", "gzip")],
    );
    let plain = on_the_wire(base, "GET", "/browser/pi_digits.core.wasm", &[]);
    assert_eq!(gzip.header("content-encoding"), Some("gzip"));
    assert_ne!(gzip.header("etag"), plain.header("etag"));
    assert_eq!(
        on_the_wire(base, "GET", "/api/digits?n=5", &[]).header("vary"),
        Some("accept")
    );
    assert_eq!(
        on_the_wire(base, "GET", "/api/info", &[]).header("cache-control"),
        Some("no-cache")
    );

    // A page on another origin calling the API: the preflight of a request
    // with a header that is not safelisted, then the request.
    let preflight = on_the_wire(
        base,
        "OPTIONS",
        "/api/search?q=140319",
        &[
            ("origin", "https://example.org"),
            ("access-control-request-method", "GET"),
            ("access-control-request-headers", "if-none-match"),
        ],
    );
    assert_eq!(preflight.status, 204);
    assert!(preflight.after_head.is_empty());
    assert_eq!(preflight.header("access-control-allow-origin"), Some("*"));
    assert_eq!(
        preflight.header("access-control-allow-methods"),
        Some("GET, HEAD, OPTIONS")
    );
    assert_eq!(preflight.header("access-control-allow-headers"), Some("*"));
    assert_eq!(preflight.header("access-control-max-age"), Some("86400"));
    let answer = on_the_wire(
        base,
        "GET",
        "/api/histogram?n=10",
        &[("origin", "https://example.org")],
    );
    assert_eq!(answer.header("access-control-allow-origin"), Some("*"));
    assert_eq!(answer.header("access-control-expose-headers"), Some("etag"));
    let page = on_the_wire(base, "OPTIONS", "/", &[]);
    assert_eq!(
        (page.status, page.header("allow")),
        (204, Some("GET, HEAD, OPTIONS"))
    );
    assert_eq!(page.header("access-control-allow-origin"), None);
}

fn host_serve() -> Server {
    let mut command = Command::new(env!("CARGO_BIN_EXE_pi-digits"));
    // The component's own maximum, as under the other hosts.
    command.args(["serve", "--max-digits", "10000000", "--addr", "127.0.0.1:0"]);
    Server::start(command, SERVING)
}

fn wasmtime_serve() -> Server {
    let mut command = Command::new(wasmtime_cli());
    command
        .args(["serve", "-S", "cli", "--addr", "127.0.0.1:0"])
        .arg(pi_digits_artifacts::APP_PATH);
    Server::start(command, WASMTIME_SERVING)
}

#[test]
fn every_host_serves_the_same_api() {
    let host = host_serve();
    let expected = suite(&host.base_url);
    drop(host);

    let wasmtime = wasmtime_serve();
    assert_eq!(
        suite(&wasmtime.base_url),
        expected,
        "wasmtime serve differs from the host"
    );
}

/// `spin up` on the workspace's spin.toml. Building this crate wrote the
/// components spin.toml names (`artifacts/`, the same build as `spin
/// build`, which scripts/test.sh runs too). scripts/test.sh runs the
/// ignored tests where `spin` is on PATH, and lists them as skipped where
/// it is not.
#[test]
#[ignore = "needs `spin` on PATH"]
fn spin_up_serves_the_same_api_as_the_host() {
    let host = host_serve();
    let expected = suite(&host.base_url);
    drop(host);

    let workspace = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let mut command = Command::new("spin");
    command
        .args(["up", "--listen", "127.0.0.1:0"])
        .current_dir(workspace);
    let spin = Server::start(command, SERVING);
    assert_eq!(
        suite(&spin.base_url),
        expected,
        "spin up differs from the host"
    );
}

#[test]
fn write_app_writes_the_served_component() {
    let path = std::env::temp_dir().join(format!("pi-digits-app-{}.wasm", std::process::id()));
    stdout(&run(Command::new(env!("CARGO_BIN_EXE_pi-digits"))
        .arg("write-app")
        .arg(&path)));
    let written = std::fs::read(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(
        written,
        std::fs::read(pi_digits_artifacts::APP_PATH).unwrap()
    );
}
