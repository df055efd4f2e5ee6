"""The negotiation record: who did what, when, to which paragraph, as a Word table."""

from __future__ import annotations

from collections.abc import Iterable

from docx.enum.section import WD_ORIENT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from exports.data import RecordEntry
from exports.docx_base import add_table, add_text, letterhead, new_document, save_bytes

__all__ = ["RECORD_HEADER", "render_record"]

RECORD_HEADER = ("When", "Who", "Delegation", "What", "Paragraph")


def _when(entry: RecordEntry) -> str:
    return entry.when.strftime("%Y-%m-%d %H:%M") + (f" {entry.when.tzname()}" if entry.when.tzinfo else "")


def render_record(title: str, entries: Iterable[RecordEntry], *, ppt_name: str = "") -> bytes:
    """The record as .docx bytes: a title, then one table row per entry in the order given."""
    document = new_document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    if ppt_name:
        letterhead(document, ppt_name)
    add_text(document.add_paragraph(style="Title"), title)
    rows = [RECORD_HEADER]
    rows += [(_when(e), e.who, e.delegation, e.what, e.paragraph_label) for e in entries]
    table = add_table(document, rows)
    # the header row repeats on every page
    table.rows[0]._tr.get_or_add_trPr().append(parse_xml(f"<w:tblHeader {nsdecls('w')}/>"))
    return save_bytes(document)
