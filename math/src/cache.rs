//! The digits of π an instance holds: a [`Snapshot`] made at build time,
//! and the longest prefix computed so far, each with running digit counts,
//! so that requests inside either, windows inside them and histograms of
//! any prefix are answered without computing (again).

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;

use thiserror::Error;

use crate::search::{self, Occurrences, Pattern};
use crate::snapshot::{BLOCK, Snapshot};

/// The most digits this component computes; part of its contract. The
/// hosts stop at 10,000,000 unless a setting lifts their limit: 10^8
/// digits take minutes and over a GiB of memory.
pub const MAX_DIGITS: u64 = 100_000_000;

/// Fewest digits computed at once: below this, computing costs less than
/// calling.
const SMALLEST_COMPUTATION: u64 = 64;

/// Why the cache cannot answer a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum Error {
    /// The request reaches past [`MAX_DIGITS`].
    #[error("the request reaches past digit {maximum}, the most this component computes")]
    BeyondMaximum {
        /// The most digits this component computes.
        maximum: u64,
    },
}

/// Computes the first `n` digits of π; the cache calls it to grow.
pub type Source = fn(u64) -> String;

/// The snapshot, and the longest prefix of π computed so far.
pub struct DigitCache {
    source: Source,
    /// Answers every request it reaches to, before anything is computed.
    snapshot: Snapshot<'static>,
    /// The computed digits, ASCII, the leading 3 first.
    digits: String,
    /// `counts[i]` is the histogram of the first `i * BLOCK` digits.
    counts: Vec<[u64; 10]>,
}

impl DigitCache {
    /// A cache that holds nothing yet and computes digits with `source`.
    pub const fn new(source: Source) -> Self {
        DigitCache::with_snapshot(source, Snapshot::EMPTY)
    }

    /// A cache that answers from `snapshot` as far as it reaches, and
    /// computes digits beyond it with `source`.
    pub const fn with_snapshot(source: Source, snapshot: Snapshot<'static>) -> Self {
        DigitCache {
            source,
            snapshot,
            digits: String::new(),
            counts: Vec::new(),
        }
    }

    /// How many digits the cache holds, in the snapshot or computed.
    pub fn len(&self) -> u64 {
        self.snapshot.len().max(self.digits.len()) as u64
    }

    /// Whether the cache holds no digits yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The first `n` digits.
    pub fn prefix(&mut self, n: u64) -> Result<Cow<'_, str>, Error> {
        self.window(0, n)
    }

    /// `length` digits from `offset` (0 is the leading 3): borrowed from
    /// the computed digits, or unpacked from the snapshot.
    pub fn window(&mut self, offset: u64, length: u64) -> Result<Cow<'_, str>, Error> {
        let end = offset.checked_add(length).ok_or(Error::BeyondMaximum {
            maximum: MAX_DIGITS,
        })?;
        if length == 0 && end <= MAX_DIGITS {
            // Nothing to compute for an empty window.
            return Ok(Cow::Borrowed(""));
        }
        check(end)?;
        // end ≤ MAX_DIGITS: both fit a usize on every target.
        let (offset, end) = (offset as usize, end as usize);
        if !self.computed(end) && end <= self.snapshot.len() {
            return Ok(Cow::Owned(self.snapshot.window(offset, end - offset)));
        }
        self.compute_to(end as u64);
        Ok(Cow::Borrowed(&self.digits[offset..end]))
    }

    /// How often each digit occurs among the first `n` digits.
    pub fn histogram(&mut self, n: u64) -> Result<[u64; 10], Error> {
        check(n)?;
        let n = n as usize;
        if !self.computed(n) && n <= self.snapshot.len() {
            return Ok(self.snapshot.histogram(n));
        }
        self.compute_to(n as u64);
        let mut counts = self.counts[n / BLOCK];
        count_digits(&self.digits[n / BLOCK * BLOCK..n], &mut counts);
        Ok(counts)
    }

    /// Where `pattern` occurs among the first `n` digits: occurrences that
    /// end within them, at positions counted like window offsets.
    pub fn search(&mut self, pattern: Pattern<'_>, n: u64) -> Result<Occurrences, Error> {
        Ok(search::occurrences(&self.prefix(n)?, pattern))
    }

    /// Whether the first `n` digits have been computed, counts and all.
    fn computed(&self, n: usize) -> bool {
        n <= self.digits.len() && !self.counts.is_empty()
    }

    /// Makes sure the first `n` digits are computed, computing them if not.
    fn compute_to(&mut self, n: u64) {
        if self.computed(n as usize) {
            return;
        }
        // Exactly what is asked: a fresh instance per request (as under Spin)
        // pays only for its own answer. Tiny requests share one computation.
        let target = n.max(SMALLEST_COMPUTATION);
        let digits = (self.source)(target);
        debug_assert!(digits.starts_with(&self.digits), "π's prefix never changes");
        // A disagreement would be a bug in one of the two: trap rather than
        // answer with either. Cheap beside the computation it checks.
        assert!(
            self.snapshot.agrees_with(&digits),
            "the computed digits agree with the snapshot"
        );
        self.digits = digits;
        self.extend_counts();
    }

    /// Adds running counts for the blocks that are new since the last extension.
    fn extend_counts(&mut self) {
        if self.counts.is_empty() {
            self.counts.push([0; 10]);
        }
        let blocks = self.digits.len() / BLOCK;
        while self.counts.len() <= blocks {
            let start = (self.counts.len() - 1) * BLOCK;
            let mut counts = *self
                .counts
                .last()
                .expect("counts start with the empty prefix");
            count_digits(&self.digits[start..start + BLOCK], &mut counts);
            self.counts.push(counts);
        }
    }
}

