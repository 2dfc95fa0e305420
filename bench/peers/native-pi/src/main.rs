//! `native-pi N`: the first N digits of π from `pi_digits_math::pi::digits`,
//! natively, on stdout; on stderr `seconds=S counts=c0,…,c9`, S being the
//! time to digits and histogram (the printing is not timed).

use std::io::Write;
use std::time::Instant;

fn main() {
    let n: u64 = std::env::args()
        .nth(1)
        .and_then(|arg| arg.parse().ok())
        .expect("usage: native-pi N");
    let start = Instant::now();
    let text = pi_digits_math::pi::digits(n);
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
