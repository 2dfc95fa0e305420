//! Exact decimal digits of π: the series evaluated with guard digits, and
//! only the digits that no rounding error can reach are returned.

use alloc::string::String;

use num_bigint::{BigInt, BigUint, Sign};

use crate::chudnovsky;
use crate::division::div_floor;
use crate::multiply::mul;
use crate::phases::{Phase, timed};
use crate::radix::{power_of_ten, to_decimal};
use crate::sqrt::reciprocal_sqrt;

/// How far, in units of its last digit, [`scaled`] may be from π·10^d.
/// With R < 2^r within 1 + 2^-17 of √10005·10^d ([`root_of_10005`]) and
/// Y = ⌊2^k·Q'/T'⌋ (k = r + 23), where Q' and T' are Q and T without the
/// same low bits (Q' ≥ 2^(r+14)):
/// - R's error costs under 0.04 units (R is multiplied by 426880·Q/T ≈
///   0.0314);
/// - the series' last step, on operands cut to r + 70 bits, moves Q/T by
///   a relative 2^-(r+64) at most (`chudnovsky::series`), under 2^-64
///   units;
/// - dropping the low bits moves Q/T by a relative 2^-(r+13) at most, under
///   0.01 units of π·10^d < 2^r / 30;
/// - Y's floor costs 426880·R/2^k < 2^(r+19−k) = 1/16 units;
/// - the final floor under 1, the truncated series under 0.04.
///
/// That is under 1.2: 2 leaves a margin.
const ERROR_UNITS: u64 = 2;

/// Relative precision of the series' Q/T beyond R's bits (see
/// [`ERROR_UNITS`]).
const SERIES_GUARD_BITS: u64 = 64;

/// Bits of Q kept beyond those of R (see [`ERROR_UNITS`]).
const QUOTIENT_GUARD_BITS: u64 = 15;

/// Bits of Y beyond those of 426880·R < 2^(r+19) (see [`ERROR_UNITS`]).
const SCALE_GUARD_BITS: u64 = 19 + 4;

/// Digits computed beyond those asked for. When the guard digits come too
/// close to a boundary (a run of 9s or 0s after the cut), the computation is
/// repeated with twice as many, so no digit is ever wrong.
const GUARD_DIGITS: u64 = 16;

/// The first `n` decimal digits of π, the leading 3 included.
pub fn digits(n: u64) -> String {
    digits_with_guard(n, GUARD_DIGITS)
}

/// [`digits`] starting from `guard` guard digits.
pub(crate) fn digits_with_guard(n: u64, mut guard: u64) -> String {
    if n == 0 {
        return String::new();
    }
    let n_len = usize::try_from(n).expect("digit count fits in memory");
    loop {
        let scaled = scaled(n - 1 + guard);
        let mut text = timed(Phase::Radix, || to_decimal(&scaled));
        if exact_prefix_len(&text, n_len, ERROR_UNITS) {
            text.truncate(n_len);
            return text;
        }
        guard *= 2;
    }
}

/// An approximation of π·10^d, within [`ERROR_UNITS`] of the true value.
fn scaled(d: u64) -> BigUint {
    let root = timed(Phase::SquareRoot, || root_of_10005(d));
    let (q, t) = timed(Phase::Series, || {
        chudnovsky::series(d, root.bits() + SERIES_GUARD_BITS)
    });
    let q = positive(q, "Q");
    let t = positive(t, "T");
    // Q and T carry about twice the bits the quotient needs: the same shift
    // of both keeps Q/T to the precision of the result, at half the cost.
    let dropped = q.bits().saturating_sub(root.bits() + QUOTIENT_GUARD_BITS);
    let scale = root.bits() + SCALE_GUARD_BITS;
    let y = timed(Phase::Division, || {
        div_floor(&((q >> dropped) << scale), &(t >> dropped))
    });
    timed(Phase::FinalProduct, || {
        mul(&(root * 426_880u32), &y) >> scale
    })
}

/// Bits of y beyond those of 10^d in [`root_of_10005`].
const ROOT_GUARD_BITS: u64 = 40;

