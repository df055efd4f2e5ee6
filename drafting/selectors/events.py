"""Events: the ones a user may read, and what changed since a page was drawn."""

from __future__ import annotations

from django.db.models import QuerySet

from drafting.access import Reader as User
from drafting.models import Declaration, Event
from drafting.selectors.access import meeting_list


def event_list(*, user: User) -> QuerySet[Event]:
    readable = meeting_list(user=user).values("pk")
    return Event.objects.filter(meeting__in=readable).select_related("actor", "delegation")


# Changes confined to one paragraph's own display (its proposals, positions,
# objections, state): a page may re-render just that paragraph. Anything else
# (an accepted proposal renumbers, a revision, adoption, "now discussing")
# needs the whole page.
PARAGRAPH_LOCAL_VERBS = frozenset(
    {
        "proposal.submitted",
        "proposal.supported",
        "proposal.objected",
        "position.withdrawn",
        "proposal.withdrawn",
        "proposal.rejected",
        "paragraph.objected",
        "paragraph.objection_withdrawn",
    }
)


def declaration_last_event(*, declaration_id: int) -> int:
    """The id of the declaration's latest event (0 if none): read it *before*
    the text a page shows, so that the page never claims a change it lacks."""
    return Event.objects.filter(declaration_id=declaration_id).order_by("-id").values_list("id", flat=True).first() or 0


def paragraphs_changed_since(*, declaration: Declaration, event_id: int) -> tuple[int, set[int] | None]:
    """The latest event id, and the paragraphs whose display changed after
    ``event_id``: None when something beyond single paragraphs changed."""
    rows = list(
        Event.objects.filter(declaration=declaration, id__gt=event_id).values_list("id", "verb", "paragraph_id")
    )
    last = max((r[0] for r in rows), default=event_id)
    if any(verb not in PARAGRAPH_LOCAL_VERBS or paragraph is None for _, verb, paragraph in rows):
        return last, None
    return last, {paragraph for _, _, paragraph in rows}
