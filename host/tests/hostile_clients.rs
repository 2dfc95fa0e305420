//! The server against hostile clients: half-sent request heads by the
//! hundred under a small file limit, idle keep-alive connections, a
//! shutdown while clients hold connections open, oversized request heads,
//! and uploads to routes that take no body.

use std::io::{BufReader, Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Command, ExitStatus};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use pi_digits_testkit::{Reference, SERVING, Server, agent, run};
use sha2::{Digest as _, Sha256};
use tempfile::NamedTempFile;

/// A request head cut short: the blank line that ends it never comes.
const HALF_SENT: &[u8] = b"GET /api/digits?n=10 HTTP/1.1\r\nHost: localhost\r\n";

/// The server's bound on request bodies (`serve::MAX_BODY`).
const MAX_BODY: u64 = 64 * 1024;

/// A `pi-digits serve` process on a port it chose, its output kept;
/// stopped when dropped.
struct Running {
    server: Server,
    addr: SocketAddr,
}

impl Running {
    /// Starts `pi-digits serve SETTINGS`, under `ulimit -n FILES` if given,
    /// and waits until it accepts connections.
    fn start(settings: &[&str], files: Option<u32>) -> Running {
        let ulimit = files.map_or_else(String::new, |files| format!("ulimit -n {files} && "));
        let script = format!(r#"{ulimit}exec "$0" "$@""#);
        Running::spawn(&["sh", "-c", &script], settings)
    }

    /// Starts `pi-digits serve SETTINGS` under strace, which writes every
    /// successful recvfrom(2), the call that reads a socket, to `trace`.
    fn traced(settings: &[&str], trace: &Path) -> Running {
        let trace = trace.to_str().unwrap();
        Running::spawn(
            &[
                "strace",
                "-f",
                "-qq",
                "--seccomp-bpf",
                "-e",
                "trace=recvfrom",
                "-e",
                "signal=none",
                "-e",
                "status=successful",
                "-s",
                "0",
                "-o",
                trace,
                "--",
            ],
            settings,
        )
    }

    /// Runs `WRAPPER… pi-digits serve SETTINGS --addr 127.0.0.1:0`.
    fn spawn(wrapper: &[&str], settings: &[&str]) -> Running {
        let mut command = Command::new(wrapper[0]);
        command
            .args(&wrapper[1..])
            .arg(env!("CARGO_BIN_EXE_pi-digits"))
            .arg("serve")
            .args(settings)
            .args(["--addr", "127.0.0.1:0"]);
        let server = Server::start(command, SERVING);
        Running {
            addr: server.addr(),
            server,
        }
    }

    fn url(&self, target: &str) -> String {
        format!("http://{}{target}", self.addr)
    }

    /// What the server printed so far.
    fn log(&self) -> String {
        self.server.output()
    }

    fn terminate(&self) {
        self.server.signal(libc::SIGTERM);
    }

    /// The exit status, if the process ends within `patience`.
    fn wait(&mut self, patience: Duration) -> Option<ExitStatus> {
        self.server.wait(patience)
    }
}

/// A connection that has sent [`HALF_SENT`], or `None` if connecting failed.
fn half_sent(addr: SocketAddr) -> Option<TcpStream> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(1)).ok()?;
    stream.write_all(HALF_SENT).ok()?;
    Some(stream)
}

/// Whether the server has closed (or answered, before closing) `stream`,
/// which is non-blocking.
fn closed_by_server(stream: &mut TcpStream) -> bool {
    let mut buffer = [0; 1024];
    !matches!(stream.read(&mut buffer), Err(error) if error.kind() == std::io::ErrorKind::WouldBlock)
}

/// Holds `count` half-sent connections open, opening a new one for each
/// the server closes, until stopped.
struct Attack {
    stop: Arc<AtomicBool>,
    open: Arc<AtomicUsize>,
    thread: JoinHandle<usize>,
}

