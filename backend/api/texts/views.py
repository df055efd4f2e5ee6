"""The texts API: thin views that validate input with their serializers, call
one selector or service, and answer; errors are the domain's, turned into
responses in ``backend/api/errors.py``."""

from __future__ import annotations

import re

from django.db.models import QuerySet
from django.http import HttpResponseBase
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.api import filters
from backend.api.http import actor, entity_tag, readable_declaration, text_response
from backend.api.proposals.serializers import ProposalSerializer
from backend.api.texts.serializers import (
    DeclarationCreateSerializer,
    DeclarationSerializer,
    ParagraphSerializer,
    RevisionIssueSerializer,
    RevisionSummarySerializer,
    RevisionTextSerializer,
)
from drafting import selectors, services
from drafting.errors import Conflict, InvalidInput, NotFound
from drafting.models import Declaration, Revision


class DeclarationList(generics.ListCreateAPIView[Declaration]):
    serializer_class = DeclarationSerializer
    filterset_class = filters.DeclarationFilter

    def get_queryset(self) -> QuerySet[Declaration]:
        return selectors.declaration_list(user=self.request.user).order_by("-created_at", "id")

    @extend_schema(request=DeclarationCreateSerializer, responses={201: DeclarationSerializer})
    def post(self, request: Request) -> Response:
        data = DeclarationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        meeting, _ = selectors.meeting_get(user=request.user, meeting_id=data.validated_data.pop("meeting"))
        created = services.declaration_create(actor=actor(request), meeting=meeting, **data.validated_data)
        declaration, _ = selectors.declaration_get(user=request.user, declaration_id=created.pk)
        return Response(DeclarationSerializer(declaration).data, status=status.HTTP_201_CREATED)


class DeclarationDetail(APIView):
    @extend_schema(responses=DeclarationSerializer)
    def get(self, request: Request, pk: int) -> Response:
        declaration, _ = selectors.declaration_get(user=request.user, declaration_id=pk)
        return Response(DeclarationSerializer(declaration).data)


class DeclarationRevisions(generics.ListAPIView[Revision]):
    """List a declaration's revisions (GET); issue the next one (POST, Secretariat)."""

    serializer_class = RevisionSummarySerializer

    def get_queryset(self) -> QuerySet[Revision]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request
            return Revision.objects.none()
        declaration, _ = selectors.declaration_get(user=self.request.user, declaration_id=self.kwargs["pk"])
        return declaration.revisions.select_related("issued_by").order_by("number")

    @extend_schema(request=RevisionIssueSerializer, responses={201: RevisionTextSerializer})
    def post(self, request: Request, pk: int) -> Response:
        declaration, _ = selectors.declaration_get(user=request.user, declaration_id=pk)
        data = RevisionIssueSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        revision = services.revision_issue(actor=actor(request), declaration=declaration, **data.validated_data)
        return Response(selectors.revision_text(revision=revision), status=status.HTTP_201_CREATED)


def _revision_response(request: Request, revision: Revision, version: int) -> HttpResponseBase:
    # A revision is immutable, but the proposals shown under its paragraphs
    # are not: the declaration's version changes with every write, so the
    # pair identifies exactly what this response shows.
    # The issue time makes the tag unique even if ids come round again (a
    # database restored from a backup, or a test rolled back).
    issued = int(revision.issued_at.timestamp() * 1_000_000)
    return text_response(
        request, entity_tag(f"r{revision.pk}.{issued}-v{version}"), lambda: selectors.revision_text(revision=revision)
    )


class DeclarationText(APIView):
    """The current draft: the latest revision's full text."""

    @extend_schema(responses=RevisionTextSerializer)
    def get(self, request: Request, pk: int) -> HttpResponseBase:
        declaration, _ = selectors.declaration_get(user=request.user, declaration_id=pk)
        revision = selectors.revision_current(declaration=declaration)
        if revision is None:
            raise NotFound("This declaration has no text yet: the Secretariat has not issued a zero draft.")
        return _revision_response(request, revision, declaration.version)


class RevisionList(generics.ListAPIView[Revision]):
    serializer_class = RevisionSummarySerializer
    filterset_class = filters.RevisionFilter

    def get_queryset(self) -> QuerySet[Revision]:
        return selectors.revision_list(user=self.request.user).order_by("declaration_id", "number")


class RevisionDetail(APIView):
    """A revision's full text: sections, paragraphs, and the proposals on them."""

    @extend_schema(responses=RevisionTextSerializer)
    def get(self, request: Request, pk: int) -> HttpResponseBase:
        revision = selectors.revision_get(user=request.user, revision_id=pk)
        return _revision_response(request, revision, revision.declaration.version)


class ParagraphDetail(APIView):
    """A paragraph's identity: its wording in every revision, and its proposals."""

    @extend_schema(responses=ParagraphSerializer)
    def get(self, request: Request, pk: int) -> Response:
        paragraph = selectors.paragraph_get(user=request.user, paragraph_id=pk)
        proposals = selectors.proposal_list(user=request.user).filter(paragraph=paragraph).order_by("id")
        return Response(
            {
                "id": paragraph.pk,
                "declaration": paragraph.declaration_id,
                "introduced_in": paragraph.introduced_in_id,
                "current": {
                    "text": paragraph.text,
                    "emphasis": paragraph.emphasis,
                    "state": paragraph.state,
                    "ad_ref": paragraph.ad_ref_delegation.code if paragraph.ad_ref_delegation else None,
                    "brackets": paragraph.brackets,
                    "inserted": paragraph.inserted,
                },
                "versions": selectors.paragraph_history(paragraph=paragraph),
                "proposals": ProposalSerializer(proposals, many=True).data,
                "agreed_language": selectors.paragraph_agreed_language(paragraph=paragraph),
            }
        )


class RevisionCompare(APIView):
    """What changed between two revisions, paragraph by paragraph (by
    identity): word ops and an HTML redline (<ins>/<del>). Defaults: the
    current revision against the one before it."""

    @extend_schema(
        parameters=[
            OpenApiParameter("from", int, required=False, description="Older revision id."),
            OpenApiParameter("to", int, required=False, description="Newer revision id."),
        ],
        responses=dict,
    )
    def get(self, request: Request, pk: int) -> Response:
        declaration = readable_declaration(request, pk)
        revisions = list(declaration.revisions.order_by("number"))
        by_id = {r.pk: r for r in revisions}

        def pick(name: str, default: Revision | None) -> Revision:
            raw = request.query_params.get(name)
            if raw is None:
                if default is None:
                    raise Conflict("This declaration has only one revision; there is nothing to compare yet.")
                return default
            # ASCII digits only: str.isdigit() also accepts "²" and "①", which int() refuses.
            if not re.fullmatch(r"[0-9]{1,18}", raw) or int(raw) not in by_id:
                raise InvalidInput(f"No revision {raw!r} in this declaration.", fields={name: ["Unknown revision."]})
            return by_id[int(raw)]

        if not revisions:
            raise NotFound("This declaration has no revision yet.")
        new = pick("to", revisions[-1])
        older = [r for r in revisions if r.number < new.number]
        old = pick("from", older[-1] if older else None)
        return Response(selectors.revision_compare(declaration=declaration, old=old, new=new))
