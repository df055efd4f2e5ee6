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


class MeetingSetupInSerializer(serializers.Serializer[Any]):
    """What the Secretariat changes; what is left out stays as it is."""

    participants = serializers.ListField(
        child=serializers.CharField(max_length=16),
        required=False,
        max_length=500,
        help_text="Codes of every delegation taking part (the PPT always does), e.g. ['MEX', 'IOM', 'RNCOM'].",
    )
    ppt = serializers.CharField(max_length=16, required=False, help_text="The member state chairing, e.g. SLV.")
    time_zone = serializers.CharField(max_length=64, required=False, help_text="IANA, e.g. America/Guatemala.")
    members_only = serializers.BooleanField(required=False)
    silence_hours = serializers.IntegerField(required=False, min_value=1, max_value=24 * 60)


class MeetingSetupOutSerializer(MeetingDetailSerializer):
    class Meta(MeetingDetailSerializer.Meta):
        fields = [*MeetingDetailSerializer.Meta.fields, "time_zone", "silence_hours"]
