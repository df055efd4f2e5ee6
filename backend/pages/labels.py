"""The words the pages show for the domain's codes, in the page's language.

The models' choice labels are the API's (English, stable); these are for
people, translated through ``locale/``.
"""

from __future__ import annotations

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy, pgettext
from django.utils.translation import gettext_lazy as _

from drafting.models import Adoption, AgreedStatement, Declaration, ExportJob, ImportJob, Statement

STATES: dict[str, Promise] = {
    "open": _("Open"),
    "under_discussion": _("Under discussion"),
    "bracketed": _("Bracketed"),
    "agreed_ad_ref": _("Agreed ad ref"),
    "agreed": _("Agreed"),
    "held": _("Held"),
    "reopened": _("Reopened"),
    "deleted": _("Deleted"),
}

ACTIONS: dict[str, Promise] = {
    "open": _("Open"),
    "bracket": _("Bracket"),
    "unbracket": _("Remove brackets"),
    "agree": _("Agree"),
    "agree_ad_ref": _("Agree ad ref"),
    "confirm": _("Confirm"),
    "hold": _("Hold"),
    "resume": _("Resume"),
    "reopen": _("Reopen"),
}

KINDS: dict[str, Promise] = {
    "replace": _("Replace"),
    "insert_after": _("Insert after"),
    "delete": _("Delete"),
    "alternative": _("Alternative"),
}

PROPOSAL_STATUSES: dict[str, Promise] = {
    "submitted": _("Pending"),
    "needs_refit": _("Being re-fitted"),
    "conflicted": _("Conflicts with the new text"),
    "accepted": _("Accepted"),
    "rejected": _("Rejected"),
    "withdrawn": _("Withdrawn"),
    "superseded": _("Superseded"),
    "incorporated": _("Incorporated"),
}


def from_choices(*choices: type[models.Choices], **words: Promise) -> dict[str, Promise]:
    """The models' own labels, translated (their English labels are the
    msgids in ``locale/``), where the pages say the same thing as the API;
    ``words`` where the pages say it otherwise."""
    table: dict[str, Promise] = {}
    for kind in choices:
        table.update({value: gettext_lazy(label) for value, label in kind.choices})
    return {**table, **words}


DECLARATION_STATUSES = from_choices(Declaration.Status)
ADOPTION_METHODS: dict[str, Promise] = {"in_session": _("in session"), "silence": _("silence procedure")}
ADOPTION_STATUSES = from_choices(Adoption.Status, withdrawn=_("Withdrawn"))
JOB_STATUSES = from_choices(ImportJob.Status, ExportJob.Status)
EXPORT_KINDS = from_choices(ExportJob.Kind)
STATEMENT_KINDS = from_choices(Statement.Kind)
# What an import's preview calls its paragraphs and sections (drafting/importing/corrections.py).
IMPORT_PARAGRAPH_KINDS: dict[str, Promise] = {
    "title": _("Title"),
    "place_date": _("Place and date"),
    "preambular": _("Preambular paragraph (PP)"),
    "operative": _("Operative paragraph (OP)"),
    "heading": _("Heading"),
    "text": _("Text"),
    "list_item": _("List item"),
    "table": _("Table"),
}
IMPORT_SECTION_KINDS: dict[str, Promise] = {
    "preamble": _("Preamble"),
    "operative": _("Operative part"),
    "annex": _("Annex"),
}
THEMES = from_choices(AgreedStatement.Theme)
CATEGORIES = from_choices(AgreedStatement.Category)
ORIGINS = from_choices(AgreedStatement.Origin)
DELEGATION_KINDS: dict[str, Promise] = {
    "member_state": _("Member states"),
    "observer_state": _("Observer states"),
    "observer_organization": _("Observer organizations"),
    "civil_society": _("Civil society"),
}

CHANGES: dict[str, Promise] = {
    "unchanged": _("Unchanged"),
    "changed": _("Changed"),
    "inserted": _("Inserted"),
    "deleted": _("Deleted"),
    "moved": _("Moved"),
}


_ZERO_DRAFT = {"zero draft", "proyecto cero"}


def revision_label(label: str) -> str:
    """A revision's label as the page's language writes it: the stored "Zero
    draft" (or an imported "Proyecto cero") reads "Proyecto cero" on a Spanish
    page and "Zero draft" on an English one; "Rev.1" is the same in both; any
    other label (one the Secretariat typed) stays as it was written."""
    if label.strip().lower() in _ZERO_DRAFT:
        return str(pgettext("revision", "Zero draft"))
    return label
