"""Who may do what in a meeting. Pure rules, used by services and selectors.

A user acts for exactly one delegation. Per meeting, that gives a role:
the Technical Secretariat staff of the meeting prepare texts; the delegation
holding the Presidency Pro-Tempore (PPT) chairs; member states present
negotiate; observers and civil society read, unless the meeting is
members-only.

What a refusal may tell (issue 13): an error never says whether an id
exists in a meeting the user may not read. Everything inside such a meeting
(revisions, paragraphs, proposals, exports, imports, accounts…) answers with
``not_found``, the very answer an id that does not exist gets; so does the
meeting itself, and its declarations, for a user who takes no part in it.
Only a delegation registered at a members-only meeting, which knows the
meeting is on its programme, is told why it may not read it (403).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Exists
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _

from drafting.access_cache import ROLES
from drafting.errors import NotAllowed, NotFound
from drafting.models import Delegation, Meeting

# Readers may be anonymous (and are then refused); writers are always a User.
Reader = User | AnonymousUser


def delegation_of(user: Reader) -> Delegation | None:
    delegate = getattr(user, "delegate", None)
    return delegate.delegation if delegate is not None else None


@dataclass(frozen=True)
class Role:
    meeting_id: int
    delegation: Delegation | None
    is_secretariat: bool
    is_ppt: bool
    is_member: bool
    is_present: bool
    can_read: bool

    @property
    def can_negotiate(self) -> bool:
        """Propose, support and object: member states present at the meeting."""
        return self.is_member and self.is_present


def _staff_and_presence(user: Reader, delegation: Delegation | None, meeting: Meeting) -> tuple[bool, bool]:
    """Is the user Secretariat staff of the meeting; is the delegation
    registered as present? One query: this runs on every request."""
    staff = Meeting.secretariat_staff.through.objects.filter(meeting_id=meeting.pk, user_id=user.pk or 0)
    present = Meeting.participants.through.objects.filter(
        meeting_id=meeting.pk, delegation_id=delegation.pk if delegation else 0
    )
    row = (
        Meeting.objects.filter(pk=meeting.pk)
        .annotate(is_staff=Exists(staff), is_present=Exists(present))
        .values_list("is_staff", "is_present")
        .first()
    )
    return (bool(row[0]), bool(row[1])) if row else (False, False)


def role_in(user: Reader, meeting: Meeting) -> Role:
    """The user's role in the meeting, remembered for a few seconds under a
    key that holds everything it is computed from, the meeting's
    ``access_version`` included (see ``drafting.access_cache``): a cached
    role is never a stale one."""
    delegation = delegation_of(user)
    if user.pk is None:
        return _role_compute(user, delegation, meeting)
    key = (
        user.pk,
        delegation.pk if delegation else None,
        delegation.kind if delegation else None,
        bool(getattr(user, "is_superuser", False)),
        meeting.pk,
        meeting.access_version,
        meeting.ppt_id,
        meeting.members_only,
    )
    role = ROLES.get(key)
    if isinstance(role, Role):
        return role
    role = _role_compute(user, delegation, meeting)
    ROLES.put(key, role)
    return role


def _role_compute(user: Reader, delegation: Delegation | None, meeting: Meeting) -> Role:
    is_staff, present = _staff_and_presence(user, delegation, meeting)
    return role_given(user, meeting, is_staff=is_staff, present=present)


def role_given(user: Reader, meeting: Meeting, *, is_staff: bool, present: bool) -> Role:
    """The rules alone, for a caller that read whether the user is the
    meeting's staff and whether the delegation is present in a query of its
    own (the text reads fetch them with the text's version: one query).
    ``meeting`` needs only its pk, ``ppt_id`` and ``members_only``."""
    delegation = delegation_of(user)
    is_superuser = bool(getattr(user, "is_superuser", False))
    is_secretariat = is_superuser or is_staff
    is_ppt = delegation is not None and delegation.pk == meeting.ppt_id
    is_member = delegation is not None and delegation.kind == Delegation.Kind.MEMBER_STATE
    is_present = is_ppt or present
    if is_secretariat or is_member:
        can_read = True
    elif delegation is None:
        can_read = False
    elif delegation.kind == Delegation.Kind.SECRETARIAT:
        can_read = True
    else:
        can_read = is_present and not meeting.members_only
    return Role(
        meeting_id=meeting.pk,
        delegation=delegation,
        is_secretariat=is_secretariat,
        is_ppt=is_ppt,
        is_member=is_member,
        is_present=is_present,
        can_read=can_read,
    )


# What an id names, for the one answer to an id the user may not know of.
Kind = Literal["meeting", "declaration", "revision", "paragraph", "proposal", "export", "import", "account"]
_MISSING: dict[Kind, str] = {
    "meeting": gettext_noop("There is no meeting with this id."),
    "declaration": gettext_noop("There is no declaration with this id."),
    "revision": gettext_noop("There is no revision with this id."),
    "paragraph": gettext_noop("There is no paragraph with this id."),
    "proposal": gettext_noop("There is no proposal with this id."),
    "export": gettext_noop("There is no export with this id."),
    "import": gettext_noop("There is no import with this id."),
    "account": gettext_noop("There is no delegate account with this id among this meeting's delegations."),
}


def not_found(kind: Kind) -> NotFound:
    """The answer to an id that does not exist, and to an id the user may not
    know of: the same 404, byte for byte (no id echoed back), so that
    comparing the two tells nothing."""
    return NotFound(_(_MISSING[kind]))


def require_read(role: Role, meeting: Meeting, *, kind: Literal["meeting", "declaration"] = "declaration") -> None:
    """The meeting itself or one of its declarations. A delegation registered
    at a members-only meeting is told why it may not read it; anyone else who
    may not read it is answered as if the id did not exist."""
    if role.can_read:
        return
    if role.is_present and meeting.members_only:
        raise NotAllowed(_("This meeting is open to member states only."))
    raise not_found(kind)


def require_read_within(role: Role, kind: Kind) -> None:
    """Anything inside a meeting (a revision, paragraph, proposal, export,
    import…): a user who may not read the meeting gets ``not_found(kind)``,
    whether or not the meeting lets it know the meeting exists."""
    if not role.can_read:
        raise not_found(kind)


def is_secretariat_anywhere(user: Reader) -> bool:
    """Whether the user serves as Technical Secretariat of some meeting (or
    is a superuser): the only users who may upload a draft at all, checked
    before an upload's body is read."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return Meeting.secretariat_staff.through.objects.filter(user_id=user.pk).exists()


# What the refusals above say a role may not do: each ``action`` passed to a
# require_* function, marked here so that it is extracted into the catalogue
# and translated when the refusal is raised (``_(action)``, in the reader's
# language). An action missing here is refused in English inside a Spanish
# sentence; tests/test_refusal_language.py checks the list is complete.
ACTIONS = (
    gettext_noop("accept or reject proposals"),
    gettext_noop("adopt the declaration"),
    gettext_noop("bracket paragraphs"),
    gettext_noop("choose the paragraph under discussion"),
    gettext_noop("create declarations"),
    gettext_noop("create delegates' accounts"),
    gettext_noop("deactivate delegates' accounts"),
    gettext_noop("declare paragraphs agreed"),
    gettext_noop("edit the library of agreed language"),
    gettext_noop("import drafts"),
    gettext_noop("issue revisions"),
    gettext_noop("launch a silence procedure"),
    gettext_noop("make proposals"),
    gettext_noop("make sign-in links"),
    gettext_noop("manage delegates' accounts"),
    gettext_noop("move paragraphs through the negotiation"),
    gettext_noop("name translators"),
    gettext_noop("object to adoption"),
    gettext_noop("object to paragraphs"),
    gettext_noop("put the text to adoption"),
    gettext_noop("reset delegates' passwords"),
    gettext_noop("revoke sign-in links"),
    gettext_noop("see sign-in links"),
    gettext_noop("set the meeting up"),
    gettext_noop("support or object"),
    gettext_noop("update translations"),
    gettext_noop("use the Secretariat's desk"),
    gettext_noop("use the chair's console"),
    gettext_noop("withdraw a position"),
    gettext_noop("withdraw an objection"),
    gettext_noop("withdraw objections"),
    gettext_noop("withdraw proposals"),
    gettext_noop("withdraw the text from adoption"),
)


def delegation_name(delegation: Delegation) -> str:
    """The delegation's name in the active language (its English name when
    it has no Spanish one)."""
    if (get_language() or "").startswith("es") and delegation.name_es:
        return delegation.name_es
    return delegation.name_en


def require_secretariat(role: Role, action: str) -> None:
    if not role.is_secretariat:
        raise NotAllowed(_("Only the Technical Secretariat of this meeting may %(action)s.") % {"action": _(action)})


def require_ppt(role: Role, action: str) -> None:
    if not role.is_ppt:
        raise NotAllowed(_("Only the Presidency Pro-Tempore may %(action)s.") % {"action": _(action)})


def require_ppt_or_secretariat(role: Role, action: str) -> None:
    if not (role.is_ppt or role.is_secretariat):
        raise NotAllowed(
            _("Only the Presidency Pro-Tempore, or the Technical Secretariat on its behalf, may %(action)s.")
            % {"action": _(action)}
        )


def is_translator(user: Reader, meeting: Meeting) -> bool:
    """Named by the Technical Secretariat as a translator for the meeting (issue 15)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return Meeting.translators.through.objects.filter(meeting_id=meeting.pk, user_id=user.pk or 0).exists()


def require_translator(user: Reader, role: Role, meeting: Meeting, action: str) -> None:
    """The Technical Secretariat, or a translator it named for the meeting."""
    if role.is_secretariat or is_translator(user, meeting):
        return
    raise NotAllowed(
        _("Only the Technical Secretariat, or a translator it named for this meeting, may %(action)s.")
        % {"action": _(action)}
    )


def require_negotiator(role: Role, action: str) -> Delegation:
    if role.delegation is None:
        raise NotAllowed(_("Your account belongs to no delegation."))
    if not role.is_member:
        raise NotAllowed(
            _("Only member state delegations may %(action)s; observers read and comment.") % {"action": _(action)}
        )
    if not role.is_present:
        raise NotAllowed(
            _(
                "The delegation of %(delegation)s is not registered as present at this meeting, so it "
                "cannot %(action)s here."
            )
            % {"delegation": delegation_name(role.delegation), "action": _(action)}
        )
    return role.delegation


# --- The library of agreed language ------------------------------------------
# Not tied to one meeting: anyone signed in may read it (it is what the
# Conference has already adopted, published); the Technical Secretariat
# (its delegation, staff of any meeting, or an administrator) curates it.
def is_library_editor(user: Reader) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if getattr(user, "is_superuser", False):
        return True
    delegation = delegation_of(user)
    if delegation is not None and delegation.kind == Delegation.Kind.SECRETARIAT:
        return True
    return Meeting.secretariat_staff.through.objects.filter(user_id=user.pk or 0).exists()


def require_library_editor(user: Reader, action: str) -> None:
    if not is_library_editor(user):
        raise NotAllowed(_("Only the Technical Secretariat may %(action)s.") % {"action": _(action)})
