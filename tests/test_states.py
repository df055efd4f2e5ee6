"""The consensus workflow at service level: every paragraph transition from
every state, agreement blocked by member objections, ad ref confirmation,
brackets and Alt options, what accepting a proposal does to the working
text, the next revision from the working text, and adoption (in session and
by silence procedure) with the statements put on record.

Each refusal is checked to leave the database exactly as it was."""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.utils import timezone

from drafting import selectors, services
from drafting.errors import Conflict, DomainError, InvalidInput, NotAllowed
from drafting.models import (
    Adoption,
    AdoptionObjection,
    Declaration,
    Event,
    Paragraph,
    ParagraphObjection,
    Position,
    Proposal,
    Revision,
    RevisionParagraph,
    Statement,
)
from drafting.states import TRANSITIONS, State
from tests.conftest import World, bilingual, zero_draft

pytestmark = pytest.mark.django_db

S = State
ALL_STATES = list(State)
MEMBERS_PRESENT = ["ppt", "mex", "can"]
NOT_MEMBERS = ["arg", "iom", "rncom", "ts"]
NOT_NEGOTIATORS = ["nic", *NOT_MEMBERS]

# The rules as the issue states them, written out independently of
# drafting/states.py: action → (states it may start from, state it leads to).
LIVE = {S.OPEN, S.UNDER_DISCUSSION, S.BRACKETED, S.REOPENED}
EXPECTED: dict[str, tuple[set[State], State]] = {
    "open": ({S.OPEN}, S.UNDER_DISCUSSION),
    "bracket": ({S.UNDER_DISCUSSION, S.BRACKETED, S.REOPENED}, S.BRACKETED),
    "unbracket": ({S.BRACKETED}, S.UNDER_DISCUSSION),
    "agree_ad_ref": (LIVE, S.AGREED_AD_REF),
    "agree": (LIVE, S.AGREED),
    "confirm": ({S.AGREED_AD_REF}, S.AGREED),
    "hold": (LIVE | {S.AGREED_AD_REF}, S.HELD),
    "resume": ({S.HELD}, S.UNDER_DISCUSSION),
    "reopen": ({S.AGREED, S.AGREED_AD_REF}, S.REOPENED),
}


# --- helpers -----------------------------------------------------------------------
def db_state() -> dict[str, Any]:
    """Everything a consensus write could change."""
    return {
        "declarations": list(Declaration.objects.order_by("pk").values_list("pk", "status", "version")),
        "revisions": list(Revision.objects.order_by("pk").values_list("pk", "number", "label")),
        "revision_paragraphs": RevisionParagraph.objects.count(),
        "paragraphs": list(
            Paragraph.objects.order_by("pk").values_list(
                "pk", "state", "text", "ad_ref_delegation", "brackets", "alternatives", "version", "position"
            )
        ),
        "proposals": list(
            Proposal.objects.order_by("pk").values_list("pk", "status", "version", "revision", "incorporated_in")
        ),
        "positions": list(Position.objects.order_by("pk").values_list("pk", "stance", "reason")),
        "objections": list(ParagraphObjection.objects.order_by("pk").values_list("pk", "delegation", "reason")),
        "adoptions": list(Adoption.objects.order_by("pk").values_list("pk", "status", "deadline", "concluded_at")),
        "adoption_objections": list(AdoptionObjection.objects.order_by("pk").values_list("pk", "delegation")),
        "statements": Statement.objects.count(),
        "events": Event.objects.count(),
    }


@contextmanager
def refused(exc_type: type[DomainError], match: str | None = None) -> Iterator[Any]:
    """Expect ``exc_type`` and assert that nothing at all was written."""
    before = db_state()
    with pytest.raises(exc_type, match=match) as info:
        yield info
    assert db_state() == before


def par(world: World, label: str) -> Paragraph:
    """The paragraph labelled ``label`` in the world's zero draft
    (Title, PP1, PP2, OP1, OP2, OP3)."""
    row = RevisionParagraph.objects.get(revision=world.revision, label=label)
    return Paragraph.objects.get(pk=row.paragraph_id)


def put(paragraph: Paragraph, state: State, ad_ref: Any = None) -> Paragraph:
    """Setup only: force a paragraph into ``state``."""
    Paragraph.objects.filter(pk=paragraph.pk).update(state=state, ad_ref_delegation=ad_ref)
    paragraph.refresh_from_db()
    return paragraph


def act(world: World, paragraph: Paragraph, action: str, role: str = "ppt", **kw: Any) -> Paragraph:
    return services.paragraph_act(actor=world.users[role], paragraph=paragraph, action=action, **kw)


def submit(world: World, label: str = "OP3", role: str = "mex", kind: str = "replace", text: str = "") -> Proposal:
    if not text and kind != "delete":
        text = f"A new wording for {label} by {role}."
    revision = world.declaration.revisions.order_by("-number").first()
    assert revision is not None
    return services.proposal_submit(
        actor=world.users[role],
        declaration=world.declaration,
        revision_id=revision.pk,
        paragraph_id=par(world, label).pk,
        kind=kind,
        text=text,
    )


def accept(world: World, proposal: Proposal) -> Proposal:
    proposal.refresh_from_db()
    return services.proposal_decide(
        actor=world.users["ppt"], proposal=proposal, decision="accept", version=proposal.version
    )


def object_to(world: World, proposal: Proposal, role: str, reason: str = "Not acceptable.") -> Position:
    return services.position_set(actor=world.users[role], proposal=proposal, stance="object", reason=reason)


def last_event() -> Event:
    event = Event.objects.order_by("-id").first()
    assert event is not None
    return event


def working(world: World) -> list[dict[str, Any]]:
    """The working text's paragraphs, in order."""
    text = selectors.working_text(declaration=world.declaration)
    return [p for section in text["sections"] for p in section["paragraphs"]]


def working_paragraph(world: World, paragraph_id: int) -> dict[str, Any]:
    return next(p for p in working(world) if p["paragraph"] == paragraph_id)


def next_revision(world: World, role: str = "ppt") -> Revision:
    return services.revision_issue_from_working_text(actor=world.users[role], declaration=world.declaration)


def agreed_revision(world: World) -> Revision:
    """Every paragraph agreed by the PPT, then issued as Rev.1."""
    for paragraph in (
        Paragraph.objects.filter(declaration=world.declaration)
        .exclude(state__in=[S.AGREED, S.DELETED])
        .order_by("position")
    ):
        act(world, paragraph, "agree")
    return next_revision(world)


def propose_adoption(world: World) -> Adoption:
    revision = agreed_revision(world)
    return services.adoption_propose(actor=world.users["ppt"], declaration=world.declaration, revision_id=revision.pk)


def launch_silence(world: World, deadline: datetime.datetime | None = None) -> Adoption:
    revision = agreed_revision(world)
    return services.silence_launch(
        actor=world.users["ppt"], declaration=world.declaration, revision_id=revision.pk, deadline=deadline
    )


def pass_deadline(adoption: Adoption) -> None:
    """Setup only: the silence deadline is now in the past."""
    Adoption.objects.filter(pk=adoption.pk).update(deadline=timezone.now() - datetime.timedelta(seconds=1))
    adoption.refresh_from_db()


def adopt(world: World) -> Adoption:
    propose_adoption(world)
    return services.adoption_adopt(actor=world.users["ppt"], declaration=world.declaration)


def declaration_status(world: World) -> str:
    return Declaration.objects.values_list("status", flat=True).get(pk=world.declaration.pk)


# --- the transition table ------------------------------------------------------------
def test_the_transition_table_is_the_one_the_issue_describes() -> None:
    # Given the table in drafting/states.py, then it has exactly the issue's actions, sources and targets
    assert {a: (set(sources), target) for a, (sources, target) in TRANSITIONS.items()} == EXPECTED


CELLS = [(action, state) for action in EXPECTED for state in ALL_STATES]


