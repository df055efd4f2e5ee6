"""The clean declaration as a Word document.

Layout follows the RCM declarations (seed ``000_b0279665a7f6544a.txt``): the
bilingual letterhead in the page header, the title, the place and date line,
unnumbered preambular paragraphs, the operative section under its heading
(e.g. DECISIONS) with real Word numbering, then the annexes (headings,
bulleted items, tables). Reservations become real footnotes; explanations of
position a final annex. A draft carries its revision label and a "Draft — not
agreed" marking under the title and in the header; the adopted text does not.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from docx.enum.text import WD_PARAGRAPH_ALIGNMENT
from docx.shared import Pt
from docx.text.paragraph import Paragraph as DocxParagraph

from exports.data import Bracket, Document, Paragraph, Section, Span
from exports.docx_base import (
    DocxDocument,
    add_footnote,
    add_runs,
    add_table,
    add_text,
    letterhead,
    new_document,
    new_paragraph,
    numbering_definition,
    plain_text,
    save_bytes,
)
from exports.language import format_date, language_name, local_time, revision_label, tag_document, words

__all__ = ["draft_marking", "render_clean", "reservation_text", "translation_notice", "with_brackets"]

_AFTER = Pt(8)  # after an operative paragraph


def _words(doc: Document) -> dict[str, str]:
    return words(doc.shown_language)


def draft_marking(doc: Document) -> str:
    """``"Rev.1 — Draft — not agreed"`` ("Proyecto cero — 4 de diciembre de 2026 —
    Borrador — no acordado" with the issue date); empty for an adopted text."""
    if doc.is_adopted:
        return ""
    language = doc.shown_language
    parts = [revision_label(doc.revision_label, language)]
    if doc.issued_at is not None:
        parts.append(format_date(local_time(doc.issued_at, doc.time_zone).date(), language))
    parts.append(_words(doc)["draft"])
    return " — ".join(p for p in parts if p)


def reservation_text(doc: Document, delegation: str, text: str) -> str:
    return _words(doc)["reservation"].format(delegation=delegation, text=text)


def translation_notice(doc: Document, paragraph: Paragraph) -> str:
    """In a document printed in the other language, what it says of a paragraph
    whose translation is missing (the original is shown) or stale; else empty."""
    if doc.bilingual or doc.shown_language == doc.original_language:
        return ""
    key = {"missing": "translation_missing", "stale": "translation_stale"}.get(paragraph.translation_status)
    if key is None:
        return ""
    return _words(doc)[key].format(language=language_name(doc.original_language, in_language=doc.shown_language))


def with_brackets(text: str, emphasis: tuple[Span, ...], brackets: tuple[Bracket, ...]) -> tuple[str, tuple[Span, ...]]:
    """Insert ``[`` and ``]`` around bracketed stretches, shifting the spans."""
    if not brackets:
        return text, emphasis
    inserts: list[tuple[int, str]] = []
    for b in brackets:
        start, end = max(0, min(b.start, len(text))), max(0, min(b.end, len(text)))
        if start < end:
            inserts += [(start, "["), (end, "]")]
    # at one offset a closing bracket comes before an opening one
    inserts.sort(key=lambda item: (item[0], item[1] == "["))

    def shift(offset: int, *, is_end: bool) -> int:
        # a bracket at a span's start goes before it, one at its end after it: never inside
        return offset + sum(1 for pos, _ in inserts if pos < offset or (pos == offset and not is_end))

    out, last = [], 0
    for pos, ch in inserts:
        out += [text[last:pos], ch]
        last = pos
    out.append(text[last:])
    spans = tuple(Span(shift(s.start, is_end=False), shift(s.end, is_end=True), s.style) for s in emphasis)
    return "".join(out), spans


@dataclass
class _Renderer:
    doc: Document
    document: DocxDocument = field(default_factory=new_document)
    bullets: int = 0
    operative: int = 0

    def run(self) -> bytes:
        doc, document = self.doc, self.document
        document.core_properties.title = plain_text(doc.title)[:255]
        tag_document(document, doc.shown_language)
        document.core_properties.subject = "" if doc.is_adopted else draft_marking(doc)
        letterhead(document, doc.ppt_name, doc.shown_language)
        marking = draft_marking(doc)
        if marking:
            for page_section in document.sections:
                p = page_section.header.add_paragraph()
                p.alignment = WD_PARAGRAPH_ALIGNMENT.RIGHT
                run = p.add_run(marking)
                run.bold = True
                run.font.size = Pt(9)
        self.bullets = numbering_definition(document, "bullet")
        self.operative = numbering_definition(document, "decimal")

        self._title_block(marking)
        for section in doc.sections:
            if section.kind != "title":
                self._section(section, page_break=section.kind == "annex")
        if doc.explanations:
            heading = document.add_paragraph(_words(doc)["explanations"], style="Heading 1")
            heading.paragraph_format.page_break_before = True
            for explanation in doc.explanations:
                p = new_paragraph(document)
                add_text(p, explanation.delegation, bold=True)
                add_text(p, ": " + explanation.text)
        return save_bytes(document)

    def _title_block(self, marking: str) -> None:
        """The revision's own title block, line by line as it stands (a
        declaration's title is often two or three lines: each is printed,
        none replaced by the declaration's one-line title), the draft marking
        before the place and date line. A revision without a title section
        (older data) gets the declaration's title and date."""
        document = self.document
        block = [p for s in self.doc.sections if s.kind == "title" for p in s.paragraphs]
        if not any(p.kind == "title" for p in block) and self.doc.title:
            block.insert(0, Paragraph(label="", kind="title", text=self.doc.title))
        if not any(p.kind == "place_date" for p in block) and self.doc.place_date:
            block.append(Paragraph(label="", kind="place_date", text=self.doc.place_date))
        marked = not marking
        for paragraph in block:
            if paragraph.kind == "title":
                self._styled(paragraph, "Title")
                continue
            if not marked:
                add_text(new_paragraph(document, "Draft Marking"), marking)
                marked = True
            if paragraph.kind == "place_date":
                self._styled(paragraph, "Place Date")
            else:
                self._paragraph(paragraph, self.operative)
        if not marked:
            add_text(new_paragraph(document, "Draft Marking"), marking)

    def _styled(self, paragraph: Paragraph, style: str) -> None:
        text, emphasis = paragraph.text, paragraph.emphasis
        if not self.doc.is_adopted:
            text, emphasis = with_brackets(text, emphasis, paragraph.brackets)
        anchor = new_paragraph(self.document, style)
        add_runs(anchor, text, emphasis)
        self._notes(paragraph, anchor)

    def _notes(self, paragraph: Paragraph, anchor: DocxParagraph) -> None:
        """Reservations, and a translation's notice, as real footnotes on the paragraph."""
        for reservation in paragraph.reservations:
            add_footnote(self.document, anchor, reservation_text(self.doc, reservation.delegation, reservation.text))
        notice = translation_notice(self.doc, paragraph)
        if notice:
            add_footnote(self.document, anchor, notice)

    def _section(self, section: Section, *, page_break: bool) -> None:
        document = self.document
        if section.heading.strip():
            heading = new_paragraph(document, "Heading 1")
            add_text(heading, section.heading)
            heading.paragraph_format.page_break_before = page_break
        # annex numbering restarts in each annex; the operative section keeps one list
        numbered = self.operative if section.kind == "operative" else numbering_definition(document, "decimal")
        for paragraph in section.paragraphs:
            self._paragraph(paragraph, numbered)

    def _paragraph(self, paragraph: Paragraph, numbered: int) -> None:
        document, doc = self.document, self.doc
        text, emphasis = paragraph.text, paragraph.emphasis
        if not doc.is_adopted:
            text, emphasis = with_brackets(text, emphasis, paragraph.brackets)
        anchor: DocxParagraph
        if paragraph.kind == "table" and paragraph.table:
            # The table alone: its text is its cells (a caption repeating
            # them printed the table twice).
            table = add_table(document, paragraph.table)
            anchor = table.rows[-1].cells[-1].paragraphs[-1]
        else:
            style = {
                "title": "Heading 1",
                "heading": "Heading 2",
                "list_item": "List Paragraph",
                "operative": "List Paragraph",
                "place_date": "Place Date",
            }.get(paragraph.kind, "Normal")
            if paragraph.kind == "operative":
                anchor = new_paragraph(document, style, numbering=(numbered, paragraph.level), space_after=_AFTER)
            elif paragraph.kind == "list_item":
                anchor = new_paragraph(document, style, numbering=(self.bullets, paragraph.level))
            else:
                anchor = new_paragraph(document, style)
            add_runs(anchor, text, emphasis)
        self._notes(paragraph, anchor)


def render_clean(doc: Document) -> bytes:
    """The clean declaration (adopted text or a draft revision) as .docx bytes:
    in ``doc.shown_language``, or side by side when ``doc.bilingual``."""
    if doc.bilingual:
        from exports.bilingual import render_clean_side_by_side  # it builds on this module

        return render_clean_side_by_side(doc)
    return _Renderer(doc).run()
