"""Texts as plain data: a revision's text, the working text (the current
revision plus what was accepted since), one paragraph's history."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from drafting import numbering
from drafting.models import Declaration, Paragraph, ParagraphObjection, Proposal, Revision, RevisionParagraph, Section
from drafting.selectors.proposals import proposal_summaries
from drafting.states import State


def revision_current(*, declaration: Declaration) -> Revision | None:
    return declaration.revisions.order_by("-number").first()


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
    proposals_by_paragraph, _ = proposal_summaries(Proposal.objects.filter(revision=revision))
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
    proposals, by_id = proposal_summaries(
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
