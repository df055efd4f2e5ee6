"""Input and output serializers of the organisation API: inputs check a request's
shape (domain rules are the services'), outputs shape the answers."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from drafting.models import (
    Delegation,
    Meeting,
)


class DelegationSerializer(serializers.ModelSerializer[Delegation]):
    class Meta:
        model = Delegation
        fields = ["id", "code", "name_en", "name_es", "kind"]


class MeetingSerializer(serializers.ModelSerializer[Meeting]):
    ppt = DelegationSerializer(read_only=True)

    class Meta:
        model = Meeting
        fields = ["id", "title", "place", "start_date", "end_date", "ppt", "members_only"]


class MeetingDetailSerializer(MeetingSerializer):
    participants = DelegationSerializer(many=True, read_only=True)
    secretariat_staff: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="username"
    )

    class Meta(MeetingSerializer.Meta):
        fields = [*MeetingSerializer.Meta.fields, "participants", "secretariat_staff"]
