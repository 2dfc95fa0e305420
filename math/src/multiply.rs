//! Multiplication of large integers by a number-theoretic transform.
//!
//! Each operand is cut into 32-bit chunks, the chunk sequences are convolved
//! modulo three primes below 2^30 by a number-theoretic transform (natively
//! `tfhe-ntt`'s, with AVX2 and AVX-512 kernels; in wasm `crate::ntt`, with
//! simd128 kernels of its own), and the exact convolution
//! is rebuilt by the Chinese remainder theorem (Garner's form). A coefficient
//! is at most min(len) · (2^32 − 1)² < 2^21 · 2^64, far below the product of
//! the primes (≈ 2^89.35), so the reconstruction is exact. Below
//! [`THRESHOLD`] a product without transforms is faster: num-bigint's
//! natively, `crate::karatsuba` (simd128) in wasm.

use alloc::sync::Arc;
use alloc::vec;
use alloc::vec::Vec;

use num_bigint::{BigInt, BigUint, Sign};
#[cfg(not(target_arch = "wasm32"))]
use tfhe_ntt::prime32::Plan;

#[cfg(target_arch = "wasm32")]
use crate::ntt::Plan;

use crate::phases;

/// Below this many 32-bit chunks in the smaller operand, num-bigint's
/// multiplication is as fast as the transform (measured in wasm32-wasip2,
/// where 500 to 1000 cost the same for whole digit computations).
const THRESHOLD: usize = 600;

/// Three primes below 2^30 of the form k·2^23 + 1: each has the 2^23-th
/// roots of unity that a negacyclic transform of size 2^22 needs.
const PRIMES: [u32; 3] = [998_244_353, 897_581_057, 880_803_841];

/// The largest transform: 2^22 coefficients, enough for a 134-million-bit
/// product in one piece; longer products are split.
const MAX_SIZE: usize = 1 << 22;

/// The most products in one sum of [`sums_of_products`]: each coefficient
/// is below 2^21 · 2^64, so 4 of them stay below half the primes' product
/// (≈ 2^88.35), the range of signed coefficients.
const MAX_TERMS: usize = 4;

/// A constant factor for [`mul_mod`]: w < p with ⌊w·2^32/p⌋.
#[derive(Clone, Copy)]
struct Factor {
    w: u32,
    shoup: u32,
}

impl Factor {
    const fn new(w: u64, p: u32) -> Self {
        Factor {
            w: w as u32,
            shoup: ((w << 32) / p as u64) as u32,
        }
    }
}

/// 1 / p0 mod p1, for Garner's reconstruction.
const INV_P0_MOD_P1: Factor = Factor::new(
    inverse_mod(PRIMES[0] as u64 % PRIMES[1] as u64, PRIMES[1] as u64),
    PRIMES[1],
);

/// p0 mod p2, for Garner's reconstruction.
const P0_MOD_P2: Factor = Factor::new(PRIMES[0] as u64 % PRIMES[2] as u64, PRIMES[2]);

/// 1 / (p0·p1) mod p2, for Garner's reconstruction.
const INV_P0P1_MOD_P2: Factor = Factor::new(
    inverse_mod(
        (PRIMES[0] as u64 * PRIMES[1] as u64) % PRIMES[2] as u64,
        PRIMES[2] as u64,
    ),
    PRIMES[2],
);

/// a^(p−2) mod p, the inverse of `a` modulo the prime `p`.
const fn inverse_mod(a: u64, p: u64) -> u64 {
    let mut result = 1;
    let mut base = a;
    let mut exponent = p - 2;
    while exponent > 0 {
        if exponent & 1 == 1 {
            result = result * base % p;
        }
        base = base * base % p;
        exponent >>= 1;
    }
    result
}

/// a · b.
pub fn mul(a: &BigUint, b: &BigUint) -> BigUint {
    let (short, long) = if a.bits() <= b.bits() { (a, b) } else { (b, a) };
    if (short.bits() as usize).div_ceil(32) < THRESHOLD {
        return small_product(a, b);
    }
    phases::in_transform(|| {
        let long = long.to_u32_digits();
        let short = short.to_u32_digits();
        BigUint::new(convolve(&long, Some(&short)))
    })
}

