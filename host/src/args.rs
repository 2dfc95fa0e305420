//! The command line: flags, commands, and the [`Options`] they give.

use std::net::SocketAddr;
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use pi_digits_host::oci::{ComponentSource, OciReference};
use pi_digits_host::serve::{ClientLimits, MIN_HEADER_SIZE};
use pi_digits_host::{Limits, Options};

/// The longest any flag's seconds may be: about 31 years, so that a
/// deadline computed from it never overflows the clock.
const MAX_SECONDS: f64 = 1e9;

/// The most `--max-header-size` may be: 16 MiB, far past any real head.
const MAX_HEADER_SIZE: u32 = 16 << 20;

/// The digits of π and how often each digit occurs among them, computed
/// by a WebAssembly component (pi:digits/pi) on wasmtime.
#[derive(Parser)]
#[command(version)]
pub struct Cli {
    /// Run this component instead of the one built into this program: a
    /// file, or an artifact in an OCI registry, oci://REGISTRY/REPO:TAG
    /// (resolved on every run) or oci://REGISTRY/REPO@sha256:HEX (pinned;
    /// once cached, no network).
    #[arg(long, global = true, value_name = "PATH|oci://REF")]
    pub component: Option<ComponentSource>,

    /// Speak plain HTTP to this OCI registry; loopback registries
    /// (localhost, 127.0.0.0/8) always are. Repeatable, or
    /// comma-separated in the variable. Credentials, if the registry needs
    /// them, come from PI_DIGITS_REGISTRY_USERNAME and
    /// PI_DIGITS_REGISTRY_PASSWORD.
    #[arg(
        long,
        global = true,
        env = "PI_DIGITS_INSECURE_REGISTRIES",
        value_name = "HOST[:PORT]",
        value_delimiter = ','
    )]
    pub insecure_registry: Vec<String>,

    /// Trust the certificate authorities in this PEM file (one or more
    /// certificates) besides the system's, for OCI registries spoken to
    /// over HTTPS: a private registry's own CA.
    #[arg(
        long,
        global = true,
        env = "PI_DIGITS_REGISTRY_CA",
        value_name = "FILE"
    )]
    pub registry_ca: Option<PathBuf>,

    /// Print JSON instead of text.
    #[arg(long, global = true)]
    pub json: bool,

    /// Refuse requests for more digits, before any work
    /// [default: 10000000; 1000000 for serve].
    #[arg(long, global = true, env = "PI_DIGITS_MAX_DIGITS", value_name = "N")]
    pub max_digits: Option<u64>,

    /// Stop a computation after this many seconds
    /// [default: 300; 20 for serve].
    #[arg(long, global = true, env = "PI_DIGITS_TIMEOUT", value_name = "SECONDS")]
    pub timeout: Option<f64>,

    /// Stop a computation that needs more memory, in MiB.
    #[arg(
        long,
        global = true,
        env = "PI_DIGITS_MAX_MEMORY",
        value_name = "MIB",
        default_value_t = 1024
    )]
    pub max_memory: usize,

    /// serve: close a connection whose request head is not complete this
    /// many seconds after it opened, or after its last response (an idle
    /// keep-alive connection) [default: 10].
    #[arg(
        long,
        global = true,
        env = "PI_DIGITS_HEADER_TIMEOUT",
        value_name = "SECONDS"
    )]
    pub header_timeout: Option<f64>,

    /// serve: hold at most this many connections open; more wait to be
    /// accepted [default: the open-file limit, ulimit -n, less a reserve].
    #[arg(
        long,
        global = true,
        env = "PI_DIGITS_MAX_CONNECTIONS",
        value_name = "N"
    )]
    pub max_connections: Option<NonZeroUsize>,

    /// serve: on SIGINT or SIGTERM, close idle connections and wait at most
    /// this many seconds for the requests in flight [default: 10].
    #[arg(
        long,
        global = true,
        env = "PI_DIGITS_SHUTDOWN_GRACE",
        value_name = "SECONDS"
    )]
    pub shutdown_grace: Option<f64>,

    /// serve: the most bytes of a request head (past it, 431), which is
    /// also how far ahead a connection's input is read; at least 8192
    /// [default: 16384].
    #[arg(
        long,
        global = true,
        env = "PI_DIGITS_MAX_HEADER_SIZE",
        value_name = "BYTES",
        value_parser = clap::value_parser!(u32).range(MIN_HEADER_SIZE as i64..=MAX_HEADER_SIZE as i64)
    )]
    pub max_header_size: Option<u32>,

    /// serve: keep answers the app marks public with a max-age in an
    /// in-memory HTTP cache of this many MiB, shared by all clients and
    /// lost on restart; 0: no cache.
    #[arg(
        long,
        global = true,
        env = "PI_DIGITS_HTTP_CACHE",
        value_name = "MIB",
        default_value_t = 64
    )]
    pub http_cache: u64,

    /// Cache compiled components, and components pulled from registries,
    /// here [default: ~/.cache/pi-digits; "none" for no cache].
    #[arg(long, global = true, env = "PI_DIGITS_CACHE_DIR", value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    #[command(flatten)]
    Ask(Question),
    /// Serve the JSON API and the Pi Day page over HTTP.
    Serve {
        /// Address to listen on; port 0 picks a free port.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// Serve this HTTP app component (wasi:http/proxy) instead of the
        /// built-in one: a file or an oci:// reference. Without it,
        /// --component is plugged into the built-in HTTP component.
        #[arg(long, value_name = "PATH|oci://REF")]
        app: Option<ComponentSource>,
    },
    /// Publish the pi component (the built-in one, or --component) to an
    /// OCI registry as a wasm artifact, and print its pinned reference.
    Publish {
        /// Where to publish: oci://REGISTRY/REPOSITORY:TAG.
        #[arg(value_name = "oci://REF")]
        reference: OciReference,
        /// Also publish the WIT package pi:digits, encoded as wasm, here.
        #[arg(long, value_name = "oci://REF")]
        wit_reference: Option<OciReference>,
    },
    /// Pull a wasm artifact (a component or a WIT package) from an OCI
    /// registry, verify it against its digests, and write it to a file.
    Pull {
        /// What to pull: oci://REGISTRY/REPOSITORY:TAG or @sha256:HEX.
        #[arg(value_name = "oci://REF")]
        reference: OciReference,
        /// Where to write the wasm.
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
    },
    /// Write the built-in HTTP app — the HTTP component with the pi
    /// component (or --component) plugged in — for other hosts, e.g.
    /// `wasmtime serve`.
    WriteApp {
        /// Where to write the component.
        path: PathBuf,
    },
}

