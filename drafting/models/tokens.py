"""API tokens: one per device or client, each with an expiry.

A delegate signs in on a laptop and a phone; signing out of one (``DELETE
/api/auth/token/``) must not sign the other out, and a token left on a
borrowed machine must stop working by itself. Hence many tokens per user,
each named after its client and expiring (``API_TOKEN_DAYS``), each
revocable on its own.
"""

from __future__ import annotations

import binascii
import os
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone


def token_key_new() -> str:
    return binascii.hexlify(os.urandom(20)).decode()


def token_expiry_default() -> datetime:
    return timezone.now() + timedelta(days=settings.API_TOKEN_DAYS)


class ApiToken(models.Model):
    key = models.CharField(max_length=40, unique=True, default=token_key_new)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True, help_text="The device or client, e.g. 'laptop' or a browser.")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=token_expiry_default)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "expires_at"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.name or 'token'} · {self.key[:6]}…"


class SignInLink(models.Model):
    """A one-time sign-in link the Technical Secretariat hands a delegate
    (beside the printed initial-password sheet): used once, expiring, and
    revocable. Only a SHA-256 hash of its secret is stored, so the table
    read by anyone does not sign anyone in; the secret is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sign_in_links")
    # The meeting whose Secretariat made it: the delegate lands on its home page.
    meeting = models.ForeignKey("drafting.Meeting", on_delete=models.CASCADE, related_name="sign_in_links")
    secret_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["meeting", "user"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.meeting_id} · {self.expires_at:%Y-%m-%d %H:%M}"
