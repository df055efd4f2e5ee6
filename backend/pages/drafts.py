"""What the text page carries between a refused form and the page it comes
back to, and how the pages name a proposal to people.

A refused proposal (400 or 409 from the service) must not lose the wording a
delegate typed: the form's fields are kept in the session for the one page
that follows (Post/Redirect/Get, as Django's messages are), and the
paragraph's editor shows them again with the refusal beside the field.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from backend.pages import present
from drafting.models import Declaration, Paragraph, Proposal

SESSION_KEY = "consenso.draft"
FIELDS = ("kind", "text", "rationale")


def draft_keep(request: HttpRequest, *, paragraph_id: int, typed: dict[str, str], error: str) -> None:
    request.session[SESSION_KEY] = {
        "paragraph": paragraph_id,
        **{k: str(typed.get(k, ""))[:200_000] for k in FIELDS},
        "error": error,
    }


def draft_pop(request: HttpRequest) -> dict[str, Any] | None:
    """The refused draft, once: the page that shows it consumes it."""
    draft = request.session.pop(SESSION_KEY, None)
    return draft if isinstance(draft, dict) and isinstance(draft.get("paragraph"), int) else None


def paragraph_label_of(paragraph: Paragraph | Proposal) -> str:
    """A paragraph's label in the working text as the pages show it (OP3,
    OP3 bis), read from the per-process copy of the working text; for a
    proposal, its paragraph's."""
    paragraph_id = paragraph.paragraph_id if isinstance(paragraph, Proposal) else paragraph.pk
    declaration = Declaration.objects.get(pk=paragraph.declaration_id)  # its current version
    for section in present.working_text(declaration)["sections"]:
        for p in section["paragraphs"]:
            if p["paragraph"] == paragraph_id:
                return str(p["label"] or "¶")
    return "¶"


def proposal_name(proposal: Proposal) -> str:
    """A proposal as people call it: "MEX's proposal on OP3"."""
    return _("%(delegation)s's proposal on %(label)s") % {
        "delegation": proposal.delegation.code,
        "label": paragraph_label_of(proposal),
    }
