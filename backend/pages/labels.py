"""The words the pages show for the domain's codes, in the page's language.

The models' choice labels are the API's (English, stable); these are for
people, translated through ``locale/``.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

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

DECLARATION_STATUSES: dict[str, Promise] = {
    "drafting": _("Drafting"),
    "in_adoption": _("Adoption under way"),
    "silence_procedure": _("Under silence procedure"),
    "adopted": _("Adopted"),
}

ADOPTION_METHODS: dict[str, Promise] = {"in_session": _("in session"), "silence": _("silence procedure")}

ADOPTION_STATUSES: dict[str, Promise] = {
    "pending": _("Pending"),
    "adopted": _("Adopted"),
    "broken": _("Silence broken"),
    "withdrawn": _("Withdrawn"),
}

JOB_STATUSES: dict[str, Promise] = {
    "queued": _("Queued"),
    "running": _("Running"),
    "ready": _("Preview ready"),
    "confirmed": _("Confirmed"),
    "done": _("Done"),
    "failed": _("Failed"),
}

EXPORT_KINDS: dict[str, Promise] = {
    "clean": _("Clean declaration"),
    "compilation": _("Compilation text"),
    "tracked": _("Tracked changes"),
    "record": _("Negotiation record"),
}

STATEMENT_KINDS: dict[str, Promise] = {"reservation": _("Reservation"), "explanation": _("Explanation of position")}

CHANGES: dict[str, Promise] = {
    "unchanged": _("Unchanged"),
    "changed": _("Changed"),
    "inserted": _("Inserted"),
    "deleted": _("Deleted"),
    "moved": _("Moved"),
}
