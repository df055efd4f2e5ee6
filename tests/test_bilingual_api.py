"""Spanish and English versions of one declaration (issue 15): the API and its schema."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import call_command

from drafting.models import Adoption, Event, Paragraph
from tests.bilingual_fixture import Bilingual, build_bilingual
from tests.factories import UserFactory


@pytest.fixture
def bi(db: None) -> Bilingual:
    return build_bilingual()


def client(bi: Bilingual, role: str) -> Any:
    return bi.world.client(role)


def paragraphs_of(text: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for s in text["sections"] for p in s["paragraphs"]]


def call(c: Any, method: str, path: str, body: dict[str, Any] | None = None, expect: int = 200) -> Any:
    response = getattr(c, method)(path, body or {}, format="json") if method == "post" else c.get(path)
    assert response.status_code == expect, (path, response.content)
    return response.json() if response.content else None


def test_texts_carry_both_languages_and_each_paragraphs_status(bi: Bilingual) -> None:
    d = bi.declaration.pk
    working = call(client(bi, "rncom"), "get", f"/api/declarations/{d}/working-text/")
    assert working["original_language"] == "es"
    first = paragraphs_of(working)[2]
    assert first["text"].startswith("La CRM reconoce")
    assert first["translation"]["language"] == "en"
    assert first["translation"]["text"].startswith("The RCM recognizes")
    assert (first["translation"]["status"], first["text_version"], first["translation"]["translation_of"]) == (
        "current",
        1,
        1,
    )
    revision = call(client(bi, "rncom"), "get", f"/api/revisions/{bi.revision.pk}/")
    assert revision["original_language"] == "es"
    assert {p["translation"]["status"] for p in paragraphs_of(revision)} == {"current"}


def test_the_ts_lists_and_updates_stale_translations_through_the_api(bi: Bilingual) -> None:
    d, target = bi.declaration.pk, bi.paragraphs[4]
    mex, ppt, ts = client(bi, "mex"), client(bi, "ppt"), client(bi, "ts")
    body = {
        "declaration": d,
        "revision": bi.revision.pk,
        "paragraph": target.pk,
        "kind": "replace",
        "text": target.text.replace("(véase el Anexo)", "(véase el Anexo A)"),
    }
    proposal = call(mex, "post", "/api/proposals/", body, expect=201)
    assert proposal["language"] == "es"
    call(ppt, "post", f"/api/proposals/{proposal['id']}/accept/", {"version": proposal["version"]})
    behind = call(ts, "get", f"/api/declarations/{d}/translations/")
    assert behind["language"] == "en" and behind["missing"] == []
    (stale,) = behind["stale"]
    assert (stale["paragraph"], stale["label"], stale["text_version"]) == (target.pk, "OP1", 2)

    update = {"text_version": 2, "text": target.translation_text.replace("(See Annex.)", "(See Annex A.)")}
    refused = call(mex, "post", f"/api/paragraphs/{target.pk}/translation/", update, expect=403)
    assert refused["error"] == "forbidden"
    moved = call(ts, "post", f"/api/paragraphs/{target.pk}/translation/", {**update, "text_version": 1}, expect=409)
    assert moved["text_version"] == 2
    assert call(ts, "post", f"/api/paragraphs/{target.pk}/translation/", {"text_version": 2}, expect=400)
    done = call(ts, "post", f"/api/paragraphs/{target.pk}/translation/", update)
    assert done["translation"]["status"] == "current" and done["translation"]["text"] == update["text"]
    assert call(ts, "get", f"/api/declarations/{d}/translations/")["stale"] == []
    record = call(client(bi, "iom"), "get", f"/api/declarations/{d}/record/?verb=paragraph.translated")
    assert [e["proposal"] for e in record["results"]] == [proposal["id"]]


def test_adoption_409_lists_stale_paragraphs_unless_original_language_only(bi: Bilingual) -> None:
    d, target, ppt = bi.declaration.pk, bi.paragraphs[5], client(bi, "ppt")
    Paragraph.objects.filter(pk=target.pk).update(text_version=2)  # setup: the original moved on
    for p in Paragraph.objects.filter(declaration=bi.declaration):
        call(ppt, "post", f"/api/paragraphs/{p.pk}/transition/", {"action": "agree"})
    rev1 = call(ppt, "post", f"/api/declarations/{d}/revisions/next/", {}, expect=201)
    refused = call(
        ppt, "post", f"/api/declarations/{d}/adoption/", {"revision": rev1["id"], "method": "in_session"}, expect=409
    )
    assert refused["translation_stale"] == ["OP2"] and refused["translation_missing"] == []
    assert not Adoption.objects.exists()
    body = {"revision": rev1["id"], "method": "in_session", "original_language_only": True}
    started = call(ppt, "post", f"/api/declarations/{d}/adoption/", body, expect=201)
    assert started["original_language_only"] is True
    assert Event.objects.get(verb="adoption.proposed").after["original_language_only"] is True


def test_a_proposal_in_english_is_accepted_with_its_spanish_wording(bi: Bilingual) -> None:
    d, target = bi.declaration.pk, bi.paragraphs[3]
    english = "Likewise, the RCM welcomes the IMRF, to be held from 17 to 20 May 2022 in New York."
    body = {
        "declaration": d,
        "revision": bi.revision.pk,
        "paragraph": target.pk,
        "kind": "replace",
        "text": english,
        "language": "en",
    }
    proposal = call(client(bi, "can"), "post", "/api/proposals/", body, expect=201)
    assert proposal["language"] == "en"
    listed = paragraphs_of(call(client(bi, "mex"), "get", f"/api/declarations/{d}/working-text/"))[3]["proposals"]
    assert [p["language"] for p in listed] == ["en"]
    ppt = client(bi, "ppt")
    refused = call(ppt, "post", f"/api/proposals/{proposal['id']}/accept/", {"version": 1}, expect=400)
    assert "original_text" in refused["fields"]
    spanish = "Asimismo, la CRM celebra el FEMI, que se realizará del 17 al 20 de mayo de 2022 en Nueva York."
    call(ppt, "post", f"/api/proposals/{proposal['id']}/accept/", {"version": 1, "original_text": spanish})
    working = paragraphs_of(call(ppt, "get", f"/api/declarations/{d}/working-text/"))[3]
    assert (working["text"], working["translation"]["text"], working["translation"]["status"]) == (
        spanish,
        english,
        "current",
    )


def test_the_ts_names_a_translator_through_the_api(bi: Bilingual) -> None:
    translator = UserFactory(username="interprete")
    meeting = bi.world.meeting.pk
    call(client(bi, "ppt"), "post", f"/api/meetings/{meeting}/translators/", {"username": "interprete"}, expect=403)
    call(client(bi, "ts"), "post", f"/api/meetings/{meeting}/translators/", {"username": "nobody"}, expect=400)
    assert call(client(bi, "ts"), "post", f"/api/meetings/{meeting}/translators/", {"username": "interprete"}) == {
        "username": "interprete",
        "named": True,
    }
    assert bi.world.meeting.translators.filter(pk=translator.pk).exists()


def test_the_schema_documents_both_languages(tmp_path: Path) -> None:
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(out))
    schema = yaml.safe_load(out.read_text())
    for path in (
        "/api/declarations/{id}/translations/",
        "/api/paragraphs/{id}/translation/",
        "/api/meetings/{id}/translators/",
    ):
        assert path in schema["paths"]
    components = schema["components"]["schemas"]
    assert "translation" in components["TextParagraph"]["properties"]
    assert "translation" in components["WorkingParagraph"]["properties"]
    assert "original_language_only" in components["AdoptionStartRequest"]["properties"]
    assert "original_text" in components["DecisionRequest"]["properties"]


def test_times_are_read_and_entered_in_the_meetings_time_zone(bi: Bilingual) -> None:
    d, ppt = bi.declaration.pk, client(bi, "ppt")
    revision = call(ppt, "get", f"/api/revisions/{bi.revision.pk}/")
    assert revision["issued_at"].endswith("-06:00")  # America/Guatemala, the meeting's zone
    for p in Paragraph.objects.filter(declaration=bi.declaration):
        call(ppt, "post", f"/api/paragraphs/{p.pk}/transition/", {"action": "agree"})
    rev1 = call(ppt, "post", f"/api/declarations/{d}/revisions/next/", {}, expect=201)
    body = {"revision": rev1["id"], "method": "silence", "deadline": "2030-01-10T18:00:00"}  # no offset: local
    started = call(ppt, "post", f"/api/declarations/{d}/adoption/", body, expect=201)
    assert started["deadline"] == "2030-01-10T18:00:00-06:00"
    stored = Adoption.objects.get().deadline
    assert stored is not None and stored.isoformat() == "2030-01-11T00:00:00+00:00"  # stored in UTC
    # The next request (another thread's zone never leaks): the API's own default again
    from django.utils import timezone

    assert timezone.get_current_timezone_name() == "UTC"
