"""The other language of a declaration (issue 15): what the TS must translate,
a paragraph's translation brought in line, translators named for a meeting."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.api.http import actor, readable_declaration
from backend.api.translations.serializers import (
    TranslationsBehindSerializer,
    TranslationStateSerializer,
    TranslationUpdateSerializer,
    TranslatorSerializer,
)
from drafting import selectors
from drafting.bilingual import other_language, translation_status
from drafting.errors import InvalidInput
from drafting.models import Paragraph
from drafting.services.translations import translation_update, translator_set


def _state(paragraph: Paragraph, language: str) -> dict[str, object]:
    return {
        "paragraph": paragraph.pk,
        "text_version": paragraph.text_version,
        "translation": {
            "language": language,
            "text": paragraph.translation_text,
            "emphasis": paragraph.translation_emphasis,
            "table": paragraph.translation_table,
            "status": translation_status(text_version=paragraph.text_version, translation_of=paragraph.translation_of),
            "translation_of": paragraph.translation_of,
        },
    }


class DeclarationTranslations(APIView):
    """The paragraphs of the working text whose other-language version is
    missing or stale (adoption is refused while any is), in order."""

    @extend_schema(responses=TranslationsBehindSerializer)
    def get(self, request: Request, pk: int) -> Response:
        declaration = readable_declaration(request, pk)
        return Response(selectors.translations_behind(declaration=declaration))


class ParagraphTranslation(APIView):
    """The Technical Secretariat, or a translator it named for the meeting,
    brings the paragraph's other-language version in line with its original
    (409 if the original changed since the ``text_version`` sent)."""

    @extend_schema(request=TranslationUpdateSerializer, responses=TranslationStateSerializer)
    def post(self, request: Request, pk: int) -> Response:
        data = TranslationUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        paragraph = selectors.paragraph_get(user=request.user, paragraph_id=pk)
        paragraph = translation_update(
            actor=actor(request),
            paragraph_id=paragraph.pk,
            text_version=v["text_version"],
            text=v["text"],
            emphasis=v.get("emphasis"),
            table=v.get("table"),
        )
        return Response(_state(paragraph, other_language(paragraph.declaration.original_language)))


class MeetingTranslators(APIView):
    """The Technical Secretariat names a user a translator for the meeting
    (or, with ``named: false``, no longer)."""

    @extend_schema(request=TranslatorSerializer, responses=TranslatorSerializer)
    def post(self, request: Request, pk: int) -> Response:
        data = TranslatorSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        meeting, _role = selectors.meeting_get(user=request.user, meeting_id=pk)
        user = get_user_model().objects.filter(username=v["username"]).first()
        if user is None:
            raise InvalidInput(_("No such user."), fields={"username": [_("Not a user of Consenso.")]})
        translator_set(actor=actor(request), meeting=meeting, user=user, named=v["named"])
        return Response({"username": user.get_username(), "named": v["named"]})
