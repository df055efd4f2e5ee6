"""Re-fitting pending proposals onto a paragraph whose text changed under them.

A proposal was written against ``base_old``; the chair (or a revision) turned
the paragraph into ``base_new``. :func:`refit` does a 3-way merge on
word-anchored edits, both anchored on ``base_old``:

- P = word diff(base_old, proposed), the proposal's edits;
- C = word diff(base_old, base_new), the chair's edits.

Two edits *collide* (:mod:`drafting.textengine.overlap`) when their
``base_old`` ranges intersect as closed intervals: overlapping or touching
replaced ranges, two insertions at one offset, or an insertion at either
boundary of the other's replaced range; and also when either edit could sit
elsewhere with the same result (repeated words) and its other possible places
reach the other edit. This is deliberately conservative. With no collision the proposal is
re-fitted ("clean"): base_old with both sets applied, and P re-expressed on
base_new. Every clean result is verified before it is returned (outside the
re-fitted spans the text equals base_new exactly; undoing the re-fitted edits
gives base_new; the words each edit replaces are the same words in base_new);
a failed check gives "conflicted", never a misplaced text.

On a collision the result is "conflicted", with the colliding spans and a
*best-effort* text from the fuzzy patch (diff-match-patch ``patch_apply``),
which a person must review: it can land in the wrong place when phrases
repeat. A proposal that deletes the paragraph (``proposed == ""``) or rewrites
it (less than :data:`~drafting.textengine.MIN_UNCHANGED` of it survives) is
offered as written instead, since it means the same on any text.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from drafting.textengine.engines import DiffEngine, default_engine
from drafting.textengine.overlap import CollisionKind, colliding_pairs
from drafting.textengine.patches import apply_patch, patch_from_diff
from drafting.textengine.worddiff import MIN_UNCHANGED, Edit, apply_edits, word_diff

__all__ = [
    "Conflict",
    "RefitResult",
    "RefitStatus",
    "refit",
    "refit_all",
]

K = TypeVar("K", bound=Hashable)


class RefitStatus(StrEnum):
    """The outcome of :func:`refit`; the values are stable strings for storage and APIs."""

    UNCHANGED = "unchanged"
    """The base did not change: the proposal stands as written."""
    ALREADY_INCORPORATED = "already_incorporated"
    """The new base already reads exactly as the proposal: nothing is left to propose."""
    CLEAN = "clean"
    """Re-fitted and verified: ``text`` and ``edits`` are the proposal on the new base."""
    CONFLICTED = "conflicted"
    """The proposal and the change touch the same words (or verification failed): a person must decide."""


@dataclass(frozen=True, slots=True)
class Conflict:
    """A proposal edit and a chair edit that collide.

    ``kind`` says how (see :mod:`drafting.textengine.overlap`): ``"overlap"``,
    ``"touch"`` or ``"ambiguous"``. ``start``/``end`` cover both edits on
    ``base_old`` and ``old_text`` is that span; ``new_start``/``new_end`` is
    where the chair's edit sits in ``base_new`` and ``new_text`` what it reads there.
    """

    kind: CollisionKind
    start: int
    end: int
    old_text: str
    proposal_edit: Edit
    chair_edit: Edit
    new_start: int
    new_end: int
    new_text: str


@dataclass(frozen=True, slots=True)
class RefitResult:
    """What became of one pending proposal after its paragraph changed.

    - ``text``: the proposal on the new base (``None`` when conflicted).
    - ``edits``: the proposal's edits anchored on the new base (empty when conflicted).
    - ``conflicts``: the colliding edits (empty unless conflicted; may be empty
      when verification failed, see ``reason``).
    - ``best_effort_text``: only when conflicted; a fuzzy ``patch_apply`` of the
      proposal onto the new base, **unverified**, to be reviewed before any use.
      ``best_effort_complete`` says whether every patch hunk found a place.
    - ``proposal_edits`` / ``chair_edits``: P and C, both on ``base_old``.
    """

    status: RefitStatus
    text: str | None
    edits: tuple[Edit, ...]
    conflicts: tuple[Conflict, ...]
    reason: str
    proposal_edits: tuple[Edit, ...]
    chair_edits: tuple[Edit, ...]
    best_effort_text: str | None = None
    best_effort_complete: bool = False

    @property
    def needs_review(self) -> bool:
        """True when a person must look at the proposal again (conflicted)."""
        return self.status is RefitStatus.CONFLICTED


def _merge(base_old: str, proposal: Sequence[Edit], chair: Sequence[Edit]) -> str:
    """Apply two collision-free edit sets together to ``base_old``."""
    return apply_edits(base_old, sorted((*proposal, *chair), key=lambda e: (e.start, e.end)))


def _shift(proposal: Sequence[Edit], chair: Sequence[Edit]) -> tuple[Edit, ...]:
    """Re-express collision-free proposal edits on the text the chair's edits produce."""
    out: list[Edit] = []
    offset = 0
    j = 0
    for edit in proposal:
        while j < len(chair) and chair[j].end < edit.start:
            offset += chair[j].delta
            j += 1
        out.append(edit.shifted(offset))
    return tuple(out)


