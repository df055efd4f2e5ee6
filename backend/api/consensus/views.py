"""The consensus API: thin views that validate input with their serializers, call
one selector or service, and answer; errors are the domain's, turned into
responses in ``backend/api/errors.py``."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponseBase
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.api import filters
from backend.api.consensus.serializers import (
    NextRevisionSerializer,
    ParagraphStateSerializer,
    ReasonSerializer,
    TransitionSerializer,
    WorkingTextSerializer,
)
from backend.api.events.serializers import EventSerializer
from backend.api.http import LANGUAGE_PARAMETER, actor, readable_declaration, text_language, text_response
from backend.api.texts.serializers import RevisionTextSerializer
from drafting import selectors, services
from drafting.models import Event, Paragraph


def _paragraph_state(paragraph: Paragraph) -> dict[str, Any]:
    return {
        "paragraph": paragraph.pk,
        "state": paragraph.state,
        "ad_ref": paragraph.ad_ref_delegation.code if paragraph.ad_ref_delegation else None,
        "brackets": paragraph.brackets,
        "alternatives": paragraph.alternatives,
        "version": paragraph.version,
    }


class WorkingText(APIView):
    """The working text: the current revision plus accepted changes, with
    every paragraph's state, brackets, Alt options, objections and pending proposals."""

    @extend_schema(responses=WorkingTextSerializer, parameters=[LANGUAGE_PARAMETER])
    def get(self, request: Request, pk: int) -> HttpResponseBase:
        declaration = readable_declaration(request, pk)
        language = text_language(request)
        created = int(declaration.created_at.timestamp() * 1_000_000)
        etag = f'"w{declaration.pk}.{created}-v{declaration.version}"'
        return text_response(request, etag, lambda: selectors.working_text(declaration=declaration), language=language)


class NextRevision(APIView):
    """The PPT (or the TS on its behalf) issues the working text as the next revision."""

    @extend_schema(request=NextRevisionSerializer, responses={201: RevisionTextSerializer})
    def post(self, request: Request, pk: int) -> Response:
        declaration = readable_declaration(request, pk)
        data = NextRevisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        revision = services.revision_issue_from_working_text(
            actor=actor(request), declaration=declaration, **data.validated_data
        )
        return Response(selectors.revision_text(revision=revision), status=status.HTTP_201_CREATED)


class ParagraphTransition(APIView):
    """The PPT moves a paragraph: open, bracket, unbracket, agree, agree_ad_ref,
    confirm (also the delegation named ad ref), hold, resume, reopen.
    Agreement is refused (409, objecting delegations named) while a member objects."""

    @extend_schema(request=TransitionSerializer, responses=ParagraphStateSerializer)
    def post(self, request: Request, pk: int) -> Response:
        data = TransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        # read, authorised and locked once, in the service (paragraph_access)
        paragraph = services.paragraph_act(
            actor=actor(request),
            paragraph=pk,
            action=v["action"],
            ad_ref_delegation=v.get("delegation"),
            brackets=v.get("brackets"),
            alternatives=v.get("alternatives"),
            note=v["note"],
        )
        return Response(_paragraph_state(paragraph))


class ParagraphObject(APIView):
    """Your delegation objects to the paragraph as it stands (blocks agreement)."""

    @extend_schema(request=ReasonSerializer, responses={201: None})
    def post(self, request: Request, pk: int) -> Response:
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.paragraph_object(actor=actor(request), paragraph=pk, **data.validated_data)
        return Response(status=status.HTTP_201_CREATED)


class ParagraphObjection(APIView):
    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        """Withdraw your delegation's objection to the paragraph."""
        services.paragraph_objection_withdraw(actor=actor(request), paragraph=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class NegotiationRecord(generics.ListAPIView[Event]):
    """The negotiation record of one declaration, in order (filters: paragraph, delegation, verb)."""

    serializer_class = EventSerializer
    filterset_class = filters.EventFilter

    def get_queryset(self) -> QuerySet[Event]:
        if getattr(self, "swagger_fake_view", False):
            return Event.objects.none()
        declaration = readable_declaration(self.request, self.kwargs["pk"])
        return selectors.event_list(user=self.request.user).filter(declaration=declaration).order_by("id")
