"""Live updates by polling: the fall-back where there is no event stream
(backend/pages/stream.py, chosen by measurement: bench/RESULTS.md, "Live:
server-sent events"). Pages poll when served by WSGI (``dev.py serve``'s
runserver on the embedded default, gunicorn) or without Redis, or when their
browser cannot open the stream.

Every such page asks, about every 0.7 s, "has anything in this meeting
changed?" with ``If-None-Match``; the answer is almost always an empty
``304``. When it is a ``200`` with a new ETag, ``static/pages/live.js``
fetches the changed paragraphs (or reloads the page's live region; forms
being typed in are preserved, see base.html).

The ETag is the sum of the meeting's declarations' ``version`` counters,
which every service bumps in the same transaction as its change; so the
database is the fan-out, and any number of web processes answer correctly
with nothing shared in memory. A poll touches neither the session nor the
database: the page carries a signed ticket, each process re-reads the
meeting's ETag at most every 200 ms, and the request log names the ticket's
user instead of loading it (0.38 ms of CPU per 304 in process, was 2.6 ms with
the two queries). What polling cannot avoid, and why the stream exists: each
change costs every page a second, fully authorised request (~11 ms of CPU,
8 queries); at 200 pages that saturates two cores (p95 several seconds).
"""

from __future__ import annotations

import threading
import time

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.core import signing
from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from drafting.models import Declaration, Meeting

SALT = "consenso.pages.live"
TICKET_MAX_AGE = 12 * 3600  # a conference day; the page is reloaded long before


def meeting_etag(meeting: Meeting | int) -> str:
    """Changes whenever anything a reader sees in the meeting changes
    (versions only ever grow; a new declaration adds to the count)."""
    pk = meeting if isinstance(meeting, int) else meeting.pk
    row = Declaration.objects.filter(meeting_id=pk).aggregate(n=Count("id"), v=Sum("version"))
    return f'"m{pk}-{row["n"]}-{row["v"] or 0}"'


def ticket(user: User | AnonymousUser, meeting: Meeting) -> str:
    """Signed when the page was rendered for a reader of the meeting: lets the
    page ask "changed?" without a session or role lookup per poll. It tells
    only *that* something changed; every content request is authorised in full."""
    return signing.dumps({"u": user.pk, "m": meeting.pk}, salt=SALT, compress=False)


_ETAGS: dict[int, tuple[float, str]] = {}
_ETAGS_LOCK = threading.Lock()


def _etag_now(meeting_id: int) -> str:
    """The meeting's ETag, read from the database at most every
    CONSENSO_LIVE_CACHE_MS per web process: 200 pages polling cost a few
    reads a second, not 300. Any process sees a change within that time, since
    the database is what every process reads (the fan-out)."""
    now = time.monotonic()
    with _ETAGS_LOCK:
        cached = _ETAGS.get(meeting_id)
    if cached is not None and cached[0] > now:
        return cached[1]
    etag = meeting_etag(meeting_id)
    with _ETAGS_LOCK:
        _ETAGS[meeting_id] = (now + settings.CONSENSO_LIVE_CACHE_MS / 1000, etag)
    return etag


@never_cache
@require_GET
def meeting_changes(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        data = signing.loads(request.GET.get("t", ""), salt=SALT, max_age=TICKET_MAX_AGE)
    except signing.BadSignature:  # also SignatureExpired
        return JsonResponse({"error": "forbidden", "detail": "Reload the page."}, status=403)
    if not isinstance(data, dict) or data.get("m") != pk:
        return JsonResponse({"error": "forbidden", "detail": "Reload the page."}, status=403)
    # the request log names the ticket's user: resolving request.user would read
    # the session and the user (2 queries per poll, measured in bench/profile_live.py)
    request.log_user = f"#{data.get('u')}"  # type: ignore[attr-defined]
    etag = _etag_now(pk)
    if etag in request.headers.get("If-None-Match", ""):
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = JsonResponse({"etag": etag})
    response["ETag"] = etag
    return response
