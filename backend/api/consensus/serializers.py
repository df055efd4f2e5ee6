"""Input and output serializers of the consensus API: inputs check a request's
shape (domain rules are the services'), outputs shape the answers."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from backend.api.fields import EmphasisSerializer, _id, _text, one_language_fields
from backend.api.texts.serializers import TextProposalSerializer
from backend.api.translations.serializers import WorkingTranslationSerializer
from drafting.bilingual import LANGUAGES
from drafting.models.texts import ParagraphKind, SectionKind
from drafting.states import TRANSITIONS, State


class TransitionSerializer(serializers.Serializer[Any]):
    action = serializers.ChoiceField(choices=list(TRANSITIONS))
    delegation = serializers.CharField(required=False, help_text="agree_ad_ref: the delegation that must confirm.")
    brackets = serializers.ListField(
        child=serializers.DictField(child=serializers.IntegerField()),
        required=False,
        help_text="bracket: spans [{start, end}] of the text; none = the whole paragraph.",
    )
    alternatives = serializers.ListField(
        child=_id(), required=False, help_text="bracket: proposal ids offered as Alt 1, Alt 2 …"
    )
    note = _text(required=False, allow_blank=True, default="")


class ReasonSerializer(serializers.Serializer[Any]):
    reason = _text()


class NextRevisionSerializer(serializers.Serializer[Any]):
    label = _text(required=False, allow_blank=True)  # type: ignore[assignment]
    note = _text(required=False, allow_blank=True, default="")


class AlternativeSerializer(serializers.Serializer[Any]):
    option = serializers.CharField(help_text="Alt 1, Alt 2 …")
    proposal = serializers.IntegerField()
    delegation = serializers.CharField()
    kind = serializers.CharField()
    text = serializers.CharField()


class WorkingParagraphSerializer(serializers.Serializer[Any]):
    paragraph = serializers.IntegerField()
    label = serializers.CharField()  # type: ignore[assignment]
    kind = serializers.ChoiceField(choices=ParagraphKind.choices)
    level = serializers.IntegerField()
    text = serializers.CharField()
    emphasis = EmphasisSerializer(many=True)
    table = serializers.ListField(child=serializers.ListField(child=serializers.CharField()), allow_null=True)
    inserted = serializers.BooleanField()
    state = serializers.ChoiceField(choices=State.choices)
    ad_ref = serializers.CharField(allow_null=True)
    brackets = serializers.ListField(child=serializers.DictField(child=serializers.IntegerField()))
    alternatives = AlternativeSerializer(many=True)
    text_version = serializers.IntegerField(help_text="Counts changes of the original wording (text, table).")
    translation = WorkingTranslationSerializer(
        required=False, help_text="The paragraph in the other working language (not with `?lang=`)."
    )
    language, translation_status = one_language_fields()
    objections = serializers.ListField(child=serializers.DictField(child=serializers.CharField()))
    proposals = TextProposalSerializer(many=True)


class WorkingSectionSerializer(serializers.Serializer[Any]):
    position = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=SectionKind.choices)
    heading = serializers.CharField(help_text="In the original language; with `?lang=`, in that language.")
    heading_translation = serializers.CharField(
        required=False, help_text='The heading in the other working language ("" = not given; not with `?lang=`).'
    )
    paragraphs = WorkingParagraphSerializer(many=True)


class WorkingTextSerializer(serializers.Serializer[Any]):
    declaration = serializers.IntegerField()
    status = serializers.CharField()
    original_language = serializers.CharField(help_text="The language of each paragraph's text; see translation.")
    language = serializers.ChoiceField(
        choices=LANGUAGES, required=False, help_text="Only with `?lang=`: the one language of every text field."
    )
    version = serializers.IntegerField()
    revision = serializers.DictField(allow_null=True)
    sections = WorkingSectionSerializer(many=True)


class ParagraphStateSerializer(serializers.Serializer[Any]):
    paragraph = serializers.IntegerField()
    state = serializers.ChoiceField(choices=State.choices)
    ad_ref = serializers.CharField(allow_null=True)
    brackets = serializers.ListField(child=serializers.DictField(child=serializers.IntegerField()))
    alternatives = serializers.ListField(child=serializers.IntegerField())
    version = serializers.IntegerField()
