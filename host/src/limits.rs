//! What bounds every guest call: a deadline (epoch interruption) and a
//! memory cap (a resource limiter), and how a call that hit one is told
//! apart from any other failure.

use std::time::Duration;
#[cfg(feature = "serve")]
use std::time::Instant;

#[cfg(feature = "serve")]
use wasmtime::UpdateDeadline;
use wasmtime::{Config, Engine, ResourceLimiter, Store, Trap};

/// How often the epoch advances: the resolution of every deadline.
const TICK: Duration = Duration::from_millis(10);

/// The bounds on guest calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Requests that need more digits are refused before any work.
    pub max_digits: u64,
    /// Wall time one call may take.
    pub timeout: Duration,
    /// Bytes of linear memory one instance may hold, all memories together.
    pub max_memory: usize,
}

impl Default for Limits {
    /// 10,000,000 digits (about ten seconds and 300 MiB), within five
    /// minutes and 1 GiB. The component computes up to 100,000,000 digits;
    /// those take minutes and about 1.4 GiB, so the limits for them are
    /// raised by setting, not by default.
    fn default() -> Limits {
        Limits {
            max_digits: 10_000_000,
            timeout: Duration::from_secs(300),
            max_memory: 1 << 30,
        }
    }
}

impl Limits {
    /// Store-side state that enforces the memory cap.
    pub(crate) fn memory_cap(&self) -> MemoryCap {
        MemoryCap {
            limit: self.max_memory,
            used: 0,
            exceeded: false,
        }
    }

    /// Arms the deadline of the next call on `store`.
    pub(crate) fn arm_deadline<T>(&self, store: &mut Store<T>) {
        let ticks = self.timeout.as_millis().div_ceil(TICK.as_millis()).max(1);
        store.set_epoch_deadline(u64::try_from(ticks).unwrap_or(u64::MAX));
    }

    #[cfg(feature = "serve")]
    /// Arms the deadline of an async call on `store`, yielding to the
    /// executor at every tick until then: a call whose client has gone can
    /// be dropped at the next tick instead of computing on.
    pub(crate) fn arm_yielding_deadline<T>(&self, store: &mut Store<T>) {
        let deadline = Instant::now() + self.timeout;
        store.epoch_deadline_callback(move |_| {
            Ok(if Instant::now() >= deadline {
                UpdateDeadline::Interrupt
            } else {
                UpdateDeadline::Yield(1)
            })
        });
        store.set_epoch_deadline(1);
    }
}

/// An engine whose guest calls can be interrupted, and a thread that
/// advances its epoch until the engine is dropped.
pub(crate) fn interruptible_engine(config: &mut Config) -> wasmtime::Result<Engine> {
    config.epoch_interruption(true);
    let engine = Engine::new(config)?;
    let weak = engine.weak();
    std::thread::Builder::new()
        .name("pi-digits-epoch".to_owned())
        .spawn(move || {
            while let Some(engine) = weak.upgrade() {
                engine.increment_epoch();
                drop(engine);
                std::thread::sleep(TICK);
            }
        })?;
    Ok(engine)
}

/// Refuses memory growth past a limit and remembers that it did, so a
/// trap that follows is reported as the limit, not as a bug.
pub(crate) struct MemoryCap {
    limit: usize,
    used: usize,
    exceeded: bool,
}

impl MemoryCap {
    /// Whether a growth was refused.
    pub(crate) fn exceeded(&self) -> bool {
        self.exceeded
    }
}

impl ResourceLimiter for MemoryCap {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let total = self.used - current.min(self.used) + desired;
        if total > self.limit {
            self.exceeded = true;
            return Ok(false);
        }
        self.used = total;
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        // Our components' tables hold a few hundred functions.
        Ok(desired <= 100_000)
    }
}

/// Why a guest call failed, as far as the limits are concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// The deadline passed.
    Deadline,
    /// The memory cap refused a growth.
    Memory,
    /// Anything else: a trap or a host error.
    Other,
}

/// Classifies the error of a failed call on a store whose cap is `cap`.
pub(crate) fn classify(error: &wasmtime::Error, cap: &MemoryCap) -> Failure {
    if error.downcast_ref::<Trap>() == Some(&Trap::Interrupt) {
        Failure::Deadline
    } else if cap.exceeded() {
        Failure::Memory
    } else {
        Failure::Other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_counts_every_memory_of_the_store() {
        let limits = Limits {
            max_digits: 0,
            timeout: Duration::from_secs(1),
            max_memory: 100,
        };
        let mut cap = limits.memory_cap();
        assert!(cap.memory_growing(0, 60, None).unwrap());
        assert!(cap.memory_growing(0, 40, None).unwrap());
        assert!(!cap.exceeded());
        assert!(!cap.memory_growing(40, 41, None).unwrap());
        assert!(cap.exceeded());
    }
}
