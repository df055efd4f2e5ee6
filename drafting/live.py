"""Tell every web process that a meeting changed, so that open pages follow
(backend/pages/stream.py holds the pages' event streams).

Why here: every service that changes what readers see records an event in
its transaction (the event's trigger bumps the declaration's ``version``);
``services.events`` then calls :func:`changed` (as does the rare
``services.locks.declaration_touch``), which publishes one small notice on
Redis pub/sub *after the commit* (never a change a reader cannot yet read,
never one that was rolled back). Each web process subscribes once and fans
the notice out to the pages it holds open, whichever process made the change.

No Redis (the embedded default): nothing is published and the pages poll
(backend/pages/live.py). Redis down: the write still succeeds (the notice is
only a hint); the web processes re-read the meetings' versions every few
seconds anyway, so a lost notice delays a page, never loses a change.
"""

from __future__ import annotations

import json
import logging
import threading
from typing import Any

from django.conf import settings
from django.db import transaction

log = logging.getLogger(__name__)

_client: Any = None
_client_lock = threading.Lock()


def channel() -> str:
    """One channel per database: Redis pub/sub ignores the db number, and two
    deployments (or test runs) on one Redis must not hear each other."""
    return f"consenso:live:{settings.DATABASES['default']['NAME']}"


def enabled() -> bool:
    return bool(settings.REDIS_URL)


def _redis() -> Any:
    global _client
    with _client_lock:
        if _client is None:
            import redis

            # short timeouts: a write must never wait long on a hint
            _client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=0.5, socket_connect_timeout=0.5)
        return _client


def publish(meeting_id: int, declaration_id: int | None) -> None:
    try:
        _redis().publish(channel(), json.dumps({"m": meeting_id, "d": declaration_id}))
    except Exception:  # the notice is a hint: see the module docstring
        log.warning("live notice for meeting %s not published", meeting_id, exc_info=True)


class _Notice:
    """One pending notice; a transaction that records many events announces
    each (meeting, declaration) once."""

    def __init__(self, meeting_id: int, declaration_id: int | None) -> None:
        self.key = (meeting_id, declaration_id)

    def __call__(self) -> None:
        publish(*self.key)


def changed(*, meeting_id: int, declaration_id: int | None = None) -> None:
    """Announce, once the current transaction commits, that the meeting changed."""
    if not enabled():
        return
    key = (meeting_id, declaration_id)
    pending = transaction.get_connection().run_on_commit
    if any(isinstance(entry[1], _Notice) and entry[1].key == key for entry in pending):
        return
    transaction.on_commit(_Notice(meeting_id, declaration_id))
