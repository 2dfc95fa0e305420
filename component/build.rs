//! Writes the snapshot the component starts with: the first
//! `PI_DIGITS_SNAPSHOT_DIGITS` digits of π (default 1,000,000; 0 for none),
//! computed natively by pi-digits-math and packed two digits a byte with
//! their running counts. The digits are checked against the SHA-256 of the
//! independent reference fixture (mpmath, checked against MPFR) before they
//! are written: a mismatch fails the build.

use std::collections::BTreeMap;
use std::env;
use std::fs;
use std::path::{Path, PathBuf};

use pi_digits_math::cache::MAX_DIGITS;
use pi_digits_math::pi;
use pi_digits_math::snapshot::{self, Snapshot};
use serde::Deserialize;
use sha2::{Digest, Sha256};

/// How many digits a component holds when the variable is not set.
const DEFAULT_SNAPSHOT_DIGITS: u64 = 1_000_000;

/// The fixture, as far as this script reads it.
#[derive(Deserialize)]
struct Reference {
    /// SHA-256 (hex) of the first 10^k digits.
    sha256: BTreeMap<u64, String>,
}

fn main() {
    println!("cargo:rerun-if-env-changed=PI_DIGITS_SNAPSHOT_DIGITS");
    let fixture = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").unwrap())
        .join("../testkit/fixtures/reference.json");
    println!("cargo:rerun-if-changed={}", fixture.display());
    let n = match env::var("PI_DIGITS_SNAPSHOT_DIGITS") {
        Ok(value) => value.trim().replace('_', "").parse().unwrap_or_else(|_| {
            panic!("PI_DIGITS_SNAPSHOT_DIGITS={value:?} is not a number of digits")
        }),
        Err(_) => DEFAULT_SNAPSHOT_DIGITS,
    };
    assert!(
        n <= MAX_DIGITS,
        "PI_DIGITS_SNAPSHOT_DIGITS={n} is past the {MAX_DIGITS} digits the component computes"
    );

    let digits = if n == 0 {
        String::new()
    } else {
        checked_digits(n, &fixture)
    };
    let bytes = snapshot::pack(&digits).expect("π's digits pack");
    // What the component will read must be what was packed.
    let unpacked = Snapshot::new(&bytes);
    assert_eq!(unpacked.len(), digits.len());
    assert_eq!(
        unpacked.window(0, digits.len()),
        digits,
        "the snapshot unpacks"
    );
    let out = PathBuf::from(env::var_os("OUT_DIR").unwrap()).join("snapshot.bin");
    fs::write(&out, &bytes).unwrap_or_else(|error| panic!("writing {}: {error}", out.display()));
}

/// The first `n` digits, computed up to the next size the fixture has a
/// SHA-256 for and checked against it.
fn checked_digits(n: u64, fixture: &Path) -> String {
    let text = fs::read_to_string(fixture)
        .unwrap_or_else(|error| panic!("reading {}: {error}", fixture.display()));
    let reference: Reference = serde_json::from_str(&text).expect("the reference fixture parses");
    let (&checked, expected) = reference
        .sha256
        .range(n..)
        .next()
        .unwrap_or_else(|| panic!("the fixture has no SHA-256 for {n} digits or more"));
    let mut digits = pi::digits(checked);
    let actual = hex::encode(Sha256::digest(&digits));
    assert_eq!(
        &actual, expected,
        "the first {checked} digits computed for the snapshot differ from the reference; \
         nothing is written"
    );
    digits.truncate(n as usize);
    digits
}
