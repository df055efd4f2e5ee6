"""Operating the server: one structured log line per request, an optional
Sentry hook from the environment, and JSON (never Django's HTML) for every
answer under /api/, DEBUG or not."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from backend.logs import JsonFormatter
from tests.conftest import World

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db


def request_lines(caplog: pytest.LogCaptureFixture, path: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if path in r.getMessage()]


# --- JSON errors under /api/ ---------------------------------------------------------------
@pytest.mark.parametrize("debug", [True, False], ids=["debug", "production"])
def test_an_unknown_api_url_is_a_json_404(settings: Any, debug: bool) -> None:
    settings.DEBUG = debug
    response = Client().get("/api/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"error": "not_found", "detail": "No endpoint at /api/no-such-thing/.", "fields": {}}


@pytest.mark.parametrize("debug", [True, False], ids=["debug", "production"])
def test_a_post_without_the_trailing_slash_says_so_in_json(world: World, settings: Any, debug: bool) -> None:
    settings.DEBUG = debug
    response = world.client("mex").post("/api/proposals", {"kind": "delete"}, format="json")
    assert response.status_code == 404
    assert response.json() == {
        "error": "not_found",
        "detail": "No endpoint at /api/proposals; the URL ends with a slash: /api/proposals/",
        "fields": {},
    }


def test_a_crash_in_an_api_view_is_a_json_500_even_in_debug(
    world: World, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.DEBUG = True

    def crash(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("backend.api.accounts.views.MeView.get", crash)
    client = world.client("mex")
    client.raise_request_exception = False
    response = client.get("/api/me/")
    assert response.status_code == 500
    assert response.json() == {
        "error": "server_error",
        "detail": "The server failed to answer this request; the error was logged.",
        "fields": {},
    }


def test_pages_outside_the_api_keep_their_html(settings: Any) -> None:
    settings.DEBUG = False
    response = Client().get("/no-such-page/")
    assert response.status_code == 404 and "application/json" not in response["Content-Type"]


# --- One log line per request ---------------------------------------------------------------
def test_each_request_is_logged_once_with_user_status_and_duration(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    world.client("mex").get("/api/me/")
    APIClient().get("/api/declarations/")  # 401
    Client().get("/api/no-such-thing/")  # 404: Django would log it too
    [ok] = request_lines(caplog, "/api/me/")
    assert ok.name == "consenso.request" and ok.levelno == logging.INFO
    assert (ok.status, ok.user, ok.method) == (200, world.users["mex"].username, "GET")  # type: ignore[attr-defined]
    assert ok.duration_ms >= 0  # type: ignore[attr-defined]
    [refused] = request_lines(caplog, "/api/declarations/")
    assert (refused.levelno, refused.status, refused.user) == (logging.WARNING, 401, "-")  # type: ignore[attr-defined]
    [missing] = request_lines(caplog, "/api/no-such-thing/")
    assert missing.status == 404  # type: ignore[attr-defined]


def test_the_json_format_is_one_object_per_line_with_time_and_level() -> None:
    record = logging.LogRecord("consenso.request", logging.WARNING, __file__, 1, "GET %s", ("/api/x/",), None)
    record.status, record.user, record.duration_ms = 404, "mex", 1.5
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "WARNING" and entry["message"] == "GET /api/x/" and entry["time"].endswith("+00:00")
    assert (entry["status"], entry["user"], entry["duration_ms"]) == (404, "mex", 1.5)


# --- Sentry, when asked --------------------------------------------------------------------
def _settings_in_subprocess(env: dict[str, str], code: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k != "SENTRY_DSN"}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + code],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "backend.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_sentry_dsn_turns_error_reporting_on() -> None:
    result = _settings_in_subprocess(
        {"SENTRY_DSN": "https://public@127.0.0.1:9/1"},
        "import sentry_sdk; c = sentry_sdk.get_client(); print(c.is_active(), c.options['send_default_pii'])",
    )
    assert result.stdout.split() == ["True", "False"], result.stderr
    without = _settings_in_subprocess({}, "import sentry_sdk; print(sentry_sdk.get_client().is_active())")
    assert without.stdout.split() == ["False"], without.stderr


def test_a_sentry_dsn_without_sentry_sdk_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "sentry_sdk.py").write_text("raise ImportError('not installed')\n")
    result = _settings_in_subprocess({"SENTRY_DSN": "https://public@127.0.0.1:9/1", "PYTHONPATH": str(tmp_path)}, "")
    assert result.returncode != 0 and "sentry-sdk is not installed" in result.stderr
