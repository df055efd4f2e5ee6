"""Input serializers check the shape of a request; domain rules are the
services' job. Output serializers shape responses. No business logic here."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import ProhibitNullCharactersValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from drafting.library.citation import citation
from drafting.models import (
    Declaration,
    Delegation,
    Event,
    Meeting,
    Position,
    Proposal,
    Revision,
    RevisionParagraph,
    Section,
)


class RawText(serializers.CharField):
    """Text handed to the services untouched: they normalise it (NFC, strip),
    map emphasis offsets and refuse characters Word cannot hold, naming each.
    DRF's own NUL check would pre-empt that message, and its coercion would
    turn a number into text: both are dropped here (in __init__, because DRF
    re-instantiates declared fields per serializer)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("trim_whitespace", False)
        super().__init__(**kwargs)
        self.validators = [v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)]

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return data


def _text(**kwargs: Any) -> RawText:
    return RawText(**kwargs)


MAX_ID = 2**63 - 1


def _id(**kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


# --- Organisation ------------------------------------------------------------
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


class MeSerializer(serializers.Serializer[Any]):
    username = serializers.CharField()
    delegation = DelegationSerializer(allow_null=True)
    secretariat_meetings = serializers.ListField(child=serializers.IntegerField())
    ppt_meetings = serializers.ListField(child=serializers.IntegerField())


class TokenRequestSerializer(serializers.Serializer[Any]):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    name = serializers.CharField(
        required=False, allow_blank=True, max_length=100, help_text="This device or client (default: its User-Agent)."
    )


class TokenSerializer(serializers.Serializer[Any]):
    token = serializers.CharField(help_text="Send as `Authorization: Token <token>`; shown only now.")
    id = serializers.IntegerField()
    name = serializers.CharField()
    expires_at = serializers.DateTimeField()


# --- Declarations and revisions ------------------------------------------------
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


class EmphasisSerializer(serializers.Serializer[Any]):
    start = serializers.IntegerField(min_value=0)
    end = serializers.IntegerField(min_value=1)
    style = serializers.ChoiceField(choices=["bold", "italic"])  # type: ignore[assignment]


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
    proposal_summary = ProposalSummarySerializer(
        required=False, help_text="By default (`?proposals=summary`): the proposals on this paragraph, counted."
    )
    proposals = TextProposalSerializer(
        many=True, required=False, help_text="Only with `?proposals=inline`: the proposals themselves."
    )


class TextSectionSerializer(serializers.Serializer[Any]):
    position = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Section.Kind.choices)
    heading = serializers.CharField()
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
    incorporated = IncorporatedProposalSerializer(
        many=True, help_text="The proposals incorporated in this revision (accepted since the one before)."
    )
    sections = TextSectionSerializer(many=True)


class ParagraphVersionSerializer(serializers.Serializer[Any]):
    revision = serializers.IntegerField()
    revision_label = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    kind = serializers.CharField()
    text = serializers.CharField()
    emphasis = EmphasisSerializer(many=True)
    state = serializers.CharField()


# --- Proposals and positions -----------------------------------------------------
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


class CloseMatchSerializer(serializers.Serializer[Any]):
    statement = serializers.IntegerField()
    citation = serializers.CharField()
    similarity = serializers.FloatField(help_text="Share of wording in common, 0–1.")
    still_valid = serializers.BooleanField()


class ParagraphSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    declaration = serializers.IntegerField()
    introduced_in = serializers.IntegerField(allow_null=True)
    current = serializers.DictField(help_text="In the working text: text, state, ad_ref, brackets, inserted.")
    versions = ParagraphVersionSerializer(many=True)
    proposals = ProposalSerializer(many=True)
    agreed_language = CloseMatchSerializer(many=True, help_text="Agreed language its wording closely matches.")


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
