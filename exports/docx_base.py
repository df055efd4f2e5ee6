"""Helpers shared by the Word renderers (python-docx).

python-docx has no API for list numbering or footnotes, so both are built
here from its oxml helpers: ``numbering_definition`` / ``set_numbering`` write
``w:abstractNum``/``w:num`` into the numbering part and ``w:numPr`` on a
paragraph; ``add_footnote`` creates the footnotes part (and its relationship)
on first use and appends ``w:footnote`` elements to it.
"""

from __future__ import annotations

import io
import itertools
import re
from collections.abc import Iterable, Sequence
from typing import Literal, cast

from docx import Document as _open_document
from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_BREAK, WD_PARAGRAPH_ALIGNMENT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import XmlPart
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Pt
from docx.styles.style import CharacterStyle, ParagraphStyle
from docx.table import Table
from docx.text.paragraph import Paragraph as DocxParagraph
from docx.text.run import Run

from exports.data import Span

__all__ = [
    "LETTERHEAD_EN",
    "LETTERHEAD_ES",
    "DocxDocument",
    "add_footnote",
    "add_runs",
    "add_table",
    "add_text",
    "letterhead",
    "new_document",
    "numbering_definition",
    "plain_text",
    "save_bytes",
    "set_numbering",
    "xml_safe",
]

LETTERHEAD_ES = "Conferencia Regional sobre Migración"
LETTERHEAD_EN = "Regional Conference on Migration"
PRESIDENCY = "Presidency Pro-Témpore"

FOOTNOTES_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"

# XML 1.0 allows \t \n \r and everything from U+0020 except surrogates and U+FFFE/U+FFFF.
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
PAGE_BREAK = "\f"


