//! The arithmetic of pi-digits: the first digits of π by the Chudnovsky
//! series, exact or not at all, and the [`cache`] of the longest prefix
//! computed so far, which starts from a [`snapshot`] made at build time
//! and finds patterns of digits in them ([`search`]).
//! Plain Rust, one algorithm a file, tested natively; the
//! pi component (`component/`) is the WIT glue over it.
//!
//! `no_std` (with `alloc`) unless the `std` feature is on: the component
//! links no std, so nothing in it can reach WASI (std's panic and
//! allocation-failure messages write to stderr). Native builds turn `std`
//! on for tfhe-ntt's run-time detection of AVX2 and AVX-512.

#![cfg_attr(not(any(test, feature = "std")), no_std)]

extern crate alloc;

pub mod cache;
pub mod chudnovsky;
pub mod division;
#[cfg(any(test, target_arch = "wasm32"))]
mod karatsuba;
#[cfg(any(test, target_arch = "wasm32"))]
mod lanes;
pub mod multiply;
#[cfg(any(test, target_arch = "wasm32"))]
mod ntt;
pub mod phases;
pub mod pi;
pub mod radix;
pub mod reciprocal;
pub mod search;
pub mod snapshot;
pub mod sqrt;

#[cfg(test)]
mod testing;
