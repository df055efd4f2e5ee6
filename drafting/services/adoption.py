"""Adoption of a declaration: in session, or by silence procedure.

Exactly once: every path that adopts locks the declaration row and then the
adoption row, re-reads their state, and a partial unique index
(``adopted_exactly_once``) refuses a second adopted attempt even if those
locks were somehow bypassed. A break of silence and the deadline task take
the same locks, so whichever commits first decides; a break arriving after
the deadline is refused.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from drafting.access import require_negotiator, require_ppt
from drafting.bilingual import CURRENT, MISSING, other_language
from drafting.errors import Conflict, InvalidInput, NotAllowed
from drafting.models import (
    Adoption,
    AdoptionObjection,
    Declaration,
    Delegation,
    EventVerb,
    Paragraph,
    Proposal,
    Revision,
    RevisionParagraph,
    Statement,
)
from drafting.services.events import event_record, proposal_events_record
from drafting.services.export_jobs import export_jobs_restrict_to_adopted
from drafting.services.library import library_feed_adopted
from drafting.services.locks import declaration_access, declaration_lock, declaration_require_drafting
from drafting.states import State
from drafting.textnorm import clean_text

D = Declaration.Status


def _pending(declaration: Declaration, method: str | None = None) -> Adoption:
    qs = Adoption.objects.select_for_update().filter(declaration=declaration, status=Adoption.Status.PENDING)
    adoption = qs.first()
    if adoption is None or (method is not None and adoption.method != method):
        if method == "in_session":
            message = _("There is no adoption in session under way for this declaration.")
        elif method == "silence":
            message = _("There is no silence procedure under way for this declaration.")
        else:
            message = _("There is no adoption under way for this declaration.")
        raise Conflict(message)
    return adoption


def _require_translated(revision: Revision) -> None:
    """Both language versions current (issue 15): refused, listing the
    paragraphs whose other-language version is missing or stale. There is no
    implicit exception (not even for a text never translated): adopting in
    the original language only is the PPT's explicit choice."""
    behind = list(
        RevisionParagraph.objects.filter(revision=revision)
        .exclude(translation_status=CURRENT)
        .order_by("position")
        .values_list("label", "translation_status")
    )
    if not behind:
        return
    missing = [label for label, status in behind if status == MISSING]
    stale = [label for label, status in behind if status != MISSING]
    parts = [
        f"{what}: {', '.join(labels[:12])}{' …' if len(labels) > 12 else ''}"
        for what, labels in (
            (pgettext("translation status", "missing"), missing),
            (pgettext("translation status", "stale"), stale),
        )
        if labels
    ]
    raise Conflict(
        _(
            "Both language versions must be current before adoption; the translation is %(behind)s. "
            "Update them, or adopt in the original language only."
        )
        % {"behind": "; ".join(parts)},
        extra={"translation_missing": missing, "translation_stale": stale},
    )


def _require_adoptable(declaration: Declaration, revision_id: int, *, original_language_only: bool = False) -> Revision:
    """The revision must be current, clean (every paragraph agreed), the
    working text must not have moved since it was issued, and its other
    language's version must be current unless the PPT explicitly adopts in
    the original language only."""
    revision = Revision.objects.filter(pk=revision_id, declaration=declaration).first()
    if revision is None:
        raise InvalidInput(
            _("Revision %(revision_id)s is not a revision of this declaration.") % {"revision_id": revision_id},
            fields={"revision": [_("Not a revision of this declaration.")]},
        )
    current = declaration.revisions.order_by("-number").first()
    if current is None or current.pk != revision.pk:
        raise Conflict(
            _("%(label)s is not the current revision; only the current text can be adopted.")
            % {"label": revision.label}
        )
    not_agreed = list(
        RevisionParagraph.objects.filter(revision=revision).exclude(state=State.AGREED).values_list("label", "state")
    )
    if not_agreed:
        # "under discussion": the state's label, lower case, in the reader's language.
        listed = ", ".join(f"{label} ({_(State(state).label).lower()})" for label, state in not_agreed[:12])
        raise Conflict(
            _("Every paragraph must be agreed before adoption; not yet: %(listed)s") % {"listed": listed}
            + (" …" if len(not_agreed) > 12 else "."),
            extra={"not_agreed": [label for label, _ in not_agreed]},
        )
    moved = (
        Proposal.objects.filter(
            declaration=declaration, status=Proposal.Status.ACCEPTED, incorporated_in__isnull=True
        ).exists()
        or Paragraph.objects.filter(declaration=declaration, inserted=True).exists()
        or Paragraph.objects.filter(declaration=declaration).exclude(state__in=[State.AGREED, State.DELETED]).exists()
    )
    if moved:
        raise Conflict(_("The working text has changed since this revision; issue a new revision and adopt that."))
    if not original_language_only:
        _require_translated(revision)
    return revision