/// Below this many limbs in the shorter operand num-bigint's product is
/// faster in wasm than `crate::karatsuba`'s (which copies its operands).
#[cfg(target_arch = "wasm32")]
const KARATSUBA_FROM: usize = 16;

/// a · b below the transform's threshold: num-bigint's product natively
/// (64-bit limbs), Karatsuba over a simd128 base in wasm.
fn small_product(a: &BigUint, b: &BigUint) -> BigUint {
    #[cfg(target_arch = "wasm32")]
    if (a.bits().min(b.bits()) as usize).div_ceil(32) >= KARATSUBA_FROM {
        // Both operands' limbs in one allocation.
        let a_len = a.bits().div_ceil(32) as usize;
        let mut limbs = Vec::with_capacity(a_len + b.bits().div_ceil(32) as usize);
        limbs.extend(a.iter_u32_digits());
        limbs.extend(b.iter_u32_digits());
        let (a, b) = limbs.split_at(a_len);
        return BigUint::new(crate::karatsuba::mul(a, b));
    }
    a * b
}

/// a², transforming `a` once instead of twice.
pub fn square(a: &BigUint) -> BigUint {
    if (a.bits() as usize).div_ceil(32) < THRESHOLD {
        return small_product(a, a);
    }
    phases::in_transform(|| BigUint::new(convolve(&a.to_u32_digits(), None)))
}

/// For each list of index pairs in `sums`, Σ operands[i]·operands[j] over
/// its pairs (at most [`MAX_TERMS`] of them). Sums whose longest products
/// need the same transform size share their operands' transforms, and each
/// sum is transformed back once: binary splitting's Q = Q₁Q₂ and
/// T = Q₂T₁ + P₁T₂ take 5 transforms and 2 inverses instead of 6 and 3.
pub fn sums_of_products(operands: &[&BigInt], sums: &[&[(usize, usize)]]) -> Vec<BigInt> {
    assert!(
        sums.iter().all(|sum| sum.len() <= MAX_TERMS),
        "too many terms for the primes"
    );
    // Operands all below the threshold (most nodes of binary splitting):
    // num-bigint's products, without the bookkeeping of transforms.
    if operands
        .iter()
        .all(|x| (x.bits() as usize).div_ceil(32) < THRESHOLD)
    {
        return sums
            .iter()
            .map(|sum| {
                let mut products = sum.iter().map(|&(i, j)| {
                    let magnitude = small_product(operands[i].magnitude(), operands[j].magnitude());
                    BigInt::from_biguint(operands[i].sign() * operands[j].sign(), magnitude)
                });
                let first = products.next().unwrap_or_default();
                products.fold(first, |total, product| total + product)
            })
            .collect();
    }
    let lens: Vec<usize> = operands
        .iter()
        .map(|x| (x.bits() as usize).div_ceil(32))
        .collect();
    let product_len = |&(i, j): &(usize, usize)| lens[i] + lens[j];
    // The transform size of each sum, or None where num-bigint multiplies.
    let sizes: Vec<Option<usize>> = sums
        .iter()
        .map(|sum| {
            let shortest = sum.iter().map(|&(i, j)| lens[i].min(lens[j])).min()?;
            let size = sum
                .iter()
                .map(product_len)
                .max()?
                .next_power_of_two()
                .max(32);
            (shortest >= THRESHOLD && size <= MAX_SIZE).then_some(size)
        })
        .collect();
    let mut results: Vec<BigInt> = sums
        .iter()
        .zip(&sizes)
        .map(|(sum, size)| match size {
            Some(_) => BigInt::ZERO,
            None => sum
                .iter()
                .map(|&(i, j)| {
                    let magnitude = mul(operands[i].magnitude(), operands[j].magnitude());
                    BigInt::from_biguint(operands[i].sign() * operands[j].sign(), magnitude)
                })
                .sum(),
        })
        .collect();
    let mut distinct: Vec<usize> = sizes.iter().flatten().copied().collect();
    distinct.sort_unstable();
    distinct.dedup();
    // The transforms' share, for the phase table.
    phases::in_transform(|| {
        for size in distinct {
            let members: Vec<usize> = (0..sums.len())
                .filter(|&k| sizes[k] == Some(size))
                .collect();
            // Only the operands these sums use are transformed.
            let digits: Vec<Option<Vec<u32>>> = (0..operands.len())
                .map(|k| {
                    members
                        .iter()
                        .flat_map(|&m| sums[m].iter())
                        .any(|&(i, j)| i == k || j == k)
                        .then(|| operands[k].magnitude().to_u32_digits())
                })
                .collect();
            // residues[m][prime]: member m's convolution modulo that prime. One
            // prime at a time, so that one prime's plan and operand transforms
            // are held.
            let mut residues: Vec<Vec<Vec<u32>>> = vec![Vec::with_capacity(3); members.len()];
            for prime in 0..PRIMES.len() {
                let plan = plan(size, prime);
                let plan = &*plan;
                // Negative operands are transformed negated, so that every
                // product carries its sign and the terms simply add.
                let transforms: Vec<Option<Vec<u32>>> = digits
                    .iter()
                    .zip(operands)
                    .map(|(d, x)| {
                        d.as_ref()
                            .map(|d| transform(plan, d, x.sign() == Sign::Minus, size))
                    })
                    .collect();
                let transformed = |k: usize| {
                    transforms[k]
                        .as_ref()
                        .expect("used operands are transformed")
                };
                for (&member, out) in members.iter().zip(&mut residues) {
                    let mut total = vec![0u32; size];
                    for &(i, j) in sums[member] {
                        plan.mul_accumulate(&mut total, transformed(i), transformed(j));
                    }
                    plan.normalize(&mut total);
                    plan.inv(&mut total);
                    out.push(total);
                }
            }
            for (&member, residues) in members.iter().zip(&residues) {
                let len = sums[member].iter().map(product_len).max().unwrap_or(0);
                results[member] = reconstruct_signed(residues, len);
            }
        }
    });
    results
}

