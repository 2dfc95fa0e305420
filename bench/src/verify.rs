//! Checking a run's digits and histogram: against the reference fixture
//! (`tests/fixtures/reference.json`), else against GMP's digits of the same
//! run. A fast wrong answer must not show up as a fast answer.

use std::fmt;

use pi_digits_testkit::Reference;
use sha2::{Digest, Sha256};

/// How a run's digits were checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    /// The digits and histogram agree with a reference.
    Matches(Against),
    /// The digits or the histogram are wrong.
    Mismatch(Mismatch),
    /// Well-formed, but nothing to compare with at this size: beyond the
    /// fixture's digits and hashes, and GMP not run or wrong.
    NoReference,
}

/// What the digits were compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Against {
    /// The fixture's stored digits.
    FixtureDigits,
    /// The fixture's SHA-256 of the first n digits.
    FixtureSha256,
    /// GMP's digits at the same size, in this run of the bench.
    Gmp,
}

/// What is wrong with a run's output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mismatch {
    /// Not as many digits as asked for.
    Length {
        /// Bytes on stdout.
        got: usize,
        /// Digits asked for.
        expected: u64,
    },
    /// A byte on stdout that is not an ASCII digit.
    NotADigit(u8),
    /// The reported histogram is not the count of the digits printed.
    HistogramNotOfTheDigits,
    /// The histogram differs from the fixture's at this size.
    HistogramDiffersFromFixture,
    /// The digits differ from the fixture's stored digits.
    DigitsDifferFromFixture,
    /// The digits' SHA-256 differs from the fixture's.
    Sha256DiffersFromFixture,
    /// The digits differ from GMP's.
    DiffersFromGmp,
}

impl Check {
    /// Whether the digits or the histogram are wrong.
    pub fn is_wrong(&self) -> bool {
        matches!(self, Check::Mismatch(_))
    }
}

impl fmt::Display for Check {
    /// The report's *check* column.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Check::Matches(Against::FixtureDigits) => f.write_str("fixture digits"),
            Check::Matches(Against::FixtureSha256) => f.write_str("fixture sha256"),
            Check::Matches(Against::Gmp) => f.write_str("same as GMP"),
            Check::Mismatch(mismatch) => write!(f, "WRONG: {mismatch}"),
            Check::NoReference => f.write_str("unchecked"),
        }
    }
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Mismatch::Length { got, expected } => write!(f, "{got} digits, not {expected}"),
            Mismatch::NotADigit(byte) => write!(f, "byte {byte:#x} is not a digit"),
            Mismatch::HistogramNotOfTheDigits => f.write_str("histogram does not match the digits"),
            Mismatch::HistogramDiffersFromFixture => {
                f.write_str("histogram differs from the fixture's")
            }
            Mismatch::DigitsDifferFromFixture => f.write_str("differs from the fixture's digits"),
            Mismatch::Sha256DiffersFromFixture => f.write_str("sha256 differs from the fixture's"),
            Mismatch::DiffersFromGmp => f.write_str("differs from GMP's digits"),
        }
    }
}

