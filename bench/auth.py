"""Bench-only: what the identity cache of issue 18 does to a text read,
measured beside the product's own path in the same run.

Requests that carry ``X-Bench-Identity-Cache: 1`` have their token's
identity (token, user, delegation) remembered in the process for 5 s, as
the write side's cache does (``drafting/access_cache.py`` on branch
issue-h18w, to be wired into ``backend/api/auth.py`` at merge); every other
request authenticates exactly as the product does. Remove this file and the
runner's ``*_identity_cached`` windows once that cache is in the product:
those windows then measure nothing new.
"""

from __future__ import annotations

import time
from typing import Any

from django.utils import timezone
from rest_framework.request import Request

from backend.api.auth import TokenAuthentication

TTL_SECONDS = 5.0
_identities: dict[str, tuple[float, tuple[Any, Any]]] = {}


class CachedTokenAuthentication(TokenAuthentication):
    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        if request.META.get("HTTP_X_BENCH_IDENTITY_CACHE") != "1":
            return super().authenticate(request)
        header = request.META.get("HTTP_AUTHORIZATION", "")
        hit = _identities.get(header)
        now = time.monotonic()
        if hit is not None and hit[0] > now and hit[1][1].expires_at > timezone.now():
            return hit[1]
        found = super().authenticate(request)
        if found is not None:
            _identities[header] = (now + TTL_SECONDS, found)
        return found
