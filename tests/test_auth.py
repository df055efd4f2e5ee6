"""Authentication under attack: password guessing is throttled on every way
in, and revoked tokens stop working at once. (That the production settings
pass `manage.py check --deploy` with no issue is tests/test_settings.py.)

tests/test_api.py has the everyday behaviour (log in, revoke, the eleventh
attempt is a 429); this file adds the attacker's variations: a forged
X-Forwarded-For per attempt, the admin's and the browsable API's login forms,
the full error body, and a revoked token on writes.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from drafting.models import Proposal
from tests.conftest import World

pytestmark = pytest.mark.django_db

TOKEN = "/api/auth/token/"


@pytest.fixture(autouse=True)
def _fresh_throttle() -> None:
    cache.clear()


def login(client: APIClient, username: str, password: str, **headers: str) -> Any:
    return client.post(TOKEN, {"username": username, "password": password}, format="json", **headers)


# --- Brute force ---------------------------------------------------------------------
def test_the_eleventh_attempt_in_a_minute_is_429_in_the_error_shape(world: World) -> None:
    client = APIClient()
    for i in range(10):
        response = login(client, world.users["mex"].username, f"guess-{i}")
        assert response.status_code == 400
        assert response.json() == {"error": "invalid", "detail": "Wrong username or password.", "fields": {}}
    throttled = login(client, world.users["mex"].username, "pw")
    assert throttled.status_code == 429
    body = throttled.json()
    assert set(body) == {"error", "detail", "fields"} and body["error"] == "throttled" and body["fields"] == {}
    assert "Expected available in" in body["detail"]
    assert 0 < int(throttled["Retry-After"]) <= 60
    assert not Token.objects.filter(user=world.users["mex"]).exists()


def test_a_forged_x_forwarded_for_does_not_reset_the_count(world: World) -> None:
    # Given an attacker who sends a different X-Forwarded-For with every guess
    client = APIClient()
    statuses = [
        login(client, world.users["mex"].username, f"guess-{i}", HTTP_X_FORWARDED_FOR=f"203.0.113.{i}").status_code
        for i in range(12)
    ]
    # Then the guesses are still counted against the one address they come from
    assert statuses == [400] * 10 + [429] * 2


def test_another_address_is_not_throttled_by_an_attackers_guesses(world: World) -> None:
    attacker = APIClient(REMOTE_ADDR="198.51.100.7")
    for i in range(11):
        login(attacker, "mex", f"guess-{i}")
    assert login(attacker, world.users["mex"].username, "pw").status_code == 429
    colleague = APIClient(REMOTE_ADDR="198.51.100.8")
    assert login(colleague, world.users["mex"].username, "pw").status_code == 200


@pytest.mark.parametrize("url", ["/admin/login/", "/api-auth/login/"])
def test_the_login_forms_are_throttled_too(world: World, url: str) -> None:
    # Given the Secretariat's user, who may use the admin
    user = world.users["ts"]
    user.is_staff = True
    user.save()
    client = Client()
    # When ten wrong passwords are tried on a login form
    for i in range(10):
        response = client.post(url, {"username": user.username, "password": f"guess-{i}"})
        assert response.status_code == 200 and "_auth_user_id" not in client.session
    # Then the right one is refused too while the minute lasts
    client.post(url, {"username": user.username, "password": "pw"})
    assert "_auth_user_id" not in client.session
    # and accepted once the count is gone
    cache.clear()
    client.post(url, {"username": user.username, "password": "pw"})
    assert client.session.get("_auth_user_id") == str(user.pk)


def test_successful_form_logins_do_not_count_as_guesses(world: World) -> None:
    user = world.users["ts"]
    user.is_staff = True
    user.save()
    for _ in range(12):
        client = Client()
        client.post("/admin/login/", {"username": user.username, "password": "pw"})
        assert client.session.get("_auth_user_id") == str(user.pk)


# --- Revocation --------------------------------------------------------------------
def test_a_revoked_token_is_401_on_reads_and_writes_and_writes_nothing(world: World) -> None:
    client = world.client("mex")
    assert client.delete(TOKEN).status_code == 204
    before = Proposal.objects.count()
    body = {
        "declaration": world.declaration.pk,
        "revision": world.revision.pk,
        "paragraph": world.paragraph_ids()[-1],
        "kind": "delete",
    }
    for response in (
        client.get("/api/me/"),
        client.get(f"/api/declarations/{world.declaration.pk}/text/"),
        client.post("/api/proposals/", body, format="json"),
        client.delete(TOKEN),
    ):
        assert response.status_code == 401, response.content
        assert response.json() == {"error": "authentication_failed", "detail": "Invalid token.", "fields": {}}
    assert Proposal.objects.count() == before


def test_revoking_needs_the_token_itself(world: World) -> None:
    # Anonymous, or with someone else's stale key, nothing is revoked
    mex_key = Token.objects.get_or_create(user=world.users["mex"])[0].key
    assert APIClient().delete(TOKEN).status_code == 401
    forged = APIClient()
    forged.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert forged.delete(TOKEN).status_code == 401
    assert Token.objects.filter(key=mex_key).exists()
