"""One place where errors become HTTP responses.

Domain errors map by class (InvalidInput 400, NotAllowed 403, NotFound 404,
Conflict 409, Unavailable 503, with the headers the error carries such as
Retry-After); a database that is down or restarting is a 503 the client can
retry, never a 500. Every error body has the same shape:
``{"error": code, "detail": message, "fields": {...}}`` (fields empty when
the error concerns no field).
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from backend.outages import outage_body
from drafting.errors import Conflict, DomainError, InvalidInput, NotAllowed, NotFound, Unavailable

log = logging.getLogger(__name__)

STATUS = {
    InvalidInput: status.HTTP_400_BAD_REQUEST,
    NotAllowed: status.HTTP_403_FORBIDDEN,
    NotFound: status.HTTP_404_NOT_FOUND,
    Conflict: status.HTTP_409_CONFLICT,
    Unavailable: status.HTTP_503_SERVICE_UNAVAILABLE,
}


def _flatten(detail: Any) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        out: dict[str, list[str]] = {}
        for key, value in detail.items():
            if isinstance(value, dict) and value and all(str(k).isdigit() for k in value):
                # DRF reports errors of list items as {index: errors}.
                for i, item in value.items():
                    for sub, msgs in _flatten(item).items():
                        out[f"{key}[{i}].{sub}"] = msgs
            elif isinstance(value, dict):
                for sub, msgs in _flatten(value).items():
                    out[f"{key}.{sub}"] = msgs
            elif isinstance(value, list) and value and isinstance(value[0], dict):
                for i, item in enumerate(value):
                    for sub, msgs in _flatten(item).items():
                        out[f"{key}[{i}].{sub}"] = msgs
            else:
                out[str(key)] = [str(v) for v in (value if isinstance(value, list) else [value])]
        return out
    if isinstance(detail, list):
        return {"non_field_errors": [str(v) for v in detail]}
    return {}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        body: dict[str, Any] = {"error": exc.code, "detail": exc.message, "fields": exc.fields}
        body.update(exc.extra)
        code = next((c for cls, c in STATUS.items() if isinstance(exc, cls)), status.HTTP_400_BAD_REQUEST)
        return Response(body, status=code, headers=exc.headers or None)
    if isinstance(exc, RecursionError):  # absurdly nested JSON
        return Response(
            {"error": "parse_error", "detail": "The JSON body is nested too deeply.", "fields": {}},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, RequestDataTooBig):
        return Response(
            {"error": "too_large", "detail": f"{exc} Send a smaller request.", "fields": {}},
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, OperationalError | InterfaceError):
        log.warning("database unavailable: %s", exc)
        body, retry_after = outage_body(exc, "database")  # an outage, or a lost race (backend/outages.py)
        return Response(body, status=status.HTTP_503_SERVICE_UNAVAILABLE, headers={"Retry-After": str(retry_after)})
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {
            "error": "invalid",
            "detail": _("The request is invalid; see fields."),
            "fields": _flatten(exc.detail),
        }
    elif isinstance(exc, exceptions.APIException):
        response.data = {"error": exc.default_code, "detail": str(exc.detail), "fields": {}}
    return response
