"""The admin as an access matrix, generated from the admin site's registry:
every staff user (the Secretariat of one meeting, with every permission of
the drafting app) against every other meeting's objects and against the
rows only a superuser changes, each way the admin changes things (the change
form, delete); 0 unauthorised changes. Each refused write is then sent by a
superuser, and must succeed: so a refusal is about who asks, not about the
form (issue 13: the TS of meeting 1 added itself to another meeting's
Secretariat, and moved its own user into the PPT's delegation)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission, User
from django.db import models
from django.db.models.fields.files import FieldFile
from django.forms.models import model_to_dict
from django.test import Client

from drafting import services
from drafting.models import Delegate, Delegation, ExportJob, ImportJob, Meeting
from tests.conftest import World, build_world, zero_draft
from tests.factories import DelegateFactory, MeetingFactory

# How each registered model's rows are owned: by a meeting (through this
# path), or by nobody (shared: superusers change them).
OWNER = {Meeting: "", ImportJob: "meeting", ExportJob: "declaration__meeting", Delegate: None, Delegation: None}
READ_ONLY = {ExportJob, ImportJob}  # nobody changes jobs in the admin


@dataclass
class Stage:
    world: World
    other: Meeting
    staff: dict[str, User]  # "home", "other": the Secretariat of each meeting, staff with the drafting permissions
    superuser: User


def _staff(user: User) -> User:
    user.is_staff = True
    user.save()
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="drafting"))
    return User.objects.get(pk=user.pk)  # permissions cache fresh


def _jobs(actor: User, meeting: Meeting) -> None:
    declaration = services.declaration_create(actor=actor, meeting=meeting, title=f"Text of {meeting.title}")
    services.revision_issue(actor=actor, declaration=declaration, sections=zero_draft(1, 1))
    services.export_job_request(
        actor=actor, declaration_id=declaration.pk, kind="compilation", pdf_available=False, dispatch=lambda j: None
    )
    services.import_job_create(
        actor=actor, meeting=meeting, content=b"Declaration\n\n1. Text.\n", filename="d.txt", dispatch=lambda j: None
    )


def _stage() -> Stage:
    world = build_world()
    ts2 = DelegateFactory(user__username="ts-other", delegation=world.delegations["TS"]).user
    other = MeetingFactory(title="Another cycle's meeting", ppt=world.delegations["SLV"], members_only=True)
    other.secretariat_staff.set([ts2])
    _jobs(world.users["ts"], world.meeting)
    _jobs(ts2, other)
    superuser = User.objects.create_superuser("root", "root@example.org", "x")
    return Stage(world, other, {"home": _staff(world.users["ts"]), "other": _staff(ts2)}, superuser)


def _not_theirs(stage: Stage, model: type[models.Model], who: str) -> list[models.Model]:
    """The rows of ``model`` the staff member ``who`` must not change."""
    path = OWNER[model]
    if path is None:
        return list(model._default_manager.all())
    field = f"{path}__secretariat_staff" if path else "secretariat_staff"
    return list(model._default_manager.exclude(**{field: stage.staff[who]}))


def _snapshot(obj: models.Model) -> dict[str, Any]:
    fresh = type(obj)._default_manager.filter(pk=obj.pk).first()
    if fresh is None:
        return {}
    data = model_to_dict(fresh)
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, list):
            out[key] = sorted(x.pk for x in value)
        elif isinstance(value, FieldFile):
            out[key] = value.name
        else:
            out[key] = value
    return out


def _payload(obj: models.Model, attacker: User, stage: Stage) -> dict[str, Any]:
    """The object's form as it stands, with the change an attacker wants."""
    data: dict[str, Any] = {}
    for key, value in _snapshot(obj).items():
        if value is None:
            data[key] = ""
        elif isinstance(value, datetime.date | datetime.datetime):
            data[key] = value.isoformat()
        elif isinstance(value, bool):
            if value:
                data[key] = "on"
        else:
            data[key] = value
    if isinstance(obj, Meeting):
        data["title"] = f"{obj.title} (taken over)"
        data["secretariat_staff"] = [*data.get("secretariat_staff", []), attacker.pk]
    elif isinstance(obj, Delegation):
        data["kind"] = Delegation.Kind.MEMBER_STATE if obj.kind != Delegation.Kind.MEMBER_STATE else "observer_state"
        data["name_en"] = f"{obj.name_en} (renamed)"
    elif isinstance(obj, Delegate):
        ppt, mex = stage.world.delegations["SLV"].pk, stage.world.delegations["MEX"].pk
        data["delegation"] = ppt if obj.delegation_id != ppt else mex  # to the PPT's delegation
    return data


