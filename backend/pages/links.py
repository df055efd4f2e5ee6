"""One-time sign-in links in the pages: the Secretariat makes one for a
delegate of its meeting (shown once, to print or send) or revokes it; the
delegate opens it, confirms, and lands signed in on the meeting's home.

Opening the link only asks "sign in as …?": the sign-in is a POST, so a
mail or chat program that fetches links to preview them cannot use it up.
A link that does not work counts as a failed sign-in from that address
(django-axes, as the password form does), so guessing is paused alike.
"""

from __future__ import annotations

from axes.handlers.proxy import AxesProxyHandler
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from backend.api.auth import lockout_seconds
from backend.pages.common import action, back, render_meeting, user_of
from drafting import selectors
from drafting.errors import NotAllowed
from drafting.services import sign_in_links

# What the lockout counts a link's failures under (with the address): no username is typed.
LINK_CREDENTIALS = {"username": "(sign-in link)"}


@action
def link_create(request: HttpRequest, pk: int, user_id: int) -> HttpResponse:
    meeting, _role = selectors.meeting_get(user=request.user, meeting_id=pk)
    link, secret = sign_in_links.sign_in_link_create(actor=user_of(request), meeting=meeting, user_id=user_id)
    address = request.build_absolute_uri(reverse("pages:link-sign-in", args=[secret]))
    response = render_meeting(request, "pages/link_sheet.html", {"link": link, "address": address}, meeting)
    response["Cache-Control"] = "no-store"  # the secret is shown once
    return response


@action
def link_revoke(request: HttpRequest, pk: int, link_id: int) -> HttpResponse:
    meeting, _role = selectors.meeting_get(user=request.user, meeting_id=pk)
    link = sign_in_links.sign_in_link_revoke(actor=user_of(request), meeting=meeting, link_id=link_id)
    messages.success(request, _("The sign-in link for %(user)s is revoked.") % {"user": link.user.username})
    return back(request, reverse("pages:desk", args=[pk]))


def _refused(request: HttpRequest, status: int, message: str) -> HttpResponse:
    response = render(request, "pages/link_sign_in.html", {"refused": message}, status=status)
    response["Cache-Control"] = "no-store"
    return response


@never_cache
def link_sign_in(request: HttpRequest, secret: str) -> HttpResponse:
    """GET: whose link this is, and a button; POST: sign in (once)."""
    if not AxesProxyHandler.is_allowed(request, LINK_CREDENTIALS):
        response = _refused(
            request,
            429,
            _("Too many sign-in links that do not work came from this address; wait %(minutes)s minutes.")
            % {"minutes": lockout_seconds() // 60},
        )
        response["Retry-After"] = str(lockout_seconds())
        return response
    try:
        if request.method != "POST":
            link = sign_in_links.sign_in_link_peek(secret=secret)
            return render(request, "pages/link_sign_in.html", {"link": link, "meeting": link.meeting})
        link = sign_in_links.sign_in_link_use(secret=secret)
    except NotAllowed:
        user_login_failed.send(sender=__name__, credentials=LINK_CREDENTIALS, request=request)
        # This page answers a paused address itself (above), in the reader's
        # language; axes' middleware would put its own text answer instead.
        request.axes_locked_out = False  # type: ignore[attr-defined]
        return _refused(
            request,
            410,
            _(
                "This sign-in link does not work: it was used, replaced, revoked or has expired. "
                "Ask the Technical Secretariat for a new one."
            ),
        )
    login(request, link.user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(request, _("Welcome, %(user)s. You are signed in.") % {"user": link.user.username})
    return redirect("pages:meeting", pk=link.meeting_id)
