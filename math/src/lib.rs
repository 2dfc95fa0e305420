//! The arithmetic of pi-digits: the first digits of π by the Chudnovsky
//! series, exact or not at all, and the [`cache`] of the longest prefix
//! computed so far. Plain Rust, one algorithm a file, tested natively; the
//! pi component (`component/`) is the WIT glue over it.

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
