//! `pi-digits`: the digits of π and their histogram, computed by the
//! pi:digits component on wasmtime.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use clap::{CommandFactory as _, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use pi_digits_host::oci::{self, ComponentSource, OciReference, Registry, RegistryOptions};
use pi_digits_host::serve::{self, App, EMBEDDED_APP};
use pi_digits_host::{EMBEDDED_COMPONENT, Limits, Options, Runtime, Session, compose};
use serde_json::json;

/// The server's host heap churns: each request in flight holds some 60 KB
/// (store, WASI and HTTP state, buffers), freed when it ends. glibc's malloc
/// keeps most of what it frees in its per-thread arenas, so resident memory
/// crept up by megabytes with every burst of large requests while the live
/// heap stayed under 1 MB; mimalloc returns freed pages to the system.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The digits of π and how often each digit occurs among them, computed
/// by a WebAssembly component (pi:digits/pi) on wasmtime.
#[derive(Parser)]
#[command(version)]
struct Cli {
    /// Run this component instead of the one built into this program: a
    /// file, or an artifact in an OCI registry, oci://REGISTRY/REPO:TAG
    /// (resolved on every run) or oci://REGISTRY/REPO@sha256:HEX (pinned;
    /// once cached, no network).
    #[arg(long, global = true, value_name = "PATH|oci://REF")]
    component: Option<ComponentSource>,

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
    insecure_registry: Vec<String>,

    /// Print JSON instead of text.
    #[arg(long, global = true)]
    json: bool,

    /// Refuse requests for more digits, before any work
    /// [default: 10000000; 1000000 for serve].
    #[arg(long, global = true, env = "PI_DIGITS_MAX_DIGITS", value_name = "N")]
    max_digits: Option<u64>,

    /// Stop a computation after this many seconds
    /// [default: 300; 20 for serve].
    #[arg(long, global = true, env = "PI_DIGITS_TIMEOUT", value_name = "SECONDS")]
    timeout: Option<f64>,

    /// Stop a computation that needs more memory, in MiB.
    #[arg(
        long,
        global = true,
        env = "PI_DIGITS_MAX_MEMORY",
        value_name = "MIB",
        default_value_t = 1024
    )]
    max_memory: usize,

    /// Cache compiled components, and components pulled from registries,
    /// here [default: ~/.cache/pi-digits; "none" for no cache].
    #[arg(long, global = true, env = "PI_DIGITS_CACHE_DIR", value_name = "DIR")]
    cache_dir: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
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
enum Question {
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
    /// Print the most digits the component computes.
    MaxDigits,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if matches!(cli.command, Command::Serve { app: Some(_), .. }) && cli.component.is_some() {
        Cli::command()
            .error(
                clap::error::ErrorKind::ArgumentConflict,
                "--app and --component cannot be used together: an app holds its own pi component",
            )
            .exit();
    }
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let serving = matches!(cli.command, Command::Serve { .. });
    let options = options(&cli, serving)?;
    let registry = registry(&cli, &options);
    match cli.command {
        Command::Ask(question) => {
            let runtime = match &cli.component {
                Some(source) => Runtime::new(&load(source, &registry)?, &options)
                    .map_err(anyhow::Error::from)
                    .with_context(|| format!("loading {source}"))?,
                None => Runtime::embedded(&options)?,
            };
            ask(question, runtime, cli.json)
        }
        Command::Serve { addr, app } => {
            let app = match (app, &cli.component) {
                (Some(source), _) => App::new(&load(&source, &registry)?, &options)
                    .with_context(|| format!("loading {source}"))?,
                (None, Some(source)) => {
                    let app = compose::app_with_component(&load(source, &registry)?)
                        .with_context(|| format!("serving {source}"))?;
                    App::new(&app, &options)?
                }
                (None, None) => App::new(EMBEDDED_APP, &options)?,
            };
            let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
            runtime.block_on(serve::run(app, addr))
        }
        Command::WriteApp { path } => {
            let app = match &cli.component {
                Some(source) => compose::app_with_component(&load(source, &registry)?)
                    .with_context(|| format!("plugging in {source}"))?,
                None => EMBEDDED_APP.to_vec(),
            };
            std::fs::write(&path, app).with_context(|| format!("writing {}", path.display()))
        }
        Command::Publish {
            reference,
            wit_reference,
        } => {
            let component = match &cli.component {
                Some(source) => load(source, &registry)?,
                None => EMBEDDED_COMPONENT.to_vec(),
            };
            publish(&registry, reference, component, wit_reference, cli.json)
        }
        Command::Pull { reference, output } => {
            let artifact = pull(&registry, &reference)?;
            std::fs::write(&output, &artifact.wasm)
                .with_context(|| format!("writing {}", output.display()))?;
            if cli.json {
                println!(
                    "{}",
                    json!({
                        "reference": reference.to_string(),
                        "pinned": artifact.pinned.to_string(),
                        "digest": artifact.manifest_digest,
                        "layer_digest": artifact.layer_digest,
                        "size": artifact.wasm.len(),
                    })
                );
            } else {
                println!("{}", artifact.pinned);
            }
            Ok(())
        }
    }
}

