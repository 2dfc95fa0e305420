//! The negacyclic number-theoretic transform of the component: modulo a
//! prime below 2^30, four lanes at a time.
//!
//! tfhe-ntt, which native builds use, has x86 kernels (AVX2, AVX-512); in
//! wasm it falls back to scalar code. This is the same transform, with the
//! same interface as `tfhe_ntt::prime32::Plan` (so that [`crate::multiply`]
//! picks one by target), written over [`Lanes`]: simd128's `v128` in wasm,
//! where `i64x2.extmul` gives two 32×32→64-bit products per instruction.
//!
//! The transform is Seiler's form of Longa and Naehrig's: forward
//! Cooley–Tukey butterflies by the powers of ψ (a primitive 2n-th root of
//! unity, so that the convolution is negacyclic) taken in bit-reversed
//! order, which leave the values in bit-reversed order; pointwise products
//! there; and Gentleman–Sande butterflies by the inverse powers, which bring
//! them back. Blocks of up to [`BLOCK`] values are transformed stage after
//! stage; larger ones split in two after their first forward stage (before
//! their last inverse one), so that the work stays in cache.
//!
//! Values are reduced lazily (Harvey): below 4p in the forward butterflies
//! and below 2p in the inverse ones, which p < 2^30 keeps within a u32.
//! Products by a twiddle factor are Shoup's (a precomputed ⌊w·2^32/p⌋);
//! pointwise products are Montgomery's (R = 2^32), and the normalisation by
//! n^-1 multiplies by R as well to take back their factor R^-1.

use alloc::sync::Arc;
use alloc::vec;
use alloc::vec::Vec;

use crate::lanes::Lanes;

/// The largest block transformed stage after stage (16 KiB of values).
const BLOCK: usize = 4096;

/// Transforms of one size modulo one prime.
pub struct Plan {
    /// The modulus, a prime below 2^30 with p ≡ 1 mod 2n.
    p: u32,
    /// The size n: the first n entries of the tables serve it.
    size: usize,
    /// The factors of the butterflies, for this size or a larger one.
    tables: Arc<Tables>,
    /// n^-1 · 2^32 mod p: normalises after Montgomery products.
    scale: u32,
    /// Its Shoup factor.
    scale_shoup: u32,
    /// −p^-1 mod 2^32, for Montgomery reduction.
    montgomery: u32,
}

/// The butterflies' factors of transforms modulo one prime, up to some size
/// N, with their Shoup factors ⌊w·2^32/p⌋. The tables of a size are the
/// first entries of those of any larger one, so that plans of every size
/// up to N share one set (see [`Tables::extended`]).
struct Tables {
    /// The smallest quadratic non-residue g modulo p: ψ of size n is
    /// g^((p−1)/2n), a primitive 2n-th root of unity.
    non_residue: u64,
    /// ψ^bitrev(k) for k < N, the forward butterflies' factors.
    forward: Vec<u32>,
    /// Their Shoup factors.
    forward_shoup: Vec<u32>,
    /// ψ^-bitrev(k) for k < N, the inverse butterflies' factors.
    inverse: Vec<u32>,
    /// Their Shoup factors.
    inverse_shoup: Vec<u32>,
}

impl Tables {
    /// The tables of size 1 modulo `p`, or `None` if p has no quadratic
    /// non-residue (p is not an odd prime).
    fn new(p: u32) -> Option<Tables> {
        let p64 = u64::from(p);
        let non_residue = (2..p64).find(|&g| pow_mod(g, (p64 - 1) / 2, p64) == p64 - 1)?;
        let one = shoup_factor(1, p);
        Some(Tables {
            non_residue,
            forward: vec![1],
            forward_shoup: vec![one],
            inverse: vec![1],
            inverse_shoup: vec![one],
        })
    }

    /// How many factors each table holds.
    fn len(&self) -> usize {
        self.forward.len()
    }

