"""Plain text (pasted from Word, or extracted as in ``shared/seeds``) into blocks.

What the extractions of RCM documents carry, and what becomes of it:

- the letterhead repeated at every page ("Conferencia Regional sobre
  Migración / Regional Conference on Migration", the PPT's logo lines): left
  out, once, with a warning; a paragraph that a page break cut in two is
  joined again (``drafting.seedtext`` did this for the demo; this module
  extends it);
- ``**bold**`` and ``*italic*`` markers: emphasis spans (``seedtext.parse_emphasis``);
  a ``*Statement also relevant for TS3*`` note stays in its paragraph, in italics;
- HTML left inside table cells (``<ul style=...>``, ``<p>``, ``<u>``): the tags
  go, the words stay; ``<b>``/``<i>`` become emphasis;
- ``[bookmark: _Toc…]`` marks: removed;
- footnotes: the markers (¹ ² or ``[^1]``) are taken out of the text and the
  footnote bodies ("¹ See A/RES/73/195.") left out of the paragraphs, each
  with a warning (a declaration's text has no footnotes of its own);
- lines with tabs between words: table rows (a row cut by a page break is
  joined again); tabs only at the start are indentation (an indented line
  right under table rows is a row with empty first cells);
- a table as PDF extraction leaves it, one short line per cell: read as a
  table when a header of words sits over a column of figures (a guess, warned);
- "- " / "• " / "· " / "– " lines (and "o " where it cannot be the Spanish
  word): bullets, a tab or two spaces of indentation a level;
  "1." / "a)" / "(i)" at the start: numbered items;
- paragraphs apart by a single line break (copy-paste, PDF extraction, LF or
  CRLF): a line with a number or bullet, or after a line ending a sentence,
  or after one too short to have been cut, starts a paragraph; a line going
  on in lower case continues one (a line cut after a hyphen, "Pro-" /
  "Tempore", goes on without a space). Each split or join the text does not
  settle is a warning naming the line;
- page numbers ("Page 2 of 3", "- 2 -") next to a page break: left out, warned.
"""

from __future__ import annotations

import html
import itertools
import re
import unicodedata
from dataclasses import dataclass

from drafting.importing.result import Block, ImportedNote, ImportResult
from drafting.importing.structure import letterhead_lines, opens_paragraph
from drafting.seedtext import parse_emphasis

_BOOKMARK = re.compile(r"\[bookmark:[^\]]*\]", re.IGNORECASE)
_BOLD_TAG = re.compile(r"</?(?:b|strong)\b[^>]*>", re.IGNORECASE)
_ITALIC_TAG = re.compile(r"</?(?:i|em)\b[^>]*>", re.IGNORECASE)
_BREAK_TAG = re.compile(r"<br\s*/?>|</p>|</li>|<li\b[^>]*>", re.IGNORECASE)
_TAG = re.compile(
    r"</?(?:ul|ol|li|p|u|span|div|font|a|sup|sub|table|tbody|thead|tr|td|th|s|strike|del|ins|mark|small|big)"
    r"\b[^>]*>",
    re.IGNORECASE,
)
_ENTITY = re.compile(r"&(?:[a-zA-Z]{2,8}|#\d{1,6}|#x[0-9a-fA-F]{1,6});")
_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUP_TO_DIGIT = str.maketrans(_SUPERSCRIPTS, "0123456789")
_FOOTNOTE_BODY = re.compile(rf"^(?:[{_SUPERSCRIPTS}]+|\[\^\d+\]:?)\s+\S")
_FOOTNOTE_MARK = re.compile(rf"(?<=\S)(?:[{_SUPERSCRIPTS}]+|\[\^\d+\]|\^\{{\d+\}})")
BULLET = re.compile(r"^(?P<indent>[ \t]*)(?P<mark>[-•◦▪–·●○\uf0b7])\s+(?P<text>\S.*)$")
NUMBERED = re.compile(
    r"^(?P<indent>[ \t]*)(?P<label>\d{1,3}[.)]|\(\d{1,3}\)|[a-z][.)]|\([a-z]\)|(?:[ivx]{1,5})[.)]|\([ivx]{1,5}\))"
    r"\s+(?P<text>\S.*)$"
)
_O_BULLET = re.compile(r"^(?P<indent>[ \t]*)(?P<mark>o)\s+(?P<text>\S.*)$")
_NUMERIC_CELL = re.compile(r"^[(\-–+]?\s*(?:US\$|USD|\$|€)?\s*\d[\d.,\s]*(?:%|USD)?\)?$")
_PAGE_NUMBER = re.compile(
    r"^(?:[-–]\s*)?(?:(?:page|página|pág\.)\s*)?\d{1,4}(?:\s*(?:of|de|/)\s*\d{1,4})?(?:\s*[-–])?$", re.IGNORECASE
)
_CUT_AT_HYPHEN = re.compile(r"\w-$")
_SENTENCE_END = (".", ":", ";", "!", "?", ")")
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
PAGE_BREAK = "\f"


