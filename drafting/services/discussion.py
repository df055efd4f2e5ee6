""" "Now discussing OP5": the chair points the room at one paragraph.

Stored on the declaration (so a page opened later, on any web process, sees
it) and evented; every open page and the projection screen follow it.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from drafting.access import require_ppt
from drafting.errors import InvalidInput
from drafting.models import Declaration, EventVerb, Paragraph
from drafting.services.events import event_record
from drafting.services.locks import declaration_access, declaration_require_drafting
from drafting.states import State


@transaction.atomic
def discussion_set(*, actor: User, declaration: Declaration, paragraph_id: int | None) -> Declaration:
    """The PPT names the paragraph under discussion (``None`` clears it)."""
    declaration, role = declaration_access(user=actor, declaration_id=declaration.pk, lock="update")
    require_ppt(role, "choose the paragraph under discussion")
    declaration_require_drafting(declaration)
    paragraph = None
    if paragraph_id is not None:
        paragraph = (
            Paragraph.objects.filter(pk=paragraph_id, declaration=declaration).exclude(state=State.DELETED).first()
        )
        if paragraph is None:
            raise InvalidInput(
                _("Paragraph %(paragraph_id)s is not in this declaration's working text.")
                % {"paragraph_id": paragraph_id},
                fields={"paragraph": [_("A paragraph of the working text.")]},
            )
    before = {"paragraph": declaration.discussing_id}
    declaration.discussing = paragraph
    declaration.save(update_fields=["discussing"])
    event_record(
        verb=EventVerb.DISCUSSION_SET if paragraph is not None else EventVerb.DISCUSSION_CLEARED,
        actor=actor,
        obj=declaration,
        declaration=declaration,
        paragraph=paragraph,
        before=before,
        after={"paragraph": paragraph_id},
    )
    return declaration
