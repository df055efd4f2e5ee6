"""The fidelity corpus (tests/data/fidelity, see corpus.json): declarations
typed for these tests in the shapes a secretariat's files come in (one text
with single line breaks as LF, as CRLF, and as PDF extraction leaves it, page
headers, page numbers and one-cell-per-line tables included; the same text
typed in Word with Heading styles, a numbered list and real tables, built by
``tests/data/fidelity/make_docx.py``; a Spanish one with CONSIDERANDO and
ACUERDAN) and the real RCM documents in ``shared/seeds``. Each file is read
and compared with its expected structure section by section, paragraph by
paragraph and table cell by table cell; its warnings must be exactly the
guesses listed for it (a guess left unsaid fails, as does a warning for a
guess not made). No database needed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from drafting.importing import ImportResult, read_document

DATA = Path(__file__).resolve().parent / "data" / "fidelity"
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
CORPUS: dict[str, dict[str, Any]] = json.loads((DATA / "corpus.json").read_text(encoding="utf-8"))


def corpus_file(name: str) -> bytes:
    """A corpus file's bytes; seeds live beside the checkout (``shared/seeds``)."""
    if name.startswith("seeds/"):
        path = SEEDS / name.removeprefix("seeds/")
        if not path.exists():
            pytest.skip(f"{path} is not beside this checkout (shared/ lives next to the repository)")
        return path.read_bytes()
    return (DATA / name).read_bytes()


def expected_of(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA / CORPUS[name]["expected"]).read_text(encoding="utf-8"))
    return data


def structure_differences(result: ImportResult, expected: dict[str, Any]) -> list[str]:
    """Every difference between what was read and what is expected, each
    naming its section, paragraph and cell; empty when they are the same."""
    out: list[str] = []
    if result.title != expected["title"]:
        out.append(f"title: {result.title!r} ≠ {expected['title']!r}")
    if result.place_date != expected["place_date"]:
        out.append(f"place and date: {result.place_date!r} ≠ {expected['place_date']!r}")
    got_sections, want_sections = result.sections, expected["sections"]
    if len(got_sections) != len(want_sections):
        out.append(
            f"sections: {[(s.kind, s.heading) for s in got_sections]} ≠ "
            f"{[(s['kind'], s['heading']) for s in want_sections]}"
        )
    for s_index, (got, want) in enumerate(zip(got_sections, want_sections, strict=False)):
        where = f"section {s_index} ({want['kind']} {want['heading']!r})"
        if (got.kind, got.heading) != (want["kind"], want["heading"]):
            out.append(f"{where}: read as {got.kind} {got.heading!r}")
        if len(got.paragraphs) != len(want["paragraphs"]):
            out.append(f"{where}: {len(got.paragraphs)} paragraphs ≠ {len(want['paragraphs'])}")
        for p_index, (p, w) in enumerate(zip(got.paragraphs, want["paragraphs"], strict=False)):
            at = f"{where} paragraph {p_index}"
            if p.kind != w["kind"]:
                out.append(f"{at}: kind {p.kind} ≠ {w['kind']} ({p.text[:50]!r})")
                continue
            if w["kind"] != "table":
                if (p.level, p.text) != (w["level"], w["text"]):
                    out.append(f"{at}: level {p.level} {p.text!r} ≠ level {w['level']} {w['text']!r}")
                continue
            rows, want_rows = p.table or [], w["table"]
            if len(rows) != len(want_rows):
                out.append(f"{at}: {len(rows)} rows ≠ {len(want_rows)}")
            for r_index, (row, want_row) in enumerate(zip(rows, want_rows, strict=False)):
                if len(row) != len(want_row):
                    out.append(f"{at} row {r_index}: {len(row)} cells ≠ {len(want_row)}")
                for c_index, (cell, want_cell) in enumerate(zip(row, want_row, strict=False)):
                    if cell != want_cell:
                        out.append(f"{at} row {r_index} cell {c_index}: {cell!r} ≠ {want_cell!r}")
    notes = [{"kind": n.kind, "text": n.text} for n in result.notes]
    if notes != expected["notes"]:
        out.append(f"notes: {notes} ≠ {expected['notes']}")
    return out


