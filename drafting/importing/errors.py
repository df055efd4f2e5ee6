"""Why a file cannot be imported, in words the Secretariat can act on."""

from __future__ import annotations

from collections.abc import Mapping

from drafting.errors import InvalidInput


class UnreadableDocument(InvalidInput):
    """The file is not something we can read (not Word, encrypted, corrupt,
    empty, too large), or holds what we refuse to guess at (tracked changes).
    Raised before anything is created.

    ``message`` is the English msgid with named placeholders and ``params``
    their values (numbers already formatted, ``f"{n:,}"``, so the English
    reads as before): this package is Django-free, so the message is
    translated when it is read (``drafting.errors``), in the reader's
    language. ``msgid`` and ``params`` cross the isolated reader's process
    boundary as they are."""

    def __init__(self, message: str, *, params: Mapping[str, object]) -> None:
        super().__init__(message, fields={"file": [message]}, params=params)

    @property
    def msgid(self) -> str:
        return self._message
