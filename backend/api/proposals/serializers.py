"""Input and output serializers of the proposals API: inputs check a request's
shape (domain rules are the services'), outputs shape the answers."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.api.fields import EmphasisSerializer, _id, _text
from backend.api.organisation.serializers import DelegationSerializer
from drafting.library.citation import citation
from drafting.models import (
    Position,
    Proposal,
)


class PositionSerializer(serializers.ModelSerializer[Position]):
    delegation: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(read_only=True, slug_field="code")

    class Meta:
        model = Position
        # earlier_wording: given before a re-fit changed the proposal's wording; set it again to confirm
        fields = ["delegation", "stance", "reason", "earlier_wording", "updated_at"]


class AgreedLanguageSerializer(serializers.Serializer[Any]):
    statement = serializers.IntegerField()
    citation = serializers.CharField()


class ProposalSerializer(serializers.ModelSerializer[Proposal]):
    delegation = DelegationSerializer(read_only=True)
    author: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(read_only=True, slug_field="username")
    decided_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        read_only=True, allow_null=True, slug_field="username"
    )
    revision_label = serializers.CharField(source="revision.label", read_only=True)
    positions = PositionSerializer(many=True, read_only=True)
    agreed_language = serializers.SerializerMethodField(
        help_text='The library statement it reuses: {"statement": id, "citation": "XXI RCM (2016), Decision 12"}.'
    )

    class Meta:
        model = Proposal
        fields = [
            "id",
            "declaration",
            "paragraph",
            "revision",
            "revision_label",
            "delegation",
            "author",
            "kind",
            "base_text",
            "text",
            "emphasis",
            "rationale",
            "status",
            "version",
            "positions",
            "decided_by",
            "decided_at",
            "decision_note",
            "created_paragraph",
            "incorporated_in",
            "refit",
            "agreed_language",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(AgreedLanguageSerializer(allow_null=True))
    def get_agreed_language(self, obj: Proposal) -> dict[str, Any] | None:
        statement = obj.source_statement if obj.source_statement_id else None
        if statement is None:
            return None
        cited = citation(meeting=statement.meeting_label, year=statement.year, paragraph=statement.paragraph_label)
        return {"statement": statement.pk, "citation": cited}


class ProposalSubmitSerializer(serializers.Serializer[Any]):
    declaration = _id()
    revision = _id(help_text="The revision the proposal is written against.")
    paragraph = _id(help_text="Paragraph identity (see the revision text).")
    kind = serializers.ChoiceField(choices=Proposal.Kind.choices)
    text = _text(required=False, allow_blank=True, default="")
    emphasis = EmphasisSerializer(many=True, required=False)
    rationale = _text(required=False, allow_blank=True, default="")
    base_text = _text(required=False, help_text="The wording you edited; re-fitted if the paragraph changed since.")


class PositionInputSerializer(serializers.Serializer[Any]):
    reason = _text(required=False, allow_blank=True, default="")


class DecisionSerializer(serializers.Serializer[Any]):
    version = serializers.IntegerField(
        required=False, help_text="The proposal version you decided on; or send If-Match."
    )
    note = _text(required=False, allow_blank=True, default="")
