"""Accepting a proposal while others act on the same paragraph (issue 11).

Two threads with their own PostgreSQL connections, released together, as in
tests/test_concurrency.py: the PPT accepts one proposal while a delegation
tables a new one, withdraws its own, or the PPT accepts a second one. Every
proposal must end in exactly one consistent state: the accepted wording in
the text, each pending proposal written against the paragraph's current
wording (re-fitted, with its own edit where it meant it), nothing lost.
"""

from __future__ import annotations

import pytest

from drafting import services
from drafting.errors import Conflict
from drafting.models import Event, Paragraph, Proposal
from tests.conftest import needs_postgres, race
from tests.test_refit_on_accept import Room, WordEdit, build_room, by_hand, propose, text_of

pytestmark = [pytest.mark.postgres, needs_postgres, pytest.mark.django_db(transaction=True)]

ROUNDS = 5
# Three edits of any RCM paragraph, far apart: the accepted one, a pending rival, a new one.
ACCEPTED, RIVAL, NEW = WordEdit(2, 3, ("firmly",)), WordEdit(12, 13, ("jointly",)), WordEdit(24, 25, ("fully",))


def assert_consistent(paragraph: int) -> None:
    """Every live proposal on the paragraph is written against its current wording."""
    current = text_of(paragraph)
    for proposal in Proposal.objects.filter(paragraph_id=paragraph, status="submitted").exclude(kind="insert_after"):
        assert proposal.base_text == current, proposal.pk


def test_an_accept_racing_a_new_proposal_on_the_same_paragraph_leaves_both_on_the_new_wording() -> None:
    room: Room = build_room()
    for round_ in range(ROUNDS):
        paragraph = room.paragraphs[round_]
        base = text_of(paragraph)
        accepted = propose(room, "MEX", paragraph, by_hand(base, [ACCEPTED]))
        rival = propose(room, "CAN", paragraph, by_hand(base, [RIVAL]))
        # When the PPT accepts Mexico's while Honduras tables its own edit of the wording it read
        results = race(
            lambda p=accepted: services.proposal_decide(
                actor=room.ppt, proposal=p, decision="accept", version=p.version
            ),
            lambda paragraph=paragraph, base=base: services.proposal_submit(
                actor=room.users["HND"],
                declaration=room.world.declaration,
                revision_id=room.world.revision.pk,
                paragraph_id=paragraph,
                kind="replace",
                text=by_hand(base, [NEW]),
                base_text=base,
            ),
        )
        assert all(isinstance(r, Proposal) for r in results), results
        new = results[1]
        # Then, whichever went first: Mexico's is the text; Canada's and Honduras's are pending
        # on it, each with its own edit and Mexico's
        assert text_of(paragraph) == by_hand(base, [ACCEPTED])
        statuses = dict(Proposal.objects.filter(paragraph_id=paragraph).values_list("pk", "status"))
        assert statuses == {accepted.pk: "accepted", rival.pk: "submitted", new.pk: "submitted"}
        assert Proposal.objects.get(pk=rival.pk).text == by_hand(base, [ACCEPTED, RIVAL])
        assert Proposal.objects.get(pk=new.pk).text == by_hand(base, [ACCEPTED, NEW])
        assert_consistent(paragraph)
        # And the record has one acceptance and the re-fits that happened, no more
        assert Event.objects.filter(proposal=accepted, verb="proposal.accepted").count() == 1
        assert Event.objects.filter(proposal=rival, verb="proposal.refitted").count() == 1
        assert Event.objects.filter(proposal=new, verb="proposal.refitted").count() <= 1


def test_an_accept_racing_a_withdrawal_on_the_same_paragraph_leaves_it_withdrawn() -> None:
    room = build_room()
    for round_ in range(ROUNDS):
        paragraph = room.paragraphs[round_]
        base = text_of(paragraph)
        accepted = propose(room, "MEX", paragraph, by_hand(base, [ACCEPTED]))
        withdrawn = propose(room, "CAN", paragraph, by_hand(base, [RIVAL]))
        results = race(
            lambda p=accepted: services.proposal_decide(
                actor=room.ppt, proposal=p, decision="accept", version=p.version
            ),
            lambda p=withdrawn: services.proposal_withdraw(actor=room.users["CAN"], proposal=p),
        )
        assert all(isinstance(r, Proposal) for r in results), results
        assert text_of(paragraph) == by_hand(base, [ACCEPTED])
        statuses = dict(Proposal.objects.filter(paragraph_id=paragraph).values_list("pk", "status"))
        assert statuses == {accepted.pk: "accepted", withdrawn.pk: "withdrawn"}
        # Re-fitted before it was withdrawn, or withdrawn before the acceptance: never both after
        verbs = list(Event.objects.filter(proposal=withdrawn).order_by("id").values_list("verb", flat=True))
        assert verbs in (
            ["proposal.submitted", "proposal.withdrawn"],
            ["proposal.submitted", "proposal.refitted", "proposal.withdrawn"],
        ), verbs


def test_two_accepts_on_one_paragraph_at_once_one_wins_the_other_is_refitted_or_refused() -> None:
    room = build_room()
    for round_ in range(ROUNDS):
        paragraph = room.paragraphs[round_]
        base = text_of(paragraph)
        first = propose(room, "MEX", paragraph, by_hand(base, [ACCEPTED]))
        second = propose(room, "CAN", paragraph, by_hand(base, [RIVAL]))
        results = race(
            *(
                lambda p=p: services.proposal_decide(actor=room.ppt, proposal=p, decision="accept", version=p.version)
                for p in (first, second)
            )
        )
        # The chair decided both on what it saw; the second to run finds the other re-fitted (a new
        # version) and is refused with 409, never applied blind
        wins = [r for r in results if isinstance(r, Proposal)]
        losses = [r for r in results if isinstance(r, Conflict)]
        assert len(wins) == 1 and len(losses) == 1, results
        winner = wins[0]
        loser = second if winner.pk == first.pk else first
        loser.refresh_from_db()
        assert loser.status == "submitted" and loser.base_text == text_of(paragraph)
        assert text_of(paragraph) == by_hand(base, [ACCEPTED if winner.pk == first.pk else RIVAL])
        # And it can be accepted at its new version: both edits, as by hand
        services.proposal_decide(actor=room.ppt, proposal=loser, decision="accept", version=loser.version)
        assert text_of(paragraph) == by_hand(base, [ACCEPTED, RIVAL])
        assert Paragraph.objects.get(pk=paragraph).state == "open"
