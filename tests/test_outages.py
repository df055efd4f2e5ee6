"""Every dependency outage is a JSON 503 with Retry-After, never a 500 nor
an HTML page (issue 13: with Redis down, login answered an HTML 500, and
with DEBUG on the whole debug page); the worker health check is for staff."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from django.conf import settings
from django.contrib.admin.sites import AdminSite
from django.db import OperationalError
from django.test import Client
from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import ConnectionError as RedisConnectionError
from rest_framework.test import APIClient

from backend.api.health.views import Health
from tests.conftest import World


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # nothing listens once it is closed


def _is_outage(response: Any) -> None:
    assert response.status_code == 503, response.content[:300]
    assert response["Content-Type"] == "application/json"
    assert response["Retry-After"].isdigit()
    assert response.json()["error"] == "unavailable"


@pytest.fixture
def cache_down(settings: Any) -> None:
    settings.DEBUG = True  # the debug page must not show either
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0",
        }
    }


@pytest.mark.django_db
def test_login_with_the_cache_down_is_a_json_503(world: World, cache_down: None) -> None:
    user = world.users["mex"]
    user.set_password("a-good-password")
    user.save()
    # The token endpoint's per-address flood cap lives in the cache: without it, a JSON 503.
    api = APIClient().post("/api/auth/token/", {"username": user.username, "password": "a-good-password"})
    _is_outage(api)
    # The admin's form needs no cache (the lockout per account and address is kept in the
    # database, django-axes): it answers as usual, here refusing a user who is not staff.
    admin = Client().post("/admin/login/", {"username": user.username, "password": "a-good-password"})
    assert admin.status_code == 200, admin.content[:300]
    assert b"correct username and password" in admin.content


@pytest.mark.django_db
@pytest.mark.parametrize(
    "error",
    [OperationalError("server closed the connection"), RedisConnectionError("refused"), BrokerError("refused")],
    ids=["database", "cache", "broker"],
)
def test_each_dependency_down_in_any_view_is_a_json_503(
    world: World, monkeypatch: pytest.MonkeyPatch, error: Exception
) -> None:
    def down(*args: Any, **kwargs: Any) -> Any:
        raise error

    monkeypatch.setattr(Health, "get", down)
    _is_outage(APIClient().get("/api/health/"))
    monkeypatch.setattr(AdminSite, "get_app_list", down)
    client = Client()
    client.force_login(world.users["ts"])
    world.users["ts"].is_staff = True
    world.users["ts"].save()
    _is_outage(client.get("/admin/"))


@pytest.mark.django_db
def test_the_worker_check_is_for_staff(world: World) -> None:
    assert APIClient().get("/api/health/").status_code == 200  # liveness stays open
    assert APIClient().get("/api/health/", {"worker": 1}).status_code == 403
    assert world.client("mex").get("/api/health/", {"worker": 1}).status_code == 403
    staff = world.users["ts"]
    staff.is_staff = True
    staff.save()
    response = world.client("ts").get("/api/health/", {"worker": 1})
    if settings.REDIS_URL:  # the round trip through a real worker: tests/test_worker.py
        assert response.status_code != 403
    else:
        assert response.status_code == 200 and response.json()["worker"]["database"]
