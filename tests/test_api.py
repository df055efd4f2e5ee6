"""The API's behaviour through its real endpoints, as a client meets it.

Each test reads given / when / then. Setup that is not what the test is
about goes through the services (as conftest does); the behaviour under test
always goes through HTTP with ``APIClient``.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.urls import URLPattern
from rest_framework.mixins import ListModelMixin
from rest_framework.test import APIClient

from backend.api import urls as api_urls
from drafting import services
from drafting.models import ApiToken, Declaration, Delegate, Delegation, Event, Paragraph, Position, Proposal, Revision
from tests.conftest import ROLES, World, build_world, zero_draft

pytestmark = pytest.mark.django_db

MISSING = 987_654


@pytest.fixture(autouse=True)
def _fresh_login_throttle() -> None:
    # The login throttle counts in the process-wide cache; start each test at zero.
    cache.clear()


# --- Helpers ----------------------------------------------------------------------------
def propose(world: World, role: str = "mex", index: int = -1, text: str | None = None, **extra: Any) -> Any:
    """``role`` proposes new wording for the ``index``-th paragraph of the current revision, over HTTP."""
    revision = extra.pop("revision", None) or Revision.objects.filter(declaration=world.declaration).latest("number")
    paragraph = world.paragraph_ids(revision)[index]
    body = {
        "declaration": world.declaration.pk,
        "revision": revision.pk,
        "paragraph": paragraph,
        "kind": "replace",
        "text": text or f"New wording from {role} for paragraph {paragraph}.",
        **extra,
    }
    return world.client(role).post("/api/proposals/", body, format="json")


def submitted(world: World, role: str = "mex", index: int = -1, text: str | None = None) -> Any:
    response = propose(world, role, index, text)
    assert response.status_code == 201, response.json()
    return response.json()


def rev1_sections(world: World) -> list[dict[str, Any]]:
    """Rev.1 of the zero draft: OP1 reworded, a new paragraph after it, everything else carried over."""
    title, pp1, pp2, op1, op2, op3 = world.paragraph_ids()
    return [
        {"kind": "title", "paragraphs": [{"paragraph": title, "kind": "title", "text": "Declaration of San Salvador"}]},
        {
            "kind": "preamble",
            "paragraphs": [
                {"paragraph": pp1, "kind": "preambular", "text": "Recalling the 1st principle of the Charter,"},
                {"paragraph": pp2, "kind": "preambular", "text": "Recalling the 2st principle of the Charter,"},
            ],
        },
        {
            "kind": "operative",
            "heading": "DECISIONS",
            "paragraphs": [
                {"paragraph": op1, "kind": "operative", "text": "Promote safe, orderly, regular and humane migration."},
                {"kind": "operative", "text": "Protect the rights of migrant children."},
                {"paragraph": op2, "kind": "operative", "text": "Promote safe, orderly and regular migration, item 2."},
                {"paragraph": op3, "kind": "operative", "text": "Promote safe, orderly and regular migration, item 3."},
            ],
        },
    ]


def issue_rev1(world: World) -> Any:
    response = world.client("ts").post(
        f"/api/declarations/{world.declaration.pk}/revisions/",
        {"note": "Reflects the first reading.", "sections": rev1_sections(world)},
        format="json",
    )
    assert response.status_code == 201, response.json()
    return response.json()


def labels_and_ids(text: dict[str, Any]) -> list[tuple[str, int]]:
    return [(p["label"], p["paragraph"]) for s in text["sections"] for p in s["paragraphs"]]


def ids_of(response: Any) -> list[int]:
    assert response.status_code == 200, response.json()
    return [item["id"] for item in response.json()["results"]]


def events_for(world: World) -> Any:
    response = world.client("ts").get(f"/api/events/?declaration={world.declaration.pk}&page_size=500")
    assert response.status_code == 200
    return response.json()["results"]


# --- Tokens -----------------------------------------------------------------------------
def test_a_user_obtains_a_token_uses_it_and_revokes_it(world: World) -> None:
    # Given an anonymous client that knows Mexico's delegate's password
    client = APIClient()
    username = world.users["mex"].username
    # When it asks for a token, naming the device
    response = client.post(
        "/api/auth/token/", {"username": username, "password": "pw", "name": "laptop"}, format="json"
    )
    # Then it gets a new token for that device, expiring in API_TOKEN_DAYS, which authenticates it
    assert response.status_code == 200
    body = response.json()
    key = body["token"]
    token = ApiToken.objects.get(key=key, user=world.users["mex"])
    assert body == {"token": key, "id": token.pk, "name": "laptop", "expires_at": body["expires_at"]}
    lifetime = token.expires_at - token.created_at
    assert abs(lifetime.total_seconds() - settings.API_TOKEN_DAYS * 86400) < 60
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/me/").json()["username"] == username
    # When it revokes the token
    revoked = client.delete("/api/auth/token/")
    # Then the token is gone and the old key is refused
    assert revoked.status_code == 204 and revoked.content == b""
    assert not ApiToken.objects.filter(key=key).exists()
    after = client.get("/api/me/")
    assert after.status_code == 401
    assert after.json() == {"error": "authentication_failed", "detail": "Invalid token.", "fields": {}}


def test_revoking_a_token_leaves_other_users_tokens_alone(world: World) -> None:
    mex, can = world.client("mex"), world.client("can")
    assert mex.delete("/api/auth/token/").status_code == 204
    assert can.get("/api/me/").status_code == 200
    assert mex.get("/api/me/").status_code == 401


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"username": "nobody", "password": "pw"}, None),
        ({"username": "<mex>", "password": "wrong"}, None),
        ({"username": "<mex>"}, {"password": ["This field is required."]}),
        ({}, {"username": ["This field is required."], "password": ["This field is required."]}),
    ],
    ids=["unknown-user", "wrong-password", "no-password", "empty"],
)
def test_a_bad_login_is_400_and_issues_no_token(world: World, body: dict[str, str], fields: Any) -> None:
    # Given wrong or missing credentials
    body = {k: (world.users["mex"].username if v == "<mex>" else v) for k, v in body.items()}
    # When an anonymous client asks for a token
    response = APIClient().post("/api/auth/token/", body, format="json")
    # Then it is refused with a field-level or a credentials error, and no token exists
    assert response.status_code == 400
    if fields is None:
        assert response.json() == {"error": "invalid", "detail": "Wrong username or password.", "fields": {}}
    else:
        assert response.json() == {
            "error": "invalid",
            "detail": "The request is invalid; see fields.",
            "fields": fields,
        }
    assert not ApiToken.objects.exists()


def test_an_inactive_user_gets_no_token(world: World) -> None:
    user = world.users["mex"]
    user.is_active = False
    user.save()
    response = APIClient().post("/api/auth/token/", {"username": user.username, "password": "pw"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid"


def test_a_client_with_a_revoked_token_can_log_in_again(world: World) -> None:
    # Given a client that logged out but still sends its old Authorization header
    client = world.client("mex")
    assert client.delete("/api/auth/token/").status_code == 204
    # When it logs in again (and a load balancer probes health the same way)
    login = client.post("/api/auth/token/", {"username": world.users["mex"].username, "password": "pw"}, format="json")
    health = client.get("/api/health/")
    # Then both work as for an anonymous client
    assert login.status_code == 200 and "token" in login.json()
    assert health.status_code == 200


def test_failed_sign_ins_lock_the_account_from_that_address_not_the_room(world: World) -> None:
    # Given ten failed attempts for Mexico's account from the room's one address
    room = APIClient(REMOTE_ADDR="192.0.2.50")
    mex, can = world.users["mex"].username, world.users["can"].username
    statuses = [
        room.post("/api/auth/token/", {"username": mex, "password": f"guess-{i}"}, format="json").status_code
        for i in range(10)
    ]
    assert statuses == [400] * 9 + [429]  # the tenth failure locks
    # When Mexico's delegate then types the right password from that address
    response = room.post("/api/auth/token/", {"username": mex, "password": "pw"}, format="json")
    # Then it is refused with a JSON body and a Retry-After
    assert response.status_code == 429
    assert response.json()["error"] == "throttled"
    assert "ask the meeting's Technical Secretariat to unlock it" in response.json()["detail"]
    assert int(response["Retry-After"]) > 0
    # while Canada's delegate, behind the same address, signs in
    assert room.post("/api/auth/token/", {"username": can, "password": "pw"}, format="json").status_code == 200


# --- /api/me/ ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("role", "code", "kind", "ppt", "secretariat"),
    [
        ("ppt", "SLV", "member_state", True, False),
        ("mex", "MEX", "member_state", False, False),
        ("iom", "IOM", "observer_organization", False, False),
        ("ts", "TS", "secretariat", False, True),
    ],
)
def test_me_says_who_i_am_and_where_i_chair_or_serve(
    world: World, role: str, code: str, kind: str, ppt: bool, secretariat: bool
) -> None:
    # Given a second meeting, chaired by Mexico, where nobody from this world serves
    second = build_world(title="Second meeting")
    second.meeting.ppt = world.delegations["MEX"]
    second.meeting.save()
    # When the user asks who they are
    response = world.client(role).get("/api/me/")
    # Then they see their delegation, the meetings they chair and those they staff
    assert response.status_code == 200
    body = response.json()
    delegation = world.delegations[code]
    assert body == {
        "username": world.users[role].username,
        "delegation": {
            "id": delegation.pk,
            "code": code,
            "name_en": delegation.name_en,
            "name_es": delegation.name_es,
            "kind": kind,
        },
        "secretariat_meetings": [world.meeting.pk] if secretariat else [],
        "ppt_meetings": [world.meeting.pk] if ppt else ([second.meeting.pk] if role == "mex" else []),
    }


# --- Pagination -------------------------------------------------------------------------
def agree_and_issue(world: World) -> Revision:
    """Every paragraph agreed (set directly) and the working text issued as Rev.1."""
    Paragraph.objects.filter(declaration=world.declaration).update(state="agreed")
    return services.revision_issue_from_working_text(actor=world.users["ts"], declaration=world.declaration)


@dataclass
class Busy:
    world: World
    other: World


@pytest.fixture
def busy(world: World) -> Busy:
    """Two meetings. The first: a Rev.1 and three proposals. The second: its text
    agreed, issued as Rev.1 and put to adoption, with two statements on record."""
    other = build_world(title="Second meeting")
    services.revision_issue(
        actor=world.users["ts"], declaration=world.declaration, sections=cast(Any, rev1_sections(world))
    )
    rev1 = world.declaration.revisions.get(number=1)
    for i, role in enumerate(["mex", "can", "ppt"]):
        services.proposal_submit(
            actor=world.users[role],
            declaration=world.declaration,
            revision_id=rev1.pk,
            paragraph_id=world.paragraph_ids(rev1)[-1 - i],
            kind="replace",
            text=f"Wording {i}.",
        )
    other_rev1 = agree_and_issue(other)
    services.adoption_propose(actor=other.users["ppt"], declaration=other.declaration, revision_id=other_rev1.pk)
    for role in ("mex", "can"):
        services.statement_record(
            actor=other.users[role],
            declaration=other.declaration,
            kind="explanation",
            text=f"{role} explains.",
        )
    for declaration in (world.declaration, other.declaration):  # one export job in each meeting
        services.export_job_request(
            actor=world.users["ts"] if declaration == world.declaration else other.users["ts"],
            declaration_id=declaration.pk,
            kind="record",
            pdf_available=False,
            dispatch=lambda job_id: None,
        )
    return Busy(world=world, other=other)


LISTS: dict[str, tuple[Callable[[Busy], str], int]] = {
    # URL name → (URL, row count as MEX sees it)
    "delegation-list": (lambda b: "/api/delegations/", len(ROLES)),
    "meeting-list": (lambda b: "/api/meetings/", 2),
    "declaration-list": (lambda b: "/api/declarations/", 2),
    "declaration-revisions": (lambda b: f"/api/declarations/{b.world.declaration.pk}/revisions/", 2),
    "revision-list": (lambda b: "/api/revisions/", 4),
    "proposal-list": (lambda b: "/api/proposals/", 3),
    "declaration-statements": (lambda b: f"/api/declarations/{b.other.declaration.pk}/statements/", 2),
    # created, zero draft, Rev.1 and three proposals
    "declaration-record": (lambda b: f"/api/declarations/{b.world.declaration.pk}/record/", 6),
    # those 6, and the second declaration's: created, zero draft, Rev.1, put to adoption, 2 statements
    "event-list": (lambda b: "/api/events/", 6 + 6),
    "export-list": (lambda b: "/api/exports/", 2),
    # the three proposals written against Rev.1
    "revision-proposals": (lambda b: f"/api/revisions/{b.world.declaration.revisions.get(number=1).pk}/proposals/", 3),
}


def test_every_list_endpoint_is_in_the_pagination_table() -> None:
    lists = {
        p.name
        for p in api_urls.urlpatterns
        if isinstance(p, URLPattern) and issubclass(p.callback.view_class, ListModelMixin)  # type: ignore[attr-defined]
    }
    assert lists == set(LISTS)


@pytest.mark.parametrize("name", sorted(LISTS))
def test_every_list_is_paginated_and_pages_cover_every_row_once(busy: Busy, name: str) -> None:
    url, count = LISTS[name][0](busy), LISTS[name][1]
    client = busy.world.client("mex")
    # Given a page size of 1
    first = client.get(url, {"page_size": 1})
    # Then the first page has count, next, previous and one result
    assert first.status_code == 200
    body = first.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == count and len(body["results"]) == 1
    assert body["previous"] is None
    assert "page=2" in body["next"] and "page_size=1" in body["next"]
    # When the client follows next to the end
    seen = [r["id"] for r in body["results"]]
    pages, link = 1, body["next"]
    while link:
        page = client.get(link).json()
        assert page["previous"] is not None
        seen += [r["id"] for r in page["results"]]
        pages, link = pages + 1, page["next"]
    # Then it saw every row exactly once
    assert len(seen) == len(set(seen)) == count
    assert pages == count
    # and without page_size, one page of at most 50 holds them all
    assert ids_of(client.get(url)) == seen


def test_a_page_past_the_end_is_a_json_404(world: World) -> None:
    response = world.client("mex").get("/api/delegations/", {"page": 99})
    assert response.status_code == 404
    assert response.json() == {"error": "not_found", "detail": "Invalid page.", "fields": {}}


@pytest.mark.parametrize("name", ["delegation-list", "event-list"])
def test_page_size_defaults_to_50_and_is_capped_at_500(world: World, name: str) -> None:
    # Given more than 500 rows
    if name == "delegation-list":
        Delegation.objects.bulk_create(
            Delegation(code=f"X{i:04d}", name_en=f"Extra {i}", kind=Delegation.Kind.OBSERVER_ORGANIZATION)
            for i in range(510)
        )
        url, total = "/api/delegations/", Delegation.objects.count()
    else:
        Event.objects.bulk_create(
            Event(verb="test.filler", meeting=world.meeting, object_type="meeting", object_id=str(i))
            for i in range(510)
        )
        url, total = "/api/events/", Event.objects.filter(meeting=world.meeting).count()
    client = world.client("mex")
    # When a client asks for 1000 per page, for no page size, or for a nonsense one
    big, default, nonsense = client.get(url, {"page_size": 1000}), client.get(url), client.get(url, {"page_size": "x"})
    # Then it gets at most 500, else 50, and the count is the whole
    assert (big.json()["count"], len(big.json()["results"])) == (total, 500)
    assert "page=2" in big.json()["next"]
    assert (default.json()["count"], len(default.json()["results"])) == (total, 50)
    assert len(nonsense.json()["results"]) == 50


# --- Filters ----------------------------------------------------------------------------
@pytest.fixture
def two_meetings(world: World) -> dict[str, Any]:
    """In the world: MEX on OP1, CAN on OP2, MEX on OP3 (withdrawn). In a second
    meeting: a MEX proposal on that declaration's OP1."""
    other = build_world(title="Second meeting")
    w = world
    ids = w.paragraph_ids()
    out: dict[str, Any] = {"world": w, "other": other, "ids": ids}
    for key, role, index in [("mex_op1", "mex", 3), ("can_op2", "can", 4), ("mex_op3", "mex", 5)]:
        out[key] = services.proposal_submit(
            actor=w.users[role],
            declaration=w.declaration,
            revision_id=w.revision.pk,
            paragraph_id=ids[index],
            kind="replace",
            text=f"{key} wording.",
        ).pk
    services.proposal_withdraw(actor=w.users["mex"], proposal=Proposal.objects.get(pk=out["mex_op3"]))
    out["other_mex"] = services.proposal_submit(
        actor=other.users["mex"],
        declaration=other.declaration,
        revision_id=other.revision.pk,
        paragraph_id=other.paragraph_ids()[3],
        kind="delete",
    ).pk
    return out


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"delegation": "MEX"}, ["mex_op1", "mex_op3", "other_mex"]),
        ({"delegation": "CAN"}, ["can_op2"]),
        ({"delegation": "NIC"}, []),
        ({"status": "withdrawn"}, ["mex_op3"]),
        ({"status": "submitted"}, ["mex_op1", "can_op2", "other_mex"]),
        ({"paragraph": "<op1>"}, ["mex_op1"]),
        ({"declaration": "<world>"}, ["mex_op1", "can_op2", "mex_op3"]),
        ({"declaration": "<other>"}, ["other_mex"]),
        ({"declaration": "<world>", "delegation": "MEX", "status": "submitted"}, ["mex_op1"]),
        ({"kind": "delete"}, ["other_mex"]),
    ],
    ids=[
        "mex",
        "can",
        "nic-none",
        "withdrawn",
        "submitted",
        "paragraph",
        "declaration",
        "other-declaration",
        "combined",
        "kind",
    ],
)
def test_proposal_filters(two_meetings: dict[str, Any], query: dict[str, str], expected: list[str]) -> None:
    # Given proposals by several delegations, in two declarations
    t = two_meetings
    values = {"<op1>": t["ids"][3], "<world>": t["world"].declaration.pk, "<other>": t["other"].declaration.pk}
    query = {k: values.get(v, v) for k, v in query.items()}
    # When a delegate filters the list
    response = t["world"].client("can").get("/api/proposals/", query)
    # Then exactly the matching proposals come back, in id order
    assert ids_of(response) == sorted(t[key] for key in expected)
    assert response.json()["count"] == len(expected)