    /// These tables extended to `size` entries (a power of two with
    /// 2·size dividing p − 1), doubling them: with ψ of size 2m, whose
    /// square is ψ of size m, bitrev_2m(k) = 2·bitrev_m(k) and
    /// bitrev_2m(m + k) = 2·bitrev_m(k) + 1, so the first m forward factors
    /// stay and the next m are the first m times ψ. An inverse factor
    /// ψ^-j is −ψ^(2m−j) (ψ^2m = −1), a forward factor negated; and for
    /// 0 < w < p, whose w·2^32/p is never whole, ⌊(p − w)·2^32/p⌋ is
    /// 2^32 − 1 − ⌊w·2^32/p⌋, so only the forward factors take a division.
    fn extended(&self, size: usize, p: u32) -> Tables {
        let mut tables = Tables {
            non_residue: self.non_residue,
            forward: Vec::with_capacity(size),
            forward_shoup: Vec::with_capacity(size),
            inverse: Vec::with_capacity(size),
            inverse_shoup: Vec::with_capacity(size),
        };
        tables.forward.extend_from_slice(&self.forward);
        tables.forward_shoup.extend_from_slice(&self.forward_shoup);
        tables.inverse.extend_from_slice(&self.inverse);
        tables.inverse_shoup.extend_from_slice(&self.inverse_shoup);
        let p64 = u64::from(p);
        while tables.len() < size {
            let m = tables.len();
            let psi = pow_mod(self.non_residue, (p64 - 1) / (4 * m as u64), p64) as u32;
            let psi_shoup = shoup_factor(psi, p);
            for k in 0..m {
                let w = shoup_reduced(tables.forward[k], psi, psi_shoup, p);
                tables.forward.push(w);
                tables.forward_shoup.push(shoup_factor(w, p));
            }
            let bits = (2 * m).trailing_zeros();
            let bit_reversed = |k: usize| k.reverse_bits() >> (usize::BITS - bits);
            for k in m..2 * m {
                // ψ^-j = −ψ^(2m−j), the forward factor at bitrev(2m − j).
                let negated = bit_reversed(2 * m - bit_reversed(k));
                tables.inverse.push(p - tables.forward[negated]);
                tables.inverse_shoup.push(!tables.forward_shoup[negated]);
            }
        }
        tables
    }
}

impl Plan {
    /// A plan for transforms of `size` values modulo the prime `modulus`,
    /// or `None` if `size` is not a power of two of at least 8, or the
    /// modulus is not below 2^30 with roots of unity of order 2·size.
    pub fn try_new(size: usize, modulus: u32) -> Option<Plan> {
        if modulus >= 1 << 30 {
            return None;
        }
        Plan::with_tables(Arc::new(Tables::new(modulus)?), size, modulus)
    }

    /// A plan for transforms of `size` values modulo the same prime (`None`
    /// as for [`Plan::try_new`]): sharing this plan's tables where they
    /// reach that size, computing only the factors they lack where not.
    pub fn resized(&self, size: usize) -> Option<Plan> {
        Plan::with_tables(Arc::clone(&self.tables), size, self.p)
    }

    fn with_tables(tables: Arc<Tables>, size: usize, p: u32) -> Option<Plan> {
        let n = u64::try_from(size).ok()?;
        let p64 = u64::from(p);
        if !size.is_power_of_two() || size < 8 || (p64 - 1) % (2 * n) != 0 {
            return None;
        }
        let tables = if tables.len() >= size {
            tables
        } else {
            Arc::new(tables.extended(size, p))
        };
        let n_inverse = pow_mod(n % p64, p64 - 2, p64);
        let scale = (n_inverse * ((1u64 << 32) % p64) % p64) as u32;
        // p^-1 mod 2^32 by Newton's iteration: each step doubles the bits.
        let mut p_inverse = p;
        for _ in 0..4 {
            p_inverse = p_inverse.wrapping_mul(2u32.wrapping_sub(p.wrapping_mul(p_inverse)));
        }
        Some(Plan {
            p,
            size,
            tables,
            scale,
            scale_shoup: shoup_factor(scale, p),
            montgomery: p_inverse.wrapping_neg(),
        })
    }

    /// The modulus.
    pub fn modulus(&self) -> u32 {
        self.p
    }

    /// The forward transform of `values` (each below p), in place: the
    /// results, below p, in bit-reversed order.
    pub fn fwd(&self, values: &mut [u32]) {
        assert_eq!(values.len(), self.size, "one value per point");
        self.forward_block(values, 1);
        let (p, twice_p) = (Lanes::splat(self.p), Lanes::splat(2 * self.p));
        for chunk in values.as_chunks_mut::<4>().0 {
            let x = Lanes::load(chunk);
            let x = x.min(x.sub(twice_p));
            x.min(x.sub(p)).store(chunk);
        }
    }

