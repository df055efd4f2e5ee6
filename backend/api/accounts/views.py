"""The accounts API: thin views that validate input with their serializers, call
one selector or service, and answer; errors are the domain's, turned into
responses in ``backend/api/errors.py``."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.contrib.auth.signals import user_logged_in
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import Throttled
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from backend.api.accounts.serializers import (
    AccountCreateSerializer,
    AccountPasswordSerializer,
    AccountSerializer,
    LockoutOutSerializer,
    LockoutResetInSerializer,
    LockoutResetOutSerializer,
    MeSerializer,
    TokenOutSerializer,
    TokenRequestSerializer,
    TokenSerializer,
)
from backend.api.auth import lockout_message, lockout_seconds
from backend.api.http import actor
from backend.api.organisation.serializers import DelegationSerializer
from drafting import selectors, services
from drafting.errors import InvalidInput
from drafting.models import ApiToken, Meeting
from drafting.services import accounts


class LoginThrottle(SimpleRateThrottle):
    """Throttle password attempts per client address (brute force), without
    authenticating the request: a client holding a revoked token must still
    be able to log in again."""

    scope = "login"

    def get_cache_key(self, request: Request, view: APIView) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class TokenView(APIView):
    """Obtain (POST) or revoke (DELETE) an API token."""

    def get_throttles(self) -> list[Any]:
        return [LoginThrottle()] if self.request.method == "POST" else []

    def get_permissions(self) -> list[Any]:
        return [AllowAny()] if self.request.method == "POST" else list(super().get_permissions())

    def perform_authentication(self, request: Request) -> None:
        # Logging in needs no identity; a stale token header must not block it.
        if request.method != "POST":
            super().perform_authentication(request)

    @extend_schema(request=TokenRequestSerializer, responses=TokenSerializer, auth=[])
    def post(self, request: Request) -> Response:
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        credentials = {k: data.validated_data[k] for k in ("username", "password")}
        user = authenticate(request, **credentials)  # django-axes first: see backend/api/auth.py
        if user is None and getattr(request, "axes_locked_out", False):
            raise Throttled(wait=lockout_seconds(), detail=lockout_message())
        if user is None or not user.is_active:
            raise InvalidInput(_("Wrong username or password."))
        # A sign-in like the forms': last_login is updated, and axes forgets this account's failures.
        user_logged_in.send(sender=user.__class__, request=request, user=user)
        name = data.validated_data.get("name") or request.headers.get("User-Agent", "")
        token = services.token_issue(user=user, name=name)
        return Response({"token": token.key, "id": token.pk, "name": token.name, "expires_at": token.expires_at})

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request) -> Response:
        """Sign this client out: revoke the token sent, and only it."""
        if not isinstance(request.auth, ApiToken):
            raise InvalidInput(_("This request carries no token to revoke (send `Authorization: Token <key>`)."))
        services.token_revoke(user=actor(request), token_id=request.auth.pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        user = actor(request)
        delegation = getattr(getattr(user, "delegate", None), "delegation", None)
        body = {
            "username": user.get_username(),
            "delegation": DelegationSerializer(delegation).data if delegation else None,
            "secretariat_meetings": list(
                Meeting.objects.filter(secretariat_staff=user.pk).values_list("pk", flat=True)
            ),
            "ppt_meetings": list(Meeting.objects.filter(ppt=delegation).values_list("pk", flat=True))
            if delegation
            else [],
        }
        return Response(body)


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


def _account(user: User, password: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": user.pk,
        "username": user.username,
        "delegation": user.delegate.delegation.code,
        "is_active": user.is_active,
    }
    if password is not None:
        body["initial_password"] = password
    return body


class Accounts(APIView):
    """The Technical Secretariat lists and creates the delegates' accounts of its meeting."""

    @extend_schema(responses=AccountSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        meeting, role = selectors.meeting_get(user=request.user, meeting_id=pk)
        accounts.require_desk(role)
        return Response([_account(u) for u in accounts.meeting_accounts(meeting=meeting)])

    @extend_schema(request=AccountCreateSerializer, responses={201: AccountPasswordSerializer})
    def post(self, request: Request, pk: int) -> Response:
        data = AccountCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        meeting, _ = selectors.meeting_get(user=request.user, meeting_id=pk)
        user, password = accounts.account_create(
            actor=actor(request),
            meeting=meeting,
            delegation_code=v["delegation"],
            username=v["username"],
            full_name=v["full_name"],
        )
        return Response(_account(user, password), status=status.HTTP_201_CREATED)


class AccountReset(APIView):
    """A new initial password for a delegate of the meeting (reactivates the account)."""

    @extend_schema(request=None, responses=AccountPasswordSerializer)
    def post(self, request: Request, pk: int, user_id: int) -> Response:
        meeting, _ = selectors.meeting_get(user=request.user, meeting_id=pk)
        user, password = accounts.account_reset(actor=actor(request), meeting=meeting, user_id=user_id)
        return Response(_account(user, password))


class AccountDeactivate(APIView):
    """The delegate can no longer sign in; API tokens are revoked."""

    @extend_schema(request=None, responses=AccountSerializer)
    def post(self, request: Request, pk: int, user_id: int) -> Response:
        meeting, _ = selectors.meeting_get(user=request.user, meeting_id=pk)
        user = accounts.account_set_active(actor=actor(request), meeting=meeting, user_id=user_id, active=False)
        return Response(_account(user))
