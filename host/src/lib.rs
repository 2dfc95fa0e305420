//! Runs the `pi:digits` component on wasmtime.
//!
//! [`Runtime`] compiles a component once; each [`Session`] is one instance
//! of it with its own store, so digits computed by one call are reused by
//! the next calls of the same session (the component keeps its prefix).

use thiserror::Error;
use wasmtime::component::{Component, Linker, ResourceTable};
pub mod serve;

use wasmtime::error::Context as _;
use wasmtime::{Engine, Store};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

wasmtime::component::bindgen!({
    path: "../wit",
    world: "calculator",
});

use exports::pi::digits::pi::Error as PiError;

/// The component built from this workspace, embedded at build time.
pub const EMBEDDED_COMPONENT: &[u8] = include_bytes!(env!("PI_DIGITS_WASM"));

/// Why a call into the component gave no answer.
#[derive(Debug, Error)]
pub enum CallError {
    /// The request reaches past the most digits the component computes.
    #[error("the request needs {requested} digits; this component computes at most {maximum}")]
    BeyondMaximum {
        /// The furthest digit position the request needs (saturating).
        requested: u64,
        /// The component's `max-digits`.
        maximum: u64,
    },
    /// The component trapped or failed otherwise; the session is unusable.
    #[error("the component failed")]
    Failed(#[source] anyhow::Error),
}

/// A compiled component and the linker that instantiates it.
pub struct Runtime {
    engine: Engine,
    linker: Linker<State>,
    component: Component,
}

impl Runtime {
    /// Compiles a component (binary `.wasm` bytes) for this machine.
    pub fn new(wasm: &[u8]) -> wasmtime::Result<Runtime> {
        let engine = Engine::default();
        let component = Component::new(&engine, wasm).context("compiling the pi component")?;
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker).context("linking WASI")?;
        Ok(Runtime {
            engine,
            linker,
            component,
        })
    }

    /// Compiles the embedded component.
    pub fn embedded() -> wasmtime::Result<Runtime> {
        Runtime::new(EMBEDDED_COMPONENT)
    }

    /// A fresh instance of the component.
    pub fn session(&self) -> wasmtime::Result<Session> {
        // No files, environment or network: only stderr, for panic messages.
        let wasi = WasiCtx::builder().inherit_stderr().build();
        let mut store = Store::new(
            &self.engine,
            State {
                wasi,
                table: ResourceTable::new(),
            },
        );
        let bindings = Calculator::instantiate(&mut store, &self.component, &self.linker)
            .context("instantiating the pi component")?;
        Ok(Session { store, bindings })
    }
}

/// One instance of the component.
pub struct Session {
    store: Store<State>,
    bindings: Calculator,
}

impl Session {
    /// The most digits the component computes.
    pub fn max_digits(&mut self) -> Result<u64, CallError> {
        self.bindings
            .pi_digits_pi()
            .call_max_digits(&mut self.store)
            .map_err(|trap| CallError::Failed(trap.into()))
    }

    /// The first `n` digits of π.
    pub fn digits(&mut self, n: u64) -> Result<String, CallError> {
        let answer = self.bindings.pi_digits_pi().call_digits(&mut self.store, n);
        flatten(answer, n)
    }

    /// `length` digits from `offset` (0 is the leading 3).
    pub fn digits_window(&mut self, offset: u64, length: u64) -> Result<String, CallError> {
        let answer =
            self.bindings
                .pi_digits_pi()
                .call_digits_window(&mut self.store, offset, length);
        flatten(answer, offset.saturating_add(length))
    }

    /// How often each digit occurs among the first `n` digits.
    pub fn histogram(&mut self, n: u64) -> Result<[u64; 10], CallError> {
        let answer = self
            .bindings
            .pi_digits_pi()
            .call_histogram(&mut self.store, n);
        let counts = flatten(answer, n)?;
        let counts = counts.try_into().map_err(|counts: Vec<u64>| {
            CallError::Failed(anyhow::anyhow!(
                "histogram has {} counts, not 10",
                counts.len()
            ))
        })?;
        Ok(counts)
    }
}

fn flatten<T>(
    answer: wasmtime::Result<Result<T, PiError>>,
    requested: u64,
) -> Result<T, CallError> {
    match answer {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(PiError::BeyondMaximum(maximum))) => {
            Err(CallError::BeyondMaximum { requested, maximum })
        }
        Err(trap) => Err(CallError::Failed(trap.into())),
    }
}

/// What a store holds for the component: WASI's context and resources.
struct State {
    wasi: WasiCtx,
    table: ResourceTable,
}

impl WasiView for State {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}
