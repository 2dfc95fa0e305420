//! The server's HTTP cache, seen by a client: a repeated request for an
//! answer the app marks public is answered from the cache, byte for byte
//! the answer the guest gave but for its `Age`; errors and answers marked
//! otherwise are computed every time; `--http-cache 0` keeps nothing.

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::process::Command;
use std::time::Duration;

use pi_digits_testkit::{SERVING, Server};

fn serve(settings: &[&str], env: &[(&str, &str)]) -> Server {
    let mut command = Command::new(env!("CARGO_BIN_EXE_pi-digits"));
    command
        .arg("serve")
        .args(settings)
        .args(["--addr", "127.0.0.1:0", "--cache-dir", "none"])
        .envs(env.iter().copied());
    Server::start(command, SERVING)
}

/// The response's bytes, exactly as the server sent them, to a request
/// for `target` with `headers` (each a full `Name: value` line).
fn raw_get(server: &Server, target: &str, headers: &[&str]) -> String {
    let mut stream = TcpStream::connect(server.addr()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let mut request = format!("GET {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
    for header in headers {
        request.push_str(header);
        request.push_str("\r\n");
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    String::from_utf8(response).unwrap()
}

/// A response's status line and header lines (lower-cased names, sorted:
/// wasi:http keeps no order), and its body; `Date` (the time of sending)
/// left out.
fn split(response: &str) -> (Vec<String>, &str) {
    let (head, body) = response.split_once("\r\n\r\n").expect("a complete head");
    let mut lines: Vec<String> = head
        .lines()
        .map(|line| match line.split_once(':') {
            Some((name, value)) => format!("{}:{value}", name.to_ascii_lowercase()),
            None => line.to_owned(),
        })
        .filter(|line| !line.starts_with("date:"))
        .collect();
    lines[1..].sort();
    (lines, body)
}

fn age(lines: &[String]) -> Option<&str> {
    lines
        .iter()
        .find_map(|line| line.strip_prefix("age:").map(str::trim))
}

#[test]
fn a_cached_answer_is_the_fresh_answer_with_an_age() {
    let server = serve(&[], &[]);
    let cases: [(&str, &[&str]); 4] = [
        ("/api/histogram?n=100", &[]),
        ("/api/digits?n=1000", &[]),
        ("/api/digits?n=1000", &["Accept: text/plain"]),
        ("/api/digits?offset=5&length=20", &[]),
    ];
    for (target, headers) in cases {
        let fresh = raw_get(&server, target, headers);
        let (fresh, fresh_body) = split(&fresh);
        assert_eq!(fresh[0], "HTTP/1.1 200 OK", "{target}");
        assert_eq!(
            age(&fresh),
            None,
            "the first answer is the guest's: {target}"
        );
        let cached = raw_get(&server, target, headers);
        let (mut cached, cached_body) = split(&cached);
        assert_eq!(
            age(&cached),
            Some("0"),
            "from the cache: {target} {headers:?}"
        );
        cached.retain(|line| !line.starts_with("age:"));
        assert_eq!(cached, fresh, "{target} {headers:?}");
        assert_eq!(cached_body, fresh_body, "{target} {headers:?}");
    }
    // Accept is part of the key: the JSON and the text answers differ.
    let json = raw_get(&server, "/api/digits?n=10", &[]);
    let text = raw_get(&server, "/api/digits?n=10", &["Accept: text/plain"]);
    assert_ne!(split(&json).1, split(&text).1);
}

#[test]
fn errors_and_answers_not_marked_public_are_computed_every_time() {
    let server = serve(&["--max-digits", "1000"], &[]);
    for target in [
        "/api/histogram?n=abc",
        "/api/histogram?n=1001",
        "/api/nowhere",
        "/",
    ] {
        let (first, _) = split(&raw_get(&server, target, &[]));
        let (second, _) = split(&raw_get(&server, target, &[]));
        assert_eq!(age(&first), None, "{target}");
        assert_eq!(age(&second), None, "never from the cache: {target}");
        assert_eq!(first, second, "{target}");
    }
    // A client that asks for a fresh answer gets one.
    raw_get(&server, "/api/histogram?n=10", &[]);
    let (fresh, _) = split(&raw_get(
        &server,
        "/api/histogram?n=10",
        &["Cache-Control: no-cache"],
    ));
    assert_eq!(age(&fresh), None);
}

#[test]
fn a_cache_of_zero_bytes_keeps_nothing() {
    for server in [
        serve(&["--http-cache", "0"], &[]),
        serve(&[], &[("PI_DIGITS_HTTP_CACHE", "0")]),
    ] {
        raw_get(&server, "/api/histogram?n=100", &[]);
        let (second, _) = split(&raw_get(&server, "/api/histogram?n=100", &[]));
        assert_eq!(second[0], "HTTP/1.1 200 OK");
        assert_eq!(age(&second), None, "no cache");
    }
}