/// The product of two little-endian 32-bit chunk sequences (`short` is
/// `None` for a square), at least as long as the exact product.
fn convolve(long: &[u32], short: Option<&[u32]>) -> Vec<u32> {
    let short_len = short.map_or(long.len(), <[u32]>::len);
    let mut out = vec![0u32; long.len() + short_len + 1];
    if short_len > MAX_SIZE / 2 {
        // Too long for one transform even in blocks: halve the short operand
        // (a square is then a product like any other: its operand's
        // transforms could not be shared past the halving anyway).
        let short = short.unwrap_or(long);
        let (low, high) = short.split_at(short_len / 2);
        add_at(&mut out, &convolve(long, Some(low)), 0);
        add_at(&mut out, &convolve(long, Some(high)), low.len());
        return out;
    }
    // One transform for the whole product when it fits and the operands are
    // close in size; otherwise blocks of `long`, each against `short`, so that
    // a lopsided product is not padded to twice its long operand.
    // tfhe-ntt's smallest transform has 32 coefficients.
    let whole = (long.len() + short_len).next_power_of_two().max(32);
    let (size, block) = if whole <= MAX_SIZE && long.len() <= 2 * short_len {
        (whole, long.len())
    } else {
        let size = (2 * short_len).next_power_of_two().max(32);
        (size, size - short_len + 1)
    };
    let plans: Vec<Arc<Plan>> = (0..PRIMES.len()).map(|prime| plan(size, prime)).collect();
    // The short operand's transforms, shared by every block.
    let short_transforms: Option<Vec<Vec<u32>>> = short.map(|short| {
        plans
            .iter()
            .map(|plan| transform(plan, short, false, size))
            .collect()
    });
    for start in (0..long.len()).step_by(block) {
        let piece = &long[start..(start + block).min(long.len())];
        let residues: Vec<Vec<u32>> = plans
            .iter()
            .enumerate()
            .map(|(i, plan)| {
                let mut buf = transform(plan, piece, false, size);
                match &short_transforms {
                    Some(other) => plan.mul_assign_normalize(&mut buf, &other[i]),
                    None => {
                        let copy = buf.clone();
                        plan.mul_assign_normalize(&mut buf, &copy);
                    }
                }
                plan.inv(&mut buf);
                buf
            })
            .collect();
        let len = piece.len() + short_len - 1;
        reconstruct(&residues, len, &mut out[start..]);
    }
    out
}

