"""Every write to the domain goes through a function here.

Each is keyword-only, typed, atomic, checks the actor's role, locks the rows
it changes in a fixed order (declaration → proposal → position), and records
an :class:`~drafting.models.Event`.
"""

from drafting.services.declarations import declaration_create
from drafting.services.events import event_record
from drafting.services.proposals import (
    position_set,
    position_withdraw,
    proposal_decide,
    proposal_submit,
    proposal_withdraw,
)
from drafting.services.revisions import revision_issue

__all__ = [
    "declaration_create",
    "event_record",
    "position_set",
    "position_withdraw",
    "proposal_decide",
    "proposal_submit",
    "proposal_withdraw",
    "revision_issue",
]
