//! Decimal conversion by divide and conquer: a number below 10^(2m) is
//! split by 10^m into a high and a low half, each converted the same way,
//! down to chunks that num-bigint converts directly. Each power
//! 10^(CHUNK·2^k) and its reciprocal are computed once and serve every split
//! at its level, so the cost is a few multiplications per level.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use num_bigint::BigUint;

use crate::division::Divisor;
use crate::multiply::{mul, square};

/// Decimal digits of the chunks num-bigint converts itself.
const CHUNK: usize = 512;

/// log10(2), rounded up: bits · this bounds the decimal digits from above.
const LOG10_2: f64 = 0.301_029_995_663_981_3;

/// The decimal representation of `x`, without leading zeros.
pub fn to_decimal(x: &BigUint) -> String {
    // The digit count is at most ⌊bits·log10(2)⌋ + 1.
    let max_digits = (x.bits() as f64 * LOG10_2) as usize + 1;
    if max_digits <= CHUNK {
        return x.to_string();
    }
    // The top level splits by 10^(CHUNK·2^(levels−1)), the half of the
    // smallest CHUNK·2^levels that is at least max_digits.
    let levels = max_digits
        .div_ceil(CHUNK)
        .next_power_of_two()
        .trailing_zeros() as usize;
    let mut divisors: Vec<Divisor> = Vec::with_capacity(levels);
    let mut power = BigUint::from(10u32).pow(CHUNK as u32);
    for level in 0..levels {
        if level > 0 {
            power = square(divisors[level - 1].divisor());
        }
        // Below the top, quotients fill their level; the top quotient is
        // only the digits of x above the split, often far fewer.
        let quotient_bits = if level + 1 == levels {
            (x.bits() + 1).saturating_sub(power.bits()).max(1)
        } else {
            power.bits() + 1
        };
        divisors.push(Divisor::new(core::mem::take(&mut power), quotient_bits));
    }
    let mut out = Vec::with_capacity(max_digits);
    convert(x, &divisors, false, &mut out);
    String::from_utf8(out).expect("decimal digits are ASCII")
}

/// Appends the digits of `x` < 10^(CHUNK·2^divisors.len()) to `out`: all
/// CHUNK·2^divisors.len() of them, leading zeros included, when `pad`.
fn convert(x: &BigUint, divisors: &[Divisor], pad: bool, out: &mut Vec<u8>) {
    let Some((divisor, lower)) = divisors.split_last() else {
        let digits = x.to_string();
        if pad {
            out.resize(out.len() + CHUNK - digits.len(), b'0');
        } else if *x == BigUint::ZERO {
            return;
        }
        out.extend_from_slice(digits.as_bytes());
        return;
    };
    let (high, low) = divisor.div_rem(x);
    if pad || high != BigUint::ZERO {
        convert(&high, lower, pad, out);
        convert(&low, lower, true, out);
    } else {
        convert(&low, lower, false, out);
    }
}

/// 10^k, as 5^k · 2^k (the power of 5 is the smaller number to square).
pub fn power_of_ten(k: u64) -> BigUint {
    let mut result = BigUint::from(1u32);
    for bit in (0..u64::BITS - k.leading_zeros()).rev() {
        result = square(&result);
        if k >> bit & 1 == 1 {
            result = mul(&result, &BigUint::from(5u32));
        }
    }
    result << k
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::testing::number;

    #[test]
    fn powers_of_ten_match_num_bigint() {
        for k in [0, 1, 2, 19, 20, 1_000, 65_537] {
            assert_eq!(
                power_of_ten(k),
                BigUint::from(10u32).pow(k as u32),
                "k = {k}"
            );
        }
    }

    #[test]
    fn zeros_inside_and_at_chunk_edges_are_kept() {
        for digits in [
            CHUNK - 1,
            CHUNK,
            CHUNK + 1,
            4 * CHUNK,
            4 * CHUNK + 1,
            40_000,
        ] {
            let power = power_of_ten(digits as u64);
            for x in [
                power.clone(),
                &power - 1u32,
                &power + 1u32,
                &power * 7u32 + power_of_ten(digits as u64 / 2),
                BigUint::ZERO,
            ] {
                assert_eq!(to_decimal(&x), x.to_string(), "{digits} digits");
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        #[test]
        fn decimals_match_num_bigint(
            bits in prop_oneof![1..2_000u64, 2_000..40_000u64, 40_000..400_000u64],
            seed in any::<u64>(),
        ) {
            let x = number(bits, seed);
            prop_assert_eq!(to_decimal(&x), x.to_string());
        }
    }
}