impl Attack {
    fn start(addr: SocketAddr, count: usize) -> Attack {
        let stop = Arc::new(AtomicBool::new(false));
        let open = Arc::new(AtomicUsize::new(0));
        let thread = std::thread::spawn({
            let (stop, open) = (Arc::clone(&stop), Arc::clone(&open));
            move || {
                let mut held: Vec<Option<TcpStream>> = (0..count).map(|_| None).collect();
                let mut cut = 0;
                while !stop.load(Ordering::Relaxed) {
                    for slot in &mut held {
                        if slot.as_mut().is_some_and(closed_by_server) {
                            *slot = None;
                            cut += 1;
                        }
                        if slot.is_none() {
                            *slot = half_sent(addr)
                                .filter(|stream| stream.set_nonblocking(true).is_ok());
                        }
                    }
                    open.store(held.iter().flatten().count(), Ordering::Relaxed);
                    std::thread::sleep(Duration::from_millis(20));
                }
                cut
            }
        });
        Attack { stop, open, thread }
    }

    /// Waits until all `count` connections are open.
    fn wait_until_open(&self, count: usize) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.open.load(Ordering::Relaxed) < count {
            assert!(
                Instant::now() < deadline,
                "could not open {count} connections"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Stops, closing every connection; how many the server had closed.
    fn stop(self) -> usize {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.join().unwrap()
    }
}

/// A response read off a connection: status, headers (names lowercased),
/// body (by its Content-Length).
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn read(reader: &mut impl std::io::BufRead) -> std::io::Result<Response> {
        let mut line = String::new();
        reader.read_line(&mut line)?;
        let status = line
            .split(' ')
            .nth(1)
            .and_then(|status| status.parse().ok())
            .ok_or_else(|| std::io::Error::other(format!("not a status line: {line:?}")))?;
        let mut headers = Vec::new();
        loop {
            line.clear();
            reader.read_line(&mut line)?;
            let Some((name, value)) = line.trim_end().split_once(':') else {
                break;
            };
            headers.push((name.to_ascii_lowercase(), value.trim().to_owned()));
        }
        let mut response = Response {
            status,
            headers,
            body: Vec::new(),
        };
        let length = response
            .header("content-length")
            .map_or(0, |n| n.parse().unwrap());
        response.body.resize(length, 0);
        reader.read_exact(&mut response.body)?;
        Ok(response)
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(found, _)| found == name)
            .map(|(_, value)| value.as_str())
    }

    fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

/// GET on a connection of its own: a kept-alive one would not queue
/// behind the attack's.
fn get_fresh(url: &str) -> Result<String, String> {
    let agent = ureq::AgentBuilder::new()
        .timeout(Duration::from_secs(10))
        .build();
    let response = agent.get(url).call().map_err(|error| error.to_string())?;
    response.into_string().map_err(|error| error.to_string())
}

#[test]
fn hundreds_of_half_sent_heads_do_not_lock_out_a_client() {
    let head_deadline = Duration::from_secs(1);
    // Under 256 files, 300 connections would exhaust the descriptors.
    let server = Running::start(&["--header-timeout", "1"], Some(256));
    let attack = Attack::start(server.addr, 300);
    attack.wait_until_open(300);
    let url = server.url("/api/digits?n=10");
    // Several rounds of the head deadline, each of which cuts the
    // attack's connections and lets it open new ones.
    let asking = Instant::now();
    let mut answers = 0;
    while asking.elapsed() < 4 * head_deadline {
        let asked = Instant::now();
        let answer = get_fresh(&url).unwrap_or_else(|error| panic!("GET {url}: {error}"));
        let waited = asked.elapsed();
        assert!(answer.contains("3141592653"), "{answer}");
        assert!(
            waited <= head_deadline + Duration::from_secs(1),
            "answered after {waited:?}, more than the head deadline and a second"
        );
        answers += 1;
    }
    let cut = attack.stop();
    assert!(
        cut >= 300,
        "the server closed only {cut} half-sent connections: no attack to speak of"
    );
    let log = server.log();
    assert!(
        log.lines().count() <= 3 && !log.contains("accepting"),
        "after {answers} answers, the server's log: {log}"
    );
}

#[test]
fn an_idle_keep_alive_connection_is_closed_after_the_header_timeout() {
    let server = Running::start(&["--header-timeout", "1"], None);
    let mut stream = TcpStream::connect(server.addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    for _ in 0..2 {
        stream
            .write_all(b"GET /api/info HTTP/1.1\r\nHost: localhost\r\n\r\n")
            .unwrap();
        let response = Response::read(&mut reader).unwrap();
        assert_eq!(response.status, 200);
        assert_eq!(response.header("connection"), None, "kept alive");
    }
    let idle = Instant::now();
    let mut rest = Vec::new();
    let end = reader.read_to_end(&mut rest);
    let held = idle.elapsed();
    assert!(
        end.is_ok(),
        "still open after {held:?}: {end:?} (the read times out after 10 s)"
    );
    assert!(
        held >= Duration::from_millis(500) && held <= Duration::from_secs(2),
        "closed after {held:?} idle, not after the header timeout of 1 s"
    );
}

#[test]
fn sigterm_closes_half_sent_heads_at_once_and_answers_the_request_in_flight() {
    // A head deadline far off: only the shutdown may close them.
    // A request that computes for a second or two: past the component's
    // snapshot (10^6 digits).
    let mut server = Running::start(
        &[
            "--header-timeout",
            "60",
            "--shutdown-grace",
            "20",
            "--max-digits",
            "2000000",
        ],
        None,
    );
    let mut held: Vec<TcpStream> = (0..50).map(|_| half_sent(server.addr).unwrap()).collect();
    let url = server.url("/api/digits?n=2000000&format=text");
    let in_flight = std::thread::spawn(move || {
        let answer = agent()
            .get(&url)
            .call()
            .map(|response| response.into_string());
        (answer, Instant::now())
    });
    std::thread::sleep(Duration::from_millis(300));
    let signalled = Instant::now();
    server.terminate();

    for stream in &mut held {
        stream
            .set_read_timeout(Some(Duration::from_secs(2)))
            .unwrap();
        let mut buffer = [0; 64];
        let end = stream.read(&mut buffer);
        assert!(
            matches!(end, Ok(0)),
            "a half-sent connection is still open {:?} after SIGTERM: {end:?}",
            signalled.elapsed()
        );
    }
    let all_closed = Instant::now();
    let (answer, answered) = in_flight.join().unwrap();
    let digits = answer.unwrap().unwrap();
    assert_eq!(digits.len(), 2_000_000);
    assert_eq!(
        hex::encode(Sha256::digest(&digits[..1_000_000])),
        Reference::load().sha256(1_000_000).unwrap(),
        "not the first 1,000,000 digits"
    );
    assert!(
        answered > all_closed,
        "the request was answered before the half-sent heads were closed: no request in flight"
    );
    let exit = server.wait(Duration::from_secs(20)).expect("still running");
    assert!(exit.success(), "{exit}");
    let after_answer = answered.elapsed();
    assert!(
        after_answer < Duration::from_secs(1),
        "exited {after_answer:?} after the last answer"
    );
}

#[test]
fn shutdown_ends_within_its_grace_whatever_clients_do() {
    let mut server = Running::start(
        &[
            "--shutdown-grace",
            "1",
            "--max-digits",
            "10000000",
            "--timeout",
            "120",
        ],
        None,
    );
    let held: Vec<TcpStream> = (0..50).map(|_| half_sent(server.addr).unwrap()).collect();
    // Ten million digits take tens of seconds, far past the grace.
    let url = server.url("/api/digits?n=10000000");
    let in_flight = std::thread::spawn(move || agent().get(&url).call().is_ok());
    std::thread::sleep(Duration::from_millis(300));
    let signalled = Instant::now();
    server.terminate();
    let exit = server.wait(Duration::from_secs(5));
    let took = signalled.elapsed();
    assert!(
        exit.is_some(),
        "still running {took:?} after SIGTERM, grace 1 s"
    );
    assert!(
        took < Duration::from_secs(2),
        "exited {took:?} after SIGTERM, grace 1 s"
    );
    assert!(!in_flight.join().unwrap(), "the request was cut off");
    assert!(server.log().contains("still busy"), "{}", server.log());
    drop(held);
}

/// Bytes read from sockets, by the recvfrom(2) calls in an strace log past
/// its first `from` bytes.
fn bytes_received(trace: &Path, from: usize) -> u64 {
    let trace = std::fs::read_to_string(trace).unwrap();
    trace[from..]
        .lines()
        .filter(|line| line.contains("recvfrom"))
        .filter_map(|line| line.rsplit_once(" = "))
        .map(|(_, count)| count.trim().parse::<u64>().unwrap())
        .sum()
}

/// Sends `head` and then up to 200 MB of body (in chunked encoding if
/// `chunked`), reading the response meanwhile; the response and how much
/// of the body the client got to send.
fn upload(addr: SocketAddr, head: &str, chunked: bool) -> (std::io::Result<Response>, u64) {
    let stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream
        .set_write_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut writer = stream.try_clone().unwrap();
    let head = head.to_owned();
    let sender = std::thread::spawn(move || {
        let chunk = vec![b'0'; 64 * 1024];
        let mut framed = Vec::new();
        if chunked {
            framed.extend(format!("{:x}\r\n", chunk.len()).bytes());
            framed.extend(&chunk);
            framed.extend(b"\r\n");
        } else {
            framed.extend(&chunk);
        }
        let mut sent = 0;
        if writer.write_all(head.as_bytes()).is_err() {
            return sent;
        }
        while sent < 200 << 20 && writer.write_all(&framed).is_ok() {
            sent += chunk.len() as u64;
        }
        sent
    });
    let response = Response::read(&mut BufReader::new(stream));
    (response, sender.join().unwrap())
}

#[test]
fn an_upload_nobody_asked_for_is_cut_off_at_the_body_bound() {
    // Not a skip: without strace this test could check nothing, and
    // scripts/test.sh installs it.
    assert!(
        Command::new("strace").arg("-V").output().is_ok(),
        "counting the bytes the server reads needs strace (Debian's strace)"
    );
    let length = 200 << 20;
    let declared = format!(
        "GET /api/digits?n=10 HTTP/1.1\r\nHost: localhost\r\nContent-Length: {length}\r\n\r\n"
    );
    let chunked =
        "GET /api/digits?n=10 HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n";
    let app = NamedTempFile::new().unwrap();
    let written = run(Command::new(env!("CARGO_BIN_EXE_pi-digits"))
        .arg("write-app")
        .arg(app.path()));
    assert!(written.status.success());
    let ours_trace = NamedTempFile::new().unwrap();
    let ours = Running::traced(&[], ours_trace.path());
    // The same app, but served as any wasi:http app: its body is its own.
    let foreign_trace = NamedTempFile::new().unwrap();
    let foreign = Running::traced(
        &["--app", app.path().to_str().unwrap()],
        foreign_trace.path(),
    );

    for (server, trace, head, chunked, case) in [
        (
            &ours,
            &ours_trace,
            declared.as_str(),
            false,
            "ours, declared length",
        ),
        (&ours, &ours_trace, chunked, true, "ours, chunked"),
        (
            &foreign,
            &foreign_trace,
            declared.as_str(),
            false,
            "foreign, declared length",
        ),
        (&foreign, &foreign_trace, chunked, true, "foreign, chunked"),
    ] {
        std::thread::sleep(Duration::from_millis(300));
        let from = std::fs::metadata(trace.path()).unwrap().len() as usize;
        let (response, sent) = upload(server.addr, head, chunked);
        std::thread::sleep(Duration::from_millis(300));
        let read = bytes_received(trace.path(), from);
        // A foreign app reads its body, up to the bound, and hyper reads
        // ahead of it: a 16 KiB buffer or two past the bound (98,391 bytes
        // read, measured).
        let bound = if server.addr == ours.addr {
            MAX_BODY
        } else {
            2 * MAX_BODY
        };
        assert!(
            read <= bound,
            "{case}: the server read {read} bytes of a {length}-byte upload"
        );
        assert!(sent < length, "{case}: the whole upload was sent");
        let response = response.unwrap_or_else(|error| panic!("{case}: no answer: {error}"));
        if !chunked {
            assert_eq!(
                (response.status, response.json()["error"].as_str()),
                (413, Some("body-too-large")),
                "{case}"
            );
            assert_eq!(response.header("connection"), Some("close"), "{case}");
        } else if server.addr == ours.addr {
            // Our app takes no body: the request is answered as without one.
            assert_eq!(response.status, 200, "{case}");
            assert_eq!(response.json()["digits"], "3141592653", "{case}");
            assert_eq!(response.header("connection"), Some("close"), "{case}");
        }
    }
}

/// Sends one request whose head carries `padding` bytes in a header of its
/// own; the response, if the server sent one before closing.
fn padded_request(addr: SocketAddr, padding: usize) -> std::io::Result<Response> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let head = format!(
        "GET /api/digits?n=10 HTTP/1.1\r\nHost: localhost\r\nX-Padding: {}\r\n\r\n",
        "a".repeat(padding)
    );
    stream.write_all(head.as_bytes())?;
    Response::read(&mut BufReader::new(stream))
}

#[test]
fn a_request_head_past_the_header_size_gets_431_and_the_bound_is_a_setting() {
    // The default, 16 KiB: a head of 12 KiB is answered, one of 20 KiB is
    // refused with 431 and the connection closed.
    let server = Running::start(&[], None);
    let answered = padded_request(server.addr, 12 * 1024).unwrap();
    assert_eq!(answered.status, 200);
    assert_eq!(answered.json()["digits"], "3141592653");
    let refused = padded_request(server.addr, 20 * 1024).unwrap();
    assert_eq!(refused.status, 431);
    assert_eq!(refused.header("connection"), Some("close"));
    // The server still answers others.
    assert_eq!(padded_request(server.addr, 0).unwrap().status, 200);
    drop(server);

    // PI_DIGITS_MAX_HEADER_SIZE raises it: the 20 KiB head is answered,
    // one of 64 KiB is not. (Hyper checks the bound between reads, so a
    // head somewhat past it can pass: 40 KiB under this one, measured.)
    let mut command = Command::new(env!("CARGO_BIN_EXE_pi-digits"));
    command
        .args(["serve", "--addr", "127.0.0.1:0"])
        .env("PI_DIGITS_MAX_HEADER_SIZE", "32768");
    let raised = Server::start(command, SERVING);
    let answered = padded_request(raised.addr(), 20 * 1024).unwrap();
    assert_eq!(answered.status, 200);
    assert_eq!(answered.json()["digits"], "3141592653");
    assert_eq!(
        padded_request(raised.addr(), 64 * 1024).unwrap().status,
        431
    );
    drop(raised);

    // Below hyper's floor (8 KiB) is refused at the start, not a panic on
    // the first connection.
    let below = run(Command::new(env!("CARGO_BIN_EXE_pi-digits")).args([
        "serve",
        "--addr",
        "127.0.0.1:0",
        "--max-header-size",
        "4096",
    ]));
    assert_eq!(below.status.code(), Some(2));
    let said = String::from_utf8_lossy(&below.stderr);
    assert!(
        said.contains("--max-header-size") && said.contains("8192"),
        "{said}"
    );
}