@pytest.mark.parametrize(
    ("action", "state"),
    [(a, s) for a, s in CELLS if s in EXPECTED[a][0]],
    ids=[f"{a}-from-{s}" for a, s in CELLS if s in EXPECTED[a][0]],
)
def test_each_allowed_transition_moves_the_paragraph_and_records_it(world: World, action: str, state: State) -> None:
    # Given OP1 in the source state (agreed ad ref for Mexico, where that is the state)
    mex = world.delegations["MEX"]
    paragraph = put(par(world, "OP1"), state, ad_ref=mex if state == S.AGREED_AD_REF else None)
    version, events = paragraph.version, Event.objects.count()
    # When the PPT takes the action
    result = act(world, paragraph, action, ad_ref_delegation="MEX")
    # Then the paragraph is in the target state, one version on
    paragraph.refresh_from_db()
    target = EXPECTED[action][1]
    assert result.state == paragraph.state == target
    assert paragraph.version == version + 1
    # And only an ad ref agreement names a delegation
    assert paragraph.ad_ref_delegation == (mex if action == "agree_ad_ref" else None)
    # And exactly one event records it, with the states before and after
    assert Event.objects.count() == events + 1
    event = last_event()
    assert event.verb == f"paragraph.{action}"
    assert event.actor == world.users["ppt"] and event.delegation == world.delegations["SLV"]
    assert event.paragraph_id == paragraph.pk and event.declaration == world.declaration
    assert event.before is not None and event.after is not None
    assert event.before["state"] == state and event.after["state"] == target
    assert event.before["ad_ref"] == (mex.pk if state == S.AGREED_AD_REF else None)


@pytest.mark.parametrize("action", list(EXPECTED))
def test_each_other_transition_is_a_conflict_and_changes_nothing(world: World, action: str) -> None:
    for state in ALL_STATES:
        if state in EXPECTED[action][0]:
            continue
        # Given OP1 in a state the action may not start from
        ad_ref = world.delegations["MEX"] if state == S.AGREED_AD_REF else None
        paragraph = put(par(world, "OP1"), state, ad_ref=ad_ref)
        # When the PPT tries it, then it is a conflict naming the state, and nothing changes
        with refused(Conflict) as info:
            act(world, paragraph, action, ad_ref_delegation="MEX")
        assert info.value.extra == {"state": state}, state


def test_an_unknown_action_is_invalid(world: World) -> None:
    with refused(InvalidInput) as info:
        act(world, par(world, "OP1"), "approve")
    assert "action" in info.value.fields


@pytest.mark.parametrize("role", ["mex", "can", *NOT_NEGOTIATORS])
def test_only_the_ppt_moves_paragraphs(world: World, role: str) -> None:
    for action, (sources, _) in EXPECTED.items():
        # Given OP1 in a state the action may start from (ad ref: for Canada, unless Canada acts)
        state = next(iter(sorted(sources)))
        ad_ref = world.delegations["MEX" if role == "can" else "CAN"] if state == S.AGREED_AD_REF else None
        paragraph = put(par(world, "OP1"), state, ad_ref=ad_ref)
        # When anyone else takes the action, then it is refused and nothing changes
        with refused(NotAllowed, "Presidency Pro-Tempore"):
            act(world, paragraph, action, role=role, ad_ref_delegation="MEX")


def test_leaving_the_bracketed_state_clears_brackets_and_alternatives(world: World) -> None:
    # Given OP1 under discussion, with a pending Mexican alternative, bracketed on a span with it as Alt 1
    paragraph = act(world, par(world, "OP1"), "open")
    alt = submit(world, "OP1", kind="alternative")
    act(world, paragraph, "bracket", brackets=[{"start": 0, "end": 7}], alternatives=[alt.pk])
    # When the PPT holds it, then brackets and alternatives are gone
    held = act(world, paragraph, "hold")
    assert (held.brackets, held.alternatives) == ([], [])
    # And resuming brings it back under discussion with no brackets
    resumed = act(world, paragraph, "resume")
    assert resumed.state == S.UNDER_DISCUSSION and resumed.brackets == []


# --- agreement needs consensus --------------------------------------------------------
@pytest.mark.parametrize("action", ["agree", "agree_ad_ref"])
def test_agreement_is_refused_while_a_member_objects_to_the_paragraph(world: World, action: str) -> None:
    # Given OP2 under discussion, and Mexico objecting to it
    paragraph = act(world, par(world, "OP2"), "open")
    services.paragraph_object(actor=world.users["mex"], paragraph=paragraph, reason="The wording prejudges the IMRF.")
    # When the PPT declares it agreed, then it is refused naming Mexico, and nothing changes
    with refused(Conflict, "MEX") as info:
        act(world, paragraph, action, ad_ref_delegation="CAN")
    assert info.value.extra == {"objecting": ["MEX"]}
    # When Mexico withdraws its objection
    services.paragraph_objection_withdraw(actor=world.users["mex"], paragraph=paragraph)
    assert last_event().verb == "paragraph.objection_withdrawn"
    # Then the PPT may declare it agreed
    assert act(world, paragraph, action, ad_ref_delegation="CAN").state == EXPECTED[action][1]


@pytest.mark.parametrize("action", ["agree", "agree_ad_ref"])
def test_agreement_is_refused_while_a_member_objects_to_a_pending_proposal(world: World, action: str) -> None:
    # Given a Canadian proposal on OP2 to which Mexico objects, and the PPT's own objection to OP2 itself
    paragraph = par(world, "OP2")
    proposal = submit(world, "OP2", role="can")
    object_to(world, proposal, "mex")
    services.paragraph_object(actor=world.users["ppt"], paragraph=paragraph, reason="Needs another reading.")
    # When the PPT declares OP2 agreed, then both objectors are named, in order
    with refused(Conflict) as info:
        act(world, paragraph, action, ad_ref_delegation="CAN")
    assert info.value.extra == {"objecting": ["MEX", "SLV"]}
    # When the PPT withdraws its objection and Mexico turns its objection into support
    services.paragraph_objection_withdraw(actor=world.users["ppt"], paragraph=paragraph)
    services.position_set(actor=world.users["mex"], proposal=proposal, stance="support")
    # Then the paragraph may be agreed (the proposal, supported only, does not stand in the way)
    assert act(world, paragraph, action, ad_ref_delegation="CAN").state == EXPECTED[action][1]


def test_an_objection_to_a_decided_proposal_no_longer_blocks_agreement(world: World) -> None:
    # Given a Canadian proposal on OP2 with Mexico objecting, which the PPT rejects
    proposal = submit(world, "OP2", role="can")
    object_to(world, proposal, "mex")
    proposal.refresh_from_db()
    services.proposal_decide(actor=world.users["ppt"], proposal=proposal, decision="reject", version=proposal.version)
    # When the PPT declares OP2 agreed, then it is
    assert act(world, par(world, "OP2"), "agree").state == S.AGREED


def test_only_present_members_object_to_a_paragraph(world: World) -> None:
    paragraph = par(world, "OP2")
    for role in NOT_NEGOTIATORS:
        with refused(NotAllowed):
            services.paragraph_object(actor=world.users[role], paragraph=paragraph, reason="No.")


def test_an_objection_needs_a_reason_and_a_paragraph_still_negotiable(world: World) -> None:
    # Given OP2 open, then an objection without a reason is refused
    paragraph = par(world, "OP2")
    with refused(InvalidInput) as info:
        services.paragraph_object(actor=world.users["mex"], paragraph=paragraph, reason="  ")
    assert "reason" in info.value.fields
    # And once OP2 is agreed, objecting to it is a conflict until the PPT reopens it
    act(world, paragraph, "agree")
    with refused(Conflict, "reopen"):
        services.paragraph_object(actor=world.users["mex"], paragraph=paragraph, reason="Late objection.")
    act(world, paragraph, "reopen")
    services.paragraph_object(actor=world.users["mex"], paragraph=paragraph, reason="Late objection.")
    assert ParagraphObjection.objects.filter(paragraph=paragraph).count() == 1


def test_a_second_objection_replaces_the_first_reason(world: World) -> None:
    paragraph = par(world, "OP2")
    services.paragraph_object(actor=world.users["mex"], paragraph=paragraph, reason="First reason.")
    services.paragraph_object(actor=world.users["mex"], paragraph=paragraph, reason="Second reason.")
    assert list(ParagraphObjection.objects.filter(paragraph=paragraph).values_list("reason", flat=True)) == [
        "Second reason."
    ]
    event = last_event()
    assert event.verb == "paragraph.objected" and event.before == {"objection": True}


