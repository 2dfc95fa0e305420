//! `phases-pi N`: the first N digits of π from `pi_digits_math::pi::digits`
//! on stdout; on stderr `seconds=S` (digits and histogram, the printing not
//! timed), `counts=c0,…,c9`, then a line `phase=NAME seconds=S
//! transform=S` for each phase of the computation, in order: its time, and
//! the part of it in multiplications by the transform.

use std::io::Write;
use std::time::Instant;

use pi_digits_math::phases::{self, Phase};

fn main() {
    let n: u64 = std::env::args()
        .nth(1)
        .and_then(|arg| arg.parse().ok())
        .expect("usage: phases-pi N");
    let start = Instant::now();
    let text = pi_digits_math::pi::digits(n);
    let mut counts = [0u64; 10];
    for digit in text.bytes() {
        counts[usize::from(digit - b'0')] += 1;
    }
    let seconds = start.elapsed().as_secs_f64();
    let times = phases::take();
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes()).unwrap();
    out.flush().unwrap();
    let counts: Vec<String> = counts.iter().map(u64::to_string).collect();
    eprintln!("seconds={seconds}");
    eprintln!("counts={}", counts.join(","));
    for (phase, time) in Phase::ALL.iter().zip(times) {
        eprintln!(
            "phase={} seconds={} transform={}",
            phase.name().replace(' ', "-"),
            time.total.as_secs_f64(),
            time.transform.as_secs_f64()
        );
    }
}
