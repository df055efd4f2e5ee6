"""The chair's console (PPT): the queue of proposals paragraph by paragraph,
accept or reject with the version the console showed, the transitions the
state machine allows from each state, "now discussing", agreeing every
uncontested paragraph in one step, issuing Rev.n, and adoption in session
or under silence (the deadline entered in the meeting's time zone)."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from backend.pages import labels
from backend.pages.common import action, back, int_or_none, meeting_zone, page, render_meeting, user_of
from backend.pages.drafts import paragraph_label_of, proposal_name
from backend.pages.room import live_context, text_context
from drafting import selectors, services
from drafting.access import require_ppt
from drafting.errors import Conflict, InvalidInput
from drafting.models import Event
from drafting.services.discussion import discussion_set
from drafting.services.paragraphs import paragraphs_agree_uncontested, uncontested_paragraphs

# What changed a proposal, in words for the chair (the last event on it).
CHANGES = {
    "proposal.supported": gettext_noop("%(who)s supported it"),
    "proposal.objected": gettext_noop("%(who)s objected to it"),
    "position.withdrawn": gettext_noop("%(who)s withdrew its position"),
    "proposal.withdrawn": gettext_noop("%(who)s withdrew it"),
    "proposal.superseded": gettext_noop("another proposal on the paragraph was accepted"),
}


def _console_url(declaration_id: int) -> str:
    return reverse("pages:chair", args=[declaration_id])


@page
def console(request: HttpRequest, pk: int) -> HttpResponse:
    declaration, role = selectors.declaration_get(user=request.user, declaration_id=pk)
    require_ppt(role, "use the chair's console")
    context = text_context(request, declaration, role, console=True)
    current = declaration.revisions.order_by("-number").first()
    return render_meeting(
        request,
        "pages/chair.html",
        {
            **context,
            "current_revision": current,
            "uncontested": uncontested_paragraphs(declaration=declaration).count(),
            # the queue at a glance (and, on a phone, a way to jump to each item)
            "queue": [p for p in context["paragraphs"] if any(i["status"] == "submitted" for i in p["proposals"])],
            **live_context(request, declaration.meeting),
        },
        declaration.meeting,
    )


def _what_changed(proposal_id: int) -> str:
    last = Event.objects.filter(proposal_id=proposal_id).select_related("delegation").order_by("-id").first()
    if last is None or last.verb not in CHANGES:
        return _("it changed")
    who = last.delegation.code if last.delegation else "?"
    return _(CHANGES[last.verb]) % {"who": who}


@action
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.proposal_get(user=request.user, proposal_id=pk)
    decision = request.POST.get("decision", "")
    version = int_or_none(request.POST.get("version")) or 0
    name = proposal_name(proposal)  # before the decision: an accepted insertion renumbers
    try:
        services.proposal_decide(
            actor=user_of(request),
            proposal=proposal,
            decision=decision,
            version=version,
            note=request.POST.get("note", ""),
            original_text=request.POST.get("original_text", ""),
        )
    except Conflict as exc:
        if "current_version" not in exc.extra:
            raise
        # Not a bare 409: say what moved, and leave the decision to the chair.
        messages.warning(
            request,
            _("Not decided: %(name)s changed since your console showed it (%(what)s). Look at it again, then decide.")
            % {"name": name, "what": _what_changed(pk)},
        )
        return back(request, _console_url(proposal.declaration_id), f"p{proposal.paragraph_id}")
    done = _("%(name)s accepted.") if decision == "accept" else _("%(name)s rejected.")
    messages.success(request, done % {"name": name})
    return back(request, _console_url(proposal.declaration_id), f"p{proposal.paragraph_id}")


@action
def act(request: HttpRequest, pk: int) -> HttpResponse:
    name = request.POST.get("action", "")
    paragraph = services.paragraph_act(
        actor=user_of(request),
        paragraph=pk,
        action=name,
        ad_ref_delegation=request.POST.get("delegation") or None,
        note=request.POST.get("note", ""),
    )
    messages.success(request, _("Done: %(action)s.") % {"action": labels.ACTIONS.get(name, name)})
    return back(request, _console_url(paragraph.declaration_id), f"p{pk}")


@action
def bracket(request: HttpRequest, pk: int) -> HttpResponse:
    """Bracket the words the chair selected (or typed), or offer the chosen
    pending proposals as the paragraph's options; the rest is kept."""
    offering = request.POST.get("options") == "1"
    chosen = [int_or_none(v) for v in request.POST.getlist("alternative")]
    paragraph = services.paragraph_bracket(
        actor=user_of(request),
        paragraph=pk,
        words=None if offering else request.POST.get("words", ""),
        start=int_or_none(request.POST.get("start")) if not offering else None,
        alternatives=[c for c in chosen if c is not None] if offering else None,
    )
    messages.success(
        request,
        _("%(label)s is bracketed: %(spans)s span(s), %(options)s option(s).")
        % {
            "label": paragraph_label_of(paragraph),
            "spans": len(paragraph.brackets),
            "options": len(paragraph.alternatives),
        },
    )
    return back(request, _console_url(paragraph.declaration_id), f"p{pk}")


