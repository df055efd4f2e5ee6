"""Reads of a whole text (issue 18, the read side): one query decides
access and which body it is (``drafting.text_heads.text_head_get``); a
client holding that body gets a 304 there and then; otherwise the body,
rendered once per change (backend/api/rendered.py). The body carries a
summary of the proposals per paragraph; the proposals come paged from
their own endpoint, or inline on request."""

from __future__ import annotations

import hashlib
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse, HttpResponseBase
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from backend.api import rendered
from backend.api import serializers as s
from backend.api.views import not_modified
from drafting import selectors
from drafting.errors import InvalidInput, NotFound
from drafting.models import Proposal, Revision
from drafting.text_heads import TextHead, proposal_summaries, revision_proposals, text_head_get

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
            "`proposals` is `summary` or `inline`.", fields={"proposals": [f"One of: {', '.join(PROPOSALS_SHOWN)}."]}
        )
    return shown


def _text(request: Request, head: TextHead) -> HttpResponseBase:
    """A revision's text under its ETag. A revision is immutable, but the
    proposals shown under its paragraphs are not: the declaration's version,
    in the head's stamp, changes with every write."""
    shown = _proposals_shown(request)
    etag = f'"{head.stamp}-inline"' if shown == "inline" else f'"{head.stamp}"'
    if not_modified(request, etag):
        return HttpResponse(status=304, headers={"ETag": etag})

    def build() -> Any:
        assert head.revision_id is not None  # the caller answered 404 for a declaration without text
        revision = Revision.objects.select_related("declaration", "issued_by").get(pk=head.revision_id)
        return selectors.revision_text(revision=revision, proposals=shown)

    return HttpResponse(rendered.body_for(etag, build), content_type="application/json", headers={"ETag": etag})


class DeclarationText(generics.GenericAPIView[Any]):
    """The current draft: the latest revision's full text."""

    @extend_schema(responses=s.RevisionTextSerializer, parameters=[PROPOSALS_PARAMETER])
    def get(self, request: Request, pk: int) -> HttpResponseBase:
        head = text_head_get(user=request.user, declaration_id=pk)
        if head.revision_id is None:
            raise NotFound("This declaration has no text yet: the Secretariat has not issued a zero draft.")
        return _text(request, head)


class RevisionDetail(generics.GenericAPIView[Any]):
    """A revision's full text: sections, paragraphs, and the proposals on them."""

    @extend_schema(responses=s.RevisionTextSerializer, parameters=[PROPOSALS_PARAMETER])
    def get(self, request: Request, pk: int) -> HttpResponseBase:
        return _text(request, text_head_get(user=request.user, revision_id=pk))


class _ProposalQuery(serializers.Serializer[Any]):
    paragraph = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)


class RevisionProposals(generics.ListAPIView[Proposal]):
    """The proposals written against a revision, in the order they were made,
    paged; ``?paragraph=`` for one paragraph's. Each as the text showed it
    inline (with who supports and who objects), with its paragraph. ETag as
    the text's: a client polling a paragraph gets 304s until a write."""

    serializer_class = s.RevisionProposalSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Proposal]:
        return Proposal.objects.none()  # listed by ``list`` below, from the head

    @extend_schema(parameters=[OpenApiParameter("paragraph", int, required=False)])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        query = _ProposalQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        head = text_head_get(user=request.user, revision_id=self.kwargs["pk"])
        asked = hashlib.sha1(request.get_full_path().encode(), usedforsecurity=False).hexdigest()[:12]
        etag = f'"{head.stamp}-p{asked}"'
        if not_modified(request, etag):
            return Response(status=304, headers={"ETag": etag})
        assert head.revision_id is not None
        ids = revision_proposals(revision_id=head.revision_id, paragraph_id=query.validated_data.get("paragraph"))
        page = self.paginate_queryset(ids.values_list("pk", flat=True))
        assert page is not None
        response = self.get_paginated_response(proposal_summaries(proposal_ids=list(page)))
        response["ETag"] = etag
        return response
