from __future__ import annotations

from typing import Any, Required, TypedDict, Unpack

from django.contrib.auth.models import User
from django.db import models

from drafting import live
from drafting.access import delegation_of
from drafting.models import Declaration, Event, EventVerb, Meeting, Paragraph, Proposal
from drafting.services import rows


class EventFields(TypedDict, total=False):
    """What a service says of an event (``event_record``'s keywords)."""

    verb: Required[EventVerb]
    actor: Required[User | None]
    obj: Required[models.Model]
    meeting: Meeting | None
    declaration: Declaration | None
    paragraph: Paragraph | int | None
    proposal: Proposal | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def _event_new(**fields: Unpack[EventFields]) -> Event:
    """The event, unsaved (``_announce`` it once written)."""
    verb = EventVerb(fields["verb"])
    actor, obj = fields["actor"], fields["obj"]
    declaration, meeting = fields.get("declaration"), fields.get("meeting")
    if declaration is not None and meeting is None:
        meeting = declaration.meeting
    paragraph = fields.get("paragraph")
    return Event(
        verb=verb,
        actor=actor,
        delegation=delegation_of(actor) if actor is not None else None,
        meeting=meeting,
        declaration=declaration,
        paragraph_id=paragraph.pk if isinstance(paragraph, Paragraph) else paragraph,
        proposal=fields.get("proposal"),
        object_type=obj._meta.model_name or "",
        object_id=str(obj.pk),
        before=fields.get("before"),
        after=fields.get("after"),
    )


def _announce(event: Event) -> None:
    """Open pages follow, whichever process serves them (drafting/live.py):
    the notice is sent after the commit (at once for a write that is its own
    transaction), so a rolled-back write announces nothing."""
    if event.meeting_id is not None:
        live.changed(meeting_id=event.meeting_id, declaration_id=event.declaration_id)


def event_record(**fields: Unpack[EventFields]) -> Event:
    """Append one entry to the negotiation record. Call inside the service's
    transaction so the event and the change commit (or vanish) together.
    ``verb`` is a member of ``EventVerb``: mypy checks the callers, and a
    plain string that is not a member is refused here (ValueError), so the
    record holds no verb the enumeration does not name."""
    event = _event_new(**fields)
    event.save(force_insert=True)
    _announce(event)
    return event


def proposal_insert_recorded(
    *,
    verb: EventVerb,
    actor: User,
    proposal: Proposal,
    declaration: Declaration,
    after: dict[str, Any],
    guard: rows.Guard | None = None,
) -> Event | None:
    """Insert the new ``proposal`` (unsaved) and the event that records it, in
    one statement on PostgreSQL (``rows.insert_with_event``: a submission's
    write, one round trip and no ORM compilation instead of two of each),
    only if ``guard`` still holds (None, and nothing written, if not). The
    event is the one ``event_record`` would write, its object and its
    proposal the new row."""
    event = _event_new(
        verb=verb, actor=actor, obj=proposal, declaration=declaration, paragraph=proposal.paragraph_id,
        proposal=proposal, after=after,
    )  # fmt: skip
    if not rows.insert_with_event(proposal, event, links=("proposal_id",), guard=guard):
        return None
    _announce(event)
    return event


def proposal_events_record(
    *,
    actor: User | None,
    declaration: Declaration,
    changes: list[tuple[Proposal, str, dict[str, Any]]],
) -> None:
    """Record one event per proposal whose status a bulk change moved
    (carry-over at a revision, re-fits at an acceptance, superseding at adoption), in one insert:
    ``changes`` holds (proposal, its status before, what it became)."""
    delegation = delegation_of(actor) if actor is not None else None
    if changes:
        live.changed(meeting_id=declaration.meeting_id, declaration_id=declaration.pk)
    Event.objects.bulk_create(
        [
            Event(
                verb=EventVerb(f"proposal.{after.get('status', proposal.status)}"),
                actor=actor,
                delegation=delegation,
                meeting_id=declaration.meeting_id,
                declaration=declaration,
                paragraph_id=proposal.paragraph_id,
                proposal=proposal,
                object_type="proposal",
                object_id=str(proposal.pk),
                before={"status": before},
                after=after,
            )
            for proposal, before, after in changes
        ],
        batch_size=500,
    )
