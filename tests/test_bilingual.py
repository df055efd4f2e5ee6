"""Spanish and English versions of one declaration (issue 15): the services.

Built on the bilingual declaration from seed 000 (tests/bilingual_fixture.py):
Spanish original, the seed's English as its translation."""

from __future__ import annotations

from typing import Any

import pytest

from drafting import services
from drafting.bilingual import translation_status
from drafting.errors import Conflict, InvalidInput, NotAllowed
from drafting.models import Adoption, Event, Paragraph, Proposal, RevisionParagraph
from drafting.services.translations import translation_update, translator_set
from tests.bilingual_fixture import SPANISH, Bilingual, build_bilingual
from tests.factories import UserFactory


@pytest.fixture
def bi(db: None) -> Bilingual:
    return build_bilingual()


def statuses(bi: Bilingual) -> dict[int, str]:
    return {
        p.pk: translation_status(text_version=p.text_version, translation_of=p.translation_of)
        for p in Paragraph.objects.filter(declaration=bi.declaration).exclude(state="deleted")
    }


def accept_replace(bi: Bilingual, paragraph: Paragraph, text: str, **submit: Any) -> Proposal:
    proposal = services.proposal_submit(
        actor=bi.users["mex"],
        declaration=bi.declaration,
        revision_id=bi.declaration.revisions.order_by("-number").first().pk,  # type: ignore[union-attr]
        paragraph_id=paragraph.pk,
        kind="replace",
        text=text,
        **submit,
    )
    return proposal


def decide(bi: Bilingual, proposal: Proposal, **extra: Any) -> Proposal:
    proposal.refresh_from_db()
    return services.proposal_decide(
        actor=bi.users["ppt"], proposal=proposal, decision="accept", version=proposal.version, **extra
    )


def agree_and_issue(bi: Bilingual) -> Any:
    for p in Paragraph.objects.filter(declaration=bi.declaration).exclude(state__in=["agreed", "deleted"]):
        services.paragraph_act(actor=bi.users["ppt"], paragraph=p, action="agree")
    return services.revision_issue_from_working_text(actor=bi.users["ppt"], declaration=bi.declaration)


def test_the_zero_draft_holds_both_versions_all_current(bi: Bilingual) -> None:
    rows = list(RevisionParagraph.objects.filter(revision=bi.revision).order_by("position"))
    assert [r.text for r in rows] == [text for _, _, text, _ in SPANISH]
    assert rows[2].translation_text.startswith("The RCM recognizes that the Global Compact for Migration, approved")
    assert {r.translation_status for r in rows} == {"current"}
    assert set(statuses(bi).values()) == {"current"}
    # Emphasis travels with each version: "Salvar vidas" / "Save lives" bold.
    item = rows[-1]
    (es,), (en,) = item.emphasis, item.translation_emphasis
    assert item.text[es["start"] : es["end"]] == "Salvar vidas"
    assert item.translation_text[en["start"] : en["end"]] == "Save lives"


def test_accepting_a_proposal_makes_exactly_that_paragraph_stale(bi: Bilingual) -> None:
    target = bi.paragraphs[4]
    new = target.text.replace("prioridades regionales", "prioridades regionales comunes")
    proposal = decide(bi, accept_replace(bi, target, new))
    after = statuses(bi)
    assert after.pop(target.pk) == "stale"
    assert set(after.values()) == {"current"}
    target.refresh_from_db()
    assert (target.text, target.text_version, target.translation_of) == (new, 2, 1)
    changed = Event.objects.get(verb="paragraph.changed", proposal=proposal)
    assert changed.after["text_version"] == 2 and changed.after["translation"] == "stale"