def warning_differences(result: ImportResult, expected: list[list[str]]) -> list[str]:
    got = sorted([w.code, w.where] for w in result.warnings)
    want = sorted(expected)
    missing = [w for w in want if w not in got]
    extra = [w for w in got if w not in want]
    return [f"guess not warned about: {w}" for w in missing] + [f"warning for no listed guess: {w}" for w in extra]


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_each_file_reads_as_its_expected_structure_with_every_guess_warned(name: str) -> None:
    # Given a file of the corpus
    data = corpus_file(name)
    # When it is read
    result = read_document(data, filename=Path(name).name)
    # Then sections, paragraphs and cells are as expected, and every guess is said
    assert structure_differences(result, expected_of(name)) == []
    assert warning_differences(result, CORPUS[name]["warnings"]) == []
    # and each guess names a paragraph the preview shows, or a note beside it
    shown = (
        {p.where for p in result.paragraphs()} | {s.where for s in result.sections} | {n.where for n in result.notes}
    )
    for warning in result.warnings:
        if warning.code.endswith("_guessed") and warning.code != "operative_guessed":
            assert warning.where in shown, warning


def test_one_declaration_reads_the_same_in_every_shape() -> None:
    # The LF, CRLF, PDF-extraction and Word files of one declaration share one expected structure.
    shapes = [name for name in CORPUS if CORPUS[name]["expected"] == "vm_decisions.json"]
    assert sorted(shapes) == sorted(
        ["vm_decisions.lf.txt", "vm_decisions.crlf.txt", "vm_decisions.pdf.txt", "vm_decisions.docx"]
    )
    assert b"\r\n" in corpus_file("vm_decisions.crlf.txt") and b"\r" not in corpus_file("vm_decisions.lf.txt")
    assert b"\f" in corpus_file("vm_decisions.pdf.txt")


def test_the_comparison_fails_on_any_difference() -> None:
    # The check above can fail: change one word, one cell, one kind, drop one warning.
    result = read_document(corpus_file("vm_decisions.lf.txt"))
    expected = expected_of("vm_decisions.lf.txt")
    assert structure_differences(result, expected) == []
    annex = result.sections[-1]
    table = next(p for p in annex.paragraphs if p.kind == "table")
    assert table.table is not None
    table.table[2][1] = "120.000"
    result.sections[2].paragraphs[3].kind = "operative"
    result.sections[1].paragraphs[0].text += " "
    assert structure_differences(result, expected) == [
        "section 1 (preamble '') paragraph 0: level 0 "
        f"{result.sections[1].paragraphs[0].text!r} ≠ level 0 {expected['sections'][1]['paragraphs'][0]['text']!r}",
        "section 2 (operative 'DECISIONS') paragraph 3: kind operative ≠ list_item "
        "('a workshop on labour mobility and regular pathways')",
        "section 3 (annex 'ANNEX') paragraph 4 row 2 cell 1: '120.000' ≠ '120,000'",
    ]
    listed = CORPUS["vm_decisions.lf.txt"]["warnings"]
    assert warning_differences(result, listed[1:]) == [f"warning for no listed guess: {listed[0]}"]


def test_the_word_file_is_what_its_script_builds() -> None:
    # The committed .docx and a fresh build of tests/data/fidelity/make_docx.py read the same.
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_docx", DATA / "make_docx.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    fresh = read_document(module.build(), filename="fresh.docx")
    committed = read_document(corpus_file("vm_decisions.docx"), filename="vm_decisions.docx")
    assert fresh.to_json() == committed.to_json()


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        # single line breaks, LF and CRLF: two decisions on consecutive lines stay two
        ("DECISIONS\n1. Adopt the plan.\n2. Thank the host.\n", ["operative", "operative"]),
        ("DECISIONS\r\n1. Adopt the plan.\r\n2. Thank the host.\r\n", ["operative", "operative"]),
        # bullets of every kind under a numbered decision are its sub-items
        (
            "DECISIONS\n1. Organize:\n· a workshop;\n• a course;\n- a meeting;\n– a visit;\n\to a study.\n",
            ["operative", "list_item", "list_item", "list_item", "list_item", "list_item"],
        ),
        # a tab-indented paragraph is a paragraph, not a one-cell table row
        ("ANNEX\nThe budget follows.\n\tAmounts are in dollars.\n", ["text", "text"]),
    ],
)
def test_shapes_the_issue_names(text: str, kinds: list[str]) -> None:
    result = read_document(text.encode())
    body = [p for s in result.sections if s.kind != "title" for p in s.paragraphs]
    assert [p.kind for p in body] == kinds
    assert all(p.kind != "table" for p in body)


