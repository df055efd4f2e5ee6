"""The adoption API: thin views that validate input with their serializers, call
one selector or service, and answer; errors are the domain's, turned into
responses in ``backend/api/errors.py``."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.api.adoption.serializers import (
    AdoptionSerializer,
    AdoptionStartSerializer,
    StatementInputSerializer,
    StatementSerializer,
)
from backend.api.consensus.serializers import ReasonSerializer
from backend.api.http import actor, readable_declaration
from drafting import selectors, services
from drafting.errors import NotFound
from drafting.models import Declaration, Statement


def _adoption_response(declaration: Declaration, code: int = status.HTTP_200_OK) -> Response:
    body = selectors.adoption_current(declaration=declaration)
    if body is None:
        raise NotFound(_("This declaration has never been put to adoption."))
    return Response(body, status=code)


class AdoptionView(APIView):
    """GET: the latest adoption attempt (deadline and time left under silence).
    POST (PPT): put the current, fully agreed revision to adoption in session
    or under silence procedure."""

    @extend_schema(responses=AdoptionSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return _adoption_response(readable_declaration(request, pk))

    @extend_schema(request=AdoptionStartSerializer, responses={201: AdoptionSerializer})
    def post(self, request: Request, pk: int) -> Response:
        declaration = readable_declaration(request, pk)
        data = AdoptionStartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        if v["method"] == "silence":
            services.silence_launch(
                actor=actor(request),
                declaration=declaration,
                revision_id=v["revision"],
                deadline=v.get("deadline"),
                original_language_only=v["original_language_only"],
            )
        else:
            services.adoption_propose(
                actor=actor(request),
                declaration=declaration,
                revision_id=v["revision"],
                original_language_only=v["original_language_only"],
            )
        return _adoption_response(declaration, status.HTTP_201_CREATED)


class _AdoptionAction(APIView):
    def act(self, request: Request, declaration: Declaration) -> None:
        raise NotImplementedError

    def run(self, request: Request, pk: int) -> Response:
        declaration = readable_declaration(request, pk)
        self.act(request, declaration)
        return _adoption_response(declaration)


class AdoptionObject(_AdoptionAction):
    """A member delegation present objects to adoption in session."""

    @extend_schema(request=ReasonSerializer, responses=AdoptionSerializer)
    def post(self, request: Request, pk: int) -> Response:
        return self.run(request, pk)

    def act(self, request: Request, declaration: Declaration) -> None:
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.adoption_object(actor=actor(request), declaration=declaration, **data.validated_data)


class AdoptionObjectionWithdraw(_AdoptionAction):
    # a DELETE is documented as 204 unless told: this one answers 200 with the adoption
    @extend_schema(request=None, responses={200: AdoptionSerializer})
    def delete(self, request: Request, pk: int) -> Response:
        """Withdraw your delegation's objection to adoption."""
        return self.run(request, pk)

    def act(self, request: Request, declaration: Declaration) -> None:
        services.adoption_objection_withdraw(actor=actor(request), declaration=declaration)


class AdoptionAdopt(_AdoptionAction):
    """The PPT adopts the text in session (409 naming objectors if any member objects)."""

    @extend_schema(request=None, responses=AdoptionSerializer)
    def post(self, request: Request, pk: int) -> Response:
        return self.run(request, pk)

    def act(self, request: Request, declaration: Declaration) -> None:
        services.adoption_adopt(actor=actor(request), declaration=declaration)


class AdoptionWithdraw(_AdoptionAction):
    """The PPT takes the text back to negotiation."""

    @extend_schema(request=None, responses=AdoptionSerializer)
    def post(self, request: Request, pk: int) -> Response:
        return self.run(request, pk)

    def act(self, request: Request, declaration: Declaration) -> None:
        services.adoption_withdraw(actor=actor(request), declaration=declaration)


class SilenceBreak(_AdoptionAction):
    """A member delegation breaks silence (before the deadline, with a reason)."""

    @extend_schema(request=ReasonSerializer, responses=AdoptionSerializer)
    def post(self, request: Request, pk: int) -> Response:
        return self.run(request, pk)

    def act(self, request: Request, declaration: Declaration) -> None:
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.silence_break(actor=actor(request), declaration=declaration, **data.validated_data)


class Statements(generics.ListAPIView[Statement]):
    """Reservations (on a paragraph) and explanations of position (on the
    text) put on record at adoption; POST records one."""

    serializer_class = StatementSerializer

    def get_queryset(self) -> QuerySet[Statement]:
        if getattr(self, "swagger_fake_view", False):
            return Statement.objects.none()
        return selectors.statement_list(declaration=readable_declaration(self.request, self.kwargs["pk"])).order_by(
            "id"
        )

    @extend_schema(request=StatementInputSerializer, responses={201: StatementSerializer})
    def post(self, request: Request, pk: int) -> Response:
        declaration = readable_declaration(request, pk)
        data = StatementInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        statement = services.statement_record(
            actor=actor(request),
            declaration=declaration,
            kind=v["kind"],
            text=v["text"],
            paragraph_id=v.get("paragraph"),
        )
        return Response(StatementSerializer(statement).data, status=status.HTTP_201_CREATED)
