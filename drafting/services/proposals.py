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
from drafting.errors import Conflict, InvalidInput, NotAllowed, Unavailable
from drafting.models import Declaration, EventVerb, Meeting, Paragraph, Position, Proposal, Revision, RevisionParagraph
from drafting.services import rows
from drafting.services.events import event_record, proposal_insert_recorded
from drafting.services.locks import (
    DECLARATION,
    MEETING,
    declaration_access,
    declaration_require_drafting,
    declaration_role_to_read,
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


# --- A submission: read without locks, then one guarded write ---------------------
# On PostgreSQL a submission holds no lock while Python checks and cleans
# what it sent, and runs no BEGIN or COMMIT: it reads the declaration, the
# paragraph and the current revision in one statement (one snapshot), and
# writes the proposal and its event in one statement that first locks the
# declaration (FOR KEY SHARE) and the paragraph (FOR NO KEY UPDATE), in the
# order of ``locks``, and checks under those locks that what was read still
# holds (``_submission_guard``). If it does not (a revision issued, the
# paragraph changed, meanwhile), nothing is written and the submission starts
# again from the read, which then answers for the new state: a refusal, or a
# proposal on the new wording. On SQLite, BEGIN IMMEDIATE serialises the read
# and the write with every other writer instead (``rows.write_scope``).
# Round trips were most of a submission's cost under load (bench/RESULTS.md):
# this is two where it was six.

_READ_PARTS = (DECLARATION, MEETING, rows.Part(Paragraph, "x"))
_SUBMIT_ATTEMPTS = 3


@cache
def _read_to_propose_sql(vendor: str) -> str:
    revision, placed = Revision._meta.db_table, RevisionParagraph._meta.db_table
    latest = f"(SELECT v.id FROM {revision} v WHERE v.declaration_id = d.id ORDER BY v.number DESC LIMIT 1)"
    return (
        f"SELECT {rows.columns(*_READ_PARTS)}, r.id, r.label, r.number, rp.label, {rows.row_version('x')} "
        f"FROM {Declaration._meta.db_table} d JOIN {Meeting._meta.db_table} m ON m.id = d.meeting_id "
        f"JOIN {Paragraph._meta.db_table} x ON x.declaration_id = d.id AND x.id = %s "
        f"LEFT JOIN {revision} r ON r.id = {latest} "
        f"LEFT JOIN {placed} rp ON rp.revision_id = r.id AND rp.paragraph_id = x.id WHERE d.id = %s"
    )


def _read_to_propose(
    *, actor: User, declaration_id: int, paragraph_id: int
) -> tuple[Declaration, Role, Paragraph | None, Revision | None, rows.Guard | None]:
    """The declaration (with its meeting) and the actor's role in it (404,
    403 as ``declaration_access``); the paragraph as it stands now (the
    revision's text, or what the PPT accepted into the working text since),
    with its label in the current revision (``revision_label``, None for a
    paragraph added since); the current revision; and the guard the write
    checks. One statement, no lock; the paragraph and the rest None when it
    is not the declaration's."""
    found = rows.fetch_one(_read_to_propose_sql(connection.vendor), [paragraph_id, declaration_id], _READ_PARTS)
    if found is None:  # which: no such declaration (404, 403), or not its paragraph
        return (*declaration_access(user=actor, declaration_id=declaration_id, lock="none"), None, None, None)
    (declaration, meeting, paragraph), (current_id, current_label, number, label, version) = found
    assert isinstance(declaration, Declaration) and isinstance(meeting, Meeting)
    assert isinstance(paragraph, Paragraph)
    declaration.meeting = meeting
    role = declaration_role_to_read(actor, declaration)
    paragraph.revision_label = label  # type: ignore[attr-defined]
    current = Revision(pk=current_id, declaration_id=declaration.pk, label=current_label, number=number)
    return declaration, role, paragraph, current, _submission_guard(declaration, paragraph, current, version)


def _submission_guard(declaration: Declaration, paragraph: Paragraph, current: Revision, version: str) -> rows.Guard:
    """Under the write's locks (the declaration, then the paragraph, as
    ``locks`` orders them): the declaration is still being drafted, no
    revision came after ``current``, and the paragraph is the row version
    that was read (any change to it, its text, state or translation, makes a
    new one). The write's snapshot is taken before it waits for a lock, so a
    revision issued while it waited would not be in it: the declaration's
    ``version`` moves with every event, a new revision's included (migration
    0013's trigger), and the locked row is its latest version while the
    subquery reads the snapshot's; equal, the snapshot is not stale."""
    params = (declaration.pk, Declaration.Status.DRAFTING.value, current.number, paragraph.pk, version)
    return rows.Guard(_submission_guard_sql(), params)


@cache
def _submission_guard_sql() -> str:
    declaration, revision, paragraph = (m._meta.db_table for m in (Declaration, Revision, Paragraph))
    return (
        f"d AS (SELECT d.id FROM {declaration} d WHERE d.id = %s AND d.status = %s "
        f"AND d.version = (SELECT s.version FROM {declaration} s WHERE s.id = d.id) "
        f"AND NOT EXISTS (SELECT 1 FROM {revision} v WHERE v.declaration_id = d.id AND v.number > %s) "
        "FOR KEY SHARE), "
        f"guard AS (SELECT x.id FROM {paragraph} x JOIN d ON d.id = x.declaration_id "
        "WHERE x.id = %s AND CAST(x.xmin AS text) = %s FOR NO KEY UPDATE OF x)"
    )


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
    onto the current wording (409 if it touches the words that changed).
    Read, checked and written as the section above says: when what was read
    changed before the write, read again (a few times, then 503)."""
    for _attempt in range(_SUBMIT_ATTEMPTS):
        with rows.write_scope():
            proposal = _submit_once(
                actor=actor, declaration_id=_id(declaration), revision_id=revision_id, paragraph_id=paragraph_id,
                kind=kind, text=text, emphasis=emphasis, rationale=rationale, base_text=base_text, language=language,
            )  # fmt: skip
        if proposal is not None:
            return proposal
    raise Unavailable(
        _("The proposal collided with simultaneous changes to its paragraph; send it again."),
        headers={"Retry-After": "1"},
    )


def _submit_once(
    *,
    actor: User,
    declaration_id: int,
    revision_id: int,
    paragraph_id: int,
    kind: str,
    text: str,
    emphasis: list[dict[str, Any]] | None,
    rationale: str,
    base_text: str | None,
    language: str,
) -> Proposal | None:
    """One read, its checks and the guarded write: the proposal, or None
    when the guard no longer held (nothing written)."""
    declaration, role, base, current, guard = _read_to_propose(
        actor=actor, declaration_id=declaration_id, paragraph_id=paragraph_id
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
    # The proposal and its event in one statement (rows.insert_with_event), if
    # the guard still holds (see the section above).
    recorded = proposal_insert_recorded(
        verb=EventVerb.PROPOSAL_SUBMITTED,
        actor=actor,
        proposal=proposal,
        declaration=declaration,
        guard=guard,
        after={
            "kind": kind,
            "text": cleaned,
            "revision": revision.pk,
            "label": base.revision_label,  # type: ignore[attr-defined]
            "language": language,
            **({"refit": "on_submit"} if refit else {}),
        },
    )
    if recorded is None:
        return None
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
