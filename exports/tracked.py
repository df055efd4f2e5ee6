"""Track changes of one revision against the previous one, as real Word revision marks.

Word shows a revision with insertions underlined and deletions struck through
and lets the reader accept or reject them; for that the marks must be real
``w:ins``/``w:del`` elements, not formatting. python-docx has no API for them,
so the runs are built here as oxml elements.

Paragraphs are matched by id (:func:`drafting.textengine.revision_diff`) and a
changed paragraph is marked word by word (:func:`drafting.textengine.word_diff`).
An inserted paragraph is wholly inside ``w:ins`` with its paragraph mark
inserted; a deleted one wholly inside ``w:del`` with its mark deleted; a moved
paragraph is shown deleted where it was and inserted where it is now. Accepting
every change gives exactly the new revision's paragraphs, rejecting every change
exactly the old one's (texts made XML-safe first).

Each change is attributed (``w:author``) to the delegation whose accepted
proposal made it, given on the new paragraph, or else to ``default_author``
(the PPT); deleted paragraphs to ``deleted_by`` when given, else the default.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from itertools import count
from typing import Literal, cast

from docx.document import Document as DocxDocument
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.table import _Cell
from docx.text.paragraph import Paragraph as DocxParagraph
from lxml.etree import SubElement  # type: ignore[import-untyped]

from drafting.textengine import DiffOp, revision_diff, word_diff
from exports.bilingual import Columns, cell_paragraph
from exports.docx_base import letterhead, new_document, new_paragraph, plain_text, save_bytes
from exports.language import other_language, revision_label, tag_document, words

ParagraphId = int | str
MarkKind = Literal["ins", "del"]

__all__ = ["TrackedParagraph", "render_tracked", "word_date"]


@dataclass(frozen=True)
class TrackedParagraph:
    """One paragraph of a revision: a stable ``id`` (the same across revisions), its
    printed ``label`` (PP1, OP3 bis), its plain ``text``, and who made this wording
    and when (``author``/``date``; ``None`` means the PPT at the revision's date)."""

    id: ParagraphId
    label: str
    text: str
    author: str | None = None
    date: datetime | None = None
    # Side by side: the same paragraph's text in the other language (None: one language only).
    other_text: str | None = None


@dataclass(frozen=True)
class _Mark:
    author: str
    date: datetime


@dataclass(frozen=True)
class _Row:
    """One paragraph of the marked-up document."""

    kind: Literal["kept", "inserted", "deleted"]
    old: TrackedParagraph | None
    new: TrackedParagraph | None
    mark: _Mark


def word_date(when: datetime) -> str:
    """``when`` as Word writes ``w:date``: ISO 8601 in UTC, to the second (naive means UTC)."""
    if when.tzinfo is not None:
        when = when.astimezone(UTC)
    return when.replace(tzinfo=None, microsecond=0).isoformat() + "Z"


def _clean(paragraph: TrackedParagraph) -> TrackedParagraph:
    return TrackedParagraph(
        paragraph.id,
        plain_text(paragraph.label),
        plain_text(paragraph.text),
        plain_text(paragraph.author) if paragraph.author is not None else None,
        paragraph.date,
        plain_text(paragraph.other_text) if paragraph.other_text is not None else None,
    )


def _rows(
    old: Sequence[TrackedParagraph],
    new: Sequence[TrackedParagraph],
    default: _Mark,
    deleted_by: Mapping[ParagraphId, tuple[str, datetime | None]],
) -> list[_Row]:
    """Merge the two revisions into one reading order.

    Paragraphs kept in place (unchanged or changed) anchor both orders; between
    two anchors come first the paragraphs only in the old order (deleted, or
    moved away), then those only in the new order (inserted, or moved here).
    Dropping the inserted rows gives the old order, dropping the deleted ones
    the new order.
    """
    diff = revision_diff([(p.id, p.text) for p in old], [(p.id, p.text) for p in new])
    status = {change.id: change.status for change in diff.changes}
    old_by_id = {p.id: p for p in old}

    def mark_for(paragraph: TrackedParagraph) -> _Mark:
        return _Mark(paragraph.author or default.author, paragraph.date or default.date)

    new_by_id = {p.id: p for p in new}
    before: dict[ParagraphId | None, list[_Row]] = {}  # rows after an anchor (None: before the first)
    anchor: ParagraphId | None = None
    for paragraph in old:
        if status[paragraph.id] in ("unchanged", "changed"):
            anchor = paragraph.id
        elif status[paragraph.id] == "deleted":
            who, when = deleted_by.get(paragraph.id, (default.author, None))
            before.setdefault(anchor, []).append(_Row("deleted", paragraph, None, _Mark(who, when or default.date)))
        else:  # moved away from here
            mark = mark_for(new_by_id[paragraph.id])
            before.setdefault(anchor, []).append(_Row("deleted", paragraph, None, mark))
    after: dict[ParagraphId | None, list[_Row]] = {}
    anchor = None
    for paragraph in new:
        if status[paragraph.id] in ("unchanged", "changed"):
            anchor = paragraph.id
        else:  # inserted, or moved here
            after.setdefault(anchor, []).append(_Row("inserted", None, paragraph, mark_for(paragraph)))
    rows = [*before.get(None, []), *after.get(None, [])]
    for paragraph in new:
        if status[paragraph.id] in ("unchanged", "changed"):
            rows.append(_Row("kept", old_by_id[paragraph.id], paragraph, mark_for(paragraph)))
            rows.extend(before.get(paragraph.id, []))
            rows.extend(after.get(paragraph.id, []))
    return rows


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
W_PPR, W_R, W_RPR, W_B, W_T, W_DELTEXT, W_TAB, W_BR = (
    f"{_W}{t}" for t in ("pPr", "r", "rPr", "b", "t", "delText", "tab", "br")
)
W_ID, W_AUTHOR, W_DATE = f"{_W}id", f"{_W}author", f"{_W}date"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_TAB_OR_BREAK = re.compile(r"([\t\n])")


class _Marker:
    """Builds runs and revision marks straight into their parent element (lxml
    ``SubElement``: python-docx's ``OxmlElement`` would parse-build each one
    apart), numbering the marks (``w:id``) uniquely in document order."""

    def __init__(self) -> None:
        self._ids = count(1)
        self._dates: dict[datetime, str] = {}

    def mark(self, parent: BaseOxmlElement, kind: MarkKind, mark: _Mark) -> BaseOxmlElement:
        """A ``w:ins``/``w:del`` appended to ``parent``, attributed and dated."""
        date = self._dates.get(mark.date)
        if date is None:
            date = self._dates[mark.date] = word_date(mark.date)
        attributes = {W_ID: str(next(self._ids)), W_AUTHOR: mark.author, W_DATE: date}
        return cast(BaseOxmlElement, SubElement(parent, f"{_W}{kind}", attributes))

    @staticmethod
    def run(parent: BaseOxmlElement, text: str, *, deleted: bool = False, bold: bool = False) -> None:
        """A run of ``text`` appended to ``parent``: tabs become ``w:tab``, line breaks
        ``w:br``, the rest ``w:t`` (``w:delText`` when ``deleted``)."""
        run = SubElement(parent, W_R)
        if bold:
            SubElement(SubElement(run, W_RPR), W_B)
        pieces = _TAB_OR_BREAK.split(text) if "\t" in text or "\n" in text else (text,)
        for piece in pieces:
            if piece == "\t":
                SubElement(run, W_TAB)
            elif piece == "\n":
                SubElement(run, W_BR)
            elif piece:
                node = SubElement(run, W_DELTEXT if deleted else W_T)
                node.text = piece
                node.set(XML_SPACE, "preserve")

    def mark_paragraph(self, paragraph: DocxParagraph, kind: MarkKind, mark: _Mark) -> None:
        """Mark the paragraph mark itself as inserted or deleted (``w:pPr/w:rPr/w:ins|w:del``)."""
        p = paragraph._p
        properties = p.find(W_PPR)
        if properties is None:
            properties = SubElement(p, W_PPR)
            p.insert(0, properties)  # w:pPr comes first
        run_properties = properties.find(W_RPR)
        if run_properties is None:
            run_properties = OxmlElement("w:rPr")
            properties.insert_element_before(run_properties, "w:sectPr", "w:pPrChange")
        wrapper = self.mark(run_properties, kind, mark)
        run_properties.insert(0, wrapper)


def _label_runs(marker: _Marker, p: BaseOxmlElement, row: _Row) -> None:
    """The label and its tab: plain when the same in both revisions, else old label deleted, new inserted."""
    old_label = row.old.label if row.old else ""
    new_label = row.new.label if row.new else ""
    if old_label == new_label:
        if new_label:
            marker.run(p, new_label, bold=True)
            marker.run(p, "\t")
        return
    if old_label:
        marker.run(marker.mark(p, "del", row.mark), old_label + "\t", deleted=True, bold=True)
    if new_label:
        marker.run(marker.mark(p, "ins", row.mark), new_label + "\t", bold=True)


def _text_runs(marker: _Marker, p: BaseOxmlElement, ops: Sequence[DiffOp], mark: _Mark) -> None:
    for op in ops:
        if not op.text:
            continue
        if op.kind == "equal":
            marker.run(p, op.text)
        elif op.kind == "delete":
            marker.run(marker.mark(p, "del", mark), op.text, deleted=True)
        else:
            marker.run(marker.mark(p, "ins", mark), op.text)


def _render_row(document: DocxDocument, marker: _Marker, row: _Row) -> None:
    _render_row_into(new_paragraph(document), marker, row)


def _other(row: _Row) -> _Row:
    """The row with each paragraph's other-language text in place of its text."""

    def swap(p: TrackedParagraph | None) -> TrackedParagraph | None:
        return replace(p, text=p.other_text or "", other_text=p.text) if p is not None else None

    return _Row(row.kind, swap(row.old), swap(row.new), row.mark)


def _render_row_into(paragraph: DocxParagraph, marker: _Marker, row: _Row) -> None:
    element = paragraph._p
    if row.kind == "kept":
        assert row.old is not None and row.new is not None
        _label_runs(marker, element, row)
        ops = word_diff(row.old.text, row.new.text).ops if row.old.text != row.new.text else ()
        if ops:
            _text_runs(marker, element, ops, row.mark)
        else:
            marker.run(element, row.new.text)
    elif row.kind == "inserted":
        assert row.new is not None
        wrapper = marker.mark(element, "ins", row.mark)
        if row.new.label:
            marker.run(wrapper, row.new.label, bold=True)
            marker.run(wrapper, "\t")
        marker.run(wrapper, row.new.text)
        marker.mark_paragraph(paragraph, "ins", row.mark)
    else:
        assert row.old is not None
        wrapper = marker.mark(element, "del", row.mark)
        if row.old.label:
            marker.run(wrapper, row.old.label, deleted=True, bold=True)
            marker.run(wrapper, "\t")
        marker.run(wrapper, row.old.text, deleted=True)
        marker.mark_paragraph(paragraph, "del", row.mark)


def _track_revisions(document: DocxDocument) -> None:
    """Switch track changes on, so further edits in Word are tracked too."""
    settings = document.settings.element
    if settings.find(qn("w:trackRevisions")) is None:
        successors = (
            "w:doNotTrackMoves",
            "w:doNotTrackFormatting",
            "w:documentProtection",
            "w:autoFormatOverride",
            "w:styleLockTheme",
            "w:styleLockQFSet",
            "w:defaultTabStop",
            "w:autoHyphenation",
            "w:consecutiveHyphenLimit",
            "w:hyphenationZone",
            "w:doNotHyphenateCaps",
            "w:showEnvelope",
            "w:summaryLength",
            "w:clickAndTypeStyle",
            "w:defaultTableStyle",
            "w:evenAndOddHeaders",
            "w:bookFoldRevPrinting",
            "w:bookFoldPrinting",
            "w:bookFoldPrintingSheets",
            "w:drawingGridHorizontalSpacing",
            "w:drawingGridVerticalSpacing",
            "w:displayHorizontalDrawingGridEvery",
            "w:displayVerticalDrawingGridEvery",
            "w:doNotUseMarginsForDrawingGridOrigin",
            "w:drawingGridHorizontalOrigin",
            "w:drawingGridVerticalOrigin",
            "w:doNotShadeFormData",
            "w:noPunctuationKerning",
            "w:characterSpacingControl",
            "w:printTwoOnOne",
            "w:strictFirstAndLastChars",
            "w:noLineBreaksAfter",
            "w:noLineBreaksBefore",
            "w:savePreviewPicture",
            "w:doNotValidateAgainstSchema",
            "w:saveInvalidXml",
            "w:ignoreMixedContent",
            "w:alwaysShowPlaceholderText",
            "w:doNotDemarcateInvalidXml",
            "w:saveXmlDataOnly",
            "w:useXSLTWhenSaving",
            "w:saveThroughXslt",
            "w:showXMLTags",
            "w:alwaysMergeEmptyNamespace",
            "w:updateFields",
            "w:hdrShapeDefaults",
            "w:footnotePr",
            "w:endnotePr",
            "w:compat",
            "w:docVars",
            "w:rsids",
            "m:mathPr",
            "w:attachedSchema",
            "w:themeFontLang",
            "w:clrSchemeMapping",
            "w:doNotIncludeSubdocsInStats",
            "w:doNotAutoCompressPictures",
            "w:forceUpgrade",
            "w:captions",
            "w:readModeInkLockDown",
            "w:smartTagType",
            "sl:schemaLibrary",
            "w:shapeDefaults",
            "w:doNotEmbedSmartTags",
            "w:decimalSymbol",
            "w:listSeparator",
        )
        settings.insert_element_before(OxmlElement("w:trackRevisions"), *successors)


def tracked_heading(title: str, revisions: tuple[str, str] | None, language: str) -> str:
    """ "Declaration — Rev.1 against Zero draft" / "Declaración — Rev.1 frente a Proyecto cero"."""
    if revisions is None:
        return title
    new, old = (revision_label(label, language) for label in revisions)
    return f"{title} — {words(language)['against'].format(new=new, old=old)}"


def render_tracked(
    old: Sequence[TrackedParagraph],
    new: Sequence[TrackedParagraph],
    *,
    default_author: str,
    default_date: datetime,
    title: str = "Track changes",
    ppt_name: str | None = None,
    deleted_by: Mapping[ParagraphId, tuple[str, datetime | None]] | None = None,
    revisions: tuple[str, str] | None = None,
    language: str = "en",
    bilingual: bool = False,
    time_zone: str = "",
) -> bytes:
    """Render ``new`` against ``old`` as a .docx with Word revision marks; returns the file's bytes.

    ``default_author``/``default_date`` attribute changes whose paragraph names no
    author or date (the PPT at the revision's issue). ``deleted_by`` attributes a
    deleted paragraph (by id) to whoever deleted it; ``ppt_name`` goes in the
    letterhead (default: ``default_author``). Texts are made XML-safe (characters
    illegal in XML dropped, page breaks read as line breaks). Raises :class:`ValueError`
    on a duplicate paragraph id.

    ``language`` is the texts' language (labels, ``w:lang``); ``revisions`` (new
    label, old label) is added to the heading in it. With ``bilingual`` each
    paragraph's ``other_text`` is marked against its old ``other_text`` in the
    second column of a two-column table (es | en). ``time_zone`` is accepted for
    symmetry with the other renderers: ``w:date`` is UTC, as Word wants it.
    """
    del time_zone  # w:date is always written in UTC; Word shows it in the reader's zone
    default = _Mark(plain_text(default_author), default_date)
    old_clean = [_clean(p) for p in old]
    new_clean = [_clean(p) for p in new]
    deletions = {pid: (plain_text(who), when) for pid, (who, when) in (deleted_by or {}).items()}
    rows = _rows(old_clean, new_clean, default, deletions)
    document = new_document()
    tag_document(document, language)
    letterhead(document, ppt_name if ppt_name is not None else default_author, language)
    document.add_heading(plain_text(tracked_heading(title, revisions, language)), level=1)
    marker = _Marker()
    if bilingual:
        columns = Columns(document)
        other = other_language(language)
        for row in rows:
            by_language = {language: row, other: _other(row)}

            def fill(cell: _Cell, lang: str, by_language: dict[str, _Row] = by_language) -> None:
                _render_row_into(cell_paragraph(cell), marker, by_language[lang])

            columns.row(fill)
    else:
        for row in rows:
            _render_row(document, marker, row)
    _track_revisions(document)
    return save_bytes(document)
