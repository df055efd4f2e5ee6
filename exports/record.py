"""The negotiation record: who did what, when, to which paragraph, as a Word table.

Times are stored in UTC and printed in the meeting's time zone, the way the
document's language writes dates ("4 de diciembre de 2026, 09:30 CST");
side by side (``bilingual``), every label is given in both languages.
"""

from __future__ import annotations

from collections.abc import Iterable

from docx.enum.section import WD_ORIENT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from exports.data import RecordEntry
from exports.docx_base import add_table, add_text, letterhead, new_document, save_bytes
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


def _what(entry: RecordEntry, language: str, bilingual: bool) -> str:
    if bilingual:
        return "\n".join(dict.fromkeys(record_verb(entry.what, lang) for lang in LANGUAGES))
    return record_verb(entry.what, language)


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
    if time_zone:
        zones = LANGUAGES if bilingual else (language,)
        add_text(document.add_paragraph(), " ".join(words(lang)["times_in"].format(zone=time_zone) for lang in zones))
    rows = [record_header(language, bilingual=bilingual)]
    rows += [
        (_when(e, language, time_zone), e.who, e.delegation, _what(e, language, bilingual), e.paragraph_label)
        for e in entries
    ]
    table = add_table(document, rows)
    # the header row repeats on every page
    table.rows[0]._tr.get_or_add_trPr().append(parse_xml(f"<w:tblHeader {nsdecls('w')}/>"))
    return save_bytes(document)
