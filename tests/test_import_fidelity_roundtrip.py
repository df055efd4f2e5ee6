"""Round trip over the fidelity corpus: import → (correct) → confirm → clean
export → import again gives back every paragraph word for word and every
table cell for cell, in its section, with nothing guessed the second time;
footnotes (reservations) come back as footnotes, never as text; and the
preview corrections make confirm create exactly what the corrected preview
shows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drafting import selectors, services
from drafting.importing import ImportResult, read_document
from drafting.models import Declaration, ImportJob, RevisionParagraph
from exports import adapters
from exports.clean import render_clean
from exports.data import Document, Paragraph, Reservation, Section
from tests.conftest import World
from tests.test_import_fidelity import CORPUS, corpus_file
from tests.test_import_fidelity_generated import Generated, as_text, declarations

# What the clean export itself carries that is not text: its page header and
# the draft marking under the title. Anything else on a second reading is a
# guess our own export should never need.
OWN_EXPORT_WARNINGS = {"page_header_ignored", "marking_dropped"}


def _import(world: World, name: str, data: bytes, **extra: Any) -> ImportJob:
    job = services.import_job_create(
        actor=world.users["ts"], meeting=world.meeting, content=data, filename=name, dispatch=lambda _: None, **extra
    )
    services.import_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.READY, job.error
    return job


def _stored(revision_id: int) -> list[tuple[Any, ...]]:
    rows = RevisionParagraph.objects.filter(revision_id=revision_id).select_related("section").order_by("position")
    return [(r.section.kind, r.section.heading, r.kind, r.level, r.text, r.table) for r in rows]


def _read(result: ImportResult) -> list[tuple[Any, ...]]:
    return [
        (s.kind, s.heading, p.kind, p.level, p.text, p.table if p.kind == "table" else None)
        for s in result.sections
        for p in s.paragraphs
    ]


def _clean_export(declaration: Declaration, revision_id: int) -> bytes:
    revision = declaration.revisions.get(pk=revision_id)
    return render_clean(
        adapters.document_from(selectors.declaration_document(declaration=declaration, revision=revision))
    )


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(CORPUS))
def test_import_confirm_export_import_is_the_identity(world: World, name: str) -> None:
    # Given a corpus file imported and confirmed as a new declaration
    data = corpus_file(name)
    job = _import(world, Path(name).name, data)
    first = ImportResult.from_json(job.preview or {})
    job = services.import_job_confirm(actor=world.users["ts"], job_id=job.pk)
    assert job.revision is not None
    declaration = job.revision.declaration
    # then the revision holds exactly what the preview showed
    stored = _stored(job.revision.pk)
    assert stored == _read(first)
    # When its clean export is imported again
    again = read_document(_clean_export(declaration, job.revision.pk), filename="clean.docx")
    # Then every paragraph, in its section, word for word and cell for cell, comes back
    assert _read(again) == stored
    assert again.title == first.title and again.place_date == first.place_date
    # and nothing had to be guessed
    assert {w.code for w in again.warnings} <= OWN_EXPORT_WARNINGS, again.warnings
    assert again.notes == []


@pytest.mark.django_db
def test_corrections_before_confirming_are_what_confirm_creates(world: World) -> None:
    # Given the PDF-extraction shape of the declaration, read with its guesses
    job = _import(world, "vm_decisions.pdf.txt", corpus_file("vm_decisions.pdf.txt"))
    preview = ImportResult.from_json(job.preview or {})
    flat = [p.text for p in preview.paragraphs()]
    table_title = flat.index("Table 1. Budget by line")
    wage = flat.index("Amounts are in United States dollars and are subject to the rules of the Fund.")
    # When the Secretariat corrects the preview through the API: the title
    # lines, a paragraph split and one merged, a kind, a note, a new section
    client = world.client("ts")
    # (each operation sees the preview as the ones before it left it: one
    # title line and one note fewer move "Table 1. …" two places up)
    operations: list[dict[str, Any]] = [
        {"op": "set_title", "lines": ["DECLARATION OF GUATEMALA CITY"]},
        {"op": "exclude", "paragraph": wage - 1},
        {"op": "set_kind", "paragraph": table_title - 2, "kind": "text"},
        {"op": "split", "paragraph": 3, "at": len("Recalling the Declaration of the XXVIII Meeting of the RCM")},
        {"op": "merge", "paragraph": 2},
        {"op": "set_section", "paragraph": table_title - 2, "kind": "annex", "heading": "ANNEX B"},
    ]
    response = client.post(f"/api/imports/{job.pk}/corrections/", {"operations": operations}, format="json")
    assert response.status_code == 200, response.content
    corrected = response.json()["preview"]
    assert corrected["title"] == "DECLARATION OF GUATEMALA CITY"
    assert corrected["corrections"] == operations
    assert [n["text"] for n in corrected["notes"]][-1].startswith("Amounts are in United States dollars")
    assert [(s["kind"], s["heading"]) for s in corrected["sections"]][-2:] == [("annex", "ANNEX"), ("annex", "ANNEX B")]
    preamble = [p["text"] for p in corrected["sections"][1]["paragraphs"]]
    assert preamble[0].endswith("November 2024, Recalling the Declaration of the XXVIII Meeting of the RCM")
    assert preamble[1].startswith("and the commitments made in it")
    table_title_paragraph = corrected["sections"][-1]["paragraphs"][0]
    assert (table_title_paragraph["kind"], table_title_paragraph["text"]) == ("text", "Table 1. Budget by line")
    # Then confirm creates exactly the corrected preview
    response = client.post(f"/api/imports/{job.pk}/confirm/", {}, format="json")
    assert response.status_code == 200, response.content
    revision_id = response.json()["revision"]
    assert _stored(revision_id) == _read(ImportResult.from_json(corrected))
    declaration = Declaration.objects.get(pk=response.json()["created_declaration"])
    assert declaration.title == "DECLARATION OF GUATEMALA CITY"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("operation", "status", "message"),
    [
        ({"op": "split", "paragraph": 0, "at": 0}, 400, "at must be a whole number"),
        ({"op": "merge", "paragraph": 2}, 400, "last paragraph of its section"),
        ({"op": "set_kind", "paragraph": 0, "kind": "table"}, 400, "a table stays a table"),
        ({"op": "set_section", "paragraph": 0, "kind": "title"}, 400, "set_title"),
        ({"op": "exclude", "paragraph": 9999}, 400, "paragraph must be a whole number"),
        ({"op": "rename"}, 400, "Unknown correction"),
        ({"op": "set_title", "lines": []}, 400, "list of its lines"),
        ({"op": "set_section", "paragraph": 3, "kind": "annex", "heading": "A" * 301}, 400, "at most 300"),
        ({"op": "split", "paragraph": 2, "at": 3, "extra": 1}, 200, ""),
    ],
)
def test_a_correction_that_does_not_fit_changes_nothing_and_one_that_fits_does(
    world: World, operation: dict[str, Any], status: int, message: str
) -> None:
    job = _import(world, "draft.txt", b"TITLE\n\nPlace, 1 May 2024\n\nRecalling the Charter,\n\n1. Decide.\n")
    before = job.preview
    valid = {"op": "set_kind", "paragraph": 2, "kind": "text"}
    response = world.client("ts").post(
        f"/api/imports/{job.pk}/corrections/", {"operations": [valid, operation]}, format="json"
    )
    assert response.status_code == status, response.content
    assert message in str(response.json())
    job.refresh_from_db()
    if status == 200:  # (the control: a fitting correction does change the preview)
        assert job.preview != before
        return
    assert job.preview == before  # all or nothing: the valid first one was not applied either


@pytest.mark.django_db
def test_only_the_secretariat_corrects_and_only_a_ready_preview(world: World) -> None:
    job = _import(world, "draft.txt", b"TITLE\n\nRecalling the Charter,\n\n1. Decide.\n")
    body = {"operations": [{"op": "set_kind", "paragraph": 1, "kind": "text"}]}
    assert world.client("mex").post(f"/api/imports/{job.pk}/corrections/", body, format="json").status_code == 403
    assert world.client("ts").post("/api/imports/999999/corrections/", body, format="json").status_code == 404
    services.import_job_confirm(actor=world.users["ts"], job_id=job.pk)
    response = world.client("ts").post(f"/api/imports/{job.pk}/corrections/", body, format="json")
    assert response.status_code == 409


def test_reservations_come_back_as_footnotes_not_text() -> None:
    # Given a clean declaration whose operative paragraph carries two reservations
    doc = Document(
        title="Declaration of Panama",
        place_date="Panama City, 2 June 2025",
        ppt_name="Panama",
        revision_label="",
        is_adopted=True,
        original_language="en",
        sections=(
            Section(
                "title",
                "",
                (
                    Paragraph("", "title", "Declaration of Panama"),
                    Paragraph("", "place_date", "Panama City, 2 June 2025"),
                ),
            ),
            Section(
                "operative",
                "DECISIONS",
                (
                    Paragraph(
                        "OP1",
                        "operative",
                        "Adopt the plan.",
                        reservations=(Reservation("Canada", "on funding"), Reservation("Mexico", "on dates")),
                    ),
                    Paragraph("OP2", "operative", "Thank the host."),
                ),
            ),
        ),
    )
    # When its export is read
    result = read_document(render_clean(doc), filename="clean.docx")
    # Then the paragraphs are the text alone and the reservations are footnotes beside it
    assert [p.text for p in result.paragraphs()] == [
        "Declaration of Panama",
        "Panama City, 2 June 2025",
        "Adopt the plan.",
        "Thank the host.",
    ]
    assert [(n.kind, n.text, n.where) for n in result.notes] == [
        ("footnote", "Reservation by Canada: on funding", result.sections[1].paragraphs[0].where),
        ("footnote", "Reservation by Mexico: on dates", result.sections[1].paragraphs[0].where),
    ]
    assert "footnotes_kept_apart" in {w.code for w in result.warnings}


def test_explanations_of_position_come_back_beside_the_text() -> None:
    from tests.test_exports_clean import EXPLANATION, declaration

    doc = declaration(adopted=True)
    result = read_document(render_clean(doc), filename="clean.docx")
    assert "EXPLANATIONS OF POSITION" not in [s.heading for s in result.sections]
    assert [(n.kind, n.text) for n in result.notes if n.kind == "explanation"] == [
        ("explanation", f"{EXPLANATION.delegation}: {EXPLANATION.text}")
    ]
    assert [(p.kind, p.table if p.kind == "table" else p.text) for p in result.paragraphs()] == [
        (p.kind, [list(r) for r in p.table] if p.table else p.text) for s in doc.sections for p in s.paragraphs
    ]
    assert "explanations_kept_apart" in {w.code for w in result.warnings}


@pytest.mark.django_db
@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(generated=declarations(), newline=st.sampled_from(["\n", "\r\n"]), blank=st.booleans())
def test_generated_declarations_import_confirm_export_import_as_the_identity(
    world: World, generated: Generated, newline: str, blank: bool
) -> None:
    # Given a generated declaration as plain text, imported and confirmed
    job = _import(world, "generated.txt", as_text(generated, newline=newline, blank=blank, bullet="·"))
    job = services.import_job_confirm(actor=world.users["ts"], job_id=job.pk)
    assert job.revision is not None
    stored = _stored(job.revision.pk)
    # When its clean export is imported again, the revision comes back as it is stored
    again = read_document(_clean_export(job.revision.declaration, job.revision.pk), filename="clean.docx")
    assert _read(again) == stored
    assert {w.code for w in again.warnings} <= OWN_EXPORT_WARNINGS
