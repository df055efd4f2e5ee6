"""Reading the plain-text form of RCM documents (as extracted to ``shared/seeds``).

Extraction repeats the letterhead at every page break and can cut a paragraph
in two there; emphasis arrives as ``**bold**`` and ``*italic*`` markers. This
module turns such text into blocks of plain text with emphasis spans. (The
import issue builds the full Word/text importer; the demo needs only this.)
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from drafting.textnorm import Span, merge_spans

LETTERHEAD_LINES = {
    "conferencia regional sobre migración",
    "regional conference on migration",
    "**regional conference",
    "on migration 2022**",
    "gobierno de",
    "el salvador",
}
_PPT_LINE = re.compile(r"^.+\s•\s+presidency pro-t[ée]mpore$", re.IGNORECASE)
_EMPHASIS = re.compile(r"\*\*(?P<bold>.+?)\*\*|(?<![*\w])\*(?P<italic>[^*\s][^*]*?)\*(?![*\w])")
_SENTENCE_END = (".", ":", ";", "!", "?", ")")


@dataclass
class Block:
    text: str
    emphasis: list[Span] = field(default_factory=list)
    bullet: bool = False


def is_letterhead(line: str) -> bool:
    stripped = line.strip().lower()
    return stripped in LETTERHEAD_LINES or bool(_PPT_LINE.match(stripped))


def parse_emphasis(marked: str) -> tuple[str, list[Span]]:
    """``"a **b** *c*"`` → ``("a b c", [bold 2-3, italic 4-5])``."""
    out: list[str] = []
    spans: list[Span] = []
    length = 0
    cursor = 0
    for match in _EMPHASIS.finditer(marked):
        out.append(marked[cursor : match.start()])
        length += match.start() - cursor
        style = "bold" if match.group("bold") is not None else "italic"
        inner = match.group(style)
        spans.append({"start": length, "end": length + len(inner), "style": style})
        out.append(inner)
        length += len(inner)
        cursor = match.end()
    out.append(marked[cursor:])
    return "".join(out), merge_spans(spans)


def blocks(raw: str) -> list[Block]:
    """Split extracted text into paragraphs: letterheads dropped, paragraphs
    cut by a page break rejoined, bullets ("- ") one block each."""
    raw = unicodedata.normalize("NFC", raw)
    chunks: list[list[str]] = []
    current: list[str] = []
    after_letterhead = False
    for line in raw.splitlines():
        if is_letterhead(line):
            after_letterhead = True
            if current:
                chunks.append(current)
                current = []
            continue
        if not line.strip():
            if current:
                chunks.append(current)
                current = []
            continue
        if (
            not current
            and after_letterhead
            and chunks
            and not chunks[-1][-1].rstrip().endswith(_SENTENCE_END)
            and line.strip()[:1].islower()
        ):
            # A page break cut this paragraph: continue the previous one.
            current = chunks.pop()
        after_letterhead = False
        current.append(line.strip())
    if current:
        chunks.append(current)

    result: list[Block] = []
    for lines in chunks:
        if all(line.startswith("- ") for line in lines):
            for line in lines:
                text, spans = parse_emphasis(line[2:].strip())
                result.append(Block(text=text, emphasis=spans, bullet=True))
        else:
            text, spans = parse_emphasis(" ".join(lines))
            result.append(Block(text=text, emphasis=spans))
    return result