def _adopt(adoption: Adoption, declaration: Declaration, actor: User | None) -> None:
    """Conclude ``adoption`` as adopted (locks held by the caller)."""
    now = timezone.now()
    adoption.status, adoption.concluded_at = Adoption.Status.ADOPTED, now
    adoption.save(update_fields=["status", "concluded_at"])
    meeting = declaration.meeting
    adoption.present.set(
        Delegation.objects.filter(kind=Delegation.Kind.MEMBER_STATE, pk__in=meeting.participants.values("pk"))
        | Delegation.objects.filter(pk=meeting.ppt_id)
    )
    declaration.status = D.ADOPTED
    declaration.save(update_fields=["status"])
    # Anything still pending is moot once the text is adopted: superseded, kept.
    moot = list(
        Proposal.objects.select_for_update().filter(
            declaration=declaration,
            status__in=[Proposal.Status.SUBMITTED, Proposal.Status.NEEDS_REFIT, Proposal.Status.CONFLICTED],
        )
    )
    Proposal.objects.filter(pk__in=[p.pk for p in moot]).update(
        status=Proposal.Status.SUPERSEDED, version=F("version") + 1
    )
    proposal_events_record(
        actor=actor,
        declaration=declaration,
        changes=[(p, p.status, {"status": "superseded", "by": "adoption"}) for p in moot],
    )
    # The adopted operative paragraphs become agreed language (same transaction;
    # filed first, so that the adoption stays the record's last word).
    library_feed_adopted(adoption=adoption)
    export_jobs_restrict_to_adopted(declaration=declaration, revision_id=adoption.revision_id)
    event_record(
        verb=EventVerb.DECLARATION_ADOPTED,
        actor=actor,
        obj=adoption,
        declaration=declaration,
        before={"status": "pending"},
        after={
            "method": adoption.method,
            "revision": adoption.revision_id,
            "adopted_at": now.isoformat(),
            "place": adoption.place,
            "ppt": meeting.ppt.code,
            "present": sorted(adoption.present.values_list("code", flat=True)),
            "original_language_only": adoption.original_language_only,
        },
    )


def _language_note(declaration: Declaration, adoption: Adoption) -> dict[str, Any]:
    """For the record: which language versions are put to adoption."""
    if adoption.original_language_only:
        return {"original_language_only": True, "language": declaration.original_language}
    return {"languages": [declaration.original_language, other_language(declaration.original_language)]}


def _start(actor: User, declaration: Declaration, revision: Revision, method: str, **extra: Any) -> Adoption:
    adoption = Adoption.objects.create(
        declaration=declaration,
        revision=revision,
        method=method,
        proposed_by=actor,
        place=declaration.meeting.place,
        ppt_id=declaration.meeting.ppt_id,
        **extra,
    )
    declaration.status = D.SILENCE_PROCEDURE if method == Adoption.Method.SILENCE else D.IN_ADOPTION
    declaration.save(update_fields=["status"])
    return adoption


@transaction.atomic
def adoption_propose(
    *, actor: User, declaration: Declaration, revision_id: int, original_language_only: bool = False
) -> Adoption:
    """The PPT puts the current, fully agreed revision to adoption in session:
    in both languages, or, by its explicit choice, in the original language
    only (recorded as such)."""
    declaration, role = declaration_access(user=actor, declaration_id=declaration.pk, lock="update")
    require_ppt(role, "put the text to adoption")
    declaration_require_drafting(declaration)
    revision = _require_adoptable(declaration, revision_id, original_language_only=original_language_only)
    adoption = _start(
        actor, declaration, revision, Adoption.Method.IN_SESSION, original_language_only=original_language_only
    )
    event_record(
        verb=EventVerb.ADOPTION_PROPOSED,
        actor=actor,
        obj=adoption,
        declaration=declaration,
        after={"revision": revision.pk, "label": revision.label, **_language_note(declaration, adoption)},
    )
    return adoption


