"""When two sets of edits on one base text may not be applied together.

Two edits *collide* (the conservative rule the re-fit and collision checks use):

- ``"overlap"``: their ranges share text, or both insert at one offset, or one
  inserts strictly inside the other's replaced range;
- ``"touch"``: their ranges meet without sharing text: adjacent replaced
  ranges, or an insertion at a boundary of the other's replaced range;
- ``"ambiguous"``: the ranges are apart, but an edit could equally sit
  elsewhere. Deleting one "a " from "a a a" gives the same text whichever
  "a " goes, so a diff's choice of place is arbitrary; every equivalent,
  word-aligned place forms the edit's *slide zone* (:func:`slide_zone`), and
  when the zones of two edits overlap, which place the author meant decides
  the merged text.
"""

from __future__ import annotations

from collections.abc import Container, Sequence
from typing import Literal

from drafting.textengine.tokens import tokenize
from drafting.textengine.worddiff import Edit

__all__ = [
    "CollisionKind",
    "LazyBoundaries",
    "colliding_pairs",
    "collision_kind",
    "edits_collide",
    "slide_zone",
    "token_boundaries",
]

CollisionKind = Literal["overlap", "touch", "ambiguous"]


def edits_collide(a: Edit, b: Edit) -> bool:
    """True when two edits' ranges on the same base meet as closed intervals (overlap or touch)."""
    return a.start <= b.end and b.start <= a.end


def _strict(a_lo: int, a_hi: int, b_lo: int, b_hi: int) -> bool:
    if a_lo == a_hi and b_lo == b_hi:
        return a_lo == b_lo
    if a_lo == a_hi:
        return b_lo < a_lo < b_hi
    if b_lo == b_hi:
        return a_lo < b_lo < a_hi
    return a_lo < b_hi and b_lo < a_hi


def token_boundaries(text: str) -> frozenset[int]:
    """The offsets in ``text`` where a token starts or ends (0 and ``len(text)`` included)."""
    offsets = {0}
    pos = 0
    for token in tokenize(text):
        pos += len(token)
        offsets.add(pos)
    return frozenset(offsets)


class LazyBoundaries(Container[int]):
    """The token boundaries of a text, decided locally on each membership test.

    A change between whitespace and non-whitespace is always a token boundary
    and a whitespace run is one token, so only the non-whitespace run around
    an offset needs tokenising.
    """

    __slots__ = ("_known", "_text")

    def __init__(self, text: str) -> None:
        self._text = text
        self._known: dict[int, bool] = {}

    def __contains__(self, offset: object) -> bool:
        if not isinstance(offset, int) or not 0 <= offset <= len(self._text):
            return False
        known = self._known.get(offset)
        if known is None:
            known = self._known[offset] = self._decide(offset)
        return known

    def _decide(self, k: int) -> bool:
        text = self._text
        if k in (0, len(text)) or text[k - 1].isspace() != text[k].isspace():
            return True
        if text[k].isspace():
            return False
        start = k - 1
        while start > 0 and not text[start - 1].isspace():
            start -= 1
        end = k + 1
        while end < len(text) and not text[end].isspace():
            end += 1
        pos = start
        for token in tokenize(text[start:end]):
            pos += len(token)
            if pos >= k:
                return pos == k
        return False


def slide_zone(base: str, edit: Edit, boundaries: Container[int] | None = None) -> tuple[int, int]:
    """The stretch ``(lo, hi)`` of ``base`` covered by every word-aligned placement of ``edit`` giving the same text.

    An edit ``(s, e, x)`` can move one character left when ``x`` ends with
    ``base[e-1]`` (or, for a deletion, when ``base[s-1] == base[e-1]``), and
    right likewise. Of those placements, the ones that start and end on token
    ``boundaries`` of ``base`` (computed when not given) count, as a word
    diff could have chosen them; the zone is their union.
    """
    if boundaries is None:
        boundaries = LazyBoundaries(base)
    lo, hi = edit.start, edit.end
    s, e, x = edit.start, edit.end, edit.replacement
    while s > 0 and (x[-1] == base[e - 1] if x else base[s - 1] == base[e - 1]):
        x = base[s - 1] + x[:-1] if x else x
        s -= 1
        e -= 1
        if s in boundaries and e in boundaries:
            lo = s
    s, e, x = edit.start, edit.end, edit.replacement
    while e < len(base) and (x[0] == base[s] if x else base[s] == base[e]):
        x = x[1:] + base[e] if x else x
        s += 1
        e += 1
        if s in boundaries and e in boundaries:
            hi = e
    return lo, hi


def collision_kind(a: Edit, a_zone: tuple[int, int], b: Edit, b_zone: tuple[int, int]) -> CollisionKind | None:
    """How ``a`` and ``b`` (with their slide zones) collide, or ``None`` when they can be applied together."""
    if _strict(a.start, a.end, b.start, b.end):
        return "overlap"
    if edits_collide(a, b):
        return "touch"
    if _strict(*a_zone, *b_zone):
        return "ambiguous"
    return None


def colliding_pairs(base: str, first: Sequence[Edit], second: Sequence[Edit]) -> list[tuple[Edit, Edit, CollisionKind]]:
    """Every colliding ``(a, b, kind)`` with ``a`` from ``first`` and ``b`` from ``second``, edits on ``base``."""
    boundaries = LazyBoundaries(base)  # most edits cannot slide: tokenise only if one can
    zones_b = sorted(((slide_zone(base, b, boundaries), b) for b in second), key=lambda item: item[0])
    pairs: list[tuple[Edit, Edit, CollisionKind]] = []
    for a in first:
        za = slide_zone(base, a, boundaries)
        for zb, b in zones_b:
            if zb[0] > za[1]:
                break
            if zb[1] < za[0]:
                continue
            kind = collision_kind(a, za, b, zb)
            if kind is not None:
                pairs.append((a, b, kind))
    return pairs
