//! The Chudnovsky series for 1/π, summed exactly by binary splitting.
//!
//! π = 426880·√10005 · Q / T, where Q and T come from splitting the series
//! Σ (-1)^k (6k)! (13591409 + 545140134k) / ((3k)! (k!)³ 640320^(3k))
//! into halves recursively, so that the big multiplications happen between
//! operands of similar size.

use num_bigint::BigInt;

use crate::multiply::sums_of_products;

/// Decimal digits each term adds: log10(640320³ / 1728).
const DIGITS_PER_TERM: f64 = 14.181_647_462_725_477;

/// 640320³ / 24, the per-term factor of Q.
const C3_OVER_24: u64 = 640_320 * 640_320 * 640_320 / 24;

/// Q and T over enough terms that truncating the series changes the result
/// by less than 10^-(digits + 2) relative to π, both scaled by the same
/// power of two, with q/t within a relative 2^-precision of Q/T: the last
/// step multiplies operands cut to the precision (see [`last_step`]).
pub fn series(digits: u64, precision: u64) -> (BigInt, BigInt) {
    let terms = terms(digits);
    let m = terms / 2;
    let left = split(0, m, true);
    let right = split(m, terms, false);
    last_step(&left, &right, precision + LAST_STEP_GUARD_BITS)
}

/// How many terms [`series`] sums for `digits`: term k shrinks like
/// 10^(-14.18k) times a factor below 41k; the extra term covers that factor
/// for any size we could ever compute.
fn terms(digits: u64) -> u64 {
    ((digits + 2) as f64 / DIGITS_PER_TERM) as u64 + 2
}

/// Bits kept beyond the precision asked of [`series`] (see [`last_step`]).
const LAST_STEP_GUARD_BITS: u64 = 6;

/// Q = Q₁Q₂ and T = Q₂T₁ + P₁T₂, the last step of binary splitting, with q/t
/// within a relative 2^(4 − kept) of Q/T. Its operands are about twice as
/// long as the quotient needs: cut to their leading `kept` bits, the
/// products are half as long (at 10^7 digits, transforms of 2^21 points
/// instead of 2^22). With q₁ = ⌊Q₁/2^a⌋, t₁ = ⌊T₁/2^a⌋, q₂ = ⌊Q₂/2^b⌋ and
/// t₂ = ⌊T₂/2^(a+b)⌋, q = q₁q₂ and t = q₂t₁ + P₁t₂ are Q and T over 2^(a+b):
/// - q₁, t₁ and q₂ keep at least `kept` bits, so each is within a relative
///   2^(1 − kept), and q₂t₁ within 2^(2.1 − kept), of its exact value;
/// - t₂'s floor moves P₁t₂ by less than |P₁| < 2^(kept − 2), a relative
///   2^(−kept) of q₂t₁ ≥ 2^(2·kept − 2);
/// - |P₁T₂| < |Q₂T₁| / 4, so T cannot cancel: t is within a relative
///   (4/3)·(2^(2.1 − kept) + 2^(−kept)) < 2^(3 − kept) of T/2^(a+b);
/// - so q/t is within 2^(2.1 − kept) + 2^(3 − kept) + their product <
///   2^(4 − kept) of Q/T.
///
/// Where an operand is no longer than `kept` bits, P₁ longer, or P₁T₂ not
/// that small (few terms), the operands are used whole: Q and T exact.
fn last_step(left: &Split, right: &Split, kept: u64) -> (BigInt, BigInt) {
    let p1_small = left.p.bits() + 2 <= kept
        && left.p.bits() + right.t.bits() + 2 <= right.q.bits() + left.t.bits() - 2;
    let a = left.q.bits().min(left.t.bits()).saturating_sub(kept);
    let b = right.q.bits().saturating_sub(kept);
    let (a, b) = if p1_small && a > 0 && b > 0 {
        (a, b)
    } else {
        (0, 0)
    };
    let q1 = &left.q >> a;
    let t1 = &left.t >> a;
    let q2 = &right.q >> b;
    let t2 = &right.t >> (a + b);
    let operands = [&q1, &q2, &t1, &t2, &left.p];
    let mut results = sums_of_products(&operands, &[&[(0, 1)], &[(1, 2), (4, 3)]]).into_iter();
    let q = results.next().expect("Q is asked for");
    let t = results.next().expect("T is asked for");
    (q, t)
}

struct Split {
    p: BigInt,
    q: BigInt,
    t: BigInt,
}

