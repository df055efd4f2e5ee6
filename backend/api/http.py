"""What the API views share: the acting user, ETags and conditional GETs, a text
answered from its rendered body, the declaration named in the URL, output and
input serializers built once per thread."""

from __future__ import annotations

import threading
import zoneinfo
from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib.auth.models import User
from django.http import HttpResponse, HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers, status
from rest_framework.exceptions import NotAuthenticated, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from backend.api import rendered
from drafting import selectors
from drafting.bilingual import LANGUAGES, text_in_language
from drafting.errors import InvalidInput
from drafting.models import Declaration


def actor(request: Request) -> User:
    """The authenticated user behind a write (views require authentication)."""
    user = request.user
    if not isinstance(user, User):
        raise NotAuthenticated()
    return user


_serializers = threading.local()

S = TypeVar("S", bound=serializers.BaseSerializer[Any])


def _this_threads(serializer_class: type[S]) -> S:
    """One unbound instance of ``serializer_class`` per thread, its fields
    built once (see ``represent`` and ``validated``)."""
    cache: dict[type[Any], Any] = _serializers.__dict__.setdefault("by_class", {})
    serializer = cache.get(serializer_class)
    if serializer is None:
        serializer = cache[serializer_class] = serializer_class()
    return serializer


def represent(serializer_class: type[serializers.BaseSerializer[Any]], instance: Any) -> Any:
    """What ``serializer_class(instance).data`` answers, from one instance of
    the serializer per thread, for output serializers that take no context.

    Why: DRF builds a serializer's fields (a ModelSerializer's from the model,
    nested ones too) on every instance, and that was nearly all of an answer's
    cost: 0.92 ms for a proposal with its positions, against 0.06 ms to
    represent it with fields built once (``to_representation`` reads the
    fields, never writes them). Per thread, because a field is bound to its
    serializer and gunicorn or an ASGI server may serve requests in threads."""
    return _this_threads(serializer_class).to_representation(instance)


def validated(serializer_class: type[serializers.Serializer[Any]], data: Any) -> dict[str, Any]:
    """What ``s = serializer_class(data=data); s.is_valid(raise_exception=True)``
    leaves in ``s.validated_data``, and the same 400 otherwise, from one
    instance per thread, for input serializers that read no context and keep
    nothing of a request (the hot writes': a submission, a position, a
    decision). Why: as for ``represent``, DRF copies a serializer's declared
    fields on every instance; for a submission that was 0.15 ms of its
    validation's 0.17 (tests/test_represent.py compares both ways)."""
    try:
        return dict(_this_threads(serializer_class).run_validation(data))
    except ValidationError as exc:
        raise ValidationError(exc.detail) from None  # what is_valid raises: the errors, without this frame's cause


def entity_tag(value: str) -> str:
    """A strong ETag: the value, quoted."""
    return f'"{value}"'


def not_modified(request: Request, etag: str) -> bool:
    """If-None-Match uses weak comparison over a list of tags (RFC 9110
    13.1.2): proxies that compress a response send back W/"…"."""
    header = request.headers.get("If-None-Match", "")
    if header.strip() == "*":
        return True
    tags = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return etag.removeprefix("W/") in tags


LANGUAGE_PARAMETER = OpenApiParameter(
    "lang",
    str,
    enum=list(LANGUAGES),
    required=False,
    description="One language's wording in each text field (issue 15). Without it (the default) each paragraph's "
    "`text` is in the declaration's `original_language` and `translation` holds the other language's version. "
    "With `es` or `en`, each paragraph's `text`, `emphasis` and `table` are that language's (empty while its "
    "translation is missing), `language` names it, `translation_status` (missing, stale, current) replaces "
    "`translation`, each section's `heading` is that language's (no `heading_translation`), and the text says "
    "`language`. Any other value is a 400. The ETag differs per language.",
)


def text_language(request: Request) -> str | None:
    """The ``?lang=`` asked for: None when absent, else ``es`` or ``en``
    (anything else is refused: 400)."""
    raw = request.query_params.get("lang")
    if raw is None:
        return None
    if raw not in LANGUAGES:
        raise InvalidInput(
            _("`lang` is %(choices)s, or left out for both languages.")
            % {"choices": pgettext("between two choices", " or ").join(f"`{code}`" for code in LANGUAGES)},
            fields={"lang": [_("One of: %(choices)s.") % {"choices": ", ".join(LANGUAGES)}]},
        )
    return raw


def in_language(etag: str, build: Callable[[], Any], language: str | None) -> tuple[str, Callable[[], Any]]:
    """The ETag and builder of a text in one language (``?lang=``): a tag of
    its own per language, so that a 304 (or a cached body) for one language
    is never served for the other; unchanged without ``lang``."""
    if language is None:
        return etag, build
    return f'{etag[:-1]}-{language}"', lambda: text_in_language(build(), language)


def text_response(
    request: Request, etag: str, build: Callable[[], Any], *, language: str | None = None
) -> HttpResponseBase:
    """A whole text under its ETag: 304 when the client has it, else the
    body rendered once per change (see backend/api/rendered.py); with
    ``language``, in that language only."""
    etag, build = in_language(etag, build, language)
    if not_modified(request, etag):
        return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
    return HttpResponse(rendered.body_for(etag, build), content_type="application/json", headers={"ETag": etag})


def readable_declaration(request: Request, pk: int) -> Declaration:
    """The declaration named in the URL, if the user may read it (404 / 403 otherwise).

    From here on the request reads and writes times in the meeting's time zone
    (issue 15): answers give them with its offset, a deadline sent without an
    offset is taken in it. Stored in UTC all the same; ApiJsonErrorsMiddleware
    resets the zone after every API request."""
    declaration, _ = selectors.declaration_get(user=request.user, declaration_id=pk)
    use_meeting_time_zone(declaration)
    return declaration


def use_meeting_time_zone(declaration: Declaration) -> None:
    """Read and write the rest of this API request's times in the meeting's time zone."""
    timezone.activate(zoneinfo.ZoneInfo(declaration.meeting.time_zone))
