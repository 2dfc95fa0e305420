//! The measurements this binary runs in a child process of itself, so that
//! the parent can read each one's peak memory: the component at one size,
//! and the time to first answer. The component child speaks the
//! [`protocol`](crate::protocol) of the peers.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context as _;

use clap::Subcommand;
use pi_digits_host::{EMBEDDED_COMPONENT, Limits, Occurrences, Options, Runtime};
use pi_digits_testkit::Reference;
use serde::{Deserialize, Serialize};

use crate::median::median;
use crate::numbers::seconds;
use crate::protocol::{self, SelfReport};

/// The pattern whose search the time to first answer times.
pub const SEARCH_PATTERN: &str = "140319";
/// Among how many digits it is searched: the snapshot's.
pub const SEARCHED: u64 = 1_000_000;

/// The hidden subcommands that the parent runs as its children.
#[derive(Subcommand)]
pub enum Child {
    /// (internal) Digits and histogram of N from a fresh instance of the
    /// embedded component (default options: the limits `pi-digits` serves
    /// with), compiled and instantiated before the clock starts (the
    /// first-answer measurement times those).
    #[command(hide = true)]
    Component {
        n: u64,
        /// A component file instead of the embedded component.
        #[arg(long)]
        file: Option<PathBuf>,
    },
    /// (internal) Time to first answer: compiling, then fresh instances.
    #[command(hide = true)]
    FirstAnswer { samples: usize },
    /// (internal) Compiling a component file, then fresh instances of it.
    #[command(hide = true)]
    Instantiation { samples: usize, file: PathBuf },
}

/// What `instantiation` prints (JSON on stdout).
#[derive(Debug, Serialize, Deserialize)]
pub struct Instantiation {
    /// `Runtime::new()`: compiling the component, seconds (one sample).
    pub compile: f64,
    /// `session()` alone on the compiled component, median seconds.
    pub instance: f64,
    /// `session()` + `histogram(1000000)`, median seconds.
    pub instance_histogram_million: f64,
}

/// What `first-answer` prints (JSON on stdout).
#[derive(Debug, Serialize, Deserialize)]
pub struct FirstAnswer {
    /// Size of the embedded component in bytes.
    pub component_bytes: usize,
    /// `Runtime::embedded()`: compiling the component, median seconds.
    pub compile: f64,
    /// `session()` alone on a compiled component, median seconds.
    pub instance: f64,
    /// `session()` + `digits(10)` on a compiled component, median seconds.
    pub instance_digits10: f64,
    /// `session()` + `histogram(1000)` on a compiled component, median seconds.
    pub instance_histogram1000: f64,
    /// `search("140319", 1000000)` alone, on a fresh instance made before
    /// the clock starts, median seconds.
    pub search_million: f64,
    /// `session()` + `search("140319", 1000000)`, median seconds.
    pub instance_search_million: f64,
    /// The first compile + session + `digits(10)` of the process, seconds.
    pub cold: f64,
    /// Samples behind each median.
    pub samples: usize,
}

impl FirstAnswer {
    /// One line for the console while the bench runs.
    pub fn summary(&self) -> String {
        format!(
            "component {} bytes; compile {}; fresh instance + digits(10) {}; cold {}",
            self.component_bytes,
            seconds(self.compile),
            seconds(self.instance_digits10),
            seconds(self.cold)
        )
    }
}

impl Child {
    /// Runs the measurement and prints its result for the parent.
    pub fn run(self) -> anyhow::Result<()> {
        match self {
            Child::Component { n, file } => component(n, file.as_deref()),
            Child::FirstAnswer { samples } => first_answer(samples.max(1)),
            Child::Instantiation { samples, file } => instantiation(samples.max(1), &file),
        }
    }
}

/// The component in `file`, or the embedded one.
fn component_wasm(file: Option<&Path>) -> anyhow::Result<std::borrow::Cow<'static, [u8]>> {
    Ok(match file {
        Some(file) => std::fs::read(file)
            .with_context(|| format!("reading {}", file.display()))?
            .into(),
        None => EMBEDDED_COMPONENT.into(),
    })
}