@transaction.atomic
def adoption_object(*, actor: User, declaration: Declaration, reason: str) -> AdoptionObjection:
    """A member delegation present objects to adoption in session."""
    declaration, role = declaration_access(user=actor, declaration_id=declaration.pk, lock="update")
    delegation = require_negotiator(role, "object to adoption")
    adoption = _pending(declaration, Adoption.Method.IN_SESSION)
    reason = clean_text(reason, field="reason", max_chars=settings.CONSENSO_MAX_NOTE_CHARS)
    objection, _ = AdoptionObjection.objects.update_or_create(
        adoption=adoption, delegation=delegation, defaults={"reason": reason, "author": actor}
    )
    event_record(
        verb=EventVerb.ADOPTION_OBJECTED, actor=actor, obj=objection, declaration=declaration, after={"reason": reason}
    )
    return objection


@transaction.atomic
def adoption_objection_withdraw(*, actor: User, declaration: Declaration) -> None:
    declaration, role = declaration_access(user=actor, declaration_id=declaration.pk, lock="update")
    delegation = require_negotiator(role, "withdraw an objection")
    adoption = _pending(declaration, Adoption.Method.IN_SESSION)
    objection = AdoptionObjection.objects.filter(adoption=adoption, delegation=delegation).first()
    if objection is None:
        raise Conflict(_("Your delegation has not objected to this adoption."))
    objection.delete()
    event_record(
        verb=EventVerb.ADOPTION_OBJECTION_WITHDRAWN,
        actor=actor,
        obj=adoption,
        declaration=declaration,
        before={"delegation": delegation.code},
    )


@transaction.atomic
def adoption_adopt(*, actor: User, declaration: Declaration) -> Adoption:
    """The PPT gavels: adopted, unless a member present objects."""
    declaration, role = declaration_access(user=actor, declaration_id=declaration.pk, lock="update")
    require_ppt(role, "adopt the declaration")
    adoption = _pending(declaration, Adoption.Method.IN_SESSION)
    objections = list(adoption.objections.select_related("delegation").order_by("id"))
    if objections:
        raise Conflict(
            _("No consensus to adopt: %(objections)s")
            % {
                "objections": "; ".join(
                    _("%(delegation)s objects: %(reason)s") % {"delegation": o.delegation.name_en, "reason": o.reason}
                    for o in objections
                )
            },
            extra={"objecting": [o.delegation.code for o in objections]},
        )
    _adopt(adoption, declaration, actor)
    return adoption


@transaction.atomic
def adoption_withdraw(*, actor: User, declaration: Declaration) -> Adoption:
    """The PPT takes the text back to negotiation (in session only: a silence
    procedure ends by a break or by its deadline)."""
    declaration, role = declaration_access(user=actor, declaration_id=declaration.pk, lock="update")
    require_ppt(role, "withdraw the text from adoption")
    adoption = _pending(declaration, Adoption.Method.IN_SESSION)
    adoption.status, adoption.concluded_at = Adoption.Status.WITHDRAWN, timezone.now()
    adoption.save(update_fields=["status", "concluded_at"])
    declaration.status = D.DRAFTING
    declaration.save(update_fields=["status"])
    event_record(verb=EventVerb.ADOPTION_WITHDRAWN, actor=actor, obj=adoption, declaration=declaration)
    return adoption


@transaction.atomic
def silence_launch(
    *,
    actor: User,
    declaration: Declaration,
    revision_id: int,
    deadline: datetime.datetime | None = None,
    original_language_only: bool = False,
) -> Adoption:
    """The PPT circulates the current revision under silence procedure (in
    both languages, or explicitly in the original language only)."""
    declaration, role = declaration_access(user=actor, declaration_id=declaration.pk, lock="update")
    require_ppt(role, "launch a silence procedure")
    declaration_require_drafting(declaration)
    now = timezone.now()
    if deadline is None:
        deadline = now + datetime.timedelta(hours=declaration.meeting.silence_hours)
    if timezone.is_naive(deadline):
        raise InvalidInput(
            _("Give the deadline with a time zone."), fields={"deadline": [_("e.g. 2026-05-01T18:00:00Z")]}
        )
    if deadline <= now:
        raise InvalidInput(_("The deadline must be in the future."), fields={"deadline": [_("Must be in the future.")]})
    revision = _require_adoptable(declaration, revision_id, original_language_only=original_language_only)
    adoption = _start(
        actor,
        declaration,
        revision,
        Adoption.Method.SILENCE,
        deadline=deadline,
        original_language_only=original_language_only,
    )
    event_record(
        verb=EventVerb.SILENCE_LAUNCHED,
        actor=actor,
        obj=adoption,
        declaration=declaration,
        after={
            "revision": revision.pk,
            "label": revision.label,
            "deadline": deadline.isoformat(),
            **_language_note(declaration, adoption),
        },
    )
    return adoption


