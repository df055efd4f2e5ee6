"""One's own API tokens (one per device or client), and the Technical
Secretariat's view of sign-in lockouts. Signing in and out is
``views.TokenView``; the rules are in drafting/services/tokens.py and
drafting/services/lockouts.py."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.api.views import actor
from drafting import services
from drafting.models import ApiToken


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


class TokenList(APIView):
    @extend_schema(responses=TokenOutSerializer(many=True))
    def get(self, request: Request) -> Response:
        """Your tokens that still work (one per device or client you signed in from)."""
        tokens = services.token_list(user=actor(request))
        return Response(TokenOutSerializer(tokens, many=True, context={"request": request}).data)


class TokenDetail(APIView):
    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        """Revoke one of your tokens (sign that device out)."""
        services.token_revoke(user=actor(request), token_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


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


class LockoutList(APIView):
    @extend_schema(responses=LockoutOutSerializer(many=True))
    def get(self, request: Request) -> Response:
        """Accounts of your meetings' delegates locked out now (Technical Secretariat)."""
        return Response(LockoutOutSerializer(services.lockout_list(actor=actor(request)), many=True).data)


class LockoutReset(APIView):
    @extend_schema(request=LockoutResetInSerializer, responses=LockoutResetOutSerializer)
    def post(self, request: Request) -> Response:
        """Unlock a delegate's account, from every address (Technical Secretariat of its meeting)."""
        data = LockoutResetInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        username = data.validated_data["username"]
        cleared = services.lockout_reset(actor=actor(request), username=username)
        return Response(LockoutResetOutSerializer({"username": username, "cleared": cleared}).data)
