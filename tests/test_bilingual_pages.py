"""Spanish and English versions of one declaration (issue 15): the pages."""

from __future__ import annotations

import pytest
from django.test import Client

from drafting import services
from drafting.models import Paragraph
from tests.bilingual_fixture import Bilingual, accept_spanish_change, build_bilingual


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
    accept_spanish_change(bi, target)
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


def test_the_chairs_adoption_form_offers_original_only_and_lists_the_paragraphs_behind(bi: Bilingual) -> None:
    from drafting.models import Adoption, RevisionParagraph

    target = bi.paragraphs[4]
    accept_spanish_change(bi, target)
    for p in Paragraph.objects.filter(declaration=bi.declaration).exclude(state__in=["agreed", "deleted"]):
        services.paragraph_act(actor=bi.users["ppt"], paragraph=p, action="agree")
    revision = services.revision_issue_from_working_text(actor=bi.users["ppt"], declaration=bi.declaration)
    label = RevisionParagraph.objects.get(revision=revision, paragraph=target).label
    chair, console = signed_in(bi, "ppt"), f"/declarations/{bi.declaration.pk}/chair/"
    form = chair.get(console, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert 'name="original_language_only"' in form and "Adoptar solo en el idioma original" in form
    assert "Adopt in the original language only" in chair.get(console, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    start = f"/declarations/{bi.declaration.pk}/adoption/start/"
    # Without the box: refused, the stale paragraph listed in the reader's language
    refused = chair.post(start, {"method": "in_session", "next": console}, HTTP_ACCEPT_LANGUAGE="es", follow=True)
    body = refused.content.decode()
    assert f"traducción desactualizada: {label}" in body and "Ambas versiones lingüísticas" in body
    assert not Adoption.objects.exists()
    refused = chair.post(start, {"method": "in_session", "next": console}, HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert f"translation out of date: {label}" in refused.content.decode()
    # With the box: put to adoption in the original language only, recorded so
    chair.post(start, {"method": "in_session", "original_language_only": "1", "next": console})
    assert Adoption.objects.get().original_language_only is True


def test_the_chairs_form_lists_missing_translations_and_adopts_both_once_current(bi: Bilingual) -> None:
    from drafting.models import Adoption, Proposal, RevisionParagraph

    insertion = services.proposal_submit(
        actor=bi.users["can"],
        declaration=bi.declaration,
        revision_id=bi.revision.pk,
        paragraph_id=bi.paragraphs[5].pk,
        kind="insert_after",
        text="La CRM invita a los observadores a sumarse a este esfuerzo.",
    )
    services.proposal_decide(actor=bi.users["ppt"], proposal=insertion, decision="accept", version=1)
    created = Paragraph.objects.get(pk=Proposal.objects.get(pk=insertion.pk).created_paragraph_id)
    for p in Paragraph.objects.filter(declaration=bi.declaration).exclude(state__in=["agreed", "deleted"]):
        services.paragraph_act(actor=bi.users["ppt"], paragraph=p, action="agree")
    revision = services.revision_issue_from_working_text(actor=bi.users["ppt"], declaration=bi.declaration)
    label = RevisionParagraph.objects.get(revision=revision, paragraph=created).label
    chair, console = signed_in(bi, "ppt"), f"/declarations/{bi.declaration.pk}/chair/"
    start = f"/declarations/{bi.declaration.pk}/adoption/start/"
    refused = chair.post(start, {"method": "in_session", "next": console}, HTTP_ACCEPT_LANGUAGE="es", follow=True)
    assert f"falta la traducción: {label}" in refused.content.decode()
    assert not Adoption.objects.exists()
    # The TS brings the English in line; then the form adopts in both languages
    from drafting.services.translations import translation_update

    created.refresh_from_db()
    translation_update(
        actor=bi.users["ts"],
        paragraph_id=created.pk,
        text_version=created.text_version,
        text="The RCM invites observers to join this effort.",
    )
    chair.post(start, {"method": "in_session", "next": console})
    assert Adoption.objects.get().original_language_only is False


def test_the_zero_draft_is_named_in_the_pages_language(bi: Bilingual) -> None:
    """The label stored for revision 0 is "Zero draft"; a Spanish page says "Proyecto cero"
    (the meeting's home, the text, the chair's console, the projection screen)."""
    assert bi.revision.label == "Zero draft"
    pages = [
        f"/meetings/{bi.declaration.meeting_id}/",
        f"/declarations/{bi.declaration.pk}/text/",
        f"/declarations/{bi.declaration.pk}/chair/",
        f"/declarations/{bi.declaration.pk}/screen/",
    ]
    chair = signed_in(bi, "ppt")
    for url in pages:
        english = chair.get(url, HTTP_ACCEPT_LANGUAGE="en")
        spanish = chair.get(url, HTTP_ACCEPT_LANGUAGE="es")
        assert english.status_code == spanish.status_code == 200, url
        assert "Zero draft" in english.content.decode() and "Proyecto cero" not in english.content.decode(), url
        assert "Proyecto cero" in spanish.content.decode() and "Zero draft" not in spanish.content.decode(), url
