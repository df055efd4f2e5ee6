"""Proposals and positions: what delegations do during a reading."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from drafting.access import Role, require_negotiator, require_ppt
from drafting.bilingual import LANGUAGE_NAMES, LANGUAGES
from drafting.errors import Conflict, InvalidInput, NotAllowed
from drafting.models import Declaration, EventVerb, Paragraph, Position, Proposal, Revision, RevisionParagraph
from drafting.services import rows
from drafting.services.events import event_record, proposal_insert_recorded
from drafting.services.locks import (
    declaration_access,
    declaration_and_paragraph_access,
    declaration_require_drafting,
    proposal_access,
)
from drafting.services.refitting import in_other_language, submitted_text_refit
from drafting.services.working_text import proposal_apply
from drafting.states import PROPOSABLE, State
from drafting.textnorm import clean_emphasis, clean_text


def _snapshot(proposal: Proposal) -> dict[str, Any]:
    return {"status": proposal.status, "version": proposal.version}


def _record(
    verb: EventVerb,
    actor: User,
    declaration: Declaration,
    proposal: Proposal,
    *,
    obj: models.Model | None = None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    """An event about ``proposal`` (or about ``obj``, a position on it)."""
    event_record(
        verb=verb,
        actor=actor,
        obj=obj or proposal,
        declaration=declaration,
        paragraph=proposal.paragraph_id,
        proposal=proposal,
        before=before,
        after=after,
    )


def _require_open_paragraph(proposal: Proposal) -> None:
    """Positions count only where the paragraph is still being negotiated
    (``paragraph_state`` is read with the proposal by ``proposal_access``)."""
    if proposal.kind == Proposal.Kind.INSERT_AFTER:
        return
    state = proposal.paragraph_state  # type: ignore[attr-defined]
    if state not in PROPOSABLE:
        raise Conflict(
            _("The paragraph is %(state)s; positions on its proposals are closed.")
            % {"state": _(State(state).label).lower()},
            extra={"paragraph_state": state},
        )


def _positions(proposal: Proposal, positions: list[Position] | None = None) -> list[Position]:
    """The proposal's positions (oldest first, with their delegations), read
    once and kept on the proposal as a prefetch would, so that the answer
    is built from them without reading them again."""
    if positions is None:
        positions = list(Position.objects.filter(proposal=proposal).select_related("delegation").order_by("id"))
    cached = proposal.positions.all()
    cached._result_cache = positions
    cached._prefetch_done = True  # type: ignore[attr-defined]
    proposal._prefetched_objects_cache = {"positions": cached}  # type: ignore[attr-defined]
    return positions


def _id(obj: models.Model | int) -> int:
    return obj if isinstance(obj, int) else int(obj.pk)


def _require_pending(proposal: Proposal) -> None:
    if proposal.status != Proposal.Status.SUBMITTED:
        raise Conflict(
            _("Proposal %(id)s is %(status)s; it can no longer change.")
            % {"id": proposal.pk, "status": pgettext("proposal status", proposal.status)}
        )


def _bump(proposal: Proposal) -> None:
    Proposal.objects.filter(pk=proposal.pk).update(version=F("version") + 1)
    proposal.version += 1


_PARAGRAPH = rows.Part(Paragraph, "x")


def _revision_joins(on: str) -> tuple[str, str]:
    """(extra columns, joins): the declaration's current revision and the
    paragraph's label in it, for the paragraph ``x`` of the declaration ``on``."""
    revision, placed = Revision._meta.db_table, RevisionParagraph._meta.db_table
    latest = f"(SELECT v.id FROM {revision} v WHERE v.declaration_id = {on} ORDER BY v.number DESC LIMIT 1)"
    return "r.id, r.label, rp.label", (
        f"LEFT JOIN {revision} r ON r.id = {latest} "
        f"LEFT JOIN {placed} rp ON rp.revision_id = r.id AND rp.paragraph_id = x.id"
    )


@cache
def _paragraph_to_propose_on_sql(vendor: str) -> str:
    extra, joins = _revision_joins("x.declaration_id")
    sql = f"SELECT {rows.columns(_PARAGRAPH)}, {extra} FROM {Paragraph._meta.db_table} x {joins} "
    sql += "WHERE x.id = %s AND x.declaration_id = %s"
    return sql + (" FOR NO KEY UPDATE OF x" if vendor == "postgresql" else "")


