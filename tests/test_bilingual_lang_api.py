"""``?lang=es|en`` on the text endpoints (issue 15): one language's wording in
each text field, a 400 for any other value, an ETag of its own per language,
documented in the schema; without it the answers are unchanged."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import call_command

from drafting import services
from drafting.models import Paragraph
from tests.bilingual_fixture import Bilingual, accept_spanish_change, build_bilingual


@pytest.fixture
def bi(db: None) -> Bilingual:
    return build_bilingual()


def paragraphs_of(text: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for s in text["sections"] for p in s["paragraphs"]]


def urls(bi: Bilingual) -> dict[str, str]:
    d = bi.declaration.pk
    return {
        "text": f"/api/declarations/{d}/text/",
        "revision": f"/api/revisions/{bi.revision.pk}/",
        "working": f"/api/declarations/{d}/working-text/",
    }


def get(bi: Bilingual, url: str, **headers: str) -> Any:
    return bi.world.client("rncom").get(url, **headers)


@pytest.mark.parametrize("endpoint", ["text", "revision", "working"])
def test_lang_selects_one_languages_wording_in_every_text_field(bi: Bilingual, endpoint: str) -> None:
    url = urls(bi)[endpoint]
    both = get(bi, url).json()
    assert "language" not in both  # without lang: as before, both languages
    by_id = {p["paragraph"]: p for p in paragraphs_of(both)}
    for lang in ("es", "en"):
        one = get(bi, f"{url}?lang={lang}").json()
        assert one["language"] == lang and one["original_language"] == "es"
        paragraphs = paragraphs_of(one)
        assert [p["paragraph"] for p in paragraphs] == list(by_id)
        for p in paragraphs:
            full = by_id[p["paragraph"]]
            source = full if lang == "es" else full["translation"]
            assert (p["text"], p["emphasis"], p["table"]) == (source["text"], source["emphasis"], source["table"])
            assert p["language"] == lang and p["translation_status"] == full["translation"]["status"]
            assert "translation" not in p
            assert (p["label"], p["kind"], p["state"]) == (full["label"], full["kind"], full["state"])
    spanish = paragraphs_of(get(bi, f"{url}?lang=es").json())[2]["text"]
    english = paragraphs_of(get(bi, f"{url}?lang=en").json())[2]["text"]
    assert spanish.startswith("La CRM reconoce") and english.startswith("The RCM recognizes")


def test_lang_on_the_working_text_shows_a_stale_english_version_as_stale(bi: Bilingual) -> None:
    target = bi.paragraphs[4]
    accept_spanish_change(bi, target)
    english = {p["paragraph"]: p for p in paragraphs_of(get(bi, urls(bi)["working"] + "?lang=en").json())}
    target.refresh_from_db()
    assert english[target.pk]["text"] == target.translation_text  # the English as it stands, flagged stale
    assert english[target.pk]["translation_status"] == "stale"
    spanish = {p["paragraph"]: p for p in paragraphs_of(get(bi, urls(bi)["working"] + "?lang=es").json())}
    assert spanish[target.pk]["text"].endswith("Con urgencia.")


@pytest.mark.parametrize("endpoint", ["text", "revision", "working"])
@pytest.mark.parametrize("value", ["fr", "ES", "", "es,en"])
def test_any_other_lang_is_a_400_with_a_message(bi: Bilingual, endpoint: str, value: str) -> None:
    response = get(bi, f"{urls(bi)[endpoint]}?lang={value}")
    assert response.status_code == 400, response.content
    body = response.json()
    assert "`lang` is `es` or `en`" in body["detail"] and body["fields"]["lang"] == ["One of: es, en."]


@pytest.mark.parametrize("endpoint", ["text", "revision", "working"])
def test_the_etag_varies_with_lang(bi: Bilingual, endpoint: str) -> None:
    url = urls(bi)[endpoint]
    tags = {lang: get(bi, f"{url}?lang={lang}" if lang else url)["ETag"] for lang in ("es", "en", None)}
    assert len(set(tags.values())) == 3
    assert tags["es"].endswith('-es"') and tags["en"].endswith('-en"')
    # A 304 for the Spanish tag is answered for Spanish only
    assert get(bi, f"{url}?lang=es", HTTP_IF_NONE_MATCH=tags["es"]).status_code == 304
    english = get(bi, f"{url}?lang=en", HTTP_IF_NONE_MATCH=tags["es"])
    assert english.status_code == 200 and english.json()["language"] == "en"
    assert get(bi, url, HTTP_IF_NONE_MATCH=tags["es"]).status_code == 200
    assert get(bi, url, HTTP_IF_NONE_MATCH=tags[None]).status_code == 304
    # Each language's body is its own, also from the rendered-body cache
    assert get(bi, f"{url}?lang=es").json()["language"] == "es"
    assert "language" not in get(bi, url).json()


def test_a_write_changes_every_languages_etag(bi: Bilingual) -> None:
    url = urls(bi)["working"]
    before = {lang: get(bi, f"{url}?lang={lang}")["ETag"] for lang in ("es", "en")}
    services.paragraph_act(
        actor=bi.users["ppt"], paragraph=Paragraph.objects.get(pk=bi.paragraphs[2].pk), action="agree"
    )
    for lang, tag in before.items():
        assert get(bi, f"{url}?lang={lang}", HTTP_IF_NONE_MATCH=tag).status_code == 200


def test_the_schema_documents_lang_with_its_enum(tmp_path: Path) -> None:
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(out))
    schema = yaml.safe_load(out.read_text())
    for path in (
        "/api/declarations/{id}/text/",
        "/api/revisions/{id}/",
        "/api/declarations/{id}/working-text/",
        "/api/paragraphs/{id}/",
    ):
        parameters = {p["name"]: p for p in schema["paths"][path]["get"]["parameters"]}
        assert parameters["lang"]["in"] == "query" and not parameters["lang"].get("required", False)
        assert sorted(parameters["lang"]["schema"]["enum"]) == ["en", "es"]
        assert "400" in parameters["lang"]["description"]
    components = schema["components"]["schemas"]
    for name in ("TextParagraph", "WorkingParagraph", "ParagraphVersion"):
        assert {"language", "translation_status", "translation"} <= set(components[name]["properties"])
        assert "translation" not in components[name].get("required", [])


def test_a_paragraph_carries_both_languages_and_lang_selects_one(bi: Bilingual) -> None:
    """``/api/paragraphs/{id}/``: the current wording and each revision's carry
    the other language's version (``translation``); ``?lang=`` gives one
    language's wording, with a stale English version flagged stale."""
    target = bi.paragraphs[4]
    issued_english = target.translation_text
    accept_spanish_change(bi, target)
    url = f"/api/paragraphs/{target.pk}/"
    both = get(bi, url).json()
    assert both["current"]["text"].endswith("Con urgencia.")
    assert both["current"]["translation"]["language"] == "en"
    assert both["current"]["translation"]["text"] == issued_english
    assert both["current"]["translation"]["status"] == "stale"
    (issued,) = both["versions"]
    assert issued["translation"] == {"language": "en", "text": issued_english, "emphasis": [], "status": "current"}

    english = get(bi, f"{url}?lang=en").json()
    assert english["current"]["text"] == issued_english and english["current"]["language"] == "en"
    assert english["current"]["translation_status"] == "stale" and "translation" not in english["current"]
    assert english["versions"][0]["text"] == issued_english
    assert english["versions"][0]["translation_status"] == "current"
    spanish = get(bi, f"{url}?lang=es").json()
    assert spanish["current"]["text"].endswith("Con urgencia.") and spanish["current"]["language"] == "es"
    assert spanish["versions"][0]["text"] == target.text and "translation" not in spanish["versions"][0]
    refused = get(bi, f"{url}?lang=fr")
    assert refused.status_code == 400 and refused.json()["fields"]["lang"] == ["One of: es, en."]