/// The forward transform of `digits` (negated when `negative`) modulo the
/// plan's prime, zero-padded to `size`.
fn transform(plan: &Plan, digits: &[u32], negative: bool, size: usize) -> Vec<u32> {
    let p = plan.modulus();
    // digit mod p as digit · 1 by Shoup's method: a multiplication, where
    // `%` by a modulus known only at run time is a division.
    let one = Factor::new(1, p);
    let mut buf = vec![0u32; size];
    for (slot, &digit) in buf.iter_mut().zip(digits) {
        let residue = mul_mod(digit, one, p);
        *slot = if negative && residue != 0 {
            p - residue
        } else {
            residue
        };
    }
    plan.fwd(&mut buf);
    buf
}

/// Adds the first `len` convolution coefficients, given by their residues
/// modulo the three primes, into `out` (with carries), coefficient i at
/// 32-bit position i.
fn reconstruct(residues: &[Vec<u32>], len: usize, out: &mut [u32]) {
    let mut carry: u128 = 0;
    for (i, slot) in out.iter_mut().enumerate() {
        if i < len {
            carry += garner(residues[0][i], residues[1][i], residues[2][i]);
        } else if carry == 0 {
            return;
        }
        carry += u128::from(*slot);
        *slot = carry as u32;
        carry >>= 32;
    }
    debug_assert_eq!(carry, 0, "the product fits its buffer");
}

/// The integer whose first `len` coefficients (of 2^(32i)) have the given
/// residues, each read as the signed value nearest zero.
fn reconstruct_signed(residues: &[Vec<u32>], len: usize) -> BigInt {
    let [p0, p1, p2] = PRIMES.map(u128::from);
    let modulus = (p0 * p1 * p2) as i128;
    let mut out = Vec::with_capacity(len + 3);
    let mut carry: i128 = 0;
    let triples = residues[0].iter().zip(&residues[1]).zip(&residues[2]);
    for ((&r0, &r1), &r2) in triples.take(len) {
        let x = garner(r0, r1, r2) as i128;
        carry += if x > modulus / 2 { x - modulus } else { x };
        out.push(carry as u32);
        carry >>= 32;
    }
    // What remains is carry · 2^(32·len), with −1 standing for a negative
    // total in two's complement.
    while carry != 0 && carry != -1 {
        out.push(carry as u32);
        carry >>= 32;
    }
    if carry == 0 {
        return BigInt::from_biguint(Sign::Plus, BigUint::new(out));
    }
    // The total is out − 2^(32·out.len()): negate the two's complement.
    let mut add = 1u64;
    for digit in &mut out {
        add += u64::from(!*digit);
        *digit = add as u32;
        add >>= 32;
    }
    BigInt::from_biguint(Sign::Minus, BigUint::new(out))
}

/// The number below p0·p1·p2 with residues r0, r1, r2 (Garner's form:
/// x = r0 + p0·t1 + p0·p1·t2 with t1 < p1, t2 < p2).
fn garner(r0: u32, r1: u32, r2: u32) -> u128 {
    let [p0, p1, p2] = PRIMES;
    // p0·p1 = high·2^32 + low: products by it stay within u64 multiplies
    // (wasm has no 64×64→128-bit multiplication).
    const P0P1: u64 = PRIMES[0] as u64 * PRIMES[1] as u64;
    let (high, low) = (P0P1 >> 32, P0P1 & 0xffff_ffff);
    // Each prime is below twice the next, so r0 mod p1 and r0 mod p2 are a
    // conditional subtraction.
    let t1 = mul_mod(sub_mod(r1, reduce_once(r0, p1), p1), INV_P0_MOD_P1, p1);
    let v_mod_p2 = add_mod(reduce_once(r0, p2), mul_mod(t1, P0_MOD_P2, p2), p2);
    let t2 = u64::from(mul_mod(sub_mod(r2, v_mod_p2, p2), INV_P0P1_MOD_P2, p2));
    let v = u64::from(r0) + u64::from(p0) * u64::from(t1);
    u128::from(v) + u128::from(low * t2) + (u128::from(high * t2) << 32)
}

/// a · w mod p by Shoup's method, for a < 2^32 and p < 2^31.
fn mul_mod(a: u32, w: Factor, p: u32) -> u32 {
    let q = ((u64::from(a) * u64::from(w.shoup)) >> 32) as u32;
    reduce_once(a.wrapping_mul(w.w).wrapping_sub(q.wrapping_mul(p)), p)
}

