"""Input and output serializers of the events API: inputs check a request's
shape (domain rules are the services'), outputs shape the answers."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from drafting.models import (
    Event,
)


class EventSerializer(serializers.ModelSerializer[Event]):
    # null for what the system did itself (the demo's set-up, a silence deadline passing)
    actor: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        read_only=True, allow_null=True, slug_field="username"
    )
    delegation: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        read_only=True, allow_null=True, slug_field="code"
    )

    class Meta:
        model = Event
        fields = [
            "id",
            "created_at",
            "actor",
            "delegation",
            "verb",
            "meeting",
            "declaration",
            "paragraph",
            "proposal",
            "object_type",
            "object_id",
            "before",
            "after",
        ]
