"""Adoption: the latest attempt and the statements on record."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from drafting.models import Adoption, Declaration, Statement


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
