"""Live updates: every open page asks, about every 0.7 s, "has anything in
this meeting changed?" with ``If-None-Match``; the answer is almost always
an empty ``304``. When it is a ``200`` with a new ETag, the page's
``static/pages/live.js`` fires ``consenso:changed`` and htmx refetches the
page's live region (forms being typed in are preserved, see base.html).

Why polling and not server-sent events (measured in bench/RESULTS.md):
the ETag is the sum of the meeting's declarations' ``version`` counters,
which every service bumps in the same transaction as its change; so the
database is the fan-out, and any number of web processes (WSGI, stateless,
behind any proxy) answer correctly with nothing in memory. SSE would hold
one connection open per page in an ASGI server and still need a
Redis/PostgreSQL channel between processes; a 304 costs a few indexed
reads. One request at a time per page (never two in flight).
"""

from __future__ import annotations

from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from drafting import selectors
from drafting.errors import NotAllowed, NotFound
from drafting.models import Declaration, Meeting


def meeting_etag(meeting: Meeting) -> str:
    """Changes whenever anything a reader sees in the meeting changes
    (versions only ever grow; a new declaration adds to the count)."""
    row = Declaration.objects.filter(meeting=meeting).aggregate(n=Count("id"), v=Sum("version"))
    return f'"m{meeting.pk}-{row["n"]}-{row["v"] or 0}"'


@never_cache
@require_GET
def meeting_changes(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return JsonResponse({"error": "forbidden", "detail": "Sign in again."}, status=403)
    try:
        meeting, _ = selectors.meeting_get(user=request.user, meeting_id=pk)
    except NotFound as exc:
        return JsonResponse({"error": "not_found", "detail": exc.message}, status=404)
    except NotAllowed as exc:
        return JsonResponse({"error": "forbidden", "detail": exc.message}, status=403)
    etag = meeting_etag(meeting)
    if etag in request.headers.get("If-None-Match", ""):
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = JsonResponse({"etag": etag})
    response["ETag"] = etag
    return response
