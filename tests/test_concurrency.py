"""Concurrent writers never lose an update.

Real threads with their own database connections, released together by a
barrier so their transactions overlap. On PostgreSQL the services' row locks
(select_for_update) serialise them; on SQLite, BEGIN IMMEDIATE does.
"""

from __future__ import annotations

import pytest
from django.db import connection

from drafting import services
from drafting.errors import Conflict
from drafting.models import Event, Position, Proposal, Revision
from tests.conftest import World, build_world, race, zero_draft

ROUNDS = 8


SUBMITTED = iter(range(1_000_000))


def submit(world: World, role: str = "mex") -> Proposal:
    # Accepting changes the working text, so each round proposes new wording.
    paragraph = world.paragraph_ids()[-1]
    return services.proposal_submit(
        actor=world.users[role],
        declaration=world.declaration,
        revision_id=world.revision.pk,
        paragraph_id=paragraph,
        kind="replace",
        text=f"New wording number {next(SUBMITTED)} by {role}.",
    )


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_decisions_on_one_proposal_exactly_one_wins() -> None:
    # Given a pending proposal, decided on by two chairs' clients at once
    world = build_world()
    ppt = world.users["ppt"]
    for _ in range(ROUNDS):
        proposal = submit(world)
        # When one accepts and the other rejects, both having read the same version
        results = race(
            lambda p=proposal: services.proposal_decide(actor=ppt, proposal=p, decision="accept", version=p.version),
            lambda p=proposal: services.proposal_decide(actor=ppt, proposal=p, decision="reject", version=p.version),
        )
        # Then exactly one wins and the other gets a conflict
        wins = [r for r in results if isinstance(r, Proposal)]
        losses = [r for r in results if isinstance(r, Conflict)]
        assert len(wins) == 1 and len(losses) == 1, results
        proposal.refresh_from_db()
        assert proposal.status == wins[0].status
        assert Event.objects.filter(proposal=proposal, verb__in=["proposal.accepted", "proposal.rejected"]).count() == 1


@pytest.mark.django_db(transaction=True)
def test_an_objection_racing_a_decision_is_never_lost() -> None:
    # Given a pending proposal the chair is about to accept
    world = build_world()
    for _ in range(ROUNDS):
        proposal = submit(world)
        seen = proposal.version
        # When Canada objects at the same moment as the PPT accepts
        results = race(
            lambda p=proposal, seen=seen: services.proposal_decide(
                actor=world.users["ppt"], proposal=p, decision="accept", version=seen
            ),
            lambda p=proposal: services.position_set(
                actor=world.users["can"], proposal=p, stance="object", reason="Not agreed language."
            ),
        )
        decided, objected = results
        proposal.refresh_from_db()
        # Then either the objection landed first and the blind decision was refused,
        # or the decision landed first and the late objection was refused: never both.
        if isinstance(decided, Proposal):
            assert isinstance(objected, Conflict)
            assert proposal.status == Proposal.Status.ACCEPTED
            assert not Position.objects.filter(proposal=proposal).exists()
        else:
            assert isinstance(decided, Conflict) and isinstance(objected, Position)
            assert proposal.status == Proposal.Status.SUBMITTED
            assert Position.objects.get(proposal=proposal).stance == "object"


@pytest.mark.django_db(transaction=True)
def test_concurrent_positions_from_one_delegation_leave_one_position() -> None:
    world = build_world()
    proposal = submit(world)
    can = world.users["can"]
    results = race(
        lambda: services.position_set(actor=can, proposal=proposal, stance="support"),
        lambda: services.position_set(actor=can, proposal=proposal, stance="object", reason="Too broad."),
        lambda: services.position_set(actor=can, proposal=proposal, stance="support"),
    )
    assert all(isinstance(r, Position) for r in results), results
    assert Position.objects.filter(proposal=proposal).count() == 1
    proposal.refresh_from_db()
    assert proposal.version == 1 + 3  # every change counted, none lost


@pytest.mark.django_db(transaction=True)
def test_concurrent_revisions_get_distinct_numbers() -> None:
    world = build_world()
    ts = world.users["ts"]
    results = race(
        *[
            (lambda: services.revision_issue(actor=ts, declaration=world.declaration, sections=zero_draft()))
            for _ in range(3)
        ]
    )
    assert all(isinstance(r, Revision) for r in results), results
    numbers = sorted(Revision.objects.filter(declaration=world.declaration).values_list("number", flat=True))
    assert numbers == [0, 1, 2, 3]
    assert connection.vendor in ("sqlite", "postgresql")
