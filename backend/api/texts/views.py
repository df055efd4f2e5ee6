"""The texts API: thin views that validate input with their serializers, call
one selector or service, and answer; errors are the domain's, turned into
responses in ``backend/api/errors.py``."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse, HttpResponseBase
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.api import filters, rendered
from backend.api.http import (
    LANGUAGE_PARAMETER,
    actor,
    in_language,
    not_modified,
    readable_declaration,
    text_language,
    use_meeting_time_zone,
)
from backend.api.proposals.serializers import ProposalSerializer
from backend.api.texts.serializers import (
    DeclarationCreateSerializer,
    DeclarationSerializer,
    ParagraphSerializer,
    RevisionIssueSerializer,
    RevisionProposalSerializer,
    RevisionSummarySerializer,
    RevisionTextSerializer,
)
from drafting import selectors, services
from drafting.bilingual import paragraph_in_language
from drafting.errors import Conflict, InvalidInput, NotFound
from drafting.models import Declaration, Proposal, Revision


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
        declaration = readable_declaration(request, pk)  # and times in the meeting's zone, as the reads give them
        data = RevisionIssueSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        revision = services.revision_issue(actor=actor(request), declaration=declaration, **data.validated_data)
        return Response(selectors.revision_text(revision=revision), status=status.HTTP_201_CREATED)


class RevisionList(generics.ListAPIView[Revision]):
    serializer_class = RevisionSummarySerializer
    filterset_class = filters.RevisionFilter

    def get_queryset(self) -> QuerySet[Revision]:
        return selectors.revision_list(user=self.request.user).order_by("declaration_id", "number")


PROPOSALS_SHOWN = ("summary", "inline")
PROPOSALS_PARAMETER = OpenApiParameter(
    "proposals",
    str,
    enum=list(PROPOSALS_SHOWN),
    required=False,
    description="`summary` (the default): each paragraph carries `proposal_summary` (how many proposals, how "
    "many in each status, which delegations made them), and the proposals themselves come, paged, from "
    "`/api/revisions/{id}/proposals/?paragraph=…`. `inline`: each paragraph lists its proposals with who supports "
    "and who objects, as this endpoint did before (a 200-paragraph draft with 2,000 proposals is ~1.5 MB that "
    "way, ~100 KB without).",
)


def _proposals_shown(request: Request) -> str:
    shown = request.query_params.get("proposals", "summary")
    if shown not in PROPOSALS_SHOWN:
        raise InvalidInput(
            _("`proposals` is `summary` or `inline`."),
            fields={"proposals": [_("One of: %(choices)s.") % {"choices": ", ".join(PROPOSALS_SHOWN)}]},
        )
    return shown


def _text(request: Request, head: selectors.TextHead) -> HttpResponseBase:
    """A revision's text under its ETag: 304 when the client has it (decided
    from the head alone: one query), else the body rendered once per change
    (backend/api/rendered.py). A revision is immutable, but the
    proposals shown under its paragraphs are not: the declaration's version,
    in the head's stamp, changes with every write."""
    shown = _proposals_shown(request)
    language = text_language(request)

    def build() -> Any:
        assert head.revision_id is not None  # the caller answered 404 for a declaration without text
        revision = Revision.objects.select_related("declaration__meeting", "issued_by").get(pk=head.revision_id)
        use_meeting_time_zone(revision.declaration)  # times as the meeting reads them (issue 15)
        return selectors.revision_text(revision=revision, proposals=shown)

    etag, build = in_language(f'"{head.stamp}-inline"' if shown == "inline" else f'"{head.stamp}"', build, language)
    if not_modified(request, etag):
        return HttpResponse(status=304, headers={"ETag": etag})
    return HttpResponse(rendered.body_for(etag, build), content_type="application/json", headers={"ETag": etag})


