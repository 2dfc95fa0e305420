//! Reciprocal square roots by Newton's iteration, with multiplications
//! only.
//!
//! From y ≈ 2^(e/2+h)/√n (e: the bit length of n rounded up to even), the
//! residual r = 2^(e+2h) − n·y² gives y·2^(p−h) + y·r/2^(e+3h+1−p) ≈
//! 2^(e/2+p)/√n with about twice as many correct bits. π needs √10005 to
//! millions of digits; as 10005·y, the root of a 14-bit number costs a few
//! multiplications of the result's size.

use num_bigint::BigUint;

use crate::multiply::{mul, square};
use crate::reciprocal::shift;

/// Bits carried beyond the precision asked for at every step.
const GUARD: u64 = 32;

/// At or below this precision the reciprocal square root comes from
/// num-bigint's own division and square root of small numbers. Lower in
/// wasm, where num-bigint's square root divides on 32-bit limbs and the
/// Newton steps' products are `crate::karatsuba`'s (measured in
/// wasm32-wasip2 under a deadline: 13% less time in all at 10^3 digits,
/// with the reciprocal's base below).
#[cfg(not(target_arch = "wasm32"))]
const BASE_PRECISION: u64 = 2_048;
#[cfg(target_arch = "wasm32")]
const BASE_PRECISION: u64 = 256;

/// An approximation of 2^(e/2 + precision) / √n, within a few units, where
/// e is the bit length of n rounded up to even. `n` is not zero.
pub(crate) fn reciprocal_sqrt(n: &BigUint, precision: u64) -> BigUint {
    let even_bits = n.bits().next_multiple_of(2);
    // The low bits of n barely move the result; dropping an even count keeps
    // even_bits even.
    let dropped = even_bits.saturating_sub(precision + GUARD) & !1;
    let top = n >> dropped;
    let even_bits = even_bits - dropped;
    if precision <= BASE_PRECISION {
        return ((BigUint::from(1u32) << (even_bits + 2 * precision)) / &top).sqrt();
    }
    let half = precision / 2 + GUARD;
    let y = reciprocal_sqrt(&top, half);
    let one = BigUint::from(1u32) << (even_bits + 2 * half);
    let product = mul(&top, &square(&y));
    let (residual, negative) = if product <= one {
        (one - product, false)
    } else {
        (product - one, true)
    };
    // Only the residual's top half + GUARD bits matter to the correction.
    let kept = residual.bits().saturating_sub(half + GUARD);
    let correction = shift(
        mul(&y, &(residual >> kept)),
        kept as i64 - (even_bits + 3 * half + 1 - precision) as i64,
    );
    let scaled = y << (precision - half);
    if negative {
        scaled - correction
    } else {
        scaled + correction
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::testing::number;

    /// How far `reciprocal_sqrt(n, precision)` is from the exact
    /// ⌊2^(e/2 + p)/√n⌋ = ⌊√⌊2^(e + 2p)/n⌋⌋.
    fn error(n: &BigUint, precision: u64) -> BigUint {
        let even_bits = n.bits().next_multiple_of(2);
        let exact = ((BigUint::from(1u32) << (even_bits + 2 * precision)) / n).sqrt();
        let y = reciprocal_sqrt(n, precision);
        if y > exact { y - exact } else { exact - y }
    }

    /// "Within a few units", as π's error bound counts on (it allows 2^16):
    /// 10005 at precisions on both sides of every Newton level up to 2^17
    /// bits.
    #[test]
    fn reciprocal_roots_are_within_a_few_units() {
        let n = BigUint::from(10_005u32);
        let mut precisions = vec![1, 2, 64, BASE_PRECISION, BASE_PRECISION + 1];
        for k in 8..=17 {
            precisions.extend([(1 << k) - 1, 1 << k, (1 << k) + 1, 3 << (k - 1)]);
        }
        for precision in precisions {
            let error = error(&n, precision);
            assert!(
                error <= BigUint::from(16u32),
                "precision {precision}: off by {error}"
            );
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]

        /// The same for any n, short or longer than the precision.
        #[test]
        fn reciprocal_roots_of_any_number_are_within_a_few_units(
            bits in prop_oneof![1..64u64, 1_000..60_000u64],
            precision in prop_oneof![1..3_000u64, 3_000..40_000u64],
            seed in any::<u64>(),
        ) {
            let n = number(bits, seed);
            prop_assume!(n != BigUint::ZERO);
            let error = error(&n, precision);
            prop_assert!(error <= BigUint::from(16u32), "off by {}", error);
        }
    }
}
