"""Reads. Every selector takes the reading user and returns only what that
user may see; fetching one object the user may not read raises what
``drafting.access`` says (an unknown id and an id inside a meeting the user
may not read: the same :class:`NotFound`)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from drafting import numbering
from drafting.access import Reader as User
from drafting.access import Role, delegation_of, not_found, require_read, require_read_within, role_in
from drafting.library.citation import citation
from drafting.models import (
    Adoption,
    Declaration,
    Delegation,
    Event,
    ExportJob,
    Meeting,
    Paragraph,
    ParagraphObjection,
    Position,
    Proposal,
    Revision,
    RevisionParagraph,
    Section,
    Statement,
)
from drafting.states import State


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
        raise not_found("meeting")
    role = role_in(user, meeting)
    require_read(role, meeting, kind="meeting")
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
        raise not_found("declaration")
    role = role_in(user, declaration.meeting)
    require_read(role, declaration.meeting, kind="declaration")
    return declaration, role


def revision_current(*, declaration: Declaration) -> Revision | None:
    return declaration.revisions.order_by("-number").first()


def revision_list(*, user: User) -> QuerySet[Revision]:
    return Revision.objects.filter(declaration__in=declaration_list(user=user).values("pk")).select_related("issued_by")


def revision_get(*, user: User, revision_id: int) -> Revision:
    revision = Revision.objects.select_related("declaration__meeting", "issued_by").filter(pk=revision_id).first()
    if revision is None:
        raise not_found("revision")
    require_read_within(role_in(user, revision.declaration.meeting), "revision")
    return revision


Positions = tuple[list[str], list[dict[str, str]], list[str]]


def _positions_by_proposal(proposals: QuerySet[Proposal]) -> dict[int, Positions]:
    """(supporters, objections, delegations whose position was given on an
    earlier wording) per proposal id, in one query joined on the proposals'
    own filter (a subquery, not thousands of bound ids)."""
    out: dict[int, Positions] = {}
    rows = (
        Position.objects.filter(proposal__in=proposals.values("pk"))
        .order_by("id")
        .values_list("proposal_id", "delegation__code", "stance", "reason", "earlier_wording")
    )
    for proposal_id, code, stance, reason, earlier in rows:
        support, objections, on_earlier = out.setdefault(proposal_id, ([], [], []))
        if stance == Position.Stance.SUPPORT:
            support.append(code)
        else:
            objections.append({"delegation": code, "reason": reason})
        if earlier:
            on_earlier.append(code)
    return out


def _refit_summary(refit: dict[str, Any] | None) -> dict[str, Any] | None:
    """What the room needs of a proposal's last re-fit: how it went and after
    whose accepted proposal (none for a revision), and for a conflict the
    engine's unverified best effort on the current wording."""
    if not refit:
        return None
    summary = {key: refit.get(key) for key in ("status", "by_proposal", "by_delegation")}
    if refit.get("status") == "conflicted":
        summary["best_effort_text"] = refit.get("best_effort_text")
    return summary


def revision_text(*, revision: Revision) -> dict[str, Any]:
    """The whole text of a revision as plain data: sections in order, their
    paragraphs in order, and under each paragraph the proposals written
    against this revision with who supports and who objects; and the
    proposals incorporated in it (accepted since the previous revision), in
    the order they were made.

    Five flat queries whatever the size (sections, paragraphs, proposals,
    positions, incorporated), assembled in Python: a 200-paragraph text with
    2,000 proposals is one round of reads, not thousands.
    """
    current = revision_current(declaration=revision.declaration)
    sections = list(
        Section.objects.filter(revision=revision).order_by("position").values("id", "position", "kind", "heading")
    )
    by_section: dict[int, list[dict[str, Any]]] = {s["id"]: [] for s in sections}
    proposals_by_paragraph, _ = _proposal_summaries(Proposal.objects.filter(revision=revision))
    for row in (
        RevisionParagraph.objects.filter(revision=revision)
        .order_by("position")
        .values(
            "section_id",
            "paragraph_id",
            "label",
            "kind",
            "level",
            "text",
            "emphasis",
            "table",
            "state",
            "ad_ref_delegation__code",
            "brackets",
        )
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
                "state": row["state"],
                "ad_ref": row["ad_ref_delegation__code"],
                "brackets": row["brackets"],
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
        "incorporated": [
            {"proposal": pk, "delegation": code, "paragraph": paragraph_id}
            for pk, code, paragraph_id in Proposal.objects.filter(incorporated_in=revision)
            .order_by("id")
            .values_list("id", "delegation__code", "paragraph_id")
        ],
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
    paragraph = (
        Paragraph.objects.select_related("declaration__meeting", "ad_ref_delegation").filter(pk=paragraph_id).first()
    )
    if paragraph is None:
        raise not_found("paragraph")
    require_read_within(role_in(user, paragraph.declaration.meeting), "paragraph")
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
            "state": row["state"],
        }
        for row in RevisionParagraph.objects.filter(paragraph=paragraph)
        .order_by("revision__number")
        .values("revision_id", "revision__label", "label", "kind", "text", "emphasis", "state")
    ]


