"""What accepting a proposal does to the working text.

Called by ``proposal_decide`` inside its transaction, with the declaration
and the proposal locked. The other pending proposals that edit the same
paragraph's text are re-fitted onto its new wording at once (clean → still
pending, against the new text; overlap → conflicted), or superseded when the
paragraph was deleted; each with an attributed event, never lost. Insertions
after the paragraph edit no text and keep their place (after a deleted
paragraph too: where it stood). Rejecting changes no text and calls nothing here.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db.models import F
from django.utils.translation import gettext as _

from drafting.bilingual import translation_status
from drafting.errors import Conflict
from drafting.models import Declaration, Delegation, EventVerb, Paragraph, Position, Proposal
from drafting.services.events import event_record, proposal_events_record
from drafting.services.refitting import in_other_language, proposals_refit_after_accept
from drafting.services.revisions import POSITION_STEP, update_each
from drafting.states import PROPOSABLE, State

K = Proposal.Kind
# Proposals that rewrite (or remove) the paragraph itself are re-fitted when
# another is accepted; an insertion after it edits no text and is left alone.
COMPETING = (K.REPLACE, K.ALTERNATIVE, K.DELETE)
# Paragraph kinds an insertion may not copy (one title, one place-and-date line).
UNIQUE_KINDS = {"title": "text", "place_date": "text"}


def _refit_rivals(
    *, actor: User, declaration: Declaration, accepted: Proposal, old_text: str, paragraph: Paragraph
) -> dict[str, list[int]]:
    """Re-fit, at once, every other pending proposal that edits the text of
    the paragraph ``accepted`` just changed (rules: ``proposals_refit_after_accept``);
    save each, flag the positions on the re-fitted ones, and put one
    attributed event per proposal on the record. Returns the ids by outcome."""
    rivals = list(
        Proposal.objects.select_for_update()
        .select_related("delegation")
        .filter(
            paragraph_id=accepted.paragraph_id,
            status__in=[Proposal.Status.SUBMITTED, Proposal.Status.NEEDS_REFIT, Proposal.Status.CONFLICTED],
            kind__in=COMPETING,
        )
        .exclude(pk=accepted.pk)
        .order_by("id")
    )
    changes = proposals_refit_after_accept(
        accepted=accepted,
        old_text=old_text,
        rivals=rivals,
        new_text=paragraph.text,
        new_emphasis=list(paragraph.emphasis),
        original_language=declaration.original_language,
    )
    for proposal, _before, _after in changes:
        proposal.version += 1
    # Each re-fitted proposal has its own text: one UPDATE per row (rows locked above).
    update_each(
        Proposal,
        [p for p, _, _ in changes],
        ["status", "version", "base_text", "text", "emphasis", "refit"],
    )
    outcomes: dict[str, list[int]] = {"refitted": [], "conflicted": [], "superseded": []}
    for proposal, _before, after in changes:
        outcomes[after["status"]].append(proposal.pk)
    if outcomes["refitted"]:
        # Their wording moved under the positions taken on them: kept, flagged,
        # until each delegation confirms (supports or objects again) or withdraws.
        Position.objects.filter(proposal_id__in=outcomes["refitted"]).update(earlier_wording=True)
    proposal_events_record(actor=actor, declaration=declaration, changes=changes)
    return outcomes


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


def proposal_apply(
    *,
    actor: User,
    declaration: Declaration,
    proposal: Proposal,
    original: tuple[str, list[Any]] | None = None,
) -> dict[str, Any]:
    """Apply an accepted proposal to the working text; return what changed (for the event).

    Every change of the original wording bumps the paragraph's ``text_version``,
    which leaves its other-language version stale (issue 15). A proposal
    written in the other language comes with ``original``, the wording (and
    emphasis) in the original language the PPT decided on: that becomes the
    text, and the proposal's own words become the current translation."""
    objecting = sorted(
        Position.objects.filter(
            proposal=proposal, stance=Position.Stance.OBJECT, delegation__kind=Delegation.Kind.MEMBER_STATE
        ).values_list("delegation__code", flat=True)
    )
    if objecting:
        # Accepting over an objection would let the chair step around
        # consensus (the objection dies with the proposal): refuse, naming them.
        raise Conflict(
            _("%(delegations)s object(s) to this proposal; it cannot be accepted while they do.")
            % {"delegations": ", ".join(objecting)},
            extra={"objecting": objecting},
        )
    paragraph = Paragraph.objects.select_for_update().get(pk=proposal.paragraph_id)
    if proposal.kind != K.INSERT_AFTER and paragraph.state not in PROPOSABLE:
        raise Conflict(
            _("The paragraph is %(state)s; reopen it before accepting changes.")
            % {"state": _(State(paragraph.state).label).lower()}
        )
    if proposal.kind != K.INSERT_AFTER and paragraph.text != proposal.base_text:
        raise Conflict(
            _("The paragraph changed since this proposal was written; it must be re-fitted to the current text."),
            extra={"paragraph_text": paragraph.text},
        )
    before = {"text": paragraph.text, "state": paragraph.state}
    other = in_other_language(proposal, declaration.original_language) and proposal.kind != K.DELETE
    if other:
        assert original is not None  # proposal_decide requires it
        wording, spans = original
    else:
        wording, spans = proposal.text, list(proposal.emphasis)
    if proposal.kind == K.INSERT_AFTER:
        created = Paragraph.objects.create(
            declaration=declaration,
            position=_position_after(paragraph),
            section_kind=paragraph.section_kind,
            section_heading=paragraph.section_heading,
            section_heading_translation=paragraph.section_heading_translation,
            kind=UNIQUE_KINDS.get(paragraph.kind, paragraph.kind),
            level=paragraph.level,
            text=wording,
            emphasis=spans,
            inserted=True,
            state=State.UNDER_DISCUSSION,
            # The other version is missing, unless the proposal was written in it.
            **(
                {"translation_text": proposal.text, "translation_emphasis": proposal.emphasis, "translation_of": 1}
                if other
                else {}
            ),
        )
        proposal.created_paragraph = created
        if other:
            _record_translation(actor, declaration, created, proposal)
        return {"inserted_paragraph": created.pk}
    old_text = paragraph.text
    if proposal.kind == K.DELETE:
        # Insertions "after" it stay pending and may still be accepted: their
        # place in the text (after the deleted paragraph) still exists.
        paragraph.state = State.DELETED
    else:
        paragraph.text, paragraph.emphasis = wording, spans
        if wording != old_text:  # the original's words changed: its translation no longer renders them
            paragraph.text_version += 1
        if other:
            paragraph.translation_text, paragraph.translation_emphasis = proposal.text, list(proposal.emphasis)
            paragraph.translation_table, paragraph.translation_of = None, paragraph.text_version
        if paragraph.state == State.BRACKETED:  # choosing a wording resolves the brackets
            paragraph.state = State.UNDER_DISCUSSION
    paragraph.brackets, paragraph.alternatives = [], []
    paragraph.version += 1
    paragraph.save(
        update_fields=[
            "text",
            "emphasis",
            "state",
            "brackets",
            "alternatives",
            "version",
            "text_version",
            "translation_text",
            "translation_emphasis",
            "translation_table",
            "translation_of",
        ]
    )
    event_record(
        verb=EventVerb.PARAGRAPH_CHANGED,
        actor=actor,
        obj=paragraph,
        declaration=declaration,
        paragraph=paragraph,
        proposal=proposal,
        before=before,
        after={
            "text": paragraph.text,
            "state": paragraph.state,
            "by_proposal": proposal.pk,
            "text_version": paragraph.text_version,
            "translation": translation_status(
                text_version=paragraph.text_version, translation_of=paragraph.translation_of
            ),
        },
    )
    if other:
        _record_translation(actor, declaration, paragraph, proposal)
    # After the paragraph's own event, so the record reads in the order it happened.
    return _refit_rivals(
        actor=actor, declaration=declaration, accepted=proposal, old_text=old_text, paragraph=paragraph
    )


def _record_translation(actor: User, declaration: Declaration, paragraph: Paragraph, proposal: Proposal) -> None:
    """The accepted proposal's own words (in the other language) are now the
    paragraph's translation: on the record, linked to the proposal."""
    event_record(
        verb=EventVerb.PARAGRAPH_TRANSLATED,
        actor=actor,
        obj=paragraph,
        declaration=declaration,
        paragraph=paragraph,
        proposal=proposal,
        after={
            "language": proposal.language,
            "text": paragraph.translation_text,
            "translation_of": paragraph.translation_of,
            "proposals": [proposal.pk],
            "from_proposal": True,
        },
    )
