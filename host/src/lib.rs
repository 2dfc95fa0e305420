//! Runs the `pi:digits` component on wasmtime, every call bounded.
//!
//! [`Runtime`] compiles a component once (or loads it from the
//! [`precompiled`] cache); each [`Session`] is one instance of it with its
//! own store, so digits computed by one call are reused by the next calls
//! of the same session (the component keeps its prefix). Every call runs
//! under the [`Limits`]: requests past `max_digits` are refused before any
//! work, and a call that passes its deadline or memory cap is stopped.

/// The README's Rust snippets, run as doctests so the README never lies.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeSnippets;

#[cfg(feature = "compose")]
pub mod compose;
mod files;
#[cfg(feature = "serve")]
mod http_cache;
pub mod limits;
#[cfg(feature = "oci")]
pub mod oci;
mod precompiled;
#[cfg(feature = "serve")]
pub mod serve;
mod state;

use std::path::PathBuf;
use std::time::Duration;

use thiserror::Error;
use wasmtime::component::Linker;
use wasmtime::{Config, Store};

use limits::Failure;
pub use limits::Limits;
use state::State;

/// The host side of `pi:digits/pi`, generated from the WIT; private, so no
/// generated type becomes public API by accident.
mod bindings {
    wasmtime::component::bindgen!({
        path: "../wit",
        world: "calculator",
    });
}

use bindings::exports::pi::digits::pi::{Error as PiError, PatternProblem as PiPatternProblem};
use bindings::{Calculator, CalculatorPre};
use pi_digits_math::search::Pattern;
pub use pi_digits_math::search::{MAX_PATTERN_DIGITS, Occurrences, PatternProblem};

/// The component built from this workspace (`artifacts/`), embedded.
pub const EMBEDDED_COMPONENT: &[u8] = pi_digits_artifacts::PI_COMPONENT;

/// How a [`Runtime`], or a served app, is set up; by default, the default
/// [`Limits`] (and client limits) and no cache.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Bounds on every call.
    pub limits: Limits,
    /// Where compiled components are cached; `None` compiles every time.
    pub cache_dir: Option<PathBuf>,
    /// Bounds on the clients of a served app.
    #[cfg(feature = "serve")]
    pub clients: serve::ClientLimits,
    /// Bytes a served app's HTTP cache may hold (answers the app marks
    /// `public` with a `max-age`); 0, the default, keeps none.
    #[cfg(feature = "serve")]
    pub http_cache_bytes: u64,
}

