"""Database constraints, hit directly with ORM writes that bypass the
services: the database itself refuses rows that break the model's rules,
and refuses to rewrite the negotiation record."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from drafting import services
from drafting.models import (
    Event,
    EventVerb,
    Meeting,
    Paragraph,
    Position,
    Proposal,
    Revision,
    RevisionParagraph,
    Section,
)
from tests.conftest import World

pytestmark = pytest.mark.django_db


def violates(write: Callable[[], Any]) -> None:
    """The write fails with IntegrityError, and the transaction stays usable."""
    with pytest.raises(IntegrityError), transaction.atomic():
        write()


@pytest.fixture
def proposal(world: World) -> Proposal:
    return services.proposal_submit(
        actor=world.users["mex"],
        declaration=world.declaration,
        revision_id=world.revision.pk,
        paragraph_id=world.paragraph_ids()[-1],
        kind="replace",
        text="New wording.",
    )


def proposal_row(world: World, **kw: Any) -> Proposal:
    """An unsaved proposal built straight from the ORM."""
    fields: dict[str, Any] = {
        "declaration": world.declaration,
        "paragraph_id": world.paragraph_ids()[-1],
        "revision": world.revision,
        "delegation": world.delegations["MEX"],
        "author": world.users["mex"],
        "kind": "replace",
        "base_text": "Old.",
        "text": "New.",
    }
    fields.update(kw)
    return Proposal(**fields)


def paragraph_row(world: World, **kw: Any) -> RevisionParagraph:
    fields: dict[str, Any] = {
        "revision": world.revision,
        "section": world.revision.sections.get(kind="operative"),
        "paragraph": Paragraph.objects.create(declaration=world.declaration, introduced_in=world.revision),
        "position": 100,
        "kind": "operative",
        "label": "OP9",
        "text": "Text.",
    }
    fields.update(kw)
    return RevisionParagraph(**fields)


# --- positions -----------------------------------------------------------------------
def test_one_position_per_delegation_per_proposal(world: World, proposal: Proposal) -> None:
    # Given Canada's support on a proposal
    Position.objects.create(
        proposal=proposal, delegation=world.delegations["CAN"], author=world.users["can"], stance="support"
    )
    # When a second Canadian position is inserted directly, then the database refuses it
    violates(
        lambda: Position.objects.create(
            proposal=proposal,
            delegation=world.delegations["CAN"],
            author=world.users["can"],
            stance="object",
            reason="Changed our mind.",
        )
    )
    # And another delegation's position on the same proposal is fine
    Position.objects.create(
        proposal=proposal, delegation=world.delegations["SLV"], author=world.users["ppt"], stance="support"
    )
    assert Position.objects.filter(proposal=proposal).count() == 2


def test_an_objection_needs_a_reason(world: World, proposal: Proposal) -> None:
    can = world.delegations["CAN"]
    violates(
        lambda: Position.objects.create(
            proposal=proposal, delegation=can, author=world.users["can"], stance="object", reason=""
        )
    )
    # A support needs none, an objection with a reason is fine
    Position.objects.create(proposal=proposal, delegation=can, author=world.users["can"], stance="object", reason="No.")
    Position.objects.create(
        proposal=proposal, delegation=world.delegations["SLV"], author=world.users["ppt"], stance="support", reason=""
    )
    # And emptying an existing objection's reason is refused too
    violates(lambda: Position.objects.filter(delegation=can).update(reason=""))


# --- revisions, sections, paragraphs ---------------------------------------------
def test_revision_number_is_unique_per_declaration(world: World) -> None:
    ts = world.users["ts"]
    violates(lambda: Revision.objects.create(declaration=world.declaration, number=0, label="Other", issued_by=ts))
    Revision.objects.create(declaration=world.declaration, number=1, label="Rev.1", issued_by=ts)


def test_revision_label_is_unique_per_declaration(world: World) -> None:
    ts = world.users["ts"]
    violates(lambda: Revision.objects.create(declaration=world.declaration, number=5, label="Zero draft", issued_by=ts))
    # The same number and label in another declaration are fine
    other = services.declaration_create(actor=ts, meeting=world.meeting, title="Other")
    Revision.objects.create(declaration=other, number=0, label="Zero draft", issued_by=ts)


def test_section_position_is_unique_per_revision(world: World) -> None:
    violates(lambda: Section.objects.create(revision=world.revision, position=0, kind="annex"))
    Section.objects.create(revision=world.revision, position=3, kind="annex")


def test_paragraph_position_is_unique_per_revision(world: World) -> None:
    # Given the zero draft's paragraphs at positions 0..5
    # When a new row takes position 0, then it is refused
    violates(lambda: paragraph_row(world, position=0).save())
    # And position 6 is free
    paragraph_row(world, position=6).save()


def test_a_paragraph_identity_appears_once_per_revision(world: World) -> None:
    existing = world.paragraph_ids()[0]
    violates(lambda: paragraph_row(world, paragraph_id=existing, paragraph=None).save())
    # The same identity in another revision is fine
    rev1 = Revision.objects.create(declaration=world.declaration, number=1, label="Rev.1", issued_by=world.users["ts"])
    section = Section.objects.create(revision=rev1, position=0, kind="operative")
    paragraph_row(world, revision=rev1, section=section, paragraph=None, paragraph_id=existing, position=0).save()


def test_table_json_only_on_table_paragraphs(world: World) -> None:
    violates(lambda: paragraph_row(world, kind="operative", table=[["a", "b"]]).save())
    violates(lambda: RevisionParagraph.objects.filter(revision=world.revision, position=0).update(table=[["x"]]))
    paragraph_row(world, kind="table", table=[["a", "b"]], text="a\tb").save()
    paragraph_row(world, kind="operative", table=None, position=101).save()


# --- proposals -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kind", "text", "ok"),
    [
        ("delete", "", True),
        ("delete", "Some text.", False),
        ("replace", "", False),
        ("insert_after", "", False),
        ("alternative", "", False),
        ("replace", "New.", True),
        ("insert_after", "New.", True),
        ("alternative", "New.", True),
    ],
)
def test_proposal_text_is_empty_iff_kind_is_delete(world: World, kind: str, text: str, ok: bool) -> None:
    row = proposal_row(world, kind=kind, text=text)
    if ok:
        row.save()
        assert Proposal.objects.filter(pk=row.pk).exists()
    else:
        violates(row.save)


def test_turning_a_deletion_into_one_with_text_is_refused(world: World, proposal: Proposal) -> None:
    violates(lambda: Proposal.objects.filter(pk=proposal.pk).update(kind="delete"))
    violates(lambda: Proposal.objects.filter(pk=proposal.pk).update(text=""))


@pytest.mark.parametrize(
    ("status", "ok"),
    [
        ("submitted", False),
        ("withdrawn", False),
        ("conflicted", False),
        ("accepted", True),
        ("rejected", True),
        ("superseded", True),
        ("incorporated", True),
    ],
)
def test_decided_at_only_on_decided_statuses(world: World, status: str, ok: bool) -> None:
    row = proposal_row(world, status=status, decided_at=timezone.now())
    if ok:
        row.save()
        assert Proposal.objects.get(pk=row.pk).decided_at is not None
    else:
        violates(row.save)
    # Without decided_at every status is storable
    proposal_row(world, status=status).save()


def test_reopening_a_decided_proposal_without_clearing_decided_at_is_refused(world: World, proposal: Proposal) -> None:
    services.proposal_decide(actor=world.users["ppt"], proposal=proposal, decision="accept", version=1)
    violates(lambda: Proposal.objects.filter(pk=proposal.pk).update(status="submitted"))
    assert Proposal.objects.get(pk=proposal.pk).status == "accepted"


# --- meetings --------------------------------------------------------------------
def test_meeting_end_date_not_before_start_date(world: World) -> None:
    def meeting(start: datetime.date, end: datetime.date) -> Meeting:
        return Meeting(title="M", place="P", start_date=start, end_date=end, ppt=world.delegations["SLV"])

    violates(meeting(datetime.date(2026, 3, 2), datetime.date(2026, 3, 1)).save)
    meeting(datetime.date(2026, 3, 1), datetime.date(2026, 3, 1)).save()  # one-day meeting
    violates(lambda: Meeting.objects.filter(pk=world.meeting.pk).update(end_date=datetime.date(2000, 1, 1)))


# --- the append-only event log ---------------------------------------------------
def test_events_cannot_be_updated(world: World) -> None:
    # Given the record of the world's creation
    event = Event.objects.order_by("id").first()
    assert event is not None
    verb = event.verb
    # When anything rewrites it: a queryset update, a bulk update, or a save
    with pytest.raises(DatabaseError), transaction.atomic():
        Event.objects.filter(pk=event.pk).update(verb="history.rewritten")
    with pytest.raises(DatabaseError), transaction.atomic():
        Event.objects.all().update(after=None)
    event.verb = "history.rewritten"
    with pytest.raises(DatabaseError), transaction.atomic():
        event.save()
    # Then it still says what happened
    assert Event.objects.get(pk=event.pk).verb == verb


def test_events_cannot_be_deleted(world: World) -> None:
    count = Event.objects.count()
    assert count >= 2
    event = Event.objects.order_by("id").first()
    assert event is not None
    with pytest.raises(DatabaseError), transaction.atomic():
        Event.objects.filter(pk=event.pk).delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        Event.objects.all().delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        event.delete()
    assert Event.objects.count() == count


def test_events_can_still_be_appended(world: World) -> None:
    count = Event.objects.count()
    services.event_record(verb=EventVerb.MEETING_CHANGED, actor=None, obj=world.meeting, meeting=world.meeting)
    assert Event.objects.count() == count + 1
