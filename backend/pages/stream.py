"""The live room's event streams: one server-sent-events connection per open
page, served by an ASGI server (uvicorn), carrying the change itself.

How a change travels (measured in bench/RESULTS.md, "Live: server-sent
events"):

1. A service commits and ``services.locks.declaration_touch`` publishes a
   notice on Redis pub/sub (``drafting/live.py``), whichever process wrote.
2. Every web process holds ONE subscription and, per process, a :class:`Hub`
   of the pages it serves. On a notice it reads the meeting's version once;
   for each text page (filter "all") it reads the events since the one the
   page shows once per group, and renders the changed paragraphs ONCE per kind
   of reader (delegation, rights, language) with a placeholder for the CSRF
   token, which is put in per page. Other pages (meeting home, console,
   screen, filtered text) get a ``changed`` event and reload their live region.
3. The page swaps the paragraphs in with htmx (out-of-band, forms being typed
   in preserved): no second request.

Why (bench/profile_live.py): polling's partial update cost each page a full
request (session, user, role, events, text: ~10 queries) per change; 200
pages × 0.7 changes/s saturated two cores. Here a change costs each process a
few queries and one render per kind of reader, and each page a socket write.

Also: heartbeats (a comment every ``CONSENSO_LIVE_HEARTBEAT_S``) and
``X-Accel-Buffering: no`` so that proxies pass events at once; every event has
an id (the last event or the version), so a reconnecting ``EventSource``
resumes with ``Last-Event-ID`` and is sent what it missed; a stream ends after
``CONSENSO_LIVE_STREAM_MAX_S`` (the browser reconnects, and is authorised
again: a deactivated account stops receiving); each process re-reads its
meetings' versions every ``CONSENSO_LIVE_RECHECK_S`` in case a notice was lost
(Redis restarting). Without Redis or under WSGI (``dev.py serve``'s
runserver), pages poll instead (backend/pages/live.py): the view answers 204,
which tells ``EventSource`` not to retry.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
from collections import defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.core.handlers.asgi import ASGIRequest
from django.db import close_old_connections, connections
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from backend.pages.common import int_or_none
from backend.pages.live import meeting_etag
from drafting import live, selectors
from drafting.access import Role
from drafting.errors import NotAllowed, NotFound
from drafting.models import Declaration

log = logging.getLogger(__name__)

CSRF_MARK = "\x00csrf\x00"  # in the shared rendering; each page's own token replaces it


def available(request: HttpRequest) -> bool:
    """Pages use the stream when a channel joins the web processes (Redis)
    and this server speaks ASGI (a WSGI worker would hold a thread per page)."""
    return settings.CONSENSO_LIVE_STREAM and live.enabled() and isinstance(request, ASGIRequest)


def sse(event: str, event_id: str, data: str) -> str:
    lines = "".join(f"data: {line}\n" for line in data.split("\n"))
    return f"event: {event}\nid: {event_id}\n{lines}\n"


@dataclass(eq=False)
class Listener:
    """One open page."""

    meeting_id: int
    declaration_id: int | None  # a text page showing every paragraph: sent patches
    role: Role | None
    language: str
    csrf_token: str
    here: str
    after: int  # the last event the page shows (text pages)
    etag: str  # the meeting version the page shows
    queue: asyncio.Queue[str] = field(default_factory=lambda: asyncio.Queue(maxsize=64))

    def send(self, message: str) -> None:
        try:
            self.queue.put_nowait(message)
        except asyncio.QueueFull:  # a page that stopped reading: reload it once it reads again
            while not self.queue.empty():
                self.queue.get_nowait()
            self.queue.put_nowait(sse("changed", self.etag, "full"))


def _reader_key(listener: Listener) -> tuple[Any, ...]:
    role = listener.role
    assert role is not None
    return (role.delegation.code if role.delegation else None, role.can_negotiate, listener.language, listener.here)


def refresh(meeting_id: int, listeners: list[Listener]) -> list[tuple[Listener, str]]:
    """What each stale page is sent (runs in a worker thread: database reads).
    A few queries per meeting, then one render per kind of reader."""
    etag = meeting_etag(meeting_id)
    out: list[tuple[Listener, str]] = []
    groups: dict[tuple[int, int], list[Listener]] = defaultdict(list)
    for listener in listeners:
        if listener.etag == etag:
            continue
        listener.etag = etag
        if listener.declaration_id is None:
            out.append((listener, sse("changed", etag, "full")))
        else:
            groups[(listener.declaration_id, listener.after)].append(listener)
    declarations: dict[int, Declaration] = {}
    for (declaration_id, after), group in groups.items():
        if declaration_id not in declarations:
            declarations[declaration_id] = Declaration.objects.select_related("meeting").get(pk=declaration_id)
        declaration = declarations[declaration_id]
        last, changed = selectors.paragraphs_changed_since(declaration=declaration, event_id=after)
        rendered: dict[tuple[Any, ...], str | None] = {}
        for listener in group:
            listener.after = last
            if changed is not None and not changed:
                continue  # nothing the text shows (the version moved without an event)
            key = _reader_key(listener)
            if key not in rendered:
                assert listener.role is not None
                with translation.override(listener.language):
                    rendered[key] = room_patch(declaration, listener.role, changed, last, listener.here)
            html = rendered[key]
            if html is None:
                out.append((listener, sse("changed", str(last), "full")))
            else:
                out.append((listener, sse("patch", str(last), html.replace(CSRF_MARK, listener.csrf_token))))
    return out


def room_patch(declaration: Declaration, role: Role, changed: set[int] | None, last: int, here: str) -> str | None:
    from backend.pages.room import text_patch_html  # room imports this module's `available`

    return text_patch_html(declaration, role, changed, last, csrf_token=CSRF_MARK, here=here)


def _refresh_in_thread(meeting_id: int, listeners: list[Listener]) -> list[tuple[Listener, str]]:
    # the hub's thread lives as long as the process: drop a connection the
    # database closed (a restart) as a request would
    close_old_connections()
    return refresh(meeting_id, listeners)


class Hub:
    """The pages one web process holds open, by meeting, and its one
    subscription to the change notices. Changes are handled one meeting at a
    time by one task, so a burst of notices costs one refresh, not one each."""

    def __init__(self) -> None:
        self.listeners: dict[int, set[Listener]] = defaultdict(set)
        self.dirty: set[int] = set()
        self.wake: asyncio.Event | None = None
        self.tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        if self.tasks and not any(t.done() for t in self.tasks):
            return
        for task in self.tasks:
            task.cancel()
        self.wake = asyncio.Event()
        self.tasks = [asyncio.create_task(job()) for job in (self._subscribe, self._work, self._recheck)]

    def add(self, listener: Listener) -> None:
        self.start()
        self.listeners[listener.meeting_id].add(listener)
        self.mark(listener.meeting_id)  # anything since the page was rendered (or since Last-Event-ID)

    def remove(self, listener: Listener) -> None:
        group = self.listeners.get(listener.meeting_id)
        if group is not None:
            group.discard(listener)
            if not group:
                del self.listeners[listener.meeting_id]

    def mark(self, meeting_id: int) -> None:
        self.dirty.add(meeting_id)
        if self.wake is not None:
            self.wake.set()

    async def _subscribe(self) -> None:
        import redis.asyncio

        while True:
            client = redis.asyncio.Redis.from_url(settings.REDIS_URL)
            try:
                async with client.pubsub() as pubsub:
                    await pubsub.subscribe(live.channel())
                    async for message in pubsub.listen():
                        if message["type"] == "subscribe":
                            for meeting_id in list(self.listeners):  # notices may have been missed meanwhile
                                self.mark(meeting_id)
                        elif message["type"] == "message":
                            meeting_id = int(json.loads(message["data"])["m"])
                            if meeting_id in self.listeners:
                                self.mark(meeting_id)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("live: the Redis subscription dropped; retrying in 1 s", exc_info=True)
                await asyncio.sleep(1)
            finally:
                with contextlib.suppress(Exception):
                    await client.aclose()

    async def _recheck(self) -> None:
        while True:
            await asyncio.sleep(settings.CONSENSO_LIVE_RECHECK_S)
            for meeting_id in list(self.listeners):
                self.mark(meeting_id)

    async def _work(self) -> None:
        assert self.wake is not None
        while True:
            await self.wake.wait()
            self.wake.clear()
            dirty, self.dirty = self.dirty, set()
            for meeting_id in dirty:
                listeners = list(self.listeners.get(meeting_id, ()))
                if not listeners:
                    continue
                try:
                    messages = await sync_to_async(_refresh_in_thread)(meeting_id, listeners)
                except Exception:
                    log.exception("live: refreshing meeting %s failed", meeting_id)
                    continue
                for listener, message in messages:
                    listener.send(message)


HUB = Hub()


def _open(user: User | AnonymousUser, meeting_id: int, declaration_id: int | None) -> Role:
    """The reader's role, checked as every page checks it."""
    if declaration_id is not None:
        declaration, role = selectors.declaration_get(user=user, declaration_id=declaration_id)
        if declaration.meeting_id != meeting_id:
            raise NotFound(_("No such declaration in this meeting."))
        return role
    _meeting, role = selectors.meeting_get(user=user, meeting_id=meeting_id)
    return role


