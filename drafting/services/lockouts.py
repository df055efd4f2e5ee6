"""Sign-in lockouts (django-axes, see backend/api/auth.py) as the Technical
Secretariat sees them: which of its meetings' delegates are locked out, and
unlocking one, so a delegate who mistyped too often is back in the room
without a superuser.

Whom a TS user may unlock: the users of the delegations attending (or
chairing) a meeting it is Secretariat staff of, and its fellow staff of such
a meeting. A superuser may unlock anyone.
"""

from __future__ import annotations

from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from drafting.errors import NotAllowed, NotFound
from drafting.models import EventVerb, Meeting
from drafting.services.events import event_record


def _unlockable_users(*, actor: User) -> QuerySet[User]:
    if actor.is_superuser:
        return User.objects.all()
    meetings = Meeting.objects.filter(secretariat_staff=actor)
    return User.objects.filter(
        Q(delegate__delegation__meetings__in=meetings)
        | Q(delegate__delegation__presided_meetings__in=meetings)
        | Q(secretariat_meetings__in=meetings)
    ).distinct()


def lockout_list(*, actor: User) -> list[dict[str, object]]:
    """The accounts the actor may unlock that are locked out now, with the
    address each is locked from and until when."""
    usernames = _unlockable_users(actor=actor).values_list("username", flat=True)
    attempts = AccessAttempt.objects.filter(
        username__in=usernames, failures_since_start__gte=settings.AXES_FAILURE_LIMIT
    ).order_by("username", "ip_address")
    return [
        {
            "username": attempt.username,
            "ip_address": attempt.ip_address,
            "failures": attempt.failures_since_start,
            "locked_until": attempt.attempt_time + settings.AXES_COOLOFF_TIME,
        }
        for attempt in attempts
    ]


@transaction.atomic
def lockout_reset(*, actor: User, username: str) -> int:
    """Unlock an account from every address; returns how many records went.
    Recorded in the event log (who unlocked whom)."""
    user = User.objects.filter(username=username).first()
    if user is None:
        raise NotFound(_("No user %(username)r.") % {"username": username})
    if not _unlockable_users(actor=actor).filter(pk=user.pk).exists():
        raise NotAllowed(_("Only the Technical Secretariat of a meeting this user attends may unlock it."))
    cleared = int(reset(username=username))
    event_record(
        verb=EventVerb.USER_LOCKOUT_RESET, actor=actor, obj=user, after={"username": username, "cleared": cleared}
    )
    return cleared