def test_a_spanish_o_is_no_bullet_where_it_continues_a_line() -> None:
    # "o" opens a line as the Spanish word in wrapped text: no bullet there.
    result = read_document("Promover la migración regular\no la movilidad laboral.\n".encode())
    assert [p.text for p in result.paragraphs()] == ["Promover la migración regular o la movilidad laboral."]


def test_word_list_styles_say_their_level_and_a_spanish_note_is_no_title() -> None:
    import io

    import docx

    # Given a Word draft with a translator's note in Spanish above its title and
    # Word's own list styles (List Number, List Bullet 2)
    document = docx.Document()
    document.add_paragraph("[Traducción no oficial]")
    document.add_paragraph("Declaración de San José", style="Title")
    document.add_paragraph("ACUERDAN:", style="Heading 1")
    document.add_paragraph("Aprobar el plan.", style="List Number")
    document.add_paragraph("un taller;", style="List Bullet 2")
    buffer = io.BytesIO()
    document.save(buffer)
    # When it is read
    result = read_document(buffer.getvalue(), filename="borrador.docx")
    # Then the note is beside the text (not the title), and the bullet is a sub-item by its style's name
    assert result.title == "Declaración de San José"
    assert [(n.kind, n.text) for n in result.notes] == [("note", "[Traducción no oficial]")]
    assert [w.code for w in result.warnings] == ["note_excluded"]
    operative = result.sections[-1]
    assert (operative.kind, operative.heading) == ("operative", "ACUERDAN:")
    assert [(p.kind, p.level, p.text) for p in operative.paragraphs] == [
        ("operative", 0, "Aprobar el plan."),
        ("list_item", 1, "un taller;"),
    ]


def test_a_bracketed_paragraph_of_a_draft_stays_text() -> None:
    # Square brackets in a draft mark text not yet agreed: only a bracketed note about the text is set apart.
    result = read_document(b"DECISIONS\n\n1. Adopt the plan.\n\n[Establish a regional fund.]\n")
    assert [p.text for p in result.paragraphs()] == ["Adopt the plan.", "[Establish a regional fund.]"]
    assert result.notes == []


def test_a_long_text_lists_its_guesses_up_to_a_bound_then_counts_them() -> None:
    from drafting.importing.result import MAX_GUESSES_LISTED

    text = "ANNEX\n" + "".join(f"Paragraph {n} of the annex.\n" for n in range(MAX_GUESSES_LISTED + 50))
    result = read_document(text.encode())
    splits = [w for w in result.warnings if w.code == "split_at_line_break"]
    assert len(splits) == MAX_GUESSES_LISTED
    (more,) = [w for w in result.warnings if w.code == "split_at_line_break_more"]
    assert more.message.startswith("50 more guesses like the split_at_line_break above")
    assert result.guesses["split_at_line_break"] == MAX_GUESSES_LISTED + 50
    assert len(result.paragraphs()) == MAX_GUESSES_LISTED + 50


def test_split_then_merge_gives_back_the_paragraph_and_its_emphasis() -> None:
    from drafting.importing.corrections import apply_corrections

    result = read_document(b"DECISIONS\n\n1. Adopt **the regional plan** and thank *the host country*.\n")
    (paragraph,) = result.paragraphs()
    at = paragraph.text.index("and")
    split = apply_corrections(result, [{"op": "split", "paragraph": 0, "at": at}])
    first, second = split.paragraphs()
    assert (first.text, second.text) == ("Adopt the regional plan", "and thank the host country.")
    assert [first.text[s["start"] : s["end"]] for s in first.emphasis] == ["the regional plan"]
    assert [second.text[s["start"] : s["end"]] for s in second.emphasis] == ["the host country"]
    merged = apply_corrections(split, [{"op": "merge", "paragraph": 0}])
    assert [(p.text, p.emphasis) for p in merged.paragraphs()] == [(paragraph.text, paragraph.emphasis)]
    assert result.paragraphs()[0].text == paragraph.text  # the preview given is left as it was