/// The commands that call the pi component once.
#[derive(Subcommand)]
pub enum Question {
    /// Print the first N digits of π, the leading 3 included.
    Digits {
        /// How many digits.
        #[arg(allow_negative_numbers = true)]
        n: u64,
    },
    /// Print LENGTH digits starting at digit OFFSET (0 is the leading 3).
    Window {
        /// Position of the first digit.
        #[arg(allow_negative_numbers = true)]
        offset: u64,
        /// How many digits.
        #[arg(allow_negative_numbers = true)]
        length: u64,
    },
    /// Chart how often each digit 0–9 occurs among the first N digits.
    Histogram {
        /// How many digits.
        #[arg(allow_negative_numbers = true)]
        n: u64,
    },
    /// Find PATTERN, 1 to 100 decimal digits, among the first N digits:
    /// where it first occurs (0 is the leading 3), the digits around it,
    /// and how often it occurs, overlapping occurrences counted.
    Search {
        /// The digits to look for, e.g. a date: 140319.
        #[arg(allow_negative_numbers = true)]
        pattern: String,
        /// How many digits to search.
        #[arg(allow_negative_numbers = true, default_value_t = 1_000_000)]
        n: u64,
    },
    /// Print the most digits the component computes.
    MaxDigits,
}

/// The limits and cache from the command line, with each command's defaults.
pub fn options(cli: &Cli, serving: bool) -> anyhow::Result<Options> {
    let defaults = Limits::default();
    let (max_digits, timeout) = if serving {
        (1_000_000, Duration::from_secs(20))
    } else {
        (defaults.max_digits, defaults.timeout)
    };
    let timeout = seconds(cli.timeout, "--timeout")?.unwrap_or(timeout);
    let clients = ClientLimits::default();
    let cache_dir = match &cli.cache_dir {
        Some(dir) if dir.as_os_str() == "none" => None,
        Some(dir) => Some(dir.clone()),
        None => std::env::var_os("HOME").map(|home| Path::new(&home).join(".cache/pi-digits")),
    };
    Ok(Options {
        limits: Limits {
            max_digits: cli.max_digits.unwrap_or(max_digits),
            timeout,
            max_memory: cli.max_memory.saturating_mul(1 << 20),
        },
        cache_dir,
        clients: ClientLimits {
            header_timeout: seconds(cli.header_timeout, "--header-timeout")?
                .unwrap_or(clients.header_timeout),
            max_connections: cli.max_connections,
            shutdown_grace: seconds(cli.shutdown_grace, "--shutdown-grace")?
                .unwrap_or(clients.shutdown_grace),
            max_header_size: cli
                .max_header_size
                .map_or(clients.max_header_size, |bytes| bytes as usize),
        },
        http_cache_bytes: cli.http_cache.saturating_mul(1 << 20),
    })
}

/// A flag's seconds as a duration: positive, and at most [`MAX_SECONDS`].
fn seconds(value: Option<f64>, flag: &str) -> anyhow::Result<Option<Duration>> {
    value
        .map(|seconds| {
            Some(seconds)
                .filter(|seconds| *seconds <= MAX_SECONDS)
                .and_then(|seconds| Duration::try_from_secs_f64(seconds).ok())
                .filter(|duration| !duration.is_zero())
                .with_context(|| {
                    format!("{flag} must be a positive number of seconds, at most {MAX_SECONDS}")
                })
        })
        .transpose()
}