async def _events(listener: Listener) -> AsyncIterator[str]:
    # Run once the middleware is done with the response: whatever database
    # connection this request's thread took goes back to the pool now, not
    # when the stream ends (a pool of 8 would otherwise serve 8 pages).
    await sync_to_async(connections.close_all)()
    # the browser waits this long before reconnecting (spread: not all pages at once)
    yield f"retry: {random.randint(1000, 3000)}\n\n"
    HUB.add(listener)
    try:
        loop = asyncio.get_running_loop()
        end = loop.time() + settings.CONSENSO_LIVE_STREAM_MAX_S * random.uniform(0.8, 1.0)
        while loop.time() < end:
            try:
                yield await asyncio.wait_for(listener.queue.get(), timeout=settings.CONSENSO_LIVE_HEARTBEAT_S)
            except TimeoutError:
                yield ": ping\n\n"  # keeps proxies and NATs from closing an idle connection
    finally:
        HUB.remove(listener)


@never_cache
@require_GET
async def meeting_events(request: HttpRequest, pk: int) -> HttpResponseBase:
    """``/live/meetings/<pk>/events/?d=<declaration>&after=<event>&v=<version>``:
    ``d`` and ``after`` for a text page showing every paragraph (sent the
    changed paragraphs), else only ``v`` (sent ``changed``)."""
    if not available(request):
        return HttpResponse(status=204)  # EventSource stops; the page polls
    user = await request.auser()
    request.user = user  # the request log reads it: not a second lookup
    if not user.is_authenticated:
        return JsonResponse({"error": "forbidden", "detail": "Sign in again."}, status=403)
    declaration_id = int_or_none(request.GET.get("d"))
    try:
        role = await sync_to_async(_open)(user, pk, declaration_id)
    except NotFound:
        return JsonResponse({"error": "not_found", "detail": "No such meeting."}, status=404)
    except NotAllowed as exc:
        return JsonResponse({"error": "forbidden", "detail": exc.message}, status=403)
    resumed = request.headers.get("Last-Event-ID", "")
    after = int_or_none(request.GET.get("after")) or 0
    etag = request.GET.get("v", "")
    if resumed:  # the id of the last event this page received
        if declaration_id is not None:
            after = int_or_none(resumed) or after
            etag = ""  # look again since that event
        else:
            etag = resumed
    listener = Listener(
        meeting_id=pk,
        declaration_id=declaration_id,
        role=role,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        csrf_token=get_token(request),
        here=reverse("pages:text", args=[declaration_id]) if declaration_id is not None else "",
        after=after,
        etag=etag,
    )
    response = StreamingHttpResponse(_events(listener), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache, no-transform"
    response["X-Accel-Buffering"] = "no"  # nginx and the like: pass each event on at once
    return response


def stream_url(
    request: HttpRequest, meeting_id: int, etag: str, *, declaration_id: int | None = None, after: int = 0
) -> str:
    """The page's stream address (with the version and event it shows), or "" where pages poll."""
    if not available(request):
        return ""
    query = {"v": etag} if declaration_id is None else {"d": declaration_id, "after": after, "v": etag}
    return f"{reverse('pages:live-events', args=[meeting_id])}?{urlencode(query)}"


# --- for bench/profile_live.py: the per-process work of one change, measured alone ---


def sample_readers(declaration: Declaration) -> list[Listener]:
    """One listener per kind of reader at the meeting (each member delegation
    and an observer, in English), as if each had a page open."""
    from drafting.models import Delegate

    readers = []
    seen = set()
    for delegate in Delegate.objects.select_related("user", "delegation").order_by("id"):
        if delegate.delegation.code in seen:
            continue
        seen.add(delegate.delegation.code)
        try:
            _, role = selectors.declaration_get(user=delegate.user, declaration_id=declaration.pk)
        except (NotFound, NotAllowed):
            continue
        readers.append(
            Listener(
                meeting_id=declaration.meeting_id,
                declaration_id=declaration.pk,
                role=role,
                language="en",
                csrf_token="token",
                here=reverse("pages:text", args=[declaration.pk]),
                after=0,
                etag="",
            )
        )
    return readers


def render_for_bench(declaration: Declaration, after: int, readers: list[Listener]) -> int:
    for reader in readers:
        reader.after, reader.etag = after, ""
    with contextlib.suppress(Exception):
        from backend.pages import present

        present._TEXTS.clear()  # a new version: the text is read once per change
    return len(refresh(declaration.meeting_id, readers))
