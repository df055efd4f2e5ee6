"""A few seconds' memory of who a request is and what they may do.

Every request used to pay for its identity (the token, its user and
delegation: one query) and its role in the meeting (one more), and a write
paid for the role twice. Both are now remembered in the web process for
``CONSENSO_ACCESS_CACHE_SECONDS`` (default 5 s), with explicit invalidation:

- **Roles** key on everything they are computed from: the user, the user's
  delegation and its kind, superuser or not, the meeting, and the meeting's
  ``access_version``, which database triggers bump whenever a participant or
  a staff member is added or removed or the PPT or ``members_only`` changes
  (migration 0013). The meeting row is read by every request anyway (with
  the declaration, under the lock on writes), so a change of membership is
  seen by the very next request in every process: no staleness at all.
- **Identities** (token key -> user and delegation) have no row to compare
  against without the query they save, so they are the trade-off: a token
  revoked, a user deactivated or moved to another delegation through the
  services is forgotten at once in the process that did it
  (``identity_forget``); in the other web processes the old identity may
  still be honoured for at most ``CONSENSO_ACCESS_CACHE_SECONDS``. Expiry is
  checked on every request from the cached ``expires_at``. Five seconds of a
  revoked token against ~3 ms of CPU saved on every request of every
  delegate: a delegate removed mid-session could still post for a few
  seconds, which the event log records under their name, as it would have
  a second earlier. Set the setting to 0 to turn the memory off.

Process-local (a dict under a lock) rather than Django's cache: with Redis
configured that would be a network round trip per lookup, the cost we are
removing; and the explicit invalidation above makes sharing unnecessary.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.db import transaction

V = TypeVar("V")

# Bounded: when full, expired entries go, and if that is not enough, all.
MAX_ENTRIES = 20_000


def ttl_seconds() -> float:
    return float(getattr(settings, "CONSENSO_ACCESS_CACHE_SECONDS", 5))


class TtlCache(Generic[V]):
    def __init__(self, name: str) -> None:
        self.name = name
        self._lock = threading.Lock()
        self._entries: dict[Hashable, tuple[float, V]] = {}
        # Tests move time forward here rather than sleeping.
        self.clock: Callable[[], float] = time.monotonic

    def get(self, key: Hashable) -> V | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        expires, value = entry
        if self.clock() >= expires:
            with self._lock:
                self._entries.pop(key, None)
            return None
        return value

    def put(self, key: Hashable, value: V) -> None:
        ttl = ttl_seconds()
        if ttl <= 0:
            return
        now = self.clock()
        with self._lock:
            if len(self._entries) >= MAX_ENTRIES:
                self._entries = {k: e for k, e in self._entries.items() if e[0] > now}
                if len(self._entries) >= MAX_ENTRIES:
                    self._entries.clear()
            self._entries[key] = (now + ttl, value)

    def forget(self, predicate: Callable[[Hashable, V], bool]) -> None:
        with self._lock:
            for key in [k for k, (_, v) in self._entries.items() if predicate(k, v)]:
                del self._entries[key]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


ROLES: TtlCache[object] = TtlCache("roles")
IDENTITIES: TtlCache[object] = TtlCache("identities")


def token_identity(key: str) -> Any:
    """The API token with that key, its user and the user's delegation (one
    query, then remembered; see above), or None. The caller still checks
    ``expires_at`` and ``user.is_active`` on every request."""
    from drafting.models import ApiToken

    token = IDENTITIES.get(key)
    if isinstance(token, ApiToken):
        return token
    token = ApiToken.objects.select_related("user__delegate__delegation").filter(key=key).first()
    if token is not None:
        IDENTITIES.put(key, token)
    return token


def _now_and_at_commit(forget: Callable[[], None]) -> None:
    """Forget now, and again once the change is committed: a request served
    in between by another thread would have remembered the old row."""
    forget()
    transaction.on_commit(forget)


def token_forget(*, token_id: int) -> None:
    """The token was revoked: forget it in this process."""
    _now_and_at_commit(lambda: IDENTITIES.forget(lambda key, value: getattr(value, "pk", None) == token_id))


def identity_forget(*, user_id: int) -> None:
    """Forget the cached identities (and roles) of one user in this process:
    they were deactivated, their password reset, or they changed delegation."""

    def forget() -> None:
        IDENTITIES.forget(lambda key, value: getattr(getattr(value, "user", None), "pk", None) == user_id)
        ROLES.forget(lambda key, value: isinstance(key, tuple) and key[0] == user_id)

    _now_and_at_commit(forget)


def access_caches_clear() -> None:
    ROLES.clear()
    IDENTITIES.clear()
