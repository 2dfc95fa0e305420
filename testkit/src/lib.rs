//! What the tests share: reference data — π's digits as computed by mpmath
//! and checked against MPFR (see `reference/make_fixture.py`), never by
//! pi-digits itself — and the external tools the end-to-end tests drive.
//! The reference builds for every target, so that the math crate's tests
//! also run in wasm; the tools are Unix only.

mod reference;
#[cfg(unix)]
mod tools;

pub use reference::{Reference, SearchCase};
#[cfg(unix)]
pub use tools::{
    PATIENCE, REGISTRY_LISTENING, SERVING, START_WITHIN, Server, WASMTIME_SERVING, agent,
    is_serving, run, stderr, stdout, wasmtime_cli,
};