    /// The inverse transform of `values` (each below p, in bit-reversed
    /// order), in place, without the factor n^-1 ([`Plan::normalize`]
    /// applies it): the results below p.
    pub fn inv(&self, values: &mut [u32]) {
        assert_eq!(values.len(), self.size, "one value per point");
        self.inverse_block(values, 1);
        let p = Lanes::splat(self.p);
        for chunk in values.as_chunks_mut::<4>().0 {
            let x = Lanes::load(chunk);
            x.min(x.sub(p)).store(chunk);
        }
    }

    /// `lhs ← lhs · rhs · n^-1`, pointwise: a product of transforms, ready
    /// for [`Plan::inv`].
    pub fn mul_assign_normalize(&self, lhs: &mut [u32], rhs: &[u32]) {
        let (lhs, rhs) = (lhs.as_chunks_mut::<4>().0, rhs.as_chunks::<4>().0);
        assert_eq!(lhs.len(), rhs.len(), "transforms of one size");
        for (l, r) in lhs.iter_mut().zip(rhs) {
            let product = self.montgomery_product(Lanes::load(l), Lanes::load(r));
            self.normalized(product).store(l);
        }
    }

    /// `sum ← sum + lhs · rhs`, pointwise (with Montgomery's factor 2^-32,
    /// which [`Plan::normalize`] takes back).
    pub fn mul_accumulate(&self, sum: &mut [u32], lhs: &[u32], rhs: &[u32]) {
        let p = Lanes::splat(self.p);
        let sum = sum.as_chunks_mut::<4>().0;
        let (lhs, rhs) = (lhs.as_chunks::<4>().0, rhs.as_chunks::<4>().0);
        assert!(
            sum.len() == lhs.len() && lhs.len() == rhs.len(),
            "transforms of one size"
        );
        for ((s, l), r) in sum.iter_mut().zip(lhs).zip(rhs) {
            let total = Lanes::load(s).add(self.montgomery_product(Lanes::load(l), Lanes::load(r)));
            total.min(total.sub(p)).store(s);
        }
    }

    /// `values ← values · n^-1` (and Montgomery's 2^32), pointwise, after
    /// [`Plan::mul_accumulate`] and before [`Plan::inv`].
    pub fn normalize(&self, values: &mut [u32]) {
        for chunk in values.as_chunks_mut::<4>().0 {
            self.normalized(Lanes::load(chunk)).store(chunk);
        }
    }

    /// x · n^-1 · 2^32 mod p, below p, for any x.
    #[inline(always)]
    fn normalized(&self, x: Lanes) -> Lanes {
        let p = Lanes::splat(self.p);
        let y = shoup(
            x,
            Lanes::splat(self.scale),
            Lanes::splat(self.scale_shoup),
            p,
        );
        y.min(y.sub(p))
    }

    /// a · b · 2^-32 mod p, below p, for a, b below p: with t = a·b and
    /// m = t·(−p^-1) mod 2^32, t + m·p is a multiple of 2^32 below 2^32·2p.
    #[inline(always)]
    fn montgomery_product(&self, a: Lanes, b: Lanes) -> Lanes {
        let p = Lanes::splat(self.p);
        let low = a.mul_low(b);
        let m = low.mul_low(Lanes::splat(self.montgomery));
        // The low halves of t and m·p add up to 0 or, where t's low half is
        // not 0, to 2^32: a carry of one, added by subtracting the mask.
        let y = a.mul_high(b).add(m.mul_high(p)).sub(low.nonzero_mask());
        y.min(y.sub(p))
    }