def _url(obj: models.Model, view: str) -> str:
    return f"/admin/{obj._meta.app_label}/{obj._meta.model_name}/{obj.pk}/{view}/"


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


REGISTERED = sorted(
    (m for m in admin.site._registry if m._meta.app_label == "drafting"), key=lambda m: m._meta.model_name or ""
)


def test_every_registered_drafting_model_has_an_owner_rule() -> None:
    assert set(REGISTERED) == set(OWNER)


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["home", "other"])
@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m._meta.model_name)
def test_no_staff_member_changes_what_is_not_theirs(model: type[models.Model], who: str) -> None:
    stage = _stage()
    attacker = stage.staff[who]
    targets = _not_theirs(stage, model, who)
    assert targets, f"no {model._meta.model_name} outside {who}'s meetings to try"
    unauthorised = []
    client = _client(attacker)
    listed = client.get(f"/admin/{model._meta.app_label}/{model._meta.model_name}/")
    shown = set(listed.context["cl"].queryset.values_list("pk", flat=True)) if listed.status_code == 200 else set()
    for obj in targets:
        before = _snapshot(obj)
        payload = _payload(obj, attacker, stage)
        client.post(_url(obj, "change"), payload)
        client.post(_url(obj, "delete"), {"post": "yes"})
        if _snapshot(obj) != before:
            unauthorised.append(obj)
            continue
        if OWNER[model] is not None:
            # meeting-owned: not even shown
            assert obj.pk not in shown, f"{who} sees {obj!r} in the list"
            assert client.get(_url(obj, "change")).status_code != 200, f"{who} opens {obj!r}"
        if model in READ_ONLY:
            continue
        # the same change by a superuser goes through: the refusal was about who asked
        response = _client(stage.superuser).post(_url(obj, "change"), payload)
        assert response.status_code == 302, (obj, response.context and response.context["adminform"].form.errors)
        assert _snapshot(obj) != before
    assert unauthorised == []


@pytest.mark.django_db
def test_the_secretariat_runs_its_own_meeting_but_not_who_serves_it_nor_its_own_delegation() -> None:
    stage = _stage()
    ts = stage.staff["home"]
    meeting = stage.world.meeting
    client = _client(ts)
    payload = _payload(meeting, stage.staff["other"], stage)
    assert client.post(_url(meeting, "change"), payload).status_code == 302
    meeting.refresh_from_db()
    assert meeting.title.endswith("(taken over)")  # its own meeting: changed
    assert list(meeting.secretariat_staff.all()) == [ts]  # who serves it: not
    delegate = Delegate.objects.get(user=ts)
    client.post(_url(delegate, "change"), _payload(delegate, ts, stage))
    assert Delegate.objects.get(user=ts).delegation == stage.world.delegations["TS"]


@pytest.mark.django_db
def test_a_meeting_a_staff_member_sets_up_is_theirs() -> None:
    stage = _stage()
    ts = stage.staff["home"]
    response = _client(ts).post(
        "/admin/drafting/meeting/add/",
        {
            "title": "Workshop on labour mobility",
            "place": "Panama",
            "start_date": "2027-03-01",
            "end_date": "2027-03-02",
            "ppt": stage.world.delegations["SLV"].pk,
            "participants": [stage.world.delegations["MEX"].pk],
            "time_zone": "America/Panama",
            "silence_hours": 72,
        },
    )
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    meeting = Meeting.objects.get(title="Workshop on labour mobility")
    assert list(meeting.secretariat_staff.all()) == [ts]
