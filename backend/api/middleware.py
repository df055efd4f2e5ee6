"""Every answer under /api/ is JSON in the one error shape, in every mode.

DRF's exception handler (errors.py) covers errors raised in API views. What
happens outside them would otherwise be Django's HTML: an unknown URL (in
DEBUG, the technical 404 page listing the URLconf), a POST to a URL without
its trailing slash (in DEBUG, an HTML 500 from CommonMiddleware; otherwise a
redirect that drops the body), a CSRF failure, a crash. This middleware,
placed above those that produce them, answers them in JSON instead.
"""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus

from django.http import HttpRequest, HttpResponseBase, JsonResponse
from django.urls import Resolver404, resolve
from django.utils import timezone

API_PREFIX = "/api/"
# The error codes the API uses elsewhere (errors.py), by status.
CODES = {400: "invalid", 401: "not_authenticated", 403: "forbidden", 404: "not_found", 405: "method_not_allowed"}
CODES |= {409: "conflict", 413: "too_large", 429: "throttled", 503: "unavailable"}
KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")


def _resolves(path: str) -> bool:
    try:
        resolve(path)
    except Resolver404:
        return False
    return True


def api_error(status: int, detail: str) -> JsonResponse:
    code = CODES.get(status, "server_error" if status >= 500 else "error")
    return JsonResponse({"error": code, "detail": detail, "fields": {}}, status=status)


class ApiJsonErrorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        if (
            request.method not in ("GET", "HEAD")
            and not request.path.endswith("/")
            and not _resolves(request.path)
            and _resolves(request.path + "/")
        ):
            return api_error(404, f"No endpoint at {request.path}; the URL ends with a slash: {request.path}/")
        try:
            response = self.get_response(request)
        finally:
            # A view may have activated its meeting's time zone (http.readable_declaration):
            # never let it leak into the next request this thread serves.
            timezone.deactivate()
        if response.status_code >= 400 and not response.get("Content-Type", "").startswith("application/json"):
            converted = api_error(response.status_code, self._detail(request, response.status_code))
            for header in KEPT_HEADERS:
                if header in response:
                    converted[header] = response[header]
            return converted
        return response

    @staticmethod
    def _detail(request: HttpRequest, status: int) -> str:
        if status == 404:
            return f"No endpoint at {request.path}."
        if status >= 500:
            return "The server failed to answer this request; the error was logged."
        return f"{HTTPStatus(status).phrase}." if status in HTTPStatus._value2member_map_ else "The request failed."
