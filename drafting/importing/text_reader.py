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
- lines with tabs: table rows (a row cut by a page break is joined again);
- "- " / "• " lines: bullets; "1." / "a)" / "(i)" at the start: numbered items.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

from drafting.importing.result import Block, ImportResult
from drafting.importing.structure import letterhead_lines
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
BULLET = re.compile(r"^(?P<indent>[ \t]*)(?P<mark>[-•◦▪–·])\s+(?P<text>\S.*)$")
NUMBERED = re.compile(
    r"^(?P<indent>[ \t]*)(?P<label>\d{1,3}[.)]|\(\d{1,3}\)|[a-z][.)]|\([a-z]\)|(?:[ivx]{1,5})[.)]|\([ivx]{1,5}\))"
    r"\s+(?P<text>\S.*)$"
)
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
                if piece.strip() and not (BULLET.match(piece) or NUMBERED.match(piece)):
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
        result.warn("footnote_dropped", f"Footnote left out of the text (line {line.number}): {line.text.strip()}")
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


def _is_row(text: str) -> bool:
    return "\t" in text and bool(text.replace("\t", "").strip())


def _row(text: str) -> list[str]:
    return [parse_emphasis(cell.strip())[0] for cell in text.split("\t")]


def read_text(data: bytes | str, result: ImportResult | None = None) -> tuple[list[Block], ImportResult]:
    """Blocks of a plain-text declaration (see the module doc)."""
    result = result or ImportResult(source="txt")
    raw = data if isinstance(data, str) else decode(data, result)
    lines = _footnotes(_split_lines(raw, result), result)
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
    for chunk in chunks:
        where = f"line {chunk[0].number}"
        texts = [ln.text for ln in chunk]
        if all(_is_row(t) for t in texts):
            for t in texts:
                row = _row(t)
                if table is not None and table and _continues(table[-1], row):
                    table[-1][0] = f"{table[-1][0]} {row[0]}".strip()
                    continue
                if table is None:
                    table = []
                    blocks.append(Block(role="table", table=table, where=where))
                table.append(row)
            continue
        table = None
        if all(BULLET.match(t) for t in texts):
            for ln in chunk:
                m = BULLET.match(ln.text)
                assert m is not None
                text, spans = parse_emphasis(m.group("text").strip())
                level = min(8, len(m.group("indent").expandtabs(4)) // 2)
                blocks.append(
                    Block(
                        role="paragraph",
                        text=text,
                        emphasis=spans,
                        bullet=True,
                        label=m.group("mark"),
                        level=level,
                        guessed=True,
                        where=f"line {ln.number}",
                    )
                )
            continue
        numbered = NUMBERED.match(texts[0])
        label = ""
        level = 0
        if numbered:
            label = numbered.group("label")
            texts = [numbered.group("text"), *texts[1:]]
            level = level_of(label)
        text, spans = parse_emphasis(" ".join(t.strip() for t in texts))
        blocks.append(
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
        )
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