def test_an_unknown_status_filter_is_a_400_naming_the_field(two_meetings: dict[str, Any]) -> None:
    response = two_meetings["world"].client("mex").get("/api/proposals/", {"status": "pending"})
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "invalid" and list(body["fields"]) == ["status"]


def test_event_filters(two_meetings: dict[str, Any]) -> None:
    # Given the record of two declarations
    t = two_meetings
    w, other = t["world"], t["other"]
    client = w.client("mex")

    def get(**query: Any) -> Any:
        response = client.get("/api/events/", {**query, "page_size": 500})
        assert response.status_code == 200
        return response.json()["results"]

    # When filtered by declaration: only that declaration's events, from its creation on
    by_declaration = get(declaration=other.declaration.pk)
    assert [e["verb"] for e in by_declaration] == ["declaration.created", "revision.issued", "proposal.submitted"]
    assert {e["declaration"] for e in by_declaration} == {other.declaration.pk}
    # by paragraph: the submission and the withdrawal on OP3
    by_paragraph = get(paragraph=t["ids"][5])
    assert [(e["verb"], e["proposal"]) for e in by_paragraph] == [
        ("proposal.submitted", t["mex_op3"]),
        ("proposal.withdrawn", t["mex_op3"]),
    ]
    # by delegation code
    by_can = get(delegation="CAN")
    assert [(e["verb"], e["delegation"], e["proposal"]) for e in by_can] == [
        ("proposal.submitted", "CAN", t["can_op2"])
    ]
    # by verb prefix
    assert [e["verb"] for e in get(verb="proposal.w")] == ["proposal.withdrawn"]
    revisions = get(verb="revision")
    assert [e["declaration"] for e in revisions] == [w.declaration.pk, other.declaration.pk]
    assert {e["verb"] for e in get(verb="proposal")} == {"proposal.submitted", "proposal.withdrawn"}
    assert len(get(verb="proposal")) == 5
    # and combined
    assert len(get(declaration=w.declaration.pk, delegation="MEX")) == 3


