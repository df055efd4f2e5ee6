"""Collisions between proposals pending on the same paragraph.

Two proposals collide when any of their word edits on the shared base collide
in the sense of :mod:`drafting.textengine.overlap`: they change the same
words, touch each other, insert at the same place, or could equally be placed
so that they do. The chair has to settle colliding proposals together; the
rest can be taken up one by one.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from drafting.textengine.engines import DiffEngine, default_engine
from drafting.textengine.overlap import CollisionKind, LazyBoundaries, collision_kind, slide_zone
from drafting.textengine.worddiff import Edit, word_diff

__all__ = ["Collision", "Overlap", "find_collisions"]

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True, slots=True)
class Overlap:
    """One pair of colliding edits on the base.

    ``start``/``end`` is the stretch of base both edits touch (empty when they
    only meet at a point, e.g. two insertions at one place, or are ambiguous);
    ``span_start``/``span_end`` covers both edits, and ``text`` is that stretch
    of the base.
    """

    kind: CollisionKind
    start: int
    end: int
    span_start: int
    span_end: int
    text: str
    first_edit: Edit
    second_edit: Edit


@dataclass(frozen=True, slots=True)
class Collision(Generic[K]):
    """Two proposals (in input order) whose edits collide, with every colliding pair of edits."""

    first: K
    second: K
    overlaps: tuple[Overlap, ...]

    @property
    def start(self) -> int:
        """Where the colliding stretches on the base begin."""
        return min(o.span_start for o in self.overlaps)

    @property
    def end(self) -> int:
        """Where the colliding stretches on the base end."""
        return max(o.span_end for o in self.overlaps)


def find_collisions(
    base: str,
    proposals: Sequence[tuple[K, str]],
    *,
    engine: DiffEngine | None = None,
) -> list[Collision[K]]:
    """The pairs of ``(proposal_id, proposed_text)`` whose word edits on ``base`` collide, in input order."""
    engine = engine or default_engine()
    boundaries = LazyBoundaries(base)
    placed: list[tuple[tuple[int, int], int, Edit]] = []  # (slide zone, proposal index, edit), swept by zone
    for index, (_pid, proposed) in enumerate(proposals):
        edits = word_diff(base, proposed, engine=engine).edits
        placed.extend((slide_zone(base, e, boundaries), index, e) for e in edits)
    placed.sort(key=lambda item: (item[0], item[1]))
    found: dict[tuple[int, int], list[Overlap]] = {}
    active: list[tuple[tuple[int, int], int, Edit]] = []
    for zone, index, edit in placed:
        active = [item for item in active if item[0][1] >= zone[0]]
        for other_zone, other_index, other in active:
            if other_index == index:
                continue
            kind = collision_kind(edit, zone, other, other_zone)
            if kind is None:
                continue
            (i, a), (j, b) = sorted([(other_index, other), (index, edit)], key=lambda item: item[0])
            lo, hi = max(a.start, b.start), min(a.end, b.end)
            span_start, span_end = min(a.start, b.start), max(a.end, b.end)
            overlap = Overlap(kind, lo, max(lo, hi), span_start, span_end, base[span_start:span_end], a, b)
            found.setdefault((i, j), []).append(overlap)
        active.append((zone, index, edit))
    result: list[Collision[K]] = []
    for (i, j), overlaps in sorted(found.items()):
        overlaps.sort(key=lambda o: (o.span_start, o.span_end))
        result.append(Collision(proposals[i][0], proposals[j][0], tuple(overlaps)))
    return result
