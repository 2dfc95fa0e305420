//! Products below the transform's threshold in wasm: Karatsuba's method
//! over a simd128 schoolbook base.
//!
//! In wasm, num-bigint works on 32-bit limbs (wasm has no 64×64→128-bit
//! product), one 32×32→64-bit product per instruction. The base case here
//! scans the product a column block at a time: four columns, each u64 lane
//! of [`Wide`] summing the low and the high halves of its products
//! separately, so that no sum can overflow; `i64x2.extmul` makes two
//! products per instruction, and the four columns' sums stay in registers
//! for a whole block. Native builds keep num-bigint's multiplication (64-bit
//! limbs); the tests check this one natively, lane by lane.

use alloc::vec;
use alloc::vec::Vec;

use crate::lanes::{Lanes, Wide};

/// At or below this many limbs in the shorter operand the schoolbook base
/// multiplies (measured in wasm32-wasip2).
const BASE: usize = 48;

/// a · b as limbs, a.len() + b.len() of them (high limbs may be zero).
pub fn mul(a: &[u32], b: &[u32]) -> Vec<u32> {
    let mut out = vec![0u32; a.len() + b.len()];
    if !a.is_empty() && !b.is_empty() {
        karatsuba(a, b, &mut out);
    }
    out
}

/// out = a · b, for out.len() = a.len() + b.len() and non-empty operands.
fn karatsuba(a: &[u32], b: &[u32], out: &mut [u32]) {
    let (long, short) = if a.len() >= b.len() { (a, b) } else { (b, a) };
    if short.len() <= BASE {
        return schoolbook(long, short, out);
    }
    if long.len() >= 2 * short.len() {
        // Lopsided: pieces of the long operand as long as the short one.
        out.fill(0);
        let mut piece_product = vec![0u32; 2 * short.len()];
        for (index, piece) in long.chunks(short.len()).enumerate() {
            let product = &mut piece_product[..piece.len() + short.len()];
            karatsuba(piece, short, product);
            add_at(out, product, index * short.len());
        }
        return;
    }
    // (a1·X + a0)(b1·X + b0) with X = 2^(32h): a0·b0 + a1·b1·X² plus
    // ((a0 + a1)(b0 + b1) − a0·b0 − a1·b1)·X; short.len() > h, so b1 is
    // not empty.
    let h = long.len() / 2;
    let (a0, a1) = long.split_at(h);
    let (b0, b1) = short.split_at(h);
    let (low, high) = out.split_at_mut(2 * h);
    karatsuba(a0, b0, low);
    karatsuba(a1, b1, high);
    let (a_sum, b_sum) = (sum(a0, a1), sum(b0, b1));
    let mut middle = vec![0u32; a_sum.len() + b_sum.len()];
    karatsuba(&a_sum, &b_sum, &mut middle);
    sub_from(&mut middle, low);
    sub_from(&mut middle, high);
    add_at(out, &middle, h);
}

/// out = long · short by columns, four at a time (see the module).
fn schoolbook(long: &[u32], short: &[u32], out: &mut [u32]) {
    // The short operand between four zeros on each side: every four-limb
    // window a column block reads is in range.
    let n = short.len();
    let mut padded = vec![0u32; n + 8];
    padded[4..4 + n].copy_from_slice(short);
    let mut carry: u64 = 0;
    // The high half of the last column's products, owed to the next block.
    let mut owed: u64 = 0;
    for k in (0..out.len()).step_by(4) {
        // Column k + l sums long[i] · short[k + l − i]: the terms of any of
        // the four columns have i in first..last.
        let first = (k + 1).saturating_sub(n);
        let last = long.len().min(k + 4);
        let (mut low01, mut high01, mut low23, mut high23) =
            (Wide::zero(), Wide::zero(), Wide::zero(), Wide::zero());
        for (i, &x) in long.iter().enumerate().take(last).skip(first) {
            // short[k − i .. k − i + 4], four zeros of padding before it.
            let start = k + 4 - i;
            let window: &[u32; 4] = padded[start..start + 4].try_into().expect("four limbs");
            let (x, y) = (Lanes::splat(x), Lanes::load(window));
            let (p01, p23) = (Wide::products_low(x, y), Wide::products_high(x, y));
            low01 = low01.add(p01.low_halves());
            high01 = high01.add(p01.high_halves());
            low23 = low23.add(p23.low_halves());
            high23 = high23.add(p23.high_halves());
        }
        let ([l0, l1], [h0, h1], [l2, l3], [h2, h3]) = (
            low01.to_array(),
            high01.to_array(),
            low23.to_array(),
            high23.to_array(),
        );
        // Each sum is below 2^32 · n; the carry stays far below 2^64.
        for (slot, column) in out[k..]
            .iter_mut()
            .zip([l0 + owed, l1 + h0, l2 + h1, l3 + h2])
        {
            carry += column;
            *slot = carry as u32;
            carry >>= 32;
        }
        owed = h3;
    }
    debug_assert!(carry == 0 && owed == 0, "the product fits its limbs");
}

