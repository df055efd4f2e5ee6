"""Importing both language versions of one declaration (issue 15).

The fixture (tests/bilingual_fixture.py) is seed 000's English and a Spanish
version of it written for these tests, each saved as a Word file the way a
Secretariat's file looks. The aligner pairs every paragraph; a decision only
one file has is left unpaired and warned about, its neighbours still paired
with their own translation. Confirming stores the translation as current;
a translation added later to an existing revision likewise. And the round
trip: the stored declaration exported in Spanish and in English imports back
to both texts word for word.
"""

from __future__ import annotations

from typing import Any

import pytest

from drafting import services
from drafting.importing import ImportResult, read_document
from drafting.importing.align import AlignItem, align
from drafting.importing.bilingual import items_from_result, pair_preview
from drafting.models import Declaration, ImportJob, Paragraph, RevisionParagraph
from tests import bilingual_docs_fixture as fx
from tests.conftest import World


def read(language: str, **extra: Any) -> ImportResult:
    return read_document(fx.write_docx(language, **extra), filename=f"{language}.docx")


def texts(language: str) -> list[str]:
    return [es if language == "es" else en for *_, es, en in fx.rows()]


def pairs_of(part: dict[str, Any]) -> list[tuple[str, str]]:
    return [(p["text"], p["translation_text"]) for p in part["pairs"]]


def test_the_two_files_read_to_the_same_structure() -> None:
    es, en = read("es"), read("en")
    assert [p.text for p in es.paragraphs()] == texts("es")
    assert [p.text for p in en.paragraphs()] == texts("en")
    assert (es.language, en.language) == ("es", "en")


def test_every_pair_of_the_fixture_is_aligned() -> None:
    part, warnings = pair_preview(
        items_from_result(read("es")), read("en"), language="en", filename="en.docx", original_language="es"
    )
    assert pairs_of(part) == list(zip(texts("es"), texts("en"), strict=True))
    assert part["counts"] == {"pairs": len(fx.rows()), "unpaired_original": 0, "unpaired_translation": 0}
    assert warnings == []
    # the decisions carry the same numbers in both files: paired by numbering, the rest by position
    assert {p["how"] for p in part["pairs"] if "RCM" in p["translation_text"][:10]} <= {"numbering", "position"}
    assert any(p["how"] == "numbering" for p in part["pairs"])


@pytest.mark.parametrize("after", [0, 2, 4])
def test_a_paragraph_only_the_translation_has_is_unpaired_and_warned(after: int) -> None:
    part, warnings = pair_preview(
        items_from_result(read("es")),
        read("en", extra_after=after),
        language="en",
        filename="en.docx",
        original_language="es",
    )
    # every Spanish paragraph still has its own English one …
    paired = [(a, b) for a, b in pairs_of(part) if a and b]
    assert paired == list(zip(texts("es"), texts("en"), strict=True))
    # … and the extra decision is alone, right after the decision it follows, with one warning naming it
    alone = [i for i, (a, _) in enumerate(pairs_of(part)) if not a]
    assert len(alone) == 1
    assert pairs_of(part)[alone[0]] == ("", fx.UNPAIRED_EN)
    assert pairs_of(part)[alone[0] - 1][1] == fx.OPERATIVE[after][1]
    assert [w.code for w in warnings] == ["translation_unpaired"]
    assert "The RCM will share this declaration" in warnings[0].message
    assert warnings[0].where == f"pair {alone[0] + 1}"


def test_a_paragraph_only_the_original_has_is_unpaired_and_warned() -> None:
    extra = "La CRM compartirá esta declaración con los cofacilitadores nombrados por la Presidencia de la Asamblea."
    original = read("es", extra_after=1, extra=extra)
    part, warnings = pair_preview(
        items_from_result(original), read("en"), language="en", filename="en.docx", original_language="es"
    )
    assert ("", "") not in pairs_of(part)
    assert (extra, "") in pairs_of(part)
    assert [w.code for w in warnings] == ["original_unpaired"]
    assert [(a, b) for a, b in pairs_of(part) if a and b] == list(zip(texts("es"), texts("en"), strict=True))


def test_the_same_language_twice_is_warned() -> None:
    _, warnings = pair_preview(
        items_from_result(read("es")), read("es"), language="en", filename="es-again.docx", original_language="es"
    )
    assert [w.code for w in warnings] == ["translation_same_language"]


def test_sections_pair_by_kind_and_an_extra_section_is_unpaired() -> None:
    original = [AlignItem(0, "preamble", "preambular", "Recordando la Declaración de 2016,")]
    translation = [
        AlignItem(0, "preamble", "preambular", "Recalling the 2016 Declaration,"),
        AlignItem(1, "annex", "text", "An annex only the English file has."),
    ]
    alignment = align(original, translation)
    assert [(p.original, p.translation) for p in alignment.pairs] == [(0, 0), (None, 1)]


