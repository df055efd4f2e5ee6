"""Delegates' accounts, set up by the Technical Secretariat of a meeting.

The Secretariat creates the sign-in of each delegate of a delegation taking
part in one of *its* meetings (no superuser needed), hands over an initial
password (printed on a sheet), and may reset or deactivate it. It never
touches an account outside its meetings, nor a staff or Secretariat account.
"""

from __future__ import annotations

import re
import secrets

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from drafting.access import Role, not_found, require_secretariat, role_in
from drafting.access_cache import identity_forget
from drafting.errors import Conflict, InvalidInput, NotAllowed
from drafting.models import Delegate, Delegation, EventVerb, Meeting
from drafting.services.events import event_record

# No 0/O, 1/l/I: the password is read off paper and typed on a phone.
_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
USERNAME = re.compile(r"^[A-Za-z0-9.@+_-]{3,150}$")


def initial_password() -> str:
    """Twelve characters in three groups (about 70 bits): typed once, then changed."""
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def _attending(meeting: Meeting) -> QuerySet[Delegation]:
    return Delegation.objects.filter(Q(meetings=meeting) | Q(presided_meetings=meeting)).distinct()


def meeting_accounts(*, meeting: Meeting) -> QuerySet[User]:
    """Delegates' accounts of the delegations taking part in ``meeting``."""
    return (
        User.objects.filter(delegate__delegation__in=_attending(meeting).values("pk"))
        .select_related("delegate__delegation")
        .order_by("delegate__delegation__code", "username")
    )


def require_desk(role: Role, action: str = "manage delegates' accounts") -> None:
    require_secretariat(role, action)


def _require_desk(actor: User, meeting: Meeting, action: str) -> None:
    require_desk(role_in(actor, meeting), action)


def account_in(meeting: Meeting, user_id: int) -> User:
    user = meeting_accounts(meeting=meeting).filter(pk=user_id).first()
    if user is None:
        raise not_found("account")
    if user.is_staff or user.is_superuser or user.secretariat_meetings.exists():
        raise NotAllowed(_("Secretariat and staff accounts are managed by an administrator, not from the desk."))
    return user


@transaction.atomic
def account_create(
    *, actor: User, meeting: Meeting, delegation_code: str, username: str, full_name: str = ""
) -> tuple[User, str]:
    """A delegate's account for a delegation attending ``meeting``; returns
    the user and its initial password (shown once, never stored in clear)."""
    _require_desk(actor, meeting, "create delegates' accounts")
    username = username.strip()
    if not USERNAME.match(username):
        raise InvalidInput(
            _("A username is 3 to 150 letters, digits or . @ + _ -."),
            fields={"username": [_("Letters, digits and . @ + _ - only.")]},
        )
    delegation = _attending(meeting).filter(code__iexact=delegation_code.strip()).first()
    if delegation is None:
        raise InvalidInput(
            _("%(delegation_code)s does not take part in this meeting.") % {"delegation_code": delegation_code},
            fields={"delegation": [_("A delegation registered for this meeting.")]},
        )
    if delegation.kind == Delegation.Kind.SECRETARIAT:
        raise NotAllowed(_("Secretariat accounts are managed by an administrator."))
    if User.objects.filter(username__iexact=username).exists():
        raise Conflict(_("The username %(username)s is taken.") % {"username": username}, extra={"username": username})
    first, _sep, last = full_name.strip().partition(" ")
    password = initial_password()
    user = User.objects.create_user(username=username, password=password, first_name=first[:150], last_name=last[:150])
    Delegate.objects.create(user=user, delegation=delegation)
    event_record(
        verb=EventVerb.ACCOUNT_CREATED,
        actor=actor,
        obj=user,
        meeting=meeting,
        after={"username": username, "delegation": delegation.code},
    )
    return user, password


@transaction.atomic
def account_reset(*, actor: User, meeting: Meeting, user_id: int) -> tuple[User, str]:
    """A new initial password for a delegate of the meeting (and the account active again)."""
    _require_desk(actor, meeting, "reset delegates' passwords")
    user = account_in(meeting, user_id)
    password = initial_password()
    user.set_password(password)
    user.is_active = True
    user.save(update_fields=["password", "is_active"])
    identity_forget(user_id=user.pk)
    event_record(
        verb=EventVerb.ACCOUNT_RESET, actor=actor, obj=user, meeting=meeting, after={"username": user.username}
    )
    return user, password


@transaction.atomic
def account_set_active(*, actor: User, meeting: Meeting, user_id: int, active: bool) -> User:
    """Deactivate (or reactivate) a delegate's account: it can no longer sign in."""
    _require_desk(actor, meeting, "deactivate delegates' accounts")
    user = account_in(meeting, user_id)
    if user.pk == actor.pk:
        raise Conflict(_("You cannot deactivate your own account."))
    before = {"active": user.is_active}
    user.is_active = active
    # Signing in, sessions and API tokens stop working at once: Django never
    # loads an inactive user from a session, and our token authentication
    # refuses one (backend/api/auth.py); the token itself is kept, for the record.
    user.save(update_fields=["is_active"])
    identity_forget(user_id=user.pk)  # here at once, elsewhere within seconds (drafting/access_cache.py)
    event_record(
        verb=EventVerb.ACCOUNT_ACTIVATED if active else EventVerb.ACCOUNT_DEACTIVATED,
        actor=actor,
        obj=user,
        meeting=meeting,
        before=before,
        after={"active": active},
    )
    return user
