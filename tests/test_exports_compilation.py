"""The compilation text: labels, states, brackets, Alt options and attributed proposals."""

from __future__ import annotations

import io

import docx
import pytest
from docx.document import Document as DocxDocument
from hypothesis import given
from hypothesis import strategies as st

from exports.compilation import attribution, bracketed, render_compilation, state_label
from exports.data import (
    Alternative,
    Bracket,
    Document,
    Objection,
    Paragraph,
    ProposalNote,
    Reservation,
    Section,
    Span,
)

DOC = Document(
    title="Declaración de Tegucigalpa",
    place_date="Tegucigalpa, 20 de noviembre de 2026",
    ppt_name="Honduras",
    revision_label="Rev.2",
    is_adopted=False,
    original_language="es",
    # Labels in English (this module checks the layout; the Spanish labels are
    # checked in test_exports_bilingual).
    language="en",
    sections=(
        Section("title", "", (Paragraph("", "title", "Declaración de Tegucigalpa"),)),
        Section(
            "preamble",
            "Preámbulo",
            (
                Paragraph("PP1", "preambular", "Recordando la Declaración de la XXI\u00a0CRM,", state="agreed"),
                Paragraph(
                    "PP2", "preambular", "Reconociendo la contribución de las personas migrantes 🌎,", state="bracketed"
                ),
            ),
        ),
        Section(
            "operative",
            "",
            (
                Paragraph(
                    "OP1",
                    "operative",
                    "Promover una migración ordenada y segura;",
                    emphasis=(Span(0, 8, "italic"),),
                    state="under_discussion",
                    brackets=(Bracket(23, 31),),
                    proposals=(
                        ProposalNote(
                            "Mexico",
                            "replace",
                            "Promover una migración regular y segura;",
                            supporters=("Canada", "Panama"),
                            objections=(Objection("United States", "prefers agreed language"),),
                        ),
                        ProposalNote("Guatemala", "delete", "", status="withdrawn"),
                    ),
                ),
                Paragraph(
                    "OP3 bis",
                    "operative",
                    "Fortalecer la cooperación con la OIM;",
                    state="agreed_ad_ref",
                    alternatives=(
                        Alternative(
                            "1",
                            "El Salvador",
                            "alternative",
                            "Fortalecer la cooperación con la OIM y el ACNUR;",
                            supporters=("Costa Rica",),
                        ),
                        Alternative(
                            "Alt 2",
                            "Belize",
                            "delete",
                            "",
                            objections=(Objection("Nicaragua"), Objection("Panama", "needed")),
                        ),
                        Alternative("3", "Canada", "alternative", "Old wording", status="rejected"),
                    ),
                    proposals=(ProposalNote("Dominican Republic", "insert_after", "Nuevo párrafo OP3 ter."),),
                    reservations=(Reservation("United States", "Does not consider itself bound."),),
                ),
            ),
        ),
    ),
)


@pytest.fixture(scope="module")
def document() -> DocxDocument:
    return docx.Document(io.BytesIO(render_compilation(DOC)))


@pytest.fixture(scope="module")
def lines(document: DocxDocument) -> list[str]:
    return [p.text for p in document.paragraphs]


def test_title_marking_and_letterhead(document: DocxDocument, lines: list[str]) -> None:
    assert lines[:3] == [
        "Declaración de Tegucigalpa",
        "Compilation text — Rev.2",
        "Tegucigalpa, 20 de noviembre de 2026",
    ]
    assert lines.count("Declaración de Tegucigalpa") == 1
    header = [p.text for p in document.sections[0].header.paragraphs]
    assert header[0] == "Conferencia Regional sobre Migración"
    assert "Honduras" in header[2]


def test_labels_states_and_brackets(lines: list[str]) -> None:
    assert "PP1\tRecordando la Declaración de la XXI\u00a0CRM, [agreed]" in lines
    assert "PP2\t[Reconociendo la contribución de las personas migrantes 🌎,] [bracketed]" in lines
    assert "OP1\tPromover una migración [ordenada] y segura; [under discussion]" in lines
    assert "OP3 bis\tFortalecer la cooperación con la OIM; [agreed ad ref]" in lines


def test_emphasis_survives_the_brackets(document: DocxDocument) -> None:
    paragraph = next(p for p in document.paragraphs if p.text.startswith("OP1"))
    assert [r.text for r in paragraph.runs if r.italic and not r.text.startswith(" [")] == ["Promover"]
    assert "".join(r.text for r in paragraph.runs) == paragraph.text