def test_declaration_filters(world: World) -> None:
    # Given a second meeting whose declaration has been adopted
    other = build_world(title="Second meeting")
    Declaration.objects.filter(pk=other.declaration.pk).update(status=Declaration.Status.ADOPTED)
    client = world.client("mex")
    # When filtered by meeting or by status, the matching declarations come back
    assert ids_of(client.get("/api/declarations/", {"meeting": world.meeting.pk})) == [world.declaration.pk]
    assert ids_of(client.get("/api/declarations/", {"meeting": other.meeting.pk})) == [other.declaration.pk]
    assert ids_of(client.get("/api/declarations/", {"status": "adopted"})) == [other.declaration.pk]
    assert ids_of(client.get("/api/declarations/", {"status": "drafting"})) == [world.declaration.pk]
    assert ids_of(client.get("/api/declarations/", {"status": "drafting", "meeting": str(other.meeting.pk)})) == []


def test_revision_filter_by_declaration(world: World) -> None:
    other = build_world(title="Second meeting")
    response = world.client("mex").get("/api/revisions/", {"declaration": other.declaration.pk})
    assert ids_of(response) == [other.revision.pk]


# --- The text ---------------------------------------------------------------------------
def test_the_current_text_has_sections_and_paragraphs_in_order_with_stable_ids(world: World) -> None:
    # Given the zero draft
    # When a delegate reads the current text twice
    first = world.client("mex").get(f"/api/declarations/{world.declaration.pk}/text/")
    second = world.client("can").get(f"/api/declarations/{world.declaration.pk}/text/")
    # Then sections come in order, each with its paragraphs in order and labelled
    assert first.status_code == 200
    body = first.json()
    assert (body["id"], body["label"], body["number"], body["is_current"]) == (world.revision.pk, "Zero draft", 0, True)
    assert body["issued_by"] == world.users["ts"].username
    assert [(s["position"], s["kind"], s["heading"]) for s in body["sections"]] == [
        (0, "title", ""),
        (1, "preamble", ""),
        (2, "operative", "DECISIONS"),
    ]
    assert [[p["label"] for p in s["paragraphs"]] for s in body["sections"]] == [
        ["Title"],
        ["PP1", "PP2"],
        ["OP1", "OP2", "OP3"],
    ]
    assert [p for _, p in labels_and_ids(body)] == world.paragraph_ids()
    op3 = body["sections"][2]["paragraphs"][2]
    assert op3 == {
        "paragraph": world.paragraph_ids()[-1],
        "label": "OP3",
        "kind": "operative",
        "level": 0,
        "text": "Promote safe, orderly and regular migration, item 3.",
        "emphasis": [],
        "table": None,
        "state": "open",
        "ad_ref": None,
        "brackets": [],
        "translation": {**op3["translation"], "language": "en", "status": "current"},
        "proposal_summary": {"count": 0, "by_status": {}, "delegations": []},
    }
    assert op3["translation"]["text"]  # the test world's zero draft carries both versions (issue 15)
    # and the ids are the same on every read
    assert labels_and_ids(second.json()) == labels_and_ids(body)


def test_the_text_shows_proposals_under_their_paragraph_with_support_and_objections(world: World) -> None:
    # Given MEX's proposal on OP3, supported by the PPT and objected to by Canada
    proposal = submitted(world, "mex", -1, "Promote regular pathways.")
    assert world.client("ppt").post(f"/api/proposals/{proposal['id']}/support/").status_code == 200
    assert (
        world.client("can").post(f"/api/proposals/{proposal['id']}/object/", {"reason": "Too narrow."}).status_code
        == 200
    )
    # When the text is read with its proposals inline (by default a text carries a summary per
    # paragraph instead, and the proposals come from /revisions/{id}/proposals/: tests/test_lean_reads.py)
    body = world.client("arg").get(f"/api/declarations/{world.declaration.pk}/text/?proposals=inline").json()
    # Then the proposal sits under OP3 only, attributed
    paragraphs = [p for s in body["sections"] for p in s["paragraphs"]]
    assert [p["label"] for p in paragraphs if p["proposals"]] == ["OP3"]
    assert paragraphs[-1]["proposals"] == [
        {
            "id": proposal["id"],
            "kind": "replace",
            "delegation": "MEX",
            "status": "submitted",
            "text": "Promote regular pathways.",
            "language": "es",
            "version": 3,
            "support": ["SLV"],
            "objections": [{"delegation": "CAN", "reason": "Too narrow."}],
            "earlier_wording": [],
            "refit": None,
            "agreed_language": None,  # not built from the library
        }
    ]