def proposal_list(*, user: User) -> QuerySet[Proposal]:
    return (
        Proposal.objects.filter(declaration__in=declaration_list(user=user).values("pk"))
        .select_related("delegation", "author", "revision", "decided_by", "source_statement")
        .prefetch_related("positions__delegation")
    )


def proposal_get(*, user: User, proposal_id: int) -> Proposal:
    proposal = (
        Proposal.objects.select_related(
            "declaration__meeting", "delegation", "author", "revision", "decided_by", "source_statement"
        )
        .prefetch_related("positions__delegation")
        .filter(pk=proposal_id)
        .first()
    )
    if proposal is None:
        raise not_found("proposal")
    require_read_within(role_in(user, proposal.declaration.meeting), "proposal")
    return proposal


def event_list(*, user: User) -> QuerySet[Event]:
    readable = meeting_list(user=user).values("pk")
    return Event.objects.filter(meeting__in=readable).select_related("actor", "delegation")


def _proposal_summaries(
    proposals: QuerySet[Proposal],
) -> tuple[dict[int, list[dict[str, Any]]], dict[int, dict[str, Any]]]:
    """Compact proposals (with who supports and who objects) grouped by
    paragraph, and the same keyed by proposal id. Two queries."""
    rows = proposals.order_by("id").values_list(
        "id",
        "paragraph_id",
        "kind",
        "delegation__code",
        "status",
        "text",
        "version",
        "refit",
        "source_statement__meeting_label",
        "source_statement__year",
        "source_statement__paragraph_label",
    )
    positions = _positions_by_proposal(proposals)
    by_paragraph: dict[int, list[dict[str, Any]]] = defaultdict(list)
    by_id: dict[int, dict[str, Any]] = {}
    nobody: Positions = ([], [], [])
    for pk, paragraph_id, kind, code, status, text, version, refit, source, year, label in rows:
        support, objections, on_earlier = positions.get(pk, nobody)
        summary = {
            "id": pk,
            "kind": kind,
            "delegation": code,
            "status": status,
            "text": text,
            "version": version,
            "support": support,
            "objections": objections,
            "earlier_wording": on_earlier,
            "refit": _refit_summary(refit),
            # The agreed language it reuses: "XXI RCM (2016), Decision 12".
            "agreed_language": citation(meeting=source, year=year, paragraph=label) if source else None,
        }
        by_paragraph[paragraph_id].append(summary)
        by_id[pk] = summary
    return by_paragraph, by_id


def working_text(*, declaration: Declaration) -> dict[str, Any]:
    """The working text: the current revision plus what the PPT accepted
    since, each paragraph with its negotiation state, brackets, alternative
    options (Alt 1, Alt 2 …), standing objections and pending proposals.
    Paragraphs inserted since the revision carry bis/ter labels. A fixed
    handful of queries whatever the size."""
    current = revision_current(declaration=declaration)
    paragraphs = list(
        Paragraph.objects.filter(declaration=declaration)
        .exclude(state=State.DELETED)
        .order_by("position", "id")
        .values(
            "id",
            "section_kind",
            "section_heading",
            "kind",
            "level",
            "text",
            "emphasis",
            "table",
            "inserted",
            "state",
            "ad_ref_delegation__code",
            "brackets",
            "alternatives",
        )
    )
    labels = numbering.labels(
        [
            numbering.Slot(
                kind=p["kind"],
                section=p["section_heading"] or Section.Kind(p["section_kind"]).label,
                inserted=p["inserted"],
            )
            for p in paragraphs
        ]
    )
    proposals, by_id = _proposal_summaries(
        Proposal.objects.filter(
            declaration=declaration,
            status__in=[Proposal.Status.SUBMITTED, Proposal.Status.NEEDS_REFIT, Proposal.Status.CONFLICTED],
        )
    )
    objections: dict[int, list[dict[str, str]]] = defaultdict(list)
    for paragraph_id, code, reason in (
        ParagraphObjection.objects.filter(paragraph__declaration=declaration)
        .order_by("id")
        .values_list("paragraph_id", "delegation__code", "reason")
    ):
        objections[paragraph_id].append({"delegation": code, "reason": reason})

    sections: list[dict[str, Any]] = []
    for p, label in zip(paragraphs, labels, strict=True):
        key = (p["section_kind"], p["section_heading"])
        if not sections or (sections[-1]["kind"], sections[-1]["heading"]) != key:
            sections.append({"position": len(sections), "kind": key[0], "heading": key[1], "paragraphs": []})
        alternatives = [
            {
                "option": f"Alt {n}",
                "proposal": pid,
                "delegation": by_id[pid]["delegation"],
                "kind": by_id[pid]["kind"],
                "text": by_id[pid]["text"],
            }
            for n, pid in enumerate((pid for pid in p["alternatives"] if pid in by_id), start=1)
        ]
        sections[-1]["paragraphs"].append(
            {
                "paragraph": p["id"],
                "label": label,
                "kind": p["kind"],
                "level": p["level"],
                "text": p["text"],
                "emphasis": p["emphasis"],
                "table": p["table"],
                "inserted": p["inserted"],
                "state": p["state"],
                "ad_ref": p["ad_ref_delegation__code"],
                "brackets": p["brackets"],
                "alternatives": alternatives,
                "objections": objections.get(p["id"], []),
                "proposals": proposals.get(p["id"], []),
            }
        )
    return {
        "declaration": declaration.pk,
        "status": declaration.status,
        "version": declaration.version,
        "revision": {"id": current.pk, "label": current.label} if current else None,
        "sections": sections,
    }


