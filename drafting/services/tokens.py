"""API tokens: issue one per device or client, list one's own, revoke one.

Signing in (POST /api/auth/token/) issues a new token each time, named after
the client; ``DELETE /api/auth/token/`` revokes the token it was sent with
and no other. Expired tokens are refused by the authentication
(backend/api/auth.py) and swept away here when their owner signs in again.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from drafting.access_cache import token_forget
from drafting.errors import NotFound
from drafting.models import ApiToken


@transaction.atomic
def token_issue(*, user: User, name: str = "") -> ApiToken:
    """A new token for one device or client; the user's expired ones go."""
    ApiToken.objects.filter(user=user, expires_at__lte=timezone.now()).delete()
    return ApiToken.objects.create(user=user, name=name[:100])


def token_list(*, user: User) -> QuerySet[ApiToken]:
    """The user's own tokens that still work, newest first."""
    return ApiToken.objects.filter(user=user, expires_at__gt=timezone.now())


@transaction.atomic
def token_revoke(*, user: User, token_id: int) -> None:
    """Revoke one of the user's own tokens; someone else's is not found."""
    deleted, _count = ApiToken.objects.filter(user=user, pk=token_id).delete()
    if not deleted:
        raise NotFound(_("You have no token %(token_id)s.") % {"token_id": token_id})
    # Refused from the next request on in this process; in the others within
    # CONSENSO_ACCESS_CACHE_SECONDS (see drafting/access_cache.py).
    token_forget(token_id=token_id)