def test_rejecting_or_an_emphasis_only_change_leaves_the_translation_current(bi: Bilingual) -> None:
    target = bi.paragraphs[5]
    proposal = accept_replace(bi, target, target.text + " Más.")
    proposal.refresh_from_db()
    services.proposal_decide(actor=bi.users["ppt"], proposal=proposal, decision="reject", version=proposal.version)
    emphasis = [{"start": 0, "end": 8, "style": "italic"}]
    decide(bi, accept_replace(bi, target, target.text, emphasis=emphasis))
    assert set(statuses(bi).values()) == {"current"}


def test_adoption_refused_while_stale_allowed_after_the_update(bi: Bilingual) -> None:
    target = bi.paragraphs[3]
    proposal = decide(bi, accept_replace(bi, target, target.text.replace("Asimismo", "Además")))
    revision = agree_and_issue(bi)
    row = RevisionParagraph.objects.get(revision=revision, paragraph=target)
    assert row.translation_status == "stale"
    with pytest.raises(Conflict) as refused:
        services.adoption_propose(actor=bi.users["ppt"], declaration=bi.declaration, revision_id=revision.pk)
    assert refused.value.extra == {"translation_missing": [], "translation_stale": [row.label]}
    assert row.label in refused.value.message
    with pytest.raises(Conflict):
        services.silence_launch(actor=bi.users["ppt"], declaration=bi.declaration, revision_id=revision.pk)
    assert not Adoption.objects.exists()

    target.refresh_from_db()
    english = "Furthermore, " + target.translation_text.removeprefix("Likewise, ")
    translation_update(actor=bi.users["ts"], paragraph_id=target.pk, text_version=target.text_version, text=english)
    target.refresh_from_db()
    assert (target.translation_text, target.translation_of) == (english, target.text_version)
    # The current revision's other-language version is completed (its original unchanged).
    row.refresh_from_db()
    assert (row.translation_status, row.translation_text) == ("current", english)
    event = Event.objects.get(verb="paragraph.translated")
    assert event.proposal_id == proposal.pk and event.after["proposals"] == [proposal.pk]
    assert event.before["status"] == "stale" and event.after["language"] == "en"

    adoption = services.adoption_propose(actor=bi.users["ppt"], declaration=bi.declaration, revision_id=revision.pk)
    assert adoption.original_language_only is False
    assert Event.objects.get(verb="adoption.proposed").after["languages"] == ["es", "en"]


def test_the_ppt_may_adopt_in_the_original_language_only_recorded_as_such(bi: Bilingual) -> None:
    target = bi.paragraphs[2]
    decide(bi, accept_replace(bi, target, target.text.replace("La CRM reconoce", "La CRM reconoce plenamente")))
    revision = agree_and_issue(bi)
    adoption = services.adoption_propose(
        actor=bi.users["ppt"], declaration=bi.declaration, revision_id=revision.pk, original_language_only=True
    )
    assert Adoption.objects.get(pk=adoption.pk).original_language_only is True
    assert Event.objects.get(verb="adoption.proposed").after["original_language_only"] is True
    services.adoption_adopt(actor=bi.users["ppt"], declaration=bi.declaration)
    adopted = Event.objects.get(verb="declaration.adopted")
    assert adopted.after["original_language_only"] is True


def test_a_missing_translation_blocks_adoption_and_is_listed(bi: Bilingual) -> None:
    target = bi.paragraphs[5]
    insertion = services.proposal_submit(
        actor=bi.users["can"],
        declaration=bi.declaration,
        revision_id=bi.revision.pk,
        paragraph_id=target.pk,
        kind="insert_after",
        text="La CRM invita a los observadores a sumarse a este esfuerzo.",
    )
    decide(bi, insertion)
    created = Paragraph.objects.get(pk=Proposal.objects.get(pk=insertion.pk).created_paragraph_id)
    assert created.translation_of is None
    revision = agree_and_issue(bi)
    label = RevisionParagraph.objects.get(revision=revision, paragraph=created).label
    with pytest.raises(Conflict) as refused:
        services.adoption_propose(actor=bi.users["ppt"], declaration=bi.declaration, revision_id=revision.pk)
    assert refused.value.extra["translation_missing"] == [label]


