//! `dashu-pi N`: the first N digits of π (the leading 3 included) on stdout,
//! computed with dashu's big integers: the Chudnovsky series by binary
//! splitting, an integer square root, one division and dashu's decimal
//! conversion. On stderr: `seconds=S counts=c0,…,c9`, where S is the time
//! from start to digits and histogram (the printing is not timed).
//!
//! A benchmark peer, not a reference: it keeps 20 guard digits and does not
//! prove them; the benchmark checks its output against the fixture's hashes.

use std::io::Write;
use std::time::Instant;

use dashu_int::ops::SquareRoot;
use dashu_int::{IBig, UBig};

/// 640320³ / 24.
const C3_OVER_24: u64 = 10_939_058_860_032_000;
const GUARD: usize = 20;

/// P(a, b), Q(a, b), T(a, b) of the Chudnovsky series.
fn split(a: u64, b: u64) -> (IBig, IBig, IBig) {
    if b - a == 1 {
        let (p, q) = if a == 0 {
            (IBig::ONE, IBig::ONE)
        } else {
            let p = IBig::from(6 * a - 5) * IBig::from(2 * a - 1) * IBig::from(6 * a - 1);
            let q = IBig::from(a) * IBig::from(a) * IBig::from(a) * IBig::from(C3_OVER_24);
            (p, q)
        };
        let mut t = &p * IBig::from(13_591_409u64 + 545_140_134u64 * a);
        if a % 2 == 1 {
            t = -t;
        }
        return (p, q, t);
    }
    let m = (a + b) / 2;
    let (p1, q1, t1) = split(a, m);
    let (p2, q2, t2) = split(m, b);
    let t = &q2 * &t1 + &p1 * &t2;
    (p1 * p2, q1 * q2, t)
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|arg| arg.parse().ok())
        .expect("usage: dashu-pi N");
    let start = Instant::now();
    let d = n - 1 + GUARD; // decimal places computed
    // Each term adds log10(640320³/1728) ≈ 14.18 digits.
    let terms = (d as f64 / 14.181_647_462_725_477) as u64 + 2;
    let (_, q, t) = split(0, terms);
    let q = UBig::try_from(q).expect("Q > 0");
    let t = UBig::try_from(t).expect("T > 0");
    // π·10^d = 426880·√(10005·10^(2d))·Q / T
    let root = (UBig::from(10_005u32) * UBig::from(10u8).pow(2 * d)).sqrt();
    let scaled = root * UBig::from(426_880u32) * q / t;
    let mut text = scaled.to_string();
    text.truncate(n);
    let mut counts = [0u64; 10];
    for digit in text.bytes() {
        counts[usize::from(digit - b'0')] += 1;
    }
    let seconds = start.elapsed().as_secs_f64();
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes()).unwrap();
    out.flush().unwrap();
    let counts: Vec<String> = counts.iter().map(u64::to_string).collect();
    eprintln!("seconds={seconds} counts={}", counts.join(","));
}