def adoption_current(*, declaration: Declaration) -> dict[str, Any] | None:
    """The latest adoption attempt (pending, adopted, broken or withdrawn),
    with objections, statements on record and the time left under silence."""
    adoption = (
        Adoption.objects.filter(declaration=declaration)
        .select_related("revision", "ppt")
        .prefetch_related("present", "objections__delegation", "statements__delegation")
        .order_by("-id")
        .first()
    )
    if adoption is None:
        return None
    seconds_left = None
    if adoption.deadline is not None and adoption.status == Adoption.Status.PENDING:
        seconds_left = max(0, int((adoption.deadline - timezone.now()).total_seconds()))
    return {
        "id": adoption.pk,
        "method": adoption.method,
        "status": adoption.status,
        "revision": {"id": adoption.revision_id, "label": adoption.revision.label},
        "proposed_at": adoption.proposed_at.isoformat(),
        "deadline": adoption.deadline.isoformat() if adoption.deadline else None,
        "seconds_left": seconds_left,
        "concluded_at": adoption.concluded_at.isoformat() if adoption.concluded_at else None,
        "place": adoption.place,
        "ppt": adoption.ppt.code,
        "present": sorted(d.code for d in adoption.present.all()),
        "objections": [
            {"delegation": o.delegation.code, "reason": o.reason, "at": o.created_at.isoformat()}
            for o in adoption.objections.all()
        ],
        "statements": [
            {
                "id": st.pk,
                "kind": st.kind,
                "delegation": st.delegation.code,
                "paragraph": st.paragraph_id,
                "text": st.text,
            }
            for st in adoption.statements.all()
        ],
    }


def statement_list(*, declaration: Declaration) -> QuerySet[Statement]:
    return Statement.objects.filter(declaration=declaration).select_related("delegation", "adoption")


def export_job_list(*, user: User) -> QuerySet[ExportJob]:
    """Export jobs of the declarations the user may read; those of the
    adopted text only for the meeting's Secretariat."""
    jobs = ExportJob.objects.select_related("revision", "base_revision", "requested_by")
    if getattr(user, "is_superuser", False):
        return jobs.all()
    readable = jobs.filter(declaration__in=declaration_list(user=user).values("pk"))
    staffed = Meeting.objects.filter(secretariat_staff=user.pk).values("pk")
    return readable.filter(Q(secretariat_only=False) | Q(declaration__meeting__in=staffed))


# Changes confined to one paragraph's own display (its proposals, positions,
# objections, state): a page may re-render just that paragraph. Anything else
# (an accepted proposal renumbers, a revision, adoption, "now discussing")
# needs the whole page.
PARAGRAPH_LOCAL_VERBS = frozenset(
    {
        "proposal.submitted",
        "proposal.supported",
        "proposal.objected",
        "position.withdrawn",
        "proposal.withdrawn",
        "proposal.rejected",
        "paragraph.objected",
        "paragraph.objection_withdrawn",
    }
)


def declaration_last_event(*, declaration_id: int) -> int:
    """The id of the declaration's latest event (0 if none): read it *before*
    the text a page shows, so that the page never claims a change it lacks."""
    return Event.objects.filter(declaration_id=declaration_id).order_by("-id").values_list("id", flat=True).first() or 0


def paragraphs_changed_since(*, declaration: Declaration, event_id: int) -> tuple[int, set[int] | None]:
    """The latest event id, and the paragraphs whose display changed after
    ``event_id``: None when something beyond single paragraphs changed."""
    rows = list(
        Event.objects.filter(declaration=declaration, id__gt=event_id).values_list("id", "verb", "paragraph_id")
    )
    last = max((r[0] for r in rows), default=event_id)
    if any(verb not in PARAGRAPH_LOCAL_VERBS or paragraph is None for _, verb, paragraph in rows):
        return last, None
    return last, {paragraph for _, _, paragraph in rows}