@dataclass
class _Line:
    text: str
    number: int
    after_page_break: bool = False


def decode(data: bytes, result: ImportResult) -> str:
    """The text of a .txt upload: UTF-8 (with or without a BOM) or UTF-16 with
    a BOM; anything else is read as Windows-1252, with a warning."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        result.warn("encoding", "The file is not UTF-8; it was read as Windows-1252. Check accented letters.")
        return data.decode("cp1252", errors="replace")


def _clean_html(text: str) -> str:
    if "<" in text:
        text = _BOLD_TAG.sub("**", text)
        text = _ITALIC_TAG.sub("*", text)
        text = _BREAK_TAG.sub(" ", text)
        text = _TAG.sub(" ", text)
    if "&" in text:
        text = _ENTITY.sub(lambda m: html.unescape(m.group(0)), text)
    return text


def _split_lines(raw: str, result: ImportResult) -> list[_Line]:
    raw = unicodedata.normalize("NFC", raw.replace("\r\n", "\n").replace("\r", "\n"))
    bookmarks = len(_BOOKMARK.findall(raw))
    raw = _BOOKMARK.sub("", raw)
    if bookmarks:
        result.warn("bookmarks_removed", f"{bookmarks} bookmark marks ([bookmark: …]) were removed.")
    tags = len(_TAG.findall(raw)) + len(_BREAK_TAG.findall(raw))
    if tags:
        result.warn("html_removed", f"{tags} HTML tags left by the extraction were removed; their words were kept.")
    lines: list[_Line] = []
    after_break = False
    forbidden = 0
    for number, line in enumerate(raw.split("\n"), start=1):
        pages = line.split(PAGE_BREAK)
        for i, piece in enumerate(pages):
            if i:
                after_break = True
            forbidden += len(_FORBIDDEN.findall(piece))
            piece = _FORBIDDEN.sub("", piece)
            if "\t" in piece:
                # cells: keep the tabs, clean each cell's HTML
                piece = "\t".join(" ".join(_clean_html(c).split()) for c in piece.split("\t"))
            else:
                piece = _clean_html(piece).rstrip()
                if piece.strip() and not (BULLET.match(piece) or _O_BULLET.match(piece) or NUMBERED.match(piece)):
                    piece = " ".join(piece.split())
            lines.append(_Line(piece, number, after_break))
            if piece.strip():
                after_break = False
    if forbidden:
        result.warn("control_characters", f"{forbidden} control characters a Word document cannot hold were removed.")
    return lines


def _footnotes(lines: list[_Line], result: ImportResult) -> list[_Line]:
    bodies = [line for line in lines if _FOOTNOTE_BODY.match(line.text.strip())]
    numbers = {re.sub(r"\D", "", line.text.strip().split()[0].translate(_SUP_TO_DIGIT)) for line in bodies}
    for line in bodies:
        # A reservation or an explanation of position printed as a footnote:
        # kept beside the text (the preview shows it), never as declaration text.
        result.notes.append(ImportedNote("footnote", line.text.strip(), f"line {line.number}"))
        result.warn(
            "footnote_dropped",
            f"Footnote kept apart from the text (line {line.number}): {line.text.strip()}",
            f"line {line.number}",
        )
    kept = [line for line in lines if line not in bodies]
    removed = 0

    def strip_mark(match: re.Match[str]) -> str:
        nonlocal removed
        digits = re.sub(r"\D", "", match.group(0).translate(_SUP_TO_DIGIT))
        before = match.string[match.start() - 1]
        # A superscript after a letter with no footnote of that number is
        # likely meant (m², km²): only markers of real footnotes, or after
        # punctuation, go.
        if digits in numbers or before in ".,;:)]\"”’'" or match.group(0).startswith("[^"):
            removed += 1
            return ""
        return match.group(0)

    for line in kept:
        line.text = _FOOTNOTE_MARK.sub(strip_mark, line.text)
    if removed:
        result.warn("footnote_markers_removed", f"{removed} footnote markers were taken out of the text.")
    return kept


def _page_numbers(lines: list[_Line], result: ImportResult) -> list[_Line]:
    """Page numbers ("3", "- 3 -", "Page 3 of 5") that PDF extraction leaves
    just before or after a page break (or at the very end): left out, each
    with a warning."""
    texts = [i for i, ln in enumerate(lines) if ln.text.strip()]
    drop: set[int] = set()
    for pos, i in enumerate(texts):
        if not _PAGE_NUMBER.match(lines[i].text.strip()):
            continue
        following = texts[pos + 1] if pos + 1 < len(texts) else None
        if lines[i].after_page_break or following is None or lines[following].after_page_break:
            drop.add(i)
    kept: list[_Line] = []
    carry = False
    for i, line in enumerate(lines):
        if i in drop:
            result.guess(
                "page_number_dropped",
                f"line {line.number}",
                f"“{line.text.strip()}” was read as a page number and left out.",
            )
            carry = carry or line.after_page_break
            continue
        if carry and line.text.strip():
            line.after_page_break, carry = True, False
        kept.append(line)
    return kept


def _is_row(text: str) -> bool:
    """Cells separated by tabs. Tabs at the start of a line are only its
    indentation: an indented paragraph is no one-cell row."""
    inner = text.lstrip(" \t")
    return "\t" in inner and bool(inner.replace("\t", "").strip())


def _row(text: str) -> list[str]:
    return [parse_emphasis(cell.strip())[0] for cell in text.split("\t")]


def read_text(data: bytes | str, result: ImportResult | None = None) -> tuple[list[Block], ImportResult]:
    """Blocks of a plain-text declaration (see the module doc)."""
    result = result or ImportResult(source="txt")
    raw = data if isinstance(data, str) else decode(data, result)
    lines = _page_numbers(_footnotes(_split_lines(raw, result), result), result)
    letterheads = letterhead_lines(
        [(ln.text, not (_is_row(ln.text) or BULLET.match(ln.text) or NUMBERED.match(ln.text))) for ln in lines]
    )
    dropped: dict[str, int] = {}

    # Chunks of lines between blank lines; letterhead lines dropped and
    # counted as page breaks.
    chunks: list[list[_Line]] = []
    current: list[_Line] = []
    page_break = False
    for line in lines:
        text = line.text.strip()
        if text and " ".join(text.split()).lower() in letterheads:
            dropped[text] = dropped.get(text, 0) + 1
            page_break = True
            if current:
                chunks.append(current)
                current = []
            continue
        if line.after_page_break:
            page_break = True
        if not text:
            if current:
                chunks.append(current)
                current = []
            continue
        if not current and page_break and chunks:
            last = chunks[-1][-1].text.strip()
            if not _is_row(last) and not last.endswith(_SENTENCE_END) and text[:1].islower():
                # A page break cut this paragraph: continue the previous one.
                current = chunks.pop()
        page_break = False
        current.append(line)
    if current:
        chunks.append(current)
    if dropped:
        lines_text = "; ".join(f"“{t}” ×{n}" for t, n in dropped.items())
        result.warn("letterhead_dropped", f"Letterhead and page-header lines left out: {lines_text}.")

    blocks: list[Block] = []
    table: list[list[str]] | None = None
    width = _wrap_width(chunks)
    for chunk in chunks:
        cells = _cell_table(chunk)
        if cells is not None:
            caption, rows = cells
            if caption is not None:
                blocks.extend(_unit_blocks("plain", [caption]))
            where = f"line {chunk[-len(rows) * len(rows[0])].number}"
            blocks.append(Block(role="table", table=rows, where=where))
            result.guess(
                "read_as_table",
                where,
                f"{len(rows) * len(rows[0])} short lines were read as a table of {len(rows)} rows and "
                f"{len(rows[0])} columns (one cell per line, as PDF extraction leaves a table).",
            )
            table = None
            continue
        for kind, unit in _units(chunk, width, result):
            if kind == "row":
                row = _row(unit[0].text)
                if table is not None and table and _continues(table[-1], row):
                    table[-1][0] = f"{table[-1][0]} {row[0]}".strip()
                    continue
                if table is None:
                    table = []
                    blocks.append(Block(role="table", table=table, where=f"line {unit[0].number}"))
                table.append(row)
                continue
            table = None
            blocks.extend(_unit_blocks(kind, unit))
    for block in blocks:
        if block.role == "table" and block.table:
            width = max(len(r) for r in block.table)
            while width > 1 and all(len(r) == width and not r[-1] for r in block.table):
                width -= 1  # a trailing tab on every line is no column
                for r in block.table:
                    r.pop()
            for r in block.table:
                r.extend([""] * (width - len(r)))
    return blocks, result


def _unit_blocks(kind: str, unit: list[_Line]) -> list[Block]:
    """One paragraph (its lines joined), numbered or bulleted when its first line carries a label."""
    texts = [ln.text for ln in unit]
    where = f"line {unit[0].number}"
    bullet = _bullet(texts[0], kind == "bullet")
    if bullet is not None:
        text, spans = parse_emphasis(_join([bullet.group("text"), *texts[1:]]))
        level = _indent_level(bullet.group("indent"))
        return [
            Block(
                role="paragraph",
                text=text,
                emphasis=spans,
                bullet=True,
                label=bullet.group("mark"),
                level=level,
                guessed=True,
                where=where,
            )
        ]
    numbered = NUMBERED.match(texts[0])
    label = ""
    level = 0
    if numbered:
        label = numbered.group("label")
        texts = [numbered.group("text"), *texts[1:]]
        level = level_of(label)
    text, spans = parse_emphasis(_join(texts))
    return [
        Block(
            role="paragraph",
            text=text,
            emphasis=spans,
            numbered=bool(numbered),
            label=label,
            level=level,
            guessed=True,
            where=where,
        )
    ]


def _join(texts: list[str]) -> str:
    """The lines of one paragraph as one line. A line cut after a hyphen
    ("Pro-" / "Tempore") goes on without a space, the hyphen kept."""
    out = texts[0].strip()
    for text in texts[1:]:
        text = text.strip()
        out += text if _CUT_AT_HYPHEN.search(out) and text[:1].isalpha() else f" {text}"
    return out


def _indent_level(indent: str) -> int:
    """A tab, or two spaces, per level."""
    return min(8, indent.count("\t") + indent.count(" ") // 2)


def _bullet(text: str, o_allowed: bool) -> re.Match[str] | None:
    """A bulleted line. "o" (Word's second-level bullet, as text) counts only
    where it cannot be the Spanish word "o": indented, or in a run of items."""
    match = BULLET.match(text)
    if match is None:
        match = _O_BULLET.match(text)
        if match is not None and not (o_allowed or match.group("indent")):
            return None
    return match


def _wrap_width(chunks: list[list[_Line]]) -> int:
    """How long the lines of a hard-wrapped text (PDF extraction) are: the
    longest line that is surely cut (the next line goes on in lower case).
    0 when the text is not wrapped (one line per paragraph)."""
    cut = [
        len(a.text.strip())
        for chunk in chunks
        for a, b in itertools.pairwise(chunk)
        if not _is_row(a.text)
        and not a.text.rstrip().endswith(_SENTENCE_END)
        and b.text.strip()[:1].islower()
        and not (NUMBERED.match(b.text) or BULLET.match(b.text))
    ]
    return max(cut) if len(cut) >= 2 and max(cut) <= 160 else 0


def _units(chunk: list[_Line], width: int, result: ImportResult) -> list[tuple[str, list[_Line]]]:
    """The paragraphs in a run of lines with no blank line between them. Word
    copy-paste and PDF extraction end a paragraph with a single line break,
    and PDF extraction also cuts long lines: a line carrying a number or a
    bullet, a table row, or a line after one that ends a sentence (or is too
    short to have been cut) starts a paragraph; a line going on in lower case
    after an unfinished one continues it. Each decision the text does not
    settle is a warning naming the line."""
    units: list[tuple[str, list[_Line]]] = []
    for line in chunk:
        text = line.text
        # An indented line right under table rows is a row whose first cells are empty.
        if _is_row(text) or (text.startswith("\t") and units and units[-1][0] == "row"):
            units.append(("row", [line]))
            continue
        in_list = bool(units) and units[-1][0] in ("numbered", "bullet")
        if _bullet(text, in_list and units[-1][1][-1].text.rstrip().endswith((";", ".", ":"))):
            units.append(("bullet", [line]))
            continue
        if NUMBERED.match(text):
            units.append(("numbered", [line]))
            continue
        if not units or units[-1][0] == "row":
            units.append(("plain", [line]))
            continue
        before = units[-1][1][-1].text.strip()
        after = text.strip()
        where = f"line {line.number}"
        if before.endswith((".", "!", "?", ":")):
            joined, certain = False, False
        elif after[:1].islower():
            joined, certain = True, not before.endswith((";", ","))
        elif (
            width
            and len(before) + 1 + len(after.split()[0]) > width  # the next word did not fit: a cut line …
            and not (before.isupper() and after.split()[0].isupper())  # … unless title lines in capitals
            and not (before.endswith((",", ";")) and opens_paragraph(after))  # … or a new preambular paragraph
        ):
            joined, certain = True, False
        else:
            joined, certain = False, False
        if joined:
            units[-1][1].append(line)
            if not certain:
                result.guess(
                    "lines_joined",
                    where,
                    f"“{after[:40]}” was joined to the line above (“…{before[-30:]}”), read as one paragraph cut "
                    "by the line's end.",
                )
            continue
        units.append(("plain", [line]))
        result.guess(
            "split_at_line_break",
            where,
            f"“{after[:40]}” was read as a paragraph of its own (a single line break after “…{before[-30:]}”).",
        )
    return units


def _cell_table(chunk: list[_Line]) -> tuple[_Line | None, list[list[str]]] | None:
    """A table as PDF extraction leaves it: one short line per cell, row after
    row. Read so only when the shape says so: at least a header and two rows,
    a header of words and a column of figures; the narrowest such reading
    wins. The first line may be the table's caption."""
    for skip in (0, 1):
        lines = chunk[skip:]
        texts = [ln.text.strip() for ln in lines]
        n = len(texts)
        if n < 6 or any(
            len(t) > 60 or t.endswith((".", ";", ":", ",")) or "\t" in t or NUMBERED.match(t) or BULLET.match(t)
            for t in texts
        ):
            continue
        for k in range(2, min(8, n // 3) + 1):
            if n % k:
                continue
            rows = [[parse_emphasis(t)[0] for t in texts[i : i + k]] for i in range(0, n, k)]
            header, body = rows[0], rows[1:]
            if any(_NUMERIC_CELL.match(c) for c in header):
                continue
            if any(all(_NUMERIC_CELL.match(r[j]) for r in body) for j in range(k)):
                return (chunk[0] if skip else None), rows
    return None


def _continues(previous: list[str], row: list[str]) -> bool:
    """A row holding only a first cell that goes on from the previous row's
    (a page break cut the statement)."""
    if not row[0] or any(cell for cell in row[1:]):
        return False
    return not previous[0].rstrip().endswith(_SENTENCE_END) and row[0][:1].islower()


def level_of(label: str) -> int:
    core = label.strip("().")
    core = core.rstrip(")")
    if core.isdigit():
        return 0
    if re.fullmatch(r"[ivx]+", core) and core not in ("i", "v", "x"):
        return 2
    return 1