def xml_safe(text: str) -> str:
    """Text that python-docx accepts: ``\\v`` and ``\\r\\n``/``\\r`` become ``\\n``
    (a line break), ``\\f`` is kept as the page-break marker, every other
    character illegal in XML 1.0 is dropped. ``add_text`` turns ``\\n`` and
    ``\\f`` into ``w:br`` elements; never hand the result to ``Run.text``
    directly if it may hold ``\\f``."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\v", "\n")
    parts = text.split(PAGE_BREAK)
    return PAGE_BREAK.join(_ILLEGAL_XML.sub("", part) for part in parts)


def plain_text(text: str) -> str:
    """Fully XML-legal text for places where breaks make no sense (header, cells): \\f becomes \\n."""
    return xml_safe(text).replace(PAGE_BREAK, "\n")


def add_text(paragraph: DocxParagraph, text: str, *, bold: bool = False, italic: bool = False) -> list[Run]:
    """Append ``text`` as runs, splitting on line (``\\n``, ``\\v``) and page
    (``\\f``) breaks, each written as a ``w:br`` element."""
    runs: list[Run] = []
    pieces = re.split(r"([\n\f])", xml_safe(text))
    current: Run | None = None
    for piece in pieces:
        if piece in ("\n", PAGE_BREAK):
            if current is None:
                current = paragraph.add_run()
                runs.append(current)
            current.add_break(WD_BREAK.PAGE if piece == PAGE_BREAK else WD_BREAK.LINE)
            current = None
            continue
        if not piece:
            continue
        current = paragraph.add_run(piece)
        runs.append(current)
    for run in runs:
        if bold:
            run.bold = True
        if italic:
            run.italic = True
    return runs


def add_runs(paragraph: DocxParagraph, text: str, emphasis: Sequence[Span] = ()) -> list[Run]:
    """Append ``text`` to ``paragraph`` with bold/italic runs where ``emphasis``
    says. Span offsets refer to the raw ``text`` (cleaning happens per piece)."""
    cuts = {0, len(text)}
    for span in emphasis:
        cuts.add(max(0, min(span.start, len(text))))
        cuts.add(max(0, min(span.end, len(text))))
    bounds = sorted(cuts)
    runs: list[Run] = []
    for start, end in itertools.pairwise(bounds):
        if start >= end:
            continue
        styles = {s.style for s in emphasis if s.start <= start and end <= s.end}
        runs.extend(add_text(paragraph, text[start:end], bold="bold" in styles, italic="italic" in styles))
    return runs


def _ensure_style(document: DocxDocument, name: str, kind: WD_STYLE_TYPE) -> None:
    if name not in [s.name for s in document.styles]:
        document.styles.add_style(name, kind)


def new_document() -> DocxDocument:
    """A blank python-docx document with the styles the renderers use."""
    document = _open_document()
    normal = cast(ParagraphStyle, document.styles["Normal"])
    normal.font.name = "Calibri"
    normal.font.size = Pt(11)
    normal.paragraph_format.space_after = Pt(8)
    title = cast(ParagraphStyle, document.styles["Title"])
    title.font.size = Pt(16)
    title.paragraph_format.alignment = WD_PARAGRAPH_ALIGNMENT.CENTER
    _ensure_style(document, "Place Date", WD_STYLE_TYPE.PARAGRAPH)
    place = cast(ParagraphStyle, document.styles["Place Date"])
    place.base_style = normal
    place.paragraph_format.alignment = WD_PARAGRAPH_ALIGNMENT.CENTER
    place.font.italic = True
    _ensure_style(document, "Draft Marking", WD_STYLE_TYPE.PARAGRAPH)
    marking = cast(ParagraphStyle, document.styles["Draft Marking"])
    marking.base_style = normal
    marking.paragraph_format.alignment = WD_PARAGRAPH_ALIGNMENT.CENTER
    marking.font.bold = True
    _ensure_style(document, "Footnote Text", WD_STYLE_TYPE.PARAGRAPH)
    note = cast(ParagraphStyle, document.styles["Footnote Text"])
    note.base_style = normal
    note.font.size = Pt(9)
    note.paragraph_format.space_after = Pt(0)
    _ensure_style(document, "Footnote Reference", WD_STYLE_TYPE.CHARACTER)
    ref = cast(CharacterStyle, document.styles["Footnote Reference"])
    ref.font.superscript = True
    for name in ("Heading 1", "Heading 2", "List Paragraph", "List Bullet", "List Number", "Table Grid"):
        document.styles[name]  # present in python-docx's default template; KeyError otherwise
    return document


def letterhead(document: DocxDocument, ppt_name: str) -> None:
    """The bilingual RCM letterhead in the page header of every section."""
    lines = (LETTERHEAD_ES, LETTERHEAD_EN, f"{plain_text(ppt_name)} • {PRESIDENCY}")
    for section in document.sections:
        header = section.header
        header.is_linked_to_previous = False
        first = header.paragraphs[0]
        for n, line in enumerate(lines):
            p = first if n == 0 else header.add_paragraph()
            p.alignment = WD_PARAGRAPH_ALIGNMENT.CENTER
            run = p.add_run(line)
            run.bold = n < 2
            run.font.size = Pt(9)


# -- numbering ---------------------------------------------------------------

NumberFormat = Literal["decimal", "bullet", "lowerLetter", "lowerRoman"]
_BULLETS = ("•", "◦", "▪")


def numbering_definition(document: DocxDocument, fmt: NumberFormat = "decimal", *, levels: int = 3) -> int:
    """Add an abstract numbering (``w:abstractNum``) and a ``w:num`` to the
    numbering part; returns the ``numId`` to use with ``set_numbering``.
    Decimal lists read "1.", nested levels "a)" and "i)"; bullets alternate
    between •, ◦ and ▪."""
    numbering = document.part.numbering_part.element
    existing = [int(cast(str, a.get(qn("w:abstractNumId")))) for a in numbering.findall(qn("w:abstractNum"))]
    abstract_id = max(existing, default=-1) + 1
    level_xml = []
    for lvl in range(levels):
        if fmt == "bullet":
            lvl_fmt, lvl_text = "bullet", _BULLETS[lvl % len(_BULLETS)]
        elif fmt == "decimal":
            lvl_fmt, lvl_text = (
                ("decimal", f"%{lvl + 1}."),
                ("lowerLetter", f"%{lvl + 1})"),
                ("lowerRoman", f"%{lvl + 1})"),
            )[lvl % 3]
        else:
            lvl_fmt, lvl_text = fmt, f"%{lvl + 1})"
        indent = 720 * (lvl + 1)
        level_xml.append(
            f'<w:lvl w:ilvl="{lvl}"><w:start w:val="1"/><w:numFmt w:val="{lvl_fmt}"/>'
            f'<w:lvlText w:val="{lvl_text}"/><w:lvlJc w:val="left"/>'
            f'<w:pPr><w:ind w:left="{indent}" w:hanging="360"/></w:pPr></w:lvl>'
        )
    abstract = parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}">'
        f'<w:multiLevelType w:val="{"hybridMultilevel" if fmt == "bullet" else "multilevel"}"/>'
        f"{''.join(level_xml)}</w:abstractNum>"
    )
    nums = numbering.findall(qn("w:num"))
    if nums:
        nums[0].addprevious(abstract)
    else:
        numbering.append(abstract)
    num = numbering.add_num(abstract_id)
    return int(num.numId)


def set_numbering(paragraph: DocxParagraph, num_id: int, level: int = 0) -> None:
    """Put ``w:numPr`` (``w:ilvl`` + ``w:numId``) on the paragraph."""
    p_pr = paragraph._p.get_or_add_pPr()
    num_pr = p_pr.get_or_add_numPr()
    num_pr.get_or_add_ilvl().val = max(0, level)
    num_pr.get_or_add_numId().val = num_id


# -- footnotes ---------------------------------------------------------------

_FOOTNOTES_XML = (
    f"<w:footnotes {nsdecls('w')}>"
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/>'
    "</w:pPr><w:r><w:separator/></w:r></w:p></w:footnote>"
    '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:spacing w:after="0" w:line="240" '
    'w:lineRule="auto"/></w:pPr><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>'
    "</w:footnotes>"
)


def _footnotes_element(document: DocxDocument) -> BaseOxmlElement:
    part = document.part
    try:
        footnotes = part.part_related_by(RT.FOOTNOTES)
    except KeyError:
        element = parse_xml(_FOOTNOTES_XML)
        footnotes = XmlPart(PackURI("/word/footnotes.xml"), FOOTNOTES_CONTENT_TYPE, element, part.package)
        part.relate_to(footnotes, RT.FOOTNOTES)
    if not isinstance(footnotes, XmlPart):  # a loaded document: promote the blob to XML once
        raise TypeError("footnotes part was not created by this module")
    return cast(BaseOxmlElement, footnotes.element)


def _style_id(document: DocxDocument, name: str) -> str:
    return str(document.styles[name].style_id)


def add_footnote(document: DocxDocument, paragraph: DocxParagraph, text: str) -> int:
    """A real Word footnote: a ``w:footnote`` in the footnotes part holding
    ``text`` and a ``w:footnoteReference`` run at the end of ``paragraph``.
    Returns the footnote id."""
    footnotes = _footnotes_element(document)
    ids = [int(cast(str, f.get(qn("w:id")))) for f in footnotes.findall(qn("w:footnote"))]
    note_id = max([0, *ids]) + 1
    ref_style = _style_id(document, "Footnote Reference")
    text_style = _style_id(document, "Footnote Text")
    footnote = parse_xml(
        f'<w:footnote {nsdecls("w")} w:id="{note_id}"><w:p><w:pPr><w:pStyle w:val="{text_style}"/></w:pPr>'
        f'<w:r><w:rPr><w:rStyle w:val="{ref_style}"/></w:rPr><w:footnoteRef/></w:r>'
        '<w:r><w:t xml:space="preserve"> </w:t></w:r></w:p></w:footnote>'
    )
    runs = footnote.findall(f"{qn('w:p')}/{qn('w:r')}")
    runs[-1].find(qn("w:t")).text = " " + plain_text(text)
    footnotes.append(footnote)
    reference = parse_xml(
        f'<w:r {nsdecls("w")}><w:rPr><w:rStyle w:val="{ref_style}"/></w:rPr>'
        f'<w:footnoteReference w:id="{note_id}"/></w:r>'
    )
    paragraph._p.append(reference)
    return note_id


def add_table(document: DocxDocument, rows: Iterable[Sequence[str]], *, header: bool = True) -> Table:
    """A Word table (style "Table Grid") from rows of cell texts; the first row bold when ``header``."""
    data = [list(r) for r in rows] or [[""]]
    width = max(len(r) for r in data)
    table: Table = document.add_table(rows=len(data), cols=width)
    table.style = document.styles["Table Grid"]
    for i, row in enumerate(data):
        for j in range(width):
            cell = table.cell(i, j)
            cell_p = cell.paragraphs[0]
            add_text(cell_p, row[j] if j < len(row) else "", bold=header and i == 0)
    return table


def save_bytes(document: DocxDocument) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
