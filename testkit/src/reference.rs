//! The reference data: π's digits, histograms, prefix hashes and search
//! answers as computed by mpmath and checked against MPFR (see
//! `reference/make_fixture.py`), never by pi-digits itself.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

/// The committed fixture, written by `reference/make_fixture.py`.
const FIXTURE: &str = include_str!("../fixtures/reference.json");

/// Digits, histograms and prefix hashes from the independent sources.
#[derive(Debug, Deserialize)]
pub struct Reference {
    /// Which libraries produced the data.
    pub source: String,
    digits: String,
    histograms: BTreeMap<u64, [u64; 10]>,
    sha256: BTreeMap<u64, String>,
    searches: BTreeMap<u64, BTreeMap<String, (Option<u64>, u64)>>,
}

/// A search the fixture answers: where `pattern` first occurs among the
/// first `n` digits (0 is the leading 3), and how often, overlapping
/// occurrences counted; found by Python's `str.find` on mpmath's digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchCase {
    /// How many digits are searched.
    pub n: u64,
    /// The digits searched for.
    pub pattern: &'static str,
    /// The first occurrence, if any.
    pub position: Option<u64>,
    /// How many occurrences.
    pub count: u64,
}

impl Reference {
    /// The parsed fixture, shared by every test in the process.
    pub fn load() -> &'static Reference {
        static REFERENCE: OnceLock<Reference> = OnceLock::new();
        REFERENCE.get_or_init(|| serde_json::from_str(FIXTURE).expect("reference fixture parses"))
    }

    /// How many digits the fixture holds in full.
    pub fn stored_digits(&self) -> u64 {
        self.digits.len() as u64
    }

    /// The first `n` digits; `n` at most [`Reference::stored_digits`].
    pub fn prefix(&self, n: u64) -> &str {
        &self.digits[..n as usize]
    }

    /// `length` digits from `offset` (0 is the leading 3).
    pub fn window(&self, offset: u64, length: u64) -> &str {
        &self.digits[offset as usize..(offset + length) as usize]
    }

    /// The histogram of the first `n` digits: from the fixture's table, or
    /// counted from the stored digits.
    pub fn histogram(&self, n: u64) -> [u64; 10] {
        if let Some(counts) = self.histograms.get(&n) {
            return *counts;
        }
        let mut counts = [0; 10];
        for digit in self.prefix(n).bytes() {
            counts[usize::from(digit - b'0')] += 1;
        }
        counts
    }

    /// Sizes whose histogram the fixture lists, beyond the stored digits too.
    pub fn histogram_sizes(&self) -> impl Iterator<Item = u64> + '_ {
        self.histograms.keys().copied()
    }

    /// Every search the fixture answers, for `n` from 10 to 10^7.
    pub fn searches(&'static self) -> impl Iterator<Item = SearchCase> {
        self.searches.iter().flat_map(|(&n, cases)| {
            cases
                .iter()
                .map(move |(pattern, &(position, count))| SearchCase {
                    n,
                    pattern,
                    position,
                    count,
                })
        })
    }

    /// The searches the fixture answers among the first `n` digits.
    pub fn searches_in(&'static self, n: u64) -> impl Iterator<Item = SearchCase> {
        self.searches().filter(move |case| case.n == n)
    }

    /// SHA-256 (hex) of the first `n` digits, for n = 10^k up to 10^7.
    pub fn sha256(&self, n: u64) -> Option<&str> {
        self.sha256.get(&n).map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixture_agrees_with_itself() {
        let reference = Reference::load();
        assert_eq!(reference.prefix(10), "3141592653");
        assert_eq!(reference.histogram(10), [0, 2, 1, 2, 1, 2, 1, 0, 0, 1]);
        for n in [100, 1_000, 100_000] {
            let mut counts = [0; 10];
            for digit in reference.prefix(n).bytes() {
                counts[usize::from(digit - b'0')] += 1;
            }
            assert_eq!(reference.histogram(n), counts, "n = {n}");
        }
    }
}