    /// The forward stages of one block, whose first stage's factor is
    /// `forward[k]`.
    fn forward_block(&self, values: &mut [u32], k: usize) {
        let size = values.len();
        if size > BLOCK {
            let (low, high) = values.split_at_mut(size / 2);
            self.forward_stage(low, high, k);
            self.forward_block(low, 2 * k);
            self.forward_block(high, 2 * k + 1);
            return;
        }
        let p = Lanes::splat(self.p);
        let twice_p = Lanes::splat(2 * self.p);
        // The stages whose halves are at least four values apart: each pair
        // of four-lane rows shares one factor. At half-length `len` the
        // block holds `blocks` butterfly groups, factors k·blocks + group.
        let (mut len, mut blocks) = (size / 2, 1);
        while len >= 4 {
            for (group, pair) in values.chunks_exact_mut(2 * len).enumerate() {
                let (low, high) = pair.split_at_mut(len);
                self.forward_stage(low, high, k * blocks + group);
            }
            len /= 2;
            blocks *= 2;
        }
        // Half-length 2, then 1: the stages within rows of four values.
        let butterfly = |x, y, w, w_shoup| forward_butterfly(x, y, w, w_shoup, p, twice_p);
        let first = k * blocks;
        half_length_two(
            values,
            &self.tables.forward[first..],
            &self.tables.forward_shoup[first..],
            butterfly,
        );
        let first = 2 * first;
        half_length_one(
            values,
            &self.tables.forward[first..],
            &self.tables.forward_shoup[first..],
            butterfly,
        );
    }

    /// One forward stage on two halves of a group, factor `forward[k]`.
    #[inline(always)]
    fn forward_stage(&self, low: &mut [u32], high: &mut [u32], k: usize) {
        let p = Lanes::splat(self.p);
        let twice_p = Lanes::splat(2 * self.p);
        let w = Lanes::splat(self.tables.forward[k]);
        let w_shoup = Lanes::splat(self.tables.forward_shoup[k]);
        pairwise(low, high, |x, y| {
            forward_butterfly(x, y, w, w_shoup, p, twice_p)
        });
    }

    /// The inverse stages of one block, whose last stage's factor is
    /// `inverse[k]`: the forward ones undone, in reverse order.
    fn inverse_block(&self, values: &mut [u32], k: usize) {
        let size = values.len();
        if size > BLOCK {
            let (low, high) = values.split_at_mut(size / 2);
            self.inverse_block(low, 2 * k);
            self.inverse_block(high, 2 * k + 1);
            self.inverse_stage(low, high, k);
            return;
        }
        let p = Lanes::splat(self.p);
        let twice_p = Lanes::splat(2 * self.p);
        // Half-length 1, then 2: the stages within rows of four values.
        let butterfly = |x, y, w, w_shoup| inverse_butterfly(x, y, w, w_shoup, p, twice_p);
        let mut blocks = size / 2;
        let first = k * blocks;
        half_length_one(
            values,
            &self.tables.inverse[first..],
            &self.tables.inverse_shoup[first..],
            butterfly,
        );
        blocks /= 2;
        let first = k * blocks;
        half_length_two(
            values,
            &self.tables.inverse[first..],
            &self.tables.inverse_shoup[first..],
            butterfly,
        );
        let mut len = 4;
        while len < size {
            blocks /= 2;
            for (group, pair) in values.chunks_exact_mut(2 * len).enumerate() {
                let (low, high) = pair.split_at_mut(len);
                self.inverse_stage(low, high, k * blocks + group);
            }
            len *= 2;
        }
    }

    /// One inverse stage on two halves of a group, factor `inverse[k]`.
    #[inline(always)]
    fn inverse_stage(&self, low: &mut [u32], high: &mut [u32], k: usize) {
        let p = Lanes::splat(self.p);
        let twice_p = Lanes::splat(2 * self.p);
        let w = Lanes::splat(self.tables.inverse[k]);
        let w_shoup = Lanes::splat(self.tables.inverse_shoup[k]);
        pairwise(low, high, |x, y| {
            inverse_butterfly(x, y, w, w_shoup, p, twice_p)
        });
    }
}

