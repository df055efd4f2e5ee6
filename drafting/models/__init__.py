"""Models hold fields and constraints only; behaviour lives in services."""

from drafting.models.adoption import Adoption, AdoptionObjection, Statement
from drafting.models.events import Event, EventVerb
from drafting.models.export_jobs import ExportJob
from drafting.models.import_jobs import ImportJob
from drafting.models.library import AgreedStatement
from drafting.models.organisation import Delegate, Delegation, Meeting
from drafting.models.proposals import ParagraphObjection, Position, Proposal
from drafting.models.texts import Declaration, Paragraph, Revision, RevisionParagraph, Section
from drafting.models.tokens import ApiToken, SignInLink

__all__ = [
    "Adoption",
    "AdoptionObjection",
    "AgreedStatement",
    "ApiToken",
    "Declaration",
    "Delegate",
    "Delegation",
    "Event",
    "EventVerb",
    "ExportJob",
    "ImportJob",
    "Meeting",
    "Paragraph",
    "ParagraphObjection",
    "Position",
    "Proposal",
    "Revision",
    "RevisionParagraph",
    "Section",
    "SignInLink",
    "Statement",
]
