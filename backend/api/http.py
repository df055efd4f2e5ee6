"""What the API views share: the acting user, ETags and conditional GETs, a text
answered from its rendered body, the declaration named in the URL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User
from django.http import HttpResponse, HttpResponseBase
from rest_framework import status
from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from backend.api import rendered
from drafting import selectors
from drafting.models import Declaration


def actor(request: Request) -> User:
    """The authenticated user behind a write (views require authentication)."""
    user = request.user
    if not isinstance(user, User):
        raise NotAuthenticated()
    return user


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


def text_response(request: Request, etag: str, build: Callable[[], Any]) -> HttpResponseBase:
    """A whole text under its ETag: 304 when the client has it, else the
    body rendered once per change (see backend/api/rendered.py)."""
    if not_modified(request, etag):
        return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
    return HttpResponse(rendered.body_for(etag, build), content_type="application/json", headers={"ETag": etag})


def readable_declaration(request: Request, pk: int) -> Declaration:
    """The declaration named in the URL, if the user may read it (404 / 403 otherwise)."""
    declaration, _ = selectors.declaration_get(user=request.user, declaration_id=pk)
    return declaration
