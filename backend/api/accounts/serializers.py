"""Input and output serializers of the accounts API: inputs check a request's
shape (domain rules are the services'), outputs shape the answers."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from backend.api.organisation.serializers import DelegationSerializer
from drafting.models import (
    ApiToken,
)


class MeSerializer(serializers.Serializer[Any]):
    username = serializers.CharField()
    delegation = DelegationSerializer(allow_null=True)
    secretariat_meetings = serializers.ListField(child=serializers.IntegerField())
    ppt_meetings = serializers.ListField(child=serializers.IntegerField())


class TokenRequestSerializer(serializers.Serializer[Any]):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    name = serializers.CharField(
        required=False, allow_blank=True, max_length=100, help_text="This device or client (default: its User-Agent)."
    )


class TokenSerializer(serializers.Serializer[Any]):
    token = serializers.CharField(help_text="Send as `Authorization: Token <token>`; shown only now.")
    id = serializers.IntegerField()
    name = serializers.CharField()
    expires_at = serializers.DateTimeField()


class TokenOutSerializer(serializers.ModelSerializer[ApiToken]):
    prefix = serializers.SerializerMethodField(help_text="The key's first characters, to tell tokens apart.")
    current = serializers.SerializerMethodField(help_text="Is this the token this request was sent with?")

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "expires_at", "current"]

    def get_prefix(self, token: ApiToken) -> str:
        return token.key[:6]

    def get_current(self, token: ApiToken) -> bool:
        auth = self.context["request"].auth
        return isinstance(auth, ApiToken) and auth.pk == token.pk


class LockoutOutSerializer(serializers.Serializer[Any]):
    username = serializers.CharField()
    ip_address = serializers.CharField(allow_null=True)
    failures = serializers.IntegerField()
    locked_until = serializers.DateTimeField()


class LockoutResetInSerializer(serializers.Serializer[Any]):
    username = serializers.CharField(max_length=150)


class LockoutResetOutSerializer(serializers.Serializer[Any]):
    username = serializers.CharField()
    cleared = serializers.IntegerField(help_text="Lockout records removed (one per address).")


class AccountSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    username = serializers.CharField()
    delegation = serializers.CharField()
    is_active = serializers.BooleanField()


class AccountCreateSerializer(serializers.Serializer[Any]):
    delegation = serializers.CharField(max_length=16, help_text="Code of a delegation taking part, e.g. MEX.")
    username = serializers.CharField(max_length=150)
    full_name = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class AccountPasswordSerializer(AccountSerializer):
    initial_password = serializers.CharField(help_text="Shown once: hand it to the delegate.")