class DeclarationText(generics.GenericAPIView[Any]):
    """The current draft: the latest revision's full text."""

    @extend_schema(responses=RevisionTextSerializer, parameters=[PROPOSALS_PARAMETER, LANGUAGE_PARAMETER])
    def get(self, request: Request, pk: int) -> HttpResponseBase:
        head = selectors.text_head_get(user=request.user, declaration_id=pk)
        if head.revision_id is None:
            raise NotFound(_("This declaration has no text yet: the Secretariat has not issued a zero draft."))
        return _text(request, head)


class RevisionDetail(generics.GenericAPIView[Any]):
    """A revision's full text: sections, paragraphs, and the proposals on them."""

    @extend_schema(responses=RevisionTextSerializer, parameters=[PROPOSALS_PARAMETER, LANGUAGE_PARAMETER])
    def get(self, request: Request, pk: int) -> HttpResponseBase:
        return _text(request, selectors.text_head_get(user=request.user, revision_id=pk))


class _ProposalQuery(serializers.Serializer[Any]):
    paragraph = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)


class RevisionProposals(generics.ListAPIView[Proposal]):
    """The proposals written against a revision, in the order they were made,
    paged; ``?paragraph=`` for one paragraph's. Each as the text showed it
    inline (with who supports and who objects), with its paragraph. ETag as
    the text's: a client polling a paragraph gets 304s until a write."""

    serializer_class = RevisionProposalSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Proposal]:
        return Proposal.objects.none()  # listed by ``list`` below, from the head

    @extend_schema(parameters=[OpenApiParameter("paragraph", int, required=False)])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        query = _ProposalQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        head = selectors.text_head_get(user=request.user, revision_id=self.kwargs["pk"])
        asked = hashlib.sha1(request.get_full_path().encode(), usedforsecurity=False).hexdigest()[:12]
        etag = f'"{head.stamp}-p{asked}"'
        if not_modified(request, etag):
            return Response(status=304, headers={"ETag": etag})
        assert head.revision_id is not None
        ids = selectors.revision_proposals(
            revision_id=head.revision_id, paragraph_id=query.validated_data.get("paragraph")
        )
        page = self.paginate_queryset(ids.values_list("pk", flat=True))
        assert page is not None
        response = self.get_paginated_response(selectors.revision_proposal_page(proposal_ids=list(page)))
        response["ETag"] = etag
        return response


class ParagraphDetail(APIView):
    """A paragraph's identity: its wording in every revision, and its proposals."""

    @extend_schema(responses=ParagraphSerializer, parameters=[LANGUAGE_PARAMETER])
    def get(self, request: Request, pk: int) -> Response:
        language = text_language(request)
        paragraph = selectors.paragraph_get(user=request.user, paragraph_id=pk)
        proposals = selectors.proposal_list(user=request.user).filter(paragraph=paragraph).order_by("id")
        current = selectors.paragraph_current(paragraph=paragraph)
        versions = selectors.paragraph_history(paragraph=paragraph)
        if language is not None:  # one language's wording, as on the text endpoints
            original = paragraph.declaration.original_language
            current = paragraph_in_language(current, language, original=original)
            versions = [paragraph_in_language(v, language, original=original) for v in versions]
        return Response(
            {
                "id": paragraph.pk,
                "declaration": paragraph.declaration_id,
                "introduced_in": paragraph.introduced_in_id,
                "current": current,
                "versions": versions,
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
                    raise Conflict(_("This declaration has only one revision; there is nothing to compare yet."))
                return default
            # ASCII digits only: str.isdigit() also accepts "²" and "①", which int() refuses.
            if not re.fullmatch(r"[0-9]{1,18}", raw) or int(raw) not in by_id:
                raise InvalidInput(
                    _("No revision %(raw)r in this declaration.") % {"raw": raw},
                    fields={name: [_("Unknown revision.")]},
                )
            return by_id[int(raw)]

        if not revisions:
            raise NotFound(_("This declaration has no revision yet."))
        new = pick("to", revisions[-1])
        older = [r for r in revisions if r.number < new.number]
        old = pick("from", older[-1] if older else None)
        return Response(selectors.revision_compare(declaration=declaration, old=old, new=new))
