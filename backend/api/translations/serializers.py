"""Input and output serializers of the translations API (issue 15)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from backend.api.fields import EmphasisSerializer, _text


class TranslationSerializer(serializers.Serializer[Any]):
    """A paragraph's version in the declaration's other working language."""

    language = serializers.ChoiceField(choices=[("es", "es"), ("en", "en")], help_text="The other language.")
    text = serializers.CharField(allow_blank=True)
    emphasis = EmphasisSerializer(many=True)
    table = serializers.ListField(child=serializers.ListField(child=serializers.CharField()), allow_null=True)
    status = serializers.CharField(
        help_text="current, stale or missing. current: renders the original as it stands; stale: the "
        "original changed since it was translated; missing: never translated. In a revision: as issued, "
        "completed when the TS brings a paragraph in line while the original still reads as in that revision.",
    )


class WorkingTranslationSerializer(TranslationSerializer):
    translation_of = serializers.IntegerField(
        allow_null=True, help_text="The text_version of the original it renders (null: missing)."
    )


class TranslationUpdateSerializer(serializers.Serializer[Any]):
    text_version = serializers.IntegerField(
        min_value=1, help_text="The paragraph's text_version you translated (from the working text); 409 if it moved."
    )
    text = _text(required=False, allow_blank=True, default="")
    emphasis = EmphasisSerializer(many=True, required=False)
    table = serializers.ListField(
        child=serializers.ListField(child=_text(allow_blank=True)),
        required=False,
        allow_null=True,
        help_text="A table paragraph: its cells translated, in the original's rows and cells.",
    )


class TranslationStateSerializer(serializers.Serializer[Any]):
    paragraph = serializers.IntegerField()
    text_version = serializers.IntegerField()
    translation = WorkingTranslationSerializer()


class BehindSerializer(serializers.Serializer[Any]):
    paragraph = serializers.IntegerField()
    label = serializers.CharField()  # type: ignore[assignment]
    text = serializers.CharField(help_text="The original wording to translate.")
    text_version = serializers.IntegerField(help_text="Send it with the update.")
    translation = serializers.CharField(allow_blank=True, help_text="The stale translation, or empty.")


class TranslationsBehindSerializer(serializers.Serializer[Any]):
    declaration = serializers.IntegerField()
    original_language = serializers.CharField()
    language = serializers.CharField(help_text="The language to translate into.")
    missing = BehindSerializer(many=True)
    stale = BehindSerializer(many=True)


class TranslatorSerializer(serializers.Serializer[Any]):
    username = _text(max_length=150)
    named = serializers.BooleanField(default=True, help_text="false: no longer a translator for the meeting.")
