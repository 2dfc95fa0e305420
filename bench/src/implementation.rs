//! The implementations the bench compares, and their names in the tables.

use clap::ValueEnum;

/// One of the programs that compute π's digits, as `--only` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Implementation {
    /// The pi component, built without its snapshot, through the host
    /// library (wasmtime).
    Component,
    /// The same math natively (the `pi-digits-math` crate, release build).
    Native,
    /// The same math built for wasm32-wasip2, under the wasmtime CLI with
    /// no deadline, as dashu is run.
    MathWasm,
    /// dashu's big integers in wasm (wasm32-wasip2, wasmtime CLI).
    Dashu,
    /// mpmath with the gmpy2 backend: GMP, the baseline.
    Gmp,
    /// The Gibbons unbounded spigot in CPython, as the Pi Day app used.
    Spigot,
}

impl Implementation {
    /// Every implementation, in the order of the tables and the plot.
    pub const ALL: [Implementation; 6] = [
        Implementation::Component,
        Implementation::MathWasm,
        Implementation::Native,
        Implementation::Dashu,
        Implementation::Gmp,
        Implementation::Spigot,
    ];

    /// The long name: the per-size tables and the plot's legend.
    pub fn name(self) -> &'static str {
        match self {
            Implementation::Component => {
                "pi-digits component, no snapshot (wasmtime, host library)"
            }
            Implementation::Native => "pi-digits math, native",
            Implementation::MathWasm => "pi-digits math in wasm (wasmtime CLI, no deadline)",
            Implementation::Dashu => "dashu in wasm (wasmtime CLI)",
            Implementation::Gmp => "mpmath+gmpy2 (GMP)",
            Implementation::Spigot => "Python spigot (CPython)",
        }
    }

    /// The short name: the console, the all-sizes table and skip reasons.
    pub fn short(self) -> &'static str {
        match self {
            Implementation::Component => "component",
            Implementation::Native => "native",
            Implementation::MathWasm => "math-wasm",
            Implementation::Dashu => "dashu-wasm",
            Implementation::Gmp => "mpmath+gmpy2",
            Implementation::Spigot => "spigot",
        }
    }
}
