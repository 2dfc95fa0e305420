//! Where the time of [`pi::digits`](crate::pi::digits) goes, for the
//! benchmark's phase table (`bench/peers/phases-pi`): the time in each
//! phase, and within it the time in multiplications by the transform.
//!
//! Only with the `phases` feature, which needs a clock (std); without it,
//! [`timed`] and [`in_transform`] just run their work, and nothing is kept.

/// The phases of one computation of digits, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// ⌊√10005 · 10^d⌋: the power of ten and the square root.
    SquareRoot,
    /// Q and T by binary splitting.
    Series,
    /// Y = ⌊2^k·Q/T⌋.
    Division,
    /// 426880·R·Y, the scaled value of π.
    FinalProduct,
    /// The scaled value in decimal.
    Radix,
}

impl Phase {
    /// Every phase, in order.
    pub const ALL: [Phase; 5] = [
        Phase::SquareRoot,
        Phase::Series,
        Phase::Division,
        Phase::FinalProduct,
        Phase::Radix,
    ];

    /// The phase's name in the phase table.
    pub fn name(self) -> &'static str {
        match self {
            Phase::SquareRoot => "square root",
            Phase::Series => "series",
            Phase::Division => "division",
            Phase::FinalProduct => "final product",
            Phase::Radix => "radix conversion",
        }
    }
}

/// Runs `work` as (part of) `phase`: with the `phases` feature, its time
/// counts towards the phase.
#[inline]
pub fn timed<T>(phase: Phase, work: impl FnOnce() -> T) -> T {
    #[cfg(feature = "phases")]
    {
        record::timed(phase, work)
    }
    #[cfg(not(feature = "phases"))]
    {
        let _ = phase;
        work()
    }
}

/// Runs `work`, a multiplication by the transform: with the `phases`
/// feature, its time counts towards the transform time of the phase that
/// runs it.
#[inline]
pub(crate) fn in_transform<T>(work: impl FnOnce() -> T) -> T {
    #[cfg(feature = "phases")]
    {
        record::in_transform(work)
    }
    #[cfg(not(feature = "phases"))]
    {
        work()
    }
}

#[cfg(feature = "phases")]
pub use record::{PhaseTime, take};

#[cfg(feature = "phases")]
mod record {
    use std::sync::Mutex;
    use std::time::{Duration, Instant};

    use super::Phase;

    /// The time of one phase, summed over the computations since the last
    /// [`take`].
    #[derive(Debug, Clone, Copy, Default)]
    pub struct PhaseTime {
        /// All of the phase's time.
        pub total: Duration,
        /// The part of it in multiplications by the transform (the rest is
        /// num-bigint's multiplications below the threshold, additions,
        /// shifts and copies).
        pub transform: Duration,
    }

    /// The times so far, and the phase running now, if any.
    struct Record {
        times: [PhaseTime; 5],
        current: Option<Phase>,
    }

    static RECORD: Mutex<Record> = Mutex::new(Record {
        times: [PhaseTime {
            total: Duration::ZERO,
            transform: Duration::ZERO,
        }; 5],
        current: None,
    });

    fn index(phase: Phase) -> usize {
        Phase::ALL
            .iter()
            .position(|&each| each == phase)
            .expect("every phase is in ALL")
    }

    pub fn timed<T>(phase: Phase, work: impl FnOnce() -> T) -> T {
        let outer = RECORD.lock().unwrap().current.replace(phase);
        let started = Instant::now();
        let result = work();
        let elapsed = started.elapsed();
        let mut record = RECORD.lock().unwrap();
        record.times[index(phase)].total += elapsed;
        record.current = outer;
        result
    }

    pub fn in_transform<T>(work: impl FnOnce() -> T) -> T {
        let started = Instant::now();
        let result = work();
        let elapsed = started.elapsed();
        let mut record = RECORD.lock().unwrap();
        if let Some(phase) = record.current {
            record.times[index(phase)].transform += elapsed;
        }
        result
    }

    /// The time of each phase (in [`Phase::ALL`]'s order) since the last
    /// call, which starts the count again.
    pub fn take() -> [PhaseTime; 5] {
        core::mem::take(&mut RECORD.lock().unwrap().times)
    }
}
