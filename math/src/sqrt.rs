//! Integer square roots by Newton's iteration on the reciprocal square root,
//! with multiplications only.
//!
//! From y ≈ 2^(e/2+h)/√n (e: the bit length of n rounded up to even), the
//! residual r = 2^(e+2h) − n·y² gives y·2^(p−h) + y·r/2^(e+3h+1−p) ≈
//! 2^(e/2+p)/√n with about twice as many correct bits. Then √n ≈ n·y, made
//! exact by comparing its square with n.

use num_bigint::BigUint;

use crate::multiply::{mul, square};
use crate::reciprocal::shift;

/// Bits carried beyond the precision asked for at every step.
const GUARD: u64 = 32;

/// At or below this precision the reciprocal square root comes from
/// num-bigint's own division and square root of small numbers.
const BASE_PRECISION: u64 = 2_048;

/// Below this many bits num-bigint's square root is faster.
const THRESHOLD: u64 = 16_384;

/// ⌊√n⌋.
pub fn sqrt(n: &BigUint) -> BigUint {
    if n.bits() < THRESHOLD {
        return n.sqrt();
    }
    let half_bits = n.bits().div_ceil(2);
    let precision = half_bits + GUARD;
    let y = reciprocal_sqrt(n, precision);
    // √n = n / √n ≈ n·y / 2^(half_bits + precision), from the top bits of n
    // (dropping an even count keeps the arithmetic exact in the scale).
    let dropped = n.bits().saturating_sub(precision + GUARD);
    let mut root = mul(&(n >> dropped), &y) >> (half_bits + precision - dropped);
    let mut root_squared = square(&root);
    while root_squared > *n {
        // (s − 1)² = s² − 2s + 1
        root_squared -= (&root << 1u32) - 1u32;
        root -= 1u32;
    }
    let mut remainder = n - root_squared;
    // (s + 1)² = s² + 2s + 1
    while remainder > (&root << 1u32) {
        remainder -= (&root << 1u32) + 1u32;
        root += 1u32;
    }
    root
}

/// An approximation of 2^(e/2 + precision) / √n, within a few units, where
/// e is the bit length of n rounded up to even. `n` is not zero.
fn reciprocal_sqrt(n: &BigUint, precision: u64) -> BigUint {
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

    #[test]
    fn squares_and_their_neighbours() {
        for bits in [THRESHOLD / 2, THRESHOLD, 50_000, 300_000] {
            let s = number(bits, 11);
            let square = &s * &s;
            assert_eq!(sqrt(&square), s);
            assert_eq!(sqrt(&(&square - 1u32)), &s - 1u32);
            assert_eq!(sqrt(&(&square + 2u32 * &s)), s);
            assert_eq!(sqrt(&(&square + 2u32 * &s + 1u32)), &s + 1u32);
        }
    }

    #[test]
    fn powers_of_two_and_all_ones() {
        for bits in [THRESHOLD, THRESHOLD + 1, 100_001, 100_002] {
            let power = BigUint::from(1u32) << bits;
            let ones = &power - 1u32;
            assert_eq!(sqrt(&power), power.sqrt());
            assert_eq!(sqrt(&ones), ones.sqrt());
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        #[test]
        fn roots_match_num_bigint(
            bits in prop_oneof![1..500u64, 15_000..40_000u64, 40_000..400_000u64],
            seed in any::<u64>(),
        ) {
            let n = number(bits, seed);
            prop_assert_eq!(sqrt(&n), n.sqrt());
        }
    }
}
