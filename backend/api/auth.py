"""Token authentication that loads the user's delegation in the same query:
every request needs it to decide what the user may do; and the password
backend, throttled per client address."""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        try:
            token = Token.objects.select_related("user__delegate__delegation").get(key=key)
        except Token.DoesNotExist as exc:
            raise exceptions.AuthenticationFailed("Invalid token.") from exc
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        return (token.user, token)


def _login_rate() -> tuple[int, int]:
    """``LOGIN_THROTTLE_RATE`` ("10/min") as (attempts, seconds), read as DRF reads it."""
    num, period = str(api_settings.DEFAULT_THROTTLE_RATES["login"]).split("/")
    return int(num), {"s": 1, "m": 60, "h": 3600, "d": 86400}[period[0]]


class ThrottledModelBackend(ModelBackend):
    """Password checks with the login throttle's rate (``LOGIN_THROTTLE_RATE``)
    per client address, on every way in: the API's token view has its own
    throttle, but the admin's and the browsable API's login forms check
    passwords through here. Only failures count, so colleagues who log in
    from one office are not locked out by each other; once an address has
    failed too often, even the right password is refused until the window
    has passed (Django then reports a wrong username or password)."""

    cache_format = "throttle_login_failures_%s"

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        key = self.cache_format % BaseThrottle().get_ident(request) if request is not None else None  # type: ignore[arg-type]
        num, window = _login_rate()
        now = time.time()
        failures = [t for t in (cache.get(key, []) if key else []) if t > now - window]
        if key and len(failures) >= num:
            raise PermissionDenied("Too many failed logins from this address; wait a minute.")
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if key and user is None:
            cache.set(key, [*failures, now], window)
        return user
