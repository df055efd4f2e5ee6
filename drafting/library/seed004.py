"""Read the Technical Secretariat's compilation of agreed RCM statements
(1996–2016, seed ``004``) into whole statements with their metadata. No Django.

The text is a Word table extracted line by line: a theme heading
(``I. Human rights of all migrants`` … ``VI. …``), a sub-theme line, a
``Statements / RCM / Still valid?`` header, then one row per statement:
``<ul …> text <TAB> XXI RCM <TAB>`` (the last column, for member countries to
fill in, is always empty). Extraction split some rows across page breaks:

* a row whose meeting cell is empty continues the row above (``<p>…</p>``
  fragments, a bare line, even a second ``<ul>`` list);
* a meeting cell cut in two (``I`` then ``RCM`` on the continuation line) is
  joined;
* ``<p>Integration</p> <ul> - To …`` is its own row: a heading over a list.

Cross-references at the end of a statement (``*Statement also relevant for
TS3 y TS5*``, ``*TS3*``, the typo ``ST3``, ``all the other TSs``) become
``related_themes`` and leave the text. The colour coding that gave each
statement its category (principle, understanding, commitment) did not survive
extraction, so every statement read here is ``unclassified`` until the
Secretariat classifies it (it may edit the metadata).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

THEMES = {
    "I": "TS1",
    "II": "TS2",
    "III": "TS3",
    "IV": "TS4",
    "V": "TS5",
    "VI": "TS6",
}
ALL_THEMES = tuple(THEMES.values())
ROMAN = {
    "I": 1,
    "II": 2,
    "III": 3,
    "IV": 4,
    "V": 5,
    "VI": 6,
    "VII": 7,
    "VIII": 8,
    "IX": 9,
    "X": 10,
    "XI": 11,
    "XII": 12,
    "XIII": 13,
    "XIV": 14,
    "XV": 15,
    "XVI": 16,
    "XVII": 17,
    "XVIII": 18,
    "XIX": 19,
    "XX": 20,
    "XXI": 21,
}
# The first Regional Conference on Migration met in Puebla in 1996 and it has
# met once a year since: the n-th RCM is 1995 + n (XXI RCM: Tegucigalpa, 2016).
FIRST_YEAR = 1995

_THEME_HEADING = re.compile(r"^(I|II|III|IV|V|VI)\. (\S.*)$")
_TABLE_HEADER = re.compile(r"^Statements\tRCM\tStill valid\?")
_TAG = re.compile(r"<[^>]+>")
_HEADING_CELL = re.compile(r"^\s*<p>([^<]+)</p>\s*<ul[^>]*>")
_NOTE = re.compile(r"\*\s*((?:Statement also relevant for\s+)?[^*]*?)\s*\*\s*$", re.IGNORECASE)
_THEME_REF = re.compile(r"\b(?:TS|ST)\s?([1-6])\b")
_MEETING = re.compile(r"^(?P<roman>[IVX]+) RCM$")
_BULLET = re.compile(r"\s*(?:•|(?<![\w-])-(?=\s))\s*")


class SeedError(ValueError):
    """The text is not the 2017 compilation (or not all of it could be read)."""


@dataclass
class SeedStatement:
    theme: str  # TS1 … TS6
    theme_title: str
    subtheme: str
    text: str
    meeting: str  # "XXI RCM"
    year: int
    related_themes: list[str] = field(default_factory=list)
    line: int = 0  # where the row starts in the seed (1-based), for tracing
    ordinal: int = 0  # position within its theme (1-based)


@dataclass
class _Row:
    line: int
    cells: list[str]
    meeting: str = ""


def _clean(cell: str) -> str:
    return _TAG.sub(" ", cell)


def _text(raw: str) -> str:
    """One statement's text: tags and bullets out, items one per line."""
    heading = _HEADING_CELL.match(raw)
    body = _clean(raw[heading.end() :] if heading else raw)
    items = [" ".join(part.split()) for part in _BULLET.split(body)]
    items = [item for item in items if item]
    if heading is not None or len(items) > 1:
        lines = [heading.group(1).strip() + ":"] if heading else []
        if len(items) == 1 and heading is None:
            return items[0]
        return "\n".join(lines + [f"- {item}" for item in items])
    return items[0] if items else ""


def _related(note: str, own: str) -> list[str]:
    if "all the other" in note.lower():
        return [t for t in ALL_THEMES if t != own]
    found = sorted({f"TS{n}" for n in _THEME_REF.findall(note)})
    return [t for t in found if t != own]


def _finish(row: _Row, theme: str, theme_title: str, subtheme: str, ordinal: int) -> SeedStatement:
    raw = " ".join(row.cells)
    note = ""
    cleaned = " ".join(_clean(raw).split())
    found = _NOTE.search(cleaned)
    if found is not None:
        note = found.group(1)
        raw = raw[: raw.rfind("*", 0, raw.rfind("*"))]
    meeting = " ".join(row.meeting.split())
    matched = _MEETING.match(meeting)
    if matched is None or matched.group("roman") not in ROMAN:
        raise SeedError(f"line {row.line}: no meeting (“I RCM” … “XXI RCM”) for the statement starting here")
    text = _text(raw)
    if not text:
        raise SeedError(f"line {row.line}: an empty statement")
    return SeedStatement(
        theme=theme,
        theme_title=theme_title,
        subtheme=subtheme,
        text=text,
        meeting=meeting,
        year=FIRST_YEAR + ROMAN[matched.group("roman")],
        related_themes=_related(note, theme),
        line=row.line,
        ordinal=ordinal,
    )


def read_seed004(text: str) -> list[SeedStatement]:
    """Every statement of the compilation, in document order."""
    statements: list[SeedStatement] = []
    theme = theme_title = subtheme = ""
    last_plain = ""
    in_body = in_table = False
    row: _Row | None = None
    ordinal = 0

    def flush() -> None:
        nonlocal row, ordinal
        if row is not None:
            ordinal += 1
            statements.append(_finish(row, theme, theme_title, subtheme, ordinal))
            row = None

    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        heading = _THEME_HEADING.match(line)
        if heading is not None and "....." not in line and "\t" not in line:
            flush()
            in_body, in_table = True, False
            theme, theme_title, ordinal = THEMES[heading.group(1)], heading.group(2).strip(), 0
            continue
        if not in_body:
            continue
        if stripped == "Credits":
            break
        if _TABLE_HEADER.match(line):
            flush()
            subtheme, in_table = last_plain, True
            continue
        if not stripped or set(stripped) <= {"-", "\t"}:
            continue
        if "\t" not in line:
            # A line outside the table: the next sub-theme, or a row's tail
            # that lost its cells (none in the 2017 text, but keep it whole).
            flush()
            last_plain, in_table = stripped, False
            continue
        if not in_table:
            raise SeedError(f"line {number}: a table row outside a statements table")
        cells = line.split("\t")
        meeting = _clean(cells[1]).strip() if len(cells) > 1 else ""
        incomplete = row is not None and not row.meeting.strip().endswith("RCM")
        if row is not None and (incomplete or not meeting):
            row.cells.append(cells[0])
            row.meeting = f"{row.meeting} {meeting}"
            continue
        flush()
        row = _Row(line=number, cells=[cells[0]], meeting=meeting)
    flush()
    if not statements:
        raise SeedError("no statements found: is this the 2017 compilation of RCM statements?")
    return statements
