"""How a statement of the library is cited: "XXI RCM (2016), Decision 12"."""

from __future__ import annotations


def citation(*, meeting: str, year: int | None, paragraph: str = "") -> str:
    where = f"{meeting} ({year})" if year else meeting
    return f"{where}, {paragraph}" if paragraph else where


def agreed_language(cited: str) -> str:
    """The line the compilation text, the live room and the record show."""
    return f"agreed language: {cited}"
