"""Align two language versions of one declaration, paragraph by paragraph.

Django-free, like the readers next to it. Used when the Technical Secretariat
imports a Spanish and an English file of the same text together, or adds the
other language to an existing revision later (issue 15).

How (the order the issue asks for: numbering and structure first, then
position and length):

1. **Structure.** Sections are paired by kind in order (the title block with
   the title block, the preamble with the preamble, the operative part with
   the operative part, the n-th annex with the n-th annex). Paragraphs of a
   section with no counterpart are unpaired.
2. **Numbering.** Within a pair of sections, paragraphs that carry the same
   number in both files ("3.", "b)"; only numbers found once on each side)
   are paired and anchor everything between them.
   A number is trusted only when the two paragraphs also read alike (see
   cognates below): a file with one decision more is numbered one off from
   there on, and its numbers then pair the wrong paragraphs.
3. **Position and length.** Between anchors, a dynamic programme in the
   manner of Gale and Church (1993) pairs paragraphs one to one or leaves one
   unpaired, at the least cost: a pair costs the log of how far its length
   ratio is from the two files' overall ratio (Spanish runs some 15–25 %
   longer than English), less the more *cognates* the two share (Simard,
   Foster and Isabelle 1992: words whose first four letters agree once
   accents are dropped, "migración"/"migration", and numbers, "#8", "2022"),
   more when the two differ in kind (a table with a paragraph); leaving a
   paragraph unpaired costs a fixed amount. Length alone cannot tell a
   paragraph inserted in one file from its neighbours of similar length;
   the cognates can. The programme looks only within a band around the
   diagonal, so a long text stays linear in practice.

Written here rather than taken from a library: the sentence aligners on
PyPI (bleualign, hunalign's bindings, vecalign) align sentences of running
text with dictionaries or embeddings; here the units are paragraphs that
already carry structure, and the whole rule fits in a page.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["AlignItem", "AlignedPair", "Alignment", "align"]

# Leaving a paragraph unpaired costs SKIP_COST; pairing costs
# |ln(observed ratio / expected ratio)| * LENGTH_WEIGHT
# + (COGNATES_EXPECTED - cognate share) * COGNATE_WEIGHT (+ KIND_PENALTY when
# the kinds differ). On the seed fixture a paragraph and its translation share
# 0.29–0.83 of their cognates (Dice), two different paragraphs 0.00–0.18: a
# true pair costs about zero or less, a false one 0.4–1.5 more, so a shift
# by one paragraph costs more than the one skip it avoids after a paragraph
# or two, while two paragraphs with nothing in common still pair (1.5 + the
# length term) rather than both being left out (2 * SKIP_COST) when they are
# the only ones in their place.
SKIP_COST = 1.0
LENGTH_WEIGHT = 1.0
COGNATE_WEIGHT = 6.0
COGNATES_EXPECTED = 0.25
KIND_PENALTY = 3.0
# The band around the diagonal the programme explores, at least.
MIN_BAND = 12

_NUMBER = re.compile(r"^\(?([0-9]+|[a-z]|[ivxlc]+)[.)]?$", re.IGNORECASE)


@dataclass(frozen=True)
class AlignItem:
    """One paragraph as the aligner sees it."""

    section: int  # the section's ordinal in its file
    section_kind: str  # title, preamble, operative, annex
    kind: str  # paragraph kind (operative, list_item, table …)
    text: str
    number: str = ""  # the number the file shows ("3.", "b)"); empty when none


@dataclass(frozen=True)
class AlignedPair:
    original: int | None  # index into the original-language items; None: only in the translation
    translation: int | None  # index into the translation's items; None: only in the original
    how: str  # "numbering", "position", or "unpaired"


@dataclass
class Alignment:
    pairs: list[AlignedPair]

    @property
    def unpaired(self) -> list[AlignedPair]:
        return [p for p in self.pairs if p.original is None or p.translation is None]

    def translation_of(self) -> dict[int, int]:
        """Original item index → translation item index, for the paired ones."""
        return {p.original: p.translation for p in self.pairs if p.original is not None and p.translation is not None}


def _number(raw: str) -> str:
    match = _NUMBER.match(raw.strip())
    return match[1].lower() if match else ""


def _sections(items: Sequence[AlignItem]) -> list[tuple[str, list[int]]]:
    """The sections in order, each with the indices of its items."""
    out: list[tuple[str, list[int]]] = []
    current: int | None = None
    for i, item in enumerate(items):
        if item.section != current:
            out.append((item.section_kind, []))
            current = item.section
        out[-1][1].append(i)
    return out


def _pair_sections(a: list[tuple[str, list[int]]], b: list[tuple[str, list[int]]]) -> list[tuple[list[int], list[int]]]:
    """Sections paired by kind in order (the n-th annex with the n-th annex);
    a section without a counterpart is paired with nothing."""
    by_kind_b: dict[str, list[int]] = {}
    for j, (kind, _) in enumerate(b):
        by_kind_b.setdefault(kind, []).append(j)
    used_b: set[int] = set()
    seen: Counter[str] = Counter()
    pairs: list[tuple[list[int], list[int]]] = []
    for kind, indices in a:
        candidates = by_kind_b.get(kind, [])
        n = seen[kind]
        seen[kind] += 1
        if n < len(candidates):
            used_b.add(candidates[n])
            pairs.append((indices, b[candidates[n]][1]))
        else:
            pairs.append((indices, []))
    for j, (_, indices) in enumerate(b):
        if j not in used_b:
            pairs.append(([], indices))
    return pairs


def _length(item: AlignItem) -> int:
    return max(1, len(item.text))


_WORD = re.compile(r"[a-z]{4,}|\d+")


def cognates(text: str) -> frozenset[str]:
    """The first four letters of each word of four letters or more, accents
    dropped and lower-cased, and every number: what a Spanish paragraph and
    its English translation share ("migr", "inte", "2022")."""
    folded = unicodedata.normalize("NFKD", text.lower())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return frozenset(w if w.isdigit() else w[:4] for w in _WORD.findall(folded))


def cognate_share(a: frozenset[str], b: frozenset[str]) -> float:
    """Dice's coefficient of two cognate sets (0 when both are empty)."""
    return 2 * len(a & b) / (len(a) + len(b)) if a or b else 0.0


