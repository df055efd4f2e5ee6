"""Texts as plain data: a revision's text, the working text (the current
revision plus what was accepted since), one paragraph's history."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone

from drafting import numbering
from drafting.access import Reader as User
from drafting.access import Role, delegation_of, not_found, require_read, require_read_within, role_given
from drafting.bilingual import MISSING, STALE, other_language, translation_status
from drafting.models import (
    Declaration,
    Meeting,
    Paragraph,
    ParagraphObjection,
    Proposal,
    Revision,
    RevisionParagraph,
    Section,
)
from drafting.prepared import prepared_cursor
from drafting.readmodels import Alternative, ParagraphText, PositionObjection, RevisionText, SectionText, WorkingText
from drafting.selectors.proposals import proposal_summaries
from drafting.states import State


def revision_current(*, declaration: Declaration) -> Revision | None:
    return declaration.revisions.order_by("-number").first()


def _no_proposals() -> dict[str, Any]:
    return {"count": 0, "by_status": {}, "delegations": []}


def _proposal_counts(proposals: QuerySet[Proposal]) -> dict[int, dict[str, Any]]:
    """Per paragraph, the compact summary a text shows in place of its
    proposals: how many, how many in each status, which delegations made
    them. One grouped query."""
    out: dict[int, dict[str, Any]] = {}
    rows = (
        proposals.order_by()
        .values("paragraph_id", "status", "delegation__code")
        .annotate(n=Count("id"))
        .values_list("paragraph_id", "status", "delegation__code", "n")
    )
    for paragraph_id, status, code, n in rows:
        summary = out.setdefault(paragraph_id, {"count": 0, "by_status": {}, "delegations": set()})
        summary["count"] += n
        summary["by_status"][status] = summary["by_status"].get(status, 0) + n
        summary["delegations"].add(code)
    return {
        paragraph_id: {
            "count": s["count"],
            "by_status": dict(sorted(s["by_status"].items())),
            "delegations": sorted(s["delegations"]),
        }
        for paragraph_id, s in out.items()
    }


def revision_text(*, revision: Revision, proposals: str = "summary") -> RevisionText:
    """The whole text of a revision as plain data: sections in order, their
    paragraphs in order, and under each paragraph the proposals written
    against this revision: with ``proposals="inline"`` each with who
    supports and who objects (the exports), by default a compact summary
    (``proposal_summary``: a 200-paragraph text with 2,000 proposals is
    ~100 KB instead of ~1.5 MB; the proposals come paged from
    ``selectors.proposals.revision_proposal_page``); and the proposals
    incorporated in it (accepted since the previous revision), in the order
    they were made.

    Five flat queries whatever the size (sections, paragraphs, proposals,
    positions, incorporated), assembled in Python: a 200-paragraph text with
    2,000 proposals is one round of reads, not thousands.
    """
    current = revision_current(declaration=revision.declaration)
    other = other_language(revision.declaration.original_language)
    sections = list(
        Section.objects.filter(revision=revision)
        .order_by("position")
        .values("id", "position", "kind", "heading", "heading_translation")
    )
    by_section: dict[int, list[ParagraphText]] = {s["id"]: [] for s in sections}
    inline = proposals == "inline"
    against = Proposal.objects.filter(revision=revision)
    proposals_by_paragraph = proposal_summaries(against)[0] if inline else {}
    counts = {} if inline else _proposal_counts(against)
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
            "translation_text",
            "translation_emphasis",
            "translation_table",
            "translation_status",
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
                "translation": {
                    "language": other,
                    "text": row["translation_text"],
                    "emphasis": row["translation_emphasis"],
                    "table": row["translation_table"],
                    "status": row["translation_status"],
                },
            }
        )
        if inline:
            by_section[row["section_id"]][-1]["proposals"] = proposals_by_paragraph.get(row["paragraph_id"], [])
        else:
            by_section[row["section_id"]][-1]["proposal_summary"] = counts.get(row["paragraph_id"]) or _no_proposals()
    return {
        "id": revision.pk,
        "original_language": revision.declaration.original_language,
        "declaration": revision.declaration_id,
        "number": revision.number,
        "label": revision.label,
        "note": revision.note,
        "issued_by": revision.issued_by.get_username(),
        # In the active time zone: the meeting's, when the API reads it (issue 15).
        "issued_at": timezone.localtime(revision.issued_at).isoformat(),
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
                "heading_translation": s["heading_translation"],
                "paragraphs": by_section[s["id"]],
            }
            for s in sections
        ],
    }


def paragraph_current(*, paragraph: Paragraph) -> dict[str, Any]:
    """The paragraph as it stands in the working text, with its other-language
    version (``translation``: text, emphasis, table, status, translation_of)."""
    return {
        "text": paragraph.text,
        "emphasis": paragraph.emphasis,
        "table": paragraph.table,
        "state": paragraph.state,
        "ad_ref": paragraph.ad_ref_delegation.code if paragraph.ad_ref_delegation else None,
        "brackets": paragraph.brackets,
        "inserted": paragraph.inserted,
        "text_version": paragraph.text_version,
        "translation": {
            "language": other_language(paragraph.declaration.original_language),
            "text": paragraph.translation_text,
            "emphasis": paragraph.translation_emphasis,
            "table": paragraph.translation_table,
            "status": translation_status(text_version=paragraph.text_version, translation_of=paragraph.translation_of),
            "translation_of": paragraph.translation_of,
        },
    }


def paragraph_history(*, paragraph: Paragraph) -> list[dict[str, Any]]:
    """The paragraph in every revision that holds it, oldest first, each with
    its other-language version as issued (``translation``)."""
    other = other_language(paragraph.declaration.original_language)
    return [
        {
            "revision": row["revision_id"],
            "revision_label": row["revision__label"],
            "label": row["label"],
            "kind": row["kind"],
            "text": row["text"],
            "emphasis": row["emphasis"],
            "state": row["state"],
            "translation": {
                "language": other,
                "text": row["translation_text"],
                "emphasis": row["translation_emphasis"],
                "status": row["translation_status"],
            },
        }
        for row in RevisionParagraph.objects.filter(paragraph=paragraph)
        .order_by("revision__number")
        .values(
            "revision_id",
            "revision__label",
            "label",
            "kind",
            "text",
            "emphasis",
            "state",
            "translation_text",
            "translation_emphasis",
            "translation_status",
        )
    ]


def translations_behind(*, declaration: Declaration) -> dict[str, Any]:
    """For the Technical Secretariat (issue 15): the paragraphs of the working
    text whose other-language version is missing or stale, in order, with the
    wording to translate and the ``text_version`` to send with the update."""
    text = working_text(declaration=declaration)
    behind: dict[str, list[dict[str, Any]]] = {MISSING: [], STALE: []}
    for section in text["sections"]:
        for p in section["paragraphs"]:
            status = p["translation"]["status"]
            if status in behind:
                behind[status].append(
                    {
                        "paragraph": p["paragraph"],
                        "label": p["label"],
                        "text": p["text"],
                        "text_version": p["text_version"],
                        "translation": p["translation"]["text"],
                    }
                )
    return {
        "declaration": declaration.pk,
        "original_language": declaration.original_language,
        "language": other_language(declaration.original_language),
        "missing": behind[MISSING],
        "stale": behind[STALE],
    }


def working_text(*, declaration: Declaration) -> WorkingText:
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
            "section_heading_translation",
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
            "text_version",
            "translation_text",
            "translation_emphasis",
            "translation_table",
            "translation_of",
        )
    )
    other = other_language(declaration.original_language)
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
    proposals, by_id = proposal_summaries(
        Proposal.objects.filter(
            declaration=declaration,
            status__in=[Proposal.Status.SUBMITTED, Proposal.Status.NEEDS_REFIT, Proposal.Status.CONFLICTED],
        )
    )
    objections: dict[int, list[PositionObjection]] = defaultdict(list)
    for paragraph_id, code, reason in (
        ParagraphObjection.objects.filter(paragraph__declaration=declaration)
        .order_by("id")
        .values_list("paragraph_id", "delegation__code", "reason")
    ):
        objections[paragraph_id].append({"delegation": code, "reason": reason})

    sections: list[SectionText] = []
    for p, label in zip(paragraphs, labels, strict=True):
        key = (p["section_kind"], p["section_heading"])
        if not sections or (sections[-1]["kind"], sections[-1]["heading"]) != key:
            sections.append(
                {
                    "position": len(sections),
                    "kind": key[0],
                    "heading": key[1],
                    "heading_translation": p["section_heading_translation"],
                    "paragraphs": [],
                }
            )
        alternatives: list[Alternative] = [
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
                "text_version": p["text_version"],
                "translation": {
                    "language": other,
                    "text": p["translation_text"],
                    "emphasis": p["translation_emphasis"],
                    "table": p["translation_table"],
                    "status": translation_status(text_version=p["text_version"], translation_of=p["translation_of"]),
                    "translation_of": p["translation_of"],
                },
                "objections": objections.get(p["id"], []),
                "proposals": proposals.get(p["id"], []),
            }
        )
    return {
        "declaration": declaration.pk,
        "status": declaration.status,
        "original_language": declaration.original_language,
        "version": declaration.version,
        "revision": {"id": current.pk, "label": current.label} if current else None,
        "sections": sections,
    }


# --- The head of a text read: version and access in one query (issue 18) ----------
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


@cache
def _text_head_sql(by_revision: bool) -> str:
    revisions, declarations, meetings = (m._meta.db_table for m in (Revision, Declaration, Meeting))
    staff = Meeting.secretariat_staff.through._meta.db_table
    present = Meeting.participants.through._meta.db_table
    select = (
        "SELECT r.id, r.issued_at, d.id, d.version, m.id, m.ppt_id, m.members_only,"
        f" EXISTS(SELECT 1 FROM {staff} s WHERE s.meeting_id = m.id AND s.user_id = %s),"
        f" EXISTS(SELECT 1 FROM {present} p WHERE p.meeting_id = m.id AND p.delegation_id = %s)"
    )
    if by_revision:
        return (
            f"{select} FROM {revisions} r JOIN {declarations} d ON d.id = r.declaration_id"
            f" JOIN {meetings} m ON m.id = d.meeting_id WHERE r.id = %s"
        )
    current = f"(SELECT id FROM {revisions} WHERE declaration_id = d.id ORDER BY number DESC LIMIT 1)"
    return (
        f"{select} FROM {declarations} d JOIN {meetings} m ON m.id = d.meeting_id"
        f" LEFT JOIN {revisions} r ON r.id = {current} WHERE d.id = %s"
    )


def text_head_get(*, user: User, declaration_id: int | None = None, revision_id: int | None = None) -> TextHead:
    """The head of a declaration's current text (``declaration_id``) or of
    one revision (``revision_id``), for a reader who may read it: an unknown
    id raises NotFound, a reader outside the meeting NotAllowed.

    Raw SQL, deliberately: this runs on every read of a text, 304s included,
    and building the equivalent querysets (declaration with its current
    revision, then the role) cost several times the queries themselves
    (bench/RESULTS.md, issue 18); and a prepared statement, as planning it
    cost the database four times running it (drafting/prepared.py). Staff
    and presence are read here, fresh on every request (no cache to
    invalidate); the rules stay in ``access.role_given``."""
    delegation = delegation_of(user)
    by_revision = revision_id is not None
    params = [user.pk or 0, delegation.pk if delegation else 0, (revision_id if by_revision else declaration_id) or 0]
    with prepared_cursor() as cursor:
        cursor.execute(_text_head_sql(by_revision), params)
        row = cursor.fetchone()
    if row is None:
        raise not_found("revision" if by_revision else "declaration")
    rid, issued_at, did, version, meeting_id, ppt_id, members_only, is_staff, is_present = row
    meeting = Meeting(pk=meeting_id, ppt_id=ppt_id, members_only=bool(members_only))
    role = role_given(user, meeting, is_staff=bool(is_staff), present=bool(is_present))
    if revision_id is not None:
        require_read_within(role, "revision")
    else:
        require_read(role, meeting, kind="declaration")
    return TextHead(revision_id=rid, declaration_id=did, version=version, issued_at=_aware(issued_at), role=role)
