"""Section headings in both working languages (issue 15): "ANEXO" / "ANNEX"
kept with the revision and the working text, served per language by the API
(``?lang=``), and printed in the document's language by the exports."""

from __future__ import annotations

import io
from typing import Any

import docx
import pytest

from drafting import services
from drafting.models import Paragraph, Proposal, Section
from tests.bilingual_fixture import Bilingual, build_bilingual, sections
from workers.exporting import render_document

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture
def bi(db: None) -> Bilingual:
    return build_bilingual()


def annex(bi: Bilingual) -> Paragraph:
    return Paragraph.objects.get(declaration=bi.declaration, section_kind="annex")


def agree_and_issue(bi: Bilingual) -> Any:
    for p in Paragraph.objects.filter(declaration=bi.declaration).exclude(state__in=["agreed", "deleted"]):
        services.paragraph_act(actor=bi.users["ppt"], paragraph=p, action="agree")
    return services.revision_issue_from_working_text(actor=bi.users["ppt"], declaration=bi.declaration)


def test_the_heading_and_its_translation_are_kept_through_revisions_and_insertions(bi: Bilingual) -> None:
    assert Section.objects.filter(revision=bi.revision, kind="annex").values_list(
        "heading", "heading_translation"
    ).get() == ("ANEXO", "ANNEX")
    target = annex(bi)
    assert (target.section_heading, target.section_heading_translation) == ("ANEXO", "ANNEX")
    # A paragraph inserted in the annex is under the same heading, in both languages
    insertion = services.proposal_submit(
        actor=bi.users["can"],
        declaration=bi.declaration,
        revision_id=bi.revision.pk,
        paragraph_id=target.pk,
        kind="insert_after",
        text="#9 Fortalecer la respuesta transnacional al tráfico ilícito de migrantes",
    )
    services.proposal_decide(actor=bi.users["ppt"], proposal=insertion, decision="accept", version=1)
    created = Paragraph.objects.get(pk=Proposal.objects.get(pk=insertion.pk).created_paragraph_id)
    assert created.section_heading_translation == "ANNEX"
    rev1 = agree_and_issue(bi)
    assert Section.objects.filter(revision=rev1, kind="annex").values_list("heading", "heading_translation").get() == (
        "ANEXO",
        "ANNEX",
    )
    # A revision issued from sections that leave the translation out keeps the one given before
    again = sections()
    for section in again:
        section.pop("heading_translation", None)
    carried = {p.position: p.pk for p in Paragraph.objects.filter(declaration=bi.declaration, inserted=False)}
    ids = iter(pk for _, pk in sorted(carried.items()))
    for section in again:
        for p in section["paragraphs"]:
            p["paragraph"] = next(ids)
    rev2 = services.revision_issue(actor=bi.users["ts"], declaration=bi.declaration, sections=again)
    assert Section.objects.get(revision=rev2, kind="annex").heading_translation == "ANNEX"
    # ... and a new heading with no translation given has none
    again[-1]["heading"] = "ANEXO I"
    rev3 = services.revision_issue(actor=bi.users["ts"], declaration=bi.declaration, sections=again)
    assert Section.objects.get(revision=rev3, kind="annex").heading_translation == ""


@pytest.mark.parametrize("endpoint", ["text", "working-text"])
def test_the_api_gives_the_heading_in_both_languages_or_in_the_one_asked_for(bi: Bilingual, endpoint: str) -> None:
    client = bi.world.client("rncom")
    url = f"/api/declarations/{bi.declaration.pk}/{endpoint}/"
    both = next(s for s in client.get(url).json()["sections"] if s["kind"] == "annex")
    assert (both["heading"], both["heading_translation"]) == ("ANEXO", "ANNEX")
    for lang, heading in (("es", "ANEXO"), ("en", "ANNEX")):
        one = next(s for s in client.get(f"{url}?lang={lang}").json()["sections"] if s["kind"] == "annex")
        assert one["heading"] == heading and "heading_translation" not in one
    untitled = next(s for s in client.get(f"{url}?lang=en").json()["sections"] if s["kind"] == "operative")
    assert untitled["heading"] == ""


def texts(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    return "\n".join(t.text or "" for t in document.element.body.iter(f"{W}t"))


def rows(data: bytes) -> list[tuple[str, str]]:
    table = docx.Document(io.BytesIO(data)).tables[0]
    return [(r.cells[0].text, r.cells[1].text) for r in table.rows]


@pytest.mark.parametrize("kind", ["clean", "compilation"])
def test_the_exports_print_the_heading_in_the_documents_language(bi: Bilingual, kind: str) -> None:
    spanish = texts(render_document(declaration_id=bi.declaration.pk, kind=kind, language="es"))
    english = texts(render_document(declaration_id=bi.declaration.pk, kind=kind, language="en"))
    assert "ANEXO" in spanish and "ANNEX" not in spanish
    assert "ANNEX" in english and "ANEXO" not in english
    both = rows(render_document(declaration_id=bi.declaration.pk, kind=kind, language="both"))
    assert ("ANEXO", "ANNEX") in both


def test_without_a_translation_the_other_language_prints_the_original_heading(bi: Bilingual) -> None:
    Section.objects.filter(revision=bi.revision).update(heading_translation="")
    Paragraph.objects.filter(declaration=bi.declaration).update(section_heading_translation="")
    english = texts(render_document(declaration_id=bi.declaration.pk, kind="clean", language="en"))
    assert "ANEXO" in english
    assert ("ANEXO", "ANEXO") in rows(render_document(declaration_id=bi.declaration.pk, kind="clean", language="both"))


def test_the_pages_show_the_heading_in_the_readers_language(bi: Bilingual) -> None:
    from django.test import Client

    client = Client()
    client.force_login(bi.users["rncom"])
    url = f"/declarations/{bi.declaration.pk}/text/"
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    spanish = client.get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert '<h2 class="section" lang="en">ANNEX</h2>' in english and ">ANEXO</h2>" not in english
    assert '<h2 class="section" lang="es">ANEXO</h2>' in spanish and ">ANNEX</h2>" not in spanish
