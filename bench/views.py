"""Bench-only views (wired in bench/urls.py, never in backend/urls.py).

``ceiling``: the framework's ceiling. A plain Django view returning
precomputed bytes: the same body as GET /api/revisions/{id}/ (saved by the
runner), through the same gunicorn, WSGI handler and middleware, but with no
authentication, no database and no rendering.

The two cached-body prototypes that stood beside it (the rendered body kept
under its ETag; the token lookup loading the delegation) landed in the product
(backend/api/rendered.py, backend/api/auth.py) and were removed (issue 18).
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse

_CEILING_BODY: bytes | None = None


def ceiling(request: HttpRequest) -> HttpResponse:
    global _CEILING_BODY
    if _CEILING_BODY is None:
        body_file = settings.BENCH_CEILING_BODY  # type: ignore[misc]  # set by bench.settings only
        _CEILING_BODY = Path(body_file).read_bytes()
    return HttpResponse(_CEILING_BODY, content_type="application/json")
