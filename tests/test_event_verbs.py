"""Event verbs are an enumeration (issue 18): ``EventVerb`` names every verb
the negotiation record holds, the services pass members, and the strings
stored are the ones stored before the enumeration existed."""

from __future__ import annotations

import pytest

from drafting import services
from drafting.models import Event, EventVerb, Statement
from drafting.services.proposals import DECISIONS
from drafting.states import TRANSITIONS
from tests.conftest import World
from tests.test_workshop_replay import (
    test_the_2022_workshop_from_zero_draft_to_adoption_by_silence as workshop_replay,
)

pytestmark = pytest.mark.django_db


def test_every_verb_the_workshop_replay_stores_is_a_member() -> None:
    # Given the whole 2022 workshop replayed through the API (demo, proposals,
    # positions, decisions, Rev.1, silence broken and relaunched, statements, adoption)
    workshop_replay()
    # Then every verb on the record is a member, and the replay reached the record's main kinds
    stored = set(Event.objects.values_list("verb", flat=True).distinct())
    assert stored - set(EventVerb.values) == set()
    assert {
        EventVerb.DECLARATION_CREATED,
        EventVerb.PROPOSAL_SUBMITTED,
        EventVerb.PROPOSAL_SUPPORTED,
        EventVerb.PROPOSAL_ACCEPTED,
        EventVerb.REVISION_ISSUED,
        EventVerb.SILENCE_LAUNCHED,
        EventVerb.SILENCE_BROKEN,
        EventVerb.DECLARATION_ADOPTED,
    } <= stored


# The verbs the services build from a value (an action, a kind, a status, a model):
# each value they can be given has its member, or the service would raise instead of recording.
BUILT = (
    [f"paragraph.{action}" for action in TRANSITIONS]
    + [f"statement.{kind}" for kind in Statement.Kind.values]
    + [f"proposal.{status}" for status in DECISIONS.values()]
    + [f"proposal.{s}" for s in ("incorporated", "carried_over", "refitted", "conflicted", "superseded")]
    + [
        f"{model}.{action}"
        for model in ("delegation", "delegate", "meeting")
        for action in ("created", "changed", "deleted")
    ]
)


@pytest.mark.parametrize("verb", BUILT)
def test_every_verb_a_service_builds_is_a_member(verb: str) -> None:
    assert EventVerb(verb).value == verb


def test_a_verb_outside_the_enumeration_is_refused_and_nothing_is_recorded(world: World) -> None:
    count = Event.objects.count()
    with pytest.raises(ValueError):
        services.event_record(verb="paragraph.noted", actor=None, obj=world.meeting)  # type: ignore[arg-type]
    assert Event.objects.count() == count


def test_the_stored_strings_are_the_members_values() -> None:
    # a member is stored as its plain string: filters, the API and the chair's page compare strings
    assert EventVerb.PROPOSAL_SUBMITTED == "proposal.submitted"
    assert f"{EventVerb.REVISION_ISSUED}" == "revision.issued"
