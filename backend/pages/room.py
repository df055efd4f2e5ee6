"""Pages that read: the meetings, a meeting's home, the text, two revisions
compared, and the projection screen."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from backend.pages import fragments, labels, present
from backend.pages.common import int_or_none, page, render_meeting
from backend.pages.live import meeting_etag, ticket
from drafting import selectors
from drafting.access import Role
from drafting.errors import InvalidInput
from drafting.models import Declaration, Meeting


def live_context(request: HttpRequest, meeting: Meeting) -> dict[str, Any]:
    """What live.js needs: where to poll (with the signed ticket) and the ETag the page shows."""
    return {
        "live_url": f"/live/meetings/{meeting.pk}/?t={ticket(request.user, meeting)}",
        "live_etag": meeting_etag(meeting),
        "poll_ms": settings.CONSENSO_LIVE_POLL_MS,
    }


def summary(declaration: Declaration, discussing_label: str | None) -> dict[str, Any]:
    """The declaration's standing: status, adoption (with the silence
    deadline, shown in the meeting's time zone) and what is under discussion."""
    adoption = selectors.adoption_current(declaration=declaration)
    pending = adoption is not None and adoption["status"] == "pending"
    return {
        "d": declaration,
        "status_label": labels.DECLARATION_STATUSES.get(declaration.status, declaration.status),
        "adoption": adoption,
        "adoption_status_label": labels.ADOPTION_STATUSES.get(adoption["status"], "") if adoption else "",
        "adoption_method_label": labels.ADOPTION_METHODS.get(adoption["method"], "") if adoption else "",
        "deadline": (
            declaration.adoptions.filter(status="pending").values_list("deadline", flat=True).first()
            if pending
            else None
        ),
        "discussing": discussing_label,
    }


def _discussing(declaration: Declaration, text: dict[str, Any]) -> dict[str, Any] | None:
    return next(
        (p for s in text["sections"] for p in s["paragraphs"] if p["paragraph"] == declaration.discussing_id), None
    )


@page
def home(request: HttpRequest) -> HttpResponse:
    meetings = list(selectors.meeting_list(user=request.user))
    if len(meetings) == 1:
        return redirect("pages:meeting", pk=meetings[0].pk)
    return render(request, "pages/meetings.html", {"meetings": meetings})


def _with_discussing(declaration: Declaration) -> dict[str, Any]:
    label = None
    if declaration.discussing_id is not None:
        found = _discussing(declaration, present.working_text(declaration))
        label = found["label"] if found else None
    return summary(declaration, label)


@page
def meeting(request: HttpRequest, pk: int) -> HttpResponse:
    meeting, role = selectors.meeting_get(user=request.user, meeting_id=pk)
    declarations = selectors.declaration_list(user=request.user).filter(meeting=meeting).order_by("id")
    return render_meeting(
        request,
        "pages/meeting.html",
        {"role": role, "declarations": [_with_discussing(d) for d in declarations], **live_context(request, meeting)},
        meeting,
    )


def text_context(
    request: HttpRequest,
    declaration: Declaration,
    role: Role,
    *,
    console: bool = False,
    screen: bool = False,
    only: set[int] | None = None,
) -> dict[str, Any]:
    """What the text page and the chair's console both show."""
    text = present.working_text(declaration)
    drafting = declaration.status == Declaration.Status.DRAFTING
    show = request.GET.get("show", "all")
    show = show if show in present.FILTERS else "all"
    if screen:  # the screen shows the paragraph under discussion only
        text = {
            **text,
            "sections": [
                {**s, "paragraphs": [p for p in s["paragraphs"] if p["paragraph"] == declaration.discussing_id]}
                for s in text["sections"]
            ],
        }
    paragraphs = present.working_paragraphs(text, role=role, show=show, drafting=drafting, only=only)
    discussing = _discussing(declaration, text)
    viewer = fragments.Viewer(
        delegation=role.delegation.code if role.delegation else None,
        may_negotiate=role.can_negotiate and drafting,
        console=console,
        drafting=drafting,
        declaration_id=declaration.pk,
        revision_id=text["revision"]["id"] if text["revision"] else None,
        discussing_id=declaration.discussing_id,
        csrf_token=get_token(request),
        here=request.path if only is not None else request.get_full_path(),
        members=tuple(
            declaration.meeting.participants.filter(kind="member_state").order_by("code").values_list("code", flat=True)
        )
        if console
        else (),
    )
    return {
        "declaration": declaration,
        # a live patch shows paragraphs only: no standing to read
        "summary": None if only is not None else summary(declaration, discussing["label"] if discussing else None),
        "role": role,
        "text": text,
        "paragraphs": paragraphs,
        "show": show,
        "filters": list(FILTER_LABELS.items()),
        "drafting": drafting,
        "may_negotiate": role.can_negotiate and drafting,
        "discussing": discussing,
        "poll_ms": settings.CONSENSO_LIVE_POLL_MS,
        # escaped piece by piece in fragments.py
        "paragraphs_html": "" if screen else mark_safe(fragments.paragraphs(paragraphs, viewer, oob=only is not None)),
    }