def test_a_declaration_without_a_zero_draft_has_no_text_404(world: World) -> None:
    created = world.client("ts").post(
        "/api/declarations/", {"meeting": world.meeting.pk, "title": "Empty"}, format="json"
    )
    assert created.status_code == 201 and created.json()["current_revision"] is None
    response = world.client("mex").get(f"/api/declarations/{created.json()['id']}/text/")
    assert response.status_code == 404
    assert response.json() == {
        "error": "not_found",
        "detail": "This declaration has no text yet: the Secretariat has not issued a zero draft.",
        "fields": {},
    }


def test_rev1_keeps_paragraph_identity_and_renumbers_labels(world: World) -> None:
    # Given the zero draft: Title, PP1, PP2, OP1, OP2, OP3
    title, pp1, pp2, op1, op2, op3 = world.paragraph_ids()
    # When the TS issues Rev.1 rewording OP1 and inserting a paragraph after it
    rev1 = issue_rev1(world)
    # Then Rev.1 is current, with the carried ids kept and the labels renumbered
    assert (rev1["label"], rev1["number"], rev1["note"], rev1["is_current"]) == (
        "Rev.1",
        1,
        "Reflects the first reading.",
        True,
    )
    inserted = rev1["sections"][2]["paragraphs"][1]["paragraph"]
    assert inserted not in world.paragraph_ids()
    assert labels_and_ids(rev1) == [
        ("Title", title),
        ("PP1", pp1),
        ("PP2", pp2),
        ("OP1", op1),
        ("OP2", inserted),
        ("OP3", op2),
        ("OP4", op3),
    ]
    assert rev1["sections"][2]["paragraphs"][0]["text"] == "Promote safe, orderly, regular and humane migration."
    # and the current text is Rev.1
    text = world.client("mex").get(f"/api/declarations/{world.declaration.pk}/text/").json()
    assert text == rev1
    declaration = world.client("mex").get(f"/api/declarations/{world.declaration.pk}/").json()
    assert declaration["current_revision"] == {"id": rev1["id"], "label": "Rev.1", "number": 1}
    # and the zero draft is unchanged, no longer current
    zero = world.client("mex").get(f"/api/revisions/{world.revision.pk}/").json()
    assert zero["is_current"] is False
    assert labels_and_ids(zero)[3:] == [("OP1", op1), ("OP2", op2), ("OP3", op3)]
    assert zero["sections"][2]["paragraphs"][0]["text"] == "Promote safe, orderly and regular migration, item 1."
    # and the paragraph's history shows both wordings under one identity
    history = world.client("mex").get(f"/api/paragraphs/{op2}/").json()
    assert (history["id"], history["declaration"], history["introduced_in"]) == (
        op2,
        world.declaration.pk,
        world.revision.pk,
    )
    assert [(v["revision_label"], v["label"]) for v in history["versions"]] == [("Zero draft", "OP2"), ("Rev.1", "OP3")]
    new = world.client("mex").get(f"/api/paragraphs/{inserted}/").json()
    assert new["introduced_in"] == rev1["id"]
    assert [(v["revision_label"], v["label"], v["text"]) for v in new["versions"]] == [
        ("Rev.1", "OP2", "Protect the rights of migrant children."),
    ]
    # and the revision list has both, in order
    revisions = world.client("mex").get(f"/api/declarations/{world.declaration.pk}/revisions/").json()["results"]
    assert [(r["label"], r["number"], r["issued_by"]) for r in revisions] == [
        ("Zero draft", 0, world.users["ts"].username),
        ("Rev.1", 1, world.users["ts"].username),
    ]


