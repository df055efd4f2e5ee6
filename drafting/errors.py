"""Domain errors. Services raise these; the API maps each class to one HTTP
status in ``backend/api/errors.py`` so no view decides status codes itself."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base class: a refusal with a message a user can act on."""

    code = "error"

    def __init__(
        self,
        message: str,
        *,
        fields: dict[str, list[str]] | None = None,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        self.extra = extra or {}
        # HTTP headers the answer carries (e.g. Retry-After on a 409 "not
        # ready yet" or a 503), so that views raise rather than build error
        # responses themselves: backend/api/errors.py stays the only path.
        self.headers = headers or {}


class InvalidInput(DomainError):
    """The request is malformed or breaks a rule of the text (400)."""

    code = "invalid"


class NotAllowed(DomainError):
    """The actor's role does not permit this (403)."""

    code = "forbidden"


class NotFound(DomainError):
    """No such object (404)."""

    code = "not_found"


class Conflict(DomainError):
    """The object's state does not permit this now (409)."""

    code = "conflict"


class Unavailable(DomainError):
    """Something the request needs (a worker, the broker) is down for now (503)."""

    code = "unavailable"