def _paragraph_to_propose_on(*, declaration_id: int, paragraph_id: int) -> tuple[Paragraph | None, Revision | None]:
    """The paragraph, locked FOR NO KEY UPDATE, with the declaration's
    current revision and the paragraph's label in it (``revision_label``,
    None for a paragraph added since): one hand-written statement, as the
    ORM's three-subquery version cost a submission 1.3 ms of CPU to compile
    (drafting/services/rows.py). (None, None) if the paragraph is not the
    declaration's."""
    sql = _paragraph_to_propose_on_sql(connection.vendor)
    found = rows.fetch_one(sql, [paragraph_id, declaration_id], [_PARAGRAPH])
    if found is None:
        return None, None
    (paragraph,), (current_id, current_label, label) = found
    assert isinstance(paragraph, Paragraph)
    return _labelled(paragraph, declaration_id, current_id, current_label, label)


def _labelled(
    paragraph: Paragraph, declaration_id: int, current_id: int, current_label: str, label: str | None
) -> tuple[Paragraph, Revision]:
    paragraph.revision_label = label  # type: ignore[attr-defined]
    return paragraph, Revision(pk=current_id, declaration_id=declaration_id, label=current_label)


def _access_to_propose(
    *, actor: User, declaration_id: int, paragraph_id: int
) -> tuple[Declaration, Role, Paragraph | None, Revision | None]:
    """The declaration (locked "share") and the actor's role in it, then the
    paragraph as it stands now (locked), the current revision and the
    paragraph's label in it: in one statement when it can
    (``locks.declaration_and_paragraph_access``), else in two, which also
    tell an unknown declaration (404) from a paragraph that is not its (None)."""
    extra, joins = _revision_joins("d.id")
    found = declaration_and_paragraph_access(
        user=actor, declaration_id=declaration_id, paragraph_id=paragraph_id, extra=extra, joins=joins
    )
    if found is not None:
        declaration, role, paragraph, (current_id, current_label, label) = found
        return declaration, role, *_labelled(paragraph, declaration_id, current_id, current_label, label)
    declaration, role = declaration_access(user=actor, declaration_id=declaration_id, lock="share")
    # The paragraph, read after the declaration's lock was granted (see
    # ``locks._declaration_read``), so no revision issued meanwhile is missed.
    return declaration, role, *_paragraph_to_propose_on(declaration_id=declaration.pk, paragraph_id=paragraph_id)


