"""The Secretariat manages delegations and meetings in the Django admin, and
those changes enter the negotiation record like any other."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from drafting.models import Delegation, Event
from tests.conftest import World


@pytest.mark.django_db
def test_secretariat_staff_adds_a_delegation_in_the_admin_and_it_is_recorded(world: World) -> None:
    # Given a TS user with staff access to the admin
    ts = world.users["ts"]
    ts.is_staff = True
    ts.save()
    ts.user_permissions.add(*Permission.objects.filter(content_type__app_label="drafting"))
    client = Client()
    client.force_login(ts)
    # When they add an observer state through the admin form
    response = client.post(
        "/admin/drafting/delegation/add/",
        {"code": "JAM", "name_en": "Jamaica", "name_es": "Jamaica", "kind": "observer_state"},
    )
    # Then it exists and the change is in the event log with its author
    assert response.status_code == 302, response.content[:500]
    jamaica = Delegation.objects.get(code="JAM")
    event = Event.objects.get(verb="delegation.created", object_id=str(jamaica.pk))
    assert event.actor == ts
    assert "Jamaica" in event.after["repr"]
    # And the meetings list in the admin renders
    assert client.get("/admin/drafting/meeting/").status_code == 200


@pytest.mark.django_db
def test_a_delegate_without_staff_access_cannot_enter_the_admin(world: World) -> None:
    client = Client()
    client.force_login(world.users["mex"])
    response = client.get("/admin/drafting/meeting/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
