"""The two working languages of a declaration (issue 15): pure rules, no Django.

A paragraph's ``text`` is in the declaration's original language; its
``translation_*`` fields hold the other one. ``text_version`` counts changes
of the original wording; ``translation_of`` is the ``text_version`` the
translation was made from. From those two numbers alone:

- ``missing``: there is no translation (``translation_of`` is None);
- ``stale``: the original changed since it was translated;
- ``current``: the translation renders the original as it stands.
"""

from __future__ import annotations

LANGUAGES = ("es", "en")
LANGUAGE_NAMES = {"es": "Spanish", "en": "English"}
MISSING, STALE, CURRENT = "missing", "stale", "current"


def other_language(language: str) -> str:
    """The other working language: "en" for "es" and the reverse."""
    return "en" if language == "es" else "es"


def translation_status(*, text_version: int, translation_of: int | None) -> str:
    if translation_of is None:
        return MISSING
    return CURRENT if translation_of == text_version else STALE
