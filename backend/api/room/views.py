"""The room API: thin views that validate input with their serializers, call
one selector or service, and answer; errors are the domain's, turned into
responses in ``backend/api/errors.py``."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.api.http import actor
from backend.api.room.serializers import AgreedSerializer, DiscussingSerializer, NoteSerializer
from drafting import selectors
from drafting.services import discussion, paragraphs


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
