"""Importing plain text: the two RCM extraordinary declarations in
``shared/seeds`` read the way a person reading them would list them, and the
extraction artefacts of the seeds are handled. No database needed."""

from __future__ import annotations

from pathlib import Path

import pytest

from drafting.importing import ImportResult, UnreadableDocument, read_document

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
SEED_2022 = SEEDS / "000_b0279665a7f6544a.txt"
SEED_2021 = SEEDS / "002_e09ea1c35eaeda80.txt"

LETTERHEAD_WORDS = ("Conferencia Regional", "GOBIERNO DE", "El Salvador • Presidency", "on Migration 2022")


def _seed(path: Path) -> ImportResult:
    if not path.exists():
        pytest.skip(f"{path} is not beside this checkout (shared/ lives next to the repository)")
    return read_document(path.read_bytes(), filename=path.name)


def _outline(result: ImportResult) -> list[tuple[str, str, list[str]]]:
    return [(s.kind, s.heading, [p.kind for p in s.paragraphs]) for s in result.sections]


def _spans(text: str, emphasis: list[dict[str, object]], style: str) -> list[str]:
    return [text[int(str(s["start"])) : int(str(s["end"]))] for s in emphasis if s["style"] == style]


def test_the_2022_declaration_reads_as_a_person_would_list_it() -> None:
    # Given the extraction of the 1 April 2022 declaration, letterhead repeated on its three pages
    result = _seed(SEED_2022)
    # Then: the title block (title, place and date), the chapeau naming the nine
    # members present, nine declaration paragraphs, and the ANNEX: its
    # introduction, four pillar headings and fourteen bulleted objectives.
    assert result.title == (
        "Regional Conference on Migration (RCM) EXTRAORDINARY DECLARATION BEFORE THE INTERNATIONAL MIGRATION "
        "REVIEW FORUM"
    )
    assert result.place_date == "Mexico City, April 1, 2022"
    assert result.members_present == [
        "Belize",
        "Canada",
        "Costa Rica",
        "El Salvador",
        "United States",
        "Guatemala",
        "Honduras",
        "Mexico",
        "Panama",
    ]
    annex_kinds = ["text", "heading", *["list_item"] * 5, "heading", *["list_item"] * 5]
    annex_kinds += ["heading", "list_item", "list_item", "heading", "list_item", "list_item"]
    assert _outline(result) == [
        ("title", "", ["title", "place_date"]),
        ("preamble", "", ["preambular"]),
        ("operative", "", ["operative"] * 9),
        ("annex", "ANNEX", annex_kinds),
    ]
    assert result.counts()["paragraphs"] == 31
    operative = [p.text for p in result.sections[2].paragraphs]
    openings = [
        "The RCM recognizes that the Global Compact for Migration, approved at",
        "The RCM recognizes that the Global Compact for Migration represents",
        "Likewise, the RCM celebrates that the IMRF",
        "Considering that most international migration occurs within regions",
        "The RCM has identified regional priorities",
        "In this sense, the countries that implement",
        "The Heads of Delegation of the Member Countries thank",
        "As a result of all these efforts",
        "The RCM will share this declaration",
    ]
    assert [t[: len(o)] for t, o in zip(operative, openings, strict=True)] == openings
    assert operative[-1].endswith("for validation and publication.")
    # The paragraph cut by the page break is whole again, letterhead gone from its middle.
    cut = result.sections[2].paragraphs[5]
    assert "reiterate their commitment to promote dialogue and cooperation and to work together with all relevant" in (
        cut.text
    )
    assert _spans(cut.text, list(cut.emphasis), "italic") == [  # type: ignore[arg-type]
        "Shared Responsibility",
        "Respect for the Rule of Law",
        "Human Rights",
        "International Cooperation",
    ]
    texts = [p.text for p in result.paragraphs()]
    assert not any(word in text for text in texts for word in LETTERHEAD_WORDS)
    assert "Regional Conference on Migration" not in texts
    # One warning says what was dropped, each line with how often.
    dropped = [w.message for w in result.warnings if w.code == "letterhead_dropped"]
    assert len(dropped) == 1 and "“Conferencia Regional sobre Migración” ×3" in dropped[0]


