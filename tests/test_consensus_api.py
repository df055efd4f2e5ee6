"""The consensus workflow through the HTTP API.

First a role × action matrix over every consensus endpoint: only the PPT
moderates (paragraph transitions, accepting and rejecting proposals,
adoption, launching silence); only member delegations present object in the
room; any member (Nicaragua, absent, too) breaks silence in writing and puts
statements on record; observers (ARG, IOM, RNCOM) and the Technical
Secretariat do none of that; anonymous callers get 401. Every refusal is a
403 ``{"error": "forbidden", "detail", "fields"}`` that changes nothing.

Then the state refusals (409, with what stands in the way) and the shapes
the workflow's readers rely on."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import transaction
from django.urls import URLPattern
from django.utils import timezone

from backend.api import urls as api_urls
from backend.api.adoption import views as adoption_views
from backend.api.consensus import views as consensus_views
from drafting import services
from drafting.models import (
    Adoption,
    AdoptionObjection,
    Declaration,
    Event,
    Paragraph,
    ParagraphObjection,
    Position,
    Proposal,
    Revision,
    RevisionParagraph,
    Statement,
)
from drafting.states import State
from tests.conftest import World

pytestmark = pytest.mark.django_db

ROLES: tuple[str | None, ...] = ("ppt", "mex", "can", "nic", "arg", "iom", "rncom", "ts", None)
READERS = ("ppt", "mex", "can", "nic", "arg", "iom", "rncom", "ts")
CODES = {"ppt": "SLV", "mex": "MEX", "can": "CAN", "nic": "NIC"}


# --- setup (through the services; the matrix then acts over HTTP) ------------------------
@dataclass
class Ctx:
    world: World
    revision: Revision | None = None
    adoption: Adoption | None = None
    proposal: Proposal | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def d(self) -> int:
        return self.world.declaration.pk

    @property
    def rev(self) -> Revision:
        assert self.revision is not None
        return self.revision

    @property
    def prop(self) -> Proposal:
        assert self.proposal is not None
        return self.proposal

    @property
    def adopt(self) -> Adoption:
        assert self.adoption is not None
        return self.adoption

    def par(self, label: str) -> int:
        return RevisionParagraph.objects.get(revision=self.world.revision, label=label).paragraph_id


def plain(world: World) -> Ctx:
    return Ctx(world=world)


def agreed(world: World) -> Ctx:
    """Every paragraph agreed (set directly: setup only), and the working text issued as Rev.1."""
    Paragraph.objects.filter(declaration=world.declaration).update(state=State.AGREED)
    revision = services.revision_issue_from_working_text(actor=world.users["ppt"], declaration=world.declaration)
    return Ctx(world=world, revision=revision)


def in_session(world: World) -> Ctx:
    ctx = agreed(world)
    assert ctx.revision is not None
    ctx.adoption = services.adoption_propose(
        actor=world.users["ppt"], declaration=world.declaration, revision_id=ctx.revision.pk
    )
    return ctx


def in_session_objected(world: World) -> Ctx:
    """Adoption in session, to which every member present objects."""
    ctx = in_session(world)
    for role in ("ppt", "mex", "can"):
        services.adoption_object(actor=world.users[role], declaration=world.declaration, reason="Not yet.")
    return ctx


def in_session_with_statement(world: World) -> Ctx:
    ctx = in_session(world)
    services.statement_record(
        actor=world.users["can"], declaration=world.declaration, kind="explanation", text="Canada joins consensus."
    )
    return ctx


def silence(world: World) -> Ctx:
    ctx = agreed(world)
    assert ctx.revision is not None
    ctx.adoption = services.silence_launch(
        actor=world.users["ppt"], declaration=world.declaration, revision_id=ctx.revision.pk
    )
    return ctx


def paragraph_objections(world: World) -> Ctx:
    """The PPT, Mexico and Canada each object to OP3."""
    ctx = Ctx(world=world)
    paragraph = Paragraph.objects.get(pk=ctx.par("OP3"))
    for role in ("ppt", "mex", "can"):
        services.paragraph_object(actor=world.users[role], paragraph=paragraph, reason="Not acceptable.")
    return ctx


def with_proposal(world: World) -> Ctx:
    """Mexico proposes new wording for OP3."""
    ctx = Ctx(world=world)
    ctx.proposal = propose(world, "OP3")
    return ctx


def propose(world: World, label: str, role: str = "mex", kind: str = "replace", text: str = "New wording.") -> Proposal:
    return services.proposal_submit(
        actor=world.users[role],
        declaration=world.declaration,
        revision_id=world.declaration.revisions.order_by("-number").values_list("pk", flat=True)[0],
        paragraph_id=RevisionParagraph.objects.get(revision=world.revision, label=label).paragraph_id,
        kind=kind,
        text="" if kind == "delete" else text,
    )


def db_state() -> dict[str, Any]:
    return {
        "declarations": list(Declaration.objects.order_by("pk").values_list("pk", "status", "version")),
        "revisions": Revision.objects.count(),
        "paragraphs": list(
            Paragraph.objects.order_by("pk").values_list("pk", "state", "text", "ad_ref_delegation", "version")
        ),
        "proposals": list(Proposal.objects.order_by("pk").values_list("pk", "status", "version")),
        "positions": list(Position.objects.order_by("pk").values_list("pk", "stance")),
        "objections": ParagraphObjection.objects.count(),
        "adoptions": list(Adoption.objects.order_by("pk").values_list("pk", "status")),
        "adoption_objections": AdoptionObjection.objects.count(),
        "statements": Statement.objects.count(),
        "events": Event.objects.count(),
    }


def assert_error(response: Any, status: int, error: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["error"] == error
    assert isinstance(body["detail"], str) and body["detail"]
    assert isinstance(body["fields"], dict)
    return body


# --- the matrix ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Row:
    name: str  # URL name in backend/api/urls.py
    method: str
    setup: Callable[[World], Ctx]
    path: Callable[[Ctx], str]
    ok: dict[str, int]  # role → success status; every other role (but anonymous) gets 403
    body: Callable[[Ctx], dict[str, Any]] = lambda ctx: {}
    label: str = ""
    writes: bool = True

    @property
    def id(self) -> str:
        return self.label or f"{self.name}:{self.method}"


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(READERS, status)


def two_revisions(world: World) -> Ctx:
    """The working text issued again as Rev.1, so there is something to compare."""
    return Ctx(
        world=world,
        revision=services.revision_issue_from_working_text(actor=world.users["ppt"], declaration=world.declaration),
    )


MATRIX: list[Row] = [
    Row(
        "declaration-working-text", "GET", plain, lambda c: f"/api/declarations/{c.d}/working-text/",
        everyone(200), writes=False,
    ),
    Row(
        "declaration-diff", "GET", two_revisions, lambda c: f"/api/declarations/{c.d}/diff/",
        everyone(200), writes=False,
    ),
    Row(
        "proposal-diff", "GET", with_proposal, lambda c: f"/api/proposals/{c.prop.pk}/diff/",
        everyone(200), writes=False,
    ),
    Row(
        "declaration-next-revision", "POST", plain, lambda c: f"/api/declarations/{c.d}/revisions/next/",
        {"ppt": 201, "ts": 201},
    ),
    Row(
        "paragraph-transition", "POST", plain, lambda c: f"/api/paragraphs/{c.par('OP3')}/transition/",
        {"ppt": 200}, body=lambda c: {"action": "open"},
    ),
    Row(
        "paragraph-object", "POST", plain, lambda c: f"/api/paragraphs/{c.par('OP3')}/object/",
        {"ppt": 201, "mex": 201, "can": 201}, body=lambda c: {"reason": "Too vague."},
    ),
    Row(
        "paragraph-objection", "DELETE", paragraph_objections, lambda c: f"/api/paragraphs/{c.par('OP3')}/objection/",
        {"ppt": 204, "mex": 204, "can": 204},
    ),
    Row(
        "proposal-accept", "POST", with_proposal, lambda c: f"/api/proposals/{c.prop.pk}/accept/",
        {"ppt": 200}, body=lambda c: {"version": c.prop.version},
    ),
    Row(
        "proposal-reject", "POST", with_proposal, lambda c: f"/api/proposals/{c.prop.pk}/reject/",
        {"ppt": 200}, body=lambda c: {"version": c.prop.version},
    ),
    Row(
        "declaration-adoption", "GET", in_session, lambda c: f"/api/declarations/{c.d}/adoption/",
        everyone(200), writes=False,
    ),
    Row(
        "declaration-adoption", "POST", agreed, lambda c: f"/api/declarations/{c.d}/adoption/",
        {"ppt": 201}, body=lambda c: {"revision": c.rev.pk, "method": "in_session"},
        label="declaration-adoption:POST:in_session",
    ),
    Row(
        "declaration-adoption", "POST", agreed, lambda c: f"/api/declarations/{c.d}/adoption/",
        {"ppt": 201}, body=lambda c: {"revision": c.rev.pk, "method": "silence"},
        label="declaration-adoption:POST:silence",
    ),
    Row(
        "adoption-object", "POST", in_session, lambda c: f"/api/declarations/{c.d}/adoption/object/",
        {"ppt": 200, "mex": 200, "can": 200}, body=lambda c: {"reason": "Not ready."},
    ),
    Row(
        "adoption-objection", "DELETE", in_session_objected, lambda c: f"/api/declarations/{c.d}/adoption/objection/",
        {"ppt": 200, "mex": 200, "can": 200},
    ),
    Row(
        "adoption-adopt", "POST", in_session, lambda c: f"/api/declarations/{c.d}/adoption/adopt/", {"ppt": 200},
    ),
    Row(
        "adoption-withdraw", "POST", in_session, lambda c: f"/api/declarations/{c.d}/adoption/withdraw/",
        {"ppt": 200},
    ),
    Row(
        "silence-break", "POST", silence, lambda c: f"/api/declarations/{c.d}/adoption/break-silence/",
        {"ppt": 200, "mex": 200, "can": 200, "nic": 200}, body=lambda c: {"reason": "Cannot join OP2."},
    ),
    Row(
        "declaration-statements", "GET", in_session_with_statement, lambda c: f"/api/declarations/{c.d}/statements/",
        everyone(200), writes=False,
    ),
    Row(
        "declaration-statements", "POST", in_session, lambda c: f"/api/declarations/{c.d}/statements/",
        {"ppt": 201, "mex": 201, "can": 201, "nic": 201},
        body=lambda c: {"kind": "explanation", "text": "We join consensus."},
    ),
    Row(
        "declaration-record", "GET", in_session, lambda c: f"/api/declarations/{c.d}/record/",
        everyone(200), writes=False,
    ),
]  # fmt: skip


def expected_status(row: Row, role: str | None) -> int:
    return 401 if role is None else row.ok.get(role, 403)


def call(row: Row, ctx: Ctx, client: Any) -> Any:
    body = row.body(ctx)
    return getattr(client, row.method.lower())(row.path(ctx), body or None, format="json")


def check_cell(row: Row, ctx: Ctx, role: str | None, client: Any) -> list[str]:
    """Call the endpoint as ``role`` inside a savepoint that is rolled back
    afterwards (so each role meets the same world); return what went wrong."""
    status = expected_status(row, role)
    problems: list[str] = []
    before = db_state()
    with transaction.atomic():
        response = call(row, ctx, client)
        if response.status_code != status:
            problems.append(f"{role}: {response.status_code} {response.content[:200]!r}, expected {status}")
        elif status >= 400:
            body = response.json()
            error = "not_authenticated" if status == 401 else "forbidden"
            if body.get("error") != error or not body.get("detail") or body.get("fields") != {}:
                problems.append(f"{role}: bad error body {body}")
        # A refusal, or a read, changes nothing; an allowed write is on record
        if status >= 400 or not row.writes:
            if db_state() != before:
                problems.append(f"{role}: the database changed")
        elif Event.objects.count() <= before["events"]:
            problems.append(f"{role}: no event recorded")
        transaction.set_rollback(True)
    return problems


@pytest.mark.parametrize("row", MATRIX, ids=[row.id for row in MATRIX])
def test_matrix(world: World, row: Row) -> None:
    # Given the world the endpoint needs, and a client for each role
    ctx = row.setup(world)
    clients = {role: world.client(role) for role in ROLES}
    # When each role calls the endpoint
    problems = [p for role in ROLES for p in check_cell(row, ctx, role, clients[role])]
    # Then each gets the status of the matrix, refusals as 403 with the error shape, changing nothing
    assert problems == []


def _consensus_url_names() -> set[tuple[str, str]]:
    """(URL name, method) for every route served by the consensus and adoption
    features (backend/api/consensus/views.py, backend/api/adoption/views.py)."""
    out = set()
    for pattern in api_urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        view = getattr(pattern.callback, "view_class", None)
        if view is not None and view.__module__ in (consensus_views.__name__, adoption_views.__name__):
            for method in ("get", "post", "put", "patch", "delete"):
                if hasattr(view, method):
                    out.add((str(pattern.name), method.upper()))
    return out


def test_every_consensus_url_and_method_is_in_the_matrix() -> None:
    served = _consensus_url_names()
    # The routes the issue names are all there
    assert {name for name, _ in served} >= {
        "declaration-working-text", "declaration-next-revision", "paragraph-transition", "paragraph-object",
        "paragraph-objection", "declaration-adoption", "adoption-object", "adoption-objection", "adoption-adopt",
        "adoption-withdraw", "silence-break", "declaration-statements", "declaration-record",
    }  # fmt: skip
    # And every one of them, with each method it serves, has a row in the matrix
    assert served <= {(row.name, row.method) for row in MATRIX}


# --- transitions and objections -------------------------------------------------------------
def transition(world: World, paragraph: int, role: str = "ppt", **body: Any) -> Any:
    return world.client(role).post(f"/api/paragraphs/{paragraph}/transition/", body, format="json")


def test_the_ppt_moves_a_paragraph_and_gets_its_state_back(world: World) -> None:
    ctx = plain(world)
    op3 = ctx.par("OP3")
    assert transition(world, op3, action="open").json()["state"] == "under_discussion"
    version = Paragraph.objects.get(pk=op3).version
    response = transition(world, op3, action="bracket", brackets=[{"start": 0, "end": 7}], note="First reading.")
    assert response.status_code == 200
    assert response.json() == {
        "paragraph": op3, "state": "bracketed", "ad_ref": None, "brackets": [{"start": 0, "end": 7}],
        "alternatives": [], "version": version + 1,
    }  # fmt: skip
    event = Event.objects.filter(verb="paragraph.bracket").get()
    assert event.after is not None and event.after["note"] == "First reading."


def test_a_transition_from_the_wrong_state_is_409_naming_the_state(world: World) -> None:
    ctx = plain(world)
    before = db_state()
    body = assert_error(transition(world, ctx.par("OP3"), action="unbracket"), 409, "conflict")
    assert body["state"] == "open"
    assert db_state() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [({"action": "approve"}, "action"), ({}, "action"), ({"action": "bracket", "brackets": "all"}, "brackets")],
)
def test_a_bad_transition_request_is_400(world: World, body: dict[str, Any], field: str) -> None:
    ctx = plain(world)
    services.paragraph_act(actor=world.users["ppt"], paragraph=Paragraph.objects.get(pk=ctx.par("OP3")), action="open")
    response = transition(world, ctx.par("OP3"), **body)
    assert field in assert_error(response, 400, "invalid")["fields"]


def test_agreement_is_409_naming_the_objectors_until_they_withdraw(world: World) -> None:
    # Given Mexico objecting to OP3 itself and Canada objecting to a pending proposal on it
    ctx = plain(world)
    op3 = ctx.par("OP3")
    assert world.client("mex").post(f"/api/paragraphs/{op3}/object/", {"reason": "Vague."}).status_code == 201
    proposal = propose(world, "OP3", role="ppt")
    assert world.client("can").post(f"/api/proposals/{proposal.pk}/object/", {"reason": "No."}).status_code == 200
    # When the PPT declares OP3 agreed, then it is 409 naming both
    body = assert_error(transition(world, op3, action="agree"), 409, "conflict")
    assert body["objecting"] == ["CAN", "MEX"]
    # When both withdraw, then it is agreed
    assert world.client("mex").delete(f"/api/paragraphs/{op3}/objection/").status_code == 204
    assert world.client("can").delete(f"/api/proposals/{proposal.pk}/position/").status_code == 200
    assert transition(world, op3, action="agree").json()["state"] == "agreed"


def test_an_ad_ref_agreement_is_confirmed_by_its_delegation_over_the_api(world: World) -> None:
    ctx = plain(world)
    op2 = ctx.par("OP2")
    missing = assert_error(transition(world, op2, action="agree_ad_ref"), 400, "invalid")
    assert "delegation" in missing["fields"]
    assert transition(world, op2, action="agree_ad_ref", delegation="MEX").json()["ad_ref"] == "MEX"
    assert_error(transition(world, op2, role="can", action="confirm"), 403, "forbidden")
    response = transition(world, op2, role="mex", action="confirm")
    assert response.status_code == 200
    assert (response.json()["state"], response.json()["ad_ref"]) == ("agreed", None)


def test_objecting_to_an_agreed_paragraph_is_409(world: World) -> None:
    ctx = plain(world)
    op2 = ctx.par("OP2")
    transition(world, op2, action="agree")
    assert_error(world.client("mex").post(f"/api/paragraphs/{op2}/object/", {"reason": "Late."}), 409, "conflict")
    assert_error(world.client("mex").delete(f"/api/paragraphs/{op2}/objection/"), 409, "conflict")


def test_accepting_over_an_objection_is_409_naming_it(world: World) -> None:
    ctx = with_proposal(world)
    proposal = ctx.proposal
    assert proposal is not None
    world.client("can").post(f"/api/proposals/{proposal.pk}/object/", {"reason": "Too vague."})
    proposal.refresh_from_db()
    before = db_state()
    response = world.client("ppt").post(f"/api/proposals/{proposal.pk}/accept/", {"version": proposal.version})
    assert assert_error(response, 409, "conflict")["objecting"] == ["CAN"]
    assert db_state() == before


# --- the working text -----------------------------------------------------------------------
def test_the_working_text_shows_states_alternatives_objections_and_bis_labels(world: World) -> None:
    # Given OP3 bracketed with two alternatives as Alt 1 and Alt 2, Canada objecting to OP2,
    # and an accepted insertion after OP1
    ctx = plain(world)
    op3 = ctx.par("OP3")
    transition(world, op3, action="open")
    alt1 = propose(world, "OP3", role="mex", kind="alternative", text="Alt one.")
    alt2 = propose(world, "OP3", role="can", kind="alternative", text="Alt two.")
    transition(world, op3, action="bracket", alternatives=[alt1.pk, alt2.pk])
    world.client("can").post(f"/api/paragraphs/{ctx.par('OP2')}/object/", {"reason": "Not this year."})
    insert = propose(world, "OP1", role="mex", kind="insert_after", text="Inserted after OP1.")
    world.client("ppt").post(f"/api/proposals/{insert.pk}/accept/", {"version": insert.version})
    # When anyone reads the working text
    response = world.client("iom").get(f"/api/declarations/{ctx.d}/working-text/")
    # Then it shows them
    assert response.status_code == 200
    text = response.json()
    assert text["revision"] == {"id": world.revision.pk, "label": "Zero draft"}
    paragraphs = [p for s in text["sections"] for p in s["paragraphs"]]
    assert [p["label"] for p in paragraphs] == ["Title", "PP1", "PP2", "OP1", "OP1 bis", "OP2", "OP3"]
    by_label = {p["label"]: p for p in paragraphs}
    assert by_label["OP1 bis"]["inserted"] is True and by_label["OP1 bis"]["text"] == "Inserted after OP1."
    assert by_label["OP2"]["objections"] == [{"delegation": "CAN", "reason": "Not this year."}]
    assert by_label["OP3"]["state"] == "bracketed"
    assert [(a["option"], a["delegation"], a["text"]) for a in by_label["OP3"]["alternatives"]] == [
        ("Alt 1", "MEX", "Alt one."),
        ("Alt 2", "CAN", "Alt two."),
    ]
    assert [p["id"] for p in by_label["OP3"]["proposals"]] == [alt1.pk, alt2.pk]
    # And its ETag answers 304 until something changes
    etag = response["ETag"]
    assert (
        world.client("iom").get(f"/api/declarations/{ctx.d}/working-text/", HTTP_IF_NONE_MATCH=etag).status_code == 304
    )
    world.client("ppt").post(f"/api/proposals/{alt2.pk}/accept/", {"version": Proposal.objects.get(pk=alt2.pk).version})
    after = world.client("iom").get(f"/api/declarations/{ctx.d}/working-text/", HTTP_IF_NONE_MATCH=etag)
    assert after.status_code == 200
    op3_after = next(p for s in after.json()["sections"] for p in s["paragraphs"] if p["paragraph"] == op3)
    assert (op3_after["text"], op3_after["state"], op3_after["alternatives"]) == ("Alt two.", "under_discussion", [])


def test_the_next_revision_renumbers_and_lists_pending_proposals(world: World) -> None:
    ctx = plain(world)
    insert = propose(world, "OP1", kind="insert_after", text="Inserted after OP1.")
    world.client("ppt").post(f"/api/proposals/{insert.pk}/accept/", {"version": insert.version})
    pending = propose(world, "OP3", role="can")
    response = world.client("ts").post(f"/api/declarations/{ctx.d}/revisions/next/", {"note": "On behalf of the PPT."})
    assert response.status_code == 201
    rev = response.json()
    assert (rev["label"], rev["number"], rev["is_current"]) == ("Rev.1", 1, True)
    paragraphs = [p for s in rev["sections"] for p in s["paragraphs"]]
    assert [p["label"] for p in paragraphs] == ["Title", "PP1", "PP2", "OP1", "OP2", "OP3", "OP4"]
    assert paragraphs[4]["paragraph"] == Proposal.objects.get(pk=insert.pk).created_paragraph_id
    assert [p["id"] for p in paragraphs[6]["proposals"]] == [pending.pk]
    assert Proposal.objects.get(pk=insert.pk).status == "incorporated"


# --- adoption ----------------------------------------------------------------------------------
def test_no_adoption_yet_is_404(world: World) -> None:
    assert_error(world.client("mex").get(f"/api/declarations/{world.declaration.pk}/adoption/"), 404, "not_found")


def test_adoption_of_a_revision_not_all_agreed_is_409_listing_labels(world: World) -> None:
    Paragraph.objects.filter(declaration=world.declaration).exclude(
        pk=RevisionParagraph.objects.get(revision=world.revision, label="OP2").paragraph_id
    ).update(state=State.AGREED)
    rev1 = services.revision_issue_from_working_text(actor=world.users["ppt"], declaration=world.declaration)
    for method in ("in_session", "silence"):
        response = world.client("ppt").post(
            f"/api/declarations/{world.declaration.pk}/adoption/", {"revision": rev1.pk, "method": method}
        )
        assert assert_error(response, 409, "conflict")["not_agreed"] == ["OP2"]


def test_adoption_in_session_is_409_while_members_object_and_the_record_names_who_was_there(world: World) -> None:
    # Given adoption in session, with Mexico objecting
    ctx = in_session(world)
    base = f"/api/declarations/{ctx.d}/adoption/"
    response = world.client("mex").post(base + "object/", {"reason": "Paragraph OP2."})
    assert response.json()["objections"][0]["delegation"] == "MEX"
    # When the PPT adopts, then it is 409 naming Mexico
    assert assert_error(world.client("ppt").post(base + "adopt/"), 409, "conflict")["objecting"] == ["MEX"]
    # When Mexico withdraws, then the PPT adopts and the record says where, by whom, with whom, what
    assert world.client("mex").delete(base + "objection/").json()["objections"] == []
    adopted = world.client("ppt").post(base + "adopt/").json()
    assert (adopted["status"], adopted["method"], adopted["ppt"], adopted["place"]) == (
        "adopted", "in_session", "SLV", world.meeting.place,
    )  # fmt: skip
    assert adopted["present"] == ["CAN", "MEX", "SLV"]
    assert adopted["revision"] == {"id": ctx.rev.pk, "label": "Rev.1"}
    assert adopted["concluded_at"] is not None
    assert world.client("arg").get(base).json() == adopted


def test_nicaragua_absent_cannot_object_in_session_but_breaks_silence_in_writing(world: World) -> None:
    ctx = in_session(world)
    base = f"/api/declarations/{ctx.d}/adoption/"
    assert_error(world.client("nic").post(base + "object/", {"reason": "No."}), 403, "forbidden")
    world.client("ppt").post(base + "withdraw/")
    world.client("ppt").post(base, {"revision": ctx.rev.pk, "method": "silence"})
    response = world.client("nic").post(base + "break-silence/", {"reason": "Nicaragua cannot join OP2."})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "broken"
    assert body["objections"][0]["delegation"] == "NIC"
    assert Declaration.objects.get(pk=ctx.d).status == "drafting"


def test_silence_deadline_defaults_to_the_meeting_period_and_may_not_be_past(world: World) -> None:
    ctx = agreed(world)
    url = f"/api/declarations/{ctx.d}/adoption/"
    past = (timezone.now() - datetime.timedelta(minutes=5)).isoformat()
    response = world.client("ppt").post(url, {"revision": ctx.rev.pk, "method": "silence", "deadline": past})
    assert "deadline" in assert_error(response, 400, "invalid")["fields"]
    response = world.client("ppt").post(url, {"revision": ctx.rev.pk, "method": "silence"})
    assert response.status_code == 201
    body = response.json()
    deadline = datetime.datetime.fromisoformat(body["deadline"])
    assert abs((deadline - timezone.now()) - datetime.timedelta(hours=72)) < datetime.timedelta(minutes=1)
    assert 72 * 3600 - 60 <= body["seconds_left"] <= 72 * 3600


def test_breaking_silence_needs_a_reason_and_is_409_after_the_deadline(world: World) -> None:
    ctx = silence(world)
    url = f"/api/declarations/{ctx.d}/adoption/break-silence/"
    assert "reason" in assert_error(world.client("mex").post(url, {}), 400, "invalid")["fields"]
    Adoption.objects.filter(pk=ctx.adopt.pk).update(deadline=timezone.now() - datetime.timedelta(seconds=1))
    before = db_state()
    assert_error(world.client("mex").post(url, {"reason": "Too late."}), 409, "conflict")
    assert db_state() == before


def test_in_session_actions_are_409_under_silence(world: World) -> None:
    ctx = silence(world)
    base = f"/api/declarations/{ctx.d}/adoption/"
    assert_error(world.client("mex").post(base + "object/", {"reason": "No."}), 409, "conflict")
    assert_error(world.client("ppt").post(base + "adopt/"), 409, "conflict")
    assert_error(world.client("ppt").post(base + "withdraw/"), 409, "conflict")
    # And negotiation is closed while silence runs
    assert_error(transition(world, ctx.par("OP2"), action="reopen"), 409, "conflict")


# --- statements and the record ---------------------------------------------------------------
def test_statements_are_recorded_while_adoption_is_pending_and_listed(world: World) -> None:
    ctx = in_session(world)
    url = f"/api/declarations/{ctx.d}/statements/"
    op2 = ctx.par("OP2")
    statements_need_a_pending_adoption(world)
    reservation = world.client("mex").post(url, {"kind": "reservation", "paragraph": op2, "text": "On OP2."})
    assert reservation.status_code == 201
    assert reservation.json()["delegation"] == "MEX" and reservation.json()["paragraph"] == op2
    no_paragraph = world.client("mex").post(url, {"kind": "reservation", "text": "On what?"})
    assert "paragraph" in assert_error(no_paragraph, 400, "invalid")["fields"]
    with_paragraph = world.client("can").post(url, {"kind": "explanation", "paragraph": op2, "text": "On OP2."})
    assert "paragraph" in assert_error(with_paragraph, 400, "invalid")["fields"]
    world.client("nic").post(url, {"kind": "explanation", "text": "Nicaragua explains."})
    listed = world.client("rncom").get(url).json()["results"]
    assert [(s["kind"], s["delegation"], s["paragraph"]) for s in listed] == [
        ("reservation", "MEX", op2),
        ("explanation", "NIC", None),
    ]


def statements_need_a_pending_adoption(world: World) -> None:
    """Statements need a pending adoption: checked on a second declaration of the same meeting."""
    other = services.declaration_create(actor=world.users["ts"], meeting=world.meeting, title="Other")
    response = world.client("mex").post(
        f"/api/declarations/{other.pk}/statements/", {"kind": "explanation", "text": "x"}
    )
    assert_error(response, 409, "conflict")


def test_the_record_lists_the_declarations_events_in_order_and_filters(world: World) -> None:
    ctx = plain(world)
    op3, op2 = ctx.par("OP3"), ctx.par("OP2")
    transition(world, op3, action="open")
    world.client("mex").post(f"/api/paragraphs/{op3}/object/", {"reason": "Vague."})
    world.client("can").post(f"/api/paragraphs/{op2}/object/", {"reason": "Long."})
    world.client("mex").delete(f"/api/paragraphs/{op3}/objection/")
    url = f"/api/declarations/{ctx.d}/record/"
    events = world.client("iom").get(url, {"page_size": 500}).json()["results"]
    ids = [e["id"] for e in events]
    assert ids == sorted(ids)
    assert [e["verb"] for e in events][-4:] == [
        "paragraph.open", "paragraph.objected", "paragraph.objected", "paragraph.objection_withdrawn",
    ]  # fmt: skip
    assert {e["declaration"] for e in events} == {ctx.d}
    on_op3 = world.client("iom").get(url, {"paragraph": op3}).json()["results"]
    assert [e["verb"] for e in on_op3] == ["paragraph.open", "paragraph.objected", "paragraph.objection_withdrawn"]
    by_can = world.client("iom").get(url, {"delegation": "CAN"}).json()["results"]
    assert [(e["verb"], e["paragraph"]) for e in by_can] == [("paragraph.objected", op2)]
    # And another declaration's events stay out of it
    other = services.declaration_create(actor=world.users["ts"], meeting=world.meeting, title="Other")
    assert world.client("iom").get(f"/api/declarations/{other.pk}/record/").json()["results"][0]["verb"] == (
        "declaration.created"
    )
    assert all(e["declaration"] == ctx.d for e in world.client("iom").get(url, {"page_size": 500}).json()["results"])


# --- members-only meetings and adopted texts --------------------------------------------------
@pytest.mark.parametrize("role", ["arg", "iom", "rncom"])
@pytest.mark.parametrize("suffix", ["working-text/", "adoption/", "statements/", "record/"])
def test_observers_read_nothing_of_a_members_only_meeting(closed_world: World, role: str, suffix: str) -> None:
    in_session(closed_world)
    response = closed_world.client(role).get(f"/api/declarations/{closed_world.declaration.pk}/{suffix}")
    assert_error(response, 403, "forbidden")
    assert (
        closed_world.client("nic").get(f"/api/declarations/{closed_world.declaration.pk}/{suffix}").status_code == 200
    )


WRITES_AFTER_ADOPTION: dict[str, Callable[[Ctx], Any]] = {
    "transition": lambda c: transition(c.world, c.par("OP2"), action="reopen"),
    "paragraph-object": lambda c: c.world.client("mex").post(
        f"/api/paragraphs/{c.par('OP2')}/object/", {"reason": "x"}
    ),
    "proposal": lambda c: c.world.client("mex").post(
        "/api/proposals/",
        {"declaration": c.d, "revision": c.rev.pk, "paragraph": c.par("OP2"), "kind": "replace", "text": "New."},
    ),
    "next-revision-ppt": lambda c: c.world.client("ppt").post(f"/api/declarations/{c.d}/revisions/next/", {}),
    "next-revision-ts": lambda c: c.world.client("ts").post(f"/api/declarations/{c.d}/revisions/next/", {}),
    "adoption": lambda c: c.world.client("ppt").post(
        f"/api/declarations/{c.d}/adoption/", {"revision": c.rev.pk, "method": "in_session"}
    ),
    "silence": lambda c: c.world.client("ppt").post(
        f"/api/declarations/{c.d}/adoption/", {"revision": c.rev.pk, "method": "silence"}
    ),
    "adopt-again": lambda c: c.world.client("ppt").post(f"/api/declarations/{c.d}/adoption/adopt/"),
    "break-silence": lambda c: c.world.client("mex").post(
        f"/api/declarations/{c.d}/adoption/break-silence/", {"reason": "Late."}
    ),
    "statement": lambda c: c.world.client("mex").post(
        f"/api/declarations/{c.d}/statements/", {"kind": "explanation", "text": "Late."}
    ),
}


@pytest.mark.parametrize("write", list(WRITES_AFTER_ADOPTION))
def test_after_adoption_every_write_is_409(world: World, write: str) -> None:
    ctx = in_session(world)
    assert world.client("ppt").post(f"/api/declarations/{ctx.d}/adoption/adopt/").status_code == 200
    before = db_state()
    assert_error(WRITES_AFTER_ADOPTION[write](ctx), 409, "conflict")
    assert db_state() == before