/// a + b, one limb longer than the longer.
fn sum(a: &[u32], b: &[u32]) -> Vec<u32> {
    let mut out = vec![0u32; a.len().max(b.len()) + 1];
    out[..a.len()].copy_from_slice(a);
    add_at(&mut out, b, 0);
    out
}

/// out += addend · 2^(32·offset); the sum fits `out` (any limbs of the
/// addend past its end are zero).
fn add_at(out: &mut [u32], addend: &[u32], offset: usize) {
    let mut carry = 0u64;
    let mut slots = out[offset..].iter_mut();
    for &limb in addend {
        match slots.next() {
            Some(slot) => {
                carry += u64::from(*slot) + u64::from(limb);
                *slot = carry as u32;
                carry >>= 32;
            }
            None => debug_assert_eq!(limb, 0, "the sum fits"),
        }
    }
    for slot in slots {
        if carry == 0 {
            break;
        }
        carry += u64::from(*slot);
        *slot = carry as u32;
        carry >>= 32;
    }
}

/// out −= subtrahend, which is at most out.
fn sub_from(out: &mut [u32], subtrahend: &[u32]) {
    let mut borrow = 0i64;
    let mut slots = out.iter_mut();
    for &limb in subtrahend {
        let slot = slots.next().expect("the subtrahend is no longer than out");
        let difference = i64::from(*slot) - i64::from(limb) + borrow;
        *slot = difference as u32;
        borrow = difference >> 32;
    }
    for slot in slots {
        if borrow == 0 {
            break;
        }
        let difference = i64::from(*slot) + borrow;
        *slot = difference as u32;
        borrow = difference >> 32;
    }
    debug_assert_eq!(borrow, 0, "the subtrahend is at most out");
}

#[cfg(test)]
mod tests {
    use num_bigint::BigUint;
    use proptest::prelude::*;

    use super::*;
    use crate::testing::number;

    fn product(a: &BigUint, b: &BigUint) -> BigUint {
        BigUint::new(mul(&a.to_u32_digits(), &b.to_u32_digits()))
    }

    #[test]
    fn all_ones_reach_the_largest_column_sums() {
        for limbs in [1, 3, 4, 5, BASE, BASE + 1, 2 * BASE + 3, 600] {
            let a = (BigUint::from(1u32) << (32 * limbs)) - 1u32;
            assert_eq!(product(&a, &a), &a * &a, "{limbs} limbs");
        }
    }

    #[test]
    fn zero_and_lopsided_operands() {
        let a = number(32 * 700, 3);
        let b = number(32 * 50, 4);
        assert_eq!(product(&a, &b), &a * &b);
        assert_eq!(product(&b, &a), &a * &b);
        assert!(mul(&[], &[1, 2]).iter().all(|&limb| limb == 0));
        assert_eq!(product(&a, &BigUint::ZERO), BigUint::ZERO);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn products_match_num_bigint(
            a_bits in 1..20_000u64,
            b_bits in 1..20_000u64,
            seed in any::<u64>(),
        ) {
            let a = number(a_bits, seed);
            let b = number(b_bits, seed ^ 0x5555);
            prop_assert_eq!(product(&a, &b), &a * &b);
        }
    }
}
