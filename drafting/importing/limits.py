"""Hard limits on what an uploaded file can make the reader do.

Every number a file supplies (a list's start value, a cell's column span, a
zip member's declared size) is taken as a claim, not an instruction: the
reader checks it against these caps before it allocates or loops anything
in proportion to it. A real RCM declaration (a few hundred paragraphs, a
few tables, labels like "12." or "iv)") stays far below each one.

Two kinds of answer:

* **Fall back, with a warning** where the file is still readable and only a
  decoration is absurd: a list number too large to write in letters or
  Roman numerals is shown in decimals; a label longer than
  ``MAX_LABEL_CHARS`` is cut. The preview says so (``numbering_fallback``,
  ``label_truncated``).
* **Refuse** (``UnreadableDocument``, a clear message, nothing created)
  where going on would mean unbounded work or memory: more inflated bytes,
  paragraphs, characters or table cells than any declaration has.

These caps bound the work inside the reader; the process that runs it
(``drafting.importing.isolated``) adds CPU-time and memory limits from the
operating system as a second fence.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from drafting.importing.errors import UnreadableDocument

# -- the package (see safezip) ------------------------------------------------
# Bytes one XML part may inflate to, and all parts read together, whatever
# the zip's headers declare. A 3,000-paragraph declaration's document.xml
# is a few megabytes.
MAX_PART_BYTES = 12 * 1024 * 1024
MAX_INFLATED_BYTES = 32 * 1024 * 1024
# Tags ("<") in one part, counted before it is parsed: the parsed tree takes
# some 130 bytes per element, so this bounds the reader's memory near 150 MB.
MAX_XML_TAGS = 1_000_000

# -- numbering ------------------------------------------------------------------
# The largest list value taken from a file (w:start, w:startOverride); a
# value with more digits is clamped here, with a warning.
MAX_NUMBER_VALUE = 9_999_999_999
# Letters repeat past z ("aa", "bbb"): beyond this value a lettered label
# would be longer than a word, so it is shown in decimals instead.
MAX_LETTER_VALUE = 26 * 4
# Roman numerals past 3,999 need overlines; shown in decimals instead.
MAX_ROMAN_VALUE = 3_999
# A label as shown in the preview ("12.", "iv)", "Article 3.2.1").
MAX_LABEL_CHARS = 40

# -- tables ---------------------------------------------------------------------
# Word allows 63 columns; a span is never wider than the table.
MAX_GRID_SPAN = 63
MAX_TABLE_COLUMNS = 63
MAX_CELLS_PER_TABLE = 20_000

# -- the whole document --------------------------------------------------------
MAX_BLOCKS = 10_000  # paragraphs and tables; a revision holds at most 3,000
MAX_TOTAL_CHARS = 5_000_000
# XML elements counted before any is read: paragraphs (empty ones and those
# in table cells included) and runs. A long declaration has a few thousand
# paragraphs of a few runs each.
MAX_XML_PARAGRAPHS = 50_000
MAX_XML_RUNS = 150_000


def clamp_number(raw: str, *, default: int) -> tuple[int, bool]:
    """A list value from the file, and whether it was clamped. Never calls
    ``int`` on more digits than the cap has (a 5,000-digit "start" would
    otherwise raise, or cost time)."""
    digits = raw.lstrip("-")
    if not digits.isdigit():
        return default, False
    if len(digits) > len(str(MAX_NUMBER_VALUE)) or int(digits) > MAX_NUMBER_VALUE:
        return (-MAX_NUMBER_VALUE if raw.startswith("-") else MAX_NUMBER_VALUE), True
    return int(raw), False


def span_of(raw: str | None) -> tuple[int, bool]:
    """A cell's column span (w:gridSpan, w:gridBefore), and whether it was capped."""
    if not raw or not raw.isdigit():
        return 1, False
    if len(raw) > 3 or int(raw) > MAX_GRID_SPAN:
        return MAX_GRID_SPAN, True
    return int(raw), False


@dataclass
class Budget:
    """What the reader has produced so far, checked as it goes, so that a
    refusal comes before the work and memory, not after."""

    blocks: int = 0
    chars: int = 0
    capped: dict[str, int] = field(default_factory=dict)

    def note(self, what: str) -> None:
        self.capped[what] = self.capped.get(what, 0) + 1

    def block(self, chars: int) -> None:
        self.blocks += 1
        self.chars += chars
        if self.blocks > MAX_BLOCKS:
            raise UnreadableDocument(
                "This document has more than %(blocks)s paragraphs and tables; no declaration is that long. "
                "Split it and import the parts.",
                params={"blocks": f"{MAX_BLOCKS:,}"},
            )
        if self.chars > MAX_TOTAL_CHARS:
            raise UnreadableDocument(
                "This document holds more than %(chars)s characters of text; no declaration is that "
                "long. Split it and import the parts.",
                params={"chars": f"{MAX_TOTAL_CHARS:,}"},
            )

    @staticmethod
    def tags(part: str, n: int) -> None:
        if n > MAX_XML_TAGS:
            raise UnreadableDocument(
                "This Word document is made of more pieces than any declaration (%(part)s has %(tags)s XML tags, "
                "%(limit)s at most). Save it again from Word, or split it, and upload it again.",
                params={"part": part, "tags": f"{n:,}", "limit": f"{MAX_XML_TAGS:,}"},
            )

    @staticmethod
    def elements(paragraphs: int, runs: int) -> None:
        if paragraphs > MAX_XML_PARAGRAPHS or runs > MAX_XML_RUNS:
            raise UnreadableDocument(
                "This document is made of %(paragraphs)s paragraphs and %(runs)s pieces of text, more than "
                "any declaration (%(max_paragraphs)s and %(max_runs)s at most). Split it, or save it "
                "again from Word, and upload it again.",
                params={
                    "paragraphs": f"{paragraphs:,}",
                    "runs": f"{runs:,}",
                    "max_paragraphs": f"{MAX_XML_PARAGRAPHS:,}",
                    "max_runs": f"{MAX_XML_RUNS:,}",
                },
            )

    @staticmethod
    def table(rows: int, width: int) -> None:
        if rows * width > MAX_CELLS_PER_TABLE:
            raise UnreadableDocument(
                "A table in this document has %(rows)s rows of %(width)s cells, more than the "
                "%(limit)s cells a table may have. Simplify the table and upload it again.",
                params={"rows": f"{rows:,}", "width": f"{width:,}", "limit": f"{MAX_CELLS_PER_TABLE:,}"},
            )