def test_issuing_a_revision_with_new_wording_makes_that_paragraph_stale_or_takes_the_given_translation(
    bi: Bilingual,
) -> None:
    rows = list(RevisionParagraph.objects.filter(revision=bi.revision).order_by("position"))
    sections: list[dict[str, Any]] = [{"kind": "preamble", "paragraphs": []}]
    for r in rows:
        sections[0]["paragraphs"].append({"kind": "preambular", "text": r.text, "paragraph": r.paragraph_id})
    sections[0]["paragraphs"][2]["text"] += " Nuevo."
    sections[0]["paragraphs"][3]["text"] += " Otro."
    sections[0]["paragraphs"][3]["translation_text"] = "Its new English."
    sections[0]["paragraphs"].append({"kind": "preambular", "text": "Un párrafo nuevo."})
    revision = services.revision_issue(actor=bi.users["ts"], declaration=bi.declaration, sections=sections)
    got = [r.translation_status for r in RevisionParagraph.objects.filter(revision=revision).order_by("position")]
    assert got == ["current", "current", "stale", "current", "current", "current", "current", "missing"]
    fourth = Paragraph.objects.get(pk=rows[3].paragraph_id)
    assert (fourth.translation_text, fourth.text_version, fourth.translation_of) == ("Its new English.", 2, 2)
    assert Event.objects.filter(verb="revision.issued").last().after["translations"] == {"missing": 1, "stale": 1}  # type: ignore[union-attr]


def test_translation_update_refuses_an_older_original_and_bad_tables(bi: Bilingual) -> None:
    target = bi.paragraphs[4]
    decide(bi, accept_replace(bi, target, target.text + " Texto añadido."))
    with pytest.raises(Conflict) as refused:
        translation_update(actor=bi.users["ts"], paragraph_id=target.pk, text_version=1, text="Old English.")
    assert refused.value.extra["text_version"] == 2
    with pytest.raises(InvalidInput):
        translation_update(actor=bi.users["ts"], paragraph_id=target.pk, text_version=2, text="   ")
    with pytest.raises(InvalidInput):
        translation_update(actor=bi.users["ts"], paragraph_id=target.pk, text_version=2, text="x", table=[["a"]])
    assert statuses(bi)[target.pk] == "stale"


def test_only_the_ts_or_a_translator_it_names_updates_translations(bi: Bilingual) -> None:
    target = bi.paragraphs[1]
    translator = UserFactory(username="traductora")
    for outsider in (bi.users["mex"], bi.users["ppt"], translator):
        with pytest.raises(NotAllowed):
            translation_update(actor=outsider, paragraph_id=target.pk, text_version=1, text="Mexico City, 1 April 2022")
    with pytest.raises(NotAllowed):
        translator_set(actor=bi.users["ppt"], meeting=bi.world.meeting, user=translator)
    translator_set(actor=bi.users["ts"], meeting=bi.world.meeting, user=translator)
    translator_set(actor=bi.users["ts"], meeting=bi.world.meeting, user=translator)  # twice: once on record
    assert Event.objects.filter(verb="meeting.translator_named").count() == 1
    translation_update(actor=translator, paragraph_id=target.pk, text_version=1, text="Mexico City, 1 April 2022")
    target.refresh_from_db()
    assert target.translation_text == "Mexico City, 1 April 2022"
    translator_set(actor=bi.users["ts"], meeting=bi.world.meeting, user=translator, named=False)
    with pytest.raises(NotAllowed):
        translation_update(actor=translator, paragraph_id=target.pk, text_version=1, text="Mexico City")