FILTER_LABELS = {
    "all": _("All paragraphs"),
    "proposals": _("With proposals"),
    "objections": _("With objections"),
    "mine": _("Mine"),
}


@page
def text(request: HttpRequest, pk: int) -> HttpResponse:
    after = selectors.declaration_last_event(declaration_id=pk)  # before the text: see the selector
    declaration, role = selectors.declaration_get(user=request.user, declaration_id=pk)
    since = int_or_none(request.GET.get("changed_since"))
    if since is not None and request.headers.get("HX-Request"):
        return _text_patch(request, declaration, role, since)
    context = {**text_context(request, declaration, role), "after": after}
    return render_meeting(
        request, "pages/text.html", {**context, **live_context(request, declaration.meeting)}, declaration.meeting
    )


def _text_patch(request: HttpRequest, declaration: Declaration, role: Role, since: int) -> HttpResponse:
    """Live update of the text page: only the paragraphs changed since the
    event the page shows (out-of-band swaps, forms being typed in preserved),
    or, when more than single paragraphs changed, a signal to reload the
    whole live region. 200 open pages then re-render one paragraph each
    per change, not the whole text (bench/RESULTS.md)."""
    last, changed = selectors.paragraphs_changed_since(declaration=declaration, event_id=since)
    full = HttpResponse("")
    full["HX-Trigger"] = "consenso:changed"
    if changed is None or request.GET.get("show", "all") != "all":
        return full
    context = text_context(request, declaration, role, only=changed)
    if {p["paragraph"] for p in context["paragraphs"]} != changed:  # one was inserted or removed meanwhile
        return full
    return HttpResponse(
        str(context["paragraphs_html"])
        + f'<span id="live-after" data-after="{last}" hidden hx-swap-oob="outerHTML"></span>'
    )


@page
def compare(request: HttpRequest, pk: int) -> HttpResponse:
    declaration, role = selectors.declaration_get(user=request.user, declaration_id=pk)
    revisions = list(declaration.revisions.order_by("number"))
    by_id = {r.pk: r for r in revisions}
    new = by_id.get(int_or_none(request.GET.get("to")) or 0, revisions[-1] if revisions else None)
    older = [r for r in revisions if new is not None and r.number < new.number]
    old = by_id.get(int_or_none(request.GET.get("from")) or 0, older[-1] if older else new)
    result = None
    if old is not None and new is not None:
        try:
            result = selectors.revision_compare(declaration=declaration, old=old, new=new)
            for entry in result["paragraphs"]:
                entry["status_label"] = labels.CHANGES.get(entry["status"], entry["status"])
        except InvalidInput:
            result = None
    return render_meeting(
        request,
        "pages/compare.html",
        {"declaration": declaration, "role": role, "revisions": revisions, "old": old, "new": new, "result": result},
        declaration.meeting,
    )


@page
def screen(request: HttpRequest, pk: int) -> HttpResponse:
    """The projection screen: the paragraph under discussion, large, with its
    proposals as redlines and who supports or objects; no controls."""
    declaration, role = selectors.declaration_get(user=request.user, declaration_id=pk)
    context = text_context(request, declaration, role, screen=True)
    current = next((p for p in context["paragraphs"] if p["paragraph"] == declaration.discussing_id), None)
    return render_meeting(
        request,
        "pages/screen.html",
        {**context, "current": current, **live_context(request, declaration.meeting)},
        declaration.meeting,
    )
