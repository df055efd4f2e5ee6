"""Side by side: the Spanish and the English text of a declaration in a
two-column table (es | en), one row per paragraph, as conference rooms often
read a text under negotiation.

Each column is tagged with its own language (``w:lang`` on its runs; the
document's default is the original language), each keeps its own operative
numbering, and a paragraph whose translation is missing or stale says so in
the other language's cell. ``Document.text`` is the original language's,
``Document.translation`` the other's (see ``adapters.in_language``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from typing import cast

from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_PARAGRAPH_ALIGNMENT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls
from docx.oxml.table import CT_TblGridCol
from docx.parts.document import DocumentPart
from docx.shared import Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph as DocxParagraph

from exports.clean import draft_marking, reservation_text, with_brackets
from exports.compilation import (
    FRAME_KINDS,
    SETTLED,
    attribution,
    bracketed,
    compilation_marking,
    proposal_kind,
    state_label,
)
from exports.data import Document, Paragraph, Section, Span
from exports.docx_base import (
    DocxDocument,
    add_footnote,
    add_runs,
    add_text,
    letterhead,
    new_document,
    numbering_definition,
    plain_text,
    save_bytes,
    set_numbering,
    style_id,
)
from exports.language import LANGUAGE_NAMES, LANGUAGES, language_name, tag_document, tag_run, tag_runs, words

__all__ = ["Columns", "cell_content", "render_clean_side_by_side", "render_compilation_side_by_side"]

_STYLES = {
    "title": "Title",
    "heading": "Heading 2",
    "list_item": "List Paragraph",
    "operative": "List Paragraph",
    "place_date": "Place Date",
}


@dataclass(frozen=True)
class CellContent:
    """What one language's cell of a paragraph's row shows."""

    text: str
    emphasis: tuple[Span, ...]
    table: tuple[tuple[str, ...], ...] | None
    notice: str  # the translation is missing or stale ("" when it is the original or current)


def cell_content(doc: Document, paragraph: Paragraph, language: str, *, brackets: bool) -> CellContent:
    """The paragraph in ``language``: the original, or its translation (brackets,
    offsets into the original, bracket a translated paragraph whole)."""
    if language == doc.original_language:
        text, emphasis = paragraph.text, paragraph.emphasis
        if brackets:
            text, emphasis = with_brackets(text, emphasis, paragraph.brackets)
        return CellContent(text, emphasis, paragraph.table, "")
    said = words(language)
    if paragraph.translation_status == "missing" or not (paragraph.translation or paragraph.translation_table):
        return CellContent("", (), None, said["pending"])
    text, emphasis = paragraph.translation, paragraph.translation_emphasis
    if brackets and paragraph.brackets and text:
        text, emphasis = f"[{text}]", tuple(Span(s.start + 1, s.end + 1, s.style) for s in emphasis)
    notice = said["stale_short"] if paragraph.translation_status == "stale" else ""
    return CellContent(text, emphasis, paragraph.translation_table or None, notice)


@dataclass
class Columns:
    """The two-column table being written: a header row naming the languages
    (repeated on every page), then rows appended one by one."""

    document: DocxDocument
    table: Table = field(init=False)
    grid: list[CT_TblGridCol] = field(init=False)

    def __post_init__(self) -> None:
        self.table = self.document.add_table(rows=1, cols=len(LANGUAGES))
        self.table._tbl.tblStyle_val = style_id(self.document, "Table Grid", WD_STYLE_TYPE.TABLE)
        self.grid = list(self.table._tbl.tblGrid.gridCol_lst)
        header = self.table.rows[0]
        header._tr.get_or_add_trPr().append(parse_xml(f"<w:tblHeader {nsdecls('w')}/>"))
        for cell, language in zip(header.cells, LANGUAGES, strict=True):
            add_text(cell.paragraphs[0], LANGUAGE_NAMES[language], bold=True)
            tag_runs(cell.paragraphs[0], language)

    def row(self, fill: Callable[[_Cell, str], object]) -> None:
        """A row; ``fill(cell, language)`` writes each language's cell, whose runs are then tagged."""
        # ``Table.add_row`` as python-docx writes it, but appended: its ``add_tr`` looks for
        # the place among every row so far, and ``_Row.cells`` rebuilds the whole grid
        # (quadratic in a long text); a w:tr is the table's last kind of child anyway.
        tbl = self.table._tbl
        tr = OxmlElement("w:tr")
        tbl.append(tr)
        for grid_col in self.grid:
            tc = tr.add_tc()
            if grid_col.w is not None:
                tc.width = grid_col.w
        cells = [_Cell(tc, self.table) for tc in tr.tc_lst]
        for cell, language in zip(cells, LANGUAGES, strict=True):
            fill(cell, language)
            for p in cell.paragraphs:
                tag_runs(p, language)


