"""The other language's version of a declaration (issue 15).

The PPT decides on the text in the declaration's original language. Every
change of that wording bumps the paragraph's ``text_version`` (accepting a
proposal: ``working_text.proposal_apply``; issuing a revision with new
wording: ``revisions._reset_working_text``), which leaves exactly that
paragraph's translation stale until the Technical Secretariat, or a
translator it named for the meeting, brings it in line here. The update is
linked on the record to the accepted proposals it catches up with, so the
record shows both: the change of the original and its rendering.

A revision's original text never changes once issued; its other-language
version may be completed after issue: when a translation is brought in line
while the paragraph's original still reads as in the current revision, that
revision's row is updated too (status ``current``), so the revision can go to
adoption without issuing another one only to carry the translation.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from drafting.access import require_secretariat, require_translator, role_in
from drafting.bilingual import CURRENT, other_language, translation_status
from drafting.errors import Conflict, InvalidInput
from drafting.models import Event, EventVerb, Meeting, Paragraph, Proposal, RevisionParagraph
from drafting.models.texts import ParagraphKind
from drafting.services.events import event_record
from drafting.services.locks import declaration_require_drafting, declaration_touch
from drafting.services.paragraphs import paragraph_lock
from drafting.states import State
from drafting.textnorm import clean_emphasis, clean_text


@transaction.atomic
def translator_set(*, actor: User, meeting: Meeting, user: User, named: bool = True) -> None:
    """The Technical Secretariat names (or stops naming) ``user`` a translator
    for ``meeting``. Naming twice, or removing someone not named, changes nothing."""
    require_secretariat(role_in(actor, meeting), "name translators")
    through = Meeting.translators.through.objects.filter(meeting_id=meeting.pk, user_id=user.pk)
    if named == through.exists():
        return
    if named:
        meeting.translators.add(user)
    else:
        meeting.translators.remove(user)
    event_record(
        verb=EventVerb.MEETING_TRANSLATOR_NAMED if named else EventVerb.MEETING_TRANSLATOR_REMOVED,
        actor=actor,
        obj=meeting,
        meeting=meeting,
        after={"user": user.get_username()},
    )


def _clean_translation(
    paragraph: Paragraph, text: str, emphasis: list[dict[str, Any]] | None, table: Any
) -> tuple[str, list[Any], list[list[str]] | None]:
    limit = settings.CONSENSO_MAX_PARAGRAPH_CHARS
    if paragraph.kind == ParagraphKind.TABLE:
        original = paragraph.table or []
        shape = [len(row) for row in original]
        if (
            not isinstance(table, list)
            or not all(isinstance(row, list) for row in table)
            or [len(row) for row in table] != shape
        ):
            raise InvalidInput(
                _("A table's translation has the rows and cells of the original."),
                fields={"table": [_("%(rows)s rows of %(shape)s cells.") % {"rows": len(shape), "shape": shape}]},
            )
        cells = [[clean_text(c, field="table", max_chars=limit, allow_empty=True) for c in row] for row in table]
        joined = "\n".join("\t".join(row) for row in cells)
        if len(joined) > limit:
            raise InvalidInput(_("The table's translation is too long."), fields={"table": [_("Too long.")]})
        return joined, [], cells
    if table is not None:
        raise InvalidInput(_("Only a table paragraph has a table."), fields={"table": [_("Leave empty.")]})
    cleaned = clean_text(text, field="text", max_chars=limit)
    return cleaned, list(clean_emphasis(emphasis, original=text, cleaned=cleaned, field="emphasis")), None


def _caught_up(paragraph: Paragraph) -> list[int]:
    """Ids of the accepted proposals whose change of the original this
    translation now renders: those applied since the version last translated."""
    since = paragraph.translation_of or 0
    changes = Event.objects.filter(
        paragraph=paragraph, verb=EventVerb.PARAGRAPH_CHANGED, proposal__isnull=False
    ).values_list("proposal_id", "after")
    return sorted(pid for pid, after in changes if (after or {}).get("text_version", 0) > since)


@transaction.atomic
def translation_update(
    *,
    actor: User,
    paragraph_id: int,
    text_version: int,
    text: str = "",
    emphasis: list[dict[str, Any]] | None = None,
    table: Any = None,
) -> Paragraph:
    """Bring a paragraph's other-language version in line with its original.

    ``text_version`` is the version of the original the translator rendered
    (as read from the API): if the original changed since, the update is
    refused (409) rather than marking a translation of older wording current."""
    declaration, paragraph = paragraph_lock(paragraph_id)
    meeting = declaration.meeting
    require_translator(actor, role_in(actor, meeting), meeting, "update translations")
    declaration_require_drafting(declaration)
    if paragraph.state == State.DELETED:
        raise Conflict(_("The paragraph has been deleted; it needs no translation."))
    if text_version != paragraph.text_version:
        raise Conflict(
            _(
                "The original wording changed since you read it (version %(text_version)s, now "
                "%(current)s); reread it and translate the current wording."
            )
            % {"text_version": text_version, "current": paragraph.text_version},
            extra={"text_version": paragraph.text_version, "text": paragraph.text},
        )
    cleaned, spans, cells = _clean_translation(paragraph, text, emphasis, table)
    proposals = _caught_up(paragraph)
    before = {
        "text": paragraph.translation_text,
        "status": translation_status(text_version=paragraph.text_version, translation_of=paragraph.translation_of),
        "translation_of": paragraph.translation_of,
    }
    paragraph.translation_text, paragraph.translation_emphasis, paragraph.translation_table = cleaned, spans, cells
    paragraph.translation_of = paragraph.text_version
    paragraph.save(update_fields=["translation_text", "translation_emphasis", "translation_table", "translation_of"])
    # Complete the current revision's other-language version where its original
    # still reads as the working text does (see the module docstring).
    current = declaration.revisions.order_by("-number").first()
    completed = None
    if current is not None:
        completed = (
            RevisionParagraph.objects.filter(revision=current, paragraph=paragraph, text=paragraph.text)
            .values_list("label", flat=True)
            .first()
        )
        if completed is not None:
            RevisionParagraph.objects.filter(revision=current, paragraph=paragraph).update(
                translation_text=cleaned,
                translation_emphasis=spans,
                translation_table=cells,
                translation_status=CURRENT,
            )
    declaration_touch(declaration)
    event_record(
        verb=EventVerb.PARAGRAPH_TRANSLATED,
        actor=actor,
        obj=paragraph,
        declaration=declaration,
        paragraph=paragraph,
        # Linked to the latest accepted proposal it renders; all of them listed.
        proposal=Proposal.objects.get(pk=proposals[-1]) if proposals else None,
        before=before,
        after={
            "language": other_language(declaration.original_language),
            "text": cleaned,
            "translation_of": paragraph.translation_of,
            "proposals": proposals,
            **({"revision": current.pk, "label": completed} if current is not None and completed else {}),
        },
    )
    return paragraph
