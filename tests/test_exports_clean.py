"""The clean-declaration and record exports, from plain data (no database).

The data is modelled on the RCM Extraordinary Declaration of 1 April 2022
(/work/shared/seeds/000_b0279665a7f6544a.txt), with an operative section
under DECISIONS the way Vice-Ministerial declarations have one.
"""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, datetime

import docx
import pytest
from docx.document import Document as DocxDocument
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph as DocxParagraph

from exports.clean import render_clean
from exports.data import Bracket, Document, Explanation, Paragraph, RecordEntry, Reservation, Section, Span
from exports.docx_base import xml_safe
from exports.record import render_record

TITLE = (
    "Regional Conference on Migration (RCM) EXTRAORDINARY DECLARATION BEFORE THE INTERNATIONAL MIGRATION REVIEW FORUM"
)
PLACE_DATE = "Mexico City, April 1, 2022"
PREAMBLE = (
    "The heads of delegation and government authorities of Belize, Canada, Costa Rica, El Salvador, the United "
    "States, Guatemala, Honduras, Mexico, and Panama, all Member Countries of the Regional Conference on Migration "
    "(RCM), gathered in Mexico City, with the purpose of generating a regional position on the follow-up to the "
    "Global Compact for Safe, Orderly, and Regular Migration (Global Compact for Migration), as a result of the "
    "dialogues of the II Preparation Workshop for the International Migration Review Forum (IMRF), held on March 31 "
    "and April 1, 2022, have approved the following Declaration:",
    "The RCM recognizes that the Global Compact for Migration, approved at the Intergovernmental Conference held in "
    "Marrakech under the auspices of and approved by the United Nations General Assembly (UNGA), is the first global "
    "interstate instrument presenting a framework for comprehensive international cooperation on migrants and human "
    "mobility, that deals with all aspects of international migration in all its dimensions and based on ten "
    "mainstreamed principles and 23 objectives.",
)
OPERATIVE = (
    "Likewise, the RCM celebrates that the IMRF is a global quadrennial review of the Global Compact, and will first "
    "take place from May 17 to 20, 2022 at the UNGA in New York, which seeks to adopt for the first time the Progress "
    "Declaration that will be inter-governmentally negotiated.",
    "The RCM will share this declaration with the co-facilitators nominated by the UNGA President for their "
    "consideration in preparing the final IMRF statement; with the Organization of American States (OAS) as an input "
    "for the Summit of the Americas that will take place in June this year; and with the South American Conference "
    "on Migration (SACM) as input for the joint RCM-SACM meeting.",
)
ANNEX_INTRO = (
    "Regional priorities as the main elements of the Regional Action Plan for Safe, Orderly, and Regular Migration, "
    "grouped around key themes and two cross-cutting areas:"
)
BULLETS = (
    ("#8 Save lives and establish coordinated international efforts on missing migrants", "Save lives"),
    ("#7 Address and reduce vulnerabilities in migration", "reduce vulnerabilities in migration"),
    ("# 15 Provide access to basic services for migrants", "access to basic services for migrants"),
)
SUB_BULLET = "including migrants in transit"
TABLE = (
    ("Pillar", "GCM objectives"),
    ("Thematic pillar 1", "#8, #7, #15, #4, #14"),
    ("Cross-cutting areas", "#1, #23"),
)
RESERVATION = Reservation("United States", "The United States is not a party to the Global Compact for Migration.")
EXPLANATION = Explanation("Canada", "Canada joins the consensus on the understanding that the annex is indicative.")
LETTERHEAD = ("Conferencia Regional sobre Migración", "Regional Conference on Migration", "Presidency Pro-Témpore")
MARKING = "Draft — not agreed"


def _bold(text: str, phrase: str) -> tuple[Span, ...]:
    start = text.index(phrase)
    return (Span(start, start + len(phrase), "bold"),)