def cell_paragraph(cell: _Cell, style: str | None = None) -> DocxParagraph:
    """The cell's first paragraph while it is still empty, else a new one, in
    ``style``. The style id comes from ``docx_base.style_id`` (cached): python-docx's
    own ``paragraph.style = name`` scans every style for the default one each
    time, which made a 1,000-paragraph side-by-side text take seconds."""
    first: DocxParagraph = cell.paragraphs[0]
    if len(cell.paragraphs) == 1 and not first.text and not first._p.findall(".//{*}r"):
        paragraph = first
    else:
        paragraph = cell.add_paragraph()
    if style:
        sid = style_id(cast(DocumentPart, cell.part).document, style)
        if sid is not None:
            paragraph._p.get_or_add_pPr().style = sid
    return paragraph


def styled_line(cell: _Cell, language: str, *, style: str, texts: dict[str, str]) -> None:
    """One line of ``texts[language]`` in ``style``."""
    add_text(cell_paragraph(cell, style), texts[language])


def notice_line(cell: _Cell, notice: str) -> None:
    add_text(cell_paragraph(cell), notice, italic=True, size=Pt(9))


@dataclass
class _SideBySide:
    doc: Document
    document: DocxDocument = field(default_factory=new_document)

    def run(self) -> bytes:
        doc, document = self.doc, self.document
        original = doc.original_language
        tag_document(document, original)
        document.core_properties.title = plain_text(doc.title)[:255]
        markings: dict[str, str] = {language: draft_marking(_in(doc, language)) for language in LANGUAGES}
        document.core_properties.subject = markings[original]
        letterhead(document, doc.ppt_name, original)
        if markings[original]:
            for page_section in document.sections:
                p = page_section.header.add_paragraph()
                p.alignment = WD_PARAGRAPH_ALIGNMENT.RIGHT
                add_text(p, " / ".join(markings[lang] for lang in LANGUAGES), bold=True, size=Pt(9))
        self.bullets: dict[str, int] = {lang: numbering_definition(document, "bullet") for lang in LANGUAGES}
        self.numbers: dict[str, int] = {lang: numbering_definition(document, "decimal") for lang in LANGUAGES}
        columns = Columns(document)
        block = [p for s in doc.sections if s.kind == "title" for p in s.paragraphs]
        if not block and doc.title:
            block = [Paragraph(label="", kind="title", text=doc.title, translation_status="missing")]
        for paragraph in block:
            columns.row(partial(self._paragraph, paragraph=paragraph))
        if markings[original]:
            columns.row(partial(styled_line, style="Draft Marking", texts=markings))
        for section in doc.sections:
            if section.kind == "title":
                continue
            if section.heading.strip():
                columns.row(partial(styled_line, style="Heading 1", texts=_headings(doc, section)))
            if section.kind != "operative":  # annex numbering restarts in each annex
                self.numbers = {lang: numbering_definition(document, "decimal") for lang in LANGUAGES}
            for paragraph in section.paragraphs:
                columns.row(partial(self._paragraph, paragraph=paragraph))
        if doc.explanations:
            heading = document.add_paragraph(words(original)["explanations"], style="Heading 1")
            heading.paragraph_format.page_break_before = True
            for explanation in doc.explanations:
                p = document.add_paragraph()
                add_text(p, explanation.delegation, bold=True)
                add_text(p, ": " + explanation.text)
        return save_bytes(document)

    def _paragraph(self, cell: _Cell, language: str, paragraph: Paragraph) -> None:
        content = cell_content(self.doc, paragraph, language, brackets=not self.doc.is_adopted)
        if content.table is not None and paragraph.kind == "table":
            cell_paragraph(cell)  # the cell's first paragraph stays, before the table
            width = max((len(r) for r in content.table), default=1)
            table = cell.add_table(rows=len(content.table), cols=width)
            table._tbl.tblStyle_val = style_id(self.document, "Table Grid", WD_STYLE_TYPE.TABLE)
            for i, (row, tr) in enumerate(zip(content.table, table._tbl.tr_lst, strict=True)):
                for j, tc in enumerate(tr.tc_lst):
                    add_text(DocxParagraph(tc.p_lst[0], cell), row[j] if j < len(row) else "", bold=i == 0)
            anchor = cell.paragraphs[-1]
        elif content.text:
            anchor = cell_paragraph(cell, _STYLES.get(paragraph.kind, "Normal"))
            if paragraph.kind == "operative":
                set_numbering(anchor, self.numbers[language], paragraph.level)
            elif paragraph.kind == "list_item":
                set_numbering(anchor, self.bullets[language], paragraph.level)
            add_runs(anchor, content.text, content.emphasis)
        else:
            anchor = cell_paragraph(cell)
        if content.notice:
            notice_line(cell, content.notice)
        if language == self.doc.original_language:
            for reservation in paragraph.reservations:
                add_footnote(
                    self.document, anchor, reservation_text(self.doc, reservation.delegation, reservation.text)
                )


