"""Reading with authorisation: the objects a user may read, one by one or as
querysets. Fetching one object the user may not read raises
:class:`~drafting.errors.NotAllowed` (403) and an unknown id
:class:`~drafting.errors.NotFound` (404)."""

from __future__ import annotations

from django.db.models import OuterRef, Q, QuerySet, Subquery

from drafting.access import Reader as User
from drafting.access import Role, delegation_of, not_found, require_read, require_read_within, role_in
from drafting.models import Declaration, Delegation, Meeting, Paragraph, Revision


def meeting_list(*, user: User) -> QuerySet[Meeting]:
    """Meetings the user may read (mirrors ``access.role_in``)."""
    meetings = Meeting.objects.select_related("ppt")
    if getattr(user, "is_superuser", False):
        return meetings.all()
    delegation = delegation_of(user)
    if delegation is not None and delegation.kind in (
        Delegation.Kind.MEMBER_STATE,
        Delegation.Kind.SECRETARIAT,
    ):
        return meetings.all()
    readable = Q(secretariat_staff=user.pk)
    if delegation is not None:
        readable |= Q(members_only=False) & (Q(participants=delegation) | Q(ppt=delegation))
    ids = Meeting.objects.filter(readable).values("pk")
    return meetings.filter(pk__in=ids)


def meeting_get(*, user: User, meeting_id: int) -> tuple[Meeting, Role]:
    meeting = Meeting.objects.select_related("ppt").filter(pk=meeting_id).first()
    if meeting is None:
        raise not_found("meeting")
    role = role_in(user, meeting)
    require_read(role, meeting, kind="meeting")
    return meeting, role


def _declarations() -> QuerySet[Declaration]:
    """Declarations with their current revision (id, label, number) annotated."""
    latest = Revision.objects.filter(declaration=OuterRef("pk")).order_by("-number")
    return Declaration.objects.select_related("meeting").annotate(
        current_revision_id=Subquery(latest.values("pk")[:1]),
        current_revision_label=Subquery(latest.values("label")[:1]),
        current_revision_number=Subquery(latest.values("number")[:1]),
    )


def declaration_list(*, user: User) -> QuerySet[Declaration]:
    return _declarations().filter(meeting__in=meeting_list(user=user).values("pk"))


def declaration_get(*, user: User, declaration_id: int) -> tuple[Declaration, Role]:
    declaration = _declarations().filter(pk=declaration_id).first()
    if declaration is None:
        raise not_found("declaration")
    role = role_in(user, declaration.meeting)
    require_read(role, declaration.meeting, kind="declaration")
    return declaration, role


def revision_list(*, user: User) -> QuerySet[Revision]:
    return Revision.objects.filter(declaration__in=declaration_list(user=user).values("pk")).select_related("issued_by")


def revision_get(*, user: User, revision_id: int) -> Revision:
    revision = Revision.objects.select_related("declaration__meeting", "issued_by").filter(pk=revision_id).first()
    if revision is None:
        raise not_found("revision")
    require_read_within(role_in(user, revision.declaration.meeting), "revision")
    return revision


def paragraph_get(*, user: User, paragraph_id: int) -> Paragraph:
    paragraph = (
        Paragraph.objects.select_related("declaration__meeting", "ad_ref_delegation").filter(pk=paragraph_id).first()
    )
    if paragraph is None:
        raise not_found("paragraph")
    require_read_within(role_in(user, paragraph.declaration.meeting), "paragraph")
    return paragraph
