"""Input and output serializers of the adoption API: inputs check a request's
shape (domain rules are the services'), outputs shape the answers."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from backend.api.fields import _id, _text
from drafting.models import Adoption, Statement


class AdoptionStartSerializer(serializers.Serializer[Any]):
    revision = _id()
    method = serializers.ChoiceField(choices=Adoption.Method.choices)
    deadline = serializers.DateTimeField(
        required=False, help_text="Silence procedure: defaults to the meeting's silence period (72 h)."
    )


class StatementInputSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=Statement.Kind.choices)
    paragraph = _id(required=False, allow_null=True)
    text = _text()


class StatementSerializer(serializers.ModelSerializer[Statement]):
    delegation: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(read_only=True, slug_field="code")

    class Meta:
        model = Statement
        fields = ["id", "adoption", "kind", "delegation", "paragraph", "text", "created_at"]


class AdoptionSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    method = serializers.ChoiceField(choices=Adoption.Method.choices)
    status = serializers.ChoiceField(choices=Adoption.Status.choices)
    revision = serializers.DictField()
    proposed_at = serializers.DateTimeField()
    deadline = serializers.DateTimeField(allow_null=True)
    seconds_left = serializers.IntegerField(allow_null=True)
    concluded_at = serializers.DateTimeField(allow_null=True)
    place = serializers.CharField()
    ppt = serializers.CharField()
    present = serializers.ListField(child=serializers.CharField())
    objections = serializers.ListField(child=serializers.DictField())
    statements = serializers.ListField(child=serializers.DictField())
