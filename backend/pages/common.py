"""What every page view shares: sign-in required, domain errors shown as a
page or a message (never a 500), the meeting's time zone, and going back
to where a form was sent from."""

from __future__ import annotations

import contextlib
import functools
import zoneinfo
from collections.abc import Callable, Iterator
from typing import Any, TypeVar, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from drafting.errors import Conflict, DomainError, InvalidInput, NotAllowed, NotFound
from drafting.models import Meeting

View = TypeVar("View", bound=Callable[..., HttpResponse])


def user_of(request: HttpRequest) -> User:
    """The signed-in user (the decorators below let no one else through)."""
    return cast(User, request.user)


def refused(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "pages/refused.html", {"message": message}, status=403)


def page(view: View) -> View:
    """A page: sign-in required; an unknown object is a 404 page, a refusal a
    403 page with the service's reason."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except NotAllowed as exc:
            return refused(request, exc.message)

    return cast(View, login_required(wrapper))


def explain(exc: DomainError) -> str:
    """A refusal as one sentence for a person, with the fields' own messages.

    Only the messages, in the reader's language: the fields' names are the
    API's English keys (``sections[0].kind``), not words a person reads, and
    a message that repeats the refusal's own is not said twice."""
    heading = {
        InvalidInput: _("That could not be done"),
        Conflict: _("That could not be done now"),
    }.get(type(exc), _("Refused"))
    said = exc.message
    details = list(dict.fromkeys(m for msgs in exc.fields.values() for m in msgs if m and m != said))
    return f"{heading}: {said}" + (f" ({'; '.join(details)})" if details else "")


def back(request: HttpRequest, fallback: str, anchor: str = "") -> HttpResponseRedirect:
    """Back to the page the form came from (``next``), on this site only."""
    target = request.POST.get("next") or fallback
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = fallback
    return HttpResponseRedirect(target.split("#")[0] + (f"#{anchor}" if anchor else ""))


def action(view: View) -> View:
    """A form's POST (CSRF-checked by the middleware): the service's refusal
    becomes a message on the page it came from (Post/Redirect/Get), a
    permission refusal a 403 page."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except NotAllowed as exc:
            return refused(request, exc.message)
        except (InvalidInput, Conflict) as exc:
            messages.error(request, explain(exc))
            return back(request, "/")

    return cast(View, login_required(require_POST(wrapper)))


def meeting_zone(meeting: Meeting) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(meeting.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


@contextlib.contextmanager
def in_meeting_time(meeting: Meeting) -> Iterator[None]:
    """Render times in the meeting's own time zone."""
    with timezone.override(meeting_zone(meeting)):
        yield


def render_meeting(
    request: HttpRequest, template: str, context: dict[str, Any], meeting: Meeting, status: int = 200
) -> HttpResponse:
    with in_meeting_time(meeting):  # render() renders now, inside the override
        return render(request, template, {**context, "meeting": meeting, "zone": meeting_zone(meeting)}, status=status)


def int_or_none(value: str | None) -> int | None:
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if 0 < number < 2**63 else None


def require_int(value: str | None, field: str) -> int:
    number = int_or_none(value)
    if number is None:
        raise InvalidInput(_("Choose a valid item."), fields={field: [_("Missing or not a number.")]})
    return number