def test_a_long_text_aligns_within_the_band() -> None:
    # 400 paragraphs, one missing in the middle of the translation: the band keeps the programme linear
    original = [
        AlignItem(0, "operative", "operative", f"La CRM decide {n} veces sobre el tema {n * 7}.") for n in range(400)
    ]
    translation = [
        AlignItem(0, "operative", "operative", f"The RCM decides {n} times on item {n * 7}.")
        for n in range(400)
        if n != 200
    ]
    alignment = align(original, translation)
    mapping = alignment.translation_of()
    assert len(mapping) == 399
    assert all(mapping[n] == (n if n < 200 else n - 1) for n in mapping)
    assert [p.original for p in alignment.unpaired] == [200]


# -- through the import service ----------------------------------------------------------


def run(job: ImportJob) -> ImportJob:
    done = services.import_job_run(job_id=job.pk)
    assert done is not None
    return done


@pytest.mark.django_db
def test_import_both_files_preview_pairs_and_confirm_stores_the_translation(world: World) -> None:
    ts = world.users["ts"]
    job = services.import_job_create(
        actor=ts,
        meeting=world.meeting,
        content=fx.write_docx("es"),
        filename="declaracion.docx",
        translation_content=fx.write_docx("en", extra_after=2),
        translation_filename="declaration.docx",
        dispatch=lambda job_id: None,
    )
    job = run(job)
    assert job.status == "ready", job.error
    assert job.preview is not None
    part = job.preview["translation"]
    assert part["language"] == "en" and part["filename"] == "declaration.docx"
    assert part["counts"]["unpaired_translation"] == 1
    assert [w["code"] for w in job.warnings if w["code"].endswith("unpaired")] == ["translation_unpaired"]
    job = services.import_job_confirm(actor=ts, job_id=job.pk)
    declaration = Declaration.objects.get(pk=job.revision.declaration_id)
    assert declaration.original_language == "es"
    rows = list(RevisionParagraph.objects.filter(revision=job.revision).order_by("position"))
    assert [r.text for r in rows] == texts("es")
    assert [r.translation_text for r in rows] == texts("en")
    assert {r.translation_status for r in rows} == {"current"}
    paragraphs = Paragraph.objects.filter(declaration=declaration).order_by("position")
    assert [p.translation_text for p in paragraphs] == texts("en")
    assert all(p.translation_of == p.text_version for p in paragraphs)


@pytest.mark.django_db
def test_a_translation_added_later_to_the_current_revision(world: World) -> None:
    ts = world.users["ts"]
    first = run(
        services.import_job_create(
            actor=ts,
            meeting=world.meeting,
            content=fx.write_docx("es"),
            filename="declaracion.docx",
            original_language="es",
            dispatch=lambda job_id: None,
        )
    )
    first = services.import_job_confirm(actor=ts, job_id=first.pk)
    declaration = Declaration.objects.get(pk=first.revision.declaration_id)
    assert set(Paragraph.objects.filter(declaration=declaration).values_list("translation_of", flat=True)) == {None}
    later = run(
        services.import_job_create(
            actor=ts,
            meeting=world.meeting,
            declaration=declaration,
            content=fx.write_docx("en"),
            filename="declaration-en.docx",
            translation_only=True,
            dispatch=lambda job_id: None,
        )
    )
    assert later.status == "ready", later.error
    assert later.preview["translation"]["counts"]["pairs"] == len(fx.rows())
    confirmed = services.import_job_confirm(actor=ts, job_id=later.pk)
    assert confirmed.revision_id == first.revision_id  # no new revision
    assert declaration.revisions.count() == 1
    rows = RevisionParagraph.objects.filter(revision=first.revision).order_by("position")
    assert [r.translation_text for r in rows] == texts("en")
    assert [p.translation_text for p in Paragraph.objects.filter(declaration=declaration).order_by("position")] == (
        texts("en")
    )
    # The headings too get their other language (issue 15)
    from drafting.models import Section

    assert list(
        Section.objects.filter(revision=first.revision)
        .exclude(heading="")
        .order_by("position")
        .values_list("heading", "heading_translation")
    ) == [("DECISIONES", "DECISIONS"), ("ANEXO", "ANNEX")]
    working = Paragraph.objects.filter(declaration=declaration, section_kind="operative")
    assert set(working.values_list("section_heading_translation", flat=True)) == {"DECISIONS"}