def test_a_revision_cannot_carry_another_declarations_paragraph(world: World) -> None:
    other = build_world(title="Second meeting")
    sections = rev1_sections(world)
    sections[2]["paragraphs"][1]["paragraph"] = other.paragraph_ids()[-1]
    response = world.client("ts").post(
        f"/api/declarations/{world.declaration.pk}/revisions/", {"sections": sections}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid"
    assert world.declaration.revisions.count() == 1


# --- ETags ------------------------------------------------------------------------------
@pytest.mark.parametrize("which", ["revision-detail", "declaration-text"])
def test_text_etag_gives_304_until_a_write_changes_it(world: World, which: str) -> None:
    url = (
        f"/api/revisions/{world.revision.pk}/"
        if which == "revision-detail"
        else f"/api/declarations/{world.declaration.pk}/text/"
    )
    client = world.client("can")
    # Given a client that read the text and kept its ETag
    first = client.get(url)
    etag = first["ETag"]
    assert first.status_code == 200 and etag.startswith('"') and etag.endswith('"')
    # When it asks again with If-None-Match
    cached = client.get(url, HTTP_IF_NONE_MATCH=etag)
    # Then the answer is 304, empty, with the same ETag
    assert cached.status_code == 304 and cached.content == b""
    assert cached["ETag"] == etag
    # When Mexico makes a proposal
    submitted(world, "mex")
    # Then the old ETag no longer matches: 200 with the proposal in and a new ETag
    fresh = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert fresh.status_code == 200 and fresh["ETag"] != etag
    assert fresh.json()["sections"][2]["paragraphs"][-1]["proposal_summary"]["delegations"] == ["MEX"]
    assert client.get(url, HTTP_IF_NONE_MATCH=fresh["ETag"]).status_code == 304


def test_a_refused_write_does_not_change_the_text_etag(world: World) -> None:
    url = f"/api/declarations/{world.declaration.pk}/text/"
    etag = world.client("can").get(url)["ETag"]
    assert propose(world, "arg").status_code == 403
    assert world.client("can").get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_a_position_also_changes_the_text_etag(world: World) -> None:
    proposal = submitted(world, "mex")
    url = f"/api/declarations/{world.declaration.pk}/text/"
    etag = world.client("can").get(url)["ETag"]
    assert world.client("can").post(f"/api/proposals/{proposal['id']}/support/").status_code == 200
    assert world.client("can").get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200


@pytest.mark.parametrize("form", ["weak", "list"])
def test_if_none_match_uses_weak_comparison_over_a_list(world: World, form: str) -> None:
    url = f"/api/revisions/{world.revision.pk}/"
    etag = world.client("can").get(url)["ETag"]
    header = f"W/{etag}" if form == "weak" else f'"stale", {etag}'
    assert world.client("can").get(url, HTTP_IF_NONE_MATCH=header).status_code == 304


# --- Proposals: versions and decisions -------------------------------------------------
def test_a_proposal_etag_is_its_version(world: World) -> None:
    # Given a new proposal
    created = propose(world, "mex")
    assert created.status_code == 201
    assert created["ETag"] == '"1"' and created.json()["version"] == 1
    pid = created.json()["id"]
    # When Canada supports it
    supported = world.client("can").post(f"/api/proposals/{pid}/support/")
    # Then the version and the ETag move together
    assert supported.json()["version"] == 2 and supported["ETag"] == '"2"'
    read = world.client("ppt").get(f"/api/proposals/{pid}/")
    assert read.status_code == 200 and read["ETag"] == '"2"' and read.json()["version"] == 2


@pytest.mark.parametrize(
    ("decision", "how"),
    [("accept", "body"), ("accept", "if-match"), ("reject", "body"), ("reject", "if-match"), ("accept", "weak")],
)
def test_the_ppt_decides_with_the_current_version(world: World, decision: str, how: str) -> None:
    # Given MEX's proposal, read by the chair
    pid = submitted(world, "mex")["id"]
    chair = world.client("ppt")
    etag = chair.get(f"/api/proposals/{pid}/")["ETag"]
    # When the chair decides naming that version
    url = f"/api/proposals/{pid}/{decision}/"
    if how == "body":
        response = chair.post(url, {"version": 1, "note": "As discussed."}, format="json")
    else:
        header = etag if how == "if-match" else f"W/{etag}"
        response = chair.post(url, {"note": "As discussed."}, format="json", HTTP_IF_MATCH=header)
    # Then the decision is taken and recorded
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == {"accept": "accepted", "reject": "rejected"}[decision]
    assert (body["version"], body["decided_by"], body["decision_note"]) == (
        2,
        world.users["ppt"].username,
        "As discussed.",
    )
    assert body["decided_at"] is not None
    assert response["ETag"] == '"2"'


@pytest.mark.parametrize("how", ["body", "if-match"])
def test_a_decision_on_a_stale_version_is_409_with_the_current_version(world: World, how: str) -> None:
    # Given the chair read MEX's proposal at version 1, and then Canada objected
    pid = submitted(world, "mex")["id"]
    chair = world.client("ppt")
    etag = chair.get(f"/api/proposals/{pid}/")["ETag"]
    assert world.client("can").post(f"/api/proposals/{pid}/object/", {"reason": "No."}).status_code == 200
    # When the chair accepts what it saw
    url = f"/api/proposals/{pid}/accept/"
    response = (
        chair.post(url, {"version": 1}, format="json")
        if how == "body"
        else chair.post(url, {}, format="json", HTTP_IF_MATCH=etag)
    )
    # Then it is refused with the version to reload, and the proposal is still pending
    assert response.status_code == 409
    body = response.json()
    assert body["error"] == "conflict" and body["current_version"] == 2
    assert "your version 1, now 2" in body["detail"]
    assert Proposal.objects.get(pk=pid).status == "submitted"


def test_a_decision_without_a_version_is_400(world: World) -> None:
    pid = submitted(world, "mex")["id"]
    events = Event.objects.count()
    response = world.client("ppt").post(f"/api/proposals/{pid}/accept/", {"note": "ok"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "invalid"
    assert body["fields"] == {"version": ["Required (or send If-Match with the proposal's ETag)."]}
    assert Proposal.objects.get(pk=pid).status == "submitted" and Event.objects.count() == events


def test_a_decision_with_a_non_numeric_version_is_400(world: World) -> None:
    pid = submitted(world, "mex")["id"]
    response = world.client("ppt").post(f"/api/proposals/{pid}/accept/", {"version": "latest"}, format="json")
    assert response.status_code == 400 and list(response.json()["fields"]) == ["version"]


# --- Positions ----------------------------------------------------------------------------
def test_support_then_object_keeps_one_position_per_delegation(world: World) -> None:
    # Given MEX's proposal
    pid = submitted(world, "mex")["id"]
    can = world.client("can")
    # When Canada supports it
    supported = can.post(f"/api/proposals/{pid}/support/")
    # Then Canada is listed as supporting
    assert supported.status_code == 200
    assert [(p["delegation"], p["stance"], p["reason"]) for p in supported.json()["positions"]] == [
        ("CAN", "support", "")
    ]
    # When Canada changes its mind and objects
    objected = can.post(f"/api/proposals/{pid}/object/", {"reason": "Too broad."}, format="json")
    # Then its support became an objection: still one position
    assert objected.status_code == 200
    assert [(p["delegation"], p["stance"], p["reason"]) for p in objected.json()["positions"]] == [
        ("CAN", "object", "Too broad.")
    ]
    assert Position.objects.filter(proposal_id=pid).count() == 1
    assert objected.json()["version"] == 3
    # When a second Canadian delegate supports it again
    colleague = build_colleague(world, "can")
    again = colleague.post(f"/api/proposals/{pid}/support/")
    assert [(p["delegation"], p["stance"]) for p in again.json()["positions"]] == [("CAN", "support")]
    assert Position.objects.filter(proposal_id=pid).count() == 1


def build_colleague(world: World, role: str) -> APIClient:
    """A second user of the same delegation."""
    user = get_user_model().objects.create_user(username=f"{role}-colleague", password="pw")
    Delegate.objects.create(user=user, delegation=world.users[role].delegate.delegation)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {ApiToken.objects.create(user=user).key}")
    return client


def test_delete_position_withdraws_it(world: World) -> None:
    # Given Canada objects to MEX's proposal and the PPT supports it
    pid = submitted(world, "mex")["id"]
    assert world.client("can").post(f"/api/proposals/{pid}/object/", {"reason": "No."}).status_code == 200
    assert world.client("ppt").post(f"/api/proposals/{pid}/support/").status_code == 200
    # When Canada withdraws its position
    response = world.client("can").delete(f"/api/proposals/{pid}/position/")
    # Then only the PPT's support remains, and the version moved
    assert response.status_code == 200
    assert [(p["delegation"], p["stance"]) for p in response.json()["positions"]] == [("SLV", "support")]
    assert response.json()["version"] == 4
    # and withdrawing again is a conflict: there is nothing to withdraw
    again = world.client("can").delete(f"/api/proposals/{pid}/position/")
    assert again.status_code == 409
    assert again.json() == {
        "error": "conflict",
        "detail": "Your delegation has no position on this proposal.",
        "fields": {},
    }


@pytest.mark.parametrize("reason", [None, "", "   \n "], ids=["missing", "empty", "blank"])
def test_an_objection_needs_a_reason(world: World, reason: str | None) -> None:
    # Given MEX's proposal
    pid = submitted(world, "mex")["id"]
    events = Event.objects.count()
    # When Canada objects without a reason
    body = {} if reason is None else {"reason": reason}
    response = world.client("can").post(f"/api/proposals/{pid}/object/", body, format="json")
    # Then it is a 400 on the reason field and nothing is recorded
    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid",
        "detail": "An objection needs a reason.",
        "fields": {"reason": ["Say why you object."]},
    }
    assert not Position.objects.exists() and Event.objects.count() == events


# --- Withdrawal and decisions on closed proposals ----------------------------------------
def test_the_owner_withdraws_its_proposal(world: World) -> None:
    # Given MEX's proposal
    pid = submitted(world, "mex")["id"]
    # When a MEX delegate withdraws it
    response = world.client("mex").post(f"/api/proposals/{pid}/withdraw/")
    # Then it is withdrawn, with a new version
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["version"]) == ("withdrawn", 2)
    assert response["ETag"] == '"2"'
    # and withdrawing it again is a conflict
    again = world.client("mex").post(f"/api/proposals/{pid}/withdraw/")
    assert again.status_code == 409
    assert again.json() == {
        "error": "conflict",
        "detail": f"Proposal {pid} is withdrawn; it can no longer change.",
        "fields": {},
    }


@pytest.mark.parametrize(
    ("role", "action", "body"),
    [
        ("ppt", "accept", {"version": 2}),
        ("ppt", "reject", {"version": 2}),
        ("can", "support", {}),
        ("can", "object", {"reason": "No."}),
    ],
)
def test_nothing_moves_on_a_withdrawn_proposal(world: World, role: str, action: str, body: dict[str, Any]) -> None:
    # Given a withdrawn proposal (now at version 2)
    pid = submitted(world, "mex")["id"]
    assert world.client("mex").post(f"/api/proposals/{pid}/withdraw/").status_code == 200
    events = Event.objects.count()
    # When the chair decides on it, or a delegation takes a position
    response = world.client(role).post(f"/api/proposals/{pid}/{action}/", body, format="json")
    # Then it is a conflict and nothing changes
    assert response.status_code == 409
    assert response.json() == {
        "error": "conflict",
        "detail": f"Proposal {pid} is withdrawn; it can no longer change.",
        "fields": {},
    }
    assert Proposal.objects.get(pk=pid).status == "withdrawn" and Event.objects.count() == events


def test_an_accepted_proposal_cannot_be_withdrawn(world: World) -> None:
    pid = submitted(world, "mex")["id"]
    assert world.client("ppt").post(f"/api/proposals/{pid}/accept/", {"version": 1}, format="json").status_code == 200
    response = world.client("mex").post(f"/api/proposals/{pid}/withdraw/")
    assert response.status_code == 409 and response.json()["error"] == "conflict"


def test_proposing_against_an_old_revision_is_409_naming_the_current_one(world: World) -> None:
    # Given Rev.1 has been issued
    rev1 = issue_rev1(world)
    proposals = Proposal.objects.count()
    # When Mexico proposes against the zero draft it still has open
    response = propose(world, "mex", 3, revision=world.revision)
    # Then it is told to propose against Rev.1
    assert response.status_code == 409
    body = response.json()
    assert body["error"] == "conflict" and body["current_revision"] == rev1["id"]
    assert "Zero draft" in body["detail"] and "propose against Rev.1" in body["detail"]
    assert Proposal.objects.count() == proposals
    # and proposing against Rev.1 works, on the same paragraph identity
    ok = propose(world, "mex", 3)
    assert ok.status_code == 201
    assert (ok.json()["revision_label"], ok.json()["paragraph"]) == ("Rev.1", world.paragraph_ids()[3])


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"paragraph": MISSING}, "paragraph"),
        ({"revision": MISSING}, "revision"),
        ({"kind": "merge"}, "kind"),
        ({"text": "   "}, "text"),
    ],
    ids=["unknown-paragraph", "unknown-revision", "unknown-kind", "blank-text"],
)
def test_a_malformed_proposal_is_400_naming_the_field(world: World, change: dict[str, Any], field: str) -> None:
    body = {
        "declaration": world.declaration.pk,
        "revision": world.revision.pk,
        "paragraph": world.paragraph_ids()[-1],
        "kind": "replace",
        "text": "New words.",
        **change,
    }
    response = world.client("mex").post("/api/proposals/", body, format="json")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid" and field in response.json()["fields"]
    assert not Proposal.objects.exists()


