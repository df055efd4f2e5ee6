"""Proposals: the ones a user may read, and the compact summaries (with who
supports and who objects) that the texts show under each paragraph."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import QuerySet

from drafting.access import Reader as User
from drafting.access import require_read, role_in
from drafting.errors import NotFound
from drafting.library.citation import citation
from drafting.models import Position, Proposal
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
        raise NotFound(f"Proposal {proposal_id} does not exist.")
    require_read(role_in(user, proposal.declaration.meeting), proposal.declaration.meeting)
    return proposal


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


def proposal_summaries(
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
