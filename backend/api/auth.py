"""Token authentication that loads the user's delegation in the same query:
every request needs it to decide what the user may do; and the sign-in
lockout's glue.

Password guessing is stopped by django-axes, at ``authenticate()``, so every
way in is covered (POST /api/auth/token/, the admin, the web sign-in page,
the browsable API's form): after ``LOGIN_FAILURE_LIMIT`` failures for one
account from one address, that account is locked *from that address* for
``LOGIN_LOCKOUT_MINUTES``. Other accounts behind the same address (a whole
conference room shares one NAT address) sign in as usual, and the account's
owner can still sign in from elsewhere. A well-kept library rather than our
own counter: it stores attempts in the database (shared by every web
process), records lockouts for the admin, and resets on success.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from rest_framework import authentication, exceptions
from rest_framework.throttling import BaseThrottle

from drafting.access_cache import token_identity
from drafting.models import ApiToken


class TokenAuthentication(authentication.TokenAuthentication):
    """``Authorization: Token <key>``: one query reads the token, its user
    and the user's delegation; an expired token is refused (sign in again)."""

    model = ApiToken

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        # Remembered for a few seconds (the trade-off: drafting/access_cache.py).
        token = token_identity(key)
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        if token.expires_at <= timezone.now():
            raise exceptions.AuthenticationFailed("Token expired; sign in again.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        return (token.user, token)


def client_address(request: HttpRequest) -> str | None:
    """The address a sign-in comes from, for the lockout (django-axes'
    ``AXES_CLIENT_IP_CALLABLE``) as for the API's throttles: REMOTE_ADDR, or
    X-Forwarded-For's entry added by the ``NUM_PROXIES`` trusted proxies in
    front (without those, a forged X-Forwarded-For per guess would escape).
    None when that is missing or not an IP address (it is stored in an IP
    column: junk must not turn a sign-in into a 500)."""
    ident = BaseThrottle().get_ident(request)  # type: ignore[arg-type]
    try:
        return str(ipaddress.ip_address(str(ident).strip()))
    except ValueError:
        return None


def lockout_seconds() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds())


def lockout_message() -> str:
    return (
        f"Too many failed sign-ins for this account from this address; try again in {lockout_seconds() // 60} "
        "minutes, or ask the meeting's Technical Secretariat to unlock it."
    )


def lockout_response(
    request: HttpRequest, response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """What a locked-out sign-in gets (django-axes' ``AXES_LOCKOUT_CALLABLE``)
    on the admin's and other login forms: 429 with Retry-After, in the API's
    error shape under /api/. (POST /api/auth/token/ answers in its view.)"""
    headers = {"Retry-After": str(lockout_seconds())}
    if request.path == reverse("pages:sign-in"):  # the live room's page shows its own form again, translated
        from backend.pages.auth import sign_in_locked_out

        return sign_in_locked_out(request, lockout_seconds())
    if request.path.startswith("/api"):
        body = {"error": "locked_out", "detail": lockout_message(), "fields": {}}
        return JsonResponse(body, status=429, headers=headers)
    return HttpResponse(lockout_message(), status=429, content_type="text/plain; charset=utf-8", headers=headers)
