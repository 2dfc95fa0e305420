//! The HTTP front end of pi-digits: a Spin HTTP component serving the JSON
//! API and the Pi Day page. It imports `pi:digits/pi` and calls the pi
//! component through it; the math is never linked in.
//!
//! `api`, `browser` and `query` are plain Rust, tested natively; `component` binds
//! them to `wasi:http` (spin-sdk) and to the imported interface, for wasm
//! only (its export names are not valid native symbol names).

pub mod api;
pub mod browser;
pub mod query;

#[cfg(target_family = "wasm")]
mod component;