def test_pending_proposals_are_attributed_under_their_paragraph(lines: list[str]) -> None:
    at = lines.index("OP1\tPromover una migración [ordenada] y segura; [under discussion]")
    assert lines[at + 1] == "Replace with: [Promover una migración regular y segura;]"
    assert lines[at + 2] == (
        "Proposed by Mexico; supported by Canada, Panama; objection: United States (prefers agreed language)"
    )
    assert not any("Guatemala" in line for line in lines)  # withdrawn: not pending


def test_alternatives_are_labelled_with_their_delegation(lines: list[str]) -> None:
    at = lines.index("OP3 bis\tFortalecer la cooperación con la OIM; [agreed ad ref]")
    assert lines[at + 1 : at + 7] == [
        "Alt 1 (El Salvador)\t[Fortalecer la cooperación con la OIM y el ACNUR;]",
        "Proposed by El Salvador; supported by Costa Rica",
        "Alt 2 (Belize)\t[delete]",
        "Proposed by Belize; objections: Nicaragua, Panama (needed)",
        "Insert a new paragraph after: [Nuevo párrafo OP3 ter.]",
        "Proposed by Dominican Republic",
    ]
    assert lines[at + 7] == "Reservation (United States): Does not consider itself bound."
    assert not any("Old wording" in line for line in lines)  # rejected option


def test_attribution_wording() -> None:
    assert attribution("Mexico") == "Proposed by Mexico"
    assert attribution("Mexico", ("Canada", "Panama"), (Objection("United States", "reason"),)) == (
        "Proposed by Mexico; supported by Canada, Panama; objection: United States (reason)"
    )
    assert state_label("under_discussion") == "[under discussion]"
    assert state_label("something_new") == "[something new]"


def test_bracket_ranges_are_clamped_and_merged() -> None:
    paragraph = Paragraph(
        "OP1", "operative", "abcdef", brackets=(Bracket(4, 99), Bracket(1, 2), Bracket(2, 3), Bracket(5, 5))
    )
    assert bracketed(paragraph)[0] == "a[bc]d[ef]"
    assert bracketed(Paragraph("OP2", "operative", "", state="bracketed"))[0] == ""


@given(
    text=st.text(alphabet="ab ñ🌎", max_size=12),
    raw=st.lists(st.tuples(st.integers(0, 14), st.integers(0, 14)), max_size=3),
    span=st.tuples(st.integers(0, 12), st.integers(0, 12)),
)
def test_brackets_only_add_brackets_and_keep_emphasis_on_its_words(
    text: str, raw: list[tuple[int, int]], span: tuple[int, int]
) -> None:
    start, end = min(span), min(max(span), len(text))
    start = min(start, end)
    paragraph = Paragraph(
        "OP1", "operative", text, emphasis=(Span(start, end, "bold"),), brackets=tuple(Bracket(a, b) for a, b in raw)
    )
    out, spans = bracketed(paragraph)
    assert out.replace("[", "").replace("]", "") == text
    assert out.count("[") == out.count("]")
    assert spans[0].start <= spans[0].end
    assert out[spans[0].start : spans[0].end].replace("[", "").replace("]", "") == text[start:end]


def test_illegal_xml_characters_do_not_crash() -> None:
    bad = Document(
        title="Título\x01",
        place_date="\x00",
        ppt_name="Hon\x02duras",
        revision_label="Rev.\x03",
        is_adopted=False,
        sections=(
            Section(
                "operative",
                "Parte\x04",
                (
                    Paragraph(
                        "OP1\x05",
                        "operative",
                        "Texto\x06 con\x0b control\f",
                        state="bracketed",
                        proposals=(
                            ProposalNote(
                                "Mé\x07xico",
                                "replace",
                                "x\x08",
                                supporters=("C\x0e",),
                                objections=(Objection("U\x1f", "r\ufffe"),),
                            ),
                        ),
                        alternatives=(Alternative("1", "B\x10", "alternative", "t\x11"),),
                    ),
                ),
            ),
        ),
    )
    lines = [p.text for p in docx.Document(io.BytesIO(render_compilation(bad))).paragraphs]
    assert "Título" in lines
    assert "Proposed by México; supported by C; objection: U (r)" in lines
    assert any(line.startswith("OP1\t[Texto con\n control") for line in lines)
