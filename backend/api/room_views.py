"""Endpoints the live room's pages needed and the API lacked: "now
discussing", agreeing every uncontested paragraph in one step, and the
Secretariat's management of delegates' accounts. Same services as the pages."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.api.serializers import _id, _text
from backend.api.views import actor
from drafting import selectors
from drafting.services import accounts, discussion, paragraphs


class DiscussingSerializer(serializers.Serializer[Any]):
    paragraph = _id(allow_null=True, help_text="The paragraph under discussion; null clears it.")


class AgreedSerializer(serializers.Serializer[Any]):
    agreed = serializers.ListField(child=serializers.IntegerField(), help_text="Paragraph ids agreed, in text order.")


class NoteSerializer(serializers.Serializer[Any]):
    note = _text(required=False, allow_blank=True, default="")


class Discussing(APIView):
    """The PPT names the paragraph under discussion; every open page and the projection screen follow."""

    @extend_schema(request=DiscussingSerializer, responses=DiscussingSerializer)
    def post(self, request: Request, pk: int) -> Response:
        data = DiscussingSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        declaration, _ = selectors.declaration_get(user=request.user, declaration_id=pk)
        declaration = discussion.discussion_set(
            actor=actor(request), declaration=declaration, paragraph_id=data.validated_data["paragraph"]
        )
        return Response({"paragraph": declaration.discussing_id})


class AgreeUncontested(APIView):
    """The PPT agrees every open, under-discussion or reopened paragraph with no
    objection and no pending proposal, in one step."""

    @extend_schema(request=NoteSerializer, responses=AgreedSerializer)
    def post(self, request: Request, pk: int) -> Response:
        data = NoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        declaration, _ = selectors.declaration_get(user=request.user, declaration_id=pk)
        agreed = paragraphs.paragraphs_agree_uncontested(
            actor=actor(request), declaration=declaration, note=data.validated_data["note"]
        )
        return Response({"agreed": agreed})


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
