"""Word-level diffs of one paragraph, as operations and as edits anchored on the base text.

>>> d = word_diff("safe, orderly and regular migration", "safe, regular and orderly migration")
>>> [(e.start, e.end, e.replacement) for e in d.edits]
[(6, 13, 'regular'), (18, 25, 'orderly')]
>>> apply_edits(d.base, d.edits) == d.new
True
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Final, Literal

from drafting.textengine.engines import DELETE, EQUAL, INSERT, DiffEngine, Op, default_engine
from drafting.textengine.tokens import common_affixes, encode_tokens

__all__ = [
    "MIN_UNCHANGED",
    "DiffOp",
    "Edit",
    "OpKind",
    "WordDiff",
    "apply_edits",
    "edits_from_ops",
    "ops_from_edits",
    "word_diff",
]

OpKind = Literal["equal", "delete", "insert"]
_KIND: Final[dict[Op, OpKind]] = {EQUAL: "equal", DELETE: "delete", INSERT: "insert"}

MIN_UNCHANGED: Final[float] = 0.4
"""Readability valve: below this share of unchanged (non-whitespace) text, a fragmented diff becomes one replacement."""


@dataclass(frozen=True, slots=True)
class DiffOp:
    """One run of a diff: ``kind`` is ``"equal"``, ``"delete"`` or ``"insert"``; ``text`` is exact."""

    kind: OpKind
    text: str


@dataclass(frozen=True, slots=True, order=True)
class Edit:
    """Replace ``base[start:end]`` with ``replacement``; ``start == end`` is a pure insertion."""

    start: int
    end: int
    replacement: str

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise ValueError(f"Invalid edit range [{self.start}, {self.end}).")

    @property
    def is_insertion(self) -> bool:
        """True when nothing of the base is removed."""
        return self.start == self.end

    @property
    def delta(self) -> int:
        """How much longer the text gets when this edit is applied."""
        return len(self.replacement) - (self.end - self.start)

    def shifted(self, offset: int) -> Edit:
        """The same edit moved by ``offset`` characters."""
        return Edit(self.start + offset, self.end + offset, self.replacement)


@dataclass(frozen=True, slots=True)
class WordDiff:
    """The word diff of ``base`` against ``new``.

    ``ops`` alternate equal/delete/insert runs whose texts are exact slices;
    ``edits`` are the same change as non-overlapping, sorted edits (:class:`Edit`) on
    ``base``. ``whole_replacement`` is set when the readability valve turned a
    fragmented diff into one replacement; ``timed_out`` when the engine hit its
    time limit (the diff is then valid but coarser).
    """

    base: str
    new: str
    ops: tuple[DiffOp, ...]
    edits: tuple[Edit, ...]
    whole_replacement: bool = False
    timed_out: bool = False
    similarity: float = field(default=1.0, compare=False)

    @property
    def is_unchanged(self) -> bool:
        """True when ``base == new``."""
        return not self.edits

    def unchanged_text(self) -> str:
        """The concatenated equal runs."""
        return "".join(op.text for op in self.ops if op.kind == "equal")

    def deleted_text(self) -> str:
        """The concatenated deleted runs."""
        return "".join(op.text for op in self.ops if op.kind == "delete")

    def inserted_text(self) -> str:
        """The concatenated inserted runs."""
        return "".join(op.text for op in self.ops if op.kind == "insert")


def apply_edits(base: str, edits: Iterable[Edit]) -> str:
    """Apply sorted, non-overlapping ``edits`` to ``base``.

    Two edits may share an offset only if the first is an insertion. Raises
    :class:`ValueError` on overlapping or out-of-range edits.
    """
    out: list[str] = []
    pos = 0
    for edit in edits:
        if edit.start < pos or edit.end > len(base):
            raise ValueError(f"Edit {edit!r} overlaps a previous edit or leaves the text (length {len(base)}).")
        out.append(base[pos : edit.start])
        out.append(edit.replacement)
        pos = edit.end
    out.append(base[pos:])
    return "".join(out)


def edits_from_ops(ops: Iterable[DiffOp]) -> tuple[Edit, ...]:
    """Group consecutive delete/insert runs into one :class:`Edit` each, anchored on the base."""
    edits: list[Edit] = []
    pos = 0
    start = -1
    removed = 0
    inserted: list[str] = []
    for op in ops:
        if op.kind == "equal":
            if start >= 0:
                edits.append(Edit(start, start + removed, "".join(inserted)))
                start, removed, inserted = -1, 0, []
            pos += len(op.text)
            continue
        if start < 0:
            start = pos
        if op.kind == "delete":
            removed += len(op.text)
            pos += len(op.text)
        else:
            inserted.append(op.text)
    if start >= 0:
        edits.append(Edit(start, start + removed, "".join(inserted)))
    return tuple(edits)


def ops_from_edits(base: str, edits: Sequence[Edit]) -> tuple[DiffOp, ...]:
    """The runs (equal, then delete before insert) that ``edits`` make of ``base``."""
    ops: list[DiffOp] = []
    pos = 0
    for edit in edits:
        if edit.start > pos:
            ops.append(DiffOp("equal", base[pos : edit.start]))
        if edit.end > edit.start:
            ops.append(DiffOp("delete", base[edit.start : edit.end]))
        if edit.replacement:
            ops.append(DiffOp("insert", edit.replacement))
        pos = edit.end
    if pos < len(base):
        ops.append(DiffOp("equal", base[pos:]))
    return tuple(ops)


def _visible(text: str) -> int:
    """Characters that are not whitespace."""
    return len("".join(text.split()))


def _decode(raw: list[tuple[Op, str]], tokens_a: Sequence[str], tokens_b: Sequence[str]) -> list[DiffOp]:
    ops: list[DiffOp] = []
    ia = ib = 0
    for op, encoded in raw:
        n = len(encoded)
        if not n:
            continue
        if op == INSERT:
            text = "".join(tokens_b[ib : ib + n])
            ib += n
        else:
            text = "".join(tokens_a[ia : ia + n])
            ia += n
            if op == EQUAL:
                ib += n
        kind = _KIND[op]
        if ops and ops[-1].kind == kind:
            ops[-1] = DiffOp(kind, ops[-1].text + text)
        else:
            ops.append(DiffOp(kind, text))
    return ops


def _normalise(ops: list[DiffOp]) -> list[DiffOp]:
    """Within each changed hunk put the deletion before the insertion and merge runs of one kind."""
    out: list[DiffOp] = []
    i = 0
    while i < len(ops):
        if not ops[i].text:
            i += 1
            continue
        if ops[i].kind == "equal":
            if out and out[-1].kind == "equal":
                out[-1] = DiffOp("equal", out[-1].text + ops[i].text)
            else:
                out.append(ops[i])
            i += 1
            continue
        deleted: list[str] = []
        inserted: list[str] = []
        while i < len(ops) and (ops[i].kind != "equal" or not ops[i].text):
            if ops[i].kind == "delete":
                deleted.append(ops[i].text)
            elif ops[i].kind == "insert":
                inserted.append(ops[i].text)
            i += 1
        if any(deleted):
            out.append(DiffOp("delete", "".join(deleted)))
        if any(inserted):
            out.append(DiffOp("insert", "".join(inserted)))
    return out


def word_diff(
    base: str,
    new: str,
    *,
    engine: DiffEngine | None = None,
    readable: bool = True,
    min_unchanged: float = MIN_UNCHANGED,
) -> WordDiff:
    """Diff two paragraphs word by word.

    Words, whitespace runs and punctuation are the units, so a change reads
    "replace *orderly* with *regular*", never as character soup. With
    ``readable`` (the default), a diff with several hunks whose unchanged
    non-whitespace text is less than ``min_unchanged`` of the two texts'
    average becomes one whole replacement. Texts are compared exactly
    (accents, NBSP, emoji and combining marks included); callers store NFC.
    """
    engine = engine or default_engine()
    if base == new:
        ops: list[DiffOp] = [DiffOp("equal", base)] if base else []
        return WordDiff(base, new, tuple(ops), ())
    prefix, suffix = common_affixes(base, new)  # only the middle is tokenised and diffed
    mid_a, mid_b = base[prefix : len(base) - suffix], new[prefix : len(new) - suffix]
    try:
        tokens_a, tokens_b, enc_a, enc_b = encode_tokens(mid_a, mid_b)
    except OverflowError:  # more distinct tokens than code points: diff characters instead
        raw = engine.diff(mid_a, mid_b)
        middle = _decode(raw.ops, mid_a, mid_b)
    else:
        raw = engine.diff(enc_a, enc_b)
        middle = _decode(raw.ops, tokens_a, tokens_b)
    timed_out = raw.timed_out
    ops = _normalise([DiffOp("equal", base[:prefix]), *middle, DiffOp("equal", base[len(base) - suffix :])])
    unchanged = sum(_visible(op.text) for op in ops if op.kind == "equal")
    total = _visible(base) + _visible(new)
    similarity = 2 * unchanged / total if total else 1.0
    hunks = sum(1 for i, op in enumerate(ops) if op.kind != "equal" and (i == 0 or ops[i - 1].kind == "equal"))
    if readable and hunks > 1 and similarity < min_unchanged:
        whole = [DiffOp("delete", base)] if base else []
        if new:
            whole.append(DiffOp("insert", new))
        return WordDiff(base, new, tuple(whole), (Edit(0, len(base), new),), True, timed_out, similarity)
    return WordDiff(base, new, tuple(ops), edits_from_ops(ops), False, timed_out, similarity)
