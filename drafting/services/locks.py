"""Row locks, always taken in the same order (declaration, then proposal,
then position) so that two services never wait on each other in a cycle.

``select_for_update`` is a no-op on SQLite; there the settings make every
transaction BEGIN IMMEDIATE, which serialises writers on the whole database.
"""

from __future__ import annotations

from django.db.models import F

from drafting.access import not_found
from drafting.errors import Conflict
from drafting.models import Declaration, Proposal


def declaration_lock(declaration_id: int) -> Declaration:
    try:
        return Declaration.objects.select_for_update().select_related("meeting").get(pk=declaration_id)
    except Declaration.DoesNotExist as exc:
        raise not_found("declaration") from exc


def declaration_require_drafting(declaration: Declaration) -> None:
    if declaration.status == Declaration.Status.ADOPTED:
        raise Conflict("The declaration has been adopted; its text is frozen.")
    if declaration.status == Declaration.Status.SILENCE_PROCEDURE:
        raise Conflict("The declaration is under a silence procedure; negotiation is closed.")
    if declaration.status == Declaration.Status.IN_ADOPTION:
        raise Conflict("The text is before the room for adoption; negotiation is closed unless the PPT withdraws it.")


def declaration_touch(declaration: Declaration) -> None:
    """Mark that what readers see of the declaration changed (see Declaration.version)."""
    Declaration.objects.filter(pk=declaration.pk).update(version=F("version") + 1)


def proposal_lock(proposal_id: int) -> tuple[Declaration, Proposal]:
    declaration_id = Proposal.objects.filter(pk=proposal_id).values_list("declaration_id", flat=True).first()
    if declaration_id is None:
        raise not_found("proposal")
    declaration = declaration_lock(declaration_id)
    proposal = Proposal.objects.select_for_update().select_related("delegation").get(pk=proposal_id)
    return declaration, proposal
