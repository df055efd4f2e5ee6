"""What accepting a proposal does to the working text.

Called by ``proposal_decide`` inside its transaction, with the declaration
and the proposal locked. Competing proposals on the same paragraph are
marked superseded (kept, with an event each), never lost.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db.models import F

from drafting.errors import Conflict
from drafting.models import Declaration, Delegation, Paragraph, Position, Proposal
from drafting.services.events import event_record
from drafting.services.revisions import POSITION_STEP
from drafting.states import PROPOSABLE, State

K = Proposal.Kind
# Proposals that rewrite (or remove) the paragraph itself compete with each other;
# an insertion after it does not.
COMPETING = (K.REPLACE, K.ALTERNATIVE, K.DELETE)
# Paragraph kinds an insertion may not copy (one title, one place-and-date line).
UNIQUE_KINDS = {"title": "text", "place_date": "text"}


def _supersede(*, actor: User, declaration: Declaration, accepted: Proposal, kinds: tuple[str, ...]) -> list[int]:
    rivals = list(
        Proposal.objects.select_for_update()
        .filter(paragraph_id=accepted.paragraph_id, status=Proposal.Status.SUBMITTED, kind__in=kinds)
        .exclude(pk=accepted.pk)
        .order_by("id")
    )
    for rival in rivals:
        rival.status = Proposal.Status.SUPERSEDED
        rival.version += 1
        rival.save(update_fields=["status", "version", "updated_at"])
        event_record(
            verb="proposal.superseded",
            actor=actor,
            obj=rival,
            declaration=declaration,
            paragraph=rival.paragraph_id,
            proposal=rival,
            before={"status": Proposal.Status.SUBMITTED},
            after={"status": rival.status, "by_proposal": accepted.pk},
        )
    return [r.pk for r in rivals]


def _position_after(paragraph: Paragraph) -> int:
    """A free working-text position after ``paragraph`` and after the
    paragraphs already inserted behind it, so that OP3 bis stays OP3 bis when
    OP3 ter arrives (shifting what follows only when the gap is used up)."""
    anchor = paragraph.position
    following = list(
        Paragraph.objects.filter(declaration_id=paragraph.declaration_id, position__gt=anchor)
        .order_by("position")
        .values_list("position", "inserted")
    )
    index = 0
    while index < len(following) and following[index][1]:
        anchor = following[index][0]
        index += 1
    if index == len(following):
        return anchor + POSITION_STEP
    next_position = following[index][0]
    if next_position - anchor >= 2:
        return (anchor + next_position) // 2
    Paragraph.objects.filter(declaration_id=paragraph.declaration_id, position__gt=anchor).update(
        position=F("position") + POSITION_STEP
    )
    return anchor + POSITION_STEP // 2


def proposal_apply(*, actor: User, declaration: Declaration, proposal: Proposal) -> dict[str, Any]:
    """Apply an accepted proposal to the working text; return what changed (for the event)."""
    objecting = sorted(
        Position.objects.filter(
            proposal=proposal, stance=Position.Stance.OBJECT, delegation__kind=Delegation.Kind.MEMBER_STATE
        ).values_list("delegation__code", flat=True)
    )
    if objecting:
        # Accepting over an objection would let the chair step around
        # consensus (the objection dies with the proposal): refuse, naming them.
        raise Conflict(
            f"{', '.join(objecting)} object(s) to this proposal; it cannot be accepted while they do.",
            extra={"objecting": objecting},
        )
    paragraph = Paragraph.objects.select_for_update().get(pk=proposal.paragraph_id)
    if proposal.kind != K.INSERT_AFTER and paragraph.state not in PROPOSABLE:
        raise Conflict(f"The paragraph is {State(paragraph.state).label.lower()}; reopen it before accepting changes.")
    if proposal.kind != K.INSERT_AFTER and paragraph.text != proposal.base_text:
        raise Conflict(
            "The paragraph changed since this proposal was written; it must be re-fitted to the current text.",
            extra={"paragraph_text": paragraph.text},
        )
    before = {"text": paragraph.text, "state": paragraph.state}
    if proposal.kind == K.INSERT_AFTER:
        created = Paragraph.objects.create(
            declaration=declaration,
            position=_position_after(paragraph),
            section_kind=paragraph.section_kind,
            section_heading=paragraph.section_heading,
            kind=UNIQUE_KINDS.get(paragraph.kind, paragraph.kind),
            level=paragraph.level,
            text=proposal.text,
            emphasis=proposal.emphasis,
            inserted=True,
            state=State.UNDER_DISCUSSION,
        )
        proposal.created_paragraph = created
        return {"inserted_paragraph": created.pk}
    superseded = _supersede(actor=actor, declaration=declaration, accepted=proposal, kinds=COMPETING)
    if proposal.kind == K.DELETE:
        # Insertions "after" it stay pending and may still be accepted: their
        # place in the text (after the deleted paragraph) still exists.
        paragraph.state = State.DELETED
    else:
        paragraph.text, paragraph.emphasis = proposal.text, proposal.emphasis
        if paragraph.state == State.BRACKETED:  # choosing a wording resolves the brackets
            paragraph.state = State.UNDER_DISCUSSION
    paragraph.brackets, paragraph.alternatives = [], []
    paragraph.version += 1
    paragraph.save(update_fields=["text", "emphasis", "state", "brackets", "alternatives", "version"])
    event_record(
        verb="paragraph.changed",
        actor=actor,
        obj=paragraph,
        declaration=declaration,
        paragraph=paragraph,
        proposal=proposal,
        before=before,
        after={"text": paragraph.text, "state": paragraph.state, "by_proposal": proposal.pk},
    )
    return {"superseded": superseded}