def test_withdrawing_an_objection_never_made_is_a_conflict(world: World) -> None:
    with refused(Conflict, "no objection"):
        services.paragraph_objection_withdraw(actor=world.users["can"], paragraph=par(world, "OP2"))


# --- agreed ad ref ------------------------------------------------------------------
@pytest.mark.parametrize("code", [None, "", "ARG", "IOM", "TS", "XXX"])
def test_agree_ad_ref_names_a_member_delegation(world: World, code: str | None) -> None:
    # Given OP1 open, when the PPT agrees it ad ref without naming a member delegation
    with refused(InvalidInput) as info:
        act(world, par(world, "OP1"), "agree_ad_ref", ad_ref_delegation=code)
    # Then it is refused, naming the field
    assert "delegation" in info.value.fields


@pytest.mark.parametrize(("ad_ref", "confirmer"), [("MEX", "mex"), ("MEX", "ppt"), ("NIC", "nic")])
def test_ad_ref_is_confirmed_by_the_named_delegation_or_the_ppt(world: World, ad_ref: str, confirmer: str) -> None:
    # Given OP1 agreed ad ref, pending confirmation by a delegation's capital (NIC: even one not in the room)
    paragraph = act(world, par(world, "OP1"), "agree_ad_ref", ad_ref_delegation=ad_ref)
    assert paragraph.ad_ref_delegation == world.delegations[ad_ref]
    # When the named delegation, or the PPT, confirms it
    confirmed = act(world, paragraph, "confirm", role=confirmer)
    # Then it is agreed, the ad ref lifted, and the record names who confirmed
    assert confirmed.state == S.AGREED and confirmed.ad_ref_delegation is None
    event = last_event()
    assert event.verb == "paragraph.confirm" and event.actor == world.users[confirmer]
    assert event.before is not None and event.before["ad_ref"] == world.delegations[ad_ref].pk


@pytest.mark.parametrize("role", ["can", "nic", "arg", "iom", "rncom", "ts"])
def test_no_other_delegation_confirms_an_ad_ref_agreement(world: World, role: str) -> None:
    paragraph = act(world, par(world, "OP1"), "agree_ad_ref", ad_ref_delegation="MEX")
    with refused(NotAllowed):
        act(world, paragraph, "confirm", role=role)


@pytest.mark.parametrize("action", ["reopen", "hold", "agree"])
def test_the_ad_ref_delegation_may_only_confirm(world: World, action: str) -> None:
    # Given OP1 agreed ad ref for Mexico, then Mexico can confirm but not move it otherwise
    paragraph = act(world, par(world, "OP1"), "agree_ad_ref", ad_ref_delegation="MEX")
    with refused(NotAllowed):
        act(world, paragraph, action, role="mex")


# --- brackets and alternatives ----------------------------------------------------------
def test_the_ppt_brackets_spans_and_offers_alternatives(world: World) -> None:
    # Given OP3 under discussion, with a Mexican alternative and a Canadian deletion pending
    paragraph = act(world, par(world, "OP3"), "open")
    alt = submit(world, "OP3", role="mex", kind="alternative", text="Promote regular pathways, item 3.")
    delete = submit(world, "OP3", role="can", kind="delete")
    # When the PPT brackets two spans (given out of order) and offers both as options
    result = act(
        world, paragraph, "bracket", brackets=[{"start": 14, "end": 21}, {"start": 0, "end": 7}],
        alternatives=[alt.pk, delete.pk],
    )  # fmt: skip
    # Then the spans are stored in order, the options in the order given
    assert result.state == S.BRACKETED
    assert result.brackets == [{"start": 0, "end": 7}, {"start": 14, "end": 21}]
    assert result.alternatives == [alt.pk, delete.pk]
    # And the working text shows them as Alt 1 and Alt 2 with who proposed each
    shown = working_paragraph(world, paragraph.pk)
    assert shown["state"] == "bracketed" and shown["brackets"] == result.brackets
    assert [(a["option"], a["proposal"], a["delegation"], a["kind"]) for a in shown["alternatives"]] == [
        ("Alt 1", alt.pk, "MEX", "alternative"),
        ("Alt 2", delete.pk, "CAN", "delete"),
    ]
    event = last_event()
    assert event.verb == "paragraph.bracket"
    assert event.after is not None and event.after["alternatives"] == [alt.pk, delete.pk]


def test_bracketing_without_spans_brackets_the_whole_paragraph(world: World) -> None:
    paragraph = act(world, par(world, "OP3"), "open")
    result = act(world, paragraph, "bracket")
    assert (result.state, result.brackets, result.alternatives) == (S.BRACKETED, [], [])


def test_unbracketing_clears_spans_and_options(world: World) -> None:
    paragraph = act(world, par(world, "OP3"), "open")
    alt = submit(world, "OP3", kind="alternative")
    act(world, paragraph, "bracket", brackets=[{"start": 0, "end": 7}], alternatives=[alt.pk])
    result = act(world, paragraph, "unbracket")
    assert (result.state, result.brackets, result.alternatives) == (S.UNDER_DISCUSSION, [], [])
    assert working_paragraph(world, paragraph.pk)["alternatives"] == []


OP3_LEN = len("Promote safe, orderly and regular migration, item 3.")


@pytest.mark.parametrize(
    "brackets",
    [
        [{"start": 0, "end": 10}, {"start": 5, "end": 15}],  # overlapping
        [{"start": 5, "end": 15}, {"start": 0, "end": 6}],  # overlapping, given out of order
        [{"start": 0, "end": OP3_LEN + 1}],  # past the end
        [{"start": -1, "end": 4}],  # before the start
        [{"start": 4, "end": 4}],  # empty
        [{"start": 6, "end": 4}],  # reversed
        [{"start": "0", "end": 4}],  # not a number
        [{"start": 0}],  # no end
        [[0, 4]],  # not a span
        {"start": 0, "end": 4},  # not a list
    ],
)
def test_bad_bracket_spans_are_invalid(world: World, brackets: Any) -> None:
    paragraph = act(world, par(world, "OP3"), "open")
    with refused(InvalidInput) as info:
        act(world, paragraph, "bracket", brackets=brackets)
    assert "brackets" in info.value.fields


def test_a_span_up_to_the_end_is_fine(world: World) -> None:
    paragraph = act(world, par(world, "OP3"), "open")
    assert act(world, paragraph, "bracket", brackets=[{"start": 0, "end": OP3_LEN}]).brackets == [
        {"start": 0, "end": OP3_LEN}
    ]


@pytest.mark.parametrize("which", ["other_paragraph", "withdrawn", "rejected", "insert_after", "unknown", "not_ids"])
def test_alternatives_must_be_pending_rewordings_of_the_paragraph(world: World, which: str) -> None:
    # Given OP3 under discussion and a proposal that cannot be one of its options
    paragraph = act(world, par(world, "OP3"), "open")
    alternatives: Any
    if which == "other_paragraph":
        alternatives = [submit(world, "OP2", kind="alternative").pk]
    elif which == "withdrawn":
        p = submit(world, "OP3", kind="alternative")
        services.proposal_withdraw(actor=world.users["mex"], proposal=p)
        alternatives = [p.pk]
    elif which == "rejected":
        p = submit(world, "OP3", kind="alternative")
        services.proposal_decide(actor=world.users["ppt"], proposal=p, decision="reject", version=p.version)
        alternatives = [p.pk]
    elif which == "insert_after":
        alternatives = [submit(world, "OP3", kind="insert_after").pk]
    elif which == "unknown":
        alternatives = [10**9]
    else:
        alternatives = ["1", True]
    # When the PPT offers it, then it is invalid, naming the field, and nothing changes
    with refused(InvalidInput) as info:
        act(world, paragraph, "bracket", alternatives=alternatives)
    assert "alternatives" in info.value.fields


