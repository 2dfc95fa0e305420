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

/// The sums Q and T over enough terms that truncating the series changes the
/// result by less than 10^-(digits + 2) relative to π.
pub fn series(digits: u64) -> (BigInt, BigInt) {
    // Term k shrinks like 10^(-14.18k) times a factor below 41k; the extra
    // term covers that factor for any size we could ever compute.
    let terms = ((digits + 2) as f64 / DIGITS_PER_TERM) as u64 + 2;
    let split = split(0, terms, false);
    (split.q, split.t)
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

fn leaf(k: u64) -> Split {
    if k == 0 {
        return Split {
            p: BigInt::from(1),
            q: BigInt::from(1),
            t: BigInt::from(13_591_409),
        };
    }
    let p = BigInt::from(6 * k - 5) * (2 * k - 1) * (6 * k - 1);
    let q = BigInt::from(k) * k * k * C3_OVER_24;
    let mut t = &p * (13_591_409 + 545_140_134 * k);
    if k % 2 == 1 {
        t = -t;
    }
    Split { p, q, t }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_term_gives_pi_to_thirteen_digits() {
        let (q, t) = series(1);
        // The first term alone: π ≈ 426880·√10005 / 13591409.
        let pi = 426_880.0 * 10_005f64.sqrt() * (q.to_string().parse::<f64>().unwrap())
            / t.to_string().parse::<f64>().unwrap();
        assert!((pi - std::f64::consts::PI).abs() < 1e-13, "{pi}");
    }

    #[test]
    fn term_count_grows_with_digits() {
        let (small_q, _) = series(100);
        let (large_q, _) = series(1_000);
        assert!(large_q.bits() > 5 * small_q.bits());
    }
}