def test_a_replacement_identical_to_the_text_is_400(world: World) -> None:
    response = propose(world, "mex", -1, "Promote safe, orderly and regular migration, item 3.")
    assert response.status_code == 400
    assert response.json()["fields"] == {"text": ["No change."]}


# --- Paragraph states and adoption ---------------------------------------------------------
def agree_everything_over_http(world: World) -> Any:
    """The PPT agrees every paragraph, then issues the working text as Rev.1."""
    chair = world.client("ppt")
    for pid in world.paragraph_ids():
        response = chair.post(f"/api/paragraphs/{pid}/transition/", {"action": "agree"}, format="json")
        assert response.status_code == 200 and response.json()["state"] == "agreed", response.json()
    rev1 = chair.post(f"/api/declarations/{world.declaration.pk}/revisions/next/", {}, format="json")
    assert rev1.status_code == 201, rev1.json()
    return rev1.json()


def test_a_paragraph_cannot_be_agreed_while_a_member_objects(world: World) -> None:
    # Given Canada objects to OP3
    op3 = world.paragraph_ids()[-1]
    url = f"/api/paragraphs/{op3}/"
    assert world.client("can").post(url + "object/", {"reason": "Too vague."}, format="json").status_code == 201
    # When the chair declares it agreed
    refused = world.client("ppt").post(url + "transition/", {"action": "agree"}, format="json")
    # Then there is no consensus, and Canada is named
    assert refused.status_code == 409
    assert refused.json()["objecting"] == ["CAN"] and "CAN" in refused.json()["detail"]
    assert Paragraph.objects.get(pk=op3).state == "open"
    # When Canada withdraws its objection, the chair can agree it
    assert world.client("can").delete(url + "objection/").status_code == 204
    agreed = world.client("ppt").post(url + "transition/", {"action": "agree"}, format="json")
    assert agreed.status_code == 200 and agreed.json()["state"] == "agreed"
    # and it is closed to proposals until reopened
    closed = propose(world, "mex", -1)
    assert closed.status_code == 409 and closed.json()["paragraph_state"] == "agreed"


def test_no_adoption_yet_is_a_404(world: World) -> None:
    response = world.client("mex").get(f"/api/declarations/{world.declaration.pk}/adoption/")
    assert response.status_code == 404
    assert response.json()["detail"] == "This declaration has never been put to adoption."


def test_adoption_in_session_waits_for_consensus_then_freezes_the_text(world: World) -> None:
    # Given Rev.1 with every paragraph agreed
    rev1 = agree_everything_over_http(world)
    d = world.declaration.pk
    chair, mex = world.client("ppt"), world.client("mex")
    # When the chair puts it to adoption in session
    started = chair.post(
        f"/api/declarations/{d}/adoption/", {"revision": rev1["id"], "method": "in_session"}, format="json"
    )
    assert started.status_code == 201
    assert (started.json()["status"], started.json()["revision"]) == ("pending", {"id": rev1["id"], "label": "Rev.1"})
    assert world.client("can").get(f"/api/declarations/{d}/").json()["status"] == "in_adoption"
    # and Mexico objects, the gavel does not fall
    assert (
        mex.post(
            f"/api/declarations/{d}/adoption/object/", {"reason": "Capital must confirm."}, format="json"
        ).status_code
        == 200
    )
    blocked = chair.post(f"/api/declarations/{d}/adoption/adopt/")
    assert blocked.status_code == 409 and blocked.json()["objecting"] == ["MEX"]
    # When Mexico withdraws its objection and puts an explanation of position on record
    assert mex.delete(f"/api/declarations/{d}/adoption/objection/").status_code == 200
    statement = mex.post(
        f"/api/declarations/{d}/statements/", {"kind": "explanation", "text": "Mexico joins consensus."}, format="json"
    )
    assert statement.status_code == 201
    adopted = chair.post(f"/api/declarations/{d}/adoption/adopt/")
    # Then the text is adopted, with the record of who was there, and frozen
    assert adopted.status_code == 200
    body = adopted.json()
    assert (body["status"], body["ppt"], body["present"]) == ("adopted", "SLV", ["CAN", "MEX", "SLV"])
    assert [(st["delegation"], st["kind"]) for st in body["statements"]] == [("MEX", "explanation")]
    assert world.client("can").get(f"/api/declarations/{d}/").json()["status"] == "adopted"
    frozen = propose(world, "can", 3)
    assert frozen.status_code == 409 and "adopted" in frozen.json()["detail"]


def test_an_absent_member_may_break_silence(world: World) -> None:
    # Given Rev.1 circulated under silence procedure
    rev1 = agree_everything_over_http(world)
    d = world.declaration.pk
    launched = world.client("ppt").post(
        f"/api/declarations/{d}/adoption/", {"revision": rev1["id"], "method": "silence"}, format="json"
    )
    assert launched.status_code == 201 and launched.json()["seconds_left"] > 71 * 3600
    # (negotiation is closed meanwhile)
    assert propose(world, "mex", 3).status_code == 409
    # When Nicaragua, not in the room, breaks silence from its capital
    broken = world.client("nic").post(
        f"/api/declarations/{d}/adoption/break-silence/", {"reason": "We object."}, format="json"
    )
    # Then silence is broken and the text is back in negotiation
    assert broken.status_code == 200
    assert (broken.json()["status"], broken.json()["objections"][0]["delegation"]) == ("broken", "NIC")
    assert world.client("mex").get(f"/api/declarations/{d}/").json()["status"] == "drafting"


@pytest.mark.parametrize("method", ["in_session", "silence"])
def test_a_second_adoption_while_one_is_pending_is_409(world: World, method: str) -> None:
    rev1 = agree_everything_over_http(world)
    url = f"/api/declarations/{world.declaration.pk}/adoption/"
    chair = world.client("ppt")
    assert chair.post(url, {"revision": rev1["id"], "method": "in_session"}, format="json").status_code == 201
    again = chair.post(url, {"revision": rev1["id"], "method": method}, format="json")
    assert again.status_code == 409 and again.json()["error"] == "conflict"


@pytest.mark.parametrize("write", ["propose", "reopen", "next-revision"])
def test_negotiation_is_closed_while_the_text_is_before_the_room(world: World, write: str) -> None:
    # Given Rev.1 put to adoption in session
    rev1 = agree_everything_over_http(world)
    d = world.declaration.pk
    started = world.client("ppt").post(
        f"/api/declarations/{d}/adoption/", {"revision": rev1["id"], "method": "in_session"}, format="json"
    )
    assert started.status_code == 201
    events = Event.objects.count()
    # When someone changes the text under it
    op3 = world.paragraph_ids()[-1]
    if write == "propose":
        response = propose(world, "mex", -1)
    elif write == "reopen":
        response = world.client("ppt").post(f"/api/paragraphs/{op3}/transition/", {"action": "reopen"}, format="json")
    else:
        response = world.client("ts").post(f"/api/declarations/{d}/revisions/next/", {}, format="json")
    # Then it is refused until the PPT withdraws the text from adoption
    assert response.status_code == 409, response.json()
    assert Event.objects.count() == events


