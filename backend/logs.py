"""Logs an operator can read and a log system can parse.

One line per request, written by :class:`RequestLogMiddleware` when the
response is ready: time, level (INFO, WARNING for 4xx, ERROR for 5xx),
method, path, status, duration and user. Django's own per-request lines
(``django.server`` from runserver, ``django.request``'s 4xx warnings) are
turned down in settings.LOGGING so nothing is printed twice; tracebacks of
5xx still come from ``django.request``.

``LOG_FORMAT=json`` (the compose file's default) writes each record as one
JSON object; ``text`` (the default elsewhere) as one readable line.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.http import HttpRequest, HttpResponseBase

log = logging.getLogger("consenso.request")

# Attributes every LogRecord has; anything else was passed in ``extra``.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


def _extra(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **_extra(record),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")


def _user(request: HttpRequest) -> str:
    named = getattr(request, "log_user", None)  # set by views that must not read the session (live polls)
    if named:
        return str(named)
    user = getattr(request, "user", None)
    return user.get_username() if user is not None and user.is_authenticated else "-"


class RequestLogMiddleware:
    """The outermost middleware: it sees the final status, whoever set it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        start = time.perf_counter()
        response = self.get_response(request)
        duration_ms = round((time.perf_counter() - start) * 1000, 1)
        status = response.status_code
        level = logging.ERROR if status >= 500 else logging.WARNING if status >= 400 else logging.INFO
        user = _user(request)
        log.log(
            level,
            "%s %s %s %.1fms user=%s",
            request.method,
            request.get_full_path(),
            status,
            duration_ms,
            user,
            extra={
                "method": request.method,
                "path": request.get_full_path(),
                "status": status,
                "duration_ms": duration_ms,
                "user": user,
            },
        )
        return response