@transaction.atomic
def silence_break(*, actor: User, declaration: Declaration, reason: str) -> Adoption:
    """A member delegation breaks silence before the deadline; the draft
    returns to negotiation."""
    declaration, role = declaration_access(user=actor, declaration_id=declaration.pk, lock="update")
    if role.delegation is None or not role.is_member:
        raise NotAllowed(_("Only member state delegations may break silence."))
    adoption = _pending(declaration, Adoption.Method.SILENCE)
    assert adoption.deadline is not None  # a database constraint: silence has a deadline
    if timezone.now() >= adoption.deadline:
        raise Conflict(_("The deadline has passed; silence can no longer be broken."))
    reason = clean_text(reason, field="reason", max_chars=settings.CONSENSO_MAX_NOTE_CHARS)
    AdoptionObjection.objects.create(adoption=adoption, delegation=role.delegation, author=actor, reason=reason)
    adoption.status, adoption.concluded_at = Adoption.Status.BROKEN, timezone.now()
    adoption.save(update_fields=["status", "concluded_at"])
    declaration.status = D.DRAFTING
    declaration.save(update_fields=["status"])
    event_record(
        verb=EventVerb.SILENCE_BROKEN,
        actor=actor,
        obj=adoption,
        declaration=declaration,
        before={"status": "pending"},
        after={"status": adoption.status, "reason": reason},
    )
    return adoption


@transaction.atomic
def silence_conclude(*, adoption_id: int, now: datetime.datetime | None = None) -> bool:
    """Adopt a silence procedure whose deadline passed unbroken. Safe to call
    any number of times, late, or concurrently: returns True only for the
    one call that adopted."""
    declaration_id = Adoption.objects.filter(pk=adoption_id).values_list("declaration_id", flat=True).first()
    if declaration_id is None:
        return False
    declaration = declaration_lock(declaration_id)
    adoption = Adoption.objects.select_for_update().get(pk=adoption_id)
    if adoption.status != Adoption.Status.PENDING or adoption.method != Adoption.Method.SILENCE:
        return False
    assert adoption.deadline is not None
    if (now or timezone.now()) < adoption.deadline:
        return False
    _adopt(adoption, declaration, None)
    return True


def silence_due(*, now: datetime.datetime | None = None) -> list[int]:
    """Ids of silence procedures whose deadline has passed, still pending."""
    return list(
        Adoption.objects.filter(
            status=Adoption.Status.PENDING, method=Adoption.Method.SILENCE, deadline__lte=now or timezone.now()
        ).values_list("pk", flat=True)
    )


@transaction.atomic
def statement_record(
    *, actor: User, declaration: Declaration, kind: str, text: str, paragraph_id: int | None = None
) -> Statement:
    """A member delegation puts a reservation (on a paragraph) or an
    explanation of position (on the text) on record during adoption."""
    declaration, role = declaration_access(user=actor, declaration_id=declaration.pk, lock="update")
    if role.delegation is None or not role.is_member:
        raise NotAllowed(_("Only member state delegations record reservations and explanations of position."))
    adoption = _pending(declaration)
    if kind not in Statement.Kind.values:
        raise InvalidInput(_("Unknown kind."), fields={"kind": [_("reservation or explanation.")]})
    if kind == Statement.Kind.RESERVATION:
        if (
            paragraph_id is None
            or not RevisionParagraph.objects.filter(revision=adoption.revision, paragraph_id=paragraph_id).exists()
        ):
            raise InvalidInput(
                _("A reservation concerns one paragraph of the text being adopted."),
                fields={"paragraph": [_("A paragraph of %(label)s.") % {"label": adoption.revision.label}]},
            )
    elif paragraph_id is not None:
        raise InvalidInput(
            _("An explanation of position concerns the whole text."), fields={"paragraph": [_("Leave empty.")]}
        )
    text = clean_text(text, field="text", max_chars=settings.CONSENSO_MAX_PARAGRAPH_CHARS)
    statement = Statement.objects.create(
        adoption=adoption,
        declaration=declaration,
        delegation=role.delegation,
        author=actor,
        kind=kind,
        paragraph_id=paragraph_id,
        text=text,
    )
    event_record(
        verb=EventVerb(f"statement.{kind}"),
        actor=actor,
        obj=statement,
        declaration=declaration,
        paragraph=paragraph_id,
        after={"text": text},
    )
    return statement