# --- accepting proposals ---------------------------------------------------------------
def test_accepting_a_replacement_changes_the_working_text_not_the_revision(world: World) -> None:
    # Given a Mexican replacement of OP3
    paragraph = par(world, "OP3")
    old = paragraph.text
    proposal = submit(world, "OP3", text="Promote regular pathways for migration, item 3.")
    # When the PPT accepts it
    accept(world, proposal)
    # Then the working text has the new wording, the zero draft keeps the old one
    assert working_paragraph(world, paragraph.pk)["text"] == "Promote regular pathways for migration, item 3."
    assert RevisionParagraph.objects.get(revision=world.revision, paragraph=paragraph).text == old
    # And the change is on record, attributed to the proposal
    change = Event.objects.get(verb="paragraph.changed")
    assert change.paragraph_id == paragraph.pk and change.proposal_id == proposal.pk
    assert change.before == {"text": old, "state": "open"}
    assert change.after == {
        "text": "Promote regular pathways for migration, item 3.", "state": "open", "by_proposal": proposal.pk,
        "text_version": 2, "translation": "stale",
    }  # fmt: skip
    assert last_event().verb == "proposal.accepted"


def test_accepting_one_alternative_resolves_the_brackets_and_refits_the_other_options(world: World) -> None:
    # Given OP3 bracketed with Alt 1 (Mexico), Alt 2 (Canada) and a deletion (the PPT) as options,
    # and a pending insertion after OP3
    paragraph = act(world, par(world, "OP3"), "open")
    alt1 = submit(world, "OP3", role="mex", kind="alternative", text="Alt one wording.")
    alt2 = submit(world, "OP3", role="can", kind="alternative", text="Alt two wording.")
    delete = submit(world, "OP3", role="ppt", kind="delete")
    insert = submit(world, "OP3", role="mex", kind="insert_after", text="A paragraph after OP3.")
    act(world, paragraph, "bracket", brackets=[{"start": 0, "end": 7}], alternatives=[alt1.pk, alt2.pk, delete.pk])
    # When the PPT accepts Alt 2
    result = accept(world, alt2)
    # Then the paragraph takes Alt 2's wording and is back under discussion, without brackets
    paragraph.refresh_from_db()
    assert paragraph.text == "Alt two wording."
    assert (paragraph.state, paragraph.brackets, paragraph.alternatives) == (S.UNDER_DISCUSSION, [], [])
    assert result.status == Proposal.Status.ACCEPTED
    # And no option is silently dropped: Alt 1 rewrote the very words Alt 2 replaced, so it is
    # conflicted (kept as written); the deletion means the same on any wording, so it stays
    # pending, rebased on Alt 2's; the insertion edits no text and is untouched
    for p in (alt1, delete, insert):
        p.refresh_from_db()
    assert (alt1.status, alt1.text, alt1.base_text) == ("conflicted", "Alt one wording.", insert.base_text)
    assert alt1.refit is not None and alt1.refit["best_effort_text"] == "Alt one wording."
    assert (delete.status, delete.base_text) == ("submitted", "Alt two wording.")
    assert delete.refit is not None and delete.refit["status"] == "rebased"
    assert insert.status == "submitted" and insert.refit is None
    events = Event.objects.filter(verb__in=["proposal.conflicted", "proposal.refitted"]).order_by("id")
    assert [(e.verb, e.proposal_id, e.after["by_proposal"]) for e in events] == [  # type: ignore[index]
        ("proposal.conflicted", alt1.pk, alt2.pk),
        ("proposal.refitted", delete.pk, alt2.pk),
    ]
    accepted = Event.objects.get(verb="proposal.accepted")
    assert accepted.after is not None
    assert (accepted.after["conflicted"], accepted.after["refitted"], accepted.after["superseded"]) == (
        [alt1.pk], [delete.pk], [],
    )  # fmt: skip


def test_accepting_a_deletion_deletes_the_paragraph_from_the_working_text(world: World) -> None:
    # Given a Canadian deletion of OP2 and a competing Mexican replacement
    paragraph = par(world, "OP2")
    delete = submit(world, "OP2", role="can", kind="delete")
    rival = submit(world, "OP2", role="mex")
    # When the PPT accepts the deletion
    accept(world, delete)
    # Then OP2 is deleted (kept in history) and gone from the working text; OP3 is relabelled only at Rev.1
    paragraph.refresh_from_db()
    assert paragraph.state == S.DELETED
    assert paragraph.pk not in [p["paragraph"] for p in working(world)]
    assert [p["label"] for p in working(world)] == ["Title", "PP1", "PP2", "OP1", "OP2"]
    rival.refresh_from_db()
    assert rival.status == Proposal.Status.SUPERSEDED
    # And the next revision leaves it out
    rev1 = next_revision(world)
    assert not RevisionParagraph.objects.filter(revision=rev1, paragraph=paragraph).exists()


def test_accepting_an_insertion_adds_a_bis_paragraph_renumbered_at_the_next_revision(world: World) -> None:
    # Given a Mexican insertion after OP2
    op2, op3 = par(world, "OP2"), par(world, "OP3")
    insert = submit(world, "OP2", kind="insert_after", text="Strengthen consular cooperation.")
    # When the PPT accepts it
    accept(world, insert)
    insert.refresh_from_db()
    new = insert.created_paragraph
    assert new is not None
    # Then the working text has "OP2 bis" right after OP2, under discussion, before OP3
    shown = [(p["label"], p["paragraph"]) for p in working(world)]
    assert shown[-3:] == [("OP2", op2.pk), ("OP2 bis", new.pk), ("OP3", op3.pk)]
    bis = working_paragraph(world, new.pk)
    assert bis["inserted"] is True and bis["state"] == "under_discussion"
    assert bis["text"] == "Strengthen consular cooperation." and bis["kind"] == "operative"
    assert Event.objects.get(verb="proposal.accepted").after["inserted_paragraph"] == new.pk  # type: ignore[index]
    # When the next revision is issued
    rev1 = next_revision(world)
    # Then it is numbered into the sequence as OP3 (same identity), and the old OP3 becomes OP4
    labels = dict(RevisionParagraph.objects.filter(revision=rev1).values_list("paragraph_id", "label"))
    assert (labels[op2.pk], labels[new.pk], labels[op3.pk]) == ("OP2", "OP3", "OP4")
    new.refresh_from_db()
    assert new.inserted is False and new.introduced_in == rev1
    assert [p["label"] for p in working(world)][-3:] == ["OP2", "OP3", "OP4"]


def test_two_insertions_after_the_same_paragraph_are_bis_and_ter(world: World) -> None:
    first = submit(world, "OP3", role="mex", kind="insert_after", text="First insertion.")
    second = submit(world, "OP3", role="can", kind="insert_after", text="Second insertion.")
    accept(world, first)
    accept(world, second)
    assert [p["label"] for p in working(world)][-3:] == ["OP3", "OP3 bis", "OP3 ter"]


def test_an_accepted_insertion_keeps_its_bis_label_when_another_follows(world: World) -> None:
    # Given Mexico's insertion after OP3 accepted: it is OP3 bis
    accept(world, submit(world, "OP3", role="mex", kind="insert_after", text="First insertion."))
    assert [(p["label"], p["text"]) for p in working(world)][-1] == ("OP3 bis", "First insertion.")
    # When Canada's insertion after OP3 is accepted too
    accept(world, submit(world, "OP3", role="can", kind="insert_after", text="Second insertion."))
    # Then the first stays OP3 bis and the second is OP3 ter
    assert [(p["label"], p["text"]) for p in working(world)][-2:] == [
        ("OP3 bis", "First insertion."),
        ("OP3 ter", "Second insertion."),
    ]


def test_accepting_over_a_standing_member_objection_is_a_conflict(world: World) -> None:
    # Given a Mexican replacement of OP3 to which Canada objects
    proposal = submit(world, "OP3")
    object_to(world, proposal, "can")
    # When the PPT accepts it, then it is refused naming Canada, and nothing changes
    proposal.refresh_from_db()
    with refused(Conflict, "CAN") as info:
        services.proposal_decide(
            actor=world.users["ppt"], proposal=proposal, decision="accept", version=proposal.version
        )
    assert info.value.extra == {"objecting": ["CAN"]}
    # When Canada withdraws its objection, then the PPT may accept it
    services.position_withdraw(actor=world.users["can"], proposal=proposal)
    assert accept(world, proposal).status == Proposal.Status.ACCEPTED


