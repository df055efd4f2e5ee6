"""Why a file cannot be imported, in words the Secretariat can act on."""

from __future__ import annotations

from drafting.errors import InvalidInput


class UnreadableDocument(InvalidInput):
    """The file is not something we can read (not Word, encrypted, corrupt,
    empty, too large), or holds what we refuse to guess at (tracked changes).
    Raised before anything is created."""

    def __init__(self, message: str) -> None:
        super().__init__(message, fields={"file": [message]})
