"""The read side's straight line (issue 18): what a read of a text needs
before any body, in one query, and the proposals a text no longer carries
inline, per paragraph and paged.

(Kept apart from ``selectors.py`` while that file moved into the
``drafting/selectors/`` package; it belongs with the text selectors there.)
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from drafting.access import Reader as User
from drafting.access import Role, delegation_of, require_read, role_given
from drafting.errors import NotFound
from drafting.models import Declaration, Meeting, Proposal, Revision
from drafting.selectors import _proposal_summaries


@dataclass(frozen=True, slots=True)
class TextHead:
    """What a read of a text needs before any body: which revision, the
    declaration's version (together they name the body: its ETag), and the
    reader's role, checked. One query, whatever the text's size."""

    revision_id: int | None  # None: the declaration has no text yet
    declaration_id: int
    version: int
    issued_at: datetime.datetime | None
    role: Role

    @property
    def stamp(self) -> str:
        """The revision and the declaration's version as one tag (an ETag's
        body). The issue time makes it unique even if ids come round again
        (a database restored from a backup, or a test rolled back)."""
        issued = int(self.issued_at.timestamp() * 1_000_000) if self.issued_at else 0
        return f"r{self.revision_id}.{issued}-v{self.version}"


def _aware(value: datetime.datetime | str | None) -> datetime.datetime | None:
    """SQLite hands a raw query naive UTC (or text); PostgreSQL an aware time."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=datetime.UTC)


def text_head_get(*, user: User, declaration_id: int | None = None, revision_id: int | None = None) -> TextHead:
    """The head of a declaration's current text (``declaration_id``) or of
    one revision (``revision_id``), for a reader who may read it: an unknown
    id raises NotFound, a reader outside the meeting NotAllowed.

    Raw SQL, deliberately: this runs on every read of a text, 304s included,
    and building the equivalent querysets (declaration with its current
    revision, then the role) cost several times the queries themselves
    (bench/RESULTS.md, issue 18). Staff and presence are read here, fresh on
    every request (no cache to invalidate); the rules stay in
    ``access.role_given``."""
    delegation = delegation_of(user)
    revisions, declarations, meetings = (m._meta.db_table for m in (Revision, Declaration, Meeting))
    staff = Meeting.secretariat_staff.through._meta.db_table
    present = Meeting.participants.through._meta.db_table
    select = (
        "SELECT r.id, r.issued_at, d.id, d.version, m.id, m.ppt_id, m.members_only,"
        f" EXISTS(SELECT 1 FROM {staff} s WHERE s.meeting_id = m.id AND s.user_id = %s),"
        f" EXISTS(SELECT 1 FROM {present} p WHERE p.meeting_id = m.id AND p.delegation_id = %s)"
    )
    params: list[int] = [user.pk or 0, delegation.pk if delegation else 0]
    if revision_id is not None:
        sql = (
            f"{select} FROM {revisions} r JOIN {declarations} d ON d.id = r.declaration_id"
            f" JOIN {meetings} m ON m.id = d.meeting_id WHERE r.id = %s"
        )
        params.append(revision_id)
    else:
        current = f"(SELECT id FROM {revisions} WHERE declaration_id = d.id ORDER BY number DESC LIMIT 1)"
        sql = (
            f"{select} FROM {declarations} d JOIN {meetings} m ON m.id = d.meeting_id"
            f" LEFT JOIN {revisions} r ON r.id = {current} WHERE d.id = %s"
        )
        params.append(declaration_id or 0)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        if revision_id is not None:
            raise NotFound(f"Revision {revision_id} does not exist.")
        raise NotFound(f"Declaration {declaration_id} does not exist.")
    rid, issued_at, did, version, meeting_id, ppt_id, members_only, is_staff, is_present = row
    meeting = Meeting(pk=meeting_id, ppt_id=ppt_id, members_only=bool(members_only))
    role = role_given(user, meeting, is_staff=bool(is_staff), present=bool(is_present))
    require_read(role, meeting)
    return TextHead(revision_id=rid, declaration_id=did, version=version, issued_at=_aware(issued_at), role=role)


def revision_proposals(*, revision_id: int, paragraph_id: int | None = None) -> QuerySet[Proposal]:
    """The proposals written against a revision (on one paragraph), in the
    order they were made: what a text shows under its paragraphs, to page."""
    proposals = Proposal.objects.filter(revision_id=revision_id)
    if paragraph_id is not None:
        proposals = proposals.filter(paragraph_id=paragraph_id)
    return proposals.order_by("id")


def proposal_summaries(*, proposal_ids: list[int]) -> list[dict[str, Any]]:
    """The compact proposals (as a text shows them inline, with their
    paragraph), in the order of ``proposal_ids``. Two queries."""
    by_paragraph, _ = _proposal_summaries(Proposal.objects.filter(pk__in=proposal_ids))
    by_id = {item["id"]: {**item, "paragraph": pid} for pid, items in by_paragraph.items() for item in items}
    return [by_id[pk] for pk in proposal_ids if pk in by_id]
