"""Settings come from the environment; production refuses unsafe defaults."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOOD_KEY = "k" * 20 + "7Hq-3vR_pX9zL2mN8bT5wYc1dF6gJ4sA0eK"


def django_check(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "ALLOWED_HOSTS", "CONSENSO_ENV")}
    return subprocess.run(
        [sys.executable, "manage.py", "check", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_secret_key() -> None:
    result = django_check({"CONSENSO_ENV": "production", "ALLOWED_HOSTS": "consenso.example"})
    assert result.returncode != 0
    assert "needs SECRET_KEY" in result.stderr


def test_production_refuses_a_short_secret_key_and_missing_hosts() -> None:
    short = django_check({"CONSENSO_ENV": "production", "SECRET_KEY": "short", "ALLOWED_HOSTS": "x.example"})
    assert short.returncode != 0 and "needs SECRET_KEY" in short.stderr
    no_hosts = django_check({"CONSENSO_ENV": "production", "SECRET_KEY": GOOD_KEY})
    assert no_hosts.returncode != 0 and "needs ALLOWED_HOSTS" in no_hosts.stderr


def test_production_settings_pass_the_deployment_checklist() -> None:
    result = django_check(
        {"CONSENSO_ENV": "production", "SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "consenso.example"},
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stderr + result.stdout
    # not one warning, not even silenced ones
    assert "System check identified no issues (0 silenced)." in result.stdout, result.stderr + result.stdout


def test_without_configuration_it_is_sqlite_with_in_process_tasks() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "backend.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.stdout.split() == ["django.db.backends.sqlite3", "True"], out.stderr


def test_production_serves_the_api_docs_static_files_it_collected(tmp_path: Path) -> None:
    # Given the static files collected as the Dockerfile does
    static = tmp_path / "static"
    env = {
        "CONSENSO_ENV": "production",
        "SECRET_KEY": GOOD_KEY,
        "ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "false",
        "STATIC_ROOT": str(static),
    }
    base = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "ALLOWED_HOSTS", "CONSENSO_ENV")}
    collect = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input"],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert collect.returncode == 0, collect.stderr
    # When a production server (DEBUG off, no finders) is asked for Swagger UI's files
    code = (
        "import django; django.setup(); from django.test import Client; c = Client(); "
        "print(c.get('/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js').status_code, "
        "c.get('/static/admin/css/base.css').status_code, c.get('/static/nothing-here.js').status_code)"
    )
    served = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, **env, "DJANGO_SETTINGS_MODULE": "backend.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    # Then they are served (and an unknown file is still a 404)
    assert served.stdout.split() == ["200", "200", "404"], served.stderr


def _production_values(extra: dict[str, str]) -> list[str]:
    base = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "ALLOWED_HOSTS", "CONSENSO_ENV")}
    env = {"CONSENSO_ENV": "production", "SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "consenso.lan", **extra}
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, "
        "','.join(s.CSRF_TRUSTED_ORIGINS) or '-')"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, **env, "DJANGO_SETTINGS_MODULE": "backend.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    return out.stdout.split() or [out.stderr]


def test_a_room_behind_tls_gets_secure_cookies_and_its_origin_trusted() -> None:
    values = _production_values({"CSRF_TRUSTED_ORIGINS": "https://consenso.lan"})
    assert values == ["True", "True", "True", str(60 * 60 * 24 * 30), "https://consenso.lan"]


def test_a_closed_lan_over_plain_http_gets_cookies_the_browser_sends_back() -> None:
    # Secure cookies over http:// are never sent back: no one could sign in.
    values = _production_values({"CONSENSO_HTTPS": "false", "CSRF_TRUSTED_ORIGINS": "http://consenso.lan"})
    assert values == ["False", "False", "False", "0", "http://consenso.lan"]


def test_an_unknown_profile_is_refused_at_start() -> None:
    """Issue 13: CONSENSO_ENV=Production (capital P) started with DEBUG on and the public development key."""
    for value in ("Production", "prod", "staging"):
        result = django_check({"CONSENSO_ENV": value})
        assert result.returncode != 0
        assert f"CONSENSO_ENV={value!r} is not a profile" in result.stderr


def test_jobs_mode_is_checked_at_start() -> None:
    for value, ok in (("embedded", True), ("inline", True), ("celery", False), ("eager", False)):
        result = django_check({"REDIS_URL": "", "CONSENSO_JOBS": value})  # celery needs Redis
        assert (result.returncode == 0) == ok, (value, result.stderr[-300:])
