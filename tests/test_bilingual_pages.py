"""Spanish and English versions of one declaration (issue 15): the pages."""

from __future__ import annotations

import pytest
from django.test import Client

from drafting import services
from drafting.models import Paragraph
from tests.bilingual_fixture import Bilingual, build_bilingual


@pytest.fixture
def bi(db: None) -> Bilingual:
    return build_bilingual()


def signed_in(bi: Bilingual, role: str) -> Client:
    client = Client()
    client.force_login(bi.users[role])
    return client


def test_the_reader_sees_the_chosen_language_with_the_other_one_click_away(bi: Bilingual) -> None:
    url = f"/declarations/{bi.declaration.pk}/text/"
    spanish, english = bi.paragraphs[3].text, bi.paragraphs[3].translation_text
    in_english = signed_in(bi, "rncom").get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert in_english.index(english[:40]) < in_english.index(spanish[:40])  # English first
    assert 'lang="en"' in in_english and '<details class="other-language"><summary>' in in_english
    assert "Other language version: Español" in in_english
    in_spanish = signed_in(bi, "rncom").get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert in_spanish.index(spanish[:40]) < in_spanish.index(english[:40])  # Spanish first
    assert "Versión en el otro idioma: English</summary>" in in_spanish
    # An observer gets no translation form and, all being current, no flag
    assert "/translation/" not in in_english and "translation-flag" not in in_english


def test_the_ts_sees_stale_flags_and_updates_a_translation_from_the_page(bi: Bilingual) -> None:
    target = bi.paragraphs[4]
    proposal = services.proposal_submit(
        actor=bi.users["mex"],
        declaration=bi.declaration,
        revision_id=bi.revision.pk,
        paragraph_id=target.pk,
        kind="replace",
        text=target.text + " Con urgencia.",
    )
    services.proposal_decide(actor=bi.users["ppt"], proposal=proposal, decision="accept", version=1)
    url = f"/declarations/{bi.declaration.pk}/text/"
    ts = signed_in(bi, "ts")
    body = ts.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert body.count("translation-flag flag-stale") == 1 and "Translation out of date" in body
    assert f'action="/paragraphs/{target.pk}/translation/"' in body
    assert "translation-flag" not in signed_in(bi, "mex").get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    english = target.translation_text + " Urgently."
    response = ts.post(f"/paragraphs/{target.pk}/translation/", {"text_version": "2", "text": english, "next": url})
    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.translation_text, target.translation_of) == (english, 2)
    assert "translation-flag" not in ts.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # A delegation posting the form anyway is refused by the service
    refused = signed_in(bi, "mex").post(f"/paragraphs/{target.pk}/translation/", {"text_version": "2", "text": "x"})
    assert refused.status_code == 403
    assert Paragraph.objects.get(pk=target.pk).translation_text == english


def test_a_proposal_in_english_shows_its_language_and_the_chair_gives_the_spanish(bi: Bilingual) -> None:
    target = bi.paragraphs[5]
    url = f"/declarations/{bi.declaration.pk}/text/"
    mex = signed_in(bi, "mex")
    english = "As a result, the RCM reaffirms the importance of evaluating actions."
    posted = mex.post(
        f"/declarations/{bi.declaration.pk}/propose/",
        {
            "paragraph": target.pk,
            "revision": bi.revision.pk,
            "kind": "replace",
            "text": english,
            "language": "en",
            "next": url,
        },
    )
    assert posted.status_code == 302
    proposal = target.proposals.get()
    assert proposal.language == "en"
    console = signed_in(bi, "ppt").get(f"/declarations/{bi.declaration.pk}/chair/").content.decode()
    assert '<span class="lang" lang="en">English</span>' in console
    assert f'name="original_text" id="original-{proposal.pk}"' in console
    spanish = "Como resultado, la CRM reafirma la importancia de evaluar las acciones."
    signed_in(bi, "ppt").post(
        f"/proposals/{proposal.pk}/decide/", {"decision": "accept", "version": "1", "original_text": spanish}
    )
    target.refresh_from_db()
    assert (target.text, target.translation_text) == (spanish, english)