@transaction.atomic
def proposal_submit(
    *,
    actor: User,
    declaration: Declaration | int,
    revision_id: int,
    paragraph_id: int,
    kind: str,
    text: str = "",
    emphasis: list[dict[str, Any]] | None = None,
    rationale: str = "",
    base_text: str | None = None,
    language: str = "",
) -> Proposal:
    """A member delegation proposes a change to one paragraph as it stood in
    ``revision_id``, which must be the declaration's current revision.
    ``language`` is the one it writes in ("es" or "en"; empty = the
    declaration's original language). A proposal in the other language is
    written against the paragraph's translation and debated as written; the PPT
    decides on the original's wording, which is supplied when accepting it
    (see ``proposal_decide``).
    ``base_text`` is the wording the delegation edited, when it says so: if the
    PPT accepted a change to the paragraph since, the proposal is re-fitted
    onto the current wording (409 if it touches the words that changed)."""
    # The declaration, locked "share", and the paragraph as it stands now (the
    # revision's text, or what the PPT accepted into the working text since),
    # locked: not the whole declaration, so that delegations propose on
    # different paragraphs at once; with the current revision and the
    # paragraph's label in it. FOR NO KEY UPDATE, not FOR UPDATE: a position's
    # event checks its foreign key to this paragraph (FOR KEY SHARE) at COMMIT,
    # after bumping the declaration, and must not wait for us while we wait
    # for that bump (see ``locks``: "No lock a foreign key waits for").
    declaration, role, base, current = _access_to_propose(
        actor=actor, declaration_id=_id(declaration), paragraph_id=paragraph_id
    )
    delegation = require_negotiator(role, "make proposals")
    declaration_require_drafting(declaration)

    if base is None:
        current = Revision.objects.filter(declaration_id=declaration.pk).order_by("-number").only("label").first()
    if current is None or current.pk != revision_id:
        revision = Revision.objects.filter(pk=revision_id, declaration=declaration).only("label").first()
        if revision is None:
            raise InvalidInput(
                _("Revision %(revision_id)s is not a revision of this declaration.") % {"revision_id": revision_id},
                fields={"revision": [_("Not a revision of this declaration.")]},
            )
        assert current is not None  # a revision exists: we just found one
        raise Conflict(
            _(
                "The proposal is written against %(label)s, but the current text is %(current)s; reread "
                "the paragraph and propose against %(current)s."
            )
            % {"label": revision.label, "current": current.label},
            extra={"current_revision": current.pk},
        )
    revision = current
    if base is None:
        raise InvalidInput(
            _("Paragraph %(paragraph_id)s is not part of the current text (%(label)s and changes since).")
            % {"paragraph_id": paragraph_id, "label": revision.label},
            fields={
                "paragraph": [_("Not a paragraph of %(label)s or of the working text.") % {"label": revision.label}]
            },
        )
    if kind not in Proposal.Kind.values:
        raise InvalidInput(
            _("Unknown kind."), fields={"kind": [_("Choose one of %(choices)s.") % {"choices": Proposal.Kind.values}]}
        )
    # An insertion next to a paragraph leaves that paragraph as it is, so it
    # may follow an agreed or held one; everything else edits the paragraph.
    if base.state == State.DELETED or (kind != Proposal.Kind.INSERT_AFTER and base.state not in PROPOSABLE):
        raise Conflict(
            (
                _("The paragraph is %(state)s; proposals are closed on it.")
                if base.state == State.DELETED
                else _("The paragraph is %(state)s; proposals are closed on it until the PPT reopens it.")
            )
            % {"state": _(State(base.state).label).lower()},
            extra={"paragraph_state": base.state},
        )

    language = language or declaration.original_language
    if language not in LANGUAGES:
        raise InvalidInput(
            _("Unknown language."),
            fields={"language": [_("Choose one of %(choices)s.") % {"choices": list(LANGUAGES)}]},
        )
    other = language != declaration.original_language
    limit = settings.CONSENSO_MAX_PARAGRAPH_CHARS
    refit: dict[str, Any] | None = None
    if kind == Proposal.Kind.DELETE:
        if text.strip():
            raise InvalidInput(_("A deletion carries no text."), fields={"text": [_("Leave empty to delete.")]})
        cleaned, spans = "", []
    else:
        cleaned = clean_text(text, field="text", max_chars=limit)
        spans = list(clean_emphasis(emphasis, original=text, cleaned=cleaned, field="emphasis"))
        read = clean_text(base_text, field="base_text", max_chars=limit) if base_text else None
        # A proposal in the other language edits the translation; its words are
        # never merged with the original's (that would mix the languages).
        if not other and kind != Proposal.Kind.INSERT_AFTER and read is not None and read != base.text:
            sent = cleaned
            cleaned, spans = submitted_text_refit(read=read, proposed=cleaned, current=base.text, emphasis=spans)
            refit = {"status": "clean", "on_submit": True, "before": {"base_text": read, "text": sent}}
        if other and kind == Proposal.Kind.REPLACE and cleaned == base.translation_text:
            raise InvalidInput(
                _("The proposed wording is identical to the current translation."),
                fields={"text": [_("No change.")]},
            )
        if not other and kind == Proposal.Kind.REPLACE and cleaned == base.text and spans == base.emphasis:
            raise InvalidInput(
                _("The proposed wording is identical to the current text."),
                fields={"text": [_("No change.")]},
            )
    rationale = clean_text(rationale, field="rationale", max_chars=settings.CONSENSO_MAX_NOTE_CHARS, allow_empty=True)
    proposal = Proposal(
        declaration=declaration,
        paragraph_id=paragraph_id,
        revision=revision,
        delegation=delegation,
        author=actor,
        kind=kind,
        base_text=base.text,
        text=cleaned,
        emphasis=spans,
        rationale=rationale,
        refit=refit,
        language=language,
    )
    # The proposal and its event in one statement (rows.insert_with_event).
    proposal_insert_recorded(
        verb=EventVerb.PROPOSAL_SUBMITTED,
        actor=actor,
        proposal=proposal,
        declaration=declaration,
        after={
            "kind": kind,
            "text": cleaned,
            "revision": revision.pk,
            "label": base.revision_label,  # type: ignore[attr-defined]
            "language": language,
            **({"refit": "on_submit"} if refit else {}),
        },
    )
    # The answer is built from this row: nobody has a position on it yet.
    _positions(proposal, [])
    return proposal


