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

from collections.abc import Mapping
from typing import Any

LANGUAGES = ("es", "en")
LANGUAGE_NAMES = {"es": "Spanish", "en": "English"}
MISSING, STALE, CURRENT = "missing", "stale", "current"
TRANSLATION_STATUSES = (MISSING, STALE, CURRENT)


def other_language(language: str) -> str:
    """The other working language: "en" for "es" and the reverse."""
    return "en" if language == "es" else "es"


def translation_status(*, text_version: int, translation_of: int | None) -> str:
    if translation_of is None:
        return MISSING
    return CURRENT if translation_of == text_version else STALE


def paragraph_in_language(paragraph: Mapping[str, Any], language: str, *, original: str) -> dict[str, Any]:
    """One paragraph (as the text selectors give it, with its ``translation``
    object) in one language: ``text``, ``emphasis`` and ``table`` (where the
    paragraph has one) are that language's, ``language`` names it and
    ``translation_status`` replaces ``translation``."""
    if language not in LANGUAGES:
        raise ValueError(f"Not a working language: {language!r}")
    out = {k: v for k, v in paragraph.items() if k != "translation"}
    translation = paragraph["translation"]
    if language != original:
        out["text"] = translation["text"]
        out["emphasis"] = translation["emphasis"]
        if "table" in paragraph:
            out["table"] = translation["table"]
    out["language"] = language
    out["translation_status"] = translation["status"]
    return out


def text_in_language(text: Mapping[str, Any], language: str) -> dict[str, Any]:
    """A whole text (a revision's or the working text, as the selectors give
    it) with one language's wording in each text field (``?lang=``, issue 15).

    Each paragraph's ``text``, ``emphasis`` and ``table`` are the chosen
    language's: the original's, or its translation's (empty while the
    translation is missing); ``language`` names it and ``translation_status``
    tells how the other-language version stands (missing, stale, current),
    in place of the ``translation`` object. Each section's ``heading`` is the
    chosen language's (empty while not given; ``heading_translation`` is
    dropped). The whole text says ``language`` too. Nothing else changes."""
    if language not in LANGUAGES:
        raise ValueError(f"Not a working language: {language!r}")
    original = text["original_language"]

    def paragraph(p: Mapping[str, Any]) -> dict[str, Any]:
        return paragraph_in_language(p, language, original=original)

    def section(s: Mapping[str, Any]) -> dict[str, Any]:
        out = {k: v for k, v in s.items() if k != "heading_translation"}
        if language != original:
            out["heading"] = s.get("heading_translation", "")
        out["paragraphs"] = [paragraph(p) for p in s["paragraphs"]]
        return out

    return {**text, "language": language, "sections": [section(s) for s in text["sections"]]}
