//! Finding a string of digits among the digits of π ("find your birthday
//! in π"): memchr's `memmem`, vectorised (simd128 in the component), with
//! overlapping occurrences counted.

use memchr::memmem::Finder;
use thiserror::Error;

/// The longest pattern a search accepts, in digits.
pub const MAX_PATTERN_DIGITS: usize = 100;

/// What is wrong with a search pattern, which must be 1 to
/// [`MAX_PATTERN_DIGITS`] decimal digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum PatternProblem {
    /// The pattern is empty.
    #[error("the pattern is empty")]
    Empty,
    /// A character of the pattern is not one of the digits 0–9.
    #[error("the pattern has a character that is not a digit 0-9")]
    NotADigit,
    /// The pattern is longer than [`MAX_PATTERN_DIGITS`].
    #[error("the pattern is longer than {MAX_PATTERN_DIGITS} digits")]
    TooLong,
}

/// A search pattern known to be 1 to [`MAX_PATTERN_DIGITS`] decimal digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pattern<'a>(&'a str);

impl<'a> Pattern<'a> {
    /// Checks `pattern`: empty, then too long, then a non-digit.
    pub fn new(pattern: &'a str) -> Result<Self, PatternProblem> {
        if pattern.is_empty() {
            return Err(PatternProblem::Empty);
        }
        // Bytes, not characters: a pattern of digits has one byte each,
        // and a longer one is refused either way.
        if pattern.len() > MAX_PATTERN_DIGITS {
            return Err(PatternProblem::TooLong);
        }
        if !pattern.bytes().all(|byte| byte.is_ascii_digit()) {
            return Err(PatternProblem::NotADigit);
        }
        Ok(Pattern(pattern))
    }

    /// The digits.
    pub fn as_str(&self) -> &'a str {
        self.0
    }
}

/// Where a pattern occurs in a string of digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Occurrences {
    /// The index of the first occurrence's first digit, if any.
    pub position: Option<u64>,
    /// How many occurrences, overlapping ones counted.
    pub count: u64,
}

/// Where `pattern` occurs in `digits`: the first occurrence and how many,
/// each occurrence's search starting one digit after the previous
/// occurrence began, so that "33" occurs twice in "333".
pub fn occurrences(digits: &str, pattern: Pattern<'_>) -> Occurrences {
    let finder = Finder::new(pattern.as_str());
    let haystack = digits.as_bytes();
    let position = finder.find(haystack);
    let mut count = 0;
    let mut next = position;
    while let Some(at) = next {
        count += 1;
        next = finder.find(&haystack[at + 1..]).map(|found| at + 1 + found);
    }
    Occurrences {
        position: position.map(|at| at as u64),
        count,
    }
}

#[cfg(test)]
mod tests {
    use pi_digits_testkit::Reference;
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn malformed_patterns_name_their_problem() {
        assert_eq!(Pattern::new(""), Err(PatternProblem::Empty));
        assert_eq!(Pattern::new("14a3"), Err(PatternProblem::NotADigit));
        assert_eq!(Pattern::new(" 14"), Err(PatternProblem::NotADigit));
        assert_eq!(
            Pattern::new("١٤"),
            Err(PatternProblem::NotADigit),
            "Arabic-Indic digits"
        );
        assert_eq!(Pattern::new(&"1".repeat(101)), Err(PatternProblem::TooLong));
        assert_eq!(Pattern::new(&"x".repeat(101)), Err(PatternProblem::TooLong));
        assert!(Pattern::new(&"1".repeat(100)).is_ok());
        assert!(Pattern::new("0").is_ok());
    }

    #[test]
    fn overlapping_occurrences_count() {
        let pattern = Pattern::new("33").unwrap();
        assert_eq!(
            occurrences("3334", pattern),
            Occurrences {
                position: Some(0),
                count: 2
            }
        );
        let absent = occurrences("3141592653", Pattern::new("0").unwrap());
        assert_eq!(
            absent,
            Occurrences {
                position: None,
                count: 0
            }
        );
        let longer = occurrences("31", Pattern::new("314").unwrap());
        assert_eq!(longer.count, 0, "a pattern longer than the digits");
    }

    #[test]
    fn the_reference_searches_of_the_stored_digits() {
        let reference = Reference::load();
        let mut checked = 0;
        for case in reference
            .searches()
            .filter(|case| case.n <= reference.stored_digits())
        {
            let found = occurrences(
                reference.prefix(case.n),
                Pattern::new(case.pattern).unwrap(),
            );
            assert_eq!(found.position, case.position, "{case:?}");
            assert_eq!(found.count, case.count, "{case:?}");
            checked += 1;
        }
        assert!(checked >= 40, "the fixture has searches: {checked}");
    }

    proptest! {
        /// Against a plain scan of every position, on π's digits (the
        /// patterns taken from them, so that most occur) and on random
        /// strings of few distinct digits (many overlaps).
        #[test]
        fn any_search_matches_a_scan_of_every_position(
            start in 0..99_000usize,
            length in 1..8usize,
            digits in "[0-2]{0,200}",
            pattern in "[0-2]{1,4}",
        ) {
            let pi = Reference::load().prefix(100_000);
            let cases = [(pi, &pi[start..start + length]), (digits.as_str(), pattern.as_str())];
            for (digits, pattern) in cases {
                let at: Vec<usize> = (0..digits.len())
                    .filter(|&i| digits[i..].starts_with(pattern))
                    .collect();
                let found = occurrences(digits, Pattern::new(pattern).unwrap());
                prop_assert_eq!(found.position, at.first().map(|&i| i as u64));
                prop_assert_eq!(found.count, at.len() as u64);
            }
        }
    }
}
