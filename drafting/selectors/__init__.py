"""Every read of the domain goes through a function here.

Each is keyword-only and typed. The ones taking a ``user`` return only what
that user may see; fetching one object the user may not read raises
:class:`~drafting.errors.NotAllowed` (403) and an unknown id
:class:`~drafting.errors.NotFound` (404). The modules mirror
``drafting/services/``: ``access`` (reading with authorisation), ``texts``,
``proposals``, ``adoption``, ``events``, ``jobs``, ``diffs``, ``exports``
(plain data for the Word documents) and ``library``.
"""

from drafting.selectors.access import (
    declaration_get,
    declaration_list,
    meeting_get,
    meeting_list,
    paragraph_get,
    revision_get,
    revision_list,
)
from drafting.selectors.adoption import adoption_current, statement_list
from drafting.selectors.diffs import proposal_preview, revision_compare
from drafting.selectors.events import (
    PARAGRAPH_LOCAL_VERBS,
    declaration_last_event,
    event_list,
    paragraphs_changed_since,
)
from drafting.selectors.exports import declaration_document, negotiation_record, revision_pair
from drafting.selectors.jobs import export_job_list, job_error
from drafting.selectors.library import (
    LibraryFilters,
    library_near,
    library_search,
    library_statement_get,
    paragraph_agreed_language,
)
from drafting.selectors.proposals import proposal_get, proposal_list, revision_proposal_page, revision_proposals
from drafting.selectors.texts import (
    TextHead,
    paragraph_current,
    paragraph_history,
    revision_current,
    revision_text,
    text_head_get,
    translations_behind,
    working_text,
)

__all__ = [
    "PARAGRAPH_LOCAL_VERBS",
    "LibraryFilters",
    "TextHead",
    "adoption_current",
    "declaration_document",
    "declaration_get",
    "declaration_last_event",
    "declaration_list",
    "event_list",
    "export_job_list",
    "job_error",
    "library_near",
    "library_search",
    "library_statement_get",
    "meeting_get",
    "meeting_list",
    "negotiation_record",
    "paragraph_agreed_language",
    "paragraph_current",
    "paragraph_get",
    "paragraph_history",
    "paragraphs_changed_since",
    "proposal_get",
    "proposal_list",
    "proposal_preview",
    "revision_compare",
    "revision_current",
    "revision_get",
    "revision_list",
    "revision_pair",
    "revision_proposal_page",
    "revision_proposals",
    "revision_text",
    "statement_list",
    "text_head_get",
    "translations_behind",
    "working_text",
]
