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
    language: str = ""  # the language it was written in ("es", "en"); empty: the original language


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
    language: str = ""  # the language its wording was written in ("es", "en"); empty: the original language


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
    # The same paragraph in the declaration's other language (issue 15), and
    # how it stands against ``text``: "current", "stale", "missing", or ""
    # when nobody said (a one-language document built by hand).
    translation: str = ""
    translation_emphasis: tuple[Span, ...] = ()
    translation_table: tuple[tuple[str, ...], ...] | None = None
    translation_status: str = ""


@dataclass(frozen=True)
class Section:
    kind: SectionKind
    heading: str
    paragraphs: tuple[Paragraph, ...] = ()
    heading_translation: str = ""  # the heading in the other language ("" = not given: the original is printed)

    def heading_in(self, original: bool) -> str:
        """The heading in the original language, or in the other one (the
        original's while it has no translation)."""
        return self.heading if original else (self.heading_translation or self.heading)


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
    # The language the document is written in (labels, dates, ``w:lang``):
    # None means the original language. ``text`` is in this language (an
    # adapter puts the translation there, see ``adapters.in_language``);
    # ``bilingual`` prints both languages side by side (es | en), ``text``
    # then being the original and ``translation`` the other language.
    language: Language | None = None
    bilingual: bool = False
    time_zone: str = ""  # the meeting's IANA zone: dates and times are printed in it
    issued_at: datetime | None = None  # when the revision shown was issued (UTC)

    @property
    def shown_language(self) -> Language:
        return self.language or self.original_language


@dataclass(frozen=True)
class RecordEntry:
    """One line of the negotiation record."""

    when: datetime
    who: str
    delegation: str
    what: str
    paragraph_label: str = ""
