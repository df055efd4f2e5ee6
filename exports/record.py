"""The negotiation record: who did what, when, to which paragraph, as a Word table.

Times are stored in UTC and printed in the meeting's time zone, the way the
document's language writes dates ("4 de diciembre de 2026, 09:30 CST");
side by side (``bilingual``), a two-column table (es | en) as the texts
are: each entry's row gives it in Spanish on the left and in English on the
right (date and time as each language writes them, the action in each
language's words), each column tagged with its own language.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import Any

from docx.enum.section import WD_ORIENT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Pt

from exports.bilingual import Columns, cell_paragraph, styled_line
from exports.data import RecordEntry
from exports.docx_base import DocxDocument, add_table, add_text, letterhead, new_document, save_bytes
from exports.language import LANGUAGES, format_datetime, record_verb, tag_document, words

__all__ = ["RECORD_HEADER", "record_header", "render_record"]

_COLUMNS = ("record_when", "record_who", "record_delegation", "record_what", "record_paragraph")
RECORD_HEADER = tuple(words("en")[c] for c in _COLUMNS)


def record_header(language: str, *, bilingual: bool = False) -> tuple[str, ...]:
    if bilingual:
        return tuple(" / ".join(words(lang)[c] for lang in LANGUAGES) for c in _COLUMNS)
    return tuple(words(language)[c] for c in _COLUMNS)


def _when(entry: RecordEntry, language: str, time_zone: str) -> str:
    if not time_zone and entry.when.tzinfo is None:  # a hand-built record with naive times: as given
        return entry.when.strftime("%Y-%m-%d %H:%M")
    return format_datetime(entry.when, language, time_zone)


def _what(entry: RecordEntry, language: str) -> str:
    return record_verb(entry.what, language)


def _entry_cell(cell: Any, language: str, *, entry: RecordEntry, time_zone: str) -> None:
    """One entry in one language's column: when; what (and on which paragraph); who."""
    said = words(language)
    add_text(cell_paragraph(cell), _when(entry, language, time_zone), bold=True)
    what = cell_paragraph(cell)
    add_text(what, _what(entry, language))
    if entry.paragraph_label:
        add_text(what, f" — {said['record_paragraph']} {entry.paragraph_label}")
    who = cell_paragraph(cell)
    add_text(who, f"{said['record_who']}: {entry.who}", size=Pt(9))
    if entry.delegation:
        add_text(who, f" · {said['record_delegation']}: {entry.delegation}", size=Pt(9))


def _side_by_side(document: DocxDocument, entries: Iterable[RecordEntry], time_zone: str) -> None:
    columns = Columns(document)
    if time_zone:
        zones: dict[str, str] = {lang: words(lang)["times_in"].format(zone=time_zone) for lang in LANGUAGES}
        columns.row(partial(styled_line, style="Normal", texts=zones))
    names: dict[str, str] = {lang: " · ".join(words(lang)[c] for c in _COLUMNS) for lang in LANGUAGES}
    columns.row(partial(styled_line, style="Normal", texts=names))
    for entry in entries:
        columns.row(partial(_entry_cell, entry=entry, time_zone=time_zone))


def render_record(
    title: str,
    entries: Iterable[RecordEntry],
    *,
    ppt_name: str = "",
    language: str = "en",
    bilingual: bool = False,
    time_zone: str = "",
) -> bytes:
    """The record as .docx bytes: a title, then one table row per entry in the order given."""
    document = new_document()
    tag_document(document, language)
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    if ppt_name:
        letterhead(document, ppt_name, language)
    add_text(document.add_paragraph(style="Title"), title)
    if time_zone and not bilingual:
        add_text(document.add_paragraph(), words(language)["times_in"].format(zone=time_zone))
    if bilingual:
        _side_by_side(document, entries, time_zone)
        return save_bytes(document)
    rows = [record_header(language)]
    rows += [
        (_when(e, language, time_zone), e.who, e.delegation, _what(e, language), e.paragraph_label) for e in entries
    ]
    table = add_table(document, rows)
    # the header row repeats on every page
    table.rows[0]._tr.get_or_add_trPr().append(parse_xml(f"<w:tblHeader {nsdecls('w')}/>"))
    return save_bytes(document)