@pytest.mark.parametrize("state", [S.AGREED, S.AGREED_AD_REF, S.HELD])
def test_accepting_a_proposal_on_a_closed_paragraph_is_a_conflict(world: World, state: State) -> None:
    # Given a pending Mexican replacement of OP3, then OP3 agreed, agreed ad ref or held
    proposal = submit(world, "OP3")
    put(par(world, "OP3"), state, ad_ref=world.delegations["CAN"] if state == S.AGREED_AD_REF else None)
    # When the PPT accepts the proposal, then it is a conflict and nothing changes
    proposal.refresh_from_db()
    with refused(Conflict, "reopen"):
        services.proposal_decide(
            actor=world.users["ppt"], proposal=proposal, decision="accept", version=proposal.version
        )


def test_an_insertion_after_a_deleted_paragraph_can_still_be_accepted(world: World) -> None:
    # Given a pending insertion after OP3, then OP3 deleted by an accepted deletion
    insert = submit(world, "OP3", role="can", kind="insert_after", text="After OP3.")
    accept(world, submit(world, "OP3", role="mex", kind="delete"))
    insert.refresh_from_db()
    assert insert.status == Proposal.Status.SUBMITTED
    # When the PPT accepts the insertion, then the new paragraph stands where OP3 stood
    accepted = services.proposal_decide(
        actor=world.users["ppt"], proposal=insert, decision="accept", version=insert.version
    )
    assert accepted.created_paragraph is not None
    labels = [
        p["label"] for s in selectors.working_text(declaration=world.declaration)["sections"] for p in s["paragraphs"]
    ]
    texts = [
        p["text"] for s in selectors.working_text(declaration=world.declaration)["sections"] for p in s["paragraphs"]
    ]
    assert texts[labels.index("OP2 bis")] == "After OP3."


@pytest.mark.parametrize("state", [S.AGREED, S.AGREED_AD_REF, S.HELD])
def test_proposals_on_an_agreed_or_held_paragraph_are_a_conflict(world: World, state: State) -> None:
    put(par(world, "OP3"), state, ad_ref=world.delegations["CAN"] if state == S.AGREED_AD_REF else None)
    with refused(Conflict) as info:
        submit(world, "OP3")
    assert info.value.extra == {"paragraph_state": state}


def test_proposals_on_a_deleted_paragraph_are_a_conflict(world: World) -> None:
    accept(world, submit(world, "OP3", role="can", kind="delete"))
    with refused(Conflict):
        submit(world, "OP3")


def test_a_proposal_conflicted_by_a_new_revision_cannot_be_accepted(world: World) -> None:
    # Given a Canadian rewrite of the whole of OP3, and the TS then issuing Rev.1 with OP3 reworded
    proposal = submit(world, "OP3", role="can")
    refit_revision(world, "OP3", "Promote safe and regular migration, item 3.")
    proposal.refresh_from_db()
    # Then the re-fit is a conflict (both rewrote the same words), and it cannot be accepted
    assert proposal.status == Proposal.Status.CONFLICTED
    assert proposal.refit is not None and proposal.refit["status"] == "conflicted"
    with refused(Conflict):
        accept(world, proposal)
    # But its delegation may withdraw it, to resubmit against Rev.1
    services.proposal_withdraw(actor=world.users["can"], proposal=proposal)


# --- the next revision from the working text -----------------------------------------
def refit_revision(world: World, label: str, new_text: str) -> Revision:
    """The TS issues a full-text revision, carrying every identity, with the
    paragraph labelled ``label`` reworded."""
    sections = bilingual(zero_draft())
    rows = iter(RevisionParagraph.objects.filter(revision=world.revision).order_by("position"))
    for section in sections:
        for paragraph in section["paragraphs"]:
            row = next(rows)
            paragraph["paragraph"] = row.paragraph_id
            if row.label == label:
                paragraph["text"], paragraph["translation_text"] = new_text, f"[EN] {new_text}"
    return services.revision_issue(actor=world.users["ts"], declaration=world.declaration, sections=sections)


@pytest.mark.parametrize("role", ["ppt", "ts"])
def test_the_ppt_or_the_ts_issues_the_working_text_as_the_next_revision(world: World, role: str) -> None:
    # Given OP1 agreed, OP2 bracketed on a span, and an accepted replacement of OP3
    act(world, par(world, "OP1"), "agree")
    act(world, act(world, par(world, "OP2"), "open"), "bracket", brackets=[{"start": 0, "end": 7}])
    accepted = submit(world, "OP3", text="Promote regular pathways, item 3.")
    accept(world, accepted)
    # When the PPT (or the TS on its behalf) issues the next revision
    rev1 = next_revision(world, role)
    # Then it is Rev.1, holding the working text with each paragraph's state
    assert (rev1.number, rev1.label, rev1.issued_by) == (1, "Rev.1", world.users[role])
    rows = {r.label: r for r in RevisionParagraph.objects.filter(revision=rev1)}
    assert list(rows) == ["Title", "PP1", "PP2", "OP1", "OP2", "OP3"]
    assert rows["OP1"].state == S.AGREED
    assert (rows["OP2"].state, rows["OP2"].brackets) == (S.BRACKETED, [{"start": 0, "end": 7}])
    assert (rows["OP3"].text, rows["OP3"].state) == ("Promote regular pathways, item 3.", S.OPEN)
    # And paragraph identities carry over
    assert [r.paragraph_id for r in RevisionParagraph.objects.filter(revision=rev1).order_by("position")] == (
        world.paragraph_ids()
    )
    # And the accepted proposal is incorporated in Rev.1
    accepted.refresh_from_db()
    assert (accepted.status, accepted.incorporated_in) == (Proposal.Status.INCORPORATED, rev1)
    event = last_event()
    assert event.verb == "revision.issued" and event.actor == world.users[role]
    assert event.after is not None and event.after["incorporated"] == 1


@pytest.mark.parametrize("role", ["mex", "can", "nic", "arg", "iom", "rncom"])
def test_members_and_observers_do_not_issue_revisions(world: World, role: str) -> None:
    with refused(NotAllowed):
        next_revision(world, role)


def test_pending_proposals_move_to_the_next_revision(world: World) -> None:
    # Given pending proposals on OP2 and OP3 (one supported) and an insertion after OP1
    p2 = submit(world, "OP2")
    p3 = submit(world, "OP3", role="can")
    services.position_set(actor=world.users["mex"], proposal=p3, stance="support")
    ins = submit(world, "OP1", kind="insert_after", text="After OP1.")
    # When the PPT issues Rev.1 from the working text
    rev1 = next_revision(world)
    # Then each is still pending, now written against Rev.1, its positions kept
    for proposal in (p2, p3, ins):
        proposal.refresh_from_db()
        assert (proposal.status, proposal.revision) == (Proposal.Status.SUBMITTED, rev1)
    assert list(Position.objects.filter(proposal=p3).values_list("delegation__code", "stance")) == [("MEX", "support")]
    assert last_event().after["carried_over"] == 3  # type: ignore[index]


def test_pending_proposals_are_carried_over_refitted_or_conflicted(world: World) -> None:
    # Given pending proposals on OP2 (untouched by Rev.1), and on OP3: one editing
    # its last words, one rewriting all of it
    p2 = submit(world, "OP2")
    tail = submit(world, "OP3", role="mex", text="Promote safe, orderly and regular migration, item 3 and beyond.")
    rewrite = submit(world, "OP3", role="can")
    # When the TS issues a full-text revision that strikes "orderly" from OP3
    rev1 = refit_revision(world, "OP3", "Promote safe and regular migration, item 3.")
    for p in (p2, tail, rewrite):
        p.refresh_from_db()
    # Then the OP2 proposal moves to Rev.1 unchanged
    assert (p2.status, p2.revision) == (Proposal.Status.SUBMITTED, rev1)
    # And the edit at the end of OP3 is re-fitted onto the new wording, with its before and after
    assert (tail.status, tail.revision) == (Proposal.Status.SUBMITTED, rev1)
    assert tail.base_text == "Promote safe and regular migration, item 3."
    assert tail.text == "Promote safe and regular migration, item 3 and beyond."
    assert tail.refit is not None and tail.refit["status"] == "clean"
    assert tail.refit["before"]["text"] == "Promote safe, orderly and regular migration, item 3 and beyond."
    # And the rewrite, which collides with the TS's change, is conflicted, kept against the zero draft
    assert (rewrite.status, rewrite.revision) == (Proposal.Status.CONFLICTED, world.revision)
    assert last_event().after["clean"] == 1 and last_event().after["conflicted"] == 1  # type: ignore[index]
    # And the working text still shows both to the room, with their status
    statuses = {p["id"]: p["status"] for p in working_paragraph(world, tail.paragraph_id)["proposals"]}
    assert statuses == {tail.pk: "submitted", rewrite.pk: "conflicted"}


