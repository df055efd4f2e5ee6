"""The events API: thin views that validate input with their serializers, call
one selector or service, and answer; errors are the domain's, turned into
responses in ``backend/api/errors.py``."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import generics

from backend.api import filters
from backend.api.events.serializers import EventSerializer
from drafting import selectors


class EventList(generics.ListAPIView[Any]):
    """The negotiation record, oldest first."""

    serializer_class = EventSerializer
    filterset_class = filters.EventFilter

    def get_queryset(self) -> QuerySet[Any]:
        return selectors.event_list(user=self.request.user).order_by("id")
