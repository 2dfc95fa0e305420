"""The digits of π, their histogram and searches among them, from the
``pi:digits`` WebAssembly component (interface ``pi:digits/pi@0.2.0``), run
in-process by wasmtime.

>>> import pi_digits
>>> pi_digits.digits(10)
'3141592653'
>>> pi_digits.search("14159", 10)
Occurrences(position=1, count=1)

Which component file is loaded, first match wins: the ``path`` given to
:class:`Pi`; the ``PI_DIGITS_WASM`` environment variable; ``pi_digits.wasm``
shipped inside this package.
"""

from __future__ import annotations

import operator
import os
from pathlib import Path
from typing import Any, NamedTuple, Optional, Union

import wasmtime
import wasmtime.component as wc

__all__ = [
    "BadPatternError",
    "BeyondMaximumError",
    "ComponentNotFoundError",
    "Occurrences",
    "Pi",
    "PiDigitsError",
    "digits",
    "digits_window",
    "histogram",
    "max_digits",
    "search",
]

#: The component interface this package calls.
INTERFACE = "pi:digits/pi@0.2.0"
#: Environment variable naming the component file to load.
ENV_VAR = "PI_DIGITS_WASM"
#: Where a wheel ships the component.
BUNDLED_WASM = Path(__file__).with_name("pi_digits.wasm")

_U64_MAX = 2**64 - 1


class PiDigitsError(Exception):
    """Base class of every error this package raises on its own."""


class BeyondMaximumError(PiDigitsError):
    """The request reaches past the most digits the component computes
    (WIT ``error::beyond-maximum``); :attr:`maximum` is that limit."""

    def __init__(self, maximum: int) -> None:
        super().__init__(f"beyond the maximum of {maximum} digits")
        #: The most digits the component computes, as ``max_digits()`` returns.
        self.maximum = maximum


class BadPatternError(PiDigitsError, ValueError):
    """A :meth:`Pi.search` pattern is not 1 to 100 decimal digits (WIT
    ``error::bad-pattern``); :attr:`problem` says how."""

    #: What each WIT ``pattern-problem`` means.
    PROBLEMS = {
        "empty": "the pattern is empty",
        "not-a-digit": "the pattern has a character that is not a digit 0-9",
        "too-long": "the pattern is longer than 100 digits",
    }

    def __init__(self, problem: str) -> None:
        super().__init__(f"bad search pattern: {self.PROBLEMS.get(problem, problem)}")
        #: The WIT ``pattern-problem``: ``"empty"``, ``"not-a-digit"`` or ``"too-long"``.
        self.problem = problem


class Occurrences(NamedTuple):
    """Where a pattern occurs among the first digits of π (WIT record
    ``occurrences``)."""

    #: The position of its first digit at the first occurrence, counted like
    #: :meth:`Pi.digits_window` offsets (0 is the leading 3); ``None`` if it
    #: does not occur.
    position: Optional[int]
    #: How often it occurs, overlapping occurrences counted.
    count: int


class ComponentNotFoundError(PiDigitsError, FileNotFoundError):
    """No component file was given, configured or bundled."""


#: The WIT ``error`` cases, in order, and the exception each becomes.
_ERRORS = {"beyond-maximum": lambda payload: BeyondMaximumError(int(payload)), "bad-pattern": BadPatternError}


