"""Domain errors. Services raise these; the API maps each class to one HTTP
status in ``backend/api/errors.py`` so no view decides status codes itself.

A refusal is read in the reader's language. Django-bound code translates the
message when it raises (``_("…") % {...}``). This module and the Django-free
ones that raise through it (``drafting.textnorm``, ``drafting.importing``)
cannot call gettext, so they pass the English message as a catalogue msgid
with its ``params``: the message, and its per-field messages (msgids
formatted with the same ``params``), are then translated each time they are
read (``exc.message``, ``exc.fields``), by the translator ``drafting.apps`` installs once Django
is set up, in the language active where it is read (the request's).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

Translator = Callable[[str], str]


def _untranslated(msgid: str) -> str:
    return msgid


_translator: Translator = _untranslated


def gettext_noop(message: str) -> str:
    """Marks a msgid for the catalogue in a Django-free module (Django's
    ``makemessages`` extracts calls by this name); returns it unchanged."""
    return message


def set_translator(translator: Translator) -> None:
    """Installed by ``drafting.apps.DraftingConfig.ready`` (Django's gettext);
    until then, and where Django is not set up, messages stay in English."""
    global _translator
    _translator = translator


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
        params: Mapping[str, object] | None = None,
    ) -> None:
        # ``params`` given (even empty): ``message`` is a msgid with named
        # placeholders, translated when read. Without: already final text.
        super().__init__(message if params is None else message % params)
        self._message = message
        self.params = None if params is None else dict(params)
        self._fields = fields or {}
        self.extra = extra or {}
        # HTTP headers the answer carries (e.g. Retry-After on a 409 "not
        # ready yet" or a 503), so that views raise rather than build error
        # responses themselves: backend/api/errors.py stays the only path.
        self.headers = headers or {}

    @property
    def msgid(self) -> str | None:
        """The catalogue msgid when the message is translated when read (``params`` given), else None."""
        return None if self.params is None else self._message

    @property
    def message(self) -> str:
        if self.params is None:
            return self._message
        return _translator(self._message) % self.params

    @property
    def fields(self) -> dict[str, list[str]]:
        """Each field's messages, in the reader's language. With ``params``
        they are msgids too, formatted with the same ``params`` when read."""
        if self.params is None:
            return self._fields
        return {name: [_translator(m) % self.params for m in msgs] for name, msgs in self._fields.items()}


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