@transaction.atomic
def proposal_withdraw(*, actor: User, proposal: Proposal | int) -> Proposal:
    declaration, proposal, role = proposal_access(user=actor, proposal_id=_id(proposal), lock="share")
    delegation = require_negotiator(role, "withdraw proposals")
    if proposal.delegation_id != delegation.pk:
        raise NotAllowed(_("Only the proposing delegation may withdraw its proposal."))
    declaration_require_drafting(declaration)
    if proposal.status != Proposal.Status.CONFLICTED:  # a conflicted one may be withdrawn and resubmitted
        _require_pending(proposal)
    before = _snapshot(proposal)
    proposal.status = Proposal.Status.WITHDRAWN
    proposal.version += 1
    proposal.save(update_fields=["status", "version", "updated_at"])
    _record(EventVerb.PROPOSAL_WITHDRAWN, actor, declaration, proposal, before=before, after=_snapshot(proposal))
    _positions(proposal)
    return proposal


@transaction.atomic
def position_set(*, actor: User, proposal: Proposal | int, stance: str, reason: str = "") -> Position:
    """Support or object to a pending proposal; a delegation's later call
    replaces its earlier position (one per delegation per proposal). Setting
    it again on a re-fitted proposal confirms it on the current wording (it
    was flagged ``earlier_wording`` by the re-fit).

    Six statements: the declaration (shared lock), the proposal (locked),
    its positions, the position's insert or update, the proposal's version,
    the event (which bumps the declaration's version). The position rows
    need no lock of their own: every writer of them holds the proposal's.
    The returned position's ``proposal`` carries its positions for the
    answer."""
    declaration, proposal, role = proposal_access(user=actor, proposal_id=_id(proposal), lock="share")
    delegation = require_negotiator(role, "support or object")
    if proposal.delegation_id == delegation.pk:
        raise NotAllowed(_("A delegation does not support or object to its own proposal."))
    declaration_require_drafting(declaration)
    _require_pending(proposal)
    _require_open_paragraph(proposal)
    if stance not in Position.Stance.values:
        raise InvalidInput(_("Unknown stance."), fields={"stance": [_("support or object.")]})
    reason = clean_text(reason, field="reason", max_chars=settings.CONSENSO_MAX_NOTE_CHARS, allow_empty=True)
    if stance == Position.Stance.OBJECT and not reason:
        raise InvalidInput(_("An objection needs a reason."), fields={"reason": [_("Say why you object.")]})

    positions = _positions(proposal)
    existing = next((p for p in positions if p.delegation_id == delegation.pk), None)
    before: dict[str, Any] | None = None
    if existing is not None:
        before = {"stance": existing.stance, "reason": existing.reason}
        if existing.earlier_wording:  # this call confirms (or changes) it on the current wording
            before["earlier_wording"] = True
    if existing is None:
        position = Position.objects.create(
            proposal=proposal, delegation=delegation, author=actor, stance=stance, reason=reason
        )
        positions.append(position)
    else:
        existing.stance, existing.reason, existing.author = stance, reason, actor
        existing.earlier_wording = False
        existing.save(update_fields=["stance", "reason", "author", "earlier_wording", "updated_at"])
        position = existing
    _bump(proposal)
    _record(
        EventVerb.PROPOSAL_SUPPORTED if stance == Position.Stance.SUPPORT else EventVerb.PROPOSAL_OBJECTED,
        actor,
        declaration,
        proposal,
        obj=position,
        before=before,
        after={"stance": stance, "reason": reason},
    )
    position.proposal = proposal  # with its positions, for the answer
    return position


@transaction.atomic
def position_withdraw(*, actor: User, proposal: Proposal | int) -> Proposal:
    """Withdraw the delegation's position; the proposal is returned with the
    positions left."""
    declaration, proposal, role = proposal_access(user=actor, proposal_id=_id(proposal), lock="share")
    delegation = require_negotiator(role, "withdraw a position")
    declaration_require_drafting(declaration)
    _require_pending(proposal)
    positions = _positions(proposal)
    existing = next((p for p in positions if p.delegation_id == delegation.pk), None)
    if existing is None:
        raise Conflict(_("Your delegation has no position on this proposal."))
    before = {"stance": existing.stance, "reason": existing.reason}
    _record(EventVerb.POSITION_WITHDRAWN, actor, declaration, proposal, obj=existing, before=before, after=None)
    existing.delete()
    _bump(proposal)
    _positions(proposal, [p for p in positions if p is not existing])
    return proposal