def _headings(doc: Document, section: Section) -> dict[str, str]:
    """A section's heading in each column's language ("Anexo" | "Annex")."""
    return {lang: section.heading_in(original=lang == doc.original_language) for lang in LANGUAGES}


def _in(doc: Document, language: str) -> Document:
    """``doc`` as a one-language document for its labels (the marking)."""
    return replace(doc, language="es" if language == "es" else "en", bilingual=False)


def render_clean_side_by_side(doc: Document) -> bytes:
    """The clean declaration, Spanish and English side by side, as .docx bytes."""
    return _SideBySide(doc).run()


# -- the compilation text, side by side -------------------------------------------


def _small_line(cell: _Cell, text: str, *, italic: bool = False) -> None:
    p = cell_paragraph(cell)
    p.paragraph_format.left_indent = Pt(18)
    add_text(p, text, italic=italic, size=Pt(9))


def _compilation_cell(cell: _Cell, language: str, *, doc: Document, paragraph: Paragraph) -> None:
    if language == doc.original_language:
        text, emphasis = bracketed(paragraph)
        content = CellContent(text, emphasis, paragraph.table, "")
    else:
        content = cell_content(doc, paragraph, language, brackets=True)
    if paragraph.kind in FRAME_KINDS:
        if paragraph.kind != "title" and content.text:
            add_runs(cell_paragraph(cell, "Heading 2" if paragraph.kind == "heading" else "Place Date"), content.text)
        if content.notice:
            notice_line(cell, content.notice)
        return
    line = cell_paragraph(cell)
    if paragraph.label:
        add_text(line, paragraph.label + "\t", bold=True)
    add_runs(line, content.text, content.emphasis)
    add_text(line, (" " if content.text else "") + state_label(paragraph.state, language), italic=True)
    if content.table and paragraph.kind == "table":
        for row in content.table:
            add_text(cell_paragraph(cell), "\t".join(row))
    if content.notice:
        notice_line(cell, content.notice)
    # The alternatives (Alt 1, Alt 2 …) in both columns, as the room weighs them against each other: the
    # wording as written, named in the column's language where that is not the language it was written
    # in, and who proposed, supports and objects in the column's language. Proposals stay in the column
    # of the language they were written in.
    for number, alternative in enumerate((a for a in paragraph.alternatives if a.status not in SETTLED), start=1):
        p = cell_paragraph(cell)
        add_text(p, f"Alt {number} ({alternative.delegation})\t", bold=True)
        written_in = alternative.language or doc.original_language
        for run in add_text(p, f"[{alternative.text or alternative.kind}]"):
            tag_run(run, written_in)  # the wording keeps its language's proofing in either column
        if written_in != language:
            add_text(p, f" ({language_name(written_in, in_language=language)})", italic=True)
        _small_line(cell, attribution(alternative.delegation, alternative.supporters, alternative.objections, language))
    for proposal in paragraph.proposals:
        if proposal.status in SETTLED or (proposal.language or doc.original_language) != language:
            continue
        p = cell_paragraph(cell)
        kind = proposal_kind(proposal.kind, language)
        add_text(p, f"{kind}:" if proposal.text.strip() else kind, italic=True)
        if proposal.text.strip():
            add_text(p, f" [{proposal.text}]")
        _small_line(cell, attribution(proposal.delegation, proposal.supporters, proposal.objections, language))
        if proposal.note:
            _small_line(cell, proposal.note, italic=True)


def render_compilation_side_by_side(doc: Document) -> bytes:
    """The compilation text, Spanish and English side by side, as .docx bytes."""
    document = new_document()
    original = doc.original_language
    tag_document(document, original)
    letterhead(document, doc.ppt_name, original)
    add_text(document.add_paragraph(style="Title"), doc.title)
    columns = Columns(document)
    markings: dict[str, str] = {lang: compilation_marking(doc, lang) for lang in LANGUAGES}
    columns.row(partial(styled_line, style="Draft Marking", texts=markings))
    for section in doc.sections:
        if section.heading and section.kind != "title":
            columns.row(partial(styled_line, style="Heading 1", texts=_headings(doc, section)))
        for paragraph in section.paragraphs:
            if paragraph.kind == "title":
                continue
            columns.row(partial(_compilation_cell, doc=doc, paragraph=paragraph))
    return save_bytes(document)
