"""One-time sign-in links: the Technical Secretariat hands a delegate of one
of *its* meetings a link that signs them in once (beside the printed
initial-password sheet, ``accounts.py``).

The secret is 256 random bits, shown once and stored only as its SHA-256
(a stolen table signs no one in; a fast hash is enough for a random secret
of that size, unlike a password). A link works once, until it expires
(``SIGN_IN_LINK_HOURS``), and not after the Secretariat revokes it or makes
a newer one for the same delegate; a deactivated account cannot use one.
Guessing is stopped where sign-in guessing is (django-axes, in the page).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from drafting.access import role_in
from drafting.errors import NotAllowed, NotFound
from drafting.models import EventVerb, Meeting, SignInLink
from drafting.services.accounts import account_in, require_desk
from drafting.services.events import event_record

# One sentence for every way a link fails: which one must not be told to
# whoever holds a link (used, revoked, expired or never issued look alike).
REFUSED = gettext_noop(
    "This sign-in link does not work: it was used, replaced, revoked or has expired. "
    "Ask the Technical Secretariat for a new one."
)


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def _outstanding(queryset: QuerySet[SignInLink]) -> QuerySet[SignInLink]:
    return queryset.filter(used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())


def sign_in_link_list(*, actor: User, meeting: Meeting) -> QuerySet[SignInLink]:
    """The links of ``meeting`` that still work, newest first (the desk's list)."""
    require_desk(role_in(actor, meeting), "see sign-in links")
    links = SignInLink.objects.filter(meeting=meeting, user__is_active=True)
    return _outstanding(links).select_related("user__delegate__delegation")


@transaction.atomic
def sign_in_link_create(*, actor: User, meeting: Meeting, user_id: int) -> tuple[SignInLink, str]:
    """A new link for a delegate of one of the actor's meetings; returns it
    and its secret (to put in the address; never stored). The delegate's
    earlier links that still work are revoked: one in circulation at a time."""
    require_desk(role_in(actor, meeting), "make sign-in links")
    user = account_in(meeting, user_id)
    if not user.is_active:
        raise NotAllowed(_("%(username)s is deactivated; reset the account first.") % {"username": user.username})
    now = timezone.now()
    replaced = _outstanding(SignInLink.objects.filter(user=user)).update(revoked_at=now)
    secret = secrets.token_urlsafe(32)
    link = SignInLink.objects.create(
        user=user,
        meeting=meeting,
        secret_hash=secret_hash(secret),
        created_by=actor,
        expires_at=now + timedelta(hours=settings.SIGN_IN_LINK_HOURS),
    )
    event_record(
        verb=EventVerb.ACCOUNT_LINK_CREATED,
        actor=actor,
        obj=link,
        meeting=meeting,
        after={"username": user.username, "expires_at": link.expires_at.isoformat(), "replaced": replaced},
    )
    return link, secret


@transaction.atomic
def sign_in_link_revoke(*, actor: User, meeting: Meeting, link_id: int) -> SignInLink:
    require_desk(role_in(actor, meeting), "revoke sign-in links")
    link = SignInLink.objects.select_for_update().filter(pk=link_id, meeting=meeting).first()
    if link is None:
        raise NotFound(_("No sign-in link %(link_id)s in this meeting.") % {"link_id": link_id})
    if link.used_at is None and link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
        event_record(
            verb=EventVerb.ACCOUNT_LINK_REVOKED,
            actor=actor,
            obj=link,
            meeting=meeting,
            after={"username": link.user.username},
        )
    return link


def sign_in_link_peek(*, secret: str) -> SignInLink:
    """The link a secret names, if it still works, without using it (the
    page that asks "sign in as …?" before the one POST that does)."""
    link = (
        _outstanding(SignInLink.objects.filter(secret_hash=secret_hash(secret), user__is_active=True))
        .select_related("user__delegate__delegation", "meeting")
        .first()
    )
    if link is None:
        raise NotAllowed(_(REFUSED))
    return link


@transaction.atomic
def sign_in_link_use(*, secret: str) -> SignInLink:
    """Use a link: it works this once. The row is locked, so two clicks at
    the same moment sign in once. Returns the link (its user and meeting)."""
    link = (
        _outstanding(
            SignInLink.objects.select_for_update(of=("self",)).filter(
                secret_hash=secret_hash(secret), user__is_active=True
            )
        )
        .select_related("user", "meeting")
        .first()
    )
    if link is None:
        raise NotAllowed(_(REFUSED))
    link.used_at = timezone.now()
    link.save(update_fields=["used_at"])
    event_record(
        verb=EventVerb.ACCOUNT_LINK_USED,
        actor=link.user,
        obj=link,
        meeting=link.meeting,
        after={"username": link.user.username},
    )
    return link
