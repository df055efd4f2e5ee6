"""The shapes of what the selectors hand over, declared once so that mypy
checks what crosses the layers: the API and the pages read them, the
exports are fed them (through ``exports/adapters.py``).

Django-free on purpose (see architecture.json): ``exports`` may not import
the domain, but it may import these declarations. Values are Python values
(datetimes stay datetimes); JSON is the API's business, not the selectors'.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NotRequired, TypedDict


class TrackedRow(TypedDict):
    """A paragraph of one side of a tracked-changes document; on the new side,
    who made its change and when (None: the PPT, at the revision's issue)."""

    id: int
    label: str
    text: str
    author: str | None
    date: datetime | None
    # the paragraph in the other working language, as issued (issue 15)
    translation_text: NotRequired[str]


class RevisionPair(TypedDict):
    """Two revisions' paragraphs for a tracked-changes document."""

    title: str
    label: str
    old: list[TrackedRow]
    new: list[TrackedRow]
    # paragraph id -> (who, when) of the accepted proposal that changed or removed it
    deleted_by: dict[int, tuple[str, datetime]]
    default_author: str
    default_date: datetime
    # issue 15: the labels of both revisions, the languages and where times are read
    old_label: NotRequired[str]
    new_label: NotRequired[str]
    original_language: NotRequired[str]
    title_translation: NotRequired[str]
    ppt_name: NotRequired[str]
    time_zone: NotRequired[str]


class RecordEntry(TypedDict):
    when: datetime
    who: str
    delegation: str
    what: str
    paragraph_label: str


class NegotiationRecord(TypedDict):
    title: str
    ppt_name: str
    entries: list[RecordEntry]
    # issue 15: the title in the other language, the original language, the meeting's time zone
    title_translation: NotRequired[str]
    original_language: NotRequired[str]
    time_zone: NotRequired[str]


# -- texts ------------------------------------------------------------------------------


class PositionObjection(TypedDict):
    delegation: str
    reason: str


class ProposalSummary(TypedDict):
    """A proposal as the texts show it under its paragraph."""

    id: int
    language: NotRequired[str]
    kind: str
    delegation: str
    status: str
    text: str
    version: int
    support: list[str]
    objections: list[PositionObjection]
    earlier_wording: list[str]  # delegations whose position was given on an earlier wording
    refit: dict[str, Any] | None  # how its last re-fit went (status, by whom; best effort if conflicted)
    agreed_language: str | None  # the agreed language it reuses: "XXI RCM (2016), Decision 12"


class Alternative(TypedDict):
    option: str  # "Alt 1", "Alt 2" …
    proposal: int
    delegation: str
    kind: str
    text: str


class ParagraphText(TypedDict):
    """A paragraph of a revision's text, or of the working text (which adds
    whether it was inserted since the revision, its Alt options and the
    objections standing against it)."""

    paragraph: int
    label: str
    kind: str
    level: int
    text: str
    emphasis: list[dict[str, Any]]
    table: list[list[str]] | None
    state: str
    ad_ref: str | None
    brackets: list[dict[str, int]]
    # The other working language (issue 15): language, text, emphasis, table, status.
    translation: NotRequired[dict[str, Any]]
    # A revision's text carries either its proposals (``proposals="inline"``,
    # the exports, the working text) or their count (the API's lean default).
    proposals: NotRequired[list[ProposalSummary]]
    proposal_summary: NotRequired[dict[str, Any]]
    # The working text's count of changes to the original wording (issue 15).
    text_version: NotRequired[int]
    inserted: NotRequired[bool]
    alternatives: NotRequired[list[Alternative]]
    objections: NotRequired[list[PositionObjection]]


class SectionText(TypedDict):
    position: int
    kind: str
    heading: str
    heading_translation: str  # the heading in the other working language ("" = not given; issue 15)
    paragraphs: list[ParagraphText]


class Incorporated(TypedDict):
    proposal: int
    delegation: str
    paragraph: int


class RevisionText(TypedDict):
    """A revision's whole text, as GET /api/revisions/{id}/ answers it."""

    id: int
    original_language: NotRequired[str]
    declaration: int
    number: int
    label: str
    note: str
    issued_by: str
    issued_at: str  # ISO 8601: this dict is the API's cached body as it is
    is_current: bool
    incorporated: list[Incorporated]
    sections: list[SectionText]


class RevisionRef(TypedDict):
    id: int
    label: str


class WorkingText(TypedDict):
    """The current revision plus what the PPT accepted since."""

    declaration: int
    original_language: NotRequired[str]
    status: str
    version: int
    revision: RevisionRef | None
    sections: list[SectionText]
