//! The first digits of π stored compactly, with their running counts, so
//! that a fresh instance answers them without computing: the pi component's
//! build script [`pack`]s digits computed natively, and the component reads
//! them back through a [`Snapshot`] over the bytes it embeds.
//!
//! The bytes are, in order:
//! - the number of digits `n`, a little-endian u64;
//! - the running counts: for each `i` in `0..=n / BLOCK`, the histogram of
//!   the first `i * BLOCK` digits, ten little-endian u32s;
//! - the digits, two a byte, the earlier one in the high nibble (an odd `n`
//!   leaves the last low nibble 0).

use alloc::string::String;
use alloc::vec::Vec;

/// Digits between stored running counts: a histogram counts at most this
/// many digits beyond the nearest one. Even, so every block starts on a
/// byte of the packed digits.
pub const BLOCK: usize = 4096;

const HEADER: usize = 8;
const COUNTS: usize = 10 * 4;

/// The most digits a snapshot holds: its running counts are u32s.
pub const MAX_SNAPSHOT_DIGITS: u64 = u32::MAX as u64;

/// A view of packed digits and their running counts (see the module docs).
#[derive(Debug, Clone, Copy)]
pub struct Snapshot<'a> {
    bytes: &'a [u8],
}

impl<'a> Snapshot<'a> {
    /// A snapshot of no digits.
    pub const EMPTY: Snapshot<'static> = Snapshot {
        // What `pack("")` writes: n = 0, and the histogram of no digits.
        bytes: &[0; HEADER + COUNTS],
    };

    /// A view of bytes written by [`pack`]. Bytes that [`pack`] did not
    /// write give wrong digits or a panic, so they are checked where they
    /// are made (the build script unpacks what it packed).
    pub const fn new(bytes: &'a [u8]) -> Self {
        Snapshot { bytes }
    }

    /// How many digits the snapshot holds.
    pub fn len(&self) -> usize {
        let header = self
            .bytes
            .first_chunk::<HEADER>()
            .expect("a snapshot starts with its length");
        usize::try_from(u64::from_le_bytes(*header)).expect("a snapshot fits in memory")
    }

    /// Whether the snapshot holds no digits.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `length` digits from `offset` (0 is the leading 3), as ASCII.
    ///
    /// # Panics
    /// If the window reaches past [`Snapshot::len`].
    pub fn window(&self, offset: usize, length: usize) -> String {
        let end = offset + length;
        assert!(end <= self.len(), "the window reaches past the snapshot");
        let mut ascii = Vec::with_capacity(length);
        let mut position = offset;
        let packed = self.packed();
        if position % 2 == 1 && position < end {
            ascii.push(b'0' + (packed[position / 2] & 0x0f));
            position += 1;
        }
        // Whole bytes, two digits each.
        let pairs = (end - position) / 2;
        for &byte in &packed[position / 2..position / 2 + pairs] {
            ascii.extend_from_slice(&[b'0' + (byte >> 4), b'0' + (byte & 0x0f)]);
        }
        position += 2 * pairs;
        if position < end {
            ascii.push(b'0' + (packed[position / 2] >> 4));
        }
        String::from_utf8(ascii).expect("digits are ASCII")
    }

    /// How often each digit occurs among the first `n` digits.
    ///
    /// # Panics
    /// If `n` is past [`Snapshot::len`].
    pub fn histogram(&self, n: usize) -> [u64; 10] {
        assert!(n <= self.len(), "the histogram reaches past the snapshot");
        let block = n / BLOCK;
        let stored = &self.bytes[HEADER + block * COUNTS..][..COUNTS];
        let mut counts = [0; 10];
        for (count, bytes) in counts.iter_mut().zip(stored.chunks_exact(4)) {
            *count = u64::from(u32::from_le_bytes(
                bytes.try_into().expect("chunks of four"),
            ));
        }
        // The rest, from a block start (even) to n.
        let packed = &self.packed()[block * BLOCK / 2..n.div_ceil(2)];
        for &byte in packed {
            counts[usize::from(byte >> 4)] += 1;
            counts[usize::from(byte & 0x0f)] += 1;
        }
        if n % 2 == 1 {
            // The low nibble after the last digit is not a digit.
            counts[usize::from(packed[packed.len() - 1] & 0x0f)] -= 1;
        }
        counts
    }

    /// Whether `digits` (ASCII, the leading 3 first) and the snapshot agree
    /// on every digit both hold.
    pub fn agrees_with(&self, digits: &str) -> bool {
        let common = &digits.as_bytes()[..digits.len().min(self.len())];
        common
            .chunks(2)
            .zip(self.packed())
            .all(|(pair, &byte)| match *pair {
                [high, low] => {
                    high.wrapping_sub(b'0') == byte >> 4 && low.wrapping_sub(b'0') == byte & 0x0f
                }
                [high] => high.wrapping_sub(b'0') == byte >> 4,
                _ => unreachable!("chunks of at most two"),
            })
    }

    fn packed(&self) -> &'a [u8] {
        let n = self.len();
        let bytes = self.bytes;
        &bytes[HEADER + (n / BLOCK + 1) * COUNTS..][..n.div_ceil(2)]
    }
}