def declaration(*, adopted: bool = False) -> Document:
    preamble = tuple(Paragraph(f"PP{n}", "preambular", text, ()) for n, text in enumerate(PREAMBLE, start=1))
    operative = (
        Paragraph("OP1", "operative", OPERATIVE[0], (), reservations=(RESERVATION,)),
        Paragraph("OP2", "operative", OPERATIVE[1], (Span(24, 40, "italic"),)),
    )
    annex = (
        Paragraph("A1", "text", ANNEX_INTRO, ()),
        Paragraph("A2", "heading", "Thematic pillar 1", ()),
        *(Paragraph(f"A{n}", "list_item", text, _bold(text, b)) for n, (text, b) in enumerate(BULLETS, start=3)),
        Paragraph("A6", "list_item", SUB_BULLET, (), level=1),
        Paragraph("A7", "table", "", (), table=TABLE),
    )
    return Document(
        title=TITLE,
        place_date=PLACE_DATE,
        ppt_name="El Salvador",
        revision_label="" if adopted else "Rev.1",
        is_adopted=adopted,
        original_language="en",
        sections=(
            Section("title", "", (Paragraph("T1", "title", TITLE, ()), Paragraph("T2", "place_date", PLACE_DATE, ()))),
            Section("preamble", "", preamble),
            Section("operative", "DECISIONS", operative),
            Section("annex", "ANNEX", annex),
        ),
        explanations=(EXPLANATION,),
    )


def reopen(data: bytes) -> DocxDocument:
    assert data[:2] == b"PK"
    return docx.Document(io.BytesIO(data))


def body_texts(document: DocxDocument) -> list[str]:
    return [p.text for p in document.paragraphs if p.text.strip()]


def header_texts(document: DocxDocument) -> list[str]:
    return [p.text for s in document.sections for p in s.header.paragraphs]


def style_name(paragraph: DocxParagraph) -> str:
    return paragraph.style.name if paragraph.style is not None else ""


def paragraph_with(document: DocxDocument, text: str) -> DocxParagraph:
    (found,) = [p for p in document.paragraphs if p.text == text]
    return found


def num_format(document: DocxDocument, paragraph: DocxParagraph) -> tuple[str, int]:
    """The w:numFmt of the paragraph's list level, and the level."""
    num_pr = paragraph._p.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
    assert num_pr is not None, f"no w:numPr on {paragraph.text[:40]!r}"
    num_id = num_pr.find(qn("w:numId")).get(qn("w:val"))
    ilvl = int(num_pr.find(qn("w:ilvl")).get(qn("w:val")))
    numbering = document.part.numbering_part.element
    (num,) = [n for n in numbering.findall(qn("w:num")) if n.get(qn("w:numId")) == num_id]
    abstract_id = num.find(qn("w:abstractNumId")).get(qn("w:val"))
    (abstract,) = [a for a in numbering.findall(qn("w:abstractNum")) if a.get(qn("w:abstractNumId")) == abstract_id]
    (lvl,) = [lv for lv in abstract.findall(qn("w:lvl")) if lv.get(qn("w:ilvl")) == str(ilvl)]
    return str(lvl.find(qn("w:numFmt")).get(qn("w:val"))), ilvl


def test_paragraph_texts_in_order() -> None:
    document = reopen(render_clean(declaration()))
    assert body_texts(document) == [
        TITLE,
        f"Rev.1 — {MARKING}",
        PLACE_DATE,
        *PREAMBLE,
        "DECISIONS",
        *OPERATIVE,
        "ANNEX",
        ANNEX_INTRO,
        "Thematic pillar 1",
        *(text for text, _ in BULLETS),
        SUB_BULLET,
        "EXPLANATIONS OF POSITION",
        f"{EXPLANATION.delegation}: {EXPLANATION.text}",
    ]
    assert style_name(paragraph_with(document, TITLE)) == "Title"
    assert style_name(paragraph_with(document, "DECISIONS")) == "Heading 1"


def test_letterhead_is_in_the_header_not_the_body() -> None:
    document = reopen(render_clean(declaration(adopted=True)))
    body = body_texts(document)
    for line in LETTERHEAD:
        assert line not in body  # no paragraph of its own (the title merely cites the RCM)
    assert not any(LETTERHEAD[0] in t or LETTERHEAD[2] in t for t in body)
    header = "\n".join(header_texts(document))
    assert LETTERHEAD[0] in header and LETTERHEAD[1] in header
    assert "El Salvador • Presidency Pro-Témpore" in header


def test_preambular_paragraphs_are_not_numbered() -> None:
    document = reopen(render_clean(declaration()))
    for text in PREAMBLE:
        assert paragraph_with(document, text)._p.find(f"{qn('w:pPr')}/{qn('w:numPr')}") is None


def test_operative_paragraphs_carry_real_decimal_numbering() -> None:
    document = reopen(render_clean(declaration()))
    ids = set()
    for text in OPERATIVE:
        paragraph = paragraph_with(document, text)
        assert num_format(document, paragraph) == ("decimal", 0)
        assert not paragraph.text[:1].isdigit()  # no typed digits
        ids.add(paragraph._p.find(f"{qn('w:pPr')}/{qn('w:numPr')}/{qn('w:numId')}").get(qn("w:val")))
    assert len(ids) == 1  # one list: 1., 2.