/// a mod p for a < 2p.
fn reduce_once(a: u32, p: u32) -> u32 {
    if a >= p { a - p } else { a }
}

/// a + b mod p for a, b < p.
fn add_mod(a: u32, b: u32, p: u32) -> u32 {
    reduce_once(a + b, p)
}

/// a − b mod p for a, b < p.
fn sub_mod(a: u32, b: u32, p: u32) -> u32 {
    if a >= b { a - b } else { a + p - b }
}

/// out += addend · 2^(32·offset).
fn add_at(out: &mut [u32], addend: &[u32], offset: usize) {
    let mut carry = 0u64;
    for (i, slot) in out[offset..].iter_mut().enumerate() {
        if i >= addend.len() && carry == 0 {
            break;
        }
        carry += u64::from(*slot) + u64::from(addend.get(i).copied().unwrap_or(0));
        *slot = carry as u32;
        carry >>= 32;
    }
}

/// The largest transform whose plans are kept between multiplications.
/// Building a plan costs more than a transform in wasm, and the sizes recur
/// throughout a computation, so plans are kept; but one prime's plan of n
/// coefficients holds four arrays of n u32 (the twiddles and their
/// inverses, each with its Shoup factors), and kept for every size, plans
/// held 384 MiB at 10^7 digits, over half the peak. The plans of sizes up
/// to 2^21, all that 10^7 digits use, take 192 MiB at most natively (one
/// set of arrays per size), half that in wasm (one per prime: see
/// [`PlanCache::build`]); a larger transform, only for products beyond
/// them, is planned for each call.
const KEPT_SIZE: usize = 1 << 21;

/// Plans kept for later multiplications, by log2 of their size and prime.
/// Behind a spin lock, as `no_std` has no other: the component is
/// single-threaded, so it is never contended there; natively, tests share
/// it across threads.
struct PlanCache {
    plans: Vec<[Option<Arc<Plan>>; 3]>,
}

impl PlanCache {
    const fn new() -> PlanCache {
        PlanCache { plans: Vec::new() }
    }

    /// The plan for transforms of `size` coefficients modulo
    /// `PRIMES[prime]`: kept from an earlier call, or built now (and kept,
    /// up to [`KEPT_SIZE`]). A sum of products asks for a larger one a prime
    /// at a time, so that only one of them is live.
    fn get(&mut self, size: usize, prime: usize) -> Arc<Plan> {
        let log = size.trailing_zeros() as usize;
        if let Some(plan) = self.plans.get(log).and_then(|plans| plans[prime].as_ref()) {
            return Arc::clone(plan);
        }
        let plan = Arc::new(self.build(size, prime));
        if size <= KEPT_SIZE {
            if self.plans.len() <= log {
                self.plans.resize(log + 1, [None, None, None]);
            }
            self.plans[log][prime] = Some(Arc::clone(&plan));
            #[cfg(target_arch = "wasm32")]
            self.share_tables(log, prime);
        }
        plan
    }

    /// A new plan, natively tfhe-ntt's.
    #[cfg(not(target_arch = "wasm32"))]
    fn build(&self, size: usize, prime: usize) -> Plan {
        Plan::try_new(size, PRIMES[prime]).expect("each prime has roots of unity for this size")
    }

    /// A new plan, in wasm from the largest kept one of its prime: the
    /// tables of a size are the first entries of a larger size's
    /// (`crate::ntt`), so only the factors they lack are computed (at
    /// 10^4 digits the plans took a tenth of the time of a fresh instance).
    #[cfg(target_arch = "wasm32")]
    fn build(&self, size: usize, prime: usize) -> Plan {
        let largest = self
            .plans
            .iter()
            .rev()
            .find_map(|plans| plans[prime].as_ref());
        match largest {
            Some(plan) => plan.resized(size),
            None => Plan::try_new(size, PRIMES[prime]),
        }
        .expect("each prime has roots of unity for this size")
    }

    /// Once the plan of size 2^log is kept: if it is its prime's largest,
    /// the smaller ones take their tables from it, so that each prime
    /// keeps one set of tables, not one for each size.
    #[cfg(target_arch = "wasm32")]
    fn share_tables(&mut self, log: usize, prime: usize) {
        let (smaller, rest) = self.plans.split_at_mut(log);
        if rest[1..].iter().any(|plans| plans[prime].is_some()) {
            return;
        }
        let largest = rest[0][prime].as_ref().expect("the plan just kept");
        for (log, plans) in smaller.iter_mut().enumerate() {
            if let Some(plan) = &mut plans[prime] {
                *plan = Arc::new(largest.resized(1 << log).expect("a smaller size"));
            }
        }
    }
}