/// `butterfly` on each row of four of `low` with the same row of `high`,
/// four rows an iteration where it can: in wasm, every loop back-edge
/// carries the host's interruption check (wasmtime's epochs), which cost a
/// third of the transform's time with one row an iteration.
#[inline(always)]
fn pairwise(low: &mut [u32], high: &mut [u32], butterfly: impl Fn(Lanes, Lanes) -> (Lanes, Lanes)) {
    let step = |a: &mut [u32; 4], b: &mut [u32; 4]| {
        let (x, y) = butterfly(Lanes::load(a), Lanes::load(b));
        x.store(a);
        y.store(b);
    };
    let (low_blocks, low_rest) = low.as_chunks_mut::<16>();
    let (high_blocks, high_rest) = high.as_chunks_mut::<16>();
    for (a, b) in low_blocks.iter_mut().zip(high_blocks) {
        let (a, b) = (a.as_chunks_mut::<4>().0, b.as_chunks_mut::<4>().0);
        for (a, b) in a.iter_mut().zip(b) {
            step(a, b);
        }
    }
    let (low_rest, high_rest) = (
        low_rest.as_chunks_mut::<4>().0,
        high_rest.as_chunks_mut::<4>().0,
    );
    for (a, b) in low_rest.iter_mut().zip(high_rest) {
        step(a, b);
    }
}

/// A stage of half-length 2, whose groups' factors are `w` (and their
/// Shoup factors `w_shoup`) from the first group on: a row [x0 x1 y0 y1]
/// holds two butterflies of one group, and two rows make four lanes of x
/// and four of y.
#[inline(always)]
fn half_length_two(
    values: &mut [u32],
    w: &[u32],
    w_shoup: &[u32],
    butterfly: impl Fn(Lanes, Lanes, Lanes, Lanes) -> (Lanes, Lanes),
) {
    let factors = w.as_chunks::<2>().0.iter().zip(w_shoup.as_chunks::<2>().0);
    for ((a, b), (w, w_shoup)) in row_pairs(values).zip(factors) {
        let (row_a, row_b) = (Lanes::load(a), Lanes::load(b));
        let (x, y) = butterfly(
            Lanes::low_halves(row_a, row_b),
            Lanes::high_halves(row_a, row_b),
            Lanes::pairs(w[0], w[1]),
            Lanes::pairs(w_shoup[0], w_shoup[1]),
        );
        Lanes::low_halves(x, y).store(a);
        Lanes::high_halves(x, y).store(b);
    }
}

/// A stage of half-length 1 (see [`half_length_two`]): a row [x0 y0 x1 y1]
/// holds two groups, and two rows take four factors in a row.
#[inline(always)]
fn half_length_one(
    values: &mut [u32],
    w: &[u32],
    w_shoup: &[u32],
    butterfly: impl Fn(Lanes, Lanes, Lanes, Lanes) -> (Lanes, Lanes),
) {
    let factors = w.as_chunks::<4>().0.iter().zip(w_shoup.as_chunks::<4>().0);
    for ((a, b), (w, w_shoup)) in row_pairs(values).zip(factors) {
        let (row_a, row_b) = (Lanes::load(a), Lanes::load(b));
        let (x, y) = butterfly(
            Lanes::evens(row_a, row_b),
            Lanes::odds(row_a, row_b),
            Lanes::load(w),
            Lanes::load(w_shoup),
        );
        Lanes::interleave_low(x, y).store(a);
        Lanes::interleave_high(x, y).store(b);
    }
}

/// The values as pairs of rows of four.
#[inline(always)]
fn row_pairs(values: &mut [u32]) -> impl Iterator<Item = (&mut [u32; 4], &mut [u32; 4])> {
    values.as_chunks_mut::<8>().0.iter_mut().map(|rows| {
        let (a, b) = rows.as_chunks_mut::<4>().0.split_at_mut(1);
        (&mut a[0], &mut b[0])
    })
}

/// (x + w·y, x − w·y) for x, y below 4p: results below 4p.
#[inline(always)]
fn forward_butterfly(
    x: Lanes,
    y: Lanes,
    w: Lanes,
    w_shoup: Lanes,
    p: Lanes,
    twice_p: Lanes,
) -> (Lanes, Lanes) {
    let x = x.min(x.sub(twice_p));
    let t = shoup(y, w, w_shoup, p);
    (x.add(t), x.sub(t).add(twice_p))
}

/// (x + y, w·(x − y)) for x, y below 2p: results below 2p.
#[inline(always)]
fn inverse_butterfly(
    x: Lanes,
    y: Lanes,
    w: Lanes,
    w_shoup: Lanes,
    p: Lanes,
    twice_p: Lanes,
) -> (Lanes, Lanes) {
    let sum = x.add(y);
    let sum = sum.min(sum.sub(twice_p));
    (sum, shoup(x.sub(y).add(twice_p), w, w_shoup, p))
}

