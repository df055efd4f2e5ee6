"""Models hold fields and constraints only; behaviour lives in services."""

from drafting.models.events import Event
from drafting.models.organisation import Delegate, Delegation, Meeting
from drafting.models.proposals import Position, Proposal
from drafting.models.texts import Declaration, Paragraph, Revision, RevisionParagraph, Section

__all__ = [
    "Declaration",
    "Delegate",
    "Delegation",
    "Event",
    "Meeting",
    "Paragraph",
    "Position",
    "Proposal",
    "Revision",
    "RevisionParagraph",
    "Section",
]