def test_list_items_carry_bullet_numbering_with_levels() -> None:
    document = reopen(render_clean(declaration()))
    for text, _ in BULLETS:
        assert num_format(document, paragraph_with(document, text)) == ("bullet", 0)
    assert num_format(document, paragraph_with(document, SUB_BULLET)) == ("bullet", 1)


def test_bold_and_italic_runs_follow_the_spans() -> None:
    document = reopen(render_clean(declaration()))
    for text, phrase in BULLETS:
        runs = paragraph_with(document, text).runs
        assert [r.text for r in runs if r.bold] == [phrase]
        assert "".join(r.text for r in runs if not r.bold) == text.replace(phrase, "")
    runs = paragraph_with(document, OPERATIVE[1]).runs
    assert [r.text for r in runs if r.italic] == [OPERATIVE[1][24:40]]
    assert not any(r.bold for r in paragraph_with(document, PREAMBLE[0]).runs)


def test_table_becomes_a_word_table() -> None:
    document = reopen(render_clean(declaration()))
    (table,) = document.tables
    assert [[c.text for c in row.cells] for row in table.rows] == [list(r) for r in TABLE]


def test_draft_marking_present_for_a_draft_absent_when_adopted() -> None:
    draft = reopen(render_clean(declaration()))
    assert f"Rev.1 — {MARKING}" in body_texts(draft)
    assert any(MARKING in t for t in header_texts(draft))
    adopted = reopen(render_clean(declaration(adopted=True)))
    everything = body_texts(adopted) + header_texts(adopted)
    assert not any(MARKING in t or "Rev." in t for t in everything)
    assert body_texts(adopted)[:2] == [TITLE, PLACE_DATE]


def test_brackets_show_in_a_draft_only() -> None:
    text = OPERATIVE[0]
    start = text.index("for the first time")
    bracketed = Paragraph("OP1", "operative", text, _bold(text, "first time"), brackets=(Bracket(start, start + 18),))
    base = declaration()
    sections = tuple(replace(s, paragraphs=(bracketed,)) if s.kind == "operative" else s for s in base.sections)
    draft = reopen(render_clean(replace(base, sections=sections)))
    shown = text.replace("for the first time", "[for the first time]")
    assert [r.text for r in paragraph_with(draft, shown).runs if r.bold] == ["first time"]
    adopted = reopen(render_clean(replace(base, sections=sections, is_adopted=True)))
    assert paragraph_with(adopted, text)


def test_reservation_is_a_real_footnote_on_its_paragraph() -> None:
    document = reopen(render_clean(declaration()))
    part = document.part.part_related_by(RT.FOOTNOTES)
    assert part.content_type.endswith("footnotes+xml")
    footnotes = parse_xml(part.blob)
    notes = {
        f.get(qn("w:id")): "".join(footnotes_text.text or "" for footnotes_text in f.iter(qn("w:t")))
        for f in footnotes.findall(qn("w:footnote"))
        if f.get(qn("w:type")) is None
    }
    expected = f"Reservation by {RESERVATION.delegation}: {RESERVATION.text}"
    (note_id,) = [i for i, t in notes.items() if t.strip() == expected]
    references = {
        p.text: [r.get(qn("w:id")) for r in p._p.iter(qn("w:footnoteReference"))] for p in document.paragraphs
    }
    assert references[OPERATIVE[0]] == [note_id]
    assert sum(len(ids) for ids in references.values()) == 1


def test_no_footnotes_part_without_reservations() -> None:
    base = declaration()
    sections = tuple(
        replace(s, paragraphs=tuple(replace(p, reservations=()) for p in s.paragraphs)) for s in base.sections
    )
    document = reopen(render_clean(replace(base, sections=sections)))
    with pytest.raises(KeyError):
        document.part.part_related_by(RT.FOOTNOTES)


def test_explanations_of_position_close_the_document() -> None:
    document = reopen(render_clean(declaration()))
    texts = body_texts(document)
    assert texts[-2:] == ["EXPLANATIONS OF POSITION", f"{EXPLANATION.delegation}: {EXPLANATION.text}"]
    heading = paragraph_with(document, "EXPLANATIONS OF POSITION")
    assert style_name(heading) == "Heading 1"
    assert [r.text for r in document.paragraphs[-1].runs if r.bold] == [EXPLANATION.delegation]
    no_explanations = reopen(render_clean(replace(declaration(), explanations=())))
    assert "EXPLANATIONS OF POSITION" not in body_texts(no_explanations)