@action
def discuss(request: HttpRequest, pk: int) -> HttpResponse:
    declaration, _role = selectors.declaration_get(user=request.user, declaration_id=pk)
    paragraph_id = int_or_none(request.POST.get("paragraph"))
    discussion_set(actor=user_of(request), declaration=declaration, paragraph_id=paragraph_id)
    return back(request, _console_url(pk), f"p{paragraph_id}" if paragraph_id else "")


@action
def agree_uncontested(request: HttpRequest, pk: int) -> HttpResponse:
    declaration, _role = selectors.declaration_get(user=request.user, declaration_id=pk)
    agreed = paragraphs_agree_uncontested(actor=user_of(request), declaration=declaration)
    messages.success(request, _("%(n)s paragraphs agreed.") % {"n": len(agreed)})
    return back(request, _console_url(pk))


@action
def issue(request: HttpRequest, pk: int) -> HttpResponse:
    declaration, _role = selectors.declaration_get(user=request.user, declaration_id=pk)
    revision = services.revision_issue_from_working_text(
        actor=user_of(request), declaration=declaration, note=request.POST.get("note", "")
    )
    messages.success(request, _("%(label)s is issued.") % {"label": labels.revision_label(revision.label)})
    return back(request, _console_url(pk))


def deadline_in(zone: datetime.tzinfo, raw: str) -> datetime.datetime | None:
    """A deadline typed as local time at the meeting (``2026-05-01T18:00``)."""
    if not raw:
        return None
    try:
        naive = datetime.datetime.fromisoformat(raw)
    except ValueError as exc:
        raise InvalidInput(
            _("The deadline is not a date and time."), fields={"deadline": [_("e.g. 2026-05-01 18:00")]}
        ) from exc
    if naive.tzinfo is not None:
        return naive
    return timezone.make_aware(naive, zone)


def translations_behind(exc: Conflict) -> str | None:
    """A refusal to adopt because the other language's version is missing or
    stale (issue 15), told in the reader's language with the paragraphs'
    labels; None for any other refusal."""
    missing, stale = exc.extra.get("translation_missing"), exc.extra.get("translation_stale")
    if missing is None and stale is None:
        return None
    parts = []
    if missing:
        parts.append(_("translation missing: %(labels)s") % {"labels": ", ".join(missing)})
    if stale:
        parts.append(_("translation out of date: %(labels)s") % {"labels": ", ".join(stale)})
    return _(
        "Both language versions must be current before adoption (%(paragraphs)s). Update them, "
        "or adopt in the original language only."
    ) % {"paragraphs": "; ".join(parts)}


@action
def adoption_start(request: HttpRequest, pk: int) -> HttpResponse:
    declaration, _role = selectors.declaration_get(user=request.user, declaration_id=pk)
    current = declaration.revisions.order_by("-number").first()
    revision_id = int_or_none(request.POST.get("revision")) or (current.pk if current else 0)
    # Only the PPT's explicit choice adopts in the original language only.
    original_only = request.POST.get("original_language_only", "") in ("1", "on", "true")
    try:
        if request.POST.get("method") == "silence":
            services.silence_launch(
                actor=user_of(request),
                declaration=declaration,
                revision_id=revision_id,
                deadline=deadline_in(meeting_zone(declaration.meeting), request.POST.get("deadline", "")),
                original_language_only=original_only,
            )
            messages.success(request, _("The text is under silence procedure."))
        else:
            services.adoption_propose(
                actor=user_of(request),
                declaration=declaration,
                revision_id=revision_id,
                original_language_only=original_only,
            )
            messages.success(request, _("The text is before the room for adoption."))
    except Conflict as exc:
        told = translations_behind(exc)
        if told is None:
            raise
        messages.error(request, told)
    return back(request, _console_url(pk))


@action
def adoption_adopt(request: HttpRequest, pk: int) -> HttpResponse:
    declaration, _role = selectors.declaration_get(user=request.user, declaration_id=pk)
    services.adoption_adopt(actor=user_of(request), declaration=declaration)
    messages.success(request, _("Adopted."))
    return back(request, _console_url(pk))


@action
def adoption_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    declaration, _role = selectors.declaration_get(user=request.user, declaration_id=pk)
    services.adoption_withdraw(actor=user_of(request), declaration=declaration)
    messages.success(request, _("The text is back in negotiation."))
    return back(request, _console_url(pk))
