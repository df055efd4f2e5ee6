"""The Secretariat creates, resets and deactivates delegates' accounts of
its own meetings (drafting/services/accounts.py), through the service and
the API; never elsewhere, never a staff account."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.test import RequestFactory

from drafting.errors import Conflict, InvalidInput, NotAllowed, NotFound
from drafting.models import ApiToken, Event
from drafting.services import accounts
from tests.conftest import World, build_world
from tests.factories import DelegateFactory, DelegationFactory

pytestmark = pytest.mark.django_db


def test_create_gives_a_working_initial_password_and_an_event(world: World) -> None:
    user, password = accounts.account_create(
        actor=world.users["ts"], meeting=world.meeting, delegation_code="can", username="can.2", full_name="Ana Pérez"
    )
    assert user.delegate.delegation.code == "CAN" and user.first_name == "Ana" and user.last_name == "Pérez"
    assert authenticate(RequestFactory().post("/sign-in/"), username="can.2", password=password) == user
    assert len(password) == 14 and password != accounts.initial_password()
    assert Event.objects.filter(verb="account.created", meeting=world.meeting, object_id=str(user.pk)).exists()


@pytest.mark.parametrize("role", ["ppt", "mex", "iom"])
def test_only_the_meetings_secretariat_may(world: World, role: str) -> None:
    with pytest.raises(NotAllowed):
        accounts.account_create(actor=world.users[role], meeting=world.meeting, delegation_code="CAN", username="x.y")
    assert not User.objects.filter(username="x.y").exists()


def test_another_meetings_secretariat_may_not(world: World) -> None:
    other = build_world(title="Another meeting")
    with pytest.raises(NotAllowed):
        accounts.account_create(actor=other.users["ts"], meeting=world.meeting, delegation_code="CAN", username="x.y")
    belize = DelegationFactory(code="BLZ")
    world.meeting.participants.add(belize)
    blz = DelegateFactory(delegation=belize).user
    with pytest.raises(NotFound):  # Belize takes part in the first meeting only
        accounts.account_reset(actor=other.users["ts"], meeting=other.meeting, user_id=blz.pk)
    accounts.account_reset(actor=world.users["ts"], meeting=world.meeting, user_id=blz.pk)


def test_bad_input_changes_nothing(world: World) -> None:
    ts = world.users["ts"]
    with pytest.raises(InvalidInput):  # NIC is not at the meeting
        accounts.account_create(actor=ts, meeting=world.meeting, delegation_code="NIC", username="nic.2")
    with pytest.raises(InvalidInput):
        accounts.account_create(actor=ts, meeting=world.meeting, delegation_code="CAN", username="a b")
    accounts.account_create(actor=ts, meeting=world.meeting, delegation_code="CAN", username="can.2")
    with pytest.raises(Conflict):  # usernames are unique whatever the case
        accounts.account_create(actor=ts, meeting=world.meeting, delegation_code="MEX", username="CAN.2")
    assert not User.objects.filter(username__in=["nic.2", "a b"]).exists()


def test_reset_and_deactivate(world: World) -> None:
    ts, can = world.users["ts"], world.users["can"]
    token = ApiToken.objects.create(user=can)
    _, password = accounts.account_reset(actor=ts, meeting=world.meeting, user_id=can.pk)
    assert authenticate(RequestFactory().post("/sign-in/"), username=can.username, password=password) == can
    accounts.account_set_active(actor=ts, meeting=world.meeting, user_id=can.pk, active=False)
    can.refresh_from_db()
    assert not can.is_active
    assert world.client(None).get("/api/me/", HTTP_AUTHORIZATION=f"Token {token.key}").status_code == 401
    assert authenticate(RequestFactory().post("/sign-in/"), username=can.username, password=password) is None
    with pytest.raises(NotFound):  # the Secretariat is not a delegation taking part
        accounts.account_reset(actor=ts, meeting=world.meeting, user_id=ts.pk)
    staff = world.users["mex"]
    staff.is_staff = True
    staff.save()
    with pytest.raises(NotAllowed):  # staff accounts are the administrator's
        accounts.account_reset(actor=ts, meeting=world.meeting, user_id=staff.pk)


def test_api_endpoints(world: World) -> None:
    url = f"/api/meetings/{world.meeting.pk}/accounts/"
    assert world.client("mex").get(url).status_code == 403
    assert world.client("mex").post(url, {"delegation": "CAN", "username": "z.z"}).status_code == 403
    created = world.client("ts").post(url, {"delegation": "CAN", "username": "z.z"})
    assert created.status_code == 201 and created.json()["initial_password"]
    listed = world.client("ts").get(url).json()
    assert {"username": "z.z", "delegation": "CAN", "is_active": True} in [
        {k: a[k] for k in ("username", "delegation", "is_active")} for a in listed
    ]
    uid = created.json()["id"]
    reset = world.client("ts").post(f"{url}{uid}/reset/")
    assert reset.status_code == 200 and reset.json()["initial_password"] != created.json()["initial_password"]
    off = world.client("ts").post(f"{url}{uid}/deactivate/")
    assert off.status_code == 200 and off.json()["is_active"] is False
    assert world.client("ts").post(f"{url}999999/reset/").status_code == 404
