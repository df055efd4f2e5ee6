"""Exports in Spanish, in English and side by side (issue 15), from plain data.

A bilingual declaration (tests/bilingual_fixture.py: seed 000 and a Spanish
version written for it; Spanish is the original) is rendered as every kind
of document in ``es``, ``en`` and ``both``, then read back with python-docx
and, independently, with LibreOffice (each .docx converted to OpenDocument
in one run): the labels are in the document's language, the document and
its styles carry ``w:lang`` ``es-419``/``en-US`` (LibreOffice's reading
keeps it), dates and times are written the language's way in the meeting's
time zone, and side by side every row pairs a Spanish paragraph with its
English one.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import docx
import pytest
from docx.document import Document as DocxDocument
from lxml import etree  # type: ignore[import-untyped]

from exports import pdf
from exports.adapters import in_language
from exports.clean import render_clean
from exports.compilation import render_compilation
from exports.data import Bracket, Document, Paragraph, ProposalNote, RecordEntry, Section
from exports.language import format_date, format_datetime, revision_label
from exports.record import render_record
from exports.tracked import TrackedParagraph, render_tracked
from tests import bilingual_docs_fixture as fx

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
LANGS = ("es", "en", "both")
TAGS = {"es": "es-419", "en": "en-US", "both": "es-419"}  # side by side: the original's tag, columns their own
ISSUED = datetime(2026, 12, 4, 21, 30, tzinfo=UTC)  # 15:30 in Mexico City, 4 December
ZONE = "America/Mexico_City"


def bilingual(*, stale: int | None = None, missing: int | None = None) -> Document:
    """The fixture as a Spanish-original document, each paragraph with its English translation."""
    sections: list[Section] = []
    for n, (kind, heading_es, _heading_en, p_kind, level, es, en) in enumerate(fx.rows()):
        status = "stale" if n == stale else "missing" if n == missing else "current"
        paragraph = Paragraph(
            label=f"P{n}",
            kind=p_kind,  # type: ignore[arg-type]
            text=es,
            level=level,
            translation="" if status == "missing" else en,
            translation_status=status,
        )
        if not sections or sections[-1].kind != kind:
            sections.append(Section(kind, heading_es, ()))  # type: ignore[arg-type]
        sections[-1] = replace(sections[-1], paragraphs=(*sections[-1].paragraphs, paragraph))
    return Document(
        title=fx.TITLE_ES,
        place_date="",
        ppt_name="El Salvador",
        revision_label="Zero draft",
        is_adopted=False,
        original_language="es",
        sections=tuple(sections),
        time_zone=ZONE,
        issued_at=ISSUED,
    )


def texts_in(language: str) -> list[str]:
    return [es if language == "es" else en for *_, es, en in fx.rows()]


def tracked_rows() -> tuple[list[TrackedParagraph], list[TrackedParagraph]]:
    """Zero draft → Rev.1: OP2 reworded in both languages."""
    rows = fx.rows()
    old = [TrackedParagraph(n, f"P{n}", es, other_text=en) for n, (*_, es, en) in enumerate(rows)]
    new = list(old)
    new[4] = replace(
        old[4],
        text=old[4].text.replace("un paso histórico", "un paso decisivo"),
        other_text=(old[4].other_text or "").replace("a historic step", "a decisive step"),
        author="México",
    )
    return old, new


def render(kind: str, language: str) -> bytes:
    doc = bilingual()
    if kind == "clean":
        return render_clean(in_language(doc, language))
    if kind == "compilation":
        with_proposal = replace(
            doc,
            revision_label="Working text after Rev.1",
            sections=tuple(
                replace(
                    s,
                    paragraphs=tuple(
                        replace(p, state="under_discussion", proposals=(ProposalNote("México", "replace", "x"),))
                        if p.kind == "operative"
                        else p
                        for p in s.paragraphs
                    ),
                )
                for s in doc.sections
            ),
        )
        return render_compilation(in_language(with_proposal, language))
    if kind == "tracked":
        old, new = tracked_rows()
        shown = "es" if language == "both" else language
        if shown == "en":  # the English side: each paragraph's translation
            old = [replace(p, text=p.other_text or "", other_text=None) for p in old]
            new = [replace(p, text=p.other_text or "", other_text=None) for p in new]
        elif language == "es":
            old = [replace(p, other_text=None) for p in old]
            new = [replace(p, other_text=None) for p in new]
        return render_tracked(
            old,
            new,
            default_author="El Salvador",
            default_date=ISSUED,
            title=fx.TITLE_ES if shown == "es" else fx.TITLE_EN,
            revisions=("Rev.1", "Zero draft"),
            language=shown,
            bilingual=language == "both",
        )
    entries = [
        RecordEntry(ISSUED, "ts.rcm", "", "revision issued", ""),
        RecordEntry(datetime(2026, 12, 5, 2, 5, tzinfo=UTC), "delegate.mx", "México", "proposal submitted", "OP2"),
    ]
    shown = "es" if language == "both" else language
    title = fx.TITLE_ES if shown == "es" else fx.TITLE_EN
    return render_record(
        title, entries, ppt_name="El Salvador", language=shown, bilingual=language == "both", time_zone=ZONE
    )


KINDS = ("clean", "compilation", "tracked", "record")
CASES = [(kind, language) for kind in KINDS for language in LANGS]


@pytest.fixture(scope="module")
def documents() -> dict[tuple[str, str], bytes]:
    return {case: render(*case) for case in CASES}


def reopen(data: bytes) -> DocxDocument:
    return docx.Document(io.BytesIO(data))


def everything(document: DocxDocument) -> str:
    """Every text of the body (tables included, in order) and the page header."""
    body = "\n".join(t.text or "" for t in document.element.body.iter(f"{W}t", f"{W}delText"))
    header = "\n".join(p.text for p in document.sections[0].header.paragraphs)
    return body + "\n" + header


# What each kind must say in each language (and must not say in the other).
LABELS = {
    "clean": {
        "es": ["Proyecto cero", "Borrador — no acordado", "4 de diciembre de 2026"],
        "en": ["Zero draft", "Draft — not agreed", "4 December 2026"],
    },
    "compilation": {
        "es": [
            "Texto de compilación",
            "Texto de trabajo posterior a Rev.1",
            "[en discusión]",
            "Sustituir por",
            "Propuesto por México",
        ],
        "en": [
            "Compilation text",
            "Working text after Rev.1",
            "[under discussion]",
            "Replace with",
            "Proposed by México",
        ],
    },
    "tracked": {"es": ["Rev.1 frente a Proyecto cero"], "en": ["Rev.1 against Zero draft"]},
    "record": {
        "es": [
            "Fecha y hora",
            "Delegación",
            "4 de diciembre de 2026, 15:30 CST",
            "propuesta presentada",
            "Horas en America/Mexico_City",
        ],
        "en": [
            "When",
            "Delegation",
            "4 December 2026, 15:30 CST",
            "proposal submitted",
            "Times in America/Mexico_City",
        ],
    },
}
# Side by side: the labels of each column in its language; what is printed once
# (a heading, the record's dates) in the original language, Spanish.
LABELS_BOTH = {
    "clean": LABELS["clean"]["es"] + LABELS["clean"]["en"] + ["Español", "English"],
    "compilation": [
        "Texto de compilación",
        "Compilation text",
        "[en discusión]",
        "[under discussion]",
        "Sustituir por",
        "Propuesto por México",
        "Español",
        "English",
    ],
    "tracked": LABELS["tracked"]["es"] + ["Español", "English"],
    "record": [  # side by side too (es | en): each entry in each language, dates as each language writes them
        "Fecha y hora",
        "When",
        "Delegación",
        "Delegation",
        "4 de diciembre de 2026, 15:30 CST",
        "4 December 2026, 15:30 CST",
        "propuesta presentada",
        "proposal submitted",
        "Horas en",
        "Times in",
        "Español",
        "English",
    ],
}


def expected_labels(kind: str, language: str) -> list[str]:
    return LABELS_BOTH[kind] if language == "both" else LABELS[kind][language]


PRESIDENCY = {"es": "El Salvador • Presidencia Pro Tempore", "en": "El Salvador • Presidency Pro-Témpore"}


@pytest.mark.parametrize(("kind", "language"), CASES)
def test_labels_in_the_documents_language(documents: dict[tuple[str, str], bytes], kind: str, language: str) -> None:
    text = everything(reopen(documents[kind, language]))
    for label in expected_labels(kind, language):
        assert label in text, (kind, language, label)
    if language != "both":
        other = "en" if language == "es" else "es"
        for label in LABELS[kind][other]:
            if label not in LABELS[kind][language]:  # "Rev.1" is both
                assert label not in text, (kind, language, label)
    header = "\n".join(p.text for p in reopen(documents[kind, language]).sections[0].header.paragraphs)
    assert PRESIDENCY["es" if language == "both" else language] in header


def styles_root(data: bytes) -> Any:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return etree.fromstring(z.read("word/styles.xml"))


@pytest.mark.parametrize(("kind", "language"), CASES)
def test_document_and_styles_carry_w_lang(documents: dict[tuple[str, str], bytes], kind: str, language: str) -> None:
    data = documents[kind, language]
    root = styles_root(data)
    default = root.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}lang")
    assert default is not None and default.get(f"{W}val") == TAGS[language]
    tagged = [
        s.find(f"{W}rPr/{W}lang").get(f"{W}val")
        for s in root.iter(f"{W}style")
        if s.get(f"{W}type") in ("paragraph", "character")
    ]
    assert tagged and set(tagged) == {TAGS[language]}
    assert reopen(data).core_properties.language == TAGS[language]


def body_paragraph_texts(document: DocxDocument) -> list[str]:
    return [p.text for p in document.paragraphs if p.text]


@pytest.mark.parametrize("language", ["es", "en"])
def test_clean_export_prints_every_paragraph_in_its_language(
    documents: dict[tuple[str, str], bytes], language: str
) -> None:
    texts = body_paragraph_texts(reopen(documents["clean", language]))
    expected = texts_in(language)
    assert [t for t in texts if t in expected] == expected


def column_rows(document: DocxDocument) -> list[tuple[str, str]]:
    table = document.tables[0]
    return [(row.cells[0].text, row.cells[1].text) for row in table.rows]


def cell_langs(document: DocxDocument) -> set[tuple[int, str]]:
    """(column, w:lang) of every run of the side-by-side table."""
    out = set()
    for tr in document.tables[0]._tbl.tr_lst:
        for column, tc in enumerate(tr.tc_lst):
            for lang in tc.iter(f"{W}lang"):
                out.add((column, lang.get(f"{W}val")))
    return out


@pytest.mark.parametrize("kind", ["clean", "compilation", "tracked"])
def test_side_by_side_pairs_every_paragraph(documents: dict[tuple[str, str], bytes], kind: str) -> None:
    document = reopen(documents[kind, "both"])
    rows = column_rows(document)
    assert rows[0] == ("Español", "English")
    pairs = list(zip(texts_in("es"), texts_in("en"), strict=True))
    if kind == "compilation":  # the title is printed once, above the table
        pairs = pairs[1:]
    found = []
    for es, en in pairs:
        matches = [i for i, (left, right) in enumerate(rows) if es[:60] in left and en[:60] in right]
        assert matches, (kind, es[:40])
        found.append(matches[0])
    assert found == sorted(found)  # in order
    assert cell_langs(document) == {(0, "es-419"), (1, "en-US")}


def marked(cell: Any, kind: str) -> list[str]:
    """The texts inside each w:ins or w:del of a cell (python-docx's run elements
    make lxml's itertext repeat text, so the w:t/w:delText are read one by one)."""
    return ["".join(t.text or "" for t in m.iter(f"{W}t", f"{W}delText")) for m in cell.iter(f"{W}{kind}")]


def test_side_by_side_tracked_marks_each_language() -> None:
    old, new = tracked_rows()
    document = reopen(
        render_tracked(old, new, default_author="El Salvador", default_date=ISSUED, language="es", bilingual=True)
    )
    row = document.tables[0]._tbl.tr_lst[5]
    left, right = row.tc_lst
    assert marked(left, "del") == ["histórico"]
    assert marked(left, "ins") == ["decisivo"]
    assert marked(right, "del") == ["historic"]
    assert marked(right, "ins") == ["decisive"]
    assert {i.get(f"{W}author") for i in row.iter(f"{W}ins")} == {"México"}


def test_a_missing_or_stale_translation_is_said_in_the_other_language() -> None:
    doc = bilingual(stale=4, missing=5)
    english = reopen(render_clean(in_language(doc, "en")))
    texts = body_paragraph_texts(english)
    # the missing one is shown in the original, with a footnote saying so; the stale one with its footnote
    assert fx.OPERATIVE[2][0] in texts and fx.OPERATIVE[1][1] in texts
    with zipfile.ZipFile(io.BytesIO(render_clean(in_language(doc, "en")))) as z:
        notes = z.read("word/footnotes.xml").decode()
    assert "Translation pending: the original Spanish text is shown." in notes
    assert "Translation not yet brought in line with the latest Spanish wording." in notes
    side = column_rows(reopen(render_clean(in_language(doc, "both"))))
    assert any(fx.OPERATIVE[2][0][:60] in left and right == "[Traducción pendiente]" for left, right in side) is False
    assert any(fx.OPERATIVE[2][0][:60] in left and "[Translation pending]" in right for left, right in side)
    assert any(fx.OPERATIVE[1][1][:60] in right and "Translation to be updated." in right for _, right in side)
    # the original language's own document says nothing of translations
    spanish = render_clean(in_language(doc, "es"))
    assert b"footnotes" not in zipfile.ZipFile(io.BytesIO(spanish)).read("[Content_Types].xml")


def test_brackets_of_the_original_bracket_the_translated_paragraph_whole() -> None:
    doc = bilingual()
    operative = next(s for s in doc.sections if s.kind == "operative")
    first = operative.paragraphs[0]
    bracketed = replace(first, brackets=(Bracket(0, 6),))
    doc = replace(
        doc,
        sections=tuple(
            replace(s, paragraphs=(bracketed, *s.paragraphs[1:])) if s.kind == "operative" else s for s in doc.sections
        ),
    )
    english = body_paragraph_texts(reopen(render_clean(in_language(doc, "en"))))
    assert f"[{fx.OPERATIVE[0][1]}]" in english
    spanish = body_paragraph_texts(reopen(render_clean(in_language(doc, "es"))))
    assert f"[La CRM] {fx.OPERATIVE[0][0][7:]}" in spanish


def test_dates_and_revision_labels_per_language() -> None:
    assert format_date(datetime(2026, 12, 4).date(), "es") == "4 de diciembre de 2026"
    assert format_date(datetime(2026, 12, 4).date(), "en") == "4 December 2026"
    # stored in UTC, printed in the meeting's zone: 02:05 UTC on the 5th is the 4th in Mexico City
    late = datetime(2026, 12, 5, 2, 5, tzinfo=UTC)
    assert format_datetime(late, "es", ZONE) == "4 de diciembre de 2026, 20:05 CST"
    assert format_datetime(late, "en", "America/El_Salvador") == "4 December 2026, 20:05 CST"
    assert revision_label("Zero draft", "es") == "Proyecto cero"
    assert revision_label("Proyecto cero", "en") == "Zero draft"
    assert revision_label("Working text after Zero draft", "es") == "Texto de trabajo posterior a Proyecto cero"
    assert revision_label("Rev.3", "es") == "Rev.3"


# -- LibreOffice's reading ------------------------------------------------------------

TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
STYLE_NS = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
FO_NS = "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"


@pytest.fixture(scope="module")
def libreoffice() -> str:
    """LibreOffice's path; without it, skip on a workstation and fail in CI (as tests/test_exports_libreoffice)."""
    path = pdf.libreoffice_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice (soffice) is not installed; .ci/run installs libreoffice-writer-nogui.")
        pytest.skip("LibreOffice (soffice) is not installed (CI unset; in CI this fails)")
    return path


@pytest.fixture(scope="module")
def odts(libreoffice: str, documents: dict[tuple[str, str], bytes]) -> dict[tuple[str, str], bytes]:
    """Every document as LibreOffice reads it (OpenDocument), from one LibreOffice run."""
    return dict(zip(CASES, pdf.convert([documents[c] for c in CASES], to="odt"), strict=True))


def odt_parts(data: bytes) -> tuple[Any, Any]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return etree.fromstring(z.read("content.xml")), etree.fromstring(z.read("styles.xml"))


def odt_languages(root: Any) -> set[str]:
    """The languages LibreOffice gives the text: an rfc-language-tag where it has
    no locale of its own (es-419), else fo:language-fo:country."""
    out = set()
    for props in root.iter(f"{{{STYLE_NS}}}text-properties"):
        tag = props.get(f"{{{STYLE_NS}}}rfc-language-tag")
        if tag:
            out.add(tag)
        elif props.get(f"{{{FO_NS}}}language"):
            out.add(f"{props.get(f'{{{FO_NS}}}language')}-{props.get(f'{{{FO_NS}}}country')}")
    return out


@pytest.mark.slow
@pytest.mark.parametrize(("kind", "language"), CASES)
def test_libreoffice_reads_labels_languages_and_pairs(
    odts: dict[tuple[str, str], bytes], kind: str, language: str
) -> None:
    content, styles = odt_parts(odts[kind, language])
    text = "\n".join("".join(p.itertext()) for p in content.iter(f"{{{TEXT_NS}}}p", f"{{{TEXT_NS}}}h"))
    text += "\n" + "\n".join("".join(p.itertext()) for p in styles.iter(f"{{{TEXT_NS}}}p"))  # page headers
    for label in expected_labels(kind, language):
        assert label in text, (kind, language, label)
    languages = odt_languages(styles) | odt_languages(content)
    if language == "both":
        assert {"es-419", "en-US"} <= languages
    else:
        assert TAGS[language] in languages
        assert TAGS["en" if language == "es" else "es"] not in languages
    if language == "both" and kind != "record":
        rows = [
            ["".join(c.itertext()) for c in row.iter("{urn:oasis:names:tc:opendocument:xmlns:table:1.0}table-cell")]
            for row in content.iter("{urn:oasis:names:tc:opendocument:xmlns:table:1.0}table-row")
        ]
        for es, en in list(zip(texts_in("es"), texts_in("en"), strict=True))[1:]:
            assert any(es[:50] in r[0] and en[:50] in r[1] for r in rows if len(r) >= 2), es[:40]


def test_record_times_in_the_meetings_zone() -> None:
    document = reopen(render("record", "es"))
    rows = [[c.text for c in r.cells] for r in document.tables[0].rows]
    assert rows[1][0] == "4 de diciembre de 2026, 15:30 CST"
    assert rows[2][0] == "4 de diciembre de 2026, 20:05 CST"  # 02:05 UTC on the 5th
    assert re.search(r"Horas en America/Mexico_City", everything(document))


def test_the_record_side_by_side_gives_each_entry_in_each_language_row_by_row() -> None:
    entries = [
        RecordEntry(ISSUED, "ts.rcm", "", "revision issued", ""),
        RecordEntry(datetime(2026, 12, 5, 2, 5, tzinfo=UTC), "delegate.mx", "México", "proposal submitted", "OP2"),
        RecordEntry(datetime(2026, 12, 5, 3, 0, tzinfo=UTC), "ppt.slv", "El Salvador", "proposal accepted", "OP2"),
    ]
    document = reopen(
        render_record(fx.TITLE_ES, entries, ppt_name="El Salvador", language="es", bilingual=True, time_zone=ZONE)
    )
    assert len(document.tables) == 1  # one two-column table, no one-language table beside it
    rows = column_rows(document)
    assert rows[0] == ("Español", "English")
    assert rows[1] == ("Horas en America/Mexico_City.", "Times in America/Mexico_City.")
    assert rows[2] == (
        "Fecha y hora · Quién · Delegación · Qué · Párrafo",
        "When · Who · Delegation · What · Paragraph",
    )
    entry_rows = rows[3:]
    assert len(entry_rows) == len(entries)  # one row per entry, in order
    left, right = entry_rows[1]
    assert left.splitlines() == [
        "4 de diciembre de 2026, 20:05 CST",
        "propuesta presentada — Párrafo OP2",
        "Quién: delegate.mx · Delegación: México",
    ]
    assert right.splitlines() == [
        "4 December 2026, 20:05 CST",
        "proposal submitted — Paragraph OP2",
        "Who: delegate.mx · Delegation: México",
    ]
    assert entry_rows[0][0].startswith("4 de diciembre de 2026, 15:30 CST") and "Delegación" not in entry_rows[0][0]
    assert entry_rows[2][1].startswith("4 December 2026, 21:00 CST")
    assert cell_langs(document) == {(0, "es-419"), (1, "en-US")}


def test_the_compilation_side_by_side_prints_the_alternatives_in_both_columns() -> None:
    from exports.data import Alternative, Objection

    doc = bilingual()
    operative = next(i for i, s in enumerate(doc.sections) if any(p.kind == "operative" for p in s.paragraphs))
    section = doc.sections[operative]
    first = next(i for i, p in enumerate(section.paragraphs) if p.kind == "operative")
    alternatives = (
        Alternative("Alt 1", "México", "alternative", "La CRM alienta la cooperación regional.", ("Panamá",)),
        Alternative(
            "Alt 2",
            "Canadá",
            "alternative",
            "The RCM encourages regional partnerships.",
            objections=(Objection("Nicaragua", "Prefers Alt 1"),),
            language="en",
        ),
    )
    target = replace(section.paragraphs[first], state="bracketed", alternatives=alternatives)
    sections = list(doc.sections)
    sections[operative] = replace(
        section, paragraphs=(*section.paragraphs[:first], target, *section.paragraphs[first + 1 :])
    )
    document = reopen(render_compilation(in_language(replace(doc, sections=tuple(sections)), "both")))
    rows = column_rows(document)
    [(left, right)] = [r for r in rows if "Alt 1 (México)" in r[0]]
    for cell in (left, right):
        assert "Alt 1 (México)\t[La CRM alienta la cooperación regional.]" in cell
        assert "Alt 2 (Canadá)\t[The RCM encourages regional partnerships.]" in cell
        assert cell.index("Alt 1") < cell.index("Alt 2")
    assert "Propuesto por México; con el apoyo de Panamá" in left and "Proposed by México; supported by Panamá" in right
    assert "Propuesto por Canadá; objeción: Nicaragua (Prefers Alt 1)" in left
    assert "Proposed by Canadá; objection: Nicaragua (Prefers Alt 1)" in right
    # Where the wording is not in the column's language, the column says which language it is in
    assert "[The RCM encourages regional partnerships.] (inglés)" in left
    assert "[La CRM alienta la cooperación regional.] (Spanish)" in right
    assert "regional.] (español)" not in left and "partnerships.] (English)" not in right
    # Each column is in its language, but a wording quoted from the other keeps its own (Word's proofing)
    english_alt = "[The RCM encourages regional partnerships.]"
    spanish_alt = "[La CRM alienta la cooperación regional.]"
    assert run_langs(document, 0, english_alt) == {"en-US"} and run_langs(document, 1, spanish_alt) == {"es-419"}
    assert run_langs(document, 0, spanish_alt) == {"es-419"} and run_langs(document, 1, english_alt) == {"en-US"}
    assert run_langs(document, 0, "Propuesto por Canadá") == {"es-419"}
    assert cell_langs(document) == {(0, "es-419"), (1, "en-US"), (0, "en-US"), (1, "es-419")}


def run_langs(document: DocxDocument, column: int, text: str) -> set[str]:
    """The w:lang of the runs of the side-by-side table's ``column`` whose text is ``text`` (or contains it)."""
    out = set()
    for tr in document.tables[0]._tbl.tr_lst:
        for r in tr.tc_lst[column].iter(f"{W}r"):
            if text in "".join(t.text or "" for t in r.iter(f"{W}t")):
                out |= {lang.get(f"{W}val") for lang in r.iter(f"{W}lang")}
    return out
