"""Authentication under attack, and tokens per device.

Password guessing is stopped by a lockout per account *and* address
(django-axes, at ``authenticate()``), so it covers every way in: the token
endpoint, the admin, the browsable API's form. One address is a whole
conference room: one account locked there must not lock the others. The
Technical Secretariat unlocks its meetings' delegates. Tokens: one per
device, each expiring, each revoked alone. (That the production settings
pass ``manage.py check --deploy`` is tests/test_settings.py.)
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from backend.api.accounts.views import LoginThrottle
from drafting.models import ApiToken, Event, Proposal
from tests.conftest import World

pytestmark = pytest.mark.django_db

TOKEN = "/api/auth/token/"


@pytest.fixture(autouse=True)
def _fresh_throttle() -> None:
    cache.clear()


def login(client: APIClient, username: str, password: str, **extra: Any) -> Any:
    return client.post(TOKEN, {"username": username, "password": password}, format="json", **extra)


def lock_out(client: APIClient | Client, username: str, url: str = TOKEN) -> None:
    for i in range(10):
        client.post(
            url, {"username": username, "password": f"guess-{i}"}, **({"format": "json"} if url == TOKEN else {})
        )


# --- Lockout per account and address ----------------------------------------------------
def test_the_tenth_failure_locks_that_account_in_the_error_shape(world: World) -> None:
    client = APIClient()
    for i in range(9):
        response = login(client, world.users["mex"].username, f"guess-{i}")
        assert response.json() == {"error": "invalid", "detail": "Wrong username or password.", "fields": {}}
    assert login(client, world.users["mex"].username, "guess-9").status_code == 429
    locked = login(client, world.users["mex"].username, "pw")
    assert locked.status_code == 429
    body = locked.json()
    assert set(body) == {"error", "detail", "fields"} and body["error"] == "throttled" and body["fields"] == {}
    assert "Technical Secretariat" in body["detail"]
    assert int(locked["Retry-After"]) == 15 * 60
    assert not ApiToken.objects.filter(user=world.users["mex"]).exists()


def test_one_account_locked_while_another_from_the_same_address_signs_in(world: World) -> None:
    room = APIClient(REMOTE_ADDR="198.51.100.7")
    lock_out(room, world.users["mex"].username)
    assert login(room, world.users["mex"].username, "pw").status_code == 429
    assert login(room, world.users["can"].username, "pw").status_code == 200
    # and the locked account's owner still signs in from elsewhere
    assert login(APIClient(REMOTE_ADDR="198.51.100.8"), world.users["mex"].username, "pw").status_code == 200


def test_a_forged_x_forwarded_for_does_not_escape_the_lockout(world: World) -> None:
    # Given an attacker who sends a different X-Forwarded-For with every guess
    client = APIClient()
    statuses = [
        login(client, world.users["mex"].username, f"guess-{i}", HTTP_X_FORWARDED_FOR=f"203.0.113.{i}").status_code
        for i in range(12)
    ]
    # Then the guesses are still counted against the one address they come from
    assert statuses == [400] * 9 + [429] * 3


def test_a_success_before_the_limit_starts_the_count_again(world: World) -> None:
    client = APIClient()
    for _ in range(3):
        for i in range(9):
            assert login(client, world.users["mex"].username, f"guess-{i}").status_code == 400
        assert login(client, world.users["mex"].username, "pw").status_code == 200


@pytest.mark.parametrize("url", ["/admin/login/", "/api-auth/login/"])
def test_the_login_forms_lock_out_too(world: World, url: str) -> None:
    # Given the Secretariat's user, who may use the admin
    user = world.users["ts"]
    user.is_staff = True
    user.save()
    client = Client()
    # When ten wrong passwords are tried on a login form
    lock_out(client, user.username, url)
    assert "_auth_user_id" not in client.session
    # Then the right one is refused too, with a 429 saying why
    response = client.post(url, {"username": user.username, "password": "pw"})
    assert response.status_code == 429 and b"Technical Secretariat" in response.content
    assert "_auth_user_id" not in client.session
    # and accepted once the lockout is lifted
    AccessAttempt.objects.all().delete()
    client.post(url, {"username": user.username, "password": "pw"})
    assert client.session.get("_auth_user_id") == str(user.pk)


def test_a_flood_from_one_address_is_capped_by_the_throttle(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    # The per-address throttle is a flood cap (LOGIN_THROTTLE_RATE), successes included
    monkeypatch.setitem(LoginThrottle.THROTTLE_RATES, "login", "3/min")
    client = APIClient()
    statuses = [login(client, world.users[role].username, "pw").status_code for role in ("mex", "can", "ppt", "arg")]
    assert statuses == [200, 200, 200, 429]


# --- The Secretariat unlocks --------------------------------------------------------------
def test_the_secretariat_lists_and_unlocks_its_meetings_delegates(world: World) -> None:
    room = APIClient(REMOTE_ADDR="192.0.2.10")
    lock_out(room, world.users["mex"].username)
    ts = world.client("ts")
    listed = ts.get("/api/auth/lockouts/")
    assert listed.status_code == 200
    assert [(row["username"], row["ip_address"], row["failures"]) for row in listed.json()] == [
        (world.users["mex"].username, "192.0.2.10", 10)
    ]
    response = ts.post("/api/auth/lockouts/reset/", {"username": world.users["mex"].username}, format="json")
    assert response.status_code == 200
    assert response.json() == {"username": world.users["mex"].username, "cleared": 1}
    assert login(room, world.users["mex"].username, "pw").status_code == 200
    event = Event.objects.get(verb="user.lockout_reset")
    assert event.actor == world.users["ts"] and event.object_id == str(world.users["mex"].pk)


def test_only_the_secretariat_of_the_users_meeting_may_unlock(world: World) -> None:
    lock_out(APIClient(), world.users["can"].username)
    for role in ("mex", "ppt"):
        response = world.client(role).post(
            "/api/auth/lockouts/reset/", {"username": world.users["can"].username}, format="json"
        )
        assert response.status_code == 403, response.content
        assert world.client(role).get("/api/auth/lockouts/").json() == []
    # a stranger to the Secretariat's meetings is refused, an unknown name is a 404
    outsider = get_user_model().objects.create_user("outsider", password="pw")
    ts = world.client("ts")
    assert ts.post("/api/auth/lockouts/reset/", {"username": outsider.username}, format="json").status_code == 403
    assert ts.post("/api/auth/lockouts/reset/", {"username": "nobody-here"}, format="json").status_code == 404
    assert ts.post("/api/auth/lockouts/reset/", {}, format="json").status_code == 400
    assert AccessAttempt.objects.filter(username=world.users["can"].username).exists()


# --- Tokens per device ----------------------------------------------------------------------
def test_each_device_has_its_own_token_and_signing_out_of_one_keeps_the_other(world: World) -> None:
    username = world.users["mex"].username
    laptop, phone = APIClient(), APIClient()
    for client, name in ((laptop, "laptop"), (phone, "phone")):
        body = client.post(TOKEN, {"username": username, "password": "pw", "name": name}, format="json").json()
        client.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    listed = laptop.get("/api/auth/tokens/").json()
    assert [(t["name"], t["current"]) for t in listed] == [("phone", False), ("laptop", True)]
    # When the laptop signs out
    assert laptop.delete(TOKEN).status_code == 204
    # Then the phone is still signed in, the laptop is not
    assert phone.get("/api/me/").status_code == 200
    assert laptop.get("/api/me/").status_code == 401
    assert [t["name"] for t in phone.get("/api/auth/tokens/").json()] == ["phone"]


def test_a_token_is_revoked_by_id_by_its_owner_only(world: World) -> None:
    mex, can = world.client("mex"), world.client("can")
    other = ApiToken.objects.create(user=world.users["mex"], name="forgotten laptop")
    assert can.delete(f"/api/auth/tokens/{other.pk}/").status_code == 404
    assert ApiToken.objects.filter(pk=other.pk).exists()
    assert mex.delete(f"/api/auth/tokens/{other.pk}/").status_code == 204
    assert not ApiToken.objects.filter(pk=other.pk).exists()
    assert mex.get("/api/me/").status_code == 200


def test_an_expired_token_is_refused_and_swept_at_the_next_sign_in(world: World) -> None:
    client = world.client("mex")
    token = ApiToken.objects.get(user=world.users["mex"])
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get("/api/me/")
    assert response.status_code == 401
    assert response.json() == {
        "error": "authentication_failed",
        "detail": "Token expired; sign in again.",
        "fields": {},
    }
    assert login(APIClient(), world.users["mex"].username, "pw").status_code == 200
    assert not ApiToken.objects.filter(pk=token.pk).exists()


def test_signing_out_without_a_token_is_a_clear_400(world: World) -> None:
    client = APIClient()
    client.force_authenticate(world.users["mex"])
    response = client.delete(TOKEN)
    assert response.status_code == 400 and "no token" in response.json()["detail"]


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
    mex_key = ApiToken.objects.create(user=world.users["mex"]).key
    assert APIClient().delete(TOKEN).status_code == 401
    forged = APIClient()
    forged.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert forged.delete(TOKEN).status_code == 401
    assert ApiToken.objects.filter(key=mex_key).exists()


@pytest.mark.parametrize("meta", [{"REMOTE_ADDR": ""}, {"REMOTE_ADDR": "not-an-address"}], ids=["none", "junk"])
def test_a_sign_in_without_a_usable_address_is_still_counted_never_a_500(world: World, meta: dict[str, str]) -> None:
    # (the address is stored in an IP column: PostgreSQL refuses junk)
    client = APIClient(**meta)
    statuses = [login(client, world.users["mex"].username, f"guess-{i}").status_code for i in range(10)]
    assert statuses == [400] * 9 + [429]
    assert login(client, world.users["can"].username, "pw").status_code == 200