/// P, Q and T for terms `a..b`. `need_p` is false where no caller uses P,
/// which spares the largest multiplication of the top level.
fn split(a: u64, b: u64, need_p: bool) -> Split {
    if b - a == 1 {
        return leaf(a);
    }
    let m = a + (b - a) / 2;
    let left = split(a, m, true);
    let right = split(m, b, need_p);
    // Q = Q₁Q₂, T = Q₂T₁ + P₁T₂, P = P₁P₂ over operands [Q₁, Q₂, T₁, T₂, P₁, P₂].
    let operands = [&left.q, &right.q, &left.t, &right.t, &left.p, &right.p];
    let sums: &[&[(usize, usize)]] = if need_p {
        &[&[(0, 1)], &[(1, 2), (4, 3)], &[(4, 5)]]
    } else {
        &[&[(0, 1)], &[(1, 2), (4, 3)]]
    };
    let mut results = sums_of_products(&operands, sums).into_iter();
    let q = results.next().expect("Q is asked for");
    let t = results.next().expect("T is asked for");
    Split {
        p: results.next().unwrap_or(BigInt::ZERO),
        q,
        t,
    }
}

/// P, Q and T of term k, in u128 arithmetic: one allocation each instead
/// of a big-number product per factor (half the nodes of the splitting are
/// leaves). For k < 2^23 (the terms of 10^8 digits) P < 2^76, Q < 2^123
/// and T < 2^128 all fit; past that T is one product of big numbers.
fn leaf(k: u64) -> Split {
    if k == 0 {
        return Split {
            p: BigInt::from(1),
            q: BigInt::from(1),
            t: BigInt::from(13_591_409),
        };
    }
    let k = u128::from(k);
    let p = (6 * k - 5) * (2 * k - 1) * (6 * k - 1);
    let q = k * k * k * u128::from(C3_OVER_24);
    let linear = 13_591_409 + 545_140_134 * k;
    let t = match p.checked_mul(linear) {
        Some(t) => BigInt::from(t),
        None => BigInt::from(p) * BigInt::from(linear),
    };
    Split {
        p: BigInt::from(p),
        q: BigInt::from(q),
        t: if k % 2 == 1 { -t } else { t },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Precision enough that nothing is cut: Q and T exact.
    const EXACT: u64 = u64::MAX / 2;

    #[test]
    fn one_term_gives_pi_to_thirteen_digits() {
        let (q, t) = series(1, EXACT);
        // The first terms alone: π ≈ 426880·√10005 · Q / T.
        let pi = 426_880.0 * 10_005f64.sqrt() * (q.to_string().parse::<f64>().unwrap())
            / t.to_string().parse::<f64>().unwrap();
        assert!((pi - std::f64::consts::PI).abs() < 1e-13, "{pi}");
    }

    /// Leaves in u128 agree with the same terms in big numbers, on both sides
    /// of where T stops fitting and up to the largest k 10^8 digits need.
    #[test]
    fn leaves_match_big_number_arithmetic() {
        for k in (1..200).chain([
            705_200,
            1 << 20,
            1_100_000,
            1_200_000,
            7_051_500,
            (1 << 23) - 1,
        ]) {
            let big = BigInt::from(k);
            let p = (6 * &big - 5) * (2 * &big - 1) * (6 * &big - 1);
            let q = &big * &big * &big * C3_OVER_24;
            let t = &p * (13_591_409 + 545_140_134 * &big) * if k % 2 == 1 { -1 } else { 1 };
            let leaf = leaf(k);
            assert_eq!((leaf.p, leaf.q, leaf.t), (p, q, t), "k = {k}");
        }
    }

    #[test]
    fn term_count_grows_with_digits() {
        let (small_q, _) = series(100, EXACT);
        let (large_q, _) = series(1_000, EXACT);
        assert!(large_q.bits() > 5 * small_q.bits());
    }

    /// Q and T by binary splitting alone, down to the last step: what
    /// [`series`] is checked against.
    fn whole(digits: u64) -> (BigInt, BigInt) {
        let Split { q, t, .. } = split(0, terms(digits), false);
        (q, t)
    }

    /// The last step's cut operands keep q/t within a relative 2^-precision
    /// of the exact Q/T, and do cut: q is shorter than Q. Uncut, they give
    /// Q and T themselves.
    #[test]
    fn a_cut_last_step_stays_within_its_precision() {
        for (digits, precision) in [(10_000, 20_000), (30_000, 60_000)] {
            let (exact_q, exact_t) = whole(digits);
            let (q, t) = series(digits, precision);
            assert!(
                q.bits() < exact_q.bits(),
                "{digits} digits: nothing was cut"
            );
            // |q/t − Q/T| < 2^-precision · Q/T, as |q·T − t·Q| < 2^-precision · |t·Q|.
            let error = (&q * &exact_t - &t * &exact_q).magnitude().clone();
            let bound = (&t * &exact_q).magnitude() >> precision;
            assert!(error < bound, "{digits} digits at {precision} bits");
            assert_eq!(
                series(digits, EXACT),
                (exact_q, exact_t),
                "{digits} digits uncut"
            );
        }
        // A precision shorter than P₁: the operands are used whole.
        assert_eq!(series(30_000, 2_000), whole(30_000));
    }
}
