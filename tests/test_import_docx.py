"""Importing Word: each feature a real draft uses, in a file built here with
python-docx and raw WordprocessingML. No database needed."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

import docx
import pytest
from docx.document import Document as DocxDocument
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.text.paragraph import Paragraph

from drafting.importing import ImportResult, UnreadableDocument, read_document


def _save(document: DocxDocument) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _body_xml(document: DocxDocument, xml: str) -> None:
    """Append raw WordprocessingML (paragraphs, tables, content controls) to the body."""
    body = document.element.body
    element = parse_xml(f"<w:body {nsdecls('w')}>{xml}</w:body>")
    for child in list(element):
        body.sectPr.addprevious(child) if body.sectPr is not None else body.append(child)


def _numbering(document: DocxDocument, xml: str) -> None:
    """Add abstract numberings (before the first w:num, as the schema orders them) and nums."""
    numbering = document.part.numbering_part.element
    fragment = parse_xml(f"<w:numbering {nsdecls('w')}>{xml}</w:numbering>")
    first_num = numbering.find(qn("w:num"))
    for child in list(fragment):
        if child.tag == qn("w:abstractNum") and first_num is not None:
            first_num.addprevious(child)
        else:
            numbering.append(child)


def _numbered(document: DocxDocument, text: str, num_id: int, ilvl: int = 0) -> Paragraph:
    p = document.add_paragraph(text)
    num_pr = p._p.get_or_add_pPr().get_or_add_numPr()
    num_pr.get_or_add_ilvl().val = ilvl
    num_pr.get_or_add_numId().val = num_id
    return p


def _texts(result: ImportResult) -> list[str]:
    return [p.text for p in result.paragraphs()]


LEVELS = (
    '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl>'
    '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="(%2)"/></w:lvl>'
    '<w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="lowerRoman"/><w:lvlText w:val="%1.%2.%3"/></w:lvl>'
)


def test_numbering_with_sub_levels_and_a_restart_gives_words_labels() -> None:
    # Given operative paragraphs numbered 1., (a), (b), i …, then a list that
    # the author restarted at 1 (a second w:num with a startOverride)
    document = docx.Document()
    document.add_paragraph("Declaration of Panama", style="Title")
    document.add_paragraph("DECISIONS", style="Heading 1")
    _numbering(
        document,
        f'<w:abstractNum w:abstractNumId="90">{LEVELS}</w:abstractNum>'
        '<w:num w:numId="91"><w:abstractNumId w:val="90"/></w:num>'
        '<w:num w:numId="92"><w:abstractNumId w:val="90"/>'
        '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>',
    )
    for text, num, ilvl in [
        ("Reaffirm the commitment.", 91, 0),
        ("Promote regular pathways:", 91, 0),
        ("labour mobility;", 91, 1),
        ("seasonal work;", 91, 2),
        ("family reunification.", 91, 1),
        ("Thank the PPT.", 91, 0),
        ("Request the TS to report.", 92, 0),
        ("with figures;", 92, 1),
        ("Close the meeting.", 92, 0),
    ]:
        _numbered(document, text, num, ilvl)
    # When it is imported
    result = read_document(_save(document), filename="decisions.docx")
    # Then the labels are Word's (sub-levels restart under each parent, the
    # second list starts again at 1), every item is an operative paragraph
    operative = result.sections[1]
    assert (operative.kind, operative.heading) == ("operative", "DECISIONS")
    assert [(p.source_label, p.level, p.kind) for p in operative.paragraphs] == [
        ("1.", 0, "operative"),
        ("2.", 0, "operative"),
        ("(a)", 1, "operative"),
        ("2.a.i", 2, "operative"),  # %2 shows level 2 in its own format, as Word does
        ("(b)", 1, "operative"),
        ("3.", 0, "operative"),
        ("1.", 0, "operative"),
        ("(a)", 1, "operative"),
        ("2.", 0, "operative"),
    ]
    assert operative.paragraphs[0].text == "Reaffirm the commitment."  # the label is not in the text
    # and the restart is reported: Consenso numbers OP1 … OP6 in one sequence
    assert [w.code for w in result.warnings if w.code == "numbering_restart"] == ["numbering_restart"]


def test_a_style_numbered_list_is_numbered_through_the_style_chain() -> None:
    # Given a paragraph style "Decision" that carries the numbering (the
    # paragraphs have no w:numPr of their own), and a style based on it
    document = docx.Document()
    _numbering(
        document,
        '<w:abstractNum w:abstractNumId="80"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="upperRoman"/>'
        '<w:pStyle w:val="Decision"/><w:lvlText w:val="%1."/></w:lvl></w:abstractNum>'
        '<w:num w:numId="81"><w:abstractNumId w:val="80"/></w:num>',
    )
    styles = document.styles.element
    styles.append(
        parse_xml(
            f'<w:style {nsdecls("w")} w:type="paragraph" w:styleId="Decision"><w:name w:val="Decision"/>'
            '<w:basedOn w:val="Normal"/><w:pPr><w:numPr><w:numId w:val="81"/></w:numPr></w:pPr></w:style>'
        )
    )
    styles.append(
        parse_xml(
            f'<w:style {nsdecls("w")} w:type="paragraph" w:styleId="DecisionBold"><w:name w:val="Decision Bold"/>'
            '<w:basedOn w:val="Decision"/><w:rPr><w:b/></w:rPr></w:style>'
        )
    )
    document.add_paragraph("Declaration of Tegucigalpa", style="Title")
    document.add_paragraph("Recalling the Puebla Process,")
    document.add_paragraph("Adopt the Regional Action Plan.", style="Decision")
    document.add_paragraph("Renew the mandate of the working groups.", style="Decision Bold")
    document.add_paragraph("Convene the next meeting.", style="Decision")
    result = read_document(_save(document))
    assert [(s.kind, [(p.kind, p.source_label) for p in s.paragraphs]) for s in result.sections] == [
        ("title", [("title", "")]),
        ("preamble", [("preambular", "")]),
        ("operative", [("operative", "I."), ("operative", "II."), ("operative", "III.")]),
    ]
    # A style's bold is how the paragraph looks, not emphasis in its words.
    assert result.sections[2].paragraphs[1].emphasis == []


def test_bullets_bold_and_italic_runs_and_character_styles() -> None:
    document = docx.Document()
    document.add_paragraph("ANNEX", style="Heading 1")
    _numbering(
        document,
        '<w:abstractNum w:abstractNumId="70"><w:lvl w:ilvl="0"><w:numFmt w:val="bullet"/><w:lvlText w:val="•"/>'
        '</w:lvl><w:lvl w:ilvl="1"><w:numFmt w:val="bullet"/><w:lvlText w:val="◦"/></w:lvl></w:abstractNum>'
        '<w:num w:numId="71"><w:abstractNumId w:val="70"/></w:num>',
    )
    p = _numbered(document, "", 71)
    p.add_run("#8 ")
    p.add_run("Save lives").bold = True
    p.add_run(" and establish ")
    p.add_run("coordinated").italic = True
    p.add_run(" efforts")
    q = _numbered(document, "", 71, 1)
    q.add_run("on ")
    q.add_run("missing migrants", style="Strong")
    result = read_document(_save(document))
    annex = result.sections[-1]
    assert annex.kind == "annex"
    first, second = annex.paragraphs
    assert (first.kind, first.level, first.source_label) == ("list_item", 0, "•")
    assert first.text == "#8 Save lives and establish coordinated efforts"
    assert first.emphasis == [{"start": 3, "end": 13, "style": "bold"}, {"start": 28, "end": 39, "style": "italic"}]
    assert (second.kind, second.level, second.source_label) == ("list_item", 1, "◦")
    assert second.emphasis == [{"start": 3, "end": 19, "style": "bold"}]


def test_a_table_with_merged_cells_gives_each_text_once_in_document_order() -> None:
    document = docx.Document()
    document.add_paragraph("ANNEX A", style="Heading 1")
    document.add_paragraph("Budget by pillar:")
    table = document.add_table(rows=3, cols=3)
    table.cell(0, 0).merge(table.cell(0, 2)).text = "Regional budget 2023 (USD)"
    table.cell(1, 0).merge(table.cell(2, 0)).text = "Pillar 1"
    table.cell(1, 1).text, table.cell(1, 2).text = "Save lives", "120 000"
    table.cell(2, 1).text, table.cell(2, 2).text = "Documentation", "80 000"
    document.add_paragraph("Figures are indicative.")
    result = read_document(_save(document))
    annex = result.sections[-1]
    assert [p.kind for p in annex.paragraphs] == ["text", "table", "text"]
    assert annex.paragraphs[1].table == [
        ["Regional budget 2023 (USD)", "", ""],
        ["Pillar 1", "Save lives", "120 000"],
        ["", "Documentation", "80 000"],
    ]
    assert _texts(result)[-1] == "Figures are indicative."


def test_paragraphs_inside_content_controls_are_imported() -> None:
    document = docx.Document()
    document.add_paragraph("Declaration of Guatemala", style="Title")
    _body_xml(
        document,
        "<w:sdt><w:sdtPr><w:alias w:val='Preamble'/></w:sdtPr><w:sdtContent>"
        "<w:p><w:r><w:t>Recalling the Charter of the RCM,</w:t></w:r></w:p>"
        "<w:p><w:r><w:t xml:space='preserve'>Noting the report of the </w:t></w:r>"
        "<w:sdt><w:sdtContent><w:r><w:t>Technical Secretariat</w:t></w:r></w:sdtContent></w:sdt>"
        "<w:r><w:t>,</w:t></w:r></w:p>"
        "</w:sdtContent></w:sdt>",
    )
    result = read_document(_save(document))
    assert _texts(result) == [
        "Declaration of Guatemala",
        "Recalling the Charter of the RCM,",
        "Noting the report of the Technical Secretariat,",
    ]


def test_fields_show_their_result_never_their_instruction() -> None:
    document = docx.Document()
    document.add_paragraph("Declaration", style="Title")
    _body_xml(
        document,
        "<w:p><w:r><w:t xml:space='preserve'>Held in </w:t></w:r>"
        # a complex field: begin, instruction, separate, result, end
        "<w:r><w:fldChar w:fldCharType='begin'/></w:r><w:r><w:instrText> REF meeting_place \\h </w:instrText></w:r>"
        "<w:r><w:fldChar w:fldCharType='separate'/></w:r><w:r><w:t>Mexico City</w:t></w:r>"
        "<w:r><w:fldChar w:fldCharType='end'/></w:r>"
        "<w:r><w:t xml:space='preserve'> on </w:t></w:r>"
        # a simple field
        "<w:fldSimple w:instr=' DATE \\@ &quot;d MMMM yyyy&quot; '><w:r><w:t>1 April 2022</w:t></w:r></w:fldSimple>"
        "<w:r><w:t>.</w:t></w:r></w:p>",
    )
    result = read_document(_save(document))
    assert _texts(result)[-1] == "Held in Mexico City on 1 April 2022."


def _tracked(document: DocxDocument) -> None:
    _body_xml(
        document,
        "<w:p><w:r><w:t xml:space='preserve'>Promote </w:t></w:r>"
        "<w:del w:id='1' w:author='Mexico' w:date='2022-03-31T10:00:00Z'><w:r><w:delText>safe</w:delText></w:r></w:del>"
        "<w:ins w:id='2' w:author='Mexico' w:date='2022-03-31T10:00:00Z'><w:r><w:t>regular</w:t></w:r></w:ins>"
        "<w:r><w:t xml:space='preserve'> migration.</w:t></w:r></w:p>",
    )


def test_tracked_changes_are_refused_with_what_to_do() -> None:
    document = docx.Document()
    document.add_paragraph("Declaration", style="Title")
    _tracked(document)
    with pytest.raises(UnreadableDocument) as refused:
        read_document(_save(document))
    message = refused.value.message
    assert "2 tracked changes" in message and "Mexico" in message
    assert "accept or reject them in Word" in message


def test_formatting_only_revisions_change_no_word_and_import() -> None:
    document = docx.Document()
    document.add_paragraph("Declaration", style="Title")
    _body_xml(
        document,
        "<w:p><w:r><w:rPr><w:b/><w:rPrChange w:id='5' w:author='TS' w:date='2022-03-31T10:00:00Z'><w:rPr/>"
        "</w:rPrChange></w:rPr><w:t>Promote</w:t></w:r><w:r><w:t xml:space='preserve'> safe migration.</w:t></w:r>"
        "</w:p>",
    )
    result = read_document(_save(document))
    last = result.paragraphs()[-1]
    assert last.text == "Promote safe migration." and last.emphasis == [{"start": 0, "end": 7, "style": "bold"}]


def test_a_letterhead_pasted_at_every_page_is_dropped_and_reported_once() -> None:
    document = docx.Document()
    for page in range(3):
        if page:
            document.add_page_break()
        document.add_paragraph("Ministerio de Relaciones Exteriores")
        document.add_paragraph("Conferencia Regional sobre Migración")
        if page == 0:
            document.add_paragraph("Declaration of San José", style="Title")
        document.add_paragraph(f"Paragraph on page {page + 1} of the declaration, with its full text.")
    result = read_document(_save(document))
    assert _texts(result) == [
        "Declaration of San José",
        "Paragraph on page 1 of the declaration, with its full text.",
        "Paragraph on page 2 of the declaration, with its full text.",
        "Paragraph on page 3 of the declaration, with its full text.",
    ]
    warnings = [w.message for w in result.warnings if w.code == "letterhead_dropped"]
    assert len(warnings) == 1 and "“Ministerio de Relaciones Exteriores” ×3" in warnings[0]


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return buffer.getvalue()


def _truncated() -> bytes:
    whole = _save(docx.Document())
    return whole[: len(whole) // 2]


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (_truncated, "damaged"),
        (lambda: _zip({"hello.txt": b"not word"}), "not a Word document"),
        (lambda: _zip({"word/document.xml": b"<w:document"}), "damaged"),
        (lambda: _zip({"word/document.xml": b"\x00" * 40_000_000}), "implausible size"),
    ],
)
def test_broken_word_files_are_refused_with_a_clear_message(build: Callable[[], bytes], message: str) -> None:
    with pytest.raises(UnreadableDocument) as refused:
        read_document(build(), filename="draft.docx")
    assert message in refused.value.message


def test_numbers_and_headings_typed_as_text_are_understood() -> None:
    # Given a draft put together by hand: no Word numbering, no heading styles
    document = docx.Document()
    for text in [
        "Declaration of Managua",
        "Managua, 3 de marzo de 2023",
        "Recalling the Charter,",
        "DECISIONS",
        "1.\tAdopt the plan.",
        "2. Request the TS:",
        "(a) to report;",
        "ANEXO",
        "• Primer punto",
    ]:
        document.add_paragraph(text)
    result = read_document(_save(document))
    assert [
        (s.kind, s.heading, [(p.kind, p.level, p.source_label, p.text) for p in s.paragraphs]) for s in result.sections
    ] == [
        (
            "title",
            "",
            [("title", 0, "", "Declaration of Managua"), ("place_date", 0, "", "Managua, 3 de marzo de 2023")],
        ),
        ("preamble", "", [("preambular", 0, "", "Recalling the Charter,")]),
        (
            "operative",
            "DECISIONS",
            [
                ("operative", 0, "1.", "Adopt the plan."),
                ("operative", 0, "2.", "Request the TS:"),
                ("operative", 1, "(a)", "to report;"),
            ],
        ),
        ("annex", "ANEXO", [("list_item", 0, "•", "Primer punto")]),
    ]


def test_a_vice_ministerial_declaration_with_decisions_sub_items_and_a_bilingual_budget_annex() -> None:
    # Given the shape of a Vice-Ministerial declaration (shared/seeds/README.md): unnumbered
    # preambular paragraphs, DECISIONS over numbered paragraphs with bulleted sub-items,
    # then ANNEX A with a budget table in two languages
    document = docx.Document()
    document.add_paragraph("XXVIII Vice-Ministerial Meeting of the RCM: Declaration", style="Title")
    document.add_paragraph("San Salvador, 12 May 2023")
    document.add_paragraph("Recalling the Puebla Process and the Regional Action Plan,")
    document.add_paragraph("Welcoming the work of the Regional Consultation Group on Migration,")
    document.add_paragraph("DECISIONS", style="Heading 1")
    _numbering(
        document,
        f'<w:abstractNum w:abstractNumId="60">{LEVELS}</w:abstractNum>'
        '<w:num w:numId="61"><w:abstractNumId w:val="60"/></w:num>'
        '<w:abstractNum w:abstractNumId="62"><w:lvl w:ilvl="1"><w:numFmt w:val="bullet"/><w:lvlText w:val="-"/>'
        '</w:lvl></w:abstractNum><w:num w:numId="63"><w:abstractNumId w:val="62"/></w:num>',
    )
    _numbered(document, "Approve the budget for 2023-2024, as set out in Annex A.", 61)
    _numbered(document, "Instruct the Technical Secretariat to:", 61)
    _numbered(document, "report on its execution;", 63, 1)
    _numbered(document, "publish this declaration.", 63, 1)
    _numbered(document, "Thank the Government of El Salvador.", 61)
    heading = document.add_paragraph("ANNEX A", style="Heading 1")
    heading.paragraph_format.page_break_before = True
    table = document.add_table(rows=3, cols=3)
    for r, row in enumerate(
        [
            ("Rubro / Item", "2023 (USD)", "2024 (USD)"),
            ("Secretaría / Secretariat", "420 000", "430 000"),
            ("Total", "420 000", "430 000"),
        ]
    ):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    result = read_document(_save(document))
    assert [
        (s.kind, s.heading, [(p.kind, p.level, p.source_label) for p in s.paragraphs]) for s in result.sections
    ] == [
        ("title", "", [("title", 0, ""), ("place_date", 0, "")]),
        ("preamble", "", [("preambular", 0, ""), ("preambular", 0, "")]),
        (
            "operative",
            "DECISIONS",
            [
                ("operative", 0, "1."),
                ("operative", 0, "2."),
                ("list_item", 1, "-"),
                ("list_item", 1, "-"),
                ("operative", 0, "3."),
            ],
        ),
        ("annex", "ANNEX A", [("table", 0, "")]),
    ]
    assert result.sections[-1].paragraphs[0].table == [
        ["Rubro / Item", "2023 (USD)", "2024 (USD)"],
        ["Secretaría / Secretariat", "420 000", "430 000"],
        ["Total", "420 000", "430 000"],
    ]
