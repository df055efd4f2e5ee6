"""The library API: thin views that validate input with their serializers, call
one selector or service, and answer; errors are the domain's, turned into
responses in ``backend/api/errors.py``."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.api.http import actor, entity_tag
from backend.api.library.serializers import (
    AgreedStatementSerializer,
    SearchQuerySerializer,
    SearchResultSerializer,
    StatementProposeSerializer,
    StatementUpdateSerializer,
)
from backend.api.proposals.serializers import ProposalSerializer
from drafting import selectors
from drafting.errors import InvalidInput
from drafting.services import library as library_services


class LibrarySearch(APIView):
    @extend_schema(operation_id="library_search", parameters=[SearchQuerySerializer], responses=SearchResultSerializer)
    def get(self, request: Request) -> Response:
        data = SearchQuerySerializer(data=request.query_params)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        results = selectors.library_search(
            query=v["q"],
            filters=selectors.LibraryFilters(
                theme=v.get("theme", ""),
                category=v.get("category", ""),
                year=v.get("year"),
                meeting=v.get("meeting", ""),
                still_valid=v.get("still_valid"),
                origin=v.get("origin", ""),
            ),
            limit=v["limit"],
            offset=v["offset"],
        )
        return Response(
            SearchResultSerializer({"count": results.total, "engine": results.engine, "results": results.hits}).data
        )


def _version(request: Request, body: int | None) -> int | None:
    """The version the editor read (body, or If-Match); None: edit what is there."""
    if body is not None:
        return body
    header = request.headers.get("If-Match", "").strip().removeprefix("W/").strip('"')
    if not header:
        return None
    # ASCII digits only: str.isdigit() also accepts "²", which int() refuses.
    if not re.fullmatch(r"[0-9]{1,18}", header):
        raise InvalidInput(
            _("If-Match must be the statement's ETag (its version)."), fields={"version": [_("A number.")]}
        )
    return int(header)


class LibraryStatement(APIView):
    @extend_schema(operation_id="library_statement_retrieve", responses=AgreedStatementSerializer)
    def get(self, request: Request, pk: int) -> Response:
        statement = selectors.library_statement_get(statement_id=pk)
        return Response(AgreedStatementSerializer(statement).data, headers={"ETag": entity_tag(str(statement.version))})

    @extend_schema(
        request=StatementUpdateSerializer,
        responses=AgreedStatementSerializer,
        parameters=[OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, required=False)],
    )
    def patch(self, request: Request, pk: int) -> Response:
        data = StatementUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        changes: dict[str, Any] = dict(data.validated_data)
        selectors.library_statement_get(statement_id=pk)  # 404 before 403, as every detail URL
        version = _version(request, changes.pop("version", None))
        statement = library_services.library_statement_update(
            actor=actor(request), statement_id=pk, changes=changes, version=version
        )
        return Response(AgreedStatementSerializer(statement).data, headers={"ETag": entity_tag(str(statement.version))})


class LibraryPropose(APIView):
    @extend_schema(request=StatementProposeSerializer, responses={201: ProposalSerializer})
    def post(self, request: Request, pk: int) -> Response:
        data = StatementProposeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        selectors.library_statement_get(statement_id=pk)
        declaration, _ = selectors.declaration_get(user=request.user, declaration_id=v["declaration"])
        proposal = library_services.library_proposal_submit(
            actor=actor(request),
            statement_id=pk,
            declaration=declaration,
            revision_id=v["revision"],
            paragraph_id=v["paragraph"],
            kind=v["kind"],
            text=v["text"],
            rationale=v["rationale"],
        )
        return Response(ProposalSerializer(proposal).data, status=status.HTTP_201_CREATED)
