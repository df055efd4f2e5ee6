"""Plain data the Word renderers take.

A ``drafting`` selector (``revision_text`` / ``working_text``) is turned into
these frozen dataclasses by an adapter; the renderers in ``exports`` only ever
see them, never Django models. Offsets in spans and brackets are character
offsets into ``Paragraph.text`` (``start`` inclusive, ``end`` exclusive).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

SpanStyle = Literal["bold", "italic"]
ParagraphKind = Literal["title", "place_date", "preambular", "operative", "heading", "text", "list_item", "table"]
SectionKind = Literal["title", "preamble", "operative", "annex"]
Language = Literal["es", "en"]

PARAGRAPH_KINDS: tuple[ParagraphKind, ...] = (
    "title",
    "place_date",
    "preambular",
    "operative",
    "heading",
    "text",
    "list_item",
    "table",
)
SECTION_KINDS: tuple[SectionKind, ...] = ("title", "preamble", "operative", "annex")


@dataclass(frozen=True)
class Span:
    """Inline emphasis over ``text[start:end]``."""

    start: int
    end: int
    style: SpanStyle


@dataclass(frozen=True)
class Bracket:
    """Square-bracketed (not agreed) stretch ``text[start:end]``."""

    start: int
    end: int


@dataclass(frozen=True)
class Objection:
    """A delegation's objection to a proposal or alternative, with its reason."""

    delegation: str
    reason: str = ""


@dataclass(frozen=True)
class ProposalNote:
    """A proposal on a paragraph (amendment, deletion, insertion ...)."""

    delegation: str
    kind: str
    text: str
    supporters: tuple[str, ...] = ()
    objections: tuple[Objection, ...] = ()
    status: str = "open"
    note: str = ""  # how a re-fit moved it onto the current wording, or why it is conflicted
    agreed_language: str = ""  # its source in the library: "XXI RCM (2016), Decision 12"


@dataclass(frozen=True)
class Alternative:
    """A competing wording put side by side with the paragraph ("Alt 1")."""

    option: str
    delegation: str
    kind: str
    text: str
    supporters: tuple[str, ...] = ()
    objections: tuple[Objection, ...] = ()
    status: str = "open"


@dataclass(frozen=True)
class Reservation:
    delegation: str
    text: str


@dataclass(frozen=True)
class Explanation:
    """An explanation of position, printed in a final annex."""

    delegation: str
    text: str


@dataclass(frozen=True)
class Paragraph:
    label: str
    kind: ParagraphKind
    text: str
    emphasis: tuple[Span, ...] = ()
    level: int = 0
    table: tuple[tuple[str, ...], ...] | None = None
    state: str = "open"
    brackets: tuple[Bracket, ...] = ()
    alternatives: tuple[Alternative, ...] = ()
    proposals: tuple[ProposalNote, ...] = ()
    reservations: tuple[Reservation, ...] = ()


@dataclass(frozen=True)
class Section:
    kind: SectionKind
    heading: str
    paragraphs: tuple[Paragraph, ...] = ()


@dataclass(frozen=True)
class Document:
    title: str
    place_date: str
    ppt_name: str
    revision_label: str
    is_adopted: bool
    original_language: Language = "en"
    sections: tuple[Section, ...] = ()
    explanations: tuple[Explanation, ...] = ()


@dataclass(frozen=True)
class RecordEntry:
    """One line of the negotiation record."""

    when: datetime
    who: str
    delegation: str
    what: str
    paragraph_label: str = ""
