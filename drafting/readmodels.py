"""The shapes of what the selectors hand over, declared once so that mypy
checks what crosses the layers: the API and the pages read them, the
exports are fed them (through ``exports/adapters.py``).

Django-free on purpose (see architecture.json): ``exports`` may not import
the domain, but it may import these declarations. Values are Python values
(datetimes stay datetimes); JSON is the API's business, not the selectors'.
"""

from __future__ import annotations

from datetime import datetime
from typing import TypedDict


class TrackedRow(TypedDict):
    """A paragraph of one side of a tracked-changes document; on the new side,
    who made its change and when (None: the PPT, at the revision's issue)."""

    id: int
    label: str
    text: str
    author: str | None
    date: datetime | None


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
