"""Proposals: the ones a user may read, and the compact summaries (with who
supports and who objects) that the texts show under each paragraph."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import QuerySet

from drafting.access import Reader as User
from drafting.access import not_found, require_read_within, role_in
from drafting.library.citation import citation
from drafting.models import Position, Proposal
from drafting.readmodels import PositionObjection, ProposalSummary
from drafting.selectors.access import declaration_list


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


Positions = tuple[list[str], list[PositionObjection], list[str]]


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


def proposal_summaries(
    proposals: QuerySet[Proposal],
) -> tuple[dict[int, list[ProposalSummary]], dict[int, ProposalSummary]]:
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
        "language",
    )
    positions = _positions_by_proposal(proposals)
    by_paragraph: dict[int, list[ProposalSummary]] = defaultdict(list)
    by_id: dict[int, ProposalSummary] = {}
    nobody: Positions = ([], [], [])
    for pk, paragraph_id, kind, code, status, text, version, refit, source, year, label, language in rows:
        support, objections, on_earlier = positions.get(pk, nobody)
        summary: ProposalSummary = {
            "id": pk,
            "kind": kind,
            "delegation": code,
            "status": status,
            "text": text,
            "language": language,  # "" = the declaration's original language (issue 15)
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


def revision_proposals(*, revision_id: int, paragraph_id: int | None = None) -> QuerySet[Proposal]:
    """The proposals written against a revision (on one paragraph), in the
    order they were made: what a text shows under its paragraphs, to page."""
    proposals = Proposal.objects.filter(revision_id=revision_id)
    if paragraph_id is not None:
        proposals = proposals.filter(paragraph_id=paragraph_id)
    return proposals.order_by("id")


def revision_proposal_page(*, proposal_ids: list[int]) -> list[dict[str, Any]]:
    """The compact proposals (as a text shows them inline, with their
    paragraph), in the order of ``proposal_ids``. Two queries."""
    by_paragraph, _ = proposal_summaries(Proposal.objects.filter(pk__in=proposal_ids))
    by_id = {item["id"]: {**item, "paragraph": pid} for pid, items in by_paragraph.items() for item in items}
    return [by_id[pk] for pk in proposal_ids if pk in by_id]