def _verify(base_old: str, base_new: str, proposal: Sequence[Edit], refitted: Sequence[Edit], text: str) -> str | None:
    """Check a clean re-fit; return why it fails, or ``None`` when it holds."""
    if apply_edits(base_new, refitted) != text:
        return "applying the re-fitted edits to the new base does not give the merged text"
    undone: list[str] = []
    base_pos = text_pos = 0
    for old, new in zip(proposal, refitted, strict=True):
        if base_new[new.start : new.end] != base_old[old.start : old.end]:
            return f"the words the proposal replaces at {old.start} are not the same in the new base"
        gap = new.start - base_pos
        if text[text_pos : text_pos + gap] != base_new[base_pos : new.start]:
            return "the text outside the proposal's spans differs from the new base"
        undone.append(text[text_pos : text_pos + gap])
        undone.append(base_new[new.start : new.end])
        text_pos += gap
        if text[text_pos : text_pos + len(new.replacement)] != new.replacement:
            return "the proposal's wording is not where its edit says"
        text_pos += len(new.replacement)
        base_pos = new.end
    if text[text_pos:] != base_new[base_pos:]:
        return "the text after the proposal's last span differs from the new base"
    undone.append(text[text_pos:])
    if "".join(undone) != base_new:
        return "undoing the re-fitted edits does not give the new base"
    return None


def _conflicts(
    base_old: str, base_new: str, pairs: list[tuple[Edit, Edit, CollisionKind]], chair: Sequence[Edit]
) -> list[Conflict]:
    where: dict[Edit, int] = {}
    offset = 0
    for c in chair:
        where[c] = c.start + offset
        offset += c.delta
    out: list[Conflict] = []
    for p, c, kind in pairs:
        start, end = min(p.start, c.start), max(p.end, c.end)
        new_start = where[c]
        new_end = new_start + len(c.replacement)
        out.append(
            Conflict(kind, start, end, base_old[start:end], p, c, new_start, new_end, base_new[new_start:new_end])
        )
    return out


class _Refitter:
    """Re-fits many proposals over one change of base, diffing the chair's change once."""

    def __init__(self, base_old: str, base_new: str, engine: DiffEngine) -> None:
        self.base_old = base_old
        self.base_new = base_new
        self.engine = engine
        self.chair = word_diff(base_old, base_new, engine=engine).edits if base_old != base_new else ()

    def refit(self, proposed: str, patch: str | None) -> RefitResult:
        base_old, base_new, chair = self.base_old, self.base_new, self.chair
        diff = word_diff(base_old, proposed, engine=self.engine)
        proposal = diff.edits
        if base_old == base_new:
            return RefitResult(
                RefitStatus.UNCHANGED, proposed, proposal, (), "the paragraph did not change", proposal, chair
            )
        if proposed == base_new:
            return RefitResult(
                RefitStatus.ALREADY_INCORPORATED,
                base_new,
                (),
                (),
                "the new text already reads as the proposal",
                proposal,
                chair,
            )
        pairs = colliding_pairs(base_old, proposal, chair)
        reason = ""
        if not pairs:
            try:
                merged = _merge(base_old, proposal, chair)
                refitted = _shift(proposal, chair)
                failure = _verify(base_old, base_new, proposal, refitted, merged)
            except ValueError as exc:  # an edit left its text: treat as a failed verification
                failure = str(exc)
            if failure is None:
                why = "the proposal changes nothing" if not proposal else "no edit of the proposal touches the change"
                return RefitResult(RefitStatus.CLEAN, merged, refitted, (), why, proposal, chair)
            reason = f"verification failed: {failure}"
        conflicts = tuple(_conflicts(base_old, base_new, pairs, chair))
        if not reason:
            n = len({c.proposal_edit for c in conflicts})
            reason = f"{n} edit(s) of the proposal touch words the new text changed"
        if not proposed or diff.whole_replacement or diff.similarity < MIN_UNCHANGED:
            # Deleting or rewriting the paragraph means the same on any text: offer the proposal as it is.
            best, complete = proposed, True
            reason += "; the proposal " + ("rewrites the paragraph" if proposed else "deletes the paragraph")
        else:
            result = apply_patch(patch or patch_from_diff(diff, timeout=self.engine.timeout), base_new)
            best, complete = result.text, result.complete
        return RefitResult(RefitStatus.CONFLICTED, None, (), conflicts, reason, proposal, chair, best, complete)


def refit(
    base_old: str,
    proposed: str,
    base_new: str,
    *,
    engine: DiffEngine | None = None,
    patch: str | None = None,
) -> RefitResult:
    """Carry a proposal written against ``base_old`` over to ``base_new``.

    ``patch`` is the stored patch text of the proposal (from
    :func:`drafting.textengine.make_patch`), used only for the best-effort text
    of a conflict; it is computed when not given. See :class:`RefitStatus`.
    """
    return _Refitter(base_old, base_new, engine or default_engine()).refit(proposed, patch)


def refit_all(
    base_old: str,
    base_new: str,
    proposals: Sequence[tuple[K, str]],
    *,
    engine: DiffEngine | None = None,
) -> dict[K, RefitResult]:
    """:func:`refit` every ``(proposal_id, proposed_text)`` pending on one paragraph, diffing the change once."""
    refitter = _Refitter(base_old, base_new, engine or default_engine())
    return {pid: refitter.refit(proposed, None) for pid, proposed in proposals}
