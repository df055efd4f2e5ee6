"""Request bodies refused before they are read, per endpoint.

A request whose declared length is over its endpoint's limit is answered
413 from the headers alone: not a byte of its body is read, parsed or
written anywhere. Django never reads past ``Content-Length`` (its request
stream is a ``LimitedStream``), and a body without one (chunked) is read as
empty, so the declared length is the whole body. Uploads are then parsed in
memory only (``FILE_UPLOAD_HANDLERS`` in settings): nothing goes to a
temporary file.

Limits: the import upload takes the largest file an import may be
(``CONSENSO_MAX_IMPORT_BYTES``) plus room for the form's other fields; every
other request ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (8 MB: a 3,000-paragraph
revision fits).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

FORM_OVERHEAD = 64 * 1024


def limit_for(path: str) -> int:
    if path.rstrip("/") == "/api/imports":
        return int(settings.CONSENSO_MAX_IMPORT_BYTES) + FORM_OVERHEAD
    return int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)


class BodyLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        raw = request.META.get("CONTENT_LENGTH") or "0"
        limit = limit_for(request.path)
        try:
            length = int(raw)
        except ValueError:
            return _refuse(400, "invalid", "The Content-Length header is not a number.")
        if length > limit:
            return _refuse(
                413,
                "too_large",
                f"The request body is {length:,} bytes; this endpoint takes at most {limit:,}. Send a smaller one.",
            )
        return self.get_response(request)


def _refuse(status: int, code: str, detail: str) -> JsonResponse:
    # No "Connection: close" here: WSGI forbids hop-by-hop headers (wsgiref,
    # under runserver, fails on them); the server decides what to do with
    # the unread body (discarded, never stored).
    return JsonResponse({"error": code, "detail": detail, "fields": {}}, status=status)
