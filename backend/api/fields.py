"""Serializer fields every feature's serializers use: raw text handed to the
services untouched, ids that fit a 64-bit key, and emphasis spans."""

from __future__ import annotations

from typing import Any

from django.core.validators import ProhibitNullCharactersValidator
from rest_framework import serializers


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