class _ResultDecoder:
    """Splits what wasmtime-py returns for a ``result<T, error>`` into ok
    value or the exception of the ``error`` case.

    wasmtime-py tags a variant (``Variant(tag, payload)``, ``result`` being
    one with cases ``ok`` and ``err``) only when the Python classes of its
    cases' payloads overlap; otherwise it returns the bare payload. Our
    ``error``'s cases carry an ``int`` (``beyond-maximum``) and a ``str``
    (``bad-pattern``), so its payload is bare, and ``digits`` (ok: ``str``)
    has a tagged result where ``histogram`` (ok: ``list``) has not. Which
    representation applies is decided here from the function's type, once,
    not guessed from each value.
    """

    def __init__(self, result_type: Any) -> None:
        if not isinstance(result_type, wc.ResultType) or result_type.ok is None:
            raise PiDigitsError(f"expected a result<_, error> type, got {result_type!r}")
        err = result_type.err
        if not isinstance(err, wc.VariantType) or [name for name, _ in err.cases] != list(_ERRORS):
            raise PiDigitsError(
                "the component's error type is not variant { beyond-maximum(u64), bad-pattern(pattern-problem) }"
            )
        ok_classes = _classes(result_type.ok)
        #: (case name, the classes of its payload), in the variant's order.
        self._cases = [(name, _classes(ty)) for name, ty in err.cases]
        err_classes = set().union(*(classes for _, classes in self._cases))
        self._tagged = bool(ok_classes & err_classes)
        self._ok_classes = tuple(ok_classes)
        self._err_tagged = bool(self._cases[0][1] & self._cases[1][1])

    def __call__(self, value: Any) -> Any:
        if self._tagged:
            is_ok, payload = value.tag == "ok", value.payload
        else:
            is_ok, payload = isinstance(value, self._ok_classes), value
        if is_ok:
            return payload
        if self._err_tagged:
            case, payload = payload.tag, payload.payload
        else:
            case = next(name for name, classes in self._cases if isinstance(payload, tuple(classes)))
        raise _ERRORS[case](payload)


def _classes(ty: Any) -> set[type]:
    """The Python classes wasmtime-py gives values of the component type ``ty``."""
    classes: set[type] = set()
    ty.add_classes(classes)
    return classes


def _u64(name: str, value: Any) -> int:
    """``value`` as a u64 argument: TypeError unless it is an int (not a
    bool), ValueError if negative. wasmtime-py would silently wrap these."""
    if isinstance(value, bool):
        raise TypeError(f"{name} must be an int, not bool")
    try:
        index: int = operator.index(value)
    except TypeError:
        raise TypeError(f"{name} must be an int, not {type(value).__name__}") from None
    if index < 0:
        raise ValueError(f"{name} must not be negative, got {index}")
    return index


def _find_wasm(path: Union[str, os.PathLike[str], None]) -> Path:
    if path is None:
        path = os.environ.get(ENV_VAR) or None
    if path is None:
        if BUNDLED_WASM.is_file():
            return BUNDLED_WASM
        raise ComponentNotFoundError(
            "no pi_digits.wasm component: pass Pi(path), or set "
            f"{ENV_VAR}=/path/to/pi_digits.wasm, or copy one to {BUNDLED_WASM} "
            "before `pip install ./python`. Build it with "
            "`cargo build --release --target wasm32-wasip2 -p pi-digits` "
            "(writes target/wasm32-wasip2/release/pi_digits.wasm)."
        )
    path = Path(path)
    if not path.is_file():
        raise ComponentNotFoundError(f"no component file at {path}")
    return path