fn component(n: u64, file: Option<&Path>) -> anyhow::Result<()> {
    let mut options = Options::default();
    if n > options.limits.max_digits {
        // Past the hosts' default, as a user lifts it (README, *Limits*):
        // the bench's own timeout still bounds the run.
        options.limits = Limits {
            max_digits: n,
            timeout: Duration::from_secs(3_600),
            max_memory: 4 << 30,
        };
    }
    let runtime = Runtime::new(&component_wasm(file)?, &options)?;
    let mut session = runtime.session()?;
    let start = Instant::now();
    let digits = session.digits(n)?;
    let counts = session.histogram(n)?;
    let seconds = start.elapsed().as_secs_f64();
    protocol::emit(&digits, &SelfReport { seconds, counts })
}

fn first_answer(samples: usize) -> anyhow::Result<()> {
    // First, before anything is warm: what a new process pays for its
    // first answer, compiling included.
    let cold_start = Instant::now();
    let runtime = Runtime::embedded(&Options::default())?;
    let digits = runtime.session()?.digits(10)?;
    let cold = cold_start.elapsed().as_secs_f64();
    anyhow::ensure!(digits == "3141592653", "digits(10) = {digits}");

    // Compiling takes about half a second: a few samples are enough.
    let compile_samples = samples.clamp(1, 5);
    let compile = median_of(compile_samples, || {
        Runtime::embedded(&Options::default()).map(drop)?;
        Ok(())
    })?;
    let instance = median_of(samples, || {
        runtime.session()?;
        Ok(())
    })?;
    let instance_digits10 = median_of(samples, || {
        runtime.session()?.digits(10)?;
        Ok(())
    })?;
    let instance_histogram1000 = median_of(samples, || {
        runtime.session()?.histogram(1000)?;
        Ok(())
    })?;
    // The example ("find your birthday in π"), checked against the
    // reference once; the instance is made outside the timed call.
    let case = Reference::load()
        .searches_in(SEARCHED)
        .find(|case| case.pattern == SEARCH_PATTERN)
        .context("the fixture has the search the bench times")?;
    let found = runtime.session()?.search(SEARCH_PATTERN, SEARCHED)?;
    anyhow::ensure!(
        found
            == Occurrences {
                position: case.position,
                count: case.count
            },
        "search({SEARCH_PATTERN:?}, {SEARCHED}) = {found:?}, the reference says {case:?}"
    );
    let mut search_times = Vec::with_capacity(samples);
    for _ in 0..samples {
        let mut session = runtime.session()?;
        let start = Instant::now();
        session.search(SEARCH_PATTERN, SEARCHED)?;
        search_times.push(start.elapsed());
    }
    let search_million = median(&mut search_times).as_secs_f64();
    let instance_search_million = median_of(samples, || {
        runtime.session()?.search(SEARCH_PATTERN, SEARCHED)?;
        Ok(())
    })?;
    let answer = FirstAnswer {
        component_bytes: EMBEDDED_COMPONENT.len(),
        compile,
        instance,
        instance_digits10,
        instance_histogram1000,
        search_million,
        instance_search_million,
        cold,
        samples,
    };
    println!("{}", serde_json::to_string(&answer)?);
    Ok(())
}

fn instantiation(samples: usize, file: &Path) -> anyhow::Result<()> {
    let start = Instant::now();
    let runtime = Runtime::new(&component_wasm(Some(file))?, &Options::default())?;
    let compile = start.elapsed().as_secs_f64();
    let instance = median_of(samples, || {
        runtime.session()?;
        Ok(())
    })?;
    let instance_histogram_million = median_of(samples, || {
        runtime.session()?.histogram(1_000_000)?;
        Ok(())
    })?;
    let answer = Instantiation {
        compile,
        instance,
        instance_histogram_million,
    };
    println!("{}", serde_json::to_string(&answer)?);
    Ok(())
}

/// The median wall time of `samples` calls of `f`, seconds.
fn median_of(samples: usize, mut f: impl FnMut() -> anyhow::Result<()>) -> anyhow::Result<f64> {
    let mut times: Vec<Duration> = Vec::with_capacity(samples);
    for _ in 0..samples {
        let start = Instant::now();
        f()?;
        times.push(start.elapsed());
    }
    Ok(median(&mut times).as_secs_f64())
}
