//! The pi component: exports `pi:digits/pi` (see `wit/pi.wit`).
//!
//! The math lives in plain modules that build and test natively; `export`
//! is the thin glue between them and the WIT types, built for wasm only
//! (its export names are not valid native symbol names).

pub mod cache;
pub mod chudnovsky;
pub mod division;
pub mod multiply;
pub mod pi;
pub mod radix;
pub mod reciprocal;
pub mod sqrt;

#[cfg(test)]
mod testing;

#[cfg(target_family = "wasm")]
mod export;