def test_a_proposal_in_the_other_language_needs_the_original_wording_to_be_accepted(bi: Bilingual) -> None:
    target = bi.paragraphs[5]
    english = "As a result of these efforts, the RCM reaffirms the importance of evaluating actions."
    proposal = accept_replace(bi, target, english, language="en")
    assert (proposal.language, proposal.base_text) == ("en", target.text)
    assert Event.objects.get(verb="proposal.submitted", proposal=proposal).after["language"] == "en"
    with pytest.raises(InvalidInput) as refused:
        decide(bi, proposal)
    assert "original_text" in refused.value.fields
    spanish = "Como resultado de estos esfuerzos, la CRM reafirma la importancia de evaluar las acciones."
    decide(bi, proposal, original_text=spanish)
    target.refresh_from_db()
    assert (target.text, target.translation_text) == (spanish, english)
    assert target.translation_of == target.text_version == 2  # the proposal's own words: current
    event = Event.objects.get(verb="paragraph.translated")
    assert event.proposal_id == proposal.pk and event.after["from_proposal"] is True


def test_an_original_wording_is_refused_on_a_proposal_in_the_original_language(bi: Bilingual) -> None:
    target = bi.paragraphs[5]
    proposal = accept_replace(bi, target, target.text + " Más.")
    with pytest.raises(InvalidInput):
        decide(bi, proposal, original_text="Something else.")
    with pytest.raises(InvalidInput):
        accept_replace(bi, target, target.text + " Más.", language="fr")


def test_a_rival_in_the_other_language_is_conflicted_not_merged_when_the_original_changes(bi: Bilingual) -> None:
    target = bi.paragraphs[4]
    english = target.translation_text.replace("regional priorities", "shared regional priorities")
    rival = accept_replace(bi, target, english, language="en")
    services.proposal_submit(
        actor=bi.users["can"],
        declaration=bi.declaration,
        revision_id=bi.revision.pk,
        paragraph_id=target.pk,
        kind="replace",
        text=target.text.replace("(véase el Anexo)", "(véase el Anexo A)"),
    )
    decide(bi, Proposal.objects.filter(paragraph=target, language="es").get())
    rival.refresh_from_db()
    assert rival.status == "conflicted" and rival.text == english
    assert rival.refit is not None and rival.refit["reason"] == "other_language"


def test_a_text_never_translated_is_refused_unless_the_ppt_explicitly_adopts_it_in_the_original_only(
    bi: Bilingual,
) -> None:
    """No implicit exception: a monolingual text lists every paragraph as
    missing; only the PPT's explicit choice adopts it in the original only."""
    from tests.conftest import zero_draft

    ts, ppt = bi.users["ts"], bi.users["ppt"]
    declaration = services.declaration_create(actor=ts, meeting=bi.world.meeting, title="Solo en español")
    services.revision_issue(actor=ts, declaration=declaration, sections=zero_draft())
    for p in Paragraph.objects.filter(declaration=declaration):
        services.paragraph_act(actor=ppt, paragraph=p, action="agree")
    revision = services.revision_issue_from_working_text(actor=ppt, declaration=declaration)
    labels = list(
        RevisionParagraph.objects.filter(revision=revision).order_by("position").values_list("label", flat=True)
    )
    assert labels
    for start in (services.adoption_propose, services.silence_launch):
        with pytest.raises(Conflict) as refused:
            start(actor=ppt, declaration=declaration, revision_id=revision.pk)
        assert refused.value.extra == {"translation_missing": labels, "translation_stale": []}
        assert "missing: " + ", ".join(labels[:3]) in refused.value.message
    assert not Adoption.objects.filter(declaration=declaration).exists()
    adoption = services.adoption_propose(
        actor=ppt, declaration=declaration, revision_id=revision.pk, original_language_only=True
    )
    assert Adoption.objects.get(pk=adoption.pk).original_language_only is True
    assert Event.objects.get(verb="adoption.proposed", declaration=declaration).after == {
        "revision": revision.pk,
        "label": revision.label,
        "original_language_only": True,
        "language": "es",
    }
