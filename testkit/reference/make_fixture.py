#!/usr/bin/env python3
"""Write testkit/fixtures/reference.json: π's digits from two independent sources.

The digits come from mpmath (with its gmpy2 backend) and are checked against
MPFR's π (through gmpy2) to the last digit, and against histograms published
for the Pi Day app. Nothing here uses pi-digits' own code.

    python3 testkit/reference/make_fixture.py          # write the fixture
    python3 testkit/reference/make_fixture.py --check  # fail if it differs

The hash of the first 100,000,000 digits (the component's maximum, which
the benchmark's --full run checks) is computed only with --large: mpmath and
then MPFR take minutes and gigabytes for it, too much for every check. A
run without --large keeps the committed one.
"""

import argparse
import hashlib
import json
import math
import sys
from pathlib import Path

import gmpy2
import mpmath
from mpmath.libmp import BACKEND
from mpmath.libmp.libelefun import pi_fixed

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "reference.json"
STORED_DIGITS = 100_000
PREFIX_SIZES = [10**k for k in range(8)]  # 1 ... 10,000,000
LARGE_PREFIX_SIZES = [10**8]  # hashed with --large only
HISTOGRAM_SIZES = [0, 1, 10, 100, 1_000, 1_024, 10_000, 30_000, 100_000, 1_000_000, 10_000_000]
GUARD = 20
# Search cases: the first position (0 is the leading 3) and the number of
# overlapping occurrences among the first n digits, for each n here.
SEARCH_SIZES = [10, 1_000, 100_000, 1_000_000, 10_000_000]
SEARCH_PATTERNS = [
    "3", "0", "9", "33", "111", "14159", "314159", "140319", "999999",
    "000000", "123456", "7777777", "271828", "1234567890", "0123456789",
    # 100 digits taken from π itself: it occurs at 500, maybe only there.
    "DIGITS_500_600",
]

# Published with the original Pi Day app; a cross-check of the sources.
KNOWN_HISTOGRAMS = {
    10: [0, 2, 1, 2, 1, 2, 1, 0, 0, 1],
    100: [8, 8, 12, 12, 10, 8, 9, 8, 12, 13],
    1_000: [93, 116, 103, 103, 93, 97, 94, 95, 101, 105],
    1_024: [96, 117, 106, 105, 94, 101, 96, 97, 105, 107],
    10_000: [968, 1026, 1021, 975, 1012, 1046, 1021, 970, 947, 1014],
}


def exact_digits(scaled: gmpy2.mpz, n: int) -> str:
    """The first n digits of an approximation of π·10^(n-1+GUARD) that is off
    by a few units; refuses if the guard digits are too close to a boundary."""
    text = str(scaled)
    tail = text[n:]
    assert len(tail) == GUARD, "π·10^k has k+1 digits"
    # Off by under 1000 units: the tail must lie in [1000, 10^GUARD - 1000).
    near = ("0" * (GUARD - 3), "9" * (GUARD - 3))
    assert not tail.startswith(near), "guard digits too close to a boundary"
    return text[:n]


def mpmath_digits(n: int) -> str:
    assert BACKEND == "gmpy", f"mpmath should use gmpy2, uses {BACKEND}"
    prec = math.ceil((n + GUARD) * math.log2(10)) + 32
    pi = gmpy2.mpz(pi_fixed(prec))  # floor(π·2^prec), off by a few units
    return exact_digits(pi * gmpy2.mpz(10) ** (n - 1 + GUARD) >> prec, n)


def mpfr_digits(n: int) -> str:
    prec = math.ceil((n + GUARD) * math.log2(10)) + 32
    with gmpy2.context(precision=prec):
        pi = gmpy2.const_pi()
        scaled = gmpy2.mpz(gmpy2.floor(pi * gmpy2.mpz(10) ** (n - 1 + GUARD)))
    return exact_digits(scaled, n)


def histogram(digits: str) -> list[int]:
    return [digits.count(str(d)) for d in range(10)]


def occurrences(digits: str, pattern: str) -> list:
    """[first position or None, overlapping count]: str.find, one step at a time."""
    first = digits.find(pattern)
    count, at = 0, first
    while at != -1:
        count += 1
        at = digits.find(pattern, at + 1)
    return [None if first == -1 else first, count]


def large_hashes(large: bool) -> dict:
    """SHA-256 of the first n digits for the large sizes: computed from
    mpmath and checked against MPFR with `large`, else as committed."""
    if not large:
        committed = json.loads(FIXTURE.read_text())["sha256"] if FIXTURE.exists() else {}
        return {str(n): committed[str(n)] for n in LARGE_PREFIX_SIZES if str(n) in committed}
    hashes = {}
    for n in LARGE_PREFIX_SIZES:
        digits = mpmath_digits(n)
        assert digits == mpfr_digits(n), f"mpmath and MPFR disagree at {n} digits"
        hashes[str(n)] = hashlib.sha256(digits.encode()).hexdigest()
    return hashes


def build(large: bool) -> dict:
    largest = max(PREFIX_SIZES + HISTOGRAM_SIZES)
    digits = mpmath_digits(largest)
    assert digits == mpfr_digits(largest), "mpmath and MPFR disagree"
    for n, counts in KNOWN_HISTOGRAMS.items():
        assert histogram(digits[:n]) == counts, f"published histogram for {n} differs"
    patterns = [digits[500:600] if p == "DIGITS_500_600" else p for p in SEARCH_PATTERNS]
    # The Feynman point: six 9s from digit 762 after the decimal point.
    assert occurrences(digits[:1_000], "999999")[0] == 762, "the Feynman point moved"
    return {
        "source": f"mpmath {mpmath.__version__} (gmpy2 {gmpy2.version()}), checked against MPFR {gmpy2.mpfr_version()}",
        "digits": digits[:STORED_DIGITS],
        "histograms": {str(n): histogram(digits[:n]) for n in HISTOGRAM_SIZES},
        "sha256": {
            **{str(n): hashlib.sha256(digits[:n].encode()).hexdigest() for n in PREFIX_SIZES},
            **large_hashes(large),
        },
        "searches": {
            str(n): {pattern: occurrences(digits[:n], pattern) for pattern in patterns}
            for n in SEARCH_SIZES
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the committed fixture")
    parser.add_argument(
        "--large", action="store_true", help="also hash 100,000,000 digits (minutes, gigabytes)"
    )
    args = parser.parse_args()
    text = json.dumps(build(args.large), indent=1) + "\n"
    if args.check:
        if FIXTURE.read_text() != text:
            print(f"{FIXTURE} differs from the reference sources", file=sys.stderr)
            return 1
        print(f"{FIXTURE} matches mpmath and MPFR")
        return 0
    FIXTURE.write_text(text)
    print(f"wrote {FIXTURE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
