"""A dependency that is down answers 503 with ``Retry-After``, never a 500.

The database (``OperationalError``/``InterfaceError``), the cache (Redis:
the login throttle reads it before a password is checked) and the broker
(kombu's ``OperationalError`` when a task cannot be published) can each be
unreachable for a while: restarting, failing over, a network blip. Whatever
the view (API, admin, the login forms), the client gets the same JSON shape
as every API error and is told when to retry; the outage is logged once per
request as a warning, not as a crash with a traceback page (nor, with DEBUG
on, the debug page with the settings).

API views map database errors in ``backend/api/errors.py`` already; what
they do not map reaches ``process_exception`` here, as do the non-API views'.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
WHAT = (
    ((OperationalError, InterfaceError), "database"),
    ((RedisError,), "cache"),
    ((BrokerError,), "job queue"),
)


# PostgreSQL undoes one of two transactions that wait for each other (a
# deadlock) or that a serializable snapshot cannot order: the database is up,
# the request lost a race and was rolled back whole. Said as such, with a
# short Retry-After; the lock order (drafting/services/locks.py) is meant to
# make these rare, and each is logged so that one that is not gets noticed.
COLLISION_SQLSTATES = frozenset({"40P01", "40001"})  # deadlock_detected, serialization_failure
COLLISION_RETRY_AFTER_SECONDS = 1
COLLISION_DETAIL = "The request collided with a simultaneous change and was undone; send it again."


def collided(exc: BaseException) -> bool:
    """Whether a database error is a lost race (deadlock, serialization) rather than an outage."""
    return getattr(exc.__cause__, "sqlstate", None) in COLLISION_SQLSTATES


def dependency_down(exc: BaseException) -> str | None:
    """Which dependency the exception says is down, if any."""
    for classes, name in WHAT:
        if isinstance(exc, classes):
            return name
    return None


def outage_body(exc: BaseException, what: str) -> tuple[dict[str, object], int]:
    """The body and the Retry-After seconds for a dependency's error."""
    if what == "database" and collided(exc):
        return {"error": "unavailable", "detail": COLLISION_DETAIL, "fields": {}}, COLLISION_RETRY_AFTER_SECONDS
    return {"error": "unavailable", "detail": f"The {what} is unavailable; retry shortly.", "fields": {}}, (
        RETRY_AFTER_SECONDS
    )


def outage_response(what: str, exc: BaseException | None = None) -> JsonResponse:
    body, retry_after = outage_body(exc or Exception(), what)
    response = JsonResponse(body, status=503)
    response["Retry-After"] = str(retry_after)
    return response


class OutageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        what = dependency_down(exception)
        if what is None:
            return None
        log.warning("%s unavailable during %s %s: %s", what, request.method, request.path, exception)
        return outage_response(what, exception)