# --- Unknown ids ----------------------------------------------------------------------------
NOT_FOUND = [
    # (URL name, method, URL, body)
    ("delegation-detail", "GET", f"/api/delegations/{MISSING}/", None),
    ("meeting-detail", "GET", f"/api/meetings/{MISSING}/", None),
    ("meeting-setup", "POST", f"/api/meetings/{MISSING}/setup/", {"silence_hours": 48}),
    ("meeting-translators", "POST", f"/api/meetings/{MISSING}/translators/", {"username": "x.y"}),
    ("declaration-translations", "GET", f"/api/declarations/{MISSING}/translations/", None),
    ("paragraph-translation", "POST", f"/api/paragraphs/{MISSING}/translation/", {"text_version": 1, "text": "x"}),
    ("declaration-detail", "GET", f"/api/declarations/{MISSING}/", None),
    ("declaration-revisions", "GET", f"/api/declarations/{MISSING}/revisions/", None),
    ("declaration-revisions", "POST", f"/api/declarations/{MISSING}/revisions/", {"sections": zero_draft(1, 1)}),
    ("declaration-text", "GET", f"/api/declarations/{MISSING}/text/", None),
    ("revision-detail", "GET", f"/api/revisions/{MISSING}/", None),
    ("paragraph-detail", "GET", f"/api/paragraphs/{MISSING}/", None),
    ("proposal-detail", "GET", f"/api/proposals/{MISSING}/", None),
    ("proposal-withdraw", "POST", f"/api/proposals/{MISSING}/withdraw/", None),
    ("proposal-support", "POST", f"/api/proposals/{MISSING}/support/", {}),
    ("proposal-object", "POST", f"/api/proposals/{MISSING}/object/", {"reason": "No."}),
    ("proposal-position", "DELETE", f"/api/proposals/{MISSING}/position/", None),
    ("proposal-accept", "POST", f"/api/proposals/{MISSING}/accept/", {"version": 1}),
    ("proposal-reject", "POST", f"/api/proposals/{MISSING}/reject/", {"version": 1}),
    ("declaration-working-text", "GET", f"/api/declarations/{MISSING}/working-text/", None),
    ("declaration-next-revision", "POST", f"/api/declarations/{MISSING}/revisions/next/", {}),
    ("declaration-adoption", "GET", f"/api/declarations/{MISSING}/adoption/", None),
    ("declaration-adoption", "POST", f"/api/declarations/{MISSING}/adoption/", {"revision": 1, "method": "in_session"}),
    ("adoption-object", "POST", f"/api/declarations/{MISSING}/adoption/object/", {"reason": "No."}),
    ("adoption-objection", "DELETE", f"/api/declarations/{MISSING}/adoption/objection/", None),
    ("adoption-adopt", "POST", f"/api/declarations/{MISSING}/adoption/adopt/", None),
    ("adoption-withdraw", "POST", f"/api/declarations/{MISSING}/adoption/withdraw/", None),
    ("silence-break", "POST", f"/api/declarations/{MISSING}/adoption/break-silence/", {"reason": "No."}),
    ("declaration-statements", "GET", f"/api/declarations/{MISSING}/statements/", None),
    (
        "declaration-statements",
        "POST",
        f"/api/declarations/{MISSING}/statements/",
        {"kind": "explanation", "text": "T"},
    ),
    ("declaration-record", "GET", f"/api/declarations/{MISSING}/record/", None),
    ("paragraph-transition", "POST", f"/api/paragraphs/{MISSING}/transition/", {"action": "open"}),
    ("paragraph-object", "POST", f"/api/paragraphs/{MISSING}/object/", {"reason": "No."}),
    ("paragraph-objection", "DELETE", f"/api/paragraphs/{MISSING}/objection/", None),
    ("declaration-diff", "GET", f"/api/declarations/{MISSING}/diff/", None),
    ("proposal-diff", "GET", f"/api/proposals/{MISSING}/diff/", None),
    ("revision-proposals", "GET", f"/api/revisions/{MISSING}/proposals/", None),
    # ids in a body
    ("declaration-list", "POST", "/api/declarations/", {"meeting": MISSING, "title": "T"}),
    (
        "proposal-list",
        "POST",
        "/api/proposals/",
        {"declaration": MISSING, "revision": 1, "paragraph": 1, "kind": "replace", "text": "T"},
    ),
    ("export-detail", "GET", f"/api/exports/{MISSING}/", None),
    ("export-file", "GET", f"/api/exports/{MISSING}/file/", None),
    ("export-list", "POST", "/api/exports/", {"declaration": MISSING, "kind": "clean"}),
    ("import-detail", "GET", f"/api/imports/{MISSING}/", None),
    ("import-confirm", "POST", f"/api/imports/{MISSING}/confirm/", {}),
    (
        "import-corrections",
        "POST",
        f"/api/imports/{MISSING}/corrections/",
        {"operations": [{"op": "merge", "paragraph": 0}]},
    ),
    ("import-list", "POST", "/api/imports/", {"meeting": MISSING, "text": "Declaration"}),
    ("library-statement", "GET", f"/api/library/{MISSING}/", None),
    ("library-statement", "PATCH", f"/api/library/{MISSING}/", {"category": "commitment"}),
    ("library-propose", "POST", f"/api/library/{MISSING}/propose/", {"declaration": 1, "revision": 1, "paragraph": 1}),
    ("token-detail", "DELETE", f"/api/auth/tokens/{MISSING}/", None),
    ("declaration-discussing", "POST", f"/api/declarations/{MISSING}/discussing/", {"paragraph": None}),
    ("agree-uncontested", "POST", f"/api/declarations/{MISSING}/agree-uncontested/", {}),
    ("meeting-accounts", "GET", f"/api/meetings/{MISSING}/accounts/", None),
    ("meeting-accounts", "POST", f"/api/meetings/{MISSING}/accounts/", {"delegation": "CAN", "username": "x.y"}),
    ("account-reset", "POST", f"/api/meetings/{MISSING}/accounts/1/reset/", None),
    ("account-deactivate", "POST", f"/api/meetings/{MISSING}/accounts/1/deactivate/", None),
]


@pytest.mark.parametrize(("name", "method", "url", "body"), NOT_FOUND, ids=[f"{n}:{m}" for n, m, _, _ in NOT_FOUND])
def test_unknown_ids_are_a_json_404(world: World, name: str, method: str, url: str, body: Any) -> None:
    role = (
        "ts"
        if name.startswith(("declaration", "import-list")) and method == "POST"
        else ("ppt" if name.endswith(("accept", "reject")) else "can")
    )
    client = world.client(role)
    call = getattr(client, method.lower())
    response = call(url, body, format="json") if body is not None else call(url)
    assert response.status_code == 404
    body = response.json()
    assert set(body) == {"error", "detail", "fields"} and body["error"] == "not_found" and body["fields"] == {}
    if name.startswith(("library", "token")):  # not a meeting's: the library's, the caller's own
        assert body["detail"] == "Not found." or str(MISSING) in body["detail"]
    else:  # not echoing the id: an id one may not read gets this very body (drafting/access.py)
        assert body["detail"] == "Not found." or body["detail"].startswith("There is no "), body["detail"]
        assert str(MISSING) not in body["detail"]


def test_the_404_table_covers_every_detail_url_and_method() -> None:
    detail = set()
    for p in api_urls.urlpatterns:
        if isinstance(p, URLPattern) and "<int:pk>" in str(p.pattern):
            view = p.callback.view_class  # type: ignore[attr-defined]
            detail |= {(p.name, m.upper()) for m in ("get", "post", "put", "patch", "delete") if hasattr(view, m)}
    assert detail <= {(n, m) for n, m, _, _ in NOT_FOUND}


# --- Schema and docs ------------------------------------------------------------------------
def test_the_schema_is_an_openapi_document_describing_every_endpoint(world: World) -> None:
    # When anyone fetches the schema as JSON
    response = APIClient().get("/api/schema/", {"format": "json"})
    # Then it is OpenAPI 3 with a path for every API route
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.") and schema["info"]["title"] == "Consenso API"
    for p in api_urls.urlpatterns:
        route = "/api/" + re.sub(r"<int:(\w+)>", r"{\1}", str(p.pattern).replace("<int:pk>", "{id}"))
        assert route in schema["paths"], route
    accept = schema["paths"]["/api/proposals/{id}/accept/"]["post"]
    assert "If-Match" in {param["name"] for param in accept["parameters"]}
    assert "tokenAuth" in schema["components"]["securitySchemes"]