def test_the_2022_annex_items_keep_their_bold_phrases() -> None:
    result = _seed(SEED_2022)
    annex = result.sections[3]
    items = [p for p in annex.paragraphs if p.kind == "list_item"]
    assert [(p.text[:12], _spans(p.text, list(p.emphasis), "bold")) for p in items] == [  # type: ignore[arg-type]
        ("#8 Save live", ["Save lives"]),
        ("#7 Address a", ["reduce vulnerabilities in migration"]),
        ("# 15 Provide", ["access to basic services for migrants"]),
        ("# 4 Ensure t", ["proof of legal identity and adequate documentation"]),
        ("#14 Enhance ", ["consular protection, assistance"]),
        ("# 5 Enhance ", ["pathways for regular migration"]),
        ("# 12 Strengt", ["migration procedures"]),
        ("# 9 Strength", ["transnational response to smuggling of migrants"]),
        ("#10 Prevent,", ["Prevent, combat and eradicate trafficking in persons"]),
        ("# 11 Manage ", ["Manage borders"]),
        ("#2 Minimize ", ["adverse drivers and structural factors"]),
        ("#19 Create c", ["diasporas to fully contribute to sustainable development"]),
        ("#1 Collect a", ["accurate and disaggregated data"]),
        ("#23 Strength", ["international cooperation"]),
    ]
    assert [p.text for p in annex.paragraphs if p.kind == "heading"] == [
        "Thematic pillar 1",
        "Thematic pillar 2",
        "Thematic pillar 3",
        "Cross-cutting areas",
    ]
    assert "**" not in "".join(p.text for p in result.paragraphs())


def test_the_importer_reads_seed_000_as_the_demo_zero_draft_does() -> None:
    from drafting.demo import zero_draft_sections

    result = _seed(SEED_2022)
    title, demo = zero_draft_sections(SEED_2022.read_text(encoding="utf-8"))
    assert result.title == title
    imported = result.sections_input()
    assert [(s["kind"], s.get("heading", "")) for s in imported] == [(s["kind"], s.get("heading", "")) for s in demo]
    for ours, theirs in zip(imported, demo, strict=True):
        assert [(p["kind"], p["text"], p["emphasis"]) for p in ours["paragraphs"]] == [
            (p["kind"], p["text"], p.get("emphasis", [])) for p in theirs["paragraphs"]
        ]


def test_the_2021_declaration_reads_as_title_date_and_five_paragraphs() -> None:
    # Given the 13 January 2021 extraordinary declaration: a type line, a
    # title with its date run on, then five unnumbered paragraphs
    result = _seed(SEED_2021)
    assert _outline(result) == [
        ("title", "", ["title", "title", "place_date"]),
        ("operative", "", ["operative"] * 5),
    ]
    title_block = [p.text for p in result.sections[0].paragraphs]
    assert title_block == [
        "Extraordinary Declaration",
        "THE REGIONAL CONFERENCE ON MIGRATION (RCM) CALL FOR SHARED REGIONAL RESPONSIBILITY FOR MANAGING "
        "MIGRATION AND DISPLACEMENT",
        "January 13th, 2021",
    ]
    paragraphs = [p.text for p in result.sections[1].paragraphs]
    openings = [
        "The Regional Conference on Migration (RCM) recognizes that, in recent years",
        "The RCM reaffirms the importance of shared responsibility",
        "The RCM expresses its concern about irregular flows",
        "Faced with this situation, the RCM reaffirms its commitment",
        "In this context, the RCM reiterates the commitment",
    ]
    assert [t[: len(o)] for t, o in zip(paragraphs, openings, strict=True)] == openings
    assert paragraphs[-1].endswith("facilitating access to international protection for those in need.")
    # Every guess is said: the title lines taken by their shape, the date split off, the operative part.
    assert {w.code for w in result.warnings} == {"date_split", "operative_guessed", "title_guessed"}
    assert [(w.code, w.where) for w in result.warnings if w.code in ("title_guessed", "date_split")] == [
        ("title_guessed", "line 7"),
        ("date_split", "line 9"),
    ]


def test_numbered_plain_text_starts_the_operative_part_under_decisions() -> None:
    text = (
        "DECLARATION OF SAN SALVADOR\n\nSan Salvador, 12 de mayo de 2023\n\n"
        "Recalling the Puebla Process,\n\nConvinced of shared responsibility,\n\nDECISIONS\n\n"
        "1. Reaffirm the commitment.\n\n2. Promote regular pathways:\n\n"
        "(a) labour mobility;\n\n(b) family reunification.\n\n"
        "3. Thank the PPT.\n\nANNEX A\n\nBudget\n\n- Item one\n  - Sub item\n"
    )
    result = read_document(text.encode())
    assert _outline(result) == [
        ("title", "", ["title", "place_date"]),
        ("preamble", "", ["preambular", "preambular"]),
        ("operative", "DECISIONS", ["operative"] * 5),
        ("annex", "ANNEX A", ["heading", "list_item", "list_item"]),
    ]
    operative = result.sections[2].paragraphs
    assert [(p.source_label, p.level, p.text) for p in operative] == [
        ("1.", 0, "Reaffirm the commitment."),
        ("2.", 0, "Promote regular pathways:"),
        ("(a)", 1, "labour mobility;"),
        ("(b)", 1, "family reunification."),
        ("3.", 0, "Thank the PPT."),
    ]
    assert [p.level for p in result.sections[3].paragraphs] == [0, 0, 1]


