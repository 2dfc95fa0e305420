//! Running one measured program as a child process: to its end or to a
//! timeout, with its output and its peak memory.
//!
//! The child is reaped with `wait4` rather than through `std::process`,
//! because only `wait4` returns the child's resource usage, and its peak
//! resident set is the *peak memory* the report shows.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow};

/// What a child process that exited successfully gave.
pub struct Finished {
    /// Everything it wrote to stdout: the digits.
    pub stdout: Vec<u8>,
    /// Everything it wrote to stderr (lossy UTF-8): its report line.
    pub stderr: String,
    /// Wall time from spawning to reaping it, seconds.
    pub process_seconds: f64,
    /// Its peak resident set, KiB.
    pub peak_kib: u64,
}

/// Why a child process gave no [`Finished`].
pub enum RunError {
    /// It ran past the timeout and was killed.
    TimedOut,
    /// It could not be started, failed, or its output could not be read.
    Failed(anyhow::Error),
}

impl<E: Into<anyhow::Error>> From<E> for RunError {
    fn from(error: E) -> RunError {
        RunError::Failed(error.into())
    }
}

/// Runs `command` to its end (or kills it after `timeout`), collecting its
/// output, and its peak resident set from `wait4`. Stdin is closed.
pub fn run(mut command: Command, timeout: Duration) -> Result<Finished, RunError> {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let start = Instant::now();
    let mut child = command
        .spawn()
        .with_context(|| format!("starting {command:?}"))?;
    let pid = child.id() as libc::pid_t;
    // Both pipes are drained on threads while we poll: a child that fills a
    // pipe buffer (10 million digits) would otherwise stall until the timeout.
    let mut stdout = child.stdout.take().expect("piped");
    let mut stderr = child.stderr.take().expect("piped");
    let stdout = std::thread::spawn(move || {
        let mut buffer = Vec::new();
        stdout.read_to_end(&mut buffer).map(|_| buffer)
    });
    let stderr = std::thread::spawn(move || {
        let mut buffer = Vec::new();
        stderr.read_to_end(&mut buffer).map(|_| buffer)
    });
    let mut killed = false;
    // Polled with WNOHANG rather than a blocking wait, so that the timeout
    // can be enforced from this thread.
    let (status, usage) = loop {
        let mut status = 0;
        // SAFETY: an all-zero rusage is valid; wait4 writes it.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: pid is our child, not yet reaped (std never waits on it).
        let reaped = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        if reaped == pid {
            break (status, usage);
        }
        if reaped < 0 {
            return Err(anyhow!("wait4: {}", std::io::Error::last_os_error()).into());
        }
        if !killed && start.elapsed() > timeout {
            let _ = child.kill();
            killed = true;
        }
        // Short, because the process column includes this latency.
        std::thread::sleep(Duration::from_millis(2));
    };
    let process_seconds = start.elapsed().as_secs_f64();
    let stdout = stdout.join().expect("reader thread")?;
    let stderr = String::from_utf8_lossy(&stderr.join().expect("reader thread")?).into_owned();
    if killed {
        return Err(RunError::TimedOut);
    }
    if !(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0) {
        let tail: String = stderr.lines().rev().take(5).collect::<Vec<_>>().join(" | ");
        return Err(anyhow!("{command:?} failed (wait status {status}): {tail}").into());
    }
    Ok(Finished {
        stdout,
        stderr,
        process_seconds,
        // Linux reports ru_maxrss in KiB.
        peak_kib: usage.ru_maxrss as u64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shell(script: &str) -> Command {
        let mut command = Command::new("sh");
        command.args(["-c", script]);
        command
    }

    #[test]
    fn collects_the_output_and_a_peak() {
        let Ok(finished) = run(
            shell("printf 314; echo report >&2"),
            Duration::from_secs(60),
        ) else {
            panic!("sh failed");
        };
        assert_eq!(finished.stdout, b"314");
        assert_eq!(finished.stderr, "report\n");
        assert!(finished.peak_kib > 0);
    }

    #[test]
    fn a_failing_child_is_an_error_with_its_stderr() {
        match run(shell("echo broken >&2; exit 3"), Duration::from_secs(60)) {
            Err(RunError::Failed(error)) => assert!(error.to_string().contains("broken")),
            _ => panic!("exit 3 passed"),
        }
    }

    #[test]
    fn a_slow_child_is_killed_at_the_timeout() {
        let start = Instant::now();
        let outcome = run(shell("exec sleep 30"), Duration::from_millis(100));
        assert!(matches!(outcome, Err(RunError::TimedOut)));
        assert!(start.elapsed() < Duration::from_secs(20));
    }
}
