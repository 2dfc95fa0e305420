//! The HTTP API of pi-digits as a plain library: one request in, one
//! [`api::Reply`] out. The pi calls go through the [`api::Pi`] trait, so the
//! same code answers in the Spin HTTP component (`http/`, over the imported
//! `pi:digits/pi`), in native tests (over the math) and, for the checks a
//! host makes before it instantiates anything, in the wasmtime host.

pub mod api;
pub mod browser;
pub mod query;
