//! Division with remainder by a Newton reciprocal: the quotient is the
//! dividend times the reciprocal, then corrected to the exact floor by
//! comparing the product back with the dividend.

use num_bigint::BigUint;
use num_integer::Integer;

use crate::multiply::mul;
use crate::reciprocal::reciprocal;

/// Bits of reciprocal beyond the quotient's, so that the estimated quotient
/// is off by at most one or two before correction.
const GUARD: u64 = 32;

/// When the divisor or the quotient has fewer bits than this, num-bigint's
/// schoolbook division (linear in the other) is faster. Lower in wasm,
/// where num-bigint works on 32-bit limbs and the products of the Newton
/// reciprocal are `crate::karatsuba`'s (measured in wasm32-wasip2 under a
/// deadline: 7% less time in all at 10^4 digits than at 8,192).
#[cfg(not(target_arch = "wasm32"))]
const THRESHOLD: u64 = 8_192;
#[cfg(target_arch = "wasm32")]
const THRESHOLD: u64 = 2_048;

/// A divisor with its reciprocal computed once, for dividing many numbers by
/// it (as decimal conversion does with each power of ten).
pub struct Divisor {
    divisor: BigUint,
    /// ≈ 2^(bits(divisor) + precision) / divisor.
    reciprocal: BigUint,
    precision: u64,
}

impl Divisor {
    /// Prepares division by `divisor` (not zero) for quotients of up to
    /// `quotient_bits` bits; longer quotients are still exact, only slower.
    pub fn new(divisor: BigUint, quotient_bits: u64) -> Self {
        let precision = quotient_bits + GUARD;
        let reciprocal = reciprocal(&divisor, precision);
        Divisor {
            divisor,
            reciprocal,
            precision,
        }
    }

    /// The divisor.
    pub fn divisor(&self) -> &BigUint {
        &self.divisor
    }

    /// (⌊a / divisor⌋, a mod divisor).
    pub fn div_rem(&self, a: &BigUint) -> (BigUint, BigUint) {
        let b = &self.divisor;
        let Some(quotient_bits) = (a.bits() + 1).checked_sub(b.bits()) else {
            return (BigUint::ZERO, a.clone());
        };
        if quotient_bits < THRESHOLD || b.bits() < THRESHOLD {
            return a.div_rem(b);
        }
        let precision = quotient_bits + GUARD;
        if precision > self.precision {
            return div_rem(a, b);
        }
        let reciprocal = &self.reciprocal >> (self.precision - precision);
        estimate_and_correct(a, b, &reciprocal, precision)
    }
}

/// (⌊a / b⌋, a mod b); `b` is not zero.
pub fn div_rem(a: &BigUint, b: &BigUint) -> (BigUint, BigUint) {
    let Some(quotient_bits) = (a.bits() + 1).checked_sub(b.bits()) else {
        return (BigUint::ZERO, a.clone());
    };
    if quotient_bits < THRESHOLD || b.bits() < THRESHOLD {
        return a.div_rem(b);
    }
    let precision = quotient_bits + GUARD;
    estimate_and_correct(a, b, &reciprocal(b, precision), precision)
}

/// ⌊a / b⌋; `b` is not zero.
pub fn div_floor(a: &BigUint, b: &BigUint) -> BigUint {
    div_rem(a, b).0
}

/// The quotient from `reciprocal` ≈ 2^(bits(b) + precision) / b, where
/// `precision` exceeds the quotient's bits by GUARD, then made exact.
fn estimate_and_correct(
    a: &BigUint,
    b: &BigUint,
    reciprocal: &BigUint,
    precision: u64,
) -> (BigUint, BigUint) {
    // Bits of a below the top precision + GUARD move the quotient by less
    // than 2^-GUARD.
    let dropped = a.bits().saturating_sub(precision + GUARD);
    let mut q = mul(&(a >> dropped), reciprocal) >> (b.bits() + precision - dropped);
    let mut product = mul(&q, b);
    while product > *a {
        q -= 1u32;
        product -= b;
    }
    let mut r = a - product;
    while r >= *b {
        q += 1u32;
        r -= b;
    }
    (q, r)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::testing::number;

    #[test]
    fn edge_cases_match_num_bigint() {
        for bits in [THRESHOLD, 8_192, 20_000, 100_000] {
            let b = number(bits, 3);
            let ones = (BigUint::from(1u32) << (2 * bits)) - 1u32;
            let power = BigUint::from(1u32) << (2 * bits);
            for a in [
                ones,
                power,
                b.clone(),
                &b * &b,
                &b * &b - 1u32,
                &b - 1u32,
                BigUint::ZERO,
            ] {
                assert_eq!(div_rem(&a, &b), a.div_rem(&b), "bits {bits}");
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn quotients_match_num_bigint(
            a_bits in prop_oneof![1..300u64, THRESHOLD - 200..20_000, 20_000..300_000u64],
            b_bits in prop_oneof![1..300u64, THRESHOLD - 200..20_000, 20_000..200_000u64],
            seed in any::<u64>(),
        ) {
            let a = number(a_bits, seed);
            let b = number(b_bits, seed.wrapping_mul(7) + 1);
            prop_assert_eq!(div_rem(&a, &b), a.div_rem(&b));
        }

        #[test]
        fn a_divisor_serves_many_dividends(
            b_bits in prop_oneof![1..300u64, THRESHOLD - 200..100_000],
            a_bits in prop::collection::vec(1..250_000u64, 4),
            seed in any::<u64>(),
        ) {
            let b = number(b_bits, seed);
            let divisor = Divisor::new(b.clone(), b_bits + 2);
            for (i, &bits) in a_bits.iter().enumerate() {
                let a = number(bits, seed + i as u64 + 1);
                prop_assert_eq!(divisor.div_rem(&a), a.div_rem(&b));
            }
        }
    }
}
