"""The proposals API: thin views that validate input with their serializers, call
one selector or service, and answer; errors are the domain's, turned into
responses in ``backend/api/errors.py``."""

from __future__ import annotations

import re
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.api import filters
from backend.api.http import actor, entity_tag, represent, validated
from backend.api.proposals.serializers import (
    DecisionSerializer,
    PositionInputSerializer,
    ProposalSerializer,
    ProposalSubmitSerializer,
)
from drafting import selectors, services
from drafting.errors import InvalidInput
from drafting.models import Proposal


def _proposal_response(proposal: Proposal, code: int = status.HTTP_200_OK) -> Response:
    return Response(
        represent(ProposalSerializer, proposal), status=code, headers={"ETag": entity_tag(str(proposal.version))}
    )


class ProposalList(generics.ListCreateAPIView[Proposal]):
    serializer_class = ProposalSerializer
    filterset_class = filters.ProposalFilter

    def get_queryset(self) -> QuerySet[Proposal]:
        return selectors.proposal_list(user=self.request.user).order_by("id")

    @extend_schema(request=ProposalSubmitSerializer, responses={201: ProposalSerializer})
    def post(self, request: Request) -> Response:
        v = validated(ProposalSubmitSerializer, request.data)
        # Authorised once, by the service, under its lock (drafting/services/locks.py).
        proposal = services.proposal_submit(
            actor=actor(request),
            declaration=v["declaration"],
            revision_id=v["revision"],
            paragraph_id=v["paragraph"],
            kind=v["kind"],
            text=v["text"],
            emphasis=v.get("emphasis"),
            rationale=v["rationale"],
            base_text=v.get("base_text"),
            language=v["language"],
        )
        # The service returns the row it created, with its delegation, author
        # and revision loaded: no need to read it back (and check access again).
        return _proposal_response(proposal, status.HTTP_201_CREATED)


class ProposalDetail(APIView):
    @extend_schema(responses=ProposalSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return _proposal_response(selectors.proposal_get(user=request.user, proposal_id=pk))


class ProposalWithdraw(APIView):
    @extend_schema(request=None, responses=ProposalSerializer)
    def post(self, request: Request, pk: int) -> Response:
        # The service authorises, locks, and returns the row it wrote with its positions.
        return _proposal_response(services.proposal_withdraw(actor=actor(request), proposal=pk))


class _PositionView(APIView):
    stance = ""

    @extend_schema(request=PositionInputSerializer, responses=ProposalSerializer)
    def post(self, request: Request, pk: int) -> Response:
        data = validated(PositionInputSerializer, request.data)
        # Authorised and locked once, by the service; the answer is built from
        # the rows it read and wrote (the proposal with its positions).
        position = services.position_set(actor=actor(request), proposal=pk, stance=self.stance, **data)
        return _proposal_response(position.proposal)


class ProposalSupport(_PositionView):
    """Your delegation supports (co-sponsors) the proposal; replaces an earlier objection."""

    stance = "support"


class ProposalObject(_PositionView):
    """Your delegation objects to the proposal (a reason is required)."""

    stance = "object"


class ProposalPosition(APIView):
    # a DELETE is documented as 204 unless told: this one answers 200 with the proposal
    @extend_schema(request=None, responses={200: ProposalSerializer})
    def delete(self, request: Request, pk: int) -> Response:
        """Withdraw your delegation's support or objection."""
        return _proposal_response(services.position_withdraw(actor=actor(request), proposal=pk))


def _version_from(request: Request, body: dict[str, Any]) -> int:
    if body.get("version") is not None:
        return int(body["version"])
    header = request.headers.get("If-Match", "").strip().removeprefix("W/").strip('"')
    # ASCII digits only: str.isdigit() also accepts "²", which int() refuses.
    if re.fullmatch(r"[0-9]{1,18}", header):
        return int(header)
    raise InvalidInput(
        _("Say which version of the proposal you are deciding on: `version` in the body or If-Match."),
        fields={"version": [_("Required (or send If-Match with the proposal's ETag).")]},
    )


class _DecisionView(APIView):
    decision = ""

    @extend_schema(
        request=DecisionSerializer,
        responses=ProposalSerializer,
        parameters=[OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, required=False)],
    )
    def post(self, request: Request, pk: int) -> Response:
        data = validated(DecisionSerializer, request.data)
        version = _version_from(request, data)
        decided = services.proposal_decide(
            actor=actor(request),
            proposal=pk,
            decision=self.decision,
            version=version,
            note=data["note"],
            original_text=data["original_text"],
            original_emphasis=data.get("original_emphasis"),
        )
        return _proposal_response(decided)


class ProposalAccept(_DecisionView):
    """The PPT accepts the proposal (needs its current version)."""

    decision = "accept"


class ProposalReject(_DecisionView):
    """The PPT rejects the proposal (needs its current version)."""

    decision = "reject"


class ProposalPreview(APIView):
    """The change a proposal would make to the paragraph as it stands now
    (word ops and a redline), its re-fit status, and collisions with other
    pending proposals on the same words."""

    @extend_schema(responses=dict)
    def get(self, request: Request, pk: int) -> Response:
        proposal = selectors.proposal_get(user=request.user, proposal_id=pk)
        return Response(selectors.proposal_preview(proposal=proposal))