/// Why a component (or an HTTP app) could not be set up to run.
#[derive(Debug, Error)]
pub enum SetupError {
    /// The engine could not be created.
    #[error("creating the wasmtime engine")]
    Engine(#[source] wasmtime::Error),
    /// The bytes are not a valid component for this engine.
    #[error("compiling the component")]
    Compile(#[source] wasmtime::Error),
    /// The component's imports could not be satisfied, or its exports are
    /// not the expected world's.
    #[error("linking the component")]
    Link(#[source] wasmtime::Error),
    /// A fresh instance could not be made.
    #[error("instantiating the component")]
    Instantiate(#[source] wasmtime::Error),
}

/// Why a call into the component gave no answer.
#[derive(Debug, Error)]
pub enum CallError {
    /// The request needs more digits than the host allows or the component
    /// computes; nothing was computed.
    #[error("the request needs {requested} digits; at most {maximum} are allowed")]
    BeyondMaximum {
        /// The furthest digit position the request needs (saturating).
        requested: u64,
        /// The host's `max_digits` or the component's, whichever is smaller.
        maximum: u64,
    },
    /// The call ran past its deadline and was stopped.
    #[error("the computation was stopped after its deadline of {0:?}")]
    DeadlineExceeded(Duration),
    /// The call needed more memory than the cap allows and was stopped.
    #[error("the computation was stopped at its memory cap of {0} bytes")]
    MemoryLimitExceeded(usize),
    /// The search pattern is not 1 to [`MAX_PATTERN_DIGITS`] decimal
    /// digits; nothing was computed.
    #[error("bad search pattern: {0}")]
    BadPattern(PatternProblem),
    /// The component trapped or failed otherwise.
    #[error("the component failed")]
    Failed(#[source] anyhow::Error),
}

/// A compiled component, linked and ready to instantiate.
#[derive(Clone)]
pub struct Runtime {
    pre: CalculatorPre<State>,
    limits: Limits,
}

impl Runtime {
    /// Compiles a component (binary `.wasm` bytes) for this machine.
    pub fn new(wasm: &[u8], options: &Options) -> Result<Runtime, SetupError> {
        let engine =
            limits::interruptible_engine(&mut Config::new()).map_err(SetupError::Engine)?;
        let component = precompiled::load(&engine, wasm, options.cache_dir.as_deref())
            .map_err(SetupError::Compile)?;
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker).map_err(SetupError::Link)?;
        let pre = linker
            .instantiate_pre(&component)
            .and_then(CalculatorPre::new)
            .map_err(SetupError::Link)?;
        Ok(Runtime {
            pre,
            limits: options.limits,
        })
    }

    /// Compiles the embedded component.
    pub fn embedded(options: &Options) -> Result<Runtime, SetupError> {
        Runtime::new(EMBEDDED_COMPONENT, options)
    }

    /// A fresh instance of the component.
    pub fn session(&self) -> Result<Session, SetupError> {
        let (store, bindings) = self.instantiate().map_err(SetupError::Instantiate)?;
        Ok(Session {
            runtime: self.clone(),
            store,
            bindings,
        })
    }

    fn instantiate(&self) -> wasmtime::Result<(Store<State>, Calculator)> {
        let mut store = Store::new(self.pre.engine(), State::new(&self.limits));
        store.limiter(|state| &mut state.memory);
        self.limits.arm_deadline(&mut store);
        let bindings = self.pre.instantiate(&mut store)?;
        Ok((store, bindings))
    }
}

/// One instance of the component. After a call that failed, the next call
/// starts from a fresh instance.
pub struct Session {
    runtime: Runtime,
    store: Store<State>,
    bindings: Calculator,
}

impl Session {
    /// The most digits this session answers: the component's maximum or
    /// the host's `max_digits`, whichever is smaller (the component
    /// computes 100,000,000; the hosts stop at 10,000,000 by default).
    pub fn max_digits(&mut self) -> Result<u64, CallError> {
        let component = self.call(u64::MIN, |bindings, store| {
            bindings.pi_digits_pi().call_max_digits(store).map(Ok)
        })?;
        Ok(component.min(self.runtime.limits.max_digits))
    }

    /// The first `n` digits of π.
    pub fn digits(&mut self, n: u64) -> Result<String, CallError> {
        self.call(n, |bindings, store| {
            bindings.pi_digits_pi().call_digits(store, n)
        })
    }

    /// `length` digits from `offset` (0 is the leading 3).
    pub fn digits_window(&mut self, offset: u64, length: u64) -> Result<String, CallError> {
        self.call(offset.saturating_add(length), |bindings, store| {
            bindings
                .pi_digits_pi()
                .call_digits_window(store, offset, length)
        })
    }

    /// How often each digit occurs among the first `n` digits.
    pub fn histogram(&mut self, n: u64) -> Result<[u64; 10], CallError> {
        let counts = self.call(n, |bindings, store| {
            bindings.pi_digits_pi().call_histogram(store, n)
        })?;
        counts.try_into().map_err(|counts: Vec<u64>| {
            CallError::Failed(anyhow::anyhow!(
                "histogram has {} counts, not 10",
                counts.len()
            ))
        })
    }

    /// Where `pattern` (1 to [`MAX_PATTERN_DIGITS`] decimal digits) occurs
    /// among the first `n` digits: the first position (0 is the leading 3)
    /// and how often, overlapping occurrences counted.
    /// A malformed pattern is [`CallError::BadPattern`] whatever `n` is,
    /// as the contract orders the two errors: it is checked here, before
    /// the host's maximum, not only by the component.
    pub fn search(&mut self, pattern: &str, n: u64) -> Result<Occurrences, CallError> {
        Pattern::new(pattern).map_err(CallError::BadPattern)?;
        let found = self.call(n, |bindings, store| {
            bindings.pi_digits_pi().call_search(store, pattern, n)
        })?;
        Ok(Occurrences {
            position: found.position,
            count: found.count,
        })
    }

    /// Runs one bounded call that needs the first `requested` digits.
    fn call<T>(
        &mut self,
        requested: u64,
        call: impl FnOnce(&Calculator, &mut Store<State>) -> wasmtime::Result<Result<T, PiError>>,
    ) -> Result<T, CallError> {
        let limits = self.runtime.limits;
        if requested > limits.max_digits {
            return Err(CallError::BeyondMaximum {
                requested,
                maximum: limits.max_digits,
            });
        }
        limits.arm_deadline(&mut self.store);
        match call(&self.bindings, &mut self.store) {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(PiError::BeyondMaximum(maximum))) => {
                Err(CallError::BeyondMaximum { requested, maximum })
            }
            Ok(Err(PiError::BadPattern(problem))) => Err(CallError::BadPattern(match problem {
                PiPatternProblem::Empty => PatternProblem::Empty,
                PiPatternProblem::NotADigit => PatternProblem::NotADigit,
                PiPatternProblem::TooLong => PatternProblem::TooLong,
            })),
            Err(error) => {
                let failure = limits::classify(&error, &self.store.data().memory);
                // A failed instance may be inconsistent: start afresh, lazily
                // keeping the error if even that fails.
                if let Ok((store, bindings)) = self.runtime.instantiate() {
                    self.store = store;
                    self.bindings = bindings;
                }
                Err(match failure {
                    Failure::Deadline => CallError::DeadlineExceeded(limits.timeout),
                    Failure::Memory => CallError::MemoryLimitExceeded(limits.max_memory),
                    Failure::Other => CallError::Failed(error.into()),
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use wasmtime::Engine;
    use wasmtime::component::{Component, Linker};

    use super::*;

    /// World `calculator` needs nothing from its host, and the built
    /// component agrees: it imports nothing, so it instantiates with an
    /// empty linker (no WASI at all) and answers exactly.
    #[test]
    fn the_pi_component_imports_nothing() {
        let engine = Engine::default();
        let component = Component::new(&engine, EMBEDDED_COMPONENT).unwrap();
        let imports: Vec<String> = component
            .component_type()
            .imports(&engine)
            .map(|(name, _)| name.to_owned())
            .collect();
        assert_eq!(imports, Vec::<String>::new(), "the component's imports");

        let mut store = Store::new(&engine, ());
        let pi = Calculator::instantiate(&mut store, &component, &Linker::new(&engine)).unwrap();
        let counts = pi
            .pi_digits_pi()
            .call_histogram(&mut store, 1000)
            .unwrap()
            .unwrap();
        let reference = pi_digits_testkit::Reference::load();
        assert_eq!(counts, reference.histogram(1000));
        let digits = pi
            .pi_digits_pi()
            .call_digits(&mut store, 1000)
            .unwrap()
            .unwrap();
        assert_eq!(digits, reference.prefix(1000));
    }
}
