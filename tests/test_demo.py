"""The demo workshop, loaded as ``python3 dev.py serve`` loads it."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from drafting import seedtext
from drafting.demo import SEED, demo_load
from drafting.models import Delegation, Event, RevisionParagraph

SHARED_SEED = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "000_b0279665a7f6544a.txt"

FIRST = (
    "Regional Conference on Migration (RCM) EXTRAORDINARY DECLARATION BEFORE THE INTERNATIONAL MIGRATION REVIEW FORUM"
)
LAST = "#23 Strengthen international cooperation and global partnerships for safe, orderly and regular migration"


def test_bundled_seed_is_the_shared_seed() -> None:
    if not SHARED_SEED.exists():
        pytest.skip("shared/ is not beside this checkout")
    assert SEED.read_bytes() == SHARED_SEED.read_bytes()


@pytest.mark.django_db
def test_demo_loads_the_rcm_with_its_eleven_members_and_the_zero_draft() -> None:
    declaration, users = demo_load()

    members = Delegation.objects.filter(kind=Delegation.Kind.MEMBER_STATE)
    assert members.count() == 11
    assert set(members.values_list("name_en", flat=True)) == {
        "Belize",
        "Canada",
        "Costa Rica",
        "Dominican Republic",
        "El Salvador",
        "Guatemala",
        "Honduras",
        "Mexico",
        "Nicaragua",
        "Panama",
        "United States",
    }
    meeting = declaration.meeting
    assert meeting.place == "Mexico City" and meeting.ppt.code == "SLV"
    assert str(meeting.start_date) == "2022-03-31" and str(meeting.end_date) == "2022-04-01"

    revision = declaration.revisions.get()
    assert revision.label == "Zero draft"
    paragraphs = list(RevisionParagraph.objects.filter(revision=revision).order_by("position"))
    # 2 in the title block, the chapeau, 9 declaration paragraphs, and the annex:
    # its introduction, 4 headings and 14 bulleted Global Compact objectives.
    assert len(paragraphs) == 31
    assert paragraphs[0].text == FIRST
    assert paragraphs[-1].text == LAST
    assert [p.kind for p in paragraphs].count("list_item") == 14
    assert [p.label for p in paragraphs[:5]] == ["Title", "Place and date", "PP1", "OP1", "OP2"]
    # The paragraph cut by the page break is one paragraph, with no letterhead inside.
    joined = next(p for p in paragraphs if p.text.startswith("In this sense"))
    assert "and to work together with all relevant stakeholders" in joined.text
    assert not any(seedtext.is_letterhead(p.text) for p in paragraphs)
    assert not any("Conferencia Regional" in p.text or "GOBIERNO" in p.text for p in paragraphs)
    # Emphasis survives: bold objective phrases, italic principles.
    assert paragraphs[-1].emphasis == [{"start": 15, "end": 40, "style": "bold"}]
    assert paragraphs[-1].text[15:40] == "international cooperation"
    italic = [joined.text[s["start"] : s["end"]] for s in joined.emphasis]
    assert italic == [
        "Shared Responsibility",
        "Respect for the Rule of Law",
        "Human Rights",
        "International Cooperation",
    ]
    assert {u.username for u in users} >= {"ts", "ppt.slv", "mex", "iom", "rncom"}


@pytest.mark.django_db
def test_loading_the_demo_twice_changes_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("load_demo")
    first_out = capsys.readouterr().out
    events = Event.objects.count()
    call_command("load_demo")
    assert Event.objects.count() == events
    assert capsys.readouterr().out == first_out
    assert "Token " in first_out


@pytest.mark.django_db
def test_load_demo_refuses_production_unless_told_it_is_a_training_server(settings: Any) -> None:
    # Given a production server
    settings.PRODUCTION = True
    # Then the demo, with its published password, is refused and nothing is created
    with pytest.raises(CommandError, match="--allow-production"):
        call_command("load_demo")
    assert not get_user_model().objects.filter(username="mex").exists()
    # unless the operator says so explicitly
    call_command("load_demo", "--allow-production", stdout=io.StringIO())
    assert get_user_model().objects.filter(username="mex").exists()


@pytest.mark.django_db
def test_the_demo_declaration_is_adoptable_in_both_languages_without_the_original_only_exception() -> None:
    """Adoption refuses a text whose other version is missing or stale unless
    the PPT explicitly adopts in the original language only (issue 15): the
    demo holds both versions, so agreeing everything and issuing Rev.1 is
    enough to put it to adoption in both languages."""
    from drafting import services
    from drafting.models import Paragraph

    declaration, _users = demo_load()
    ppt = get_user_model().objects.get(username="ppt.slv")
    assert set(RevisionParagraph.objects.filter(revision__declaration=declaration).values_list(
        "translation_status", flat=True
    )) == {"current"}  # fmt: skip
    # The annex's heading too is in both languages
    from drafting.models import Section

    heading, translation = Section.objects.values_list("heading", "heading_translation").get(
        revision__declaration=declaration, kind="annex"
    )
    assert heading and translation and heading != translation
    for p in Paragraph.objects.filter(declaration=declaration).exclude(state__in=["agreed", "deleted"]):
        services.paragraph_act(actor=ppt, paragraph=p, action="agree")
    revision = services.revision_issue_from_working_text(actor=ppt, declaration=declaration)
    adoption = services.adoption_propose(actor=ppt, declaration=declaration, revision_id=revision.pk)
    assert adoption.original_language_only is False
    assert Event.objects.get(verb="adoption.proposed").after["languages"] == ["en", "es"]
