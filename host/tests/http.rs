//! One HTTP suite against every host of the app: the host's own `serve`,
//! `wasmtime serve` on the composed component, and `spin up` when `spin`
//! is on PATH. Every host must give identical answers.

use std::io::Read;
use std::process::Command;

use pi_digits_testkit::{
    Reference, SERVING, Server, WASMTIME_SERVING, agent, run, stdout, wasmtime_cli,
};
use serde_json::{Value, json};

/// What a host answered: status, content type, cache policy and body.
#[derive(Debug, Clone, PartialEq)]
struct Answer {
    status: u16,
    content_type: String,
    cache_control: String,
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
    Answer {
        status: response.status(),
        content_type: response
            .header("content-type")
            .unwrap_or_default()
            .to_owned(),
        cache_control: response
            .header("cache-control")
            .unwrap_or_default()
            .to_owned(),
        body: response.into_string().unwrap(),
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
        answers.push(answer);
    }
    answers
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
