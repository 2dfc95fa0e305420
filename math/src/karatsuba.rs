//! Products below the transform's threshold in wasm: Karatsuba's method
//! over a simd128 schoolbook base.
//!
//! In wasm, num-bigint works on 32-bit limbs (wasm has no 64×64→128-bit
//! product), one 32×32→64-bit product per instruction. The base case here
//! scans the product a column block at a time: [`COLUMNS`] columns, each
//! u64 lane of [`Wide`] summing its products in two ways that cannot
//! overflow (see `ColumnSums`). The short operand's limbs are widened to
//! u64 lanes as they are loaded (`v128.load32x2_u`), and `i64x2.mul` makes
//! two exact products per instruction (LLVM makes the same of
//! `i64x2.extmul` by a splat, after two shuffles). Native builds keep
//! num-bigint's multiplication (64-bit limbs); the tests check
//! this one natively, lane by lane.

use alloc::vec;
use alloc::vec::Vec;

use crate::lanes::Wide;

/// At or below this many limbs in the shorter operand the schoolbook base
/// multiplies (measured in wasm32-wasip2).
const BASE: usize = 192;

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
    // The two sums and their product in one allocation: most products
    // here are small, and an allocation costs as much as thousands of
    // limb products.
    let (a_len, b_len) = (a1.len() + 1, h.max(b1.len()) + 1);
    let mut scratch = vec![0u32; 2 * (a_len + b_len)];
    let (sums, middle) = scratch.split_at_mut(a_len + b_len);
    let (a_sum, b_sum) = sums.split_at_mut(a_len);
    sum_into(a0, a1, a_sum);
    sum_into(b0, b1, b_sum);
    karatsuba(a_sum, b_sum, middle);
    sub_from(middle, low);
    sub_from(middle, high);
    add_at(out, middle, h);
}

/// Columns summed at once by the schoolbook base.
const COLUMNS: usize = 8;

/// out = long · short by columns, [`COLUMNS`] at a time (see the module).
fn schoolbook(long: &[u32], short: &[u32], out: &mut [u32]) {
    // The short operand between COLUMNS zeros on each side: every window
    // a column block reads is in range. On the stack: it is at most BASE
    // limbs.
    let n = short.len();
    let mut padding = [0u32; BASE + 2 * COLUMNS];
    let padded = &mut padding[..n + 2 * COLUMNS];
    padded[COLUMNS..COLUMNS + n].copy_from_slice(short);
    let padded = &*padded;
    let mut carry: u64 = 0;
    // The high half of the last column's products, owed to the next block.
    let mut owed: u64 = 0;
    for k in (0..out.len()).step_by(COLUMNS) {
        // Column k + l sums long[i] · short[k + l − i]: the terms of any of
        // the block's columns have i in first..last, and long[i] meets
        // short[k − i .. k − i + COLUMNS], which starts at
        // padded[k + COLUMNS − i]: the windows of `reach`, last to first.
        let first = (k + 1).saturating_sub(n);
        let last = long.len().min(k + COLUMNS);
        let reach = &padded[k + COLUMNS + 1 - last..k + 2 * COLUMNS - first];
        let mut sums = ColumnSums::zero();
        // Four terms a step, and eight columns a block: a host with a
        // deadline (wasmtime's epoch interruption) checks it at every loop
        // iteration, and the sums leave their registers around the check,
        // so fewer iterations spill them less.
        let terms = long[first..last].rchunks_exact(4);
        let rest = terms.remainder();
        let steps = terms.len();
        for (step, four) in terms.enumerate() {
            let windows = &reach[4 * step..4 * step + 3 + COLUMNS];
            for (l, &x) in four.iter().rev().enumerate() {
                sums.add(x, windows[l..l + COLUMNS].try_into().expect("a window"));
            }
        }
        for (&x, window) in rest.iter().rev().zip(reach[4 * steps..].windows(COLUMNS)) {
            sums.add(x, window.try_into().expect("a window"));
        }
        let (low, high) = sums.columns();
        for (l, slot) in out[k..].iter_mut().take(COLUMNS).enumerate() {
            carry += low[l] + if l == 0 { owed } else { high[l - 1] };
            *slot = carry as u32;
            carry >>= 32;
        }
        owed = high[COLUMNS - 1];
    }
    debug_assert!(carry == 0 && owed == 0, "the product fits its limbs");
}

/// [`COLUMNS`] columns' sums of products, as two sums per column that
/// cannot overflow: of the products' high halves, and of the whole products
/// modulo 2^64. The sum of the low halves is below 2^64 (fewer than 2^32
/// terms), so it is the second sum minus the first times 2^32, modulo
/// 2^64; that costs a subtraction per block instead of a mask per product.
struct ColumnSums {
    wrapped: [Wide; COLUMNS / 2],
    high: [Wide; COLUMNS / 2],
}

impl ColumnSums {
    fn zero() -> ColumnSums {
        ColumnSums {
            wrapped: [Wide::zero(); COLUMNS / 2],
            high: [Wide::zero(); COLUMNS / 2],
        }
    }

    /// Adds x · window[l] to column l.
    #[inline(always)]
    fn add(&mut self, x: u32, window: &[u32; COLUMNS]) {
        let x = Wide::splat(x);
        for (pair, y) in window.as_chunks::<2>().0.iter().enumerate() {
            let product = Wide::narrow_products(x, Wide::load_widened(y));
            self.wrapped[pair] = self.wrapped[pair].add(product);
            self.high[pair] = self.high[pair].add(product.high_halves());
        }
    }

    /// Each column's sums of the low and of the high halves.
    fn columns(&self) -> ([u64; COLUMNS], [u64; COLUMNS]) {
        let lanes = |sums: &[Wide; COLUMNS / 2]| -> [u64; COLUMNS] {
            core::array::from_fn(|l| sums[l / 2].to_array()[l % 2])
        };
        let (wrapped, high) = (lanes(&self.wrapped), lanes(&self.high));
        let low = core::array::from_fn(|l| wrapped[l].wrapping_sub(high[l] << 32));
        (low, high)
    }
}

/// out = a + b, for a zeroed `out` longer than either.
fn sum_into(a: &[u32], b: &[u32], out: &mut [u32]) {
    out[..a.len()].copy_from_slice(a);
    add_at(out, b, 0);
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
