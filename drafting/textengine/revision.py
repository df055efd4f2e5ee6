"""Revision diffs by paragraph identity.

Two revisions are compared as ordered lists of ``(paragraph_id, text)``: a
paragraph keeps its id across revisions, so it is matched by id, never by
diffing the document as one string. Only the texts of paragraphs present in
both revisions are word-diffed.

Which paragraphs *moved* is decided with a longest common subsequence over
the ids both revisions share (computed as a longest increasing subsequence of
new positions): the largest set that kept its relative order stays put, and
only the rest are reported as moved. So moving one paragraph marks one
paragraph, not everything after it.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Generic, Literal, TypeVar

from drafting.textengine.engines import DiffEngine, default_engine
from drafting.textengine.worddiff import WordDiff, word_diff

__all__ = ["ChangeStatus", "ParagraphChange", "RevisionDiff", "longest_increasing_subsequence", "revision_diff"]

K = TypeVar("K", bound=Hashable)
ChangeStatus = Literal["unchanged", "changed", "inserted", "deleted", "moved"]


@dataclass(frozen=True, slots=True)
class ParagraphChange(Generic[K]):
    """What happened to one paragraph between two revisions.

    ``old_index``/``new_index`` are positions in the two lists (``None`` where
    absent). ``diff`` is the word diff for a paragraph in both revisions whose
    text changed (status ``"changed"``, or ``"moved"`` with ``text_changed``).
    """

    id: K
    status: ChangeStatus
    old_index: int | None
    new_index: int | None
    old_text: str | None
    new_text: str | None
    diff: WordDiff | None = None

    @property
    def text_changed(self) -> bool:
        """True when the paragraph is in both revisions with different text."""
        return self.diff is not None


@dataclass(frozen=True, slots=True)
class RevisionDiff(Generic[K]):
    """All paragraph changes, in reading order: the new revision's order, each deleted
    paragraph placed after the paragraph that preceded it in the old revision."""

    changes: tuple[ParagraphChange[K], ...]

    def counts(self) -> dict[ChangeStatus, int]:
        """How many paragraphs have each status."""
        out: dict[ChangeStatus, int] = {"unchanged": 0, "changed": 0, "inserted": 0, "deleted": 0, "moved": 0}
        for change in self.changes:
            out[change.status] += 1
        return out

    def by_status(self, status: ChangeStatus) -> tuple[ParagraphChange[K], ...]:
        """The changes with ``status``."""
        return tuple(c for c in self.changes if c.status == status)


def longest_increasing_subsequence(sequence: Sequence[int]) -> set[int]:
    """Indexes of one longest strictly increasing subsequence of ``sequence`` (O(n log n))."""
    tails: list[int] = []  # tails[k] = smallest tail value of an increasing run of length k+1
    tail_index: list[int] = []
    previous: list[int] = [-1] * len(sequence)
    for i, value in enumerate(sequence):
        k = bisect_left(tails, value)
        if k == len(tails):
            tails.append(value)
            tail_index.append(i)
        else:
            tails[k] = value
            tail_index[k] = i
        previous[i] = tail_index[k - 1] if k else -1
    keep: set[int] = set()
    i = tail_index[-1] if tail_index else -1
    while i >= 0:
        keep.add(i)
        i = previous[i]
    return keep


def _index(paragraphs: Sequence[tuple[K, str]], which: str) -> dict[K, int]:
    index: dict[K, int] = {}
    for position, (pid, _text) in enumerate(paragraphs):
        if pid in index:
            raise ValueError(f"Paragraph id {pid!r} occurs twice in the {which} revision.")
        index[pid] = position
    return index


def revision_diff(
    old: Sequence[tuple[K, str]],
    new: Sequence[tuple[K, str]],
    *,
    engine: DiffEngine | None = None,
    readable: bool = True,
) -> RevisionDiff[K]:
    """Compare two revisions given as ordered ``(paragraph_id, text)`` lists.

    Each paragraph is reported once: unchanged, changed (with its word diff),
    inserted, deleted, or moved (its order relative to the others changed; a
    moved paragraph may also have changed text). Raises :class:`ValueError` on
    a duplicate id.
    """
    engine = engine or default_engine()
    old_at = _index(old, "old")
    new_at = _index(new, "new")
    shared = [pid for pid, _ in old if pid in new_at]  # ids in both, in old order
    stable = longest_increasing_subsequence([new_at[pid] for pid in shared])  # the most that kept their order
    moved = {pid for i, pid in enumerate(shared) if i not in stable}

    def change_for(new_position: int) -> ParagraphChange[K]:
        pid, text = new[new_position]
        old_position = old_at.get(pid)
        if old_position is None:
            return ParagraphChange(pid, "inserted", None, new_position, None, text)
        old_text = old[old_position][1]
        diff = None if old_text == text else word_diff(old_text, text, engine=engine, readable=readable)
        if pid in moved:
            status: ChangeStatus = "moved"
        else:
            status = "unchanged" if diff is None else "changed"
        return ParagraphChange(pid, status, old_position, new_position, old_text, text, diff)

    # Deleted paragraphs follow the nearest surviving paragraph that preceded them in the old revision.
    changes: list[ParagraphChange[K]] = []  # first the deleted paragraphs that nothing preceded
    after: dict[K, list[ParagraphChange[K]]] = {}
    bucket = changes
    for old_position, (pid, text) in enumerate(old):
        if pid in new_at:
            bucket = after.setdefault(pid, [])
        else:
            bucket.append(ParagraphChange(pid, "deleted", old_position, None, text, None))
    for new_position in range(len(new)):
        change = change_for(new_position)
        changes.append(change)
        if change.old_index is not None:
            changes.extend(after.get(change.id, ()))
    return RevisionDiff(tuple(changes))