DECISIONS = {"accept": Proposal.Status.ACCEPTED, "reject": Proposal.Status.REJECTED}


def _original_wording(
    declaration: Declaration,
    proposal: Proposal,
    decision: str,
    text: str,
    emphasis: list[dict[str, Any]] | None,
) -> tuple[str, list[Any]] | None:
    """The original-language wording an acceptance of an other-language
    proposal carries (None for every other decision); refused when missing,
    or when given where it means nothing."""
    needed = (
        decision == "accept"
        and in_other_language(proposal, declaration.original_language)
        and proposal.kind != Proposal.Kind.DELETE
    )
    original = declaration.original_language
    if not needed:
        if text.strip():
            raise InvalidInput(
                _("Only accepting a proposal written in the other language takes an original wording."),
                fields={"original_text": [_("Leave empty.")]},
            )
        return None
    if not text.strip():
        raise InvalidInput(
            _(
                "This proposal is written in %(language)s; the PPT decides on the %(original)s text: give "
                "its %(original)s wording (original_text)."
            )
            % {
                "language": pgettext("language, in a sentence", LANGUAGE_NAMES[proposal.language]),
                "original": pgettext("language, in a sentence", LANGUAGE_NAMES[original]),
            },
            fields={
                "original_text": [
                    _("The proposal's wording in %(language)s.")
                    % {"language": pgettext("language, in a sentence", LANGUAGE_NAMES[original])}
                ]
            },
        )
    cleaned = clean_text(text, field="original_text", max_chars=settings.CONSENSO_MAX_PARAGRAPH_CHARS)
    spans = list(clean_emphasis(emphasis, original=text, cleaned=cleaned, field="original_emphasis"))
    return cleaned, spans


@transaction.atomic
def proposal_decide(
    *,
    actor: User,
    proposal: Proposal | int,
    decision: str,
    version: int,
    note: str = "",
    original_text: str = "",
    original_emphasis: list[dict[str, Any]] | None = None,
) -> Proposal:
    """The PPT accepts or rejects a pending proposal. ``version`` is the
    proposal version the chair saw; if anything moved since (a new objection,
    a withdrawal), the decision is refused with 409 rather than made blind.

    The PPT decides on the original language's text (issue 15): accepting a
    proposal written in the other language (other than a deletion) needs
    ``original_text``, its wording in the original language (prepared by the
    Technical Secretariat); that becomes the paragraph's text and the
    proposal's own words its current translation, both on the record."""
    # A decision changes the paragraph and may re-fit or supersede the other
    # proposals on it: the whole declaration is locked (FOR UPDATE).
    declaration, proposal, role = proposal_access(user=actor, proposal_id=_id(proposal), lock="update")
    require_ppt(role, "accept or reject proposals")
    declaration_require_drafting(declaration)
    if decision not in DECISIONS:
        raise InvalidInput(_("Unknown decision."), fields={"decision": [_("accept or reject.")]})
    _require_pending(proposal)
    if proposal.version != version:
        raise Conflict(
            _(
                "Proposal %(id)s changed since you read it (your version %(version)s, now %(current)s); "
                "reload it and decide again."
            )
            % {"id": proposal.pk, "version": version, "current": proposal.version},
            extra={"current_version": proposal.version},
        )
    note = clean_text(note, field="note", max_chars=settings.CONSENSO_MAX_NOTE_CHARS, allow_empty=True)
    original = _original_wording(declaration, proposal, decision, original_text, original_emphasis)
    before = _snapshot(proposal)
    effects: dict[str, Any] = {}
    if decision == "accept":
        effects = proposal_apply(actor=actor, declaration=declaration, proposal=proposal, original=original)
    proposal.status = DECISIONS[decision]
    proposal.decided_by = actor
    proposal.decided_at = timezone.now()
    proposal.decision_note = note
    proposal.version += 1
    proposal.save(
        update_fields=[
            "status",
            "decided_by",
            "decided_at",
            "decision_note",
            "version",
            "updated_at",
            "created_paragraph",
        ]
    )
    _record(
        EventVerb(f"proposal.{proposal.status}"),
        actor,
        declaration,
        proposal,
        before=before,
        after={**_snapshot(proposal), "note": note, **effects},
    )
    _positions(proposal)
    return proposal
