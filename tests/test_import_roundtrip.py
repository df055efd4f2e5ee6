"""Round trip: a clean declaration as ``exports/clean.py`` writes it imports
back to the same sections, paragraph kinds, levels, texts (byte for byte
after NFC), emphasis and tables: over the demo declaration and over
declarations hypothesis makes up (accents, decomposed accents, NBSP, emoji,
tabs and line breaks)."""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drafting.importing import ImportResult, read_document
from drafting.textnorm import merge_spans
from exports.clean import render_clean, reservation_text
from exports.data import Document, Paragraph, Reservation, Section, Span


def _imported(result: ImportResult) -> list[tuple[Any, ...]]:
    return [
        (s.kind, s.heading, p.kind, p.level, p.text, [dict(e) for e in p.emphasis], p.table)
        for s in result.sections
        for p in s.paragraphs
    ]


def _expected(doc: Document) -> list[tuple[Any, ...]]:
    return [
        (
            s.kind,
            s.heading,
            p.kind,
            p.level,
            p.text,
            [{"start": e.start, "end": e.end, "style": e.style} for e in p.emphasis],
            [list(r) for r in p.table] if p.table else None,
        )
        for s in doc.sections
        for p in s.paragraphs
    ]


@pytest.mark.django_db
def test_the_demo_declaration_round_trips_through_its_clean_export() -> None:
    from drafting import selectors
    from drafting.demo import demo_load
    from drafting.models import RevisionParagraph
    from exports import adapters

    # Given the demo's zero draft, exported as the clean declaration
    declaration, _ = demo_load()
    revision = declaration.revisions.get()
    data = render_clean(
        adapters.document_from(selectors.declaration_document(declaration=declaration, revision=revision))
    )
    # When the .docx is imported
    result = read_document(data, filename="clean.docx")
    # Then every paragraph comes back as it is stored
    stored = [
        (r.section.kind, r.section.heading, r.kind, r.level, r.text, r.emphasis, r.table)
        for r in RevisionParagraph.objects.filter(revision=revision).select_related("section").order_by("position")
    ]
    assert len(stored) == 31
    assert _imported(result) == stored
    assert result.title == declaration.title
    assert [w.code for w in result.warnings] == ["page_header_ignored", "marking_dropped"]
    assert "“Conferencia Regional sobre Migración”" in result.warnings[0].message


# Texts as Consenso stores them: NFC, stripped, no characters Word cannot hold.
_ALPHABET = st.sampled_from(
    [
        *"abcefghlmnoprstuvABCÉÑ áéíóúñüçÁ",
        "\u00a0",
        "\u0301",
        "😀",
        "\U0001f1f8",
        "\U0001f1fb",
        "—",
        "«",
        "»",
        ",",
        ".",
        ";",
        "’",
    ]
)


def _stored(raw: str) -> str:
    return unicodedata.normalize("NFC", raw).strip()


words = st.text(_ALPHABET, min_size=1, max_size=60).map(_stored).filter(bool)
lines = st.lists(words, min_size=1, max_size=3).map("\n".join)  # line breaks inside a paragraph
cell = st.text(_ALPHABET, max_size=15).map(_stored)


@st.composite
def paragraphs(draw: st.DrawFn, kind: str, *, levels: bool = False) -> Paragraph:
    text = draw(st.one_of(words, lines, st.lists(words, min_size=2, max_size=3).map("\t".join)))
    # Words that look like a typed label stay words in a document built with Word's structure.
    text = draw(st.sampled_from(["", "", "1. ", "(a) ", "• ", "- ", "iv) ", "# 15 "])) + text
    spans: list[Span] = []
    for _ in range(draw(st.integers(0, 3))):
        start = draw(st.integers(0, len(text) - 1))
        end = draw(st.integers(start + 1, len(text)))
        spans.append(Span(start, end, draw(st.sampled_from(["bold", "italic"]))))
    merged = merge_spans([{"start": s.start, "end": s.end, "style": s.style} for s in spans])
    level = draw(st.integers(0, 2)) if levels else 0
    return Paragraph(
        label="",
        kind=kind,  # type: ignore[arg-type]
        text=text,
        emphasis=tuple(Span(m["start"], m["end"], m["style"]) for m in merged),  # type: ignore[arg-type]
        level=level,
    )


@st.composite
def tables(draw: st.DrawFn) -> Paragraph:
    width = draw(st.integers(1, 3))
    rows = draw(st.lists(st.lists(cell, min_size=width, max_size=width), min_size=1, max_size=3))
    if not any(c for r in rows for c in r):
        rows[0][0] = "Total"
    return Paragraph(
        label="",
        kind="table",
        text="\n".join("\t".join(r) for r in rows),
        table=tuple(tuple(r) for r in rows),
    )


@st.composite
def reserved_operative(draw: st.DrawFn) -> Paragraph:
    """An operative paragraph, some with reservations (footnotes in the export)."""
    paragraph = draw(paragraphs("operative", levels=True))
    delegations = draw(st.lists(st.sampled_from(["Canada", "Mexico", "Panama"]), max_size=2, unique=True))
    return replace(paragraph, reservations=tuple(Reservation(d, draw(words)) for d in delegations))


@st.composite
def declarations(draw: st.DrawFn) -> Document:
    title_lines = draw(st.lists(words, min_size=1, max_size=3))  # a title is often two or three lines
    title = " — ".join(title_lines)
    place_date = draw(words)
    heading = st.text(_ALPHABET, min_size=1, max_size=30).map(_stored).filter(bool)
    preamble = Section(
        "preamble",
        draw(st.one_of(st.just(""), heading)),
        tuple(draw(st.lists(paragraphs("preambular"), min_size=1, max_size=4))),
    )
    first = draw(paragraphs("operative"))
    operative_rest = st.one_of(reserved_operative(), paragraphs("list_item", levels=True))
    operative = Section(
        "operative",
        draw(st.one_of(st.just(""), heading)),
        (
            Paragraph(label="", kind="operative", text=first.text, emphasis=first.emphasis),
            *draw(st.lists(operative_rest, max_size=5)),
        ),
    )
    annex_paragraph = st.one_of(
        paragraphs("text"), paragraphs("heading"), paragraphs("list_item", levels=True), tables()
    )
    annexes = [
        Section("annex", draw(heading), tuple(draw(st.lists(annex_paragraph, min_size=1, max_size=4))))
        for _ in range(draw(st.integers(0, 2)))
    ]
    return Document(
        title=title,
        place_date=place_date,
        ppt_name="El Salvador",
        revision_label=draw(st.sampled_from(["Zero draft", "Rev.1", "Rev.2"])),
        is_adopted=draw(st.booleans()),
        original_language=draw(st.sampled_from(["es", "en"])),
        sections=(
            Section(
                "title",
                "",
                (
                    *(Paragraph(label="Title", kind="title", text=line) for line in title_lines),
                    Paragraph("Place and date", "place_date", place_date),
                ),
            ),
            preamble,
            operative,
            *annexes,
        ),
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(declarations())
def test_generated_clean_declarations_round_trip(doc: Document) -> None:
    result = read_document(render_clean(doc), filename="generated.docx")
    assert _imported(result) == _expected(doc)
    assert result.title == doc.title and result.place_date == doc.place_date
    # reservations come back as footnotes beside the text, in order, never as paragraphs
    reservations = [r for s in doc.sections for p in s.paragraphs for r in p.reservations]
    assert [(n.kind, n.text) for n in result.notes] == [
        ("footnote", " ".join(reservation_text(doc, r.delegation, r.text).split())) for r in reservations
    ]