@pytest.mark.django_db
def test_adding_a_translation_needs_an_existing_revision(world: World) -> None:
    from drafting.errors import Conflict, InvalidInput

    ts = world.users["ts"]
    with pytest.raises(InvalidInput):
        services.import_job_create(
            actor=ts,
            meeting=world.meeting,
            content=fx.write_docx("en"),
            filename="en.docx",
            translation_only=True,
            dispatch=lambda job_id: None,
        )
    empty = services.declaration_create(actor=ts, meeting=world.meeting, title="Nothing yet")
    with pytest.raises(Conflict):
        services.import_job_create(
            actor=ts,
            meeting=world.meeting,
            declaration=empty,
            content=fx.write_docx("en"),
            filename="en.docx",
            translation_only=True,
            dispatch=lambda job_id: None,
        )
    assert not ImportJob.objects.filter(translation_only=True).exists()


@pytest.mark.django_db
def test_round_trip_per_language_gives_back_both_texts_word_for_word(world: World) -> None:
    from workers.exporting import render_document

    ts = world.users["ts"]
    job = run(
        services.import_job_create(
            actor=ts,
            meeting=world.meeting,
            content=fx.write_docx("es"),
            filename="declaracion.docx",
            translation_content=fx.write_docx("en"),
            translation_filename="declaration.docx",
            dispatch=lambda job_id: None,
        )
    )
    job = services.import_job_confirm(actor=ts, job_id=job.pk)
    declaration_id = job.revision.declaration_id
    exported = {
        lang: render_document(declaration_id=declaration_id, kind="clean", language=lang) for lang in ("es", "en")
    }
    spanish = read_document(exported["es"], filename="es.docx")
    english = read_document(exported["en"], filename="en.docx")
    assert [p.text for p in spanish.paragraphs()] == texts("es")
    assert [p.text for p in english.paragraphs()] == texts("en")
    part, warnings = pair_preview(
        items_from_result(spanish), english, language="en", filename="en.docx", original_language="es"
    )
    assert pairs_of(part) == list(zip(texts("es"), texts("en"), strict=True))
    assert warnings == []


@pytest.mark.django_db
def test_the_desk_uploads_both_files_and_the_preview_shows_each_pair(world: World) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from drafting.models import ExportJob

    desk = Client()
    desk.force_login(world.users["ts"])
    url = f"/meetings/{world.meeting.pk}/desk/"
    docx_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    response = desk.post(
        f"/meetings/{world.meeting.pk}/desk/imports/",
        {
            "file": SimpleUploadedFile("declaracion.docx", fx.write_docx("es"), docx_type),
            "translation_file": SimpleUploadedFile("declaration.docx", fx.write_docx("en", extra_after=1), docx_type),
            "next": url,
        },
    )
    assert response.status_code == 302
    job = ImportJob.objects.get(filename="declaracion.docx")
    if job.status != "ready":  # dispatched after commit: on the embedded default it ran already
        run(job)
    page = desk.get(f"/imports/{job.pk}/").content.decode()
    assert "Paired with declaration.docx (en)" in page
    assert page.count('class="unpaired"') == 1
    assert fx.OPERATIVE[3][1][:50] in page and fx.OPERATIVE[3][0][:50] in page
    # and the export form takes a language
    response = desk.post(
        f"/meetings/{world.meeting.pk}/desk/exports/",
        {"declaration": world.declaration.pk, "kind": "clean", "format": "docx", "language": "both", "next": url},
    )
    assert response.status_code == 302
    assert ExportJob.objects.get(declaration=world.declaration).language == "both"


@pytest.mark.django_db
def test_importing_both_files_gives_each_heading_in_both_languages(world: World) -> None:
    from drafting.models import Section

    ts = world.users["ts"]
    job = services.import_job_create(
        actor=ts,
        meeting=world.meeting,
        content=fx.write_docx("es"),
        filename="declaracion.docx",
        translation_content=fx.write_docx("en"),
        translation_filename="declaration.docx",
        dispatch=lambda job_id: None,
    )
    job = run(job)
    assert job.status == "ready", job.error
    job = services.import_job_confirm(actor=ts, job_id=job.pk)
    headings = list(
        Section.objects.filter(revision=job.revision)
        .exclude(heading="")
        .order_by("position")
        .values_list("kind", "heading", "heading_translation")
    )
    assert headings == [("operative", "DECISIONES", "DECISIONS"), ("annex", "ANEXO", "ANNEX")]
    annex = Paragraph.objects.filter(declaration=job.revision.declaration_id, section_kind="annex")
    assert set(annex.values_list("section_heading_translation", flat=True)) == {"ANNEX"}
