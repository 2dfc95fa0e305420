//! `pi-digits-bench`: the side-by-side benchmark.
//!
//! In one run, for each size: the component through the host library
//! (wasmtime), the same math natively, dashu in wasm (wasmtime CLI),
//! mpmath+gmpy2 (GMP) and a Python spigot generator. Every measurement is a
//! child process that times its own work (digits and histogram, output
//! excluded); the parent reads the child's peak memory (`wait4`), checks its
//! digits against the reference fixture and writes `docs/benchmarks.md` and
//! `docs/benchmarks.svg`.

mod child;
mod compare;
mod implementation;
mod machine;
mod measure;
mod median;
mod numbers;
mod peers;
mod phases;
mod plot;
mod process;
mod protocol;
mod report;
mod settings;
mod verify;

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use clap::Parser;

use crate::implementation::Implementation;
use crate::machine::Machine;
use crate::peers::Peers;
use crate::settings::Settings;

/// The workspace root, where the peers, the fixture and `docs/` are.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("bench/ has a parent")
        .to_path_buf()
}

// The command line: the parent's options, or one of the hidden child
// commands it runs itself as. (No doc comment: clap would take it for the
// help text.)
#[derive(Parser)]
#[command(
    name = "pi-digits-bench",
    about = "Benchmarks pi-digits side by side with dashu-in-wasm, mpmath+gmpy2 and a Python spigot"
)]
struct Cli {
    /// Digit counts to measure, comma-separated.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "1000,10000,30000,100000,1000000"
    )]
    sizes: Vec<u64>,
    /// Adds 10,000,000 and 100,000,000 digits to the sizes (many minutes).
    #[arg(long)]
    full: bool,
    /// Runs per implementation and size; the median is reported.
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// A first run slower than this many seconds is not repeated.
    #[arg(long, default_value_t = 30.0)]
    repeat_below: f64,
    /// A run is stopped after this many seconds; larger sizes of that
    /// implementation are then skipped.
    #[arg(long, default_value_t = 600)]
    timeout: u64,
    /// The Python spigot runs only up to this many digits (it is quadratic).
    #[arg(long, default_value_t = 30_000)]
    spigot_max: u64,
    /// The dashu peer runs only up to this many digits (10^8 would take
    /// it over half an hour).
    #[arg(long, default_value_t = 10_000_000)]
    dashu_max: u64,
    /// Implementations to run, comma-separated (default: all).
    #[arg(long, value_delimiter = ',', value_enum)]
    only: Vec<Implementation>,
    /// Where benchmarks.md and benchmarks.svg go (default: docs/ of the workspace).
    #[arg(long)]
    output: Option<PathBuf>,
    /// The wasmtime CLI that runs the dashu peer.
    #[arg(long, env = "WASMTIME", default_value = "wasmtime")]
    wasmtime: PathBuf,
    /// The Python with mpmath and gmpy2 (tests/requirements.txt).
    #[arg(long, env = "PYTHON", default_value = "python3")]
    python: PathBuf,
    /// Samples for the time to first answer.
    #[arg(long, default_value_t = 20)]
    first_answer_samples: usize,
    /// Compares pi component files instead, LABEL=PATH each (two or more,
    /// comma-separated): size, instantiation, and the sizes with peak
    /// memory; writes components.md beside benchmarks.md.
    #[arg(long, value_delimiter = ',')]
    compare: Vec<compare::Candidate>,
    /// Times each phase of the computation instead (square root, series,
    /// division, final product, radix conversion, and within each the
    /// multiplications by the transform), natively and in wasm; writes
    /// phases.md beside benchmarks.md.
    #[arg(long, conflicts_with = "compare")]
    phases: bool,
    #[command(subcommand)]
    child: Option<child::Child>,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if let Some(child) = cli.child {
        return child.run();
    }
    let mut sizes = cli.sizes.clone();
    if cli.full {
        sizes.extend([10_000_000, 100_000_000]);
    }
    sizes.sort_unstable();
    sizes.dedup();
    if sizes.is_empty() || sizes[0] < 2 {
        bail!("sizes must be at least 2 digits");
    }
    if cli.runs == 0 {
        bail!("--runs must be at least 1");
    }
    let implementations = if cli.only.is_empty() {
        Implementation::ALL.to_vec()
    } else {
        cli.only.clone()
    };
    let output = cli
        .output
        .clone()
        .unwrap_or_else(|| workspace_root().join("docs"));
    std::fs::create_dir_all(&output).with_context(|| format!("creating {}", output.display()))?;

    let settings = Settings {
        runs: cli.runs,
        repeat_below: cli.repeat_below,
        timeout: Duration::from_secs(cli.timeout),
        spigot_max: cli.spigot_max,
        dashu_max: cli.dashu_max,
        wasmtime: cli.wasmtime.clone(),
        python: cli.python.clone(),
    };
    let machine = Machine::probe(&settings);
    eprintln!("{}", machine.summary());
    if !cli.compare.is_empty() {
        let report = compare::compare(&cli.compare, &sizes, &settings, cli.first_answer_samples)?;
        let path = output.join("components.md");
        let text = format!(
            "# Components side by side\n\nWritten by `cargo run -p pi-digits-bench -- --compare ...`; {}\n\n{report}",
            machine.summary()
        );
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
        println!("{report}");
        return Ok(());
    }
    if cli.phases {
        let report = phases::phases(&sizes, &settings)?;
        let path = output.join("phases.md");
        let text = format!(
            "# Where the time goes\n\nWritten by `cargo run -p pi-digits-bench -- --phases ...`; {}\n\n{report}",
            machine.summary()
        );
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
        println!("{report}");
        return Ok(());
    }
    let peers = Peers::build(&implementations)?;
    let first_answer = measure::first_answer(cli.first_answer_samples, &settings)?;
    eprintln!("{}", first_answer.summary());
    let results = measure::measure_all(&sizes, &implementations, &settings, &peers)?;

    let document = report::markdown(
        &machine,
        &settings,
        &sizes,
        &implementations,
        &results,
        &first_answer,
    );
    println!("{document}");
    let markdown_path = output.join("benchmarks.md");
    std::fs::write(&markdown_path, &document)
        .with_context(|| format!("writing {}", markdown_path.display()))?;
    let svg_path = output.join("benchmarks.svg");
    plot::svg(&svg_path, &implementations, &results, &machine)?;
    eprintln!(
        "wrote {} and {}",
        markdown_path.display(),
        svg_path.display()
    );
    // Written first, failed after: the report shows the wrong rows too.
    let wrong: Vec<_> = results.iter().filter(|result| result.is_wrong()).collect();
    if !wrong.is_empty() {
        for result in wrong {
            let check = result.check().expect("a wrong result was measured");
            eprintln!(
                "WRONG: {} at {} digits: {check}",
                result.implementation.name(),
                result.n,
            );
        }
        bail!("some implementation returned wrong digits");
    }
    Ok(())
}
