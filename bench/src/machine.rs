//! What the numbers were measured on: the machine, its load, the tools'
//! versions and the commit, probed once at the start of a run (Linux).

use std::path::Path;
use std::process::{Command, Stdio};

use crate::settings::Settings;

/// The machine, the software and the command behind one run of the bench.
pub struct Machine {
    /// The CPU's model name from /proc/cpuinfo.
    pub cpu: String,
    /// Cores available to this process.
    pub cores: usize,
    /// Total memory, GiB.
    pub memory: String,
    /// The 1, 5 and 15 minute load averages at the start: a busy machine
    /// explains slow numbers.
    pub load: String,
    /// When the run started, UTC.
    pub date: String,
    /// Kernel name and release.
    pub os: String,
    /// The workspace's commit, marked if the work tree has changes.
    pub commit: String,
    /// CPython's, mpmath's, gmpy2's and GMP's versions.
    pub python: String,
    /// The wasmtime CLI's version (it runs the dashu peer).
    pub wasmtime_cli: String,
    /// The rustc on the path.
    pub rustc: String,
    /// The profile this binary was built with: `dev` or `release`.
    pub bench_profile: &'static str,
    /// The command line that reproduces the run.
    pub command: String,
}

impl Machine {
    /// Probes this machine, and the Python and wasmtime of `settings`.
    /// Whatever cannot be found is "unknown".
    pub fn probe(settings: &Settings) -> Machine {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu = cpuinfo
            .lines()
            .find_map(|line| line.strip_prefix("model name"))
            .map(|rest| rest.trim_start_matches([' ', '\t', ':']).trim().to_string())
            .unwrap_or_else(|| "unknown".into());
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let memory = meminfo
            .lines()
            .find_map(|line| line.strip_prefix("MemTotal:"))
            .and_then(|rest| {
                rest.trim()
                    .trim_end_matches("kB")
                    .trim()
                    .parse::<u64>()
                    .ok()
            })
            .map(|kib| format!("{:.1} GiB", kib as f64 / 1024.0 / 1024.0))
            .unwrap_or_else(|| "unknown".into());
        let load = std::fs::read_to_string("/proc/loadavg")
            .map(|text| {
                text.split_whitespace()
                    .take(3)
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .unwrap_or_else(|_| "unknown".into());
        let unknown = || "unknown".to_string();
        let date =
            output_of(Path::new("date"), &["-u", "+%Y-%m-%d %H:%M UTC"]).unwrap_or_else(unknown);
        let os = output_of(Path::new("uname"), &["-sr"]).unwrap_or_else(unknown);
        let root = crate::workspace_root();
        let root = root.to_str().unwrap_or(".");
        let commit = match output_of(
            Path::new("git"),
            &["-C", root, "rev-parse", "--short", "HEAD"],
        ) {
            Some(commit) => {
                let dirty =
                    output_of(Path::new("git"), &["-C", root, "status", "--porcelain"]).is_some();
                if dirty {
                    format!("{commit} (with uncommitted changes)")
                } else {
                    commit
                }
            }
            None => unknown(),
        };
        let python = output_of(
            &settings.python,
            &[
                "-c",
                "import sys, mpmath, gmpy2; print('CPython %s, mpmath %s, gmpy2 %s (%s)' % (sys.version.split()[0], mpmath.__version__, gmpy2.version(), gmpy2.mp_version()))",
            ],
        )
        .unwrap_or_else(|| "python3 with mpmath and gmpy2 not found".into());
        let wasmtime_cli = output_of(&settings.wasmtime, &["--version"]).unwrap_or_else(unknown);
        let rustc = output_of(Path::new("rustc"), &["--version"]).unwrap_or_else(unknown);
        // As typed, but always through cargo: this binary's path means
        // nothing on another machine.
        let command = std::iter::once("cargo run -p pi-digits-bench --".to_string())
            .chain(std::env::args().skip(1))
            .collect::<Vec<_>>()
            .join(" ");
        Machine {
            cpu,
            cores: std::thread::available_parallelism().map_or(0, usize::from),
            memory,
            load,
            date,
            os,
            commit,
            python,
            wasmtime_cli,
            rustc,
            bench_profile: if cfg!(debug_assertions) {
                "dev"
            } else {
                "release"
            },
            command: command.trim_end_matches(" --").to_string(),
        }
    }

    /// One line for the console.
    pub fn summary(&self) -> String {
        format!(
            "{} ({} cores, {}), load {}, {}",
            self.cpu, self.cores, self.memory, self.load, self.date
        )
    }
}

/// The stdout of a short command, trimmed, or None if it cannot run, fails
/// or prints nothing.
fn output_of(program: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&output.stdout).trim().to_string();
    (!text.is_empty()).then_some(text)
}