/// Registry settings from the command line and the environment; pulled
/// artifacts are cached in `oci/` under the cache directory.
fn registry(cli: &Cli, options: &Options) -> Registry {
    let credentials = std::env::var("PI_DIGITS_REGISTRY_USERNAME")
        .ok()
        .filter(|user| !user.is_empty())
        .map(|user| {
            let password = std::env::var("PI_DIGITS_REGISTRY_PASSWORD").unwrap_or_default();
            (user, password)
        });
    Registry::new(RegistryOptions {
        insecure: cli.insecure_registry.clone(),
        credentials,
        cache_dir: options.cache_dir.as_ref().map(|dir| dir.join("oci")),
    })
}

/// The bytes of a component: read from a file, or pulled (verified, and
/// cached by digest) from a registry.
fn load(source: &ComponentSource, registry: &Registry) -> anyhow::Result<Vec<u8>> {
    match source {
        ComponentSource::File(path) => read(path),
        ComponentSource::Oci(reference) => Ok(pull(registry, reference)?.wasm),
    }
}

/// Pulls `reference`, saying on stderr when bytes were downloaded.
fn pull(registry: &Registry, reference: &OciReference) -> anyhow::Result<oci::Artifact> {
    let artifact =
        block_on(registry.pull(reference))?.with_context(|| format!("pulling {reference}"))?;
    if !artifact.layer_from_cache {
        eprintln!(
            "Pulled {} ({} bytes)",
            artifact.pinned,
            thousands(artifact.wasm.len() as u64)
        );
    }
    Ok(artifact)
}

/// Publishes the component, and the WIT package if asked, and prints the
/// pinned references.
fn publish(
    registry: &Registry,
    reference: OciReference,
    component: Vec<u8>,
    wit_reference: Option<OciReference>,
    json: bool,
) -> anyhow::Result<()> {
    let annotations = |title: &str, description: &str| {
        [
            ("org.opencontainers.image.title", title),
            ("org.opencontainers.image.description", description),
            (
                "org.opencontainers.image.version",
                env!("CARGO_PKG_VERSION"),
            ),
            (
                "org.opencontainers.image.source",
                env!("CARGO_PKG_REPOSITORY"),
            ),
            (
                "org.opencontainers.image.licenses",
                env!("CARGO_PKG_LICENSE"),
            ),
        ]
        .into_iter()
        .map(|(key, value)| (key.to_owned(), value.to_owned()))
        .collect()
    };
    let published = block_on(registry.publish(
        &reference,
        component,
        annotations(
            "pi-digits",
            "The digits of π and their histogram: a component exporting pi:digits/pi",
        ),
    ))?
    .with_context(|| format!("publishing to {reference}"))?;
    let wit = match wit_reference {
        Some(wit_reference) => {
            let package = oci::wit_package().context("encoding the WIT package")?;
            let published = block_on(registry.publish(
                &wit_reference,
                package,
                annotations("pi:digits", "The WIT package pi:digits: interface pi"),
            ))?
            .with_context(|| format!("publishing the WIT package to {wit_reference}"))?;
            Some(published)
        }
        None => None,
    };
    if json {
        let describe = |published: &oci::Published| {
            json!({
                "reference": published.reference.to_string(),
                "pinned": published.pinned.to_string(),
                "digest": published.manifest_digest,
                "layer_digest": published.layer_digest,
            })
        };
        println!(
            "{}",
            json!({ "component": describe(&published), "wit": wit.as_ref().map(describe) })
        );
    } else {
        println!("{}", published.pinned);
        if let Some(wit) = wit {
            println!("{}", wit.pinned);
        }
    }
    Ok(())
}

/// Runs `future` to completion on a runtime of its own.
fn block_on<F: std::future::Future>(future: F) -> anyhow::Result<F::Output> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    Ok(runtime.block_on(future))
}

/// The limits and cache from the command line, with each command's defaults.
fn options(cli: &Cli, serving: bool) -> anyhow::Result<Options> {
    let defaults = Limits::default();
    let (max_digits, timeout) = if serving {
        (1_000_000, Duration::from_secs(20))
    } else {
        (defaults.max_digits, defaults.timeout)
    };
    let timeout = match cli.timeout {
        Some(seconds) => Duration::try_from_secs_f64(seconds)
            .ok()
            .filter(|timeout| !timeout.is_zero())
            .context("--timeout must be a positive number of seconds")?,
        None => timeout,
    };
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
    })
}

