"""Input and output serializers of the library API: inputs check a request's
shape (domain rules are the services'), outputs shape the answers."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.api.fields import MAX_ID, RawText
from drafting.library.citation import citation
from drafting.models import AgreedStatement, Proposal


class AgreedStatementSerializer(serializers.ModelSerializer[AgreedStatement]):
    citation = serializers.SerializerMethodField(help_text='How it is cited: "XXI RCM (2016), Decision 12".')

    class Meta:
        model = AgreedStatement
        fields = [
            "id",
            "citation",
            "text_es",
            "text_en",
            "original_language",
            "theme",
            "subtheme",
            "related_themes",
            "category",
            "tags",
            "meeting_label",
            "year",
            "declaration_title",
            "paragraph_label",
            "meeting",
            "declaration",
            "paragraph",
            "origin",
            "still_valid",
            "superseded_by",
            "validity_note",
            "duplicate_of",
            "version",
            "updated_at",
        ]
        read_only_fields = fields

    def get_citation(self, obj: AgreedStatement) -> str:
        return citation(meeting=obj.meeting_label, year=obj.year, paragraph=obj.paragraph_label)


class DuplicateSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    theme = serializers.CharField()
    subtheme = serializers.CharField()


class HitSerializer(serializers.Serializer[Any]):
    statement = AgreedStatementSerializer()
    score = serializers.FloatField(
        help_text="The engine's own relevance (higher is better); compare within one answer."
    )
    duplicates = serializers.SerializerMethodField(help_text="Near-duplicates grouped under this statement.")

    @extend_schema_field(DuplicateSerializer(many=True))
    def get_duplicates(self, obj: Any) -> list[dict[str, Any]]:
        return [{"id": d.pk, "theme": d.theme, "subtheme": d.subtheme} for d in obj.duplicates]


class SearchResultSerializer(serializers.Serializer[Any]):
    count = serializers.IntegerField(help_text="Groups of near-duplicates that match.")
    engine = serializers.CharField(help_text="postgresql or sqlite (see drafting/library/README.md).")
    results = HitSerializer(many=True)


class SearchQuerySerializer(serializers.Serializer[Any]):
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=500,
        trim_whitespace=False,
        help_text='Words (all must match), "a phrase", or, -exclude; Spanish or English, accents and word forms aside.',
    )
    theme = serializers.ChoiceField(choices=AgreedStatement.Theme.choices, required=False)
    category = serializers.ChoiceField(choices=AgreedStatement.Category.choices, required=False)
    year = serializers.IntegerField(min_value=1900, max_value=2999, required=False)
    meeting = serializers.CharField(max_length=120, required=False, help_text="e.g. XXI RCM")
    still_valid = serializers.BooleanField(required=False, allow_null=True, default=None)
    origin = serializers.ChoiceField(choices=AgreedStatement.Origin.choices, required=False)
    limit = serializers.IntegerField(min_value=1, max_value=100, default=20)
    offset = serializers.IntegerField(min_value=0, max_value=1_000_000, default=0)


class StatementUpdateSerializer(serializers.Serializer[Any]):
    version = serializers.IntegerField(required=False, min_value=1, help_text="The version you edited; or If-Match.")
    text_es = RawText(required=False, allow_blank=True)
    text_en = RawText(required=False, allow_blank=True)
    theme = serializers.ChoiceField(choices=AgreedStatement.Theme.choices, required=False, allow_blank=True)
    subtheme = RawText(required=False, allow_blank=True)
    related_themes = serializers.ListField(
        child=serializers.ChoiceField(choices=AgreedStatement.Theme.choices), required=False, max_length=6
    )
    category = serializers.ChoiceField(choices=AgreedStatement.Category.choices, required=False)
    tags = serializers.ListField(child=RawText(max_length=60), required=False, max_length=20)
    meeting_label = RawText(required=False, max_length=120)
    year = serializers.IntegerField(min_value=1900, max_value=2999, required=False)
    declaration_title = RawText(required=False, allow_blank=True, max_length=500)
    paragraph_label = RawText(required=False, allow_blank=True, max_length=40)
    still_valid = serializers.BooleanField(required=False)
    superseded_by = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, allow_null=True)
    validity_note = RawText(required=False, allow_blank=True, max_length=5000)


class StatementProposeSerializer(serializers.Serializer[Any]):
    declaration = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    revision = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="The current revision.")
    paragraph = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    kind = serializers.ChoiceField(
        choices=[c for c in Proposal.Kind.choices if c[0] != Proposal.Kind.DELETE],
        default=Proposal.Kind.REPLACE,
    )
    text = RawText(
        required=False, allow_blank=True, default="", help_text="Your adaptation; empty: the statement's wording."
    )
    rationale = RawText(required=False, allow_blank=True, default="")
