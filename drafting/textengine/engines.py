"""Diff engines: the one place that calls a diff-match-patch implementation.

Both engines take two strings and return diff-match-patch style operations
``(op, text)`` with ``op`` in ``-1`` (delete), ``0`` (equal), ``1`` (insert),
after a *semantic* cleanup. Each is constructed with an explicit, finite time
limit: past it the library returns a valid but coarser diff (the caller can
tell from :attr:`RawDiff.timed_out`), never a hang.

- :class:`FastEngine` wraps the C++ port (``fast_diff_match_patch``), which
  releases the GIL while it works. The default.
- :class:`PythonEngine` wraps the pure-Python ``diff_match_patch``. It is also
  the implementation behind patch objects (``patch_make``/``patch_apply``),
  which the C++ wrapper lacks; see :mod:`drafting.textengine.patches`.

Another engine only needs the :class:`DiffEngine` protocol.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Final, Literal, Protocol, runtime_checkable

import fast_diff_match_patch as _fast  # type: ignore[import-not-found,import-untyped,unused-ignore]
from diff_match_patch import diff_match_patch as _PyDMP  # type: ignore[import-untyped,unused-ignore]

__all__ = [
    "DEFAULT_TIMEOUT",
    "DELETE",
    "EQUAL",
    "INSERT",
    "DiffEngine",
    "FastEngine",
    "Op",
    "PythonEngine",
    "RawDiff",
    "default_engine",
    "python_dmp",
]

DELETE: Final = -1
EQUAL: Final = 0
INSERT: Final = 1
Op = Literal[-1, 0, 1]

DEFAULT_TIMEOUT: Final[float] = 2.0
"""Seconds one diff may take. Encoded paragraphs diff in microseconds, so this only bounds pathological input."""


@dataclass(frozen=True, slots=True)
class RawDiff:
    """Operations from one engine call, and whether the time limit was (probably) reached."""

    ops: list[tuple[Op, str]]
    timed_out: bool


@runtime_checkable
class DiffEngine(Protocol):
    """Anything that diffs two strings with a finite time limit."""

    @property
    def name(self) -> str:
        """A short label, e.g. ``"fast"``."""
        ...

    @property
    def timeout(self) -> float:
        """The time limit in seconds; always finite and positive."""
        ...

    def diff(self, a: str, b: str) -> RawDiff:
        """Diff ``a`` against ``b`` (semantic cleanup applied)."""
        ...


def _check_timeout(timeout: float) -> float:
    timeout = float(timeout)
    if not math.isfinite(timeout) or timeout <= 0:
        raise ValueError(f"A diff engine needs a finite, positive time limit; got {timeout!r}.")
    return timeout


_FAST_OPS: Final[dict[str, Op]] = {"-": DELETE, "=": EQUAL, "+": INSERT}


class FastEngine:
    """The C++ diff-match-patch (``fast_diff_match_patch.diff``), semantic cleanup, explicit time limit."""

    __slots__ = ("_timeout",)

    def __init__(self, timeout: float = DEFAULT_TIMEOUT) -> None:
        self._timeout = _check_timeout(timeout)

    @property
    def name(self) -> str:
        return "fast"

    @property
    def timeout(self) -> float:
        return self._timeout

    def diff(self, a: str, b: str) -> RawDiff:
        started = time.perf_counter()
        counts: list[tuple[str, int]] = _fast.diff(
            a, b, timelimit=self._timeout, checklines=False, cleanup="Semantic", counts_only=True
        )
        elapsed = time.perf_counter() - started
        ops: list[tuple[Op, str]] = []
        ia = ib = 0
        for sym, n in counts:
            op = _FAST_OPS[sym]
            if op == INSERT:
                ops.append((op, b[ib : ib + n]))
                ib += n
            else:
                ops.append((op, a[ia : ia + n]))
                ia += n
                if op == EQUAL:
                    ib += n
        return RawDiff(ops, elapsed >= self._timeout)

    def __repr__(self) -> str:
        return f"FastEngine(timeout={self._timeout!r})"


def python_dmp(timeout: float = DEFAULT_TIMEOUT) -> _PyDMP:
    """A pure-Python ``diff_match_patch`` object with an explicit, finite ``Diff_Timeout``."""
    dmp = _PyDMP()
    dmp.Diff_Timeout = _check_timeout(timeout)
    return dmp


class PythonEngine:
    """The pure-Python diff-match-patch, semantic cleanup, explicit time limit."""

    __slots__ = ("_dmp", "_timeout")

    def __init__(self, timeout: float = DEFAULT_TIMEOUT) -> None:
        self._timeout = _check_timeout(timeout)
        self._dmp = python_dmp(self._timeout)

    @property
    def name(self) -> str:
        return "python"

    @property
    def timeout(self) -> float:
        return self._timeout

    def diff(self, a: str, b: str) -> RawDiff:
        started = time.perf_counter()
        diffs: list[tuple[Op, str]] = self._dmp.diff_main(a, b, False)
        self._dmp.diff_cleanupSemantic(diffs)
        elapsed = time.perf_counter() - started
        return RawDiff(list(diffs), elapsed >= self._timeout)

    def __repr__(self) -> str:
        return f"PythonEngine(timeout={self._timeout!r})"


_DEFAULT: DiffEngine = FastEngine()


def default_engine() -> DiffEngine:
    """The engine used when none is passed: :class:`FastEngine` with :data:`DEFAULT_TIMEOUT`."""
    return _DEFAULT
