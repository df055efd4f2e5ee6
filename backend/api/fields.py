"""Serializer fields every feature's serializers use: raw text handed to the
services untouched, ids that fit a 64-bit key, and emphasis spans."""

from __future__ import annotations

from typing import Any

from django.core.validators import ProhibitNullCharactersValidator
from rest_framework import serializers

from drafting import selectors
from drafting.bilingual import LANGUAGES, TRANSLATION_STATUSES


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


class EmphasisSerializer(serializers.Serializer[Any]):
    start = serializers.IntegerField(min_value=0)
    end = serializers.IntegerField(min_value=1)
    style = serializers.ChoiceField(choices=["bold", "italic"])  # type: ignore[assignment]


def one_language_fields() -> tuple[serializers.ChoiceField, serializers.ChoiceField]:
    """A text paragraph's ``language`` and ``translation_status``, given only
    with ``?lang=`` (the revision's text and the working text say the same)."""
    return (
        serializers.ChoiceField(
            choices=LANGUAGES, required=False, help_text="Only with `?lang=`: the language of text, emphasis, table."
        ),
        serializers.ChoiceField(
            choices=TRANSLATION_STATUSES,
            required=False,
            help_text="Only with `?lang=`: how the other-language version stands (in place of translation).",
        ),
    )


class JobErrorField(serializers.CharField):
    """A job's ``error`` in the request's language (Accept-Language): the worker
    stores the reason as a msgid with its parameters (``error_i18n``), and the
    API says it as the pages do (``selectors.job_error``); empty unless failed."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", "Why the job failed, in the request's language; empty unless it failed.")
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value: Any) -> str:
        return selectors.job_error(value)
