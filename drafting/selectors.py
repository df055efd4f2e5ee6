"""Reads. Every selector takes the reading user and returns only what that
user may see; fetching one object the user may not read raises
:class:`NotAllowed` (403) and an unknown id :class:`NotFound` (404)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery

from drafting.access import Reader as User
from drafting.access import Role, delegation_of, require_read, role_in
from drafting.errors import NotFound
from drafting.models import (
    Declaration,
    Delegation,
    Event,
    Meeting,
    Paragraph,
    Position,
    Proposal,
    Revision,
    RevisionParagraph,
    Section,
)


def meeting_list(*, user: User) -> QuerySet[Meeting]:
    """Meetings the user may read (mirrors ``access.role_in``)."""
    meetings = Meeting.objects.select_related("ppt")
    if getattr(user, "is_superuser", False):
        return meetings.all()
    delegation = delegation_of(user)
    if delegation is not None and delegation.kind in (
        Delegation.Kind.MEMBER_STATE,
        Delegation.Kind.SECRETARIAT,
    ):
        return meetings.all()
    readable = Q(secretariat_staff=user.pk)
    if delegation is not None:
        readable |= Q(members_only=False) & (Q(participants=delegation) | Q(ppt=delegation))
    ids = Meeting.objects.filter(readable).values("pk")
    return meetings.filter(pk__in=ids)


def meeting_get(*, user: User, meeting_id: int) -> tuple[Meeting, Role]:
    meeting = Meeting.objects.select_related("ppt").filter(pk=meeting_id).first()
    if meeting is None:
        raise NotFound(f"Meeting {meeting_id} does not exist.")
    role = role_in(user, meeting)
    require_read(role, meeting)
    return meeting, role


def _declarations() -> QuerySet[Declaration]:
    """Declarations with their current revision (id, label, number) annotated."""
    latest = Revision.objects.filter(declaration=OuterRef("pk")).order_by("-number")
    return Declaration.objects.select_related("meeting").annotate(
        current_revision_id=Subquery(latest.values("pk")[:1]),
        current_revision_label=Subquery(latest.values("label")[:1]),
        current_revision_number=Subquery(latest.values("number")[:1]),
    )


def declaration_list(*, user: User) -> QuerySet[Declaration]:
    return _declarations().filter(meeting__in=meeting_list(user=user).values("pk"))


def declaration_get(*, user: User, declaration_id: int) -> tuple[Declaration, Role]:
    declaration = _declarations().filter(pk=declaration_id).first()
    if declaration is None:
        raise NotFound(f"Declaration {declaration_id} does not exist.")
    role = role_in(user, declaration.meeting)
    require_read(role, declaration.meeting)
    return declaration, role


def revision_current(*, declaration: Declaration) -> Revision | None:
    return declaration.revisions.order_by("-number").first()


def revision_list(*, user: User) -> QuerySet[Revision]:
    return Revision.objects.filter(declaration__in=declaration_list(user=user).values("pk")).select_related("issued_by")


def revision_get(*, user: User, revision_id: int) -> Revision:
    revision = Revision.objects.select_related("declaration__meeting", "issued_by").filter(pk=revision_id).first()
    if revision is None:
        raise NotFound(f"Revision {revision_id} does not exist.")
    require_read(role_in(user, revision.declaration.meeting), revision.declaration.meeting)
    return revision


def _positions_by_proposal(proposal_ids: list[int]) -> dict[int, dict[str, list[Any]]]:
    out: dict[int, dict[str, list[Any]]] = defaultdict(lambda: {"support": [], "objections": []})
    rows = (
        Position.objects.filter(proposal_id__in=proposal_ids)
        .order_by("id")
        .values_list("proposal_id", "delegation__code", "stance", "reason")
    )
    for proposal_id, code, stance, reason in rows:
        if stance == Position.Stance.SUPPORT:
            out[proposal_id]["support"].append(code)
        else:
            out[proposal_id]["objections"].append({"delegation": code, "reason": reason})
    return out


def revision_text(*, revision: Revision) -> dict[str, Any]:
    """The whole text of a revision as plain data: sections in order, their
    paragraphs in order, and under each paragraph the proposals written
    against this revision with who supports and who objects.

    Four flat queries whatever the size (sections, paragraphs, proposals,
    positions), assembled in Python: a 200-paragraph text with 2,000
    proposals is one round of reads, not thousands.
    """
    current = revision_current(declaration=revision.declaration)
    sections = list(
        Section.objects.filter(revision=revision).order_by("position").values("id", "position", "kind", "heading")
    )
    by_section: dict[int, list[dict[str, Any]]] = {s["id"]: [] for s in sections}
    proposals_by_paragraph: dict[int, list[dict[str, Any]]] = defaultdict(list)
    proposal_rows = list(
        Proposal.objects.filter(revision=revision)
        .order_by("id")
        .values("id", "paragraph_id", "kind", "delegation__code", "status", "text", "version")
    )
    positions = _positions_by_proposal([p["id"] for p in proposal_rows])
    for p in proposal_rows:
        pos = positions.get(p["id"]) or {"support": [], "objections": []}
        proposals_by_paragraph[p["paragraph_id"]].append(
            {
                "id": p["id"],
                "kind": p["kind"],
                "delegation": p["delegation__code"],
                "status": p["status"],
                "text": p["text"],
                "version": p["version"],
                "support": pos["support"],
                "objections": pos["objections"],
            }
        )
    for row in (
        RevisionParagraph.objects.filter(revision=revision)
        .order_by("position")
        .values("section_id", "paragraph_id", "label", "kind", "level", "text", "emphasis", "table")
    ):
        by_section[row["section_id"]].append(
            {
                "paragraph": row["paragraph_id"],
                "label": row["label"],
                "kind": row["kind"],
                "level": row["level"],
                "text": row["text"],
                "emphasis": row["emphasis"],
                "table": row["table"],
                "proposals": proposals_by_paragraph.get(row["paragraph_id"], []),
            }
        )
    return {
        "id": revision.pk,
        "declaration": revision.declaration_id,
        "number": revision.number,
        "label": revision.label,
        "note": revision.note,
        "issued_by": revision.issued_by.get_username(),
        "issued_at": revision.issued_at.isoformat(),
        "is_current": current is not None and current.pk == revision.pk,
        "sections": [
            {
                "position": s["position"],
                "kind": s["kind"],
                "heading": s["heading"],
                "paragraphs": by_section[s["id"]],
            }
            for s in sections
        ],
    }


def paragraph_get(*, user: User, paragraph_id: int) -> Paragraph:
    paragraph = Paragraph.objects.select_related("declaration__meeting").filter(pk=paragraph_id).first()
    if paragraph is None:
        raise NotFound(f"Paragraph {paragraph_id} does not exist.")
    require_read(role_in(user, paragraph.declaration.meeting), paragraph.declaration.meeting)
    return paragraph


def paragraph_history(*, paragraph: Paragraph) -> list[dict[str, Any]]:
    """The paragraph in every revision that holds it, oldest first."""
    return [
        {
            "revision": row["revision_id"],
            "revision_label": row["revision__label"],
            "label": row["label"],
            "kind": row["kind"],
            "text": row["text"],
            "emphasis": row["emphasis"],
        }
        for row in RevisionParagraph.objects.filter(paragraph=paragraph)
        .order_by("revision__number")
        .values("revision_id", "revision__label", "label", "kind", "text", "emphasis")
    ]


def proposal_list(*, user: User) -> QuerySet[Proposal]:
    return (
        Proposal.objects.filter(declaration__in=declaration_list(user=user).values("pk"))
        .select_related("delegation", "author", "revision", "decided_by")
        .prefetch_related("positions__delegation")
    )


def proposal_get(*, user: User, proposal_id: int) -> Proposal:
    proposal = (
        Proposal.objects.select_related("declaration__meeting", "delegation", "author", "revision", "decided_by")
        .prefetch_related("positions__delegation")
        .filter(pk=proposal_id)
        .first()
    )
    if proposal is None:
        raise NotFound(f"Proposal {proposal_id} does not exist.")
    require_read(role_in(user, proposal.declaration.meeting), proposal.declaration.meeting)
    return proposal


def event_list(*, user: User) -> QuerySet[Event]:
    readable = meeting_list(user=user).values("pk")
    return Event.objects.filter(meeting__in=readable).select_related("actor", "delegation")
