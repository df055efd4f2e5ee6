"""Paragraph labels, derived from position.

Preambular paragraphs are PP1, PP2 …; operative ones OP1, OP2 …. A paragraph
inserted since the last revision takes the label of the numbered paragraph
before it with a Latin suffix (OP3 bis, OP3 ter) so that everybody's
references stay valid until the next revision renumbers the whole text.
List items under a numbered paragraph are lettered (OP5 (a)); anything else
is counted within its section ("ANNEX ¶4").
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from dataclasses import dataclass

SUFFIXES = (
    "bis", "ter", "quater", "quinquies", "sexies", "septies", "octies", "novies", "decies",
    "undecies", "duodecies", "terdecies", "quaterdecies", "quindecies", "sexdecies",
    "septdecies", "octodecies", "novodecies", "vicies",
)  # fmt: skip
PREFIX = {"preambular": "PP", "operative": "OP"}
FIXED = {"title": "Title", "place_date": "Place and date"}


@dataclass(frozen=True)
class Slot:
    kind: str
    section: str  # a name for the section: its heading, or its kind's label
    inserted: bool = False


def suffix(n: int) -> str:
    """The n-th insertion suffix (1 → bis)."""
    return SUFFIXES[n - 1] if n <= len(SUFFIXES) else f"{n + 1}-ies"


def letter(n: int) -> str:
    """0 → a, 25 → z, 26 → aa."""
    letters = string.ascii_lowercase
    return letters[n] if n < 26 else letter(n // 26 - 1) + letters[n % 26]


def labels(slots: Sequence[Slot]) -> list[str]:
    counters = {"PP": 0, "OP": 0}
    inserted_after: dict[str, int] = {}
    section_counts: dict[str, int] = {}
    last_numbered: str | None = None
    items_under_last = 0
    out: list[str] = []
    for slot in slots:
        if slot.kind in FIXED:
            out.append(FIXED[slot.kind])
            continue
        prefix = PREFIX.get(slot.kind)
        if prefix:
            if slot.inserted:
                base = f"{prefix}{counters[prefix]}"
                inserted_after[base] = inserted_after.get(base, 0) + 1
                label = f"{base} {suffix(inserted_after[base])}"
            else:
                counters[prefix] += 1
                label = f"{prefix}{counters[prefix]}"
            last_numbered, items_under_last = label, 0
            out.append(label)
            continue
        if slot.kind == "list_item" and last_numbered is not None:
            out.append(f"{last_numbered} ({letter(items_under_last)})")
            items_under_last += 1
            continue
        last_numbered = None
        section_counts[slot.section] = section_counts.get(slot.section, 0) + 1
        out.append(f"{slot.section} ¶{section_counts[slot.section]}")
    return out