class _Aligner:
    def __init__(self, a: Sequence[AlignItem], b: Sequence[AlignItem]) -> None:
        self.a, self.b = a, b
        total_a = sum(_length(x) for x in a) or 1
        total_b = sum(_length(x) for x in b) or 1
        self.ratio = total_b / total_a
        self.cognates_a = [cognates(x.text) for x in a]
        self.cognates_b = [cognates(y.text) for y in b]

    def share(self, i: int, j: int) -> float:
        return cognate_share(self.cognates_a[i], self.cognates_b[j])

    def pair_cost(self, i: int, j: int) -> float:
        x, y = self.a[i], self.b[j]
        cost = abs(math.log(_length(y) / (_length(x) * self.ratio))) * LENGTH_WEIGHT
        cost += (COGNATES_EXPECTED - self.share(i, j)) * COGNATE_WEIGHT
        if x.kind != y.kind:
            cost += KIND_PENALTY
        return cost

    def by_length(self, xs: list[int], ys: list[int]) -> list[AlignedPair]:
        """The cheapest one-to-one-or-skip alignment of ``xs`` with ``ys`` (in order)."""
        n, m = len(xs), len(ys)
        if n == 0 or m == 0:
            return [AlignedPair(i, None, "unpaired") for i in xs] + [AlignedPair(None, j, "unpaired") for j in ys]
        band = max(MIN_BAND, abs(n - m) + MIN_BAND)
        inf = math.inf
        # cost[i][j]: aligning xs[:i] with ys[:j]; move: 0 pair, 1 skip x, 2 skip y
        cost = [[inf] * (m + 1) for _ in range(n + 1)]
        move = [[-1] * (m + 1) for _ in range(n + 1)]
        cost[0][0] = 0.0
        for i in range(n + 1):
            centre = i * m / n
            lo, hi = max(0, int(centre - band)), min(m, int(centre + band) + 1)
            for j in range(lo, hi + 1):
                here = cost[i][j]
                if here == inf:
                    continue
                if i < n and j < m:
                    c = here + self.pair_cost(xs[i], ys[j])
                    if c < cost[i + 1][j + 1]:
                        cost[i + 1][j + 1], move[i + 1][j + 1] = c, 0
                if i < n and here + SKIP_COST < cost[i + 1][j]:
                    cost[i + 1][j], move[i + 1][j] = here + SKIP_COST, 1
                if j < m and here + SKIP_COST < cost[i][j + 1]:
                    cost[i][j + 1], move[i][j + 1] = here + SKIP_COST, 2
        out: list[AlignedPair] = []
        i, j = n, m
        while i > 0 or j > 0:
            step = move[i][j]
            if step == 0:
                out.append(AlignedPair(xs[i - 1], ys[j - 1], "position"))
                i, j = i - 1, j - 1
            elif step == 1:
                out.append(AlignedPair(xs[i - 1], None, "unpaired"))
                i -= 1
            else:
                out.append(AlignedPair(None, ys[j - 1], "unpaired"))
                j -= 1
        out.reverse()
        return out

    def section(self, xs: list[int], ys: list[int]) -> list[AlignedPair]:
        """Numbered paragraphs found once on each side anchor; the rest goes by length."""
        numbers_a = Counter(_number(self.a[i].number) for i in xs)
        numbers_b = Counter(_number(self.b[j].number) for j in ys)
        at_b = {_number(self.b[j].number): k for k, j in enumerate(ys)}
        anchors: list[tuple[int, int]] = []
        for k, i in enumerate(xs):
            key = _number(self.a[i].number)
            if key and numbers_a[key] == 1 and numbers_b[key] == 1:
                m = at_b[key]
                if (
                    self.a[i].kind == self.b[ys[m]].kind
                    and (not anchors or m > anchors[-1][1])
                    and self.share(i, ys[m]) >= COGNATES_EXPECTED
                ):
                    anchors.append((k, m))
        out: list[AlignedPair] = []
        last_k = last_m = 0
        for k, m in anchors:
            out += self.by_length(xs[last_k:k], ys[last_m:m])
            out.append(AlignedPair(xs[k], ys[m], "numbering"))
            last_k, last_m = k + 1, m + 1
        out += self.by_length(xs[last_k:], ys[last_m:])
        return out


def align(original: Sequence[AlignItem], translation: Sequence[AlignItem]) -> Alignment:
    """Pair each paragraph of ``original`` with its counterpart in ``translation``
    (see the module's docstring); every paragraph of either side appears once,
    in order, paired or not."""
    aligner = _Aligner(original, translation)
    pairs: list[AlignedPair] = []
    for xs, ys in _pair_sections(_sections(original), _sections(translation)):
        pairs += aligner.section(xs, ys)
    return Alignment(pairs)