def test_the_first_revision_comes_from_a_full_text(world: World) -> None:
    declaration = services.declaration_create(actor=world.users["ts"], meeting=world.meeting, title="Empty")
    with refused(Conflict, "zero draft"):
        services.revision_issue_from_working_text(actor=world.users["ppt"], declaration=declaration)


# --- adoption in session -------------------------------------------------------------
def test_adoption_is_refused_until_every_paragraph_of_the_revision_is_agreed(world: World) -> None:
    # Given Rev.1 in which PP2 is open and OP3 held, everything else agreed
    for label in ("Title", "PP1", "OP1", "OP2"):
        act(world, par(world, label), "agree")
    act(world, par(world, "OP3"), "hold")
    rev1 = next_revision(world)
    # When the PPT puts Rev.1 to adoption, then it is refused listing the labels, and nothing changes
    with refused(Conflict, "PP2") as info:
        services.adoption_propose(actor=world.users["ppt"], declaration=world.declaration, revision_id=rev1.pk)
    assert info.value.extra == {"not_agreed": ["PP2", "OP3"]}


def test_adoption_is_refused_once_the_working_text_moved_since_the_revision(world: World) -> None:
    # Given a fully agreed Rev.1, and the PPT reopening OP2 afterwards
    rev1 = agreed_revision(world)
    act(world, par(world, "OP2"), "reopen")
    # When the PPT puts Rev.1 to adoption, then it is refused
    with refused(Conflict, "working text has changed"):
        services.adoption_propose(actor=world.users["ppt"], declaration=world.declaration, revision_id=rev1.pk)
    # And once OP2 is agreed again (the text unchanged), it is allowed
    act(world, par(world, "OP2"), "agree")
    services.adoption_propose(actor=world.users["ppt"], declaration=world.declaration, revision_id=rev1.pk)


def test_only_the_current_revision_is_put_to_adoption(world: World) -> None:
    rev1 = agreed_revision(world)
    with refused(Conflict, "not the current revision"):
        services.adoption_propose(
            actor=world.users["ppt"], declaration=world.declaration, revision_id=world.revision.pk
        )
    other = services.declaration_create(actor=world.users["ts"], meeting=world.meeting, title="Other")
    with refused(InvalidInput):
        services.adoption_propose(actor=world.users["ppt"], declaration=other, revision_id=rev1.pk)


@pytest.mark.parametrize("role", ["mex", "can", *NOT_NEGOTIATORS])
def test_only_the_ppt_proposes_adoption_or_launches_silence(world: World, role: str) -> None:
    rev1 = agreed_revision(world)
    with refused(NotAllowed):
        services.adoption_propose(actor=world.users[role], declaration=world.declaration, revision_id=rev1.pk)
    with refused(NotAllowed):
        services.silence_launch(actor=world.users[role], declaration=world.declaration, revision_id=rev1.pk)


def test_the_ppt_proposes_adoption(world: World) -> None:
    adoption = propose_adoption(world)
    rev1 = world.declaration.revisions.get(number=1)
    assert (adoption.status, adoption.method, adoption.revision) == ("pending", "in_session", rev1)
    assert declaration_status(world) == Declaration.Status.IN_ADOPTION
    event = last_event()
    assert event.verb == "adoption.proposed"
    assert event.after == {"revision": rev1.pk, "label": "Rev.1", "languages": ["es", "en"]}


@pytest.mark.parametrize("role", MEMBERS_PRESENT)
def test_members_present_object_to_adoption(world: World, role: str) -> None:
    propose_adoption(world)
    objection = services.adoption_object(actor=world.users[role], declaration=world.declaration, reason="Not yet.")
    assert objection.delegation == world.delegations[world.users[role].delegate.delegation.code]
    assert last_event().verb == "adoption.objected"


@pytest.mark.parametrize("role", NOT_NEGOTIATORS)
def test_others_do_not_object_to_adoption(world: World, role: str) -> None:
    # Nicaragua is a member but not present: objecting in session needs a seat in the room
    propose_adoption(world)
    with refused(NotAllowed):
        services.adoption_object(actor=world.users[role], declaration=world.declaration, reason="No.")


def test_an_objection_to_adoption_needs_a_reason_and_a_pending_adoption(world: World) -> None:
    with refused(Conflict, "no adoption in session"):
        services.adoption_object(actor=world.users["mex"], declaration=world.declaration, reason="No.")
    propose_adoption(world)
    with refused(InvalidInput):
        services.adoption_object(actor=world.users["mex"], declaration=world.declaration, reason="")


def test_adoption_is_refused_while_members_object_and_succeeds_after_they_withdraw(world: World) -> None:
    # Given adoption proposed, and Canada then Mexico objecting
    adoption = propose_adoption(world)
    services.adoption_object(actor=world.users["can"], declaration=world.declaration, reason="Paragraph OP2.")
    services.adoption_object(actor=world.users["mex"], declaration=world.declaration, reason="Paragraph OP3.")
    # When the PPT adopts, then it is refused naming both, in the order they objected
    with refused(Conflict, "No consensus") as info:
        services.adoption_adopt(actor=world.users["ppt"], declaration=world.declaration)
    assert info.value.extra == {"objecting": ["CAN", "MEX"]}
    # When both withdraw their objections
    for role in ("can", "mex"):
        services.adoption_objection_withdraw(actor=world.users[role], declaration=world.declaration)
        assert last_event().verb == "adoption.objection_withdrawn"
    # Then the PPT adopts
    adopted = services.adoption_adopt(actor=world.users["ppt"], declaration=world.declaration)
    # And the record names place, PPT, the members present (not Nicaragua, nor observers) and the revision
    adopted.refresh_from_db()
    assert adopted.pk == adoption.pk and adopted.status == Adoption.Status.ADOPTED
    assert adopted.concluded_at is not None
    assert declaration_status(world) == Declaration.Status.ADOPTED
    assert (adopted.place, adopted.ppt.code) == (world.meeting.place, "SLV")
    assert sorted(adopted.present.values_list("code", flat=True)) == ["CAN", "MEX", "SLV"]
    event = last_event()
    assert event.verb == "declaration.adopted" and event.actor == world.users["ppt"]
    assert event.after is not None
    assert {k: event.after[k] for k in ("method", "revision", "place", "ppt", "present")} == {
        "method": "in_session", "revision": adopted.revision_id, "place": world.meeting.place, "ppt": "SLV",
        "present": ["CAN", "MEX", "SLV"],
    }  # fmt: skip
    assert selectors.adoption_current(declaration=world.declaration)["status"] == "adopted"  # type: ignore[index]


def test_withdrawing_an_objection_never_made_is_a_conflict_and_only_the_ppt_adopts(world: World) -> None:
    propose_adoption(world)
    with refused(Conflict, "not objected"):
        services.adoption_objection_withdraw(actor=world.users["mex"], declaration=world.declaration)
    for role in ("mex", "can", *NOT_NEGOTIATORS):
        with refused(NotAllowed):
            services.adoption_adopt(actor=world.users[role], declaration=world.declaration)


def test_adoption_supersedes_proposals_left_pending(world: World) -> None:
    # Given a supported-only proposal still pending on OP3 when it was agreed
    proposal = submit(world, "OP3")
    # And a Canadian rewrite of OP2 left conflicted by a revision that reworded OP2
    conflicted = submit(world, "OP2", role="can")
    refit_revision(world, "OP2", "Promote safe and regular migration, item 2.")
    conflicted.refresh_from_db()
    assert conflicted.status == Proposal.Status.CONFLICTED
    # When the text is adopted
    adopt(world)
    # Then neither is left pending: both are superseded, kept, and the record says so
    for moot in (proposal, conflicted):
        moot.refresh_from_db()
        assert moot.status == Proposal.Status.SUPERSEDED, moot
        event = Event.objects.filter(proposal=moot).order_by("-id").first()
        assert event is not None and event.verb == "proposal.superseded"
        assert event.after == {"status": "superseded", "by": "adoption"}
    assert Event.objects.get(proposal=conflicted, verb="proposal.superseded").before == {"status": "conflicted"}


