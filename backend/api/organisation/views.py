"""The organisation API: thin views that validate input with their serializers, call
one selector or service, and answer; errors are the domain's, turned into
responses in ``backend/api/errors.py``."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.api import filters
from backend.api.organisation.serializers import DelegationSerializer, MeetingDetailSerializer, MeetingSerializer
from drafting import selectors
from drafting.models import Delegation, Meeting


class DelegationList(generics.ListAPIView[Delegation]):
    serializer_class = DelegationSerializer
    filterset_class = filters.DelegationFilter
    queryset = Delegation.objects.order_by("name_en")


class DelegationDetail(generics.RetrieveAPIView[Delegation]):
    serializer_class = DelegationSerializer
    queryset = Delegation.objects.all()


class MeetingList(generics.ListAPIView[Meeting]):
    serializer_class = MeetingSerializer

    def get_queryset(self) -> QuerySet[Meeting]:
        return selectors.meeting_list(user=self.request.user).order_by("-start_date", "id")


class MeetingDetail(APIView):
    @extend_schema(responses=MeetingDetailSerializer)
    def get(self, request: Request, pk: int) -> Response:
        meeting, _ = selectors.meeting_get(user=request.user, meeting_id=pk)
        return Response(MeetingDetailSerializer(meeting).data)