/// Calls the component and prints the answer.
fn ask(question: Question, runtime: Runtime, json: bool) -> anyhow::Result<()> {
    let mut session: Session = runtime.session()?;
    match question {
        Question::Digits { n } => {
            let digits = with_progress(n, || session.digits(n))?;
            if json {
                println!("{}", json!({ "n": n, "digits": digits }));
            } else {
                println!("{digits}");
            }
        }
        Question::Window { offset, length } => {
            let end = offset.saturating_add(length);
            let digits = with_progress(end, || session.digits_window(offset, length))?;
            if json {
                println!(
                    "{}",
                    json!({ "offset": offset, "length": length, "digits": digits })
                );
            } else {
                println!("{digits}");
            }
        }
        Question::Histogram { n } => {
            let counts = with_progress(n, || session.histogram(n))?;
            if json {
                println!("{}", json!({ "n": n, "counts": counts }));
            } else {
                print!("{}", bar_chart(n, &counts));
            }
        }
        Question::MaxDigits => {
            let maximum = session.max_digits()?;
            if json {
                println!("{}", json!({ "max_digits": maximum }));
            } else {
                println!("{maximum}");
            }
        }
    }
    Ok(())
}

fn read(path: &Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("reading {}", path.display()))
}

/// Runs `work`, which computes up to `n` digits; if it takes more than a
/// second, shows a spinner with the elapsed time on stderr (a terminal only).
fn with_progress<T>(n: u64, work: impl FnOnce() -> T) -> T {
    const PATIENCE: Duration = Duration::from_secs(1);
    let spinner = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
    spinner.set_style(
        ProgressStyle::with_template("{spinner} computing {msg} digits of π… {elapsed}")
            .expect("a valid template"),
    );
    spinner.set_message(thousands(n));
    let shown = spinner.clone();
    std::thread::spawn(move || {
        std::thread::sleep(PATIENCE);
        if !shown.is_finished() {
            shown.set_draw_target(ProgressDrawTarget::stderr());
            shown.enable_steady_tick(Duration::from_millis(100));
        }
    });
    let answer = work();
    spinner.finish_and_clear();
    answer
}

/// Widest bar, in characters.
const BAR_WIDTH: u64 = 40;

/// A text chart of `counts`: one bar per digit, with count and share.
fn bar_chart(n: u64, counts: &[u64; 10]) -> String {
    let mut chart = format!(
        "How often each digit occurs in the first {} digits of π\n\n",
        thousands(n)
    );
    let largest = counts.iter().copied().max().unwrap_or(0).max(1);
    let count_width = thousands(largest).len();
    for (digit, &count) in counts.iter().enumerate() {
        let bar = bar(count * BAR_WIDTH * 8 / largest);
        let share = if n == 0 {
            0.0
        } else {
            count as f64 * 100.0 / n as f64
        };
        chart += &format!(
            "{digit} │{bar:<width$} {count:>count_width$} {share:>6.2}%\n",
            width = BAR_WIDTH as usize,
            count = thousands(count),
        );
    }
    chart
}

/// A bar `eighths` eighths of a character long.
fn bar(eighths: u64) -> String {
    const PARTIAL: [&str; 8] = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];
    "█".repeat((eighths / 8) as usize) + PARTIAL[(eighths % 8) as usize]
}

/// `n` with commas between groups of three digits: 30000 → "30,000".
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut grouped = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(30_000), "30,000");
        assert_eq!(thousands(10_000_000), "10,000,000");
    }

    #[test]
    fn chart_scales_bars_to_the_largest_count() {
        let chart = bar_chart(10, &[0, 2, 1, 2, 1, 2, 1, 0, 0, 1]);
        let lines: Vec<&str> = chart.lines().skip(2).collect();
        assert_eq!(lines.len(), 10);
        assert!(lines[0].starts_with("0 │ "), "{}", lines[0]);
        assert_eq!(lines[1].matches('█').count(), BAR_WIDTH as usize);
        assert_eq!(lines[2].matches('█').count(), BAR_WIDTH as usize / 2);
        assert_eq!(bar(8 * 3 + 4), "███▌");
        assert!(lines[1].ends_with(" 2  20.00%"), "{}", lines[1]);
    }

    #[test]
    fn chart_of_no_digits_has_empty_bars() {
        let chart = bar_chart(0, &[0; 10]);
        assert!(!chart.contains('█'));
        assert!(chart.contains("0   0.00%"));
    }
}