def test_the_ppt_withdraws_the_text_from_adoption(world: World) -> None:
    # Given adoption proposed and Mexico objecting
    adoption = propose_adoption(world)
    services.adoption_object(actor=world.users["mex"], declaration=world.declaration, reason="Not yet.")
    for role in ("mex", *NOT_NEGOTIATORS):
        with refused(NotAllowed):
            services.adoption_withdraw(actor=world.users[role], declaration=world.declaration)
    # When the PPT withdraws it, then the text is back in negotiation
    services.adoption_withdraw(actor=world.users["ppt"], declaration=world.declaration)
    adoption.refresh_from_db()
    assert adoption.status == Adoption.Status.WITHDRAWN and adoption.concluded_at is not None
    assert declaration_status(world) == Declaration.Status.DRAFTING
    assert last_event().verb == "adoption.withdrawn"
    # And negotiation goes on
    act(world, par(world, "OP3"), "reopen")
    with refused(Conflict, "no adoption in session"):
        services.adoption_withdraw(actor=world.users["ppt"], declaration=world.declaration)


@pytest.mark.parametrize("second", ["in_session", "silence"])
def test_a_second_adoption_while_one_is_pending_is_a_conflict(world: World, second: str) -> None:
    adoption = propose_adoption(world)
    with pytest.raises(Conflict):
        if second == "in_session":
            services.adoption_propose(
                actor=world.users["ppt"], declaration=world.declaration, revision_id=adoption.revision_id
            )
        else:
            services.silence_launch(
                actor=world.users["ppt"], declaration=world.declaration, revision_id=adoption.revision_id
            )


def test_an_adopted_declaration_never_holds_a_paragraph_that_is_not_agreed(world: World) -> None:
    # Given adoption proposed on a fully agreed Rev.1
    propose_adoption(world)
    # When the PPT reopens OP2 and then gavels (either may be refused)
    with contextlib.suppress(Conflict):
        act(world, par(world, "OP2"), "reopen")
    with contextlib.suppress(Conflict):
        services.adoption_adopt(actor=world.users["ppt"], declaration=world.declaration)
    # Then the declaration is not adopted with OP2 reopened
    adopted = declaration_status(world) == Declaration.Status.ADOPTED
    assert not (adopted and par(world, "OP2").state != S.AGREED)


# --- silence procedure ----------------------------------------------------------------
def test_silence_defaults_to_the_meetings_silence_period(world: World) -> None:
    # Given a meeting whose silence period is 96 hours
    world.meeting.silence_hours = 96
    world.meeting.save(update_fields=["silence_hours"])
    # When the PPT launches a silence procedure without a deadline
    before = timezone.now()
    adoption = launch_silence(world)
    after = timezone.now()
    # Then the deadline is 96 hours on, and the declaration is under silence
    assert adoption.deadline is not None
    span = datetime.timedelta(hours=96)
    assert before + span <= adoption.deadline <= after + span
    assert (adoption.method, adoption.status) == ("silence", "pending")
    assert declaration_status(world) == Declaration.Status.SILENCE_PROCEDURE
    event = last_event()
    assert event.verb == "silence.launched" and event.after is not None
    assert event.after["deadline"] == adoption.deadline.isoformat()
    seconds_left = selectors.adoption_current(declaration=world.declaration)["seconds_left"]  # type: ignore[index]
    assert 96 * 3600 - 60 <= seconds_left <= 96 * 3600


@pytest.mark.parametrize(
    "deadline",
    [
        timezone.now() - datetime.timedelta(hours=1),
        datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC),
        datetime.datetime(2099, 1, 1),  # naive
    ],
    ids=["an_hour_ago", "years_ago", "naive"],
)
def test_a_silence_deadline_must_be_in_the_future_with_a_time_zone(world: World, deadline: datetime.datetime) -> None:
    rev1 = agreed_revision(world)
    with refused(InvalidInput) as info:
        services.silence_launch(
            actor=world.users["ppt"], declaration=world.declaration, revision_id=rev1.pk, deadline=deadline
        )
    assert "deadline" in info.value.fields


def test_silence_needs_a_fully_agreed_revision(world: World) -> None:
    with refused(Conflict, "agreed"):
        services.silence_launch(actor=world.users["ppt"], declaration=world.declaration, revision_id=world.revision.pk)


@pytest.mark.parametrize("role", ["mex", "nic", "ppt"])
def test_a_member_breaks_silence_before_the_deadline(world: World, role: str) -> None:
    # Given a silence procedure (Nicaragua, absent from the room, may break it too: silence is written)
    adoption = launch_silence(world)
    # When a member breaks silence with a reason
    services.silence_break(actor=world.users[role], declaration=world.declaration, reason="Cannot join OP2.")
    # Then the procedure is broken and the text is back in negotiation
    adoption.refresh_from_db()
    assert adoption.status == Adoption.Status.BROKEN and adoption.concluded_at is not None
    assert declaration_status(world) == Declaration.Status.DRAFTING
    assert list(AdoptionObjection.objects.filter(adoption=adoption).values_list("reason", flat=True)) == [
        "Cannot join OP2."
    ]
    event = last_event()
    assert event.verb == "silence.broken" and event.actor == world.users[role]
    assert event.after == {"status": "broken", "reason": "Cannot join OP2."}
    # And the deadline passing later adopts nothing
    assert adoption.deadline is not None
    assert services.silence_conclude(adoption_id=adoption.pk, now=adoption.deadline) is False
    # And the PPT may reopen a paragraph again
    assert act(world, par(world, "OP2"), "reopen").state == S.REOPENED


@pytest.mark.parametrize("role", NOT_MEMBERS)
def test_observers_and_the_ts_do_not_break_silence(world: World, role: str) -> None:
    launch_silence(world)
    with refused(NotAllowed):
        services.silence_break(actor=world.users[role], declaration=world.declaration, reason="No.")


def test_breaking_silence_needs_a_reason_and_a_silence_procedure(world: World) -> None:
    with refused(Conflict, "no silence procedure"):
        services.silence_break(actor=world.users["mex"], declaration=world.declaration, reason="No.")
    launch_silence(world)
    with refused(InvalidInput) as info:
        services.silence_break(actor=world.users["mex"], declaration=world.declaration, reason=" ")
    assert "reason" in info.value.fields


def test_silence_cannot_be_broken_after_the_deadline(world: World) -> None:
    adoption = launch_silence(world)
    pass_deadline(adoption)
    with refused(Conflict, "deadline has passed"):
        services.silence_break(actor=world.users["mex"], declaration=world.declaration, reason="Too late.")


def test_silence_concludes_once_after_the_deadline(world: World) -> None:
    # Given a silence procedure with a deadline 72 hours on
    adoption = launch_silence(world)
    assert adoption.deadline is not None
    # When the deadline task runs early, then nothing happens
    early = adoption.deadline - datetime.timedelta(seconds=1)
    assert services.silence_conclude(adoption_id=adoption.pk, now=early) is False
    assert declaration_status(world) == Declaration.Status.SILENCE_PROCEDURE
    assert services.silence_due(now=early) == []
    # When it runs at or after the deadline, then it adopts, exactly once
    assert services.silence_due(now=adoption.deadline) == [adoption.pk]
    assert services.silence_conclude(adoption_id=adoption.pk, now=adoption.deadline) is True
    assert services.silence_conclude(adoption_id=adoption.pk, now=adoption.deadline) is False
    assert services.silence_due(now=adoption.deadline) == []
    adoption.refresh_from_db()
    assert adoption.status == Adoption.Status.ADOPTED
    assert declaration_status(world) == Declaration.Status.ADOPTED
    assert sorted(adoption.present.values_list("code", flat=True)) == ["CAN", "MEX", "SLV"]
    adopted = Event.objects.filter(verb="declaration.adopted")
    assert adopted.count() == 1 and adopted.get().actor is None
    assert services.silence_conclude(adoption_id=10**9) is False


def test_silence_conclude_leaves_an_adoption_in_session_alone(world: World) -> None:
    adoption = propose_adoption(world)
    assert services.silence_conclude(adoption_id=adoption.pk, now=timezone.now() + datetime.timedelta(days=30)) is False
    assert declaration_status(world) == Declaration.Status.IN_ADOPTION


