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
import weakref
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Literal, cast

from docx import Document as _open_document
from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_PARAGRAPH_ALIGNMENT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import XmlPart
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.oxml.simpletypes import ST_HpsMeasure, ST_SignedTwipsMeasure, ST_TwipsMeasure
from docx.oxml.text.paragraph import CT_P
from docx.oxml.text.run import CT_R
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Length, Pt
from docx.styles import BabelFish
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph as DocxParagraph
from docx.text.run import Run
from lxml.etree import SubElement  # type: ignore[import-untyped]

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
    "new_paragraph",
    "numbering_definition",
    "plain_text",
    "save_bytes",
    "set_numbering",
    "style_id",
    "xml_safe",
]

LETTERHEAD_ES = "Conferencia Regional sobre Migración"
LETTERHEAD_EN = "Regional Conference on Migration"
PRESIDENCY = "Presidency Pro-Témpore"
PRESIDENCY_ES = "Presidencia Pro Tempore"

FOOTNOTES_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"

# XML 1.0 allows \t \n \r and everything from U+0020 except surrogates and U+FFFE/U+FFFF.
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
PAGE_BREAK = "\f"
# what xml_safe changes: \r, \v, and the characters _ILLEGAL_XML drops (\f and \n are kept as they are)
_NEEDS_CLEANING = re.compile("[\x00-\x08\x0b\x0d-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """Text that python-docx accepts: ``\\v`` and ``\\r\\n``/``\\r`` become ``\\n``
    (a line break), ``\\f`` is kept as the page-break marker, every other
    character illegal in XML 1.0 is dropped. ``add_text`` turns ``\\n`` and
    ``\\f`` into ``w:br`` elements; never hand the result to ``Run.text``
    directly if it may hold ``\\f``."""
    if not _NEEDS_CLEANING.search(text):
        return text  # the common case: nothing to replace or drop
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\v", "\n")
    parts = text.split(PAGE_BREAK)
    return PAGE_BREAK.join(_ILLEGAL_XML.sub("", part) for part in parts)


def plain_text(text: str) -> str:
    """Fully XML-legal text for places where breaks make no sense (header, cells): \\f becomes \\n."""
    return xml_safe(text).replace(PAGE_BREAK, "\n")


# -- fast paths ----------------------------------------------------------------
#
# python-docx's own calls (``add_paragraph(style=...)``, ``add_run``, ``run.bold``)
# look the style up among all styles of the template for every paragraph, walk
# the whole body to find ``w:sectPr`` for every new paragraph, and place every
# child element by searching its successors. The helpers below write the very
# same elements (checked byte for byte against python-docx's output) directly
# with lxml, in schema order.

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
W_P, W_PPR, W_PSTYLE, W_NUMPR, W_ILVL, W_NUMID = (f"{_W}{t}" for t in ("p", "pPr", "pStyle", "numPr", "ilvl", "numId"))
W_SPACING, W_IND, W_R, W_RPR, W_T, W_TAB, W_BR = (f"{_W}{t}" for t in ("spacing", "ind", "r", "rPr", "t", "tab", "br"))
W_B, W_I, W_SZ, W_SECTPR, W_STYLE, W_NAME = (f"{_W}{t}" for t in ("b", "i", "sz", "sectPr", "style", "name"))
W_VAL, W_AFTER, W_LEFT, W_TYPE, W_DEFAULT, W_STYLEID = (
    f"{_W}{t}" for t in ("val", "after", "left", "type", "default", "styleId")
)
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_BREAK = re.compile(r"([\n\f])")
_ON = ("1", "true", "on")  # ST_OnOff values that mean true
_TYPES = {WD_STYLE_TYPE.PARAGRAPH: "paragraph", WD_STYLE_TYPE.CHARACTER: "character", WD_STYLE_TYPE.TABLE: "table"}


class _StyleIndex:
    """The styles part read in one pass: style elements by (internal) name, the first
    of each name as ``CT_Styles.get_by_name`` finds it, and the default style id of
    each type (the last default one, as ``CT_Styles.default_for``)."""

    def __init__(self, document: DocxDocument) -> None:
        self.by_name: dict[str, BaseOxmlElement] = {}
        self.defaults: dict[str, str | None] = {}
        self.ids: dict[tuple[str, str], str | None] = {}
        for style in document.styles.element.iterchildren(W_STYLE):
            name = style.find(W_NAME)
            if name is not None and name.get(W_VAL) is not None:
                self.by_name.setdefault(cast(str, name.get(W_VAL)), style)
            if style.get(W_DEFAULT) in _ON:
                self.defaults[style.get(W_TYPE) or "paragraph"] = style.get(W_STYLEID)


# one index per document, built on first use (after new_document has added its styles)
_STYLE_INDEX: weakref.WeakKeyDictionary[object, _StyleIndex] = weakref.WeakKeyDictionary()


def _style_index(document: DocxDocument, *, fresh: bool = False) -> _StyleIndex:
    index = None if fresh else _STYLE_INDEX.get(document.part)
    if index is None:
        index = _STYLE_INDEX[document.part] = _StyleIndex(document)
    return index


def _style_element(document: DocxDocument, name: str) -> BaseOxmlElement:
    """``document.styles[name]``'s element (``KeyError`` when there is none)."""
    internal = BabelFish.ui2internal(name)
    style = _style_index(document).by_name.get(internal)
    if style is None:  # added since the index was built?
        style = _style_index(document, fresh=True).by_name.get(internal)
    if style is None:
        raise KeyError(f"no style with name '{name}'")
    return style


def style_id(document: DocxDocument, name: str, kind: WD_STYLE_TYPE = WD_STYLE_TYPE.PARAGRAPH) -> str | None:
    """The style id ``paragraph.style = name`` (or ``table.style``) writes: ``None`` for the
    default style of that type, which python-docx leaves implicit. Cached per document;
    raises ``KeyError``/``ValueError`` as python-docx does for a missing or mistyped style."""
    index = _style_index(document)
    type_name = _TYPES[kind]
    key = (name, type_name)
    if key not in index.ids:
        style = _style_element(document, name)
        if (style.get(W_TYPE) or "paragraph") != type_name:
            raise ValueError(f"style '{name}' is not a {type_name} style")
        sid = style.get(W_STYLEID)
        index.ids[key] = None if sid == index.defaults.get(type_name) else sid
    return index.ids[key]


def new_paragraph(
    document: DocxDocument,
    style: str | None = None,
    *,
    numbering: tuple[int, int] | None = None,
    space_after: Length | None = None,
    left_indent: Length | None = None,
) -> DocxParagraph:
    """``document.add_paragraph(style=style)`` plus ``numbering`` (``numId``, level) as
    ``set_numbering`` writes it and ``paragraph_format.space_after``/``left_indent``,
    with the same XML, in constant time. As with python-docx, naming a style (even the
    default one) gives the paragraph a ``w:pPr``."""
    body = document.element.body
    try:
        last = body[-1]
    except IndexError:
        last = None
    p = SubElement(body, W_P)
    if last is not None and last.tag == W_SECTPR:
        last.addprevious(p)  # the body's w:sectPr stays last
    if style is not None or numbering is not None or space_after is not None or left_indent is not None:
        properties = SubElement(p, W_PPR)
        sid = style_id(document, style) if style is not None else None
        if sid is not None:
            SubElement(properties, W_PSTYLE).set(W_VAL, sid)
        if numbering is not None:
            num_pr = SubElement(properties, W_NUMPR)
            SubElement(num_pr, W_ILVL).set(W_VAL, str(max(0, numbering[1])))
            SubElement(num_pr, W_NUMID).set(W_VAL, str(numbering[0]))
        if space_after is not None:
            SubElement(properties, W_SPACING).set(W_AFTER, ST_TwipsMeasure.convert_to_xml(space_after))
        if left_indent is not None:
            SubElement(properties, W_IND).set(W_LEFT, ST_SignedTwipsMeasure.convert_to_xml(left_indent))
    return DocxParagraph(cast(CT_P, p), document._body)


def _new_run(p: BaseOxmlElement, bold: bool, italic: bool, size: str | None) -> CT_R:
    run = SubElement(p, W_R)
    if bold or italic or size is not None:
        properties = SubElement(run, W_RPR)
        if bold:
            SubElement(properties, W_B)
        if italic:
            SubElement(properties, W_I)
        if size is not None:
            SubElement(properties, W_SZ).set(W_VAL, size)
    return cast(CT_R, run)


def _put_text(run: BaseOxmlElement, text: str) -> None:
    """``run.text = text`` for text without line breaks: tabs become ``w:tab``, the rest
    ``w:t`` (``xml:space="preserve"`` when it starts or ends with white space)."""
    for n, piece in enumerate(text.split("\t")):
        if n:
            SubElement(run, W_TAB)
        if piece:
            t = SubElement(run, W_T)
            t.text = piece
            if len(piece.strip()) < len(piece):
                t.set(XML_SPACE, "preserve")


def add_text(
    paragraph: DocxParagraph, text: str, *, bold: bool = False, italic: bool = False, size: Length | None = None
) -> list[Run]:
    """Append ``text`` as runs, splitting on line (``\\n``, ``\\v``) and page
    (``\\f``) breaks, each written as a ``w:br`` element; ``size`` sets the font size."""
    p = paragraph._p
    half_points = ST_HpsMeasure.convert_to_xml(size) if size is not None else None
    runs: list[CT_R] = []
    current: CT_R | None = None
    for piece in _BREAK.split(xml_safe(text)):
        if piece == "\n" or piece == PAGE_BREAK:
            if current is None:
                current = _new_run(p, bold, italic, half_points)
                runs.append(current)
            br = SubElement(current, W_BR)
            if piece == PAGE_BREAK:
                br.set(W_TYPE, "page")
            current = None
            continue
        if not piece:
            continue
        current = _new_run(p, bold, italic, half_points)
        runs.append(current)
        _put_text(current, piece)
    return [Run(r, paragraph) for r in runs]


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


TEMPLATE = Path(__file__).resolve().parent / "templates" / "consenso.docx"
# What the renderers use; the template must hold every one (tests/test_export_template.py).
STYLES_USED = (
    "Normal",
    "Title",
    "Place Date",
    "Draft Marking",
    "Footnote Text",
    "Footnote Reference",
    "Heading 1",
    "Heading 2",
    "List Paragraph",
    "List Bullet",
    "List Number",
    "Table Grid",
)


def new_document() -> DocxDocument:
    """A blank document from the project template (``exports/templates/consenso.docx``,
    made by ``python -m exports.template``), which holds the styles the renderers use."""
    return _open_document(str(TEMPLATE))


def letterhead(document: DocxDocument, ppt_name: str, language: str = "en") -> None:
    """The bilingual RCM letterhead in the page header of every section; the
    Presidency's line in the document's language ("Presidencia Pro Tempore")."""
    presidency = PRESIDENCY_ES if language == "es" else PRESIDENCY
    lines = (LETTERHEAD_ES, LETTERHEAD_EN, f"{plain_text(ppt_name)} • {presidency}")
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
    return str(_style_element(document, name).get(W_STYLEID))


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
    table._tbl.tblStyle_val = style_id(document, "Table Grid", WD_STYLE_TYPE.TABLE)  # = table.style = "Table Grid"
    # row by row (``table.cell(i, j)`` rebuilds the whole grid on every call)
    for i, (row, tr) in enumerate(zip(data, table._tbl.tr_lst, strict=True)):
        for j, tc in enumerate(tr.tc_lst):
            cell_p = DocxParagraph(tc.p_lst[0], _Cell(tc, table))
            add_text(cell_p, row[j] if j < len(row) else "", bold=header and i == 0)
    return table


def save_bytes(document: DocxDocument) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