def test_seed_artefacts_html_bookmarks_footnotes_and_notes() -> None:
    # Given text shaped like the 2017 compilation (shared/seeds/004): HTML left
    # in table cells, a statement cut by a page break, a bookmark, footnotes,
    # a cross-reference note in italics
    text = (
        "[Type text]\n\nConferencia Regional sobre Migración\nRegional Conference on Migration\n\n"
        "Compilation of statements[bookmark: _Toc480]\n\nApril 2017\n\n"
        "The TS prepared this compilation at the request of Member Countries.¹\n\n"
        "¹ Reference will be made to the thematic sessions.\n\n"
        "Statements\tRCM\tStill valid?\n"
        '<ul style="list-style-type: none"> Promote the establishment of trafficking in migrants as a criminal '
        "offense. *Statement also relevant for TS5* \tI RCM\t\n"
        '<ul style="list-style-type: none"> Emphasized a victim-centered approach, shelter, and \tXII RCM\t\n\n'
        "[Type text]\n\nConferencia Regional sobre Migración\nRegional Conference on Migration\n\n"
        "<p>whenever possible, safe repatriation. *Statement also relevant for TS3 y TS5*</p>\t\t\n\n"
        "The Vice-Ministers reaffirmed **the protection of refugees** &amp; asylum. *Statement also relevant for TS3*\n"
    )
    result = read_document(text.encode())
    texts = [p.text for p in result.paragraphs()]
    assert result.title == "Compilation of statements"
    assert result.place_date == "April 2017"
    assert "The TS prepared this compilation at the request of Member Countries." in texts
    assert not any("Reference will be made" in t or "[Type text]" in t or "<" in t for t in texts)
    table = next(p for p in result.paragraphs() if p.kind == "table")
    assert table.table == [
        ["Statements", "RCM", "Still valid?"],
        [
            "Promote the establishment of trafficking in migrants as a criminal offense. Statement also relevant "
            "for TS5",
            "I RCM",
            "",
        ],
        [
            "Emphasized a victim-centered approach, shelter, and whenever possible, safe repatriation. Statement "
            "also relevant for TS3 y TS5",
            "XII RCM",
            "",  # "Still valid?" is for member countries to fill in
        ],
    ]
    # The cross-reference note stays in its paragraph, in italics; ** became bold.
    last = result.paragraphs()[-1]
    assert last.text == (
        "The Vice-Ministers reaffirmed the protection of refugees & asylum. Statement also relevant for TS3"
    )
    assert _spans(last.text, list(last.emphasis), "bold") == ["the protection of refugees"]  # type: ignore[arg-type]
    assert _spans(last.text, list(last.emphasis), "italic") == ["Statement also relevant for TS3"]  # type: ignore[arg-type]
    codes = {w.code for w in result.warnings}
    assert {"bookmarks_removed", "html_removed", "footnote_dropped", "footnote_markers_removed"} <= codes
    assert "letterhead_dropped" in codes


def test_a_superscript_that_is_no_footnote_marker_stays() -> None:
    result = read_document("A plot of 40 m² for the reception centre.\n".encode())
    assert result.paragraphs()[0].text == "A plot of 40 m² for the reception centre."


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"", "empty.txt", "The file is empty."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "logo.png", "not a Word document"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "draft.docx", "password-protected"),
        (b"PK\x03\x04garbage that is no zip", "draft.docx", "damaged"),
        (b"%PDF-1.7 binary", "draft.pdf", "is not a Word document (.docx)"),
        (b"\n\n   \n\t\n", "blank.txt", "No text was found"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(data: bytes, filename: str, message: str) -> None:
    with pytest.raises(UnreadableDocument) as refused:
        read_document(data, filename=filename)
    assert message in refused.value.message


def test_a_file_over_the_size_limit_is_refused() -> None:
    with pytest.raises(UnreadableDocument, match="at most 1,000 bytes"):
        read_document(b"x" * 1001, max_bytes=1000)


def test_the_reader_needs_no_django() -> None:
    import os
    import subprocess
    import sys

    code = (
        "import sys, drafting.importing as i, drafting.importing.corrections as c; "
        "c.apply_corrections(i.read_document(b'Declaration\\n\\nRecalling the Charter,'), []); "
        "print(any(m.split('.')[0] == 'django' for m in sys.modules))"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run([sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