class Pi:
    """One instance of the pi component.

    The instance keeps the longest prefix computed so far, so later requests
    inside it are fast. Not thread-safe: use one ``Pi`` per thread.
    """

    def __init__(self, path: Union[str, os.PathLike[str], None] = None) -> None:
        """Load and instantiate the component at ``path`` (default: the
        ``PI_DIGITS_WASM`` environment variable, else the bundled file)."""
        #: The component file loaded.
        self.path = _find_wasm(path)
        engine = wasmtime.Engine()
        component = wc.Component.from_file(engine, str(self.path))
        # The pi component imports nothing: an empty linker, no WASI. A
        # component that does import WASI (another build) gets it.
        needs_wasi = bool(component.type.imports(engine))
        linker = wc.Linker(engine)
        if needs_wasi:
            linker.add_wasip2()
        self._store = wasmtime.Store(engine)
        if needs_wasi:
            self._store.set_wasi(wasmtime.WasiConfig())
        instance = linker.instantiate(self._store, component)
        interface = instance.get_export_index(self._store, INTERFACE)
        if interface is None:
            raise PiDigitsError(f"{self.path} does not export {INTERFACE}")

        def func(name: str) -> Any:
            index = instance.get_export_index(self._store, name, interface)
            f = instance.get_func(self._store, index) if index is not None else None
            if f is None:
                raise PiDigitsError(f"{self.path} does not export {INTERFACE}#{name}")
            return f

        self._max_digits = func("max-digits")
        # name -> (function, decoder of its result<_, error>)
        self._funcs = {
            name: (f, _ResultDecoder(f.type(self._store).result))
            for name in ("digits", "digits-window", "histogram", "search")
            for f in [func(name)]
        }

    def _call(self, name: str, *args: Any) -> Any:
        # An int past u64 cannot be passed; u64's maximum, past any maximum
        # too, stands for it, so the component answers as the contract
        # orders: beyond-maximum, or for search a bad pattern first.
        args = tuple(min(a, _U64_MAX) if isinstance(a, int) else a for a in args)
        f, decode = self._funcs[name]
        return decode(f(self._store, *args))

    def max_digits(self) -> int:
        """The largest ``n`` that :meth:`digits`, :meth:`histogram` and
        :meth:`search` accept, and the furthest position a window may reach:
        100,000,000."""
        return int(self._max_digits(self._store))

    def digits(self, n: int) -> str:
        """The first ``n`` digits of π, the leading 3 included, no decimal
        point: ``digits(10) == "3141592653"``. Raises
        :class:`BeyondMaximumError` if ``n > max_digits()``."""
        return str(self._call("digits", _u64("n", n)))

    def digits_window(self, offset: int, length: int) -> str:
        """``length`` digits from digit ``offset`` (0 is the leading 3):
        ``digits_window(1, 4) == "1415"``. Raises :class:`BeyondMaximumError`
        if ``offset + length > max_digits()``."""
        return str(self._call("digits-window", _u64("offset", offset), _u64("length", length)))

    def histogram(self, n: int) -> list[int]:
        """How often each digit 0–9 occurs among the first ``n`` digits; the
        index is the digit. Raises :class:`BeyondMaximumError` if
        ``n > max_digits()``."""
        return list(self._call("histogram", _u64("n", n)))

    def search(self, pattern: str, n: int = 1_000_000) -> Occurrences:
        """Where ``pattern``, 1 to 100 decimal digits, occurs among the first
        ``n`` digits, overlapping occurrences counted:
        ``search("14159", 10) == Occurrences(position=1, count=1)``. Raises
        :class:`BadPatternError` for a malformed pattern, whatever ``n`` is,
        and :class:`BeyondMaximumError` if ``n > max_digits()``."""
        if not isinstance(pattern, str):
            raise TypeError(f"pattern must be a str, not {type(pattern).__name__}")
        found = self._call("search", pattern, _u64("n", n))
        position = None if found.position is None else int(found.position)
        return Occurrences(position, int(found.count))


_default: Optional[Pi] = None


def _pi() -> Pi:
    global _default
    if _default is None:
        _default = Pi()
    return _default


def max_digits() -> int:
    """:meth:`Pi.max_digits` of a shared default :class:`Pi`."""
    return _pi().max_digits()


def digits(n: int) -> str:
    """:meth:`Pi.digits` of a shared default :class:`Pi`."""
    return _pi().digits(n)


def digits_window(offset: int, length: int) -> str:
    """:meth:`Pi.digits_window` of a shared default :class:`Pi`."""
    return _pi().digits_window(offset, length)


def histogram(n: int) -> list[int]:
    """:meth:`Pi.histogram` of a shared default :class:`Pi`."""
    return _pi().histogram(n)


def search(pattern: str, n: int = 1_000_000) -> Occurrences:
    """:meth:`Pi.search` of a shared default :class:`Pi`."""
    return _pi().search(pattern, n)
