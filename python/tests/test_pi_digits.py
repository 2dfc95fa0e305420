"""Tests of the installed `pi_digits` package against the independent
reference digits in testkit/fixtures/reference.json (mpmath, checked against
MPFR): no expected value here is computed by the component."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

import pi_digits
from pi_digits import BadPatternError, BeyondMaximumError, Occurrences, Pi, PiDigitsError

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = json.loads((ROOT / "testkit/fixtures/reference.json").read_text())
DIGITS: str = REFERENCE["digits"]
MAX = 100_000_000
U64_MAX = 2**64 - 1


@pytest.fixture(scope="module")
def pi() -> Pi:
    return Pi()


def test_max_digits(pi: Pi) -> None:
    assert pi.max_digits() == MAX
    assert pi_digits.max_digits() == MAX


@pytest.mark.parametrize("n", [0, 1, 2, 10, 50, 1000, 12345, len(DIGITS)])
def test_digits(pi: Pi, n: int) -> None:
    assert pi.digits(n) == DIGITS[:n]


@pytest.mark.parametrize(
    "offset, length",
    [(0, 0), (0, 1), (1, 4), (1000, 50), (99_990, 10), (len(DIGITS), 0), (31_415, 9265)],
)
def test_digits_window(pi: Pi, offset: int, length: int) -> None:
    assert pi.digits_window(offset, length) == DIGITS[offset : offset + length]


@pytest.mark.parametrize("n", sorted(REFERENCE["histograms"], key=int))
def test_histogram(pi: Pi, n: str) -> None:
    if int(n) > 1_000_000:
        pytest.skip("10,000,000 digits: too slow here")
    assert pi.histogram(int(n)) == REFERENCE["histograms"][n]


def test_a_fresh_instance_answers_a_million_digits_from_its_snapshot() -> None:
    fresh = Pi()
    assert fresh.histogram(1_000_000) == REFERENCE["histograms"]["1000000"]
    digits = Pi().digits(1_000_000)
    assert hashlib.sha256(digits.encode()).hexdigest() == REFERENCE["sha256"]["1000000"]


def test_histogram_1000(pi: Pi) -> None:
    assert pi.histogram(1000) == [93, 116, 103, 103, 93, 97, 94, 95, 101, 105]
    assert pi.histogram(1000) == REFERENCE["histograms"]["1000"]


def test_histogram_of_fixture_prefixes(pi: Pi) -> None:
    for n in (7, 333, 4321, len(DIGITS)):
        assert pi.histogram(n) == [DIGITS[:n].count(str(d)) for d in range(10)]


def test_module_functions() -> None:
    assert pi_digits.digits(20) == DIGITS[:20]
    assert pi_digits.digits_window(5, 5) == DIGITS[5:10]
    assert pi_digits.histogram(100) == REFERENCE["histograms"]["100"]


@pytest.mark.parametrize(
    "call",
    [
        lambda pi: pi.digits(MAX + 1),
        lambda pi: pi.histogram(MAX + 1),
        lambda pi: pi.digits_window(MAX, 1),
        lambda pi: pi.digits_window(1, MAX),
        lambda pi: pi.digits_window(U64_MAX, 2),  # offset + length overflows u64
        lambda pi: pi.digits_window(2, U64_MAX),
        lambda pi: pi.digits(U64_MAX),
        lambda pi: pi.digits(2**64),  # not even a u64
    ],
)
def test_beyond_maximum(pi: Pi, call) -> None:
    with pytest.raises(BeyondMaximumError) as caught:
        call(pi)
    assert caught.value.maximum == MAX
    assert isinstance(caught.value, PiDigitsError)
    # The instance keeps working after an error.
    assert pi.digits(10) == DIGITS[:10]
    assert pi.histogram(10) == REFERENCE["histograms"]["10"]


SEARCHES = [
    (int(n), pattern, position, count)
    for n, cases in REFERENCE["searches"].items()
    for pattern, (position, count) in cases.items()
]


@pytest.mark.parametrize("n, pattern, position, count", [case for case in SEARCHES if case[0] <= 1_000_000])
def test_search(pi: Pi, n: int, pattern: str, position, count: int) -> None:
    found = pi.search(pattern, n)
    assert found == Occurrences(position, count)
    assert (found.position, found.count) == (position, count)


@pytest.mark.skip(reason="10,000,000 digits: too slow here; the cargo tests search the maximum")
def test_search_of_the_maximum(pi: Pi) -> None:
    for n, pattern, position, count in (case for case in SEARCHES if case[0] > 1_000_000):
        assert pi.search(pattern, n) == (position, count)


def test_search_on_a_fresh_instance_defaults_to_a_million_digits() -> None:
    position, count = REFERENCE["searches"]["1000000"]["140319"]
    assert Pi().search("140319") == Occurrences(position=position, count=count)
    assert pi_digits.search("140319") == (position, count)
    assert pi_digits.search("14159", 10) == Occurrences(position=1, count=1)
    assert pi_digits.search("0", 10).position is None


@pytest.mark.parametrize(
    "pattern, problem",
    [("", "empty"), ("14a3", "not-a-digit"), ("-1", "not-a-digit"), ("١٤", "not-a-digit"), ("1" * 101, "too-long")],
)
@pytest.mark.parametrize("n", [10, MAX, MAX + 1, U64_MAX, 2**64])
def test_bad_pattern(pi: Pi, pattern: str, problem: str, n: int) -> None:
    # A bad pattern is named whatever n is, even past the maximum.
    with pytest.raises(BadPatternError) as caught:
        pi.search(pattern, n)
    assert caught.value.problem == problem
    assert isinstance(caught.value, ValueError) and isinstance(caught.value, PiDigitsError)
    assert str(caught.value).startswith("bad search pattern: the pattern ")
    assert pi.search("14159", 10) == (1, 1)


def test_search_past_the_maximum(pi: Pi) -> None:
    for n in (MAX + 1, U64_MAX, 2**64):
        with pytest.raises(BeyondMaximumError) as caught:
            pi.search("3", n)
        assert caught.value.maximum == MAX
    with pytest.raises(TypeError):
        pi.search(314, 10)
    with pytest.raises(TypeError):
        pi.search("3", 1.0)
    with pytest.raises(ValueError):
        pi.search("3", -1)


@pytest.mark.parametrize("bad", [1.0, "10", None, True, b"1"])
def test_non_int_is_type_error(pi: Pi, bad) -> None:
    with pytest.raises(TypeError):
        pi.digits(bad)
    with pytest.raises(TypeError):
        pi.histogram(bad)
    with pytest.raises(TypeError):
        pi.digits_window(0, bad)


def test_negative_is_value_error(pi: Pi) -> None:
    # wasmtime-py would wrap -1 to 2**64 - 1; the wrapper refuses first.
    for call in (lambda: pi.digits(-1), lambda: pi.histogram(-5), lambda: pi.digits_window(-1, 2)):
        with pytest.raises(ValueError):
            call()


def test_explicit_path_and_env_var(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # A copy elsewhere, so that loading it cannot be the bundled default.
    copy = tmp_path / "elsewhere.wasm"
    copy.write_bytes(pi_digits.BUNDLED_WASM.read_bytes())
    assert Pi(copy).path == copy
    assert Pi(copy).digits(5) == DIGITS[:5]
    monkeypatch.setenv("PI_DIGITS_WASM", str(copy))
    assert Pi().path == copy
    assert Pi().digits(5) == DIGITS[:5]
    # The variable is what decides: pointing it at nothing is an error
    # naming that path, not a silent fall-back to the bundled file.
    missing = tmp_path / "missing.wasm"
    monkeypatch.setenv("PI_DIGITS_WASM", str(missing))
    with pytest.raises(pi_digits.ComponentNotFoundError, match="missing.wasm"):
        Pi()


def test_missing_component_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(pi_digits.ComponentNotFoundError, match="no component file"):
        Pi(tmp_path / "nothing.wasm")


def test_readme_snippet(capsys: pytest.CaptureFixture[str]) -> None:
    """Runs the Python example in python/README.md; every `print(...)  # X`
    line must print X."""
    readme = (ROOT / "python/README.md").read_text()
    (snippet,) = re.findall(r"```python\n(.*?)```", readme, re.S)
    expected = re.findall(r"print\(.*\)\s+# (.*)", snippet)
    assert expected, "the snippet shows no output"
    exec(compile(snippet, "python/README.md", "exec"), {})
    assert capsys.readouterr().out.splitlines() == expected
