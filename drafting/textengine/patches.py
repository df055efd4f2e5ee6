"""Proposals stored as diff-match-patch patch text, and their fuzzy application.

The patch is built from the *word* diff (so hunks start and end on token
boundaries) with the pure-Python diff-match-patch, which alone offers patch
objects. :func:`apply_patch` is fuzzy: it finds each hunk by its context near
the expected place, so on a changed base it may land in the wrong place when
the context repeats. It is a best-effort tool; :func:`drafting.textengine.refit`
is the checked way to carry a proposal over to a new base.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from drafting.textengine.engines import DEFAULT_TIMEOUT, DELETE, EQUAL, INSERT, DiffEngine, python_dmp
from drafting.textengine.worddiff import WordDiff, word_diff

__all__ = ["PatchResult", "apply_patch", "make_patch", "patch_from_diff"]

_CODES = {"equal": EQUAL, "delete": DELETE, "insert": INSERT}


@dataclass(frozen=True, slots=True)
class PatchResult:
    """The outcome of a fuzzy :func:`apply_patch`: the text, and which hunks applied."""

    text: str
    hunks_applied: tuple[bool, ...]

    @property
    def complete(self) -> bool:
        """True when every hunk applied (not a guarantee that each landed in the right place)."""
        return all(self.hunks_applied)


def patch_from_diff(diff: WordDiff, *, timeout: float = DEFAULT_TIMEOUT) -> str:
    """The ``patch_toText`` form of an already computed word diff."""
    dmp = python_dmp(timeout)
    diffs: list[tuple[int, str]] = [(_CODES[op.kind], op.text) for op in diff.ops]
    patches: list[Any] = dmp.patch_make(diff.base, diffs)
    text: str = dmp.patch_toText(patches)
    return text


def make_patch(base: str, proposed: str, *, engine: DiffEngine | None = None) -> str:
    """The patch text (diff-match-patch ``patch_toText``) that turns ``base`` into ``proposed``, for storage."""
    diff = word_diff(base, proposed, engine=engine, readable=False)
    return patch_from_diff(diff, timeout=engine.timeout if engine else DEFAULT_TIMEOUT)


def apply_patch(patch_text: str, text: str, *, timeout: float = DEFAULT_TIMEOUT) -> PatchResult:
    """Fuzzily apply stored ``patch_text`` to ``text`` (diff-match-patch ``patch_apply``). Best effort only.

    Raises :class:`ValueError` when ``patch_text`` is not patch text.
    """
    dmp = python_dmp(timeout)
    patches: list[Any] = dmp.patch_fromText(patch_text)
    result: tuple[str, list[bool]] = dmp.patch_apply(patches, text)
    return PatchResult(result[0], tuple(result[1]))
