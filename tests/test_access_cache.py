"""Identity and role remembered for a few seconds (drafting/access_cache.py):
revocation still takes effect, at once where a version or the service says
so, and within CONSENSO_ACCESS_CACHE_SECONDS where only time can."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from drafting import services
from drafting.access_cache import IDENTITIES, ROLES
from drafting.models import ApiToken, Delegate
from tests.conftest import World


@pytest.fixture
def clock() -> Iterator[list[float]]:
    """A clock the test moves forward instead of sleeping."""
    now = [1000.0]
    IDENTITIES.clock = ROLES.clock = lambda: now[0]
    yield now
    import time

    IDENTITIES.clock = ROLES.clock = time.monotonic


def _support(world: World, client: Any, proposal: Any) -> Any:
    return client.post(f"/api/proposals/{proposal.pk}/support/", {}, format="json")


def _pending(world: World) -> Any:
    return services.proposal_submit(
        actor=world.users["mex"],
        declaration=world.declaration,
        revision_id=world.revision.pk,
        paragraph_id=world.paragraph_ids()[-1],
        kind="replace",
        text="Wording to support.",
    )


def test_a_token_revoked_through_the_service_is_refused_at_once(world: World, clock: list[float]) -> None:
    client = world.client("can")
    assert client.get("/api/me/").status_code == 200  # remembered now
    assert client.delete("/api/auth/token/").status_code == 204
    assert client.get("/api/me/").status_code == 401


def test_a_token_deleted_elsewhere_is_refused_within_the_window(
    world: World, clock: list[float], settings: Any
) -> None:
    settings.CONSENSO_ACCESS_CACHE_SECONDS = 5
    client = world.client("can")
    assert client.get("/api/me/").status_code == 200
    # Another web process revoked it: this one was not told
    ApiToken.objects.filter(user=world.users["can"]).delete()
    clock[0] += 4.9
    assert client.get("/api/me/").status_code == 200  # the trade-off, within the window
    clock[0] += 0.2
    assert client.get("/api/me/").status_code == 401


def test_a_deactivated_account_is_refused_at_once(world: World, clock: list[float]) -> None:
    client = world.client("can")
    assert client.get("/api/me/").status_code == 200
    _deactivate(world)
    assert client.get("/api/me/").status_code == 401


def _deactivate(world: World) -> None:
    from drafting.services.accounts import account_set_active

    account_set_active(actor=world.users["ts"], meeting=world.meeting, user_id=world.users["can"].pk, active=False)


def test_a_delegate_removed_from_the_delegation_stops_negotiating_within_the_window(
    world: World, clock: list[float], settings: Any
) -> None:
    settings.CONSENSO_ACCESS_CACHE_SECONDS = 5
    proposal = _pending(world)
    client = world.client("can")
    assert client.get("/api/me/").status_code == 200
    Delegate.objects.filter(user=world.users["can"]).delete()  # in the admin, another process
    clock[0] += 5.1
    response = _support(world, client, proposal)
    # no delegation, so no part in the meeting: its ids answer as missing ones (issue 13)
    assert response.status_code == 404, response.content


def test_a_delegation_no_longer_present_is_refused_at_once(world: World, clock: list[float]) -> None:
    proposal = _pending(world)
    client = world.client("can")
    assert client.get(f"/api/proposals/{proposal.pk}/").status_code == 200  # role remembered
    # The Secretariat unregisters Canada (the admin, a shell: no service told the cache)
    world.meeting.participants.remove(world.delegations["CAN"])
    response = _support(world, client, proposal)
    assert response.status_code == 403, response.content
    assert "not registered as present" in response.json()["detail"]


def test_a_new_ppt_chairs_at_once_and_the_old_one_no_longer_does(world: World, clock: list[float]) -> None:
    proposal = _pending(world)
    slv, can = world.client("ppt"), world.client("can")
    for client in (slv, can):
        assert client.get(f"/api/proposals/{proposal.pk}/").status_code == 200
    world.meeting.ppt = world.delegations["CAN"]
    world.meeting.save()
    refused = slv.post(f"/api/proposals/{proposal.pk}/accept/", {"version": proposal.version}, format="json")
    assert refused.status_code == 403, refused.content
    accepted = can.post(f"/api/proposals/{proposal.pk}/accept/", {"version": proposal.version}, format="json")
    assert accepted.status_code == 200, accepted.content


def test_with_the_setting_at_zero_nothing_is_remembered(world: World, settings: Any) -> None:
    settings.CONSENSO_ACCESS_CACHE_SECONDS = 0
    client = world.client("can")
    assert client.get("/api/me/").status_code == 200
    ApiToken.objects.filter(user=world.users["can"]).delete()
    assert client.get("/api/me/").status_code == 401