/// Why digits cannot be packed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PackError {
    /// A byte that is not an ASCII decimal digit.
    #[error("byte {position} is not a decimal digit")]
    NotADigit {
        /// Its position, 0 first.
        position: usize,
    },
    /// More digits than the running counts can hold.
    #[error("{digits} digits are more than a snapshot holds ({MAX_SNAPSHOT_DIGITS})")]
    TooLong {
        /// How many were given.
        digits: usize,
    },
}

/// The bytes of a snapshot of `digits` (ASCII, the leading 3 first), for
/// [`Snapshot::new`].
pub fn pack(digits: &str) -> Result<Vec<u8>, PackError> {
    let digits = digits.as_bytes();
    let n = digits.len();
    if u32::try_from(n).is_err() {
        return Err(PackError::TooLong { digits: n });
    }
    if let Some(position) = digits.iter().position(|byte| !byte.is_ascii_digit()) {
        return Err(PackError::NotADigit { position });
    }
    let mut bytes = Vec::with_capacity(HEADER + (n / BLOCK + 1) * COUNTS + n.div_ceil(2));
    bytes.extend_from_slice(&(n as u64).to_le_bytes());
    let mut counts = [0u32; 10];
    for block in 0..=n / BLOCK {
        if block > 0 {
            for &digit in &digits[(block - 1) * BLOCK..block * BLOCK] {
                counts[usize::from(digit - b'0')] += 1;
            }
        }
        for count in counts {
            bytes.extend_from_slice(&count.to_le_bytes());
        }
    }
    for pair in digits.chunks(2) {
        let high = pair[0] - b'0';
        let low = pair.get(1).map_or(0, |digit| digit - b'0');
        bytes.push(high << 4 | low);
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use pi_digits_testkit::Reference;
    use proptest::prelude::*;

    use super::*;

    fn reference_snapshot(n: u64) -> Vec<u8> {
        pack(Reference::load().prefix(n)).unwrap()
    }

    #[test]
    fn the_empty_snapshot_holds_nothing() {
        assert_eq!(Snapshot::EMPTY.len(), 0);
        assert_eq!(Snapshot::EMPTY.window(0, 0), "");
        assert_eq!(Snapshot::EMPTY.histogram(0), [0; 10]);
        assert!(Snapshot::EMPTY.agrees_with("3141"));
        let bytes = pack("").unwrap();
        assert_eq!(bytes, Snapshot::EMPTY.bytes);
        let packed = Snapshot::new(&bytes);
        assert!(packed.is_empty());
        assert_eq!(packed.histogram(0), [0; 10]);
    }

    #[test]
    fn ten_digits_unpack_as_the_conventions_say() {
        let bytes = pack("3141592653").unwrap();
        let snapshot = Snapshot::new(&bytes);
        assert_eq!(snapshot.len(), 10);
        assert_eq!(snapshot.window(0, 10), "3141592653");
        assert_eq!(snapshot.window(1, 4), "1415");
        assert_eq!(snapshot.histogram(10), [0, 2, 1, 2, 1, 2, 1, 0, 0, 1]);
        // Two digits a byte, after the header and one histogram.
        assert_eq!(bytes.len(), 8 + 40 + 5);
    }

    #[test]
    fn packing_refuses_what_is_not_digits() {
        assert_eq!(pack("31a4"), Err(PackError::NotADigit { position: 2 }));
        assert_eq!(pack("3.14"), Err(PackError::NotADigit { position: 1 }));
    }

    #[test]
    fn the_same_digits_agree_and_a_changed_digit_does_not() {
        let reference = Reference::load();
        let bytes = reference_snapshot(9_999);
        let snapshot = Snapshot::new(&bytes);
        for n in [0, 1, 64, 9_998, 9_999, 20_000] {
            assert!(snapshot.agrees_with(reference.prefix(n)), "{n} digits");
        }
        for (n, position) in [
            (9_999, 0),
            (9_999, 1),
            (9_999, 5_000),
            (9_999, 9_998),
            (101, 100),
        ] {
            let mut changed = reference.prefix(n).as_bytes().to_vec();
            changed[position] = if changed[position] == b'0' {
                b'1'
            } else {
                b'0'
            };
            let changed = String::from_utf8(changed).unwrap();
            assert!(
                !snapshot.agrees_with(&changed),
                "digit {position} of {n} changed"
            );
        }
    }

    proptest! {
        #[test]
        fn any_window_and_histogram_matches_the_reference(
            len in 0..100_000u64,
            offset in 0..100_000u64,
            length in 0..10_000u64,
            n in 0..100_000u64,
        ) {
            let reference = Reference::load();
            let bytes = reference_snapshot(len);
            let snapshot = Snapshot::new(&bytes);
            prop_assert_eq!(snapshot.len() as u64, len);
            let offset = offset.min(len);
            let length = length.min(len - offset);
            prop_assert_eq!(
                snapshot.window(offset as usize, length as usize),
                reference.window(offset, length)
            );
            let n = n.min(len);
            prop_assert_eq!(snapshot.histogram(n as usize), reference.histogram(n));
        }
    }
}