def test_adoption_in_session_actions_do_not_apply_to_silence(world: World) -> None:
    launch_silence(world)
    for call in (
        lambda: services.adoption_object(actor=world.users["mex"], declaration=world.declaration, reason="No."),
        lambda: services.adoption_adopt(actor=world.users["ppt"], declaration=world.declaration),
        lambda: services.adoption_withdraw(actor=world.users["ppt"], declaration=world.declaration),
    ):
        with refused(Conflict, "no adoption in session"):
            call()


# --- statements on record ---------------------------------------------------------------
@pytest.mark.parametrize("method", ["in_session", "silence"])
@pytest.mark.parametrize("role", ["mex", "nic", "ppt"])
def test_members_record_reservations_and_explanations_while_adoption_is_pending(
    world: World, method: str, role: str
) -> None:
    # Given a pending adoption (in session, or by silence)
    adoption = propose_adoption(world) if method == "in_session" else launch_silence(world)
    op2 = par(world, "OP2")
    # When a member records a reservation on OP2 and an explanation of position on the text
    reservation = services.statement_record(
        actor=world.users[role], declaration=world.declaration, kind="reservation", text="Reserves on OP2.",
        paragraph_id=op2.pk,
    )  # fmt: skip
    explanation = services.statement_record(
        actor=world.users[role], declaration=world.declaration, kind="explanation", text="Joins consensus."
    )
    # Then both are on record for this adoption, with events
    code = world.users[role].delegate.delegation.code
    assert [(s.kind, s.paragraph_id, s.delegation.code, s.adoption_id) for s in (reservation, explanation)] == [
        ("reservation", op2.pk, code, adoption.pk),
        ("explanation", None, code, adoption.pk),
    ]
    verbs = list(Event.objects.order_by("-id").values_list("verb", "paragraph_id")[:2])
    assert verbs == [("statement.explanation", None), ("statement.reservation", op2.pk)]
    statements = selectors.adoption_current(declaration=world.declaration)["statements"]  # type: ignore[index]
    assert [(s["kind"], s["delegation"]) for s in statements] == [("reservation", code), ("explanation", code)]


@pytest.mark.parametrize("role", NOT_MEMBERS)
def test_only_members_record_statements(world: World, role: str) -> None:
    propose_adoption(world)
    with refused(NotAllowed):
        services.statement_record(
            actor=world.users[role], declaration=world.declaration, kind="explanation", text="Our view."
        )


@pytest.mark.parametrize(
    ("kind", "paragraph", "field"),
    [
        ("reservation", None, "paragraph"),
        ("reservation", "deleted", "paragraph"),
        ("reservation", "other_declaration", "paragraph"),
        ("explanation", "OP2", "paragraph"),
        ("objection", None, "kind"),
    ],
)
def test_statement_rules(world: World, kind: str, paragraph: str | None, field: str) -> None:
    # Given OP3 deleted before Rev.1, and Rev.1 put to adoption
    accept(world, submit(world, "OP3", kind="delete"))
    deleted = par(world, "OP3").pk
    propose_adoption(world)
    other = services.declaration_create(actor=world.users["ts"], meeting=world.meeting, title="Other")
    services.revision_issue(actor=world.users["ts"], declaration=other, sections=zero_draft())
    paragraph_id = {
        None: None,
        "deleted": deleted,
        "other_declaration": Paragraph.objects.filter(declaration=other).order_by("position").last().pk,  # type: ignore[union-attr]
        "OP2": par(world, "OP2").pk,
    }[paragraph]
    # When Mexico records a statement breaking a rule, then it is invalid naming the field
    with refused(InvalidInput) as info:
        services.statement_record(
            actor=world.users["mex"], declaration=world.declaration, kind=kind, text="On record.",
            paragraph_id=paragraph_id,
        )  # fmt: skip
    assert field in info.value.fields


def test_statements_need_a_pending_adoption(world: World) -> None:
    with refused(Conflict, "no adoption"):
        services.statement_record(
            actor=world.users["mex"], declaration=world.declaration, kind="explanation", text="Too early."
        )


# --- after adoption everything is frozen ------------------------------------------------
def _proposal(world: World) -> Proposal:
    return Proposal.objects.get(declaration=world.declaration)


AFTER_ADOPTION: dict[str, tuple[Callable[[World], Any], str]] = {
    "paragraph_act_reopen": (lambda w: act(w, par(w, "OP2"), "reopen"), "adopted"),
    "paragraph_act_hold": (lambda w: act(w, par(w, "OP2"), "hold"), "adopted"),
    "paragraph_act_agree": (lambda w: act(w, par(w, "OP2"), "agree"), "adopted"),
    "paragraph_object": (
        lambda w: services.paragraph_object(actor=w.users["mex"], paragraph=par(w, "OP2"), reason="No."),
        "adopted",
    ),
    "paragraph_objection_withdraw": (
        lambda w: services.paragraph_objection_withdraw(actor=w.users["mex"], paragraph=par(w, "OP2")),
        "adopted",
    ),
    "proposal_submit": (lambda w: submit(w, "OP2"), "adopted"),
    "proposal_withdraw": (lambda w: services.proposal_withdraw(actor=w.users["mex"], proposal=_proposal(w)), "adopted"),
    "position_set": (
        lambda w: services.position_set(actor=w.users["can"], proposal=_proposal(w), stance="support"),
        "adopted",
    ),
    "position_withdraw": (
        lambda w: services.position_withdraw(actor=w.users["ppt"], proposal=_proposal(w)),
        "adopted",
    ),
    "proposal_decide": (
        lambda w: services.proposal_decide(
            actor=w.users["ppt"], proposal=_proposal(w), decision="accept", version=_proposal(w).version
        ),
        "adopted",
    ),
    "revision_issue": (lambda w: refit_revision(w, "OP2", "Changed after adoption."), "adopted"),
    "revision_issue_from_working_text_ppt": (lambda w: next_revision(w, "ppt"), "adopted"),
    "revision_issue_from_working_text_ts": (lambda w: next_revision(w, "ts"), "adopted"),
    "adoption_propose": (
        lambda w: services.adoption_propose(
            actor=w.users["ppt"], declaration=w.declaration, revision_id=Adoption.objects.get().revision_id
        ),
        "adopted",
    ),
    "silence_launch": (
        lambda w: services.silence_launch(
            actor=w.users["ppt"], declaration=w.declaration, revision_id=Adoption.objects.get().revision_id
        ),
        "adopted",
    ),
    "adoption_object": (
        lambda w: services.adoption_object(actor=w.users["mex"], declaration=w.declaration, reason="No."),
        "no adoption",
    ),
    "adoption_objection_withdraw": (
        lambda w: services.adoption_objection_withdraw(actor=w.users["mex"], declaration=w.declaration),
        "no adoption",
    ),
    "adoption_adopt": (
        lambda w: services.adoption_adopt(actor=w.users["ppt"], declaration=w.declaration),
        "no adoption",
    ),
    "adoption_withdraw": (
        lambda w: services.adoption_withdraw(actor=w.users["ppt"], declaration=w.declaration),
        "no adoption",
    ),
    "silence_break": (
        lambda w: services.silence_break(actor=w.users["mex"], declaration=w.declaration, reason="Late."),
        "no silence",
    ),
    "statement_record": (
        lambda w: services.statement_record(
            actor=w.users["mex"], declaration=w.declaration, kind="explanation", text="Late."
        ),
        "no adoption",
    ),
}


@pytest.mark.parametrize("write", list(AFTER_ADOPTION))
def test_after_adoption_every_write_is_a_conflict(world: World, write: str) -> None:
    # Given a Mexican proposal on OP2 that the PPT supports, left pending when OP2 was agreed
    proposal = submit(world, "OP2")
    services.position_set(actor=world.users["ppt"], proposal=proposal, stance="support")
    # And the declaration adopted in session
    adopt(world)
    assert declaration_status(world) == Declaration.Status.ADOPTED
    # When anyone writes, then it is a conflict and nothing changes
    call, match = AFTER_ADOPTION[write]
    with refused(Conflict, match):
        call(world)
