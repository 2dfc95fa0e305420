//! Reciprocals by Newton's iteration, with multiplications only.
//!
//! Each step doubles the precision: from y ≈ 2^(n+h)/b, the error term
//! e = 2^(n+h) − b·y gives y·2^(p−h) + y·e/2^(n+2h−p) ≈ 2^(n+p)/b with
//! about twice as many correct bits. Every step works on the top bits of
//! `b` it needs, so the cost is a few multiplications at the final size.

use num_bigint::BigUint;

use crate::multiply::mul;

/// Bits carried beyond the precision asked for, at every step, so that the
/// truncations of `b` and of the error term cost a fraction of a unit.
const GUARD: u64 = 32;

/// At or below this precision num-bigint's schoolbook division, on the top
/// bits of `b`, is faster than another Newton step. Lower in wasm, where
/// num-bigint divides on 32-bit limbs and the Newton steps' products are
/// `crate::karatsuba`'s (see `sqrt`'s base).
#[cfg(not(target_arch = "wasm32"))]
const BASE_PRECISION: u64 = 4_096;
#[cfg(target_arch = "wasm32")]
const BASE_PRECISION: u64 = 512;

/// An approximation of 2^(bits(b) + precision) / b, a number between
/// 2^precision and 2^(precision + 1), within a few units. `b` is not zero.
pub fn reciprocal(b: &BigUint, precision: u64) -> BigUint {
    let bits = b.bits();
    assert!(bits > 0, "the reciprocal of zero");
    // Bits of b below the top precision + GUARD change the result by less
    // than 2^-GUARD units.
    let dropped = bits.saturating_sub(precision + GUARD);
    let top = b >> dropped;
    let bits = bits - dropped;
    if precision <= BASE_PRECISION {
        return (BigUint::from(1u32) << (bits + precision)) / &top;
    }
    let half = precision / 2 + GUARD;
    let y = reciprocal(&top, half);
    // e = 2^(bits + half) − top·y, of about bits + few bits whose top ones
    // give the correction to half + GUARD bits: keep only those.
    let one = BigUint::from(1u32) << (bits + half);
    let product = mul(&top, &y);
    let (error, negative) = if product <= one {
        (one - product, false)
    } else {
        (product - one, true)
    };
    let kept = error.bits().saturating_sub(half + GUARD);
    let correction = shift(
        mul(&y, &(error >> kept)),
        kept as i64 - (bits + 2 * half - precision) as i64,
    );
    let scaled = y << (precision - half);
    if negative {
        scaled - correction
    } else {
        scaled + correction
    }
}

/// x · 2^by, truncated when `by` is negative.
pub(crate) fn shift(x: BigUint, by: i64) -> BigUint {
    if by >= 0 {
        x << by as u64
    } else {
        x >> by.unsigned_abs()
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::testing::number;

    /// The reciprocal, exactly rounded down.
    fn exact(b: &BigUint, precision: u64) -> BigUint {
        (BigUint::from(1u32) << (b.bits() + precision)) / b
    }

    fn distance(a: &BigUint, b: &BigUint) -> BigUint {
        if a > b { a - b } else { b - a }
    }

    #[test]
    fn powers_of_two_and_all_ones() {
        for bits in [1, 2, 64, 5_000, 100_000] {
            let power = BigUint::from(1u32) << (bits - 1);
            let ones = (BigUint::from(1u32) << bits) - 1u32;
            for b in [power, ones] {
                for precision in [10, BASE_PRECISION, BASE_PRECISION + 1, 30_000, 200_000] {
                    let error = distance(&reciprocal(&b, precision), &exact(&b, precision));
                    assert!(
                        error <= BigUint::from(2u32),
                        "bits {bits}, precision {precision}: {error}"
                    );
                }
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn within_two_units_of_the_exact_reciprocal(
            bits in prop_oneof![1..200u64, 3_000..10_000u64, 10_000..300_000u64],
            precision in prop_oneof![1..200u64, BASE_PRECISION - 100..10_000, 10_000..300_000u64],
            seed in any::<u64>(),
        ) {
            let b = number(bits, seed);
            let error = distance(&reciprocal(&b, precision), &exact(&b, precision));
            prop_assert!(error <= BigUint::from(2u32), "error {}", error);
        }
    }
}