/// √10005·10^d to within 1 + 2^-17 (not necessarily its floor), from
/// y ≈ 2^(7+p)/√10005 (10005 has 14 bits) with p = bits(10^d) + 40:
/// R = ⌊10005·y·10^d / 2^(7+p)⌋. If y is within c units, 10005·y·10^d/2^(7+p)
/// is within 10005·c·10^d/2^(7+p) < 2^14·c/2^47 of √10005·10^d, under
/// 2^-17 for any c up to 2^16 (reciprocal_sqrt is within a few units; its
/// tests check 16). Only multiplications: no square root of the 2d-digit
/// 10005·10^(2d), no squaring to make its floor exact.
fn root_of_10005(d: u64) -> BigUint {
    let power = power_of_ten(d);
    let precision = power.bits() + ROOT_GUARD_BITS;
    let y = reciprocal_sqrt(&BigUint::from(10_005u32), precision);
    mul(&(y * 10_005u32), &power) >> (7 + precision)
}

/// The magnitude of `x`, which is positive: moved out, not copied.
fn positive(x: BigInt, name: &str) -> BigUint {
    let (sign, magnitude) = x.into_parts();
    assert_eq!(sign, Sign::Plus, "{name} is positive");
    magnitude
}

/// Whether the first `n` digits of `text`, a number known to within `error`
/// units of its last digit, are the same for every value in that range:
/// the digits after position `n` must not be within `error` of all 0s
/// (value could be just below) or all 9s (value could be just above).
pub(crate) fn exact_prefix_len(text: &str, n: usize, error: u64) -> bool {
    assert!(text.len() > n, "guard digits follow the requested ones");
    let tail = &text.as_bytes()[n..];
    // Split the tail into a high part and a low part of at most 18 digits,
    // which fits a u64 with room to add `error`.
    let low_len = tail.len().min(18);
    let (high, low) = tail.split_at(tail.len() - low_len);
    let low: u64 = core::str::from_utf8(low)
        .expect("decimal digits")
        .parse()
        .expect("decimal digits");
    let low_limit = 10u64.pow(low_len as u32);
    let near_zero = high.iter().all(|&b| b == b'0') && low < error;
    let near_carry = high.iter().all(|&b| b == b'9') && low + error >= low_limit;
    !(near_zero || near_carry)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pi_digits_testkit::Reference;

    #[test]
    fn small_counts_match_the_reference() {
        let reference = Reference::load();
        for n in (0..=300).chain([1_000, 1_024, 4_097]) {
            assert_eq!(digits(n), reference.prefix(n), "n = {n}");
        }
    }

    /// R within one of ⌊√(10005·10^(2d))⌋, num-bigint's square root, on
    /// both sides of the reciprocal's Newton levels.
    #[test]
    fn the_root_is_within_one_of_the_floor() {
        for d in (0..=200).chain([616, 617, 1_000, 1_233, 1_234, 5_000, 10_000, 20_000]) {
            let floor = (power_of_ten(2 * d) * 10_005u32).sqrt();
            let root = root_of_10005(d);
            assert!(root <= &floor + 1u32 && &root + 1u32 >= floor, "d = {d}");
        }
    }

    #[test]
    fn ten_thousand_digits_match_the_reference() {
        assert_eq!(digits(10_000), Reference::load().prefix(10_000));
    }

    /// The Feynman point: six 9s start at digit 763 (the 3 counted). With a
    /// single guard digit the first attempt cannot decide, and the retry
    /// must still return the exact digits.
    #[test]
    fn runs_of_nines_after_the_cut_are_resolved() {
        let reference = Reference::load();
        assert_eq!(&reference.prefix(768)[762..768], "999999");
        for n in 758..=768 {
            assert_eq!(digits_with_guard(n, 1), reference.prefix(n), "n = {n}");
        }
    }

    #[test]
    fn boundary_tails_are_refused() {
        assert!(!exact_prefix_len("314999", 3, 2), "could carry into the 4");
        assert!(!exact_prefix_len("314001", 3, 2), "could borrow from the 4");
        assert!(exact_prefix_len("314002", 3, 2));
        assert!(exact_prefix_len("314997", 3, 2));
        assert!(!exact_prefix_len("3140000000000000000000000000001", 3, 2));
        assert!(!exact_prefix_len("3149999999999999999999999999998", 3, 2));
        assert!(exact_prefix_len("3149999999999999999999999999997", 3, 2));
        assert!(exact_prefix_len("3141000000000000000000000000000", 3, 2));
    }
}