/// x · w mod p, below 2p, for any x < 2^32 (Shoup): q = ⌊x·w'/2^32⌋ is
/// ⌊x·w/p⌋ or one less, so x·w − q·p, computed modulo 2^32, is below 2p.
#[inline(always)]
fn shoup(x: Lanes, w: Lanes, w_shoup: Lanes, p: Lanes) -> Lanes {
    x.mul_low(w).sub(x.mul_high(w_shoup).mul_low(p))
}

/// x · w mod p, below p, for x < 2^32 and w < p with its Shoup factor.
fn shoup_reduced(x: u32, w: u32, w_shoup: u32, p: u32) -> u32 {
    let quotient = ((u64::from(x) * u64::from(w_shoup)) >> 32) as u32;
    let product = x.wrapping_mul(w).wrapping_sub(quotient.wrapping_mul(p));
    if product >= p { product - p } else { product }
}

/// ⌊w·2^32/p⌋ for w < p.
fn shoup_factor(w: u32, p: u32) -> u32 {
    ((u64::from(w) << 32) / u64::from(p)) as u32
}

/// base^exponent mod m, for m < 2^32.
fn pow_mod(base: u64, mut exponent: u64, m: u64) -> u64 {
    let (mut result, mut base) = (1, base % m);
    while exponent > 0 {
        if exponent & 1 == 1 {
            result = result * base % m;
        }
        base = base * base % m;
        exponent >>= 1;
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: u32 = 998_244_353;

    /// Values below p from a seed (xorshift).
    fn values(size: usize, seed: u64, p: u32) -> Vec<u32> {
        let mut state = seed | 1;
        (0..size)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state % u64::from(p)) as u32
            })
            .collect()
    }

    /// a·b mod (X^n + 1, p), the schoolbook way.
    fn negacyclic(a: &[u32], b: &[u32], p: u32) -> Vec<u32> {
        let (n, p) = (a.len(), u64::from(p));
        let mut out = vec![0u64; n];
        for (i, &x) in a.iter().enumerate() {
            for (j, &y) in b.iter().enumerate() {
                let product = u64::from(x) * u64::from(y) % p;
                let k = (i + j) % n;
                out[k] = if i + j < n {
                    (out[k] + product) % p
                } else {
                    (out[k] + p - product) % p
                };
            }
        }
        out.into_iter().map(|x| x as u32).collect()
    }

    fn product(plan: &Plan, a: &[u32], b: &[u32]) -> Vec<u32> {
        let (mut a, mut b) = (a.to_vec(), b.to_vec());
        plan.fwd(&mut a);
        plan.fwd(&mut b);
        plan.mul_assign_normalize(&mut a, &b);
        plan.inv(&mut a);
        a
    }

    #[test]
    fn products_are_negacyclic_convolutions() {
        for p in [P, 897_581_057, 880_803_841] {
            for log in 3..=10 {
                let size = 1 << log;
                let plan = Plan::try_new(size, p).unwrap();
                assert_eq!(plan.modulus(), p);
                let (a, b) = (values(size, log, p), values(size, log + 100, p));
                assert_eq!(
                    product(&plan, &a, &b),
                    negacyclic(&a, &b, p),
                    "p {p}, size {size}"
                );
            }
        }
    }

    #[cfg(not(target_arch = "wasm32"))]
    /// Sizes past [`BLOCK`], where the transform splits, against tfhe-ntt's
    /// (the native transform, an independent implementation).
    #[test]
    fn split_transforms_agree_with_tfhe_ntt() {
        for log in [12, 13, 15] {
            let size = 1 << log;
            let ours = Plan::try_new(size, P).unwrap();
            let theirs = tfhe_ntt::prime32::Plan::try_new(size, P).unwrap();
            let (a, b) = (values(size, log, P), values(size, log + 7, P));
            let (mut x, mut y) = (a.clone(), b.clone());
            theirs.fwd(&mut x);
            theirs.fwd(&mut y);
            theirs.mul_assign_normalize(&mut x, &y);
            theirs.inv(&mut x);
            assert_eq!(product(&ours, &a, &b), x, "size {size}");
        }
    }

    /// Extreme values: every input p − 1, the largest.
    #[test]
    fn largest_values_stay_exact() {
        let size = 1 << 9;
        let plan = Plan::try_new(size, P).unwrap();
        let a = vec![P - 1; size];
        assert_eq!(product(&plan, &a, &a), negacyclic(&a, &a, P));
    }

    #[test]
    fn sums_of_products_accumulate() {
        let size = 1 << 8;
        let plan = Plan::try_new(size, P).unwrap();
        let [a, b, c, d] = [1, 2, 3, 4].map(|seed| values(size, seed, P));
        let transforms = [&a, &b, &c, &d].map(|x| {
            let mut x = x.clone();
            plan.fwd(&mut x);
            x
        });
        let mut sum = vec![0; size];
        plan.mul_accumulate(&mut sum, &transforms[0], &transforms[1]);
        plan.mul_accumulate(&mut sum, &transforms[2], &transforms[3]);
        plan.normalize(&mut sum);
        plan.inv(&mut sum);
        let expected: Vec<u32> = negacyclic(&a, &b, P)
            .iter()
            .zip(negacyclic(&c, &d, P))
            .map(|(&x, y)| ((u64::from(x) + u64::from(y)) % u64::from(P)) as u32)
            .collect();
        assert_eq!(sum, expected);
    }

    /// The forward factors, built by doubling, are ψ^bitrev(k); the inverse
    /// ones, derived from them rather than computed, are their inverses;
    /// the Shoup factors are exact.
    #[test]
    fn factors_are_inverse_with_exact_shoup_factors() {
        let plan = Plan::try_new(1 << 10, P).unwrap();
        let p = u64::from(P);
        // 3 is the smallest non-residue modulo P = 119·2^23 + 1.
        let psi = pow_mod(3, (p - 1) / (2 << 10), p);
        assert_eq!(
            pow_mod(psi, 1 << 10, p),
            p - 1,
            "ψ is a primitive 2n-th root"
        );
        for k in 0..1 << 10 {
            let (w, inverse) = (
                u64::from(plan.tables.forward[k]),
                u64::from(plan.tables.inverse[k]),
            );
            let bit_reversed = (k as u64).reverse_bits() >> (64 - 10);
            assert_eq!(w, pow_mod(psi, bit_reversed, p), "k = {k}");
            assert_eq!(w * inverse % p, 1, "k = {k}");
            assert_eq!(u64::from(plan.tables.forward_shoup[k]), (w << 32) / p);
            assert_eq!(u64::from(plan.tables.inverse_shoup[k]), (inverse << 32) / p);
        }
    }

    /// Plans resized from a smaller or a larger one (sharing or extending
    /// its tables) have the factors and products of plans made anew, past
    /// [`BLOCK`] too.
    #[test]
    fn resized_plans_match_new_ones() {
        for p in [P, 897_581_057, 880_803_841] {
            let small = Plan::try_new(8, p).unwrap();
            let large = small.resized(1 << 13).unwrap();
            for log in [3, 6, 12, 13] {
                let size = 1 << log;
                let new = Plan::try_new(size, p).unwrap();
                for plan in [small.resized(size).unwrap(), large.resized(size).unwrap()] {
                    let (ours, theirs) = (&plan.tables, &new.tables);
                    assert_eq!(ours.forward[..size], theirs.forward[..size]);
                    assert_eq!(ours.forward_shoup[..size], theirs.forward_shoup[..size]);
                    assert_eq!(ours.inverse[..size], theirs.inverse[..size]);
                    assert_eq!(ours.inverse_shoup[..size], theirs.inverse_shoup[..size]);
                    let (a, b) = (values(size, log, p), values(size, log + 3, p));
                    assert_eq!(
                        product(&plan, &a, &b),
                        product(&new, &a, &b),
                        "p {p}, size {size}"
                    );
                }
            }
            assert!(small.resized(4).is_none() && small.resized(24).is_none());
        }
    }

    #[test]
    fn unsuitable_sizes_and_moduli_have_no_plan() {
        assert!(Plan::try_new(4, P).is_none(), "too small");
        assert!(Plan::try_new(24, P).is_none(), "not a power of two");
        assert!(
            Plan::try_new(1 << 24, P).is_none(),
            "no root of unity of that order"
        );
        assert!(Plan::try_new(8, (1 << 30) + 1).is_none(), "too large");
    }
}
