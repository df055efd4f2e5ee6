"""Export jobs and documents of a bilingual declaration from the database (issue 15).

The declaration is imported with both language versions (zero draft), then
its Rev.1 likewise, with OP2 reworded in both languages; every kind of
document is rendered in ``es``, ``en`` and side by side through
``workers.exporting.render_document`` (what an export job runs) and read back.
"""

from __future__ import annotations

import io
from typing import Any

import docx
import pytest

from drafting import services
from drafting.errors import InvalidInput
from drafting.models import Declaration, Event, ExportJob
from drafting.services.export_jobs import export_target
from exports.language import format_datetime
from tests import bilingual_docs_fixture as fx
from tests.conftest import World
from workers.exporting import KINDS, render_document

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
EDITS = {"es": {"un paso histórico": "un paso decisivo"}, "en": {"a historic step": "a decisive step"}}
ZONE = "America/Mexico_City"


def _import(world: World, declaration: Declaration | None, edits: bool) -> Declaration:
    ts = world.users["ts"]
    job = services.import_job_create(
        actor=ts,
        meeting=world.meeting,
        declaration=declaration,
        content=fx.write_docx("es", edits=EDITS["es"] if edits else None),
        filename="declaracion.docx",
        translation_content=fx.write_docx("en", edits=EDITS["en"] if edits else None),
        translation_filename="declaration.docx",
        dispatch=lambda job_id: None,
    )
    services.import_job_run(job_id=job.pk)
    job = services.import_job_confirm(actor=ts, job_id=job.pk)
    return Declaration.objects.get(pk=job.revision.declaration_id)


@pytest.fixture
def bilingual(world: World) -> Declaration:
    world.meeting.time_zone = ZONE
    world.meeting.save(update_fields=["time_zone"])
    declaration = _import(world, None, edits=False)
    return _import(world, declaration, edits=True)


def reopen(data: bytes) -> Any:
    return docx.Document(io.BytesIO(data))


def all_text(document: Any) -> str:
    body = "\n".join(t.text or "" for t in document.element.body.iter(f"{W}t", f"{W}delText"))
    return body + "\n" + "\n".join(p.text for p in document.sections[0].header.paragraphs)


def lang_tag(data: bytes) -> str:
    document = reopen(data)
    default = document.styles.element.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}lang")
    return str(default.get(f"{W}val"))


@pytest.mark.django_db
@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_in_spanish_english_and_side_by_side(bilingual: Declaration, kind: str) -> None:
    rendered = {
        lang: render_document(declaration_id=bilingual.pk, kind=kind, language=lang) for lang in ("es", "en", "both")
    }
    assert lang_tag(rendered["es"]) == "es-419"
    assert lang_tag(rendered["en"]) == "en-US"
    assert lang_tag(rendered["both"]) == "es-419"
    spanish, english = all_text(reopen(rendered["es"])), all_text(reopen(rendered["en"]))
    assert "Presidencia Pro Tempore" in spanish and "Presidency Pro-Témpore" in english
    if kind == "clean":
        assert "Rev.1 — " in spanish and "Borrador — no acordado" in spanish and "Draft — not agreed" in english
        assert fx.OPERATIVE[0][0] in spanish and fx.OPERATIVE[0][1] in english
        assert fx.OPERATIVE[0][1] not in spanish and fx.OPERATIVE[0][0] not in english
    elif kind == "compilation":
        assert "Texto de compilación" in spanish and "Compilation text" in english
        assert "Texto de trabajo posterior a Rev.1" in spanish
        assert fx.OPERATIVE[2][1] in english
    elif kind == "tracked":
        assert "Rev.1 frente a Proyecto cero" in spanish and "Rev.1 against Zero draft" in english
        marks = {lang: reopen(rendered[lang]).element.body for lang in ("es", "en")}
        deleted = {lang: [t.text for t in marks[lang].iter(f"{W}delText")] for lang in marks}
        inserted = {lang: [t.text for i in marks[lang].iter(f"{W}ins") for t in i.iter(f"{W}t")] for lang in marks}
        assert deleted == {"es": ["histórico"], "en": ["historic"]}
        assert inserted == {"es": ["decisivo"], "en": ["decisive"]}
    else:
        assert "Fecha y hora" in spanish and "When" in english
        first = Event.objects.filter(declaration=bilingual).order_by("id").first()
        assert first is not None
        assert format_datetime(first.created_at, "es", ZONE) in spanish
        assert format_datetime(first.created_at, "en", ZONE) in english
    if kind != "record":
        table = reopen(rendered["both"]).tables[0]
        rows = [(r.cells[0].text, r.cells[1].text) for r in table.rows]
        assert rows[0] == ("Español", "English")
        for es, en in list(zip(fx.OPERATIVE, fx.OPERATIVE, strict=True))[2:]:
            assert any(es[0][:50] in left and en[1][:50] in right for left, right in rows), es[0][:40]


@pytest.mark.django_db
def test_the_language_is_part_of_the_request_and_of_the_fingerprint(bilingual: Declaration, world: World) -> None:
    default = export_target(declaration=bilingual, kind="clean")
    assert default.language == "es"
    english = export_target(declaration=bilingual, kind="clean", language="en")
    both = export_target(declaration=bilingual, kind="clean", language="both")
    assert len({default.document, english.document, both.document}) == 3
    with pytest.raises(InvalidInput) as refused:
        export_target(declaration=bilingual, kind="clean", language="fr")
    assert refused.value.fields == {"language": ["One of es, en, both (empty: the original language)."]}
    job, created = services.export_job_request(
        actor=world.users["ts"],
        declaration_id=bilingual.pk,
        kind="clean",
        language="en",
        pdf_available=False,
        dispatch=lambda job_id: None,
    )
    assert created and job.language == "en"
    again, created = services.export_job_request(
        actor=world.users["ts"],
        declaration_id=bilingual.pk,
        kind="clean",
        language="es",
        pdf_available=False,
        dispatch=lambda job_id: None,
    )
    assert created and again.pk != job.pk
    assert ExportJob.objects.filter(declaration=bilingual).count() == 2


@pytest.mark.django_db
def test_the_api_takes_the_language_and_both_files(world: World) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    ts = world.client("ts")
    response = ts.post(
        "/api/imports/",
        {
            "meeting": world.meeting.pk,
            "file": SimpleUploadedFile("declaracion.docx", fx.write_docx("es")),
            "translation_file": SimpleUploadedFile("declaration.docx", fx.write_docx("en")),
        },
        format="multipart",
    )
    assert response.status_code == 201, response.content
    job_id = response.json()["id"]
    services.import_job_run(job_id=job_id)
    body = ts.get(f"/api/imports/{job_id}/").json()
    assert body["translation_filename"] == "declaration.docx"
    assert body["preview"]["translation"]["counts"]["pairs"] == len(fx.rows())
    confirmed = ts.post(f"/api/imports/{job_id}/confirm/", {}, format="json")
    assert confirmed.status_code == 200, confirmed.content
    declaration_id = confirmed.json()["created_declaration"]
    asked = ts.post("/api/exports/", {"declaration": declaration_id, "kind": "clean", "language": "en"}, format="json")
    assert asked.status_code in (200, 201), asked.content
    assert asked.json()["language"] == "en"
    refused = ts.post(
        "/api/exports/", {"declaration": declaration_id, "kind": "clean", "language": "fr"}, format="json"
    )
    assert refused.status_code == 400
    assert "language" in str(refused.json())