/// SHA-256 of `bytes`, lowercase hex: the fixture's format.
pub fn sha256_hex(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

/// Checks `digits` (with `digits_sha256`, their [`sha256_hex`]) and the
/// reported `counts` for `n` digits: first that they are n digits whose
/// histogram is `counts`, then against the fixture's digits or SHA-256
/// table, else against `gmp_sha256`, GMP's digits at this size.
pub fn verify(
    n: u64,
    digits: &[u8],
    digits_sha256: &str,
    counts: &[u64; 10],
    gmp_sha256: Option<&str>,
) -> Check {
    match compare(n, digits, digits_sha256, counts, gmp_sha256) {
        Ok(check) => check,
        Err(mismatch) => Check::Mismatch(mismatch),
    }
}

/// [`verify`], with a mismatch as the error so that `?` ends the checking.
fn compare(
    n: u64,
    digits: &[u8],
    digits_sha256: &str,
    counts: &[u64; 10],
    gmp_sha256: Option<&str>,
) -> Result<Check, Mismatch> {
    if digits.len() as u64 != n {
        return Err(Mismatch::Length {
            got: digits.len(),
            expected: n,
        });
    }
    let mut own = [0u64; 10];
    for &digit in digits {
        if !digit.is_ascii_digit() {
            return Err(Mismatch::NotADigit(digit));
        }
        own[usize::from(digit - b'0')] += 1;
    }
    expect(own == *counts, Mismatch::HistogramNotOfTheDigits)?;
    let reference = Reference::load();
    // The fixture lists histograms beyond its stored digits (to 10^7), so
    // this checks the histogram where only a hash checks the digits.
    if reference.histogram_sizes().any(|size| size == n) {
        expect(
            reference.histogram(n) == *counts,
            Mismatch::HistogramDiffersFromFixture,
        )?;
    }
    if n <= reference.stored_digits() {
        expect(
            digits == reference.prefix(n).as_bytes(),
            Mismatch::DigitsDifferFromFixture,
        )?;
        Ok(Check::Matches(Against::FixtureDigits))
    } else if let Some(expected) = reference.sha256(n) {
        expect(
            digits_sha256 == expected,
            Mismatch::Sha256DiffersFromFixture,
        )?;
        Ok(Check::Matches(Against::FixtureSha256))
    } else if let Some(expected) = gmp_sha256 {
        expect(digits_sha256 == expected, Mismatch::DiffersFromGmp)?;
        Ok(Check::Matches(Against::Gmp))
    } else {
        Ok(Check::NoReference)
    }
}

/// `Err(mismatch)` unless `holds`.
fn expect(holds: bool, mismatch: Mismatch) -> Result<(), Mismatch> {
    if holds { Ok(()) } else { Err(mismatch) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts_of(digits: &str) -> [u64; 10] {
        let mut counts = [0; 10];
        for digit in digits.bytes() {
            counts[usize::from(digit - b'0')] += 1;
        }
        counts
    }

    fn check(n: u64, digits: &str, counts: &[u64; 10], gmp_sha256: Option<&str>) -> Check {
        let bytes = digits.as_bytes();
        verify(n, bytes, &sha256_hex(bytes), counts, gmp_sha256)
    }

    #[test]
    fn sha256_is_lowercase_hex() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn the_fixtures_digits_match() {
        let digits = Reference::load().prefix(1000);
        let result = check(1000, digits, &counts_of(digits), None);
        assert_eq!(result, Check::Matches(Against::FixtureDigits));
        assert_eq!(result.to_string(), "fixture digits");
        assert!(!result.is_wrong());
    }

    #[test]
    fn one_wrong_digit_is_caught_with_a_consistent_histogram() {
        let mut digits = Reference::load().prefix(1000).to_string();
        let last = if digits.ends_with('0') { "1" } else { "0" };
        digits.replace_range(999.., last);
        let result = check(1000, &digits, &counts_of(&digits), None);
        assert!(result.is_wrong());
        // Either check may catch it first: 1000 is in the histogram table.
        assert!(matches!(
            result,
            Check::Mismatch(
                Mismatch::HistogramDiffersFromFixture | Mismatch::DigitsDifferFromFixture
            )
        ));
    }

    #[test]
    fn malformed_output_is_wrong() {
        let digits = Reference::load().prefix(10);
        let counts = counts_of(digits);
        assert_eq!(
            check(11, digits, &counts, None).to_string(),
            "WRONG: 10 digits, not 11"
        );
        assert_eq!(
            check(10, "314159265x", &counts, None).to_string(),
            "WRONG: byte 0x78 is not a digit"
        );
        let mut other = counts;
        other[0] += 1;
        other[3] -= 1;
        assert_eq!(
            check(10, digits, &other, None).to_string(),
            "WRONG: histogram does not match the digits"
        );
    }

    #[test]
    fn beyond_the_fixture_gmp_decides() {
        let reference = Reference::load();
        // A size past the stored digits with neither hash nor histogram.
        let n = reference.stored_digits() + 1;
        assert!(reference.sha256(n).is_none());
        assert!(reference.histogram_sizes().all(|size| size != n));
        let digits = "1".repeat(n as usize);
        let counts = counts_of(&digits);
        let own = sha256_hex(digits.as_bytes());
        assert_eq!(check(n, &digits, &counts, None), Check::NoReference);
        assert_eq!(
            check(n, &digits, &counts, Some(&own)),
            Check::Matches(Against::Gmp)
        );
        assert_eq!(
            check(n, &digits, &counts, Some("0")).to_string(),
            "WRONG: differs from GMP's digits"
        );
    }
}