static PLANS: spin::Mutex<PlanCache> = spin::Mutex::new(PlanCache::new());

/// The plan for transforms of `size` coefficients modulo `PRIMES[prime]`.
fn plan(size: usize, prime: usize) -> Arc<Plan> {
    PLANS.lock().get(size, prime)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::testing::number;

    #[test]
    fn garner_constants_are_inverses() {
        let [p0, p1, p2] = PRIMES.map(u64::from);
        assert_eq!(p0 * u64::from(INV_P0_MOD_P1.w) % p1, 1);
        assert_eq!((p0 * p1 % p2) * u64::from(INV_P0P1_MOD_P2.w) % p2, 1);
        assert!(
            p0 < 2 * p1 && p0 < 2 * p2 && p1 < 2 * p2,
            "one subtraction reduces"
        );
    }

    #[test]
    fn shoup_products_are_exact() {
        let p = PRIMES[2];
        for w in [0, 1, 12_345, p - 1] {
            let factor = Factor::new(u64::from(w), p);
            for a in [0, 1, p - 1, p, 2 * p - 1, u32::MAX] {
                let expected = (u64::from(a) * u64::from(w) % u64::from(p)) as u32;
                assert_eq!(mul_mod(a, factor, p), expected, "{a} · {w}");
            }
        }
    }

    #[test]
    fn all_ones_operands_reach_the_largest_coefficients() {
        for chunks in [THRESHOLD, 5_000, 70_000] {
            let a = (BigUint::from(1u32) << (32 * chunks)) - 1u32;
            assert_eq!(mul(&a, &a), &a * &a, "{chunks} chunks");
            assert_eq!(square(&a), &a * &a, "{chunks} chunks");
        }
    }

    #[test]
    fn lopsided_operands_are_multiplied_in_blocks() {
        let a = number(32 * 50_000, 1);
        let b = number(32 * 1_500, 2);
        assert_eq!(mul(&a, &b), &a * &b);
        assert_eq!(mul(&b, &a), &a * &b);
    }

    fn signed(bits: u64, seed: u64) -> BigInt {
        let sign = if seed.is_multiple_of(2) {
            Sign::Plus
        } else {
            Sign::Minus
        };
        BigInt::from_biguint(sign, number(bits, seed))
    }

    #[test]
    fn sums_that_cancel_to_zero_or_turn_negative() {
        let a = signed(60_000, 2);
        let b = signed(50_000, 4);
        let minus_a = -&a;
        let operands = [&a, &b, &minus_a];
        let sums: [&[(usize, usize)]; 3] =
            [&[(0, 1), (2, 1)], &[(2, 1)], &[(0, 0), (2, 2), (1, 2)]];
        let results = sums_of_products(&operands, &sums);
        assert_eq!(results[0], BigInt::ZERO);
        assert_eq!(results[1], -(&a * &b));
        assert_eq!(results[2], 2 * &a * &a - &b * &a);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        #[test]
        fn sums_of_products_match_num_bigint(
            bits in prop::collection::vec(prop_oneof![1..2_000u64, 30_000..200_000u64], 6),
            seed in any::<u64>(),
        ) {
            let numbers: Vec<BigInt> =
                bits.iter().enumerate().map(|(i, &b)| signed(b, seed.wrapping_add(i as u64))).collect();
            let operands: Vec<&BigInt> = numbers.iter().collect();
            let sums: [&[(usize, usize)]; 3] = [&[(0, 1)], &[(1, 2), (4, 3)], &[(4, 5), (5, 5), (0, 3), (2, 3)]];
            let results = sums_of_products(&operands, &sums);
            for (sum, result) in sums.iter().zip(results) {
                let expected: BigInt = sum.iter().map(|&(i, j)| &numbers[i] * &numbers[j]).sum();
                prop_assert_eq!(result, expected);
            }
        }

        #[test]
        fn products_match_num_bigint(
            a_bits in prop_oneof![1..2_000u64, 30_000..50_000u64, 50_000..400_000u64],
            b_bits in prop_oneof![1..2_000u64, 30_000..50_000u64, 50_000..400_000u64],
            seed in any::<u64>(),
        ) {
            let a = number(a_bits, seed);
            let b = number(b_bits, seed ^ 0x5555);
            prop_assert_eq!(mul(&a, &b), &a * &b);
        }

        #[test]
        fn squares_match_num_bigint(bits in 1..300_000u64, seed in any::<u64>()) {
            let a = number(bits, seed);
            prop_assert_eq!(square(&a), &a * &a);
        }
    }

    /// Plans up to the kept size are kept (asked again, the same plan); a
    /// larger one is not.
    #[test]
    fn plans_are_kept_up_to_the_kept_size() {
        let mut cache = PlanCache::new();
        let kept = |cache: &PlanCache| cache.plans.iter().flatten().flatten().count();
        for log in [10, 21, 10] {
            for prime in 0..PRIMES.len() {
                let first = cache.get(1 << log, prime);
                assert!(Arc::ptr_eq(&first, &cache.get(1 << log, prime)));
            }
        }
        for prime in 0..PRIMES.len() {
            let first = cache.get(2 * KEPT_SIZE, prime);
            assert!(!Arc::ptr_eq(&first, &cache.get(2 * KEPT_SIZE, prime)));
        }
        assert_eq!(kept(&cache), 6);
    }

    /// All-ones operands of 2^21 chunks: the product fills exactly the
    /// largest transform (2^22 points, for products past 2^21 chunks), with the
    /// largest coefficients; the exact square is known in closed form.
    #[test]
    fn all_ones_operands_fill_the_largest_transform() {
        let chunks = MAX_SIZE / 2;
        let one = BigUint::from(1u32);
        let a = (&one << (32 * chunks)) - 1u32;
        let expected = (&one << (64 * chunks)) - (&one << (32 * chunks + 1)) + 1u32;
        assert!(mul(&a, &a) == expected, "mul at 2^22 points");
        assert!(square(&a) == expected, "square at 2^22 points");
    }

    /// A square too long for one transform even in blocks (over 2^21
    /// chunks, as 10^8 digits ask for): halved like any other product, and
    /// checked modulo a few moduli.
    #[test]
    fn squares_past_the_largest_transform_are_halved() {
        let a = number(32 * (MAX_SIZE / 2 + 1_000) as u64, 7);
        let squared = square(&a);
        assert!(squared.bits() <= 2 * a.bits());
        for m in [u64::MAX, 0x9e37_79b9_7f4a_7c15, (1 << 61) - 1] {
            assert_eq!(
                u64::try_from(&squared % m).unwrap(),
                product_mod(&a, &a, m),
                "mod {m}"
            );
        }
    }

    /// `a · b mod m`, from the residues of the operands.
    fn product_mod(a: &BigUint, b: &BigUint, m: u64) -> u64 {
        let residue = |x: &BigUint| u128::from(u64::try_from(x % m).unwrap());
        u64::try_from(residue(a) * residue(b) % u128::from(m)).unwrap()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4))]

        /// Products whose transforms all have 2^22 points: in one piece, in
        /// blocks of the long operand, and halved past the largest size.
        /// Too long for num-bigint's product in a test, they are checked
        /// modulo random moduli: a wrong product agrees with the right one
        /// modulo a random 64-bit number with negligible probability.
        #[test]
        fn products_at_the_largest_transform_agree_modulo_random_moduli(
            a_chunks in MAX_SIZE / 4 + 1..MAX_SIZE / 2 + 4_096,
            b_chunks in MAX_SIZE / 4 + 1..MAX_SIZE / 2 + 4_096,
            seed in any::<u64>(),
            moduli in prop::array::uniform3(any::<u64>().prop_map(|m| m | 1)),
        ) {
            let a = number(32 * a_chunks as u64, seed);
            let b = number(32 * b_chunks as u64, seed ^ 0x5555);
            let product = mul(&a, &b);
            prop_assert!(product.bits() <= a.bits() + b.bits());
            for m in moduli {
                prop_assert_eq!(u64::try_from(&product % m).unwrap(), product_mod(&a, &b, m), "mod {}", m);
            }
        }
    }
}
