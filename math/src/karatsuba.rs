//! Products below the transform's threshold in wasm: Karatsuba's method
//! over a simd128 schoolbook base.
//!
//! In wasm, num-bigint works on 32-bit limbs (wasm has no 64×64→128-bit
//! product), one 32×32→64-bit product per instruction. The base case here
//! scans the product a column block at a time: four columns, each u64 lane
//! of [`Wide`] summing its products in two ways that cannot overflow (see
//! `ColumnSums`). The short operand's limbs are widened to u64 lanes as
//! they are loaded (`v128.load32x2_u`), and `i64x2.mul` makes two exact
//! products per instruction (LLVM makes the same of `i64x2.extmul` by a
//! splat, after two shuffles). Native
//! builds keep num-bigint's multiplication (64-bit limbs); the tests check
//! this one natively, lane by lane.

use alloc::vec;
use alloc::vec::Vec;

use crate::lanes::Wide;

/// At or below this many limbs in the shorter operand the schoolbook base
/// multiplies (measured in wasm32-wasip2).
const BASE: usize = 96;

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
        // the four columns have i in first..last, and long[i] meets
        // short[k − i .. k − i + 4], which starts at padded[k + 4 − i]:
        // the windows of `reach`, last to first.
        let first = (k + 1).saturating_sub(n);
        let last = long.len().min(k + 4);
        let reach = &padded[k + 5 - last..k + 8 - first];
        let mut sums = ColumnSums::zero();
        // Four terms a step: a host with a deadline (wasmtime's epoch
        // interruption) checks it at every loop iteration, and the sums
        // leave their registers around the check, so fewer iterations
        // spill them less (16% faster in all at 10^4 digits).
        let terms = long[first..last].rchunks_exact(4);
        let rest = terms.remainder();
        let steps = terms.len();
        for (step, four) in terms.enumerate() {
            let seven: &[u32; 7] = reach[4 * step..4 * step + 7]
                .try_into()
                .expect("seven limbs");
            for (l, &x) in four.iter().rev().enumerate() {
                sums.add(x, seven[l..l + 4].try_into().expect("four limbs"));
            }
        }
        for (&x, window) in rest.iter().rev().zip(reach[4 * steps..].windows(4)) {
            sums.add(x, window.try_into().expect("four limbs"));
        }
        let (low, high) = sums.columns();
        for (slot, column) in out[k..].iter_mut().zip([
            low[0] + owed,
            low[1] + high[0],
            low[2] + high[1],
            low[3] + high[2],
        ]) {
            carry += column;
            *slot = carry as u32;
            carry >>= 32;
        }
        owed = high[3];
    }
    debug_assert!(carry == 0 && owed == 0, "the product fits its limbs");
}

/// Four columns' sums of products, as two sums per column that cannot
/// overflow: of the products' high halves, and of the whole products
/// modulo 2^64. The sum of the low halves is below 2^64 (fewer than 2^32
/// terms), so it is the second sum minus the first times 2^32, modulo
/// 2^64; that costs a subtraction per block instead of a mask per product.
struct ColumnSums {
    wrapped: [Wide; 2],
    high: [Wide; 2],
}

impl ColumnSums {
    fn zero() -> ColumnSums {
        ColumnSums {
            wrapped: [Wide::zero(); 2],
            high: [Wide::zero(); 2],
        }
    }

    /// Adds x · window[l] to column l.
    #[inline(always)]
    fn add(&mut self, x: u32, window: &[u32; 4]) {
        let x = Wide::splat(x);
        let (y01, y23) = window.split_at(2);
        let p01 = Wide::narrow_products(x, Wide::load_widened(y01.try_into().expect("two")));
        let p23 = Wide::narrow_products(x, Wide::load_widened(y23.try_into().expect("two")));
        self.wrapped[0] = self.wrapped[0].add(p01);
        self.wrapped[1] = self.wrapped[1].add(p23);
        self.high[0] = self.high[0].add(p01.high_halves());
        self.high[1] = self.high[1].add(p23.high_halves());
    }

    /// Each column's sums of the low and of the high halves.
    fn columns(&self) -> ([u64; 4], [u64; 4]) {
        let [w0, w1] = self.wrapped[0].to_array();
        let [w2, w3] = self.wrapped[1].to_array();
        let [h0, h1] = self.high[0].to_array();
        let [h2, h3] = self.high[1].to_array();
        let high = [h0, h1, h2, h3];
        let wrapped = [w0, w1, w2, w3];
        let low = core::array::from_fn(|l| wrapped[l].wrapping_sub(high[l] << 32));
        (low, high)
    }
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
