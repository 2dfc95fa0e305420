//! `pi-digits`: the digits of π and their histogram, computed by the
//! pi:digits component on wasmtime.

mod args;
mod chart;
mod registry;

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use clap::{CommandFactory as _, Parser};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use pi_digits_host::serve::{self, App, EMBEDDED_APP, Kind};
use pi_digits_host::{EMBEDDED_COMPONENT, Occurrences, Runtime, Session, compose};
use serde_json::json;
use thousands::Separable as _;

use crate::args::{Cli, Command, Question};
use crate::registry::{load, publish, pull};

/// The server's host heap churns: each request in flight holds some 60 KB
/// (store, WASI and HTTP state, buffers), freed when it ends. glibc's malloc
/// keeps most of what it frees in its per-thread arenas, so resident memory
/// crept up by megabytes with every burst of large requests while the live
/// heap stayed under 1 MB; mimalloc returns freed pages to the system.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    let options = args::options(&cli, serving)?;
    let registry = registry::registry(&cli, &options)?;
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
                (Some(source), _) => App::new(&load(&source, &registry)?, Kind::Foreign, &options)
                    .with_context(|| format!("loading {source}"))?,
                (None, Some(source)) => {
                    let app = compose::app_with_component(&load(source, &registry)?)
                        .with_context(|| format!("serving {source}"))?;
                    App::new(&app, Kind::Ours, &options)?
                }
                (None, None) => App::embedded(&options)?,
            };
            let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
            runtime
                .block_on(serve::run(app, addr))
                .with_context(|| format!("serving on {addr}"))
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
                print!("{}", chart::bar_chart(n, &counts));
            }
        }
        Question::Search { pattern, n } => {
            let found = with_progress(n, || session.search(&pattern, n))?;
            let (before, after) = match found.position {
                Some(position) => around(&mut session, position, pattern.len() as u64, n)?,
                None => (String::new(), String::new()),
            };
            if json {
                println!(
                    "{}",
                    json!({
                        "q": pattern,
                        "n": n,
                        "position": found.position,
                        "count": found.count,
                        "before": before,
                        "after": after,
                    })
                );
            } else {
                print!("{}", search_text(&pattern, n, found, &before, &after));
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

/// How many digits `search` shows on each side of the first occurrence.
const CONTEXT_DIGITS: u64 = 20;

/// Up to [`CONTEXT_DIGITS`] digits before and after the occurrence of
/// `length` digits at `position`, within the first `n` digits searched (so
/// never past the limit the search itself was under).
fn around(
    session: &mut Session,
    position: u64,
    length: u64,
    n: u64,
) -> anyhow::Result<(String, String)> {
    let start = position.saturating_sub(CONTEXT_DIGITS);
    let before = session
        .digits_window(start, position - start)
        .context("reading the digits before the occurrence")?;
    // The occurrence ends within the first n digits: no underflow.
    let end = position + length;
    let after = session
        .digits_window(end, CONTEXT_DIGITS.min(n - end))
        .context("reading the digits after the occurrence")?;
    Ok((before, after))
}

/// The human answer of `search`: where and how often, and the first
/// occurrence in its digits, marked with brackets.
fn search_text(pattern: &str, n: u64, found: Occurrences, before: &str, after: &str) -> String {
    let digits = n.separate_with_commas();
    let Some(position) = found.position else {
        return format!("{pattern} does not occur in the first {digits} digits of π\n");
    };
    let times = match found.count {
        1 => "once".to_owned(),
        count => format!("{} times", count.separate_with_commas()),
    };
    // An ellipsis where the digits go on beyond what is shown.
    let lead = if position > before.len() as u64 {
        "…"
    } else {
        ""
    };
    let end = position + (pattern.len() + after.len()) as u64;
    let trail = if end < n { "…" } else { "" };
    format!(
        "{pattern} occurs {times} in the first {digits} digits of π, first at position {} \
         (0 is the leading 3):\n{lead}{before}[{pattern}]{after}{trail}\n",
        position.separate_with_commas()
    )
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
    spinner.set_message(n.separate_with_commas());
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
