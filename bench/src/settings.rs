//! How the measurements run, from the command line.

use std::path::PathBuf;
use std::time::Duration;

use crate::implementation::Implementation;

/// The command line's settings that the measurements and the report need.
pub struct Settings {
    /// Runs per implementation and size; the median is reported.
    pub runs: usize,
    /// A first run slower than this many seconds is not repeated.
    pub repeat_below: f64,
    /// A run is stopped after this long; larger sizes of that
    /// implementation are then skipped.
    pub timeout: Duration,
    /// The Python spigot runs only up to this many digits.
    pub spigot_max: u64,
    /// The dashu peer runs only up to this many digits.
    pub dashu_max: u64,
    /// The wasmtime CLI that runs the dashu peer.
    pub wasmtime: PathBuf,
    /// The Python with mpmath and gmpy2 that runs the Python peers.
    pub python: PathBuf,
}

impl Settings {
    /// The most digits a peer is run for, if it has a limit.
    pub fn peer_limit(&self, implementation: Implementation) -> Option<u64> {
        match implementation {
            Implementation::Spigot => Some(self.spigot_max),
            Implementation::Dashu => Some(self.dashu_max),
            _ => None,
        }
    }
}
