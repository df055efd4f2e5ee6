"""Input and output serializers of the room API: inputs check a request's
shape (domain rules are the services'), outputs shape the answers."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from backend.api.fields import _id, _text


class DiscussingSerializer(serializers.Serializer[Any]):
    paragraph = _id(allow_null=True, help_text="The paragraph under discussion; null clears it.")


class AgreedSerializer(serializers.Serializer[Any]):
    agreed = serializers.ListField(child=serializers.IntegerField(), help_text="Paragraph ids agreed, in text order.")


class NoteSerializer(serializers.Serializer[Any]):
    note = _text(required=False, allow_blank=True, default="")
