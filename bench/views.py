"""Bench-only views (wired in bench/urls.py, never in backend/urls.py).

``ceiling``: the framework's ceiling. A plain Django view returning
precomputed bytes: the same body as GET /api/revisions/{id}/ (saved by the
runner), through the same gunicorn, WSGI handler and middleware, but with no
authentication, no database and no rendering.

``CachedRevisionDetail``: a *prototype* of one suggested fix, measured so the
suggestion comes with a number: RevisionDetail exactly as in
backend/api/views.py (token auth, ``revision_get`` access check, the
declaration-version ETag), but the rendered body is cached under
(revision, declaration.version), i.e. under the ETag it already computes.
It is not product code.

``LeanCachedRevisionDetail``: the same prototype with the queries around the
cached body cut from 7 to 4 without changing any rule: the token lookup also
loads the user's delegate and delegation (two queries fewer), and the ETag
reads ``declaration.version`` from the row ``revision_get`` already loaded
(one query fewer). What is left: token, revision, and ``role_in``'s two.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from rest_framework import exceptions, status
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from drafting import selectors
from drafting.models import ApiToken, Declaration

_CEILING_BODY: bytes | None = None


def ceiling(request: HttpRequest) -> HttpResponse:
    global _CEILING_BODY
    if _CEILING_BODY is None:
        _CEILING_BODY = Path(settings.BENCH_CEILING_BODY).read_bytes()
    return HttpResponse(_CEILING_BODY, content_type="application/json")


class CachedRevisionDetail(APIView):
    def get(self, request: Request, pk: int) -> HttpResponse:
        revision = selectors.revision_get(user=request.user, revision_id=pk)
        version = Declaration.objects.filter(pk=revision.declaration_id).values_list("version", flat=True).get()
        etag = f'"r{revision.pk}-v{version}"'
        if request.headers.get("If-None-Match") == etag:
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
        key = f"bench:revision-text:{revision.pk}:v{version}"
        body = cache.get(key)
        if body is None:
            body = JSONRenderer().render(selectors.revision_text(revision=revision))
            cache.set(key, body, 3600)
        return HttpResponse(body, content_type="application/json", headers={"ETag": etag})


class _TokenWithDelegation(TokenAuthentication):
    def authenticate_credentials(self, key: str) -> tuple[object, ApiToken]:
        try:
            token = ApiToken.objects.select_related("user__delegate__delegation").get(key=key)
        except ApiToken.DoesNotExist as exc:
            raise exceptions.AuthenticationFailed("Invalid token.") from exc
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        return token.user, token


class LeanCachedRevisionDetail(APIView):
    authentication_classes = [_TokenWithDelegation, SessionAuthentication]

    def get(self, request: Request, pk: int) -> HttpResponse:
        revision = selectors.revision_get(user=request.user, revision_id=pk)
        version = revision.declaration.version  # loaded with the revision (select_related)
        etag = f'"r{revision.pk}-v{version}"'
        if request.headers.get("If-None-Match") == etag:
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
        key = f"bench:revision-text:{revision.pk}:v{version}"
        body = cache.get(key)
        if body is None:
            body = JSONRenderer().render(selectors.revision_text(revision=revision))
            cache.set(key, body, 3600)
        return HttpResponse(body, content_type="application/json", headers={"ETag": etag})
