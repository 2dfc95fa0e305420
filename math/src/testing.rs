//! Test inputs shared by the modules' tests.

use num_bigint::BigUint;

/// A pseudo-random number of exactly `bits` bits (top bit set), from `seed`.
/// Every third seed gives a run of ones with a few zero bits, the shape that
/// stresses carries and Newton corrections.
pub fn number(bits: u64, seed: u64) -> BigUint {
    if bits == 0 {
        return BigUint::ZERO;
    }
    let mut state = seed;
    let mut next = || {
        // splitmix64
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    let words = bits.div_ceil(32) as usize;
    let digits: Vec<u32> = if seed.is_multiple_of(3) {
        let mut ones = vec![u32::MAX; words];
        for _ in 0..3 {
            let at = (next() % bits) as usize;
            ones[at / 32] &= !(1 << (at % 32));
        }
        ones
    } else {
        (0..words).map(|_| next() as u32).collect()
    };
    let mut n = BigUint::new(digits);
    let extra = words as u64 * 32 - bits;
    n >>= extra;
    n.set_bit(bits - 1, true);
    n
}
