"""Input and output serializers of the texts API: inputs check a request's
shape (domain rules are the services'), outputs shape the answers."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework import serializers

from backend.api.fields import EmphasisSerializer, _id, _text, one_language_fields
from backend.api.proposals.serializers import ProposalSerializer
from backend.api.translations.serializers import TranslationSerializer
from drafting.bilingual import LANGUAGES
from drafting.models import (
    Declaration,
    Proposal,
    Revision,
    RevisionParagraph,
    Section,
)


class DeclarationSerializer(serializers.ModelSerializer[Declaration]):
    current_revision = serializers.SerializerMethodField()

    class Meta:
        model = Declaration
        fields = [
            "id",
            "meeting",
            "title",
            "kind",
            "original_language",
            "status",
            "version",
            "current_revision",
            "created_at",
        ]

    def get_current_revision(self, obj: Declaration) -> dict[str, Any] | None:
        # Annotated by drafting.selectors.declaration_list / declaration_get.
        revision_id = getattr(obj, "current_revision_id", None)
        if revision_id is None:
            return None
        return {"id": revision_id, "label": obj.current_revision_label, "number": obj.current_revision_number}  # type: ignore[attr-defined]


class DeclarationCreateSerializer(serializers.Serializer[Any]):
    meeting = _id()
    title = _text(max_length=2000)
    kind = serializers.ChoiceField(choices=Declaration.Kind.choices, default=Declaration.Kind.DECLARATION)
    original_language = serializers.ChoiceField(choices=[("es", "es"), ("en", "en")], default="es")


class RevisionSummarySerializer(serializers.ModelSerializer[Revision]):
    issued_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(read_only=True, slug_field="username")

    class Meta:
        model = Revision
        fields = ["id", "declaration", "number", "label", "note", "issued_by", "issued_at"]


class ParagraphInputSerializer(serializers.Serializer[Any]):
    paragraph = _id(required=False, allow_null=True, help_text="Identity to carry over.")
    kind = serializers.ChoiceField(choices=RevisionParagraph.Kind.choices)
    text = _text(required=False, allow_blank=True, default="")
    emphasis = EmphasisSerializer(many=True, required=False)
    level = serializers.IntegerField(required=False, min_value=0, max_value=8, default=0)
    table = serializers.ListField(
        child=serializers.ListField(child=_text(allow_blank=True)), required=False, allow_null=True
    )


class SectionInputSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=Section.Kind.choices)
    heading = _text(required=False, allow_blank=True, default="")
    paragraphs = ParagraphInputSerializer(many=True, max_length=settings.CONSENSO_MAX_PARAGRAPHS_PER_REVISION)  # type: ignore[call-arg]


class RevisionIssueSerializer(serializers.Serializer[Any]):
    label = _text(required=False, allow_blank=True)  # type: ignore[assignment]
    note = _text(required=False, allow_blank=True, default="")
    sections = SectionInputSerializer(many=True)


# Output shape of drafting.selectors.revision_text (documents the schema).
class TextProposalSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Proposal.Kind.choices)
    delegation = serializers.CharField(help_text="Delegation code.")
    status = serializers.ChoiceField(choices=Proposal.Status.choices)
    text = serializers.CharField()
    language = serializers.CharField(
        allow_blank=True, help_text="The language it is written in; empty = the declaration's original."
    )
    version = serializers.IntegerField()
    support = serializers.ListField(child=serializers.CharField())
    objections = serializers.ListField(child=serializers.DictField(child=serializers.CharField()))
    earlier_wording = serializers.ListField(
        child=serializers.CharField(),
        help_text="Delegations whose position was given before a re-fit changed the wording (to confirm or withdraw).",
    )
    refit = serializers.DictField(
        allow_null=True,
        help_text="The last re-fit: status (clean, rebased, conflicted), by_proposal and by_delegation (the "
        "accepted proposal that caused it; null for a revision), best_effort_text when conflicted.",
    )


class ProposalSummarySerializer(serializers.Serializer[Any]):
    count = serializers.IntegerField()
    by_status = serializers.DictField(child=serializers.IntegerField(), help_text="Status → how many.")
    delegations = serializers.ListField(child=serializers.CharField(), help_text="Codes of who proposed, sorted.")


class RevisionProposalSerializer(TextProposalSerializer):
    """A proposal as a text shows it inline, with its paragraph (GET /api/revisions/{id}/proposals/)."""

    paragraph = serializers.IntegerField()
    agreed_language = serializers.CharField(allow_null=True, help_text="The agreed language it reuses, cited.")


class TextParagraphSerializer(serializers.Serializer[Any]):
    paragraph = serializers.IntegerField(help_text="Stable identity across revisions.")
    label = serializers.CharField()  # type: ignore[assignment]
    kind = serializers.ChoiceField(choices=RevisionParagraph.Kind.choices)
    level = serializers.IntegerField()
    text = serializers.CharField()
    emphasis = EmphasisSerializer(many=True)
    table = serializers.ListField(child=serializers.ListField(child=serializers.CharField()), allow_null=True)
    translation = TranslationSerializer(
        required=False, help_text="The paragraph in the other working language, as issued (not with `?lang=`)."
    )
    language, translation_status = one_language_fields()
    proposal_summary = ProposalSummarySerializer(
        required=False, help_text="By default (`?proposals=summary`): the proposals on this paragraph, counted."
    )
    proposals = TextProposalSerializer(
        many=True, required=False, help_text="Only with `?proposals=inline`: the proposals themselves."
    )


class TextSectionSerializer(serializers.Serializer[Any]):
    position = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Section.Kind.choices)
    heading = serializers.CharField(help_text="In the original language; with `?lang=`, in that language.")
    heading_translation = serializers.CharField(
        required=False, help_text='The heading in the other working language ("" = not given; not with `?lang=`).'
    )
    paragraphs = TextParagraphSerializer(many=True)


class IncorporatedProposalSerializer(serializers.Serializer[Any]):
    proposal = serializers.IntegerField()
    delegation = serializers.CharField(help_text="Delegation code.")
    paragraph = serializers.IntegerField()


class RevisionTextSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    declaration = serializers.IntegerField()
    number = serializers.IntegerField()
    label = serializers.CharField()  # type: ignore[assignment]
    note = serializers.CharField()
    issued_by = serializers.CharField()
    issued_at = serializers.DateTimeField()
    is_current = serializers.BooleanField()
    original_language = serializers.CharField(help_text="The language of each paragraph's text; see translation.")
    language = serializers.ChoiceField(
        choices=LANGUAGES, required=False, help_text="Only with `?lang=`: the one language of every text field."
    )
    incorporated = IncorporatedProposalSerializer(
        many=True, help_text="The proposals incorporated in this revision (accepted since the one before)."
    )
    sections = TextSectionSerializer(many=True)


class VersionTranslationSerializer(TranslationSerializer):
    table = None  # type: ignore[assignment]  # the versions listed carry no table, in either language


class ParagraphVersionSerializer(serializers.Serializer[Any]):
    revision = serializers.IntegerField()
    revision_label = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    kind = serializers.CharField()
    text = serializers.CharField()
    emphasis = EmphasisSerializer(many=True)
    state = serializers.CharField()
    translation = VersionTranslationSerializer(
        required=False, help_text="The paragraph in the other working language, as issued (not with `?lang=`)."
    )
    language, translation_status = one_language_fields()


class CloseMatchSerializer(serializers.Serializer[Any]):
    statement = serializers.IntegerField()
    citation = serializers.CharField()
    similarity = serializers.FloatField(help_text="Share of wording in common, 0–1.")
    still_valid = serializers.BooleanField()


class ParagraphSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    declaration = serializers.IntegerField()
    introduced_in = serializers.IntegerField(allow_null=True)
    current = serializers.DictField(
        help_text="In the working text: text, emphasis, table, state, ad_ref, brackets, inserted, text_version, and "
        "translation (the other language's text, emphasis, table, status, translation_of); with `?lang=`, one "
        "language's wording with language and translation_status in place of translation."
    )
    versions = ParagraphVersionSerializer(many=True)
    proposals = ProposalSerializer(many=True)
    agreed_language = CloseMatchSerializer(many=True, help_text="Agreed language its wording closely matches.")