def test_every_path_id_in_the_schema_is_an_integer(world: World) -> None:
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    bad = {
        (path, method): param["schema"]
        for path, item in schema["paths"].items()
        for method, op in item.items()
        for param in op.get("parameters", [])
        if param["in"] == "path" and param["schema"].get("type") != "integer"
    }
    assert bad == {}


def test_the_docs_are_a_swagger_page(world: World) -> None:
    response = APIClient().get("/api/docs/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert b"swagger" in response.content.lower() and b"/api/schema/" in response.content


def test_health(world: World) -> None:
    response = APIClient().get("/api/health/")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


# --- The event log --------------------------------------------------------------------------
def test_every_write_is_recorded_once_with_actor_delegation_and_before_after(world: World) -> None:
    ts, mex, can, ppt = (world.client(r) for r in ("ts", "mex", "can", "ppt"))
    user = {role: world.users[role].username for role in world.users}
    log: list[dict[str, Any]] = events_for(world)
    assert [e["verb"] for e in log] == ["declaration.created", "revision.issued"]

    def step(response: Any, status: int, consequences: tuple[str, ...] = ()) -> Any:
        """One write: its event last, after the events of what it changed besides (``consequences``)."""
        nonlocal log
        assert response.status_code == status, response.json()
        now = events_for(world)
        assert now[: len(log)] == log, "the record was rewritten"
        new = now[len(log) :]
        assert [e["verb"] for e in new[:-1]] == list(consequences), [e["verb"] for e in new]
        log = now
        event = now[-1]
        for e in new:
            assert e["meeting"] == world.meeting.pk and e["declaration"] == world.declaration.pk
            assert (e["actor"], e["delegation"]) == (event["actor"], event["delegation"])
        datetime.datetime.fromisoformat(event["created_at"])
        return event

    # Mexico proposes on OP3
    op3 = world.paragraph_ids()[-1]
    e = step(propose(world, "mex", -1, "Promote regular pathways."), 201)
    pid = e["proposal"]
    assert (e["verb"], e["actor"], e["delegation"], e["paragraph"], e["object_type"], e["object_id"]) == (
        "proposal.submitted",
        user["mex"],
        "MEX",
        op3,
        "proposal",
        str(pid),
    )
    assert e["before"] is None
    assert (
        e["after"].items()
        >= {"kind": "replace", "text": "Promote regular pathways.", "revision": world.revision.pk}.items()
    )
    # Canada supports, then objects, then withdraws its position
    e = step(can.post(f"/api/proposals/{pid}/support/"), 200)
    assert (e["verb"], e["actor"], e["delegation"], e["proposal"], e["paragraph"]) == (
        "proposal.supported",
        user["can"],
        "CAN",
        pid,
        op3,
    )
    assert (e["before"], e["after"]) == (None, {"stance": "support", "reason": ""})
    e = step(can.post(f"/api/proposals/{pid}/object/", {"reason": "Too narrow."}), 200)
    assert (e["verb"], e["delegation"]) == ("proposal.objected", "CAN")
    assert (e["before"], e["after"]) == (
        {"stance": "support", "reason": ""},
        {"stance": "object", "reason": "Too narrow."},
    )
    e = step(can.delete(f"/api/proposals/{pid}/position/"), 200)
    assert (e["verb"], e["actor"], e["delegation"]) == ("position.withdrawn", user["can"], "CAN")
    assert (e["before"], e["after"]) == ({"stance": "object", "reason": "Too narrow."}, None)
    # The chair accepts: the paragraph's new wording is recorded, then the decision
    e = step(
        ppt.post(f"/api/proposals/{pid}/accept/", {"version": 4, "note": "Agreed."}),
        200,
        consequences=("paragraph.changed",),
    )
    changed = log[-2]
    assert (changed["paragraph"], changed["proposal"]) == (op3, pid)
    assert changed["before"]["text"] == "Promote safe, orderly and regular migration, item 3."
    assert changed["after"]["text"] == "Promote regular pathways."
    assert (e["verb"], e["actor"], e["delegation"]) == ("proposal.accepted", user["ppt"], "SLV")
    assert e["before"].items() >= {"status": "submitted", "version": 4}.items()
    assert e["after"].items() >= {"status": "accepted", "version": 5, "note": "Agreed."}.items()
    # Mexico proposes again and withdraws
    second = step(propose(world, "mex", 3), 201)["proposal"]
    e = step(mex.post(f"/api/proposals/{second}/withdraw/"), 200)
    assert (e["verb"], e["actor"], e["delegation"]) == ("proposal.withdrawn", user["mex"], "MEX")
    assert e["before"].items() >= {"status": "submitted", "version": 1}.items()
    assert e["after"].items() >= {"status": "withdrawn", "version": 2}.items()
    # The chair rejects a third
    third = step(propose(world, "can", 4), 201)["proposal"]
    e = step(ppt.post(f"/api/proposals/{third}/reject/", {}, HTTP_IF_MATCH='"1"'), 200)
    assert e["verb"] == "proposal.rejected"
    assert e["before"].items() >= {"status": "submitted", "version": 1}.items()
    assert e["after"].items() >= {"status": "rejected", "version": 2}.items()
    # The TS issues Rev.1: the accepted proposal is recorded as incorporated, then the revision
    e = step(
        ts.post(f"/api/declarations/{world.declaration.pk}/revisions/", {"sections": rev1_sections(world)}),
        201,
        consequences=("proposal.incorporated",),
    )
    assert log[-2]["proposal"] == pid
    rev1 = Revision.objects.get(declaration=world.declaration, number=1)
    assert (e["verb"], e["actor"], e["delegation"], e["object_type"], e["object_id"]) == (
        "revision.issued",
        user["ts"],
        "TS",
        "revision",
        str(rev1.pk),
    )
    assert e["before"].items() >= {"revision": world.revision.pk, "label": "Zero draft"}.items()
    assert e["after"].items() >= {"revision": rev1.pk, "label": "Rev.1", "number": 1}.items()

    # Refused and invalid writes, and reads, append nothing
    for response in (
        propose(world, "arg"),  # 403
        propose(world, "mex", 0, revision=world.revision),  # 409: stale revision
        can.post(f"/api/proposals/{pid}/object/", {}),  # 409: accepted already
        ppt.post(f"/api/proposals/{pid}/accept/", {}),  # 400: no version
        mex.get(f"/api/declarations/{world.declaration.pk}/text/"),
        mex.get("/api/proposals/"),
    ):
        assert response.status_code in (200, 400, 403, 409)
    assert events_for(world) == log


def test_creating_a_declaration_is_recorded(world: World) -> None:
    before = Event.objects.count()
    response = world.client("ts").post(
        "/api/declarations/",
        {"meeting": world.meeting.pk, "title": "Plan of Action", "kind": "decisions"},
        format="json",
    )
    assert response.status_code == 201
    assert Event.objects.count() == before + 1
    events = world.client("mex").get("/api/events/", {"declaration": response.json()["id"]}).json()["results"]
    assert [(e["verb"], e["actor"], e["delegation"], e["before"], e["after"]) for e in events] == [
        (
            "declaration.created",
            world.users["ts"].username,
            "TS",
            None,
            {"title": "Plan of Action", "kind": "decisions", "original_language": "es"},
        )
    ]


def test_an_unknown_api_url_is_a_json_404(world: World) -> None:
    for url in ("/api/nope/", "/api/proposals/abc/"):
        response = world.client("mex").get(url)
        assert response.status_code == 404
        assert response.json() == {"error": "not_found", "detail": f"No endpoint at {url}.", "fields": {}}


def test_filters_by_unknown_ids_give_empty_lists_and_codes_ignore_case(world: World) -> None:
    submitted(world, "mex")
    client = world.client("can")
    for url in (
        "/api/proposals/?paragraph=999999",
        "/api/events/?declaration=999999",
        "/api/proposals/?delegation=XYZ",
    ):
        response = client.get(url)
        assert response.status_code == 200 and response.json()["count"] == 0, url
    assert client.get("/api/proposals/?delegation=mex").json()["count"] == 1