def test_control_characters_render_without_error() -> None:
    text = "Save\x01 lives\vand establish\fcoordinated\x00 efforts\ufffe"
    base = declaration()
    sections = (
        # the revision's own title paragraph is what the title block prints
        Section("title", "", (Paragraph("T1", "title", "Title\x1f", ()),)),
        base.sections[1],
        Section("operative", "DECISIONS\x02", (Paragraph("OP1", "operative", text, (Span(6, 11, "bold"),)),)),
    )
    data = render_clean(replace(base, title="Title\x1f", sections=sections, explanations=(Explanation("X\x03", "y"),)))
    document = reopen(data)
    paragraph = next(p for p in document.paragraphs if p.text.startswith("Save"))
    assert paragraph.text == "Save lives\nand establishcoordinated efforts"
    assert [r.text for r in paragraph.runs if r.bold] == ["lives"]
    breaks = [b.get(qn("w:type")) for b in paragraph._p.iter(qn("w:br"))]
    assert breaks == [None, "page"]
    assert "Title" in body_texts(document)
    assert "DECISIONS" in body_texts(document)


def test_xml_safe() -> None:
    assert xml_safe("a\x01b\vc\r\nd\fe\x00") == "ab\nc\nd\fe"
    assert xml_safe("Migración • ü\t") == "Migración • ü\t"


def test_record_table_rows() -> None:
    entries = [
        RecordEntry(datetime(2022, 3, 31, 10, 5, tzinfo=UTC), "delegate.mx", "Mexico", "proposed an amendment", "OP1"),
        RecordEntry(datetime(2022, 3, 31, 11, 40, tzinfo=UTC), "delegate.us", "United States", "objected\x01", "OP1"),
        RecordEntry(datetime(2022, 4, 1, 9, 0, tzinfo=UTC), "ppt.sv", "El Salvador", "issued Rev.1", ""),
    ]
    document = reopen(render_record("Negotiation record — IMRF declaration", entries))
    assert body_texts(document) == ["Negotiation record — IMRF declaration"]
    (table,) = document.tables
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows == [
        ["When", "Who", "Delegation", "What", "Paragraph"],
        ["31 March 2022, 10:05 UTC", "delegate.mx", "Mexico", "proposed an amendment", "OP1"],
        ["31 March 2022, 11:40 UTC", "delegate.us", "United States", "objected", "OP1"],
        ["1 April 2022, 09:00 UTC", "ppt.sv", "El Salvador", "issued Rev.1", ""],
    ]
    assert all(r.bold for r in table.rows[0].cells[0].paragraphs[0].runs)


def test_empty_record_has_the_header_row() -> None:
    document = reopen(render_record("Record", []))
    (table,) = document.tables
    assert len(table.rows) == 1


def test_every_paragraph_once_in_order_and_the_revisions_own_title_lines() -> None:
    # Given a revision whose title block is two lines and whose text table has its text set too
    base = declaration(adopted=True)
    title_block = Section(
        "title",
        "",
        (
            Paragraph("T1", "title", "XXIX VICE-MINISTERIAL MEETING"),
            Paragraph("T2", "title", "DECLARATION OF GUATEMALA CITY"),
            Paragraph("T3", "place_date", PLACE_DATE),
        ),
    )
    table_text = "\n".join("\t".join(row) for row in TABLE)
    annex = replace(
        base.sections[3],
        paragraphs=tuple(replace(p, text=table_text) if p.kind == "table" else p for p in base.sections[3].paragraphs),
    )
    doc = replace(base, title="Declaration of Guatemala City", sections=(title_block, *base.sections[1:3], annex))
    document = reopen(render_clean(doc))
    # Then the body is the title block as the revision has it, the section
    # headings and the paragraphs, each once and in order; the table is the
    # Word table alone (no caption repeating its cells), then the explanations
    expected: list[str] = []
    for section in doc.sections:
        expected += [section.heading] if section.heading else []
        expected += [p.text for p in section.paragraphs if p.kind != "table"]
    expected += ["EXPLANATIONS OF POSITION", f"{EXPLANATION.delegation}: {EXPLANATION.text}"]
    assert body_texts(document) == expected
    assert "Declaration of Guatemala City" not in body_texts(document)
    assert [[c.text for c in row.cells] for row in document.tables[0].rows] == [list(r) for r in TABLE]
    assert not any(p.style is not None and p.style.name == "Caption" for p in document.paragraphs)
