"""Every write to the domain goes through a function here.

Each is keyword-only, typed, atomic, checks the actor's role, locks the rows
it changes in a fixed order (declaration → paragraph → proposal → position),
and records an :class:`~drafting.models.Event`.
"""

from drafting.services.adoption import (
    adoption_adopt,
    adoption_object,
    adoption_objection_withdraw,
    adoption_propose,
    adoption_withdraw,
    silence_break,
    silence_conclude,
    silence_due,
    silence_launch,
    statement_record,
)
from drafting.services.declarations import declaration_create
from drafting.services.events import event_record
from drafting.services.export_jobs import (
    export_job_fail,
    export_job_get,
    export_job_mark_dispatched,
    export_job_request,
    export_job_run,
    export_jobs_to_redispatch,
)
from drafting.services.import_jobs import (
    import_job_confirm,
    import_job_correct,
    import_job_create,
    import_job_fail,
    import_job_get,
    import_job_run,
    import_jobs_to_redispatch,
)
from drafting.services.library import (
    library_feed_adopted,
    library_import_seed004,
    library_proposal_submit,
    library_statement_update,
)
from drafting.services.lockouts import lockout_list, lockout_reset
from drafting.services.paragraphs import (
    paragraph_act,
    paragraph_bracket,
    paragraph_object,
    paragraph_objection_withdraw,
)
from drafting.services.proposals import (
    position_set,
    position_withdraw,
    proposal_decide,
    proposal_submit,
    proposal_withdraw,
)
from drafting.services.revisions import revision_issue, revision_issue_from_working_text
from drafting.services.tokens import token_issue, token_list, token_revoke
from drafting.services.translations import translation_update, translator_set

__all__ = [
    "adoption_adopt",
    "adoption_object",
    "adoption_objection_withdraw",
    "adoption_propose",
    "adoption_withdraw",
    "declaration_create",
    "event_record",
    "export_job_fail",
    "export_job_get",
    "export_job_mark_dispatched",
    "export_job_request",
    "export_job_run",
    "export_jobs_to_redispatch",
    "import_job_confirm",
    "import_job_correct",
    "import_job_create",
    "import_job_fail",
    "import_job_get",
    "import_job_run",
    "import_jobs_to_redispatch",
    "library_feed_adopted",
    "library_import_seed004",
    "library_proposal_submit",
    "library_statement_update",
    "lockout_list",
    "lockout_reset",
    "paragraph_act",
    "paragraph_bracket",
    "paragraph_object",
    "paragraph_objection_withdraw",
    "position_set",
    "position_withdraw",
    "proposal_decide",
    "proposal_submit",
    "proposal_withdraw",
    "revision_issue",
    "revision_issue_from_working_text",
    "silence_break",
    "silence_conclude",
    "silence_due",
    "silence_launch",
    "statement_record",
    "token_issue",
    "token_list",
    "token_revoke",
    "translation_update",
    "translator_set",
]
