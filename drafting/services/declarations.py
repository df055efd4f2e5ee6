from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from drafting.access import require_secretariat, role_in
from drafting.errors import InvalidInput
from drafting.models import Declaration, EventVerb, Meeting
from drafting.services.events import event_record
from drafting.textnorm import clean_text


@transaction.atomic
def declaration_create(
    *,
    actor: User,
    meeting: Meeting,
    title: str,
    kind: str = Declaration.Kind.DECLARATION,
    original_language: str = "es",
) -> Declaration:
    require_secretariat(role_in(actor, meeting), "create declarations")
    title = clean_text(title, field="title", max_chars=500, multiline=False)
    if kind not in Declaration.Kind.values:
        raise InvalidInput(
            _("Unknown kind."),
            fields={"kind": [_("Choose one of %(choices)s.") % {"choices": Declaration.Kind.values}]},
        )
    if original_language not in ("es", "en"):
        raise InvalidInput(_("Unknown language."), fields={"original_language": [_("es or en.")]})
    declaration = Declaration.objects.create(
        meeting=meeting,
        title=title,
        kind=kind,
        original_language=original_language,
        created_by=actor,
        version=0,  # the creation's event makes it 1 (migration 0013's trigger)
    )
    event_record(
        verb=EventVerb.DECLARATION_CREATED,
        actor=actor,
        obj=declaration,
        declaration=declaration,
        after={"title": title, "kind": kind, "original_language": original_language},
    )
    return declaration
