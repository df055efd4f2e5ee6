"""Generated declarations (hypothesis) in the shapes of the fidelity corpus:
written out as plain text with LF or CRLF, paragraphs apart by a blank line
or by a single line break, bullets of every kind under numbered decisions,
tab-separated tables in the annex. Reading gives back the structure that was
written, paragraph by paragraph and cell by cell; and its clean export read
again gives back the same (import → export → import is the identity), with
no guess the second time."""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drafting.importing import ImportResult, read_document
from exports.clean import render_clean
from tests.test_exports_pandoc import document_of

WORDS = st.sampled_from(
    [
        "migration",
        "region",
        "members",
        "cooperation",
        "protection",
        "labour",
        "mobility",
        "children",
        "pathways",
        "return",
        "dialogue",
        "secretariat",
        "workshop",
        "budget",
        "meeting",
        "conference",
        "rights",
        "persons",
        "countries",
        "plan",
        "strategy",
        "network",
        "data",
        "reintegration",
        "asylum",
        "border",
        "consular",
        "regular",
        "safe",
        "orderly",
        "shared",
        "responsibility",
    ]
)
OPENINGS = st.sampled_from(["Recalling", "Noting", "Recognizing", "Welcoming", "Reaffirming", "Concerned by"])
VERBS = st.sampled_from(["Adopt", "Instruct", "Renew", "Thank", "Approve", "Request", "Encourage"])
BULLETS = st.sampled_from(["·", "•", "-", "–"])


def _phrase(words: list[str]) -> str:
    return " ".join(words)


@dataclass
class Generated:
    title: list[str]
    place_date: str
    preamble: list[str]
    decisions: list[tuple[str, list[str]]]  # each decision with its bulleted sub-items
    annex: list[tuple[str, object]] = field(default_factory=list)  # ("heading"|"text", str) or ("table", rows)


@st.composite
def declarations(draw: st.DrawFn) -> Generated:
    words = st.lists(WORDS, min_size=3, max_size=14)
    # distinct title lines (a short line repeated at the top is a page header)
    title_lines = st.lists(st.lists(WORDS, min_size=2, max_size=6).map(lambda w: _phrase(w).upper()), unique=True)
    title = draw(title_lines.filter(lambda lines: 1 <= len(lines) <= 2))
    preamble = [f"{draw(OPENINGS)} the {_phrase(draw(words))}," for _ in range(draw(st.integers(1, 3)))]
    decisions = []
    for _ in range(draw(st.integers(1, 4))):
        items = [f"{_phrase(draw(words))};" for _ in range(draw(st.integers(0, 3)))]
        end = ":" if items else "."
        decisions.append((f"{draw(VERBS)} the {_phrase(draw(words))}{end}", items))
    annex: list[tuple[str, object]] = []
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["heading", "text", "table"]))
        if kind == "heading":
            annex.append(("heading", f"{draw(VERBS)} {_phrase(draw(st.lists(WORDS, min_size=1, max_size=4)))}"))
        elif kind == "text":
            annex.append(("text", f"The {_phrase(draw(words))}."))
        else:
            width = draw(st.integers(2, 4))
            cell = st.lists(WORDS, min_size=1, max_size=3).map(lambda w: _phrase(w).capitalize())
            rows = draw(st.lists(st.lists(cell, min_size=width, max_size=width), min_size=2, max_size=4))
            # a table has its title above it: two tables with nothing between read as one, in text
            annex.append(("heading", f"Table {len(annex) + 1}"))
            annex.append(("table", rows))
    return Generated(title, "Panama City, 2 June 2025", preamble, decisions, annex)


def as_text(doc: Generated, *, newline: str, blank: bool, bullet: str) -> bytes:
    lines: list[str] = [*doc.title, doc.place_date, *doc.preamble, "DECISIONS"]
    for n, (decision, items) in enumerate(doc.decisions, start=1):
        lines.append(f"{n}. {decision}")
        lines.extend(f"{bullet} {item}" for item in items)
    if doc.annex:
        lines.append("ANNEX")
    for kind, content in doc.annex:
        if kind == "table":
            assert isinstance(content, list)
            lines.append(newline.join("\t".join(row) for row in content))
        else:
            lines.append(str(content))
    separator = newline * 2 if blank else newline
    return (separator.join(lines) + newline).encode()


def outline(result: ImportResult) -> list[tuple[object, ...]]:
    return [
        (s.kind, s.heading, p.kind, p.level, p.table if p.kind == "table" else p.text)
        for s in result.sections
        for p in s.paragraphs
    ]


def expected_outline(doc: Generated) -> list[tuple[object, ...]]:
    out: list[tuple[object, ...]] = [("title", "", "title", 0, t) for t in doc.title]
    out.append(("title", "", "place_date", 0, doc.place_date))
    out += [("preamble", "", "preambular", 0, p) for p in doc.preamble]
    for decision, items in doc.decisions:
        out.append(("operative", "DECISIONS", "operative", 0, decision))
        out += [("operative", "DECISIONS", "list_item", 1, item) for item in items]
    for kind, content in doc.annex:
        out.append(("annex", "ANNEX", kind, 0, content))
    return out


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    declarations(),
    st.sampled_from(["\n", "\r\n"]),
    st.booleans(),
    BULLETS,
)
def test_generated_text_declarations_read_as_written_and_round_trip(
    doc: Generated, newline: str, blank: bool, bullet: str
) -> None:
    # Given a declaration written as plain text in one of the corpus's shapes
    first = read_document(as_text(doc, newline=newline, blank=blank, bullet=bullet), filename="generated.txt")
    # Then it reads as written, paragraph by paragraph and cell by cell
    assert outline(first) == expected_outline(doc)
    # and its clean export, read again, is the same, with nothing guessed
    again = read_document(render_clean(document_of(first, adopted=True)), filename="clean.docx")
    assert outline(again) == outline(first)
    assert {w.code for w in again.warnings} <= {"page_header_ignored"}