/// Refuses a request that reaches past [`MAX_DIGITS`].
fn check(n: u64) -> Result<(), Error> {
    if n > MAX_DIGITS {
        return Err(Error::BeyondMaximum {
            maximum: MAX_DIGITS,
        });
    }
    Ok(())
}

fn count_digits(digits: &str, counts: &mut [u64; 10]) {
    for digit in digits.bytes() {
        counts[usize::from(digit - b'0')] += 1;
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU64, Ordering};

    use pi_digits_testkit::Reference;
    use proptest::prelude::*;

    use super::*;

    /// The reference digits, standing in for the series so that these
    /// tests are about the cache alone.
    fn reference_source(n: u64) -> String {
        Reference::load().prefix(n).to_owned()
    }

    #[test]
    fn later_requests_inside_the_prefix_compute_nothing() {
        static CALLS: AtomicU64 = AtomicU64::new(0);
        fn counting_source(n: u64) -> String {
            CALLS.fetch_add(1, Ordering::SeqCst);
            reference_source(n)
        }
        let reference = Reference::load();
        let mut cache = DigitCache::new(counting_source);
        assert_eq!(cache.prefix(20_000).unwrap(), reference.prefix(20_000));
        let held = cache.len();
        assert_eq!(cache.prefix(10).unwrap(), "3141592653");
        assert_eq!(cache.window(1, 4).unwrap(), "1415");
        assert_eq!(
            cache.window(held - 5, 5).unwrap(),
            reference.window(held - 5, 5)
        );
        assert_eq!(cache.histogram(1_000).unwrap(), reference.histogram(1_000));
        assert_eq!(cache.histogram(held).unwrap(), reference.histogram(held));
        assert_eq!(CALLS.load(Ordering::SeqCst), 1);

        // A window straddling the end of the prefix grows it once.
        assert_eq!(
            cache.window(held - 3, 6).unwrap(),
            reference.window(held - 3, 6)
        );
        assert_eq!(CALLS.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn zero_digits_are_valid() {
        let mut cache = DigitCache::new(reference_source);
        assert_eq!(cache.prefix(0).unwrap(), "");
        assert_eq!(cache.window(5, 0).unwrap(), "");
        assert_eq!(cache.window(MAX_DIGITS, 0).unwrap(), "");
        assert!(cache.is_empty(), "an empty window computes nothing");
        assert_eq!(cache.histogram(0).unwrap(), [0; 10]);
    }

    #[test]
    fn requests_past_the_maximum_are_errors() {
        let beyond = Error::BeyondMaximum {
            maximum: MAX_DIGITS,
        };
        let mut cache = DigitCache::new(|_| panic!("nothing may be computed"));
        assert_eq!(cache.prefix(MAX_DIGITS + 1), Err(beyond));
        assert_eq!(cache.histogram(u64::MAX), Err(beyond));
        assert_eq!(cache.window(MAX_DIGITS, 1), Err(beyond));
        assert_eq!(cache.window(1, MAX_DIGITS), Err(beyond));
        assert_eq!(
            cache.window(u64::MAX, 2),
            Err(beyond),
            "offset + length overflows"
        );
        assert_eq!(
            cache.window(2, u64::MAX),
            Err(beyond),
            "offset + length overflows"
        );
    }

    /// A snapshot of the first `n` reference digits, for the life of the test process.
    fn reference_snapshot(n: u64) -> Snapshot<'static> {
        let bytes = crate::snapshot::pack(Reference::load().prefix(n)).unwrap();
        Snapshot::new(Vec::leak(bytes))
    }

    #[test]
    fn requests_inside_the_snapshot_compute_nothing() {
        let reference = Reference::load();
        let mut cache = DigitCache::with_snapshot(
            |_| panic!("nothing inside the snapshot is computed"),
            reference_snapshot(50_000),
        );
        assert_eq!(cache.len(), 50_000);
        assert_eq!(cache.histogram(0).unwrap(), [0; 10]);
        assert_eq!(cache.prefix(0).unwrap(), "");
        assert_eq!(cache.histogram(1).unwrap(), reference.histogram(1));
        assert_eq!(cache.prefix(50_000).unwrap(), reference.prefix(50_000));
        assert_eq!(cache.prefix(10).unwrap(), "3141592653");
        assert_eq!(
            cache.window(49_990, 10).unwrap(),
            reference.window(49_990, 10)
        );
        assert_eq!(
            cache.histogram(50_000).unwrap(),
            reference.histogram(50_000)
        );
        assert_eq!(
            cache.histogram(12_345).unwrap(),
            reference.histogram(12_345)
        );
    }

    #[test]
    fn past_the_snapshot_the_digits_are_computed_and_agree_with_it() {
        static CALLS: AtomicU64 = AtomicU64::new(0);
        fn counting_source(n: u64) -> String {
            CALLS.fetch_add(1, Ordering::SeqCst);
            reference_source(n)
        }
        let reference = Reference::load();
        let mut cache = DigitCache::with_snapshot(counting_source, reference_snapshot(50_000));
        // Straddling the end of the snapshot: computed, from the leading 3.
        assert_eq!(
            cache.window(49_995, 10).unwrap(),
            reference.window(49_995, 10)
        );
        assert_eq!(CALLS.load(Ordering::SeqCst), 1);
        assert_eq!(
            cache.histogram(50_005).unwrap(),
            reference.histogram(50_005)
        );
        assert_eq!(cache.histogram(1_000).unwrap(), reference.histogram(1_000));
        assert_eq!(cache.prefix(50_005).unwrap(), reference.prefix(50_005));
        assert_eq!(
            CALLS.load(Ordering::SeqCst),
            1,
            "the computed digits are kept"
        );
    }

    #[test]
    #[should_panic(expected = "agree with the snapshot")]
    #[cfg_attr(
        target_arch = "wasm32",
        ignore = "a panic aborts a wasm test binary: checked natively"
    )]
    fn a_computation_that_disagrees_with_the_snapshot_is_refused() {
        fn wrong_source(n: u64) -> String {
            let mut digits = reference_source(n);
            digits.replace_range(100..101, if &digits[100..101] == "0" { "1" } else { "0" });
            digits
        }
        let mut cache = DigitCache::with_snapshot(wrong_source, reference_snapshot(1_000));
        let _ = cache.prefix(2_000);
    }

    #[test]
    fn searches_inside_and_past_the_snapshot_match_the_reference() {
        let reference = Reference::load();
        let mut cache = DigitCache::with_snapshot(reference_source, reference_snapshot(1_000));
        for n in [10, 1_000, 100_000] {
            for case in reference.searches_in(n) {
                let found = cache
                    .search(Pattern::new(case.pattern).unwrap(), n)
                    .unwrap();
                assert_eq!(
                    (found.position, found.count),
                    (case.position, case.count),
                    "{case:?}"
                );
            }
        }
        assert_eq!(
            cache.search(Pattern::new("3").unwrap(), MAX_DIGITS + 1),
            Err(Error::BeyondMaximum {
                maximum: MAX_DIGITS
            })
        );
    }

    proptest! {
        #[test]
        fn any_request_about_a_snapshot_matches_the_reference(
            snapshot in 0..50_000u64,
            first in 0..60_000u64,
            offset in 0..60_000u64,
            length in 0..10_000u64,
            n in 0..90_000u64,
        ) {
            let reference = Reference::load();
            let mut cache = DigitCache::with_snapshot(reference_source, reference_snapshot(snapshot));
            cache.prefix(first).unwrap();
            prop_assert_eq!(cache.window(offset, length).unwrap(), reference.window(offset, length));
            prop_assert_eq!(cache.histogram(n).unwrap(), reference.histogram(n));
            prop_assert_eq!(cache.prefix(first).unwrap(), reference.prefix(first));
        }

        #[test]
        fn any_window_and_histogram_matches_the_reference(
            first in 0..30_000u64,
            offset in 0..60_000u64,
            length in 0..10_000u64,
            n in 0..90_000u64,
        ) {
            let reference = Reference::load();
            let mut cache = DigitCache::new(reference_source);
            cache.prefix(first).unwrap();
            prop_assert_eq!(cache.window(offset, length).unwrap(), reference.window(offset, length));
            prop_assert_eq!(cache.histogram(n).unwrap(), reference.histogram(n));
            prop_assert_eq!(cache.prefix(first).unwrap(), reference.prefix(first));
        }
    }
}
