"""Who may call what: every endpoint × every role, with exact status codes.

The rules (see drafting/access.py and shared/DOMAIN.md):

- a user acts only for their own delegation;
- only member delegations *present* at the meeting propose, support or object
  (so not NIC, absent; not ARG, an observer state; not IOM or RNCOM; not the TS);
- observers and civil society read an open meeting, but never a members-only
  one: there the meeting and its declarations are 403 (they are registered),
  anything inside them 404, as an id that does not exist, and lists simply
  leave the meeting out;
- only users of the PPT delegation accept or reject proposals, move
  paragraphs through their states and put the text to adoption;
- only the meeting's Technical Secretariat creates declarations and issues
  revisions from a full text (the PPT, or the TS on its behalf, issues the
  next revision from the working text);
- anonymous callers get 401 everywhere except POST /api/auth/token/,
  GET /api/health/ and the schema and docs.

Every refusal is a 403 with ``{"error": "forbidden", "detail": "...", "fields": {}}``
and changes nothing. Each cell of the matrix is its own test (ids read
``<url name>:<METHOD>:<role>-><status>``), and one test checks that the
matrix has rows for every URL and method the API serves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import override_settings
from django.urls import URLPattern, URLResolver

from backend import urls as root_urls
from backend.api import urls as api_urls
from drafting import services
from drafting.models import (
    Adoption,
    AdoptionObjection,
    ApiToken,
    Declaration,
    Event,
    ExportJob,
    ImportJob,
    Paragraph,
    ParagraphObjection,
    Position,
    Proposal,
    Revision,
    Statement,
)
from drafting.states import State
from tests.conftest import ROLES, World, build_world, zero_draft

ROLE_COLUMNS: tuple[str | None, ...] = ("ppt", "mex", "can", "nic", "arg", "iom", "rncom", "ts", None)
HIDDEN = "200-hidden"  # a list answers 200 but leaves the meeting's objects out
LISTED = "200-listed"  # a list answers 200 and includes the meeting's objects


@dataclass(frozen=True)
class Bug:
    """A cell where the code disagrees with the rule: expected per the rule, xfail(strict) until fixed."""

    status: int
    reason: str

    def __str__(self) -> str:
        return str(self.status)


@pytest.fixture(autouse=True)
def _fresh_login_throttle() -> None:
    # POST /api/auth/token/ is throttled per client address in the (process-wide)
    # cache; without this, the matrix's token rows would trip it.
    cache.clear()


# --- Worlds the rows need --------------------------------------------------------------
@dataclass
class Ctx:
    world: World
    proposal: Proposal | None = None
    revision: Revision | None = None
    adoption: Adoption | None = None
    export: ExportJob | None = None


def _plain(world: World) -> Ctx:
    return Ctx(world=world)


def _proposal(world: World) -> Proposal:
    """MEX proposes new wording for the last operative paragraph."""
    return services.proposal_submit(
        actor=world.users["mex"],
        declaration=world.declaration,
        revision_id=world.revision.pk,
        paragraph_id=world.paragraph_ids()[-1],
        kind="replace",
        text="Promote regular pathways, item 3.",
    )


def _with_export(world: World) -> Ctx:
    """A compilation the Secretariat asked for, not rendered yet (no worker ran)."""
    job, _ = services.export_job_request(
        actor=world.users["ts"],
        declaration_id=world.declaration.pk,
        kind="compilation",
        pdf_available=False,
        dispatch=lambda job_id: None,
    )
    return Ctx(world=world, export=job)


def _e(ctx: Ctx) -> ExportJob:
    assert ctx.export is not None
    return ctx.export


def _export_queued(ctx: Ctx, role: str | None, body: Any) -> None:
    job = ExportJob.objects.get(pk=body["id"])
    assert (job.kind, job.status, job.requested_by.username) == ("compilation", "queued", _user(ctx, role).username)


@dataclass
class _ImportCtx(Ctx):
    job: ImportJob | None = None


IMPORTED = "DECLARATION OF SAN JOSÉ\n\nRecalling the Charter of the RCM,\n\nDECISIONS\n\n1. Promote regular pathways."


def _with_import(world: World, *, read: bool = False) -> Ctx:
    """An upload by the Secretariat, queued (no worker ran), or read into its preview."""
    job = services.import_job_create(
        actor=world.users["ts"],
        meeting=world.meeting,
        content=IMPORTED.encode(),
        filename="d.txt",
        dispatch=lambda i: None,
    )
    if read:
        services.import_job_run(job_id=job.pk)
    return _ImportCtx(world=world, job=job)


def _with_ready_import(world: World) -> Ctx:
    return _with_import(world, read=True)


def _i(ctx: Ctx) -> ImportJob:
    assert isinstance(ctx, _ImportCtx) and ctx.job is not None
    return ctx.job


def _import_queued(ctx: Ctx, role: str | None, body: Any) -> None:
    job = ImportJob.objects.get(pk=body["id"])
    assert (job.status, job.requested_by.username) == ("queued", _user(ctx, role).username)


def _import_corrected(ctx: Ctx, role: str | None, body: Any) -> None:
    assert body["preview"]["title"] == "DECLARATION OF SAN JOSÉ — Rev."
    assert ImportJob.objects.get(pk=body["id"]).preview["corrections"][0]["op"] == "set_title"


def _import_confirmed(ctx: Ctx, role: str | None, body: Any) -> None:
    assert body["status"] == "confirmed"
    assert Declaration.objects.get(pk=body["created_declaration"]).title == "DECLARATION OF SAN JOSÉ"


def _with_proposal(world: World) -> Ctx:
    """MEX's proposal, supported by the PPT and objected to by CAN (both have a position to withdraw)."""
    proposal = _proposal(world)
    services.position_set(actor=world.users["ppt"], proposal=proposal, stance="support")
    services.position_set(actor=world.users["can"], proposal=proposal, stance="object", reason="Too vague.")
    proposal.refresh_from_db()
    return Ctx(world=world, proposal=proposal)


def _with_supported_proposal(world: World) -> Ctx:
    """MEX's proposal, supported by the PPT, objected to by nobody (so it can be accepted)."""
    proposal = _proposal(world)
    services.position_set(actor=world.users["ppt"], proposal=proposal, stance="support")
    proposal.refresh_from_db()
    return Ctx(world=world, proposal=proposal)


def _with_paragraph_objections(world: World) -> Ctx:
    """The PPT and CAN object to the last operative paragraph."""
    paragraph = Paragraph.objects.get(pk=world.paragraph_ids()[-1])
    for role in ("ppt", "can"):
        services.paragraph_object(actor=world.users[role], paragraph=paragraph, reason="Not acceptable.")
    return Ctx(world=world)


def agree_and_issue(world: World) -> None:
    """Every paragraph agreed, and the working text issued as Rev.1: ready for adoption.
    Done once per test class (see the fixtures below); agreement is set directly,
    since moving paragraphs is the paragraph-transition row's business."""
    Paragraph.objects.filter(declaration=world.declaration).update(state=State.AGREED)
    services.revision_issue_from_working_text(actor=world.users["ts"], declaration=world.declaration)


def _agreed(world: World) -> Ctx:
    """(On an agreed world) Rev.1, fully agreed, not yet put to adoption."""
    return Ctx(world=world, revision=world.declaration.revisions.get(number=1))


def _in_session(world: World) -> Ctx:
    """Rev.1 put to adoption in session by the PPT."""
    ctx = _agreed(world)
    assert ctx.revision is not None
    ctx.adoption = services.adoption_propose(
        actor=world.users["ppt"], declaration=world.declaration, revision_id=ctx.revision.pk
    )
    return ctx


def _in_session_objected(world: World) -> Ctx:
    """Adoption in session, to which MEX and CAN object."""
    ctx = _in_session(world)
    for role in ("mex", "can"):
        services.adoption_object(actor=world.users[role], declaration=world.declaration, reason="Not yet.")
    return ctx


def _in_session_with_statement(world: World) -> Ctx:
    ctx = _in_session(world)
    services.statement_record(
        actor=world.users["can"], declaration=world.declaration, kind="explanation", text="Canada joins consensus."
    )
    return ctx


def _silence(world: World) -> Ctx:
    """Rev.1 circulated under silence procedure."""
    ctx = _agreed(world)
    assert ctx.revision is not None
    ctx.adoption = services.silence_launch(
        actor=world.users["ppt"], declaration=world.declaration, revision_id=ctx.revision.pk
    )
    return ctx


def _user(ctx: Ctx, role: str | None) -> Any:
    assert role is not None
    return ctx.world.users[role]


def _code(role: str | None) -> str:
    assert role is not None
    return ROLES[role][0]


def _p(ctx: Ctx) -> Proposal:
    assert ctx.proposal is not None
    return ctx.proposal


def _a(ctx: Ctx) -> Adoption:
    assert ctx.adoption is not None
    return ctx.adoption


def _d(ctx: Ctx) -> int:
    return ctx.world.declaration.pk


def _last_paragraph(ctx: Ctx) -> int:
    return ctx.world.paragraph_ids()[-1]


def _last_event_id(ctx: Ctx) -> int:
    return Event.objects.filter(meeting=ctx.world.meeting).latest("id").pk


# --- What a successful write must have done ----------------------------------------------
Check = Callable[[Ctx, "str | None", Any], None]


def _token_ok(ctx: Ctx, role: str | None, body: Any) -> None:
    user = ctx.world.users[role or "ppt"]
    assert ApiToken.objects.filter(user=user, key=body["token"], pk=body["id"]).exists()


def _token_gone(ctx: Ctx, role: str | None, body: Any) -> None:
    assert not ApiToken.objects.filter(user=_user(ctx, role)).exists()


def _with_mex_token(world: World) -> Ctx:
    world.client("mex")  # Mexico signed in: it has a token
    return _plain(world)


def _mex_token_gone(ctx: Ctx, role: str | None, body: Any) -> None:
    assert not ApiToken.objects.filter(user=ctx.world.users["mex"]).exists()


def _lockout_reset_ok(ctx: Ctx, role: str | None, body: Any) -> None:
    assert body == {"username": ctx.world.users["mex"].username, "cleared": 0}  # Mexico was not locked out


def _declaration_made(ctx: Ctx, role: str | None, body: Any) -> None:
    assert body["meeting"] == ctx.world.meeting.pk and body["title"] == "Second declaration"
    assert Declaration.objects.filter(pk=body["id"], meeting=ctx.world.meeting).exists()


def _revision_made(ctx: Ctx, role: str | None, body: Any) -> None:
    assert (body["label"], body["number"], body["is_current"]) == ("Rev.1", 1, True)
    assert body["issued_by"] == _user(ctx, role).username


def _proposal_made(ctx: Ctx, role: str | None, body: Any) -> None:
    # acts for its own delegation
    assert body["delegation"]["code"] == _code(role)
    assert body["author"] == _user(ctx, role).username
    assert Proposal.objects.get(pk=body["id"]).delegation.code == _code(role)


def _status_is(status: str) -> Check:
    def check(ctx: Ctx, role: str | None, body: Any) -> None:
        assert body["status"] == status
        assert Proposal.objects.get(pk=_p(ctx).pk).status == status
        assert body["decided_by"] == (_user(ctx, role).username if status != "withdrawn" else None)

    return check


def _codes(positions: list[dict[str, Any]], stance: str) -> set[str]:
    return {p["delegation"] for p in positions if p["stance"] == stance}


def _stance_is(stance: str) -> Check:
    def check(ctx: Ctx, role: str | None, body: Any) -> None:
        assert _code(role) in _codes(body["positions"], stance)
        assert Position.objects.get(proposal=_p(ctx), delegation__code=_code(role)).stance == stance

    return check


def _position_gone(ctx: Ctx, role: str | None, body: Any) -> None:
    assert _code(role) not in {p["delegation"] for p in body["positions"]}
    assert not Position.objects.filter(proposal=_p(ctx), delegation__code=_code(role)).exists()


def _paragraph_moved(ctx: Ctx, role: str | None, body: Any) -> None:
    assert (body["paragraph"], body["state"]) == (_last_paragraph(ctx), "under_discussion")
    assert Paragraph.objects.get(pk=_last_paragraph(ctx)).state == "under_discussion"


def _discussing(ctx: Ctx, role: str | None, body: Any) -> None:
    assert body == {"paragraph": _last_paragraph(ctx)}
    assert Declaration.objects.get(pk=ctx.world.declaration.pk).discussing_id == _last_paragraph(ctx)


def _all_agreed(ctx: Ctx, role: str | None, body: Any) -> None:
    assert sorted(body["agreed"]) == sorted(ctx.world.paragraph_ids())
    assert set(Paragraph.objects.filter(declaration=ctx.world.declaration).values_list("state", flat=True)) == {
        "agreed"
    }


def _account_made(ctx: Ctx, role: str | None, body: Any) -> None:
    assert body["delegation"] == "CAN" and body["initial_password"] and body["is_active"]


def _password_new(ctx: Ctx, role: str | None, body: Any) -> None:
    assert body["username"] == ctx.world.users["can"].username and body["initial_password"]


def _deactivated(ctx: Ctx, role: str | None, body: Any) -> None:
    assert body["is_active"] is False
    ctx.world.users["can"].refresh_from_db()
    assert not ctx.world.users["can"].is_active


def _set_up(ctx: Ctx, role: str | None, body: Any) -> None:
    assert body["silence_hours"] == 48
    ctx.world.meeting.refresh_from_db()
    assert ctx.world.meeting.silence_hours == 48


def _translated(ctx: Ctx, role: str | None, body: Any) -> None:
    paragraph = Paragraph.objects.get(pk=_last_paragraph(ctx))
    assert paragraph.translation_of == paragraph.text_version
    assert paragraph.translation_text.startswith("Promover una migración segura")


def _translator_named(ctx: Ctx, role: str | None, body: Any) -> None:
    assert ctx.world.meeting.translators.filter(pk=ctx.world.users["can"].pk).exists()


def _accounts(ctx: Ctx, suffix: str = "") -> str:
    return f"/api/meetings/{ctx.world.meeting.pk}/accounts/{suffix}"


def _paragraph_objected(ctx: Ctx, role: str | None, body: Any) -> None:
    assert ParagraphObjection.objects.filter(paragraph_id=_last_paragraph(ctx), delegation__code=_code(role)).exists()


def _paragraph_objection_gone(ctx: Ctx, role: str | None, body: Any) -> None:
    assert body is None
    assert not ParagraphObjection.objects.filter(
        paragraph_id=_last_paragraph(ctx), delegation__code=_code(role)
    ).exists()


def _adoption_is(status: str, declaration_status: str) -> Check:
    def check(ctx: Ctx, role: str | None, body: Any) -> None:
        assert body["status"] == status and body["revision"]["label"] == "Rev.1"
        assert Declaration.objects.get(pk=_d(ctx)).status == declaration_status

    return check


def _adoption_objection_by_role(present: bool) -> Check:
    def check(ctx: Ctx, role: str | None, body: Any) -> None:
        assert (_code(role) in {o["delegation"] for o in body["objections"]}) is present
        assert AdoptionObjection.objects.filter(delegation__code=_code(role)).exists() is present

    return check


def _silence_broken(ctx: Ctx, role: str | None, body: Any) -> None:
    _adoption_is("broken", "drafting")(ctx, role, body)
    assert [o["delegation"] for o in body["objections"]] == [_code(role)]


def _statement_made(ctx: Ctx, role: str | None, body: Any) -> None:
    assert (body["delegation"], body["kind"], body["adoption"]) == (_code(role), "explanation", _a(ctx).pk)


def _library_statement(ctx: Ctx | None = None) -> int:
    """A statement of the library of agreed language (created on first use)."""
    from drafting.models import AgreedStatement

    statement, _ = AgreedStatement.objects.get_or_create(
        import_key="matrix:1",
        defaults={"text_en": "Promote safe, orderly and regular migration.", "meeting_label": "XXI RCM", "year": 2016},
    )
    return statement.pk


def _library_edited(ctx: Ctx, role: str | None, body: Any) -> None:
    assert (body["id"], body["category"], body["version"]) == (_library_statement(), "commitment", 2)


# --- Request bodies --------------------------------------------------------------------
def _proposal_body(ctx: Ctx, role: str | None) -> dict[str, Any]:
    w = ctx.world
    return {
        "declaration": w.declaration.pk,
        "revision": w.revision.pk,
        "paragraph": w.paragraph_ids()[-2],
        "kind": "replace",
        "text": f"Wording proposed by {role}.",
    }


def _decision_body(ctx: Ctx, role: str | None) -> dict[str, Any]:
    return {"version": Proposal.objects.get(pk=_p(ctx).pk).version, "note": "Agreed in the room."}


def _reason(ctx: Ctx, role: str | None) -> dict[str, Any]:
    return {"reason": f"{role} cannot accept this."}


# --- The matrix ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Row:
    name: str  # URL name
    method: str
    path: Callable[[Ctx], str]
    open: tuple[int | str | Bug, ...]  # expected per ROLE_COLUMNS, in an open meeting
    closed: tuple[int | str | Bug, ...] | None = None  # the same in a members-only meeting (SAME: not re-run)
    setup: Callable[[World], Ctx] = _plain
    body: Callable[[Ctx, str | None], dict[str, Any]] | None = None
    write: bool = False
    probe: Callable[[Ctx], int] | None = None  # lists: an id the readers must see
    detail: Callable[[Ctx], tuple[str, int]] | None = None  # details: (key, id) the body must carry
    on_success: Check | None = None
    events: int = 1  # events a successful write appends

    @property
    def on_agreed_text(self) -> bool:
        """Runs on a world whose text is agreed and issued as Rev.1 (adoption rows)."""
        return self.setup in AGREED_SETUPS


# Columns:     ppt    mex    can    nic    arg    iom    rncom  ts     anon
R200 = (200,) * 8 + (401,)
L_OPEN = (LISTED,) * 8 + (401,)
L_CLOSED = (LISTED,) * 4 + (HIDDEN,) * 3 + (LISTED, 401)
L_CLOSED_SCOPED = (LISTED,) * 4 + (403,) * 3 + (LISTED, 401)  # a list inside one declaration
D_CLOSED = (200,) * 4 + (403,) * 3 + (200, 401)
# Inside a members-only meeting (a revision, paragraph, proposal, export, import): an
# observer is answered as for an id that does not exist (drafting/access.py, issue 13).
D_HIDDEN = (200,) * 4 + (404,) * 3 + (200, 401)
TS_ONLY = (403,) * 7 + (201, 401)
TS_READS = (403,) * 7 + (200, 401)
PPT_OR_TS = (201,) + (403,) * 6 + (201, 401)
PPT_ONLY = (200,) + (403,) * 7 + (401,)
PPT_ONLY_201 = (201,) + (403,) * 7 + (401,)
PROPOSE = (201, 201, 201, 403, 403, 403, 403, 403, 401)
NEGOTIATE = (200, 200, 200, 403, 403, 403, 403, 403, 401)  # members present
NEGOTIATE_201 = (201, 201, 201, 403, 403, 403, 403, 403, 401)
TAKE_POSITION = (200, 403, 200, 403, 403, 403, 403, 403, 401)  # not on your own (MEX's) proposal
DROP_POSITION = (200, 409, 200, 403, 403, 403, 403, 403, 401)  # MEX has none on its own proposal
WITHDRAW = (403, 200, 403, 403, 403, 403, 403, 403, 401)  # only the proposer, MEX
# Breaking silence and statements at adoption: any member state, present or not (the
# text is circulated to capitals), so NIC may too; never observers or the TS.
ANY_MEMBER = (200, 200, 200, 200, 403, 403, 403, 403, 401)
ANY_MEMBER_201 = (201, 201, 201, 201, 403, 403, 403, 403, 401)
# PPT and CAN have objections to withdraw; MEX has none (409); the others may hold none (403).
DROP_PARAGRAPH_OBJECTION = (204, 409, 204, 403, 403, 403, 403, 403, 401)
# In a members-only meeting, the observers and civil society are refused every write
# (they cannot even read); the other columns are as in the open meeting and are not
# run twice, except for a few rows kept whole as a check that members are unaffected.
SAME = "same"
OBSERVERS = (SAME,) * 4 + (403,) * 3 + (SAME, SAME)
OBSERVERS_HIDDEN = (SAME,) * 4 + (404,) * 3 + (SAME, SAME)  # the row's object is inside the meeting
# MEX and CAN object to adoption; the PPT has no objection to withdraw.
DROP_ADOPTION_OBJECTION = (409, 200, 200, 403, 403, 403, 403, 403, 401)

MATRIX: list[Row] = [
    # --- open to everyone, meeting-independent --------------------------------
    Row(
        "token",
        "POST",
        lambda c: "/api/auth/token/",
        (200,) * 9,
        write=True,
        events=0,
        body=lambda c, r: {"username": c.world.users[r or "ppt"].username, "password": "pw"},
        on_success=_token_ok,
    ),
    Row(
        "token",
        "DELETE",
        lambda c: "/api/auth/token/",
        (204,) * 8 + (401,),
        write=True,
        events=0,
        on_success=_token_gone,
    ),
    Row("token-list", "GET", lambda c: "/api/auth/tokens/", R200),
    Row(
        "token-detail",
        "DELETE",
        lambda c: f"/api/auth/tokens/{ApiToken.objects.filter(user=c.world.users['mex']).first().pk}/",
        (404, 204) + (404,) * 6 + (401,),  # Mexico's own token, nobody else's
        setup=_with_mex_token,
        write=True,
        events=0,
        on_success=_mex_token_gone,
    ),
    Row("lockout-list", "GET", lambda c: "/api/auth/lockouts/", R200),
    Row(
        "lockout-reset",
        "POST",
        lambda c: "/api/auth/lockouts/reset/",
        (403,) * 7 + (200, 401),
        write=True,
        events=1,
        body=lambda c, r: {"username": c.world.users["mex"].username},
        on_success=_lockout_reset_ok,
    ),
    Row("me", "GET", lambda c: "/api/me/", R200),
    Row("health", "GET", lambda c: "/api/health/", (200,) * 9),
    Row("schema", "GET", lambda c: "/api/schema/", (200,) * 9),
    Row("docs", "GET", lambda c: "/api/docs/", (200,) * 9),
    Row("delegation-list", "GET", lambda c: "/api/delegations/", L_OPEN, probe=lambda c: c.world.delegations["SLV"].pk),
    Row(
        "delegation-detail",
        "GET",
        lambda c: f"/api/delegations/{c.world.delegations['MEX'].pk}/",
        R200,
        detail=lambda c: ("id", c.world.delegations["MEX"].pk),
    ),
    # --- the library of agreed language: read by anyone signed in, curated by the TS ---
    Row("library-search", "GET", lambda c: "/api/library/?q=migration", R200),
    Row(
        "library-statement",
        "GET",
        lambda c: f"/api/library/{_library_statement()}/",
        R200,
        detail=lambda c: ("id", _library_statement()),
    ),
    Row(
        "library-statement",
        "PATCH",
        lambda c: f"/api/library/{_library_statement()}/",
        (403,) * 7 + (200, 401),
        write=True,
        body=lambda c, r: {"category": "commitment"},
        on_success=_library_edited,
    ),
    # --- meeting-scoped reads -----------------------------------------------
    Row("meeting-list", "GET", lambda c: "/api/meetings/", L_OPEN, L_CLOSED, probe=lambda c: c.world.meeting.pk),
    Row(
        "meeting-detail",
        "GET",
        lambda c: f"/api/meetings/{c.world.meeting.pk}/",
        R200,
        D_CLOSED,
        detail=lambda c: ("id", c.world.meeting.pk),
    ),
    Row("declaration-list", "GET", lambda c: "/api/declarations/", L_OPEN, L_CLOSED, probe=_d),
    Row(
        "declaration-detail",
        "GET",
        lambda c: f"/api/declarations/{_d(c)}/",
        R200,
        D_CLOSED,
        detail=lambda c: ("id", _d(c)),
    ),
    Row(
        "declaration-revisions",
        "GET",
        lambda c: f"/api/declarations/{_d(c)}/revisions/",
        L_OPEN,
        L_CLOSED_SCOPED,
        probe=lambda c: c.world.revision.pk,
    ),
    Row(
        "declaration-text",
        "GET",
        lambda c: f"/api/declarations/{_d(c)}/text/",
        R200,
        D_CLOSED,
        detail=lambda c: ("id", c.world.revision.pk),
    ),
    Row(
        "declaration-working-text",
        "GET",
        lambda c: f"/api/declarations/{_d(c)}/working-text/",
        R200,
        D_CLOSED,
        detail=lambda c: ("declaration", _d(c)),
    ),
    Row(
        "declaration-adoption",
        "GET",
        lambda c: f"/api/declarations/{_d(c)}/adoption/",
        R200,
        D_CLOSED,
        setup=_in_session,
        detail=lambda c: ("id", _a(c).pk),
    ),
    Row(
        "declaration-statements",
        "GET",
        lambda c: f"/api/declarations/{_d(c)}/statements/",
        L_OPEN,
        L_CLOSED_SCOPED,
        setup=_in_session_with_statement,
        probe=lambda c: Statement.objects.get().pk,
    ),
    Row(
        "declaration-record",
        "GET",
        lambda c: f"/api/declarations/{_d(c)}/record/",
        L_OPEN,
        L_CLOSED_SCOPED,
        probe=_last_event_id,
    ),
    # what changed from the zero draft to Rev.1 (on the agreed world, which has both)
    Row(
        "declaration-diff",
        "GET",
        lambda c: f"/api/declarations/{_d(c)}/diff/",
        R200,
        D_CLOSED,
        setup=_agreed,
        detail=lambda c: ("declaration", _d(c)),
    ),
    Row("revision-list", "GET", lambda c: "/api/revisions/", L_OPEN, L_CLOSED, probe=lambda c: c.world.revision.pk),
    Row(
        "revision-detail",
        "GET",
        lambda c: f"/api/revisions/{c.world.revision.pk}/",
        R200,
        D_HIDDEN,
        detail=lambda c: ("id", c.world.revision.pk),
    ),
    # the proposals a text summarises, paged (issue 18): readable as the text is
    Row(
        "revision-proposals",
        "GET",
        lambda c: f"/api/revisions/{c.world.revision.pk}/proposals/",
        L_OPEN,
        (LISTED,) * 4 + (404,) * 3 + (LISTED, 401),  # inside a revision of a members-only meeting: 404 (issue 13)
        setup=_with_proposal,
        probe=lambda c: _p(c).pk,
    ),
    Row(
        "paragraph-detail",
        "GET",
        lambda c: f"/api/paragraphs/{_last_paragraph(c)}/",
        R200,
        D_HIDDEN,
        detail=lambda c: ("id", _last_paragraph(c)),
    ),
    Row(
        "proposal-list",
        "GET",
        lambda c: "/api/proposals/",
        L_OPEN,
        L_CLOSED,
        setup=_with_proposal,
        probe=lambda c: _p(c).pk,
    ),
    Row(
        "proposal-detail",
        "GET",
        lambda c: f"/api/proposals/{_p(c).pk}/",
        R200,
        D_HIDDEN,
        setup=_with_proposal,
        detail=lambda c: ("id", _p(c).pk),
    ),
    Row(
        "proposal-diff",
        "GET",
        lambda c: f"/api/proposals/{_p(c).pk}/diff/",
        R200,
        D_HIDDEN,
        setup=_with_proposal,
        detail=lambda c: ("proposal", _p(c).pk),
    ),
    Row("event-list", "GET", lambda c: "/api/events/", L_OPEN, L_CLOSED, probe=_last_event_id),
    # --- exports: whoever reads a draft may have it rendered ----------------------
    Row(
        "export-list",
        "POST",
        lambda c: "/api/exports/",
        (201,) * 8 + (401,),
        OBSERVERS,
        write=True,
        events=0,  # not a negotiation act (see drafting/services/export_jobs.py)
        body=lambda c, r: {"declaration": c.world.declaration.pk, "kind": "compilation"},
        on_success=_export_queued,
    ),
    Row(
        "export-list",
        "GET",
        lambda c: "/api/exports/",
        L_OPEN,
        L_CLOSED,
        setup=_with_export,
        probe=lambda c: _e(c).pk,
    ),
    Row(
        "export-detail",
        "GET",
        lambda c: f"/api/exports/{_e(c).pk}/",
        R200,
        D_HIDDEN,
        setup=_with_export,
        detail=lambda c: ("id", _e(c).pk),
    ),
    # Not rendered yet: 409 (with Retry-After) to every reader.
    Row(
        "export-file",
        "GET",
        lambda c: f"/api/exports/{_e(c).pk}/file/",
        (409,) * 8 + (401,),
        (409,) * 4 + (404,) * 3 + (409, 401),
        setup=_with_export,
    ),
    # --- imports: the Secretariat's alone ---------------------------------------
    Row(
        "import-list",
        "POST",
        lambda c: "/api/imports/",
        TS_ONLY,
        TS_ONLY,
        write=True,
        body=lambda c, r: {"meeting": c.world.meeting.pk, "text": IMPORTED},
        on_success=_import_queued,
    ),
    Row(
        "import-detail",
        "GET",
        lambda c: f"/api/imports/{_i(c).pk}/",
        (403,) * 7 + (200, 401),
        (403,) * 4 + (404,) * 3 + (200, 401),
        setup=_with_import,
        detail=lambda c: ("id", _i(c).pk),
    ),
    Row(
        "import-corrections",
        "POST",
        lambda c: f"/api/imports/{_i(c).pk}/corrections/",
        (403,) * 7 + (200, 401),
        (403,) * 4 + (404,) * 3 + (200, 401),
        setup=_with_ready_import,
        write=True,
        events=1,  # import.corrected
        body=lambda c, r: {"operations": [{"op": "set_title", "lines": ["DECLARATION OF SAN JOSÉ", "Rev."]}]},
        on_success=_import_corrected,
    ),
    Row(
        "import-confirm",
        "POST",
        lambda c: f"/api/imports/{_i(c).pk}/confirm/",
        (403,) * 7 + (200, 401),
        (403,) * 4 + (404,) * 3 + (200, 401),
        setup=_with_ready_import,
        write=True,
        events=3,  # declaration.created, revision.issued, import.confirmed
        body=lambda c, r: {},
        on_success=_import_confirmed,
    ),
    # --- texts: the Secretariat and the chair ------------------------------
    Row(
        "declaration-list",
        "POST",
        lambda c: "/api/declarations/",
        TS_ONLY,
        TS_ONLY,
        write=True,
        body=lambda c, r: {"meeting": c.world.meeting.pk, "title": "Second declaration"},
        on_success=_declaration_made,
    ),
    Row(
        "declaration-revisions",
        "POST",
        lambda c: f"/api/declarations/{_d(c)}/revisions/",
        TS_ONLY,
        OBSERVERS,
        write=True,
        body=lambda c, r: {"sections": zero_draft(1, 1)},
        on_success=_revision_made,
    ),
    Row(
        "declaration-next-revision",
        "POST",
        lambda c: f"/api/declarations/{_d(c)}/revisions/next/",
        PPT_OR_TS,
        OBSERVERS,
        write=True,
        body=lambda c, r: {"note": "After the first reading."},
        on_success=_revision_made,
    ),
    Row(
        "paragraph-transition",
        "POST",
        lambda c: f"/api/paragraphs/{_last_paragraph(c)}/transition/",
        PPT_ONLY,
        (200,) + (403,) * 3 + (404,) * 3 + (403, 401),
        write=True,
        body=lambda c, r: {"action": "open"},
        on_success=_paragraph_moved,
    ),
    # --- the live room: "now discussing", agreeing the uncontested in one step --
    Row(
        "declaration-discussing",
        "POST",
        lambda c: f"/api/declarations/{_d(c)}/discussing/",
        PPT_ONLY,
        PPT_ONLY,
        write=True,
        body=lambda c, r: {"paragraph": _last_paragraph(c)},
        on_success=_discussing,
    ),
    Row(
        "agree-uncontested",
        "POST",
        lambda c: f"/api/declarations/{_d(c)}/agree-uncontested/",
        PPT_ONLY,
        PPT_ONLY,
        write=True,
        body=lambda c, r: {},
        on_success=_all_agreed,
        events=6,  # one per paragraph of the zero draft, none contested
    ),
    # --- setting the meeting up: its Technical Secretariat ---------------------
    Row(
        "meeting-setup",
        "POST",
        lambda c: f"/api/meetings/{c.world.meeting.pk}/setup/",
        TS_READS,
        TS_READS,
        write=True,
        body=lambda c, r: {"silence_hours": 48},
        on_success=_set_up,
    ),
    # --- the other language (issue 15): the Technical Secretariat (or a translator it names)
    Row(
        "declaration-translations",
        "GET",
        lambda c: f"/api/declarations/{_d(c)}/translations/",
        (200,) * 8 + (401,),
        (200,) * 4 + (403,) * 3 + (200, 401),
    ),
    Row(
        "paragraph-translation",
        "POST",
        lambda c: f"/api/paragraphs/{_last_paragraph(c)}/translation/",
        TS_READS,
        (403,) * 4 + (404,) * 3 + (200, 401),  # a paragraph inside a members-only meeting: 404 (issue 13)
        write=True,
        body=lambda c, r: {
            "text_version": Paragraph.objects.get(pk=_last_paragraph(c)).text_version,
            "text": f"Promover una migración segura, ordenada y regular ({r}).",
        },
        on_success=_translated,
    ),
    Row(
        "meeting-translators",
        "POST",
        lambda c: f"/api/meetings/{c.world.meeting.pk}/translators/",
        TS_READS,
        TS_READS,
        write=True,
        body=lambda c, r: {"username": c.world.users["can"].username},
        on_success=_translator_named,
    ),
    # --- delegates' accounts: the meeting's Technical Secretariat -------------
    Row("meeting-accounts", "GET", _accounts, TS_READS, TS_READS),
    Row(
        "meeting-accounts",
        "POST",
        _accounts,
        TS_ONLY,
        TS_ONLY,
        write=True,
        body=lambda c, r: {"delegation": "CAN", "username": f"can.new.{r}"},
        on_success=_account_made,
    ),
    Row(
        "account-reset",
        "POST",
        lambda c: _accounts(c, f"{c.world.users['can'].pk}/reset/"),
        TS_READS,
        TS_READS,
        write=True,
        on_success=_password_new,
    ),
    Row(
        "account-deactivate",
        "POST",
        lambda c: _accounts(c, f"{c.world.users['can'].pk}/deactivate/"),
        TS_READS,
        TS_READS,
        write=True,
        on_success=_deactivated,
    ),
    # --- negotiating: proposals, positions, objections ----------------------
    Row(
        "proposal-list",
        "POST",
        lambda c: "/api/proposals/",
        PROPOSE,
        PROPOSE,
        write=True,
        body=_proposal_body,
        on_success=_proposal_made,
    ),
    Row(
        "library-propose",
        "POST",
        lambda c: f"/api/library/{_library_statement()}/propose/",
        PROPOSE,
        PROPOSE,
        write=True,
        body=_proposal_body,
        on_success=_proposal_made,
        events=2,  # proposal.submitted, proposal.cites_agreed_language
    ),
    Row(
        "proposal-withdraw",
        "POST",
        lambda c: f"/api/proposals/{_p(c).pk}/withdraw/",
        WITHDRAW,
        OBSERVERS_HIDDEN,
        setup=_with_proposal,
        write=True,
        on_success=_status_is("withdrawn"),
    ),
    Row(
        "proposal-support",
        "POST",
        lambda c: f"/api/proposals/{_p(c).pk}/support/",
        TAKE_POSITION,
        OBSERVERS_HIDDEN,
        setup=_with_proposal,
        write=True,
        body=lambda c, r: {},
        on_success=_stance_is("support"),
    ),
    Row(
        "proposal-object",
        "POST",
        lambda c: f"/api/proposals/{_p(c).pk}/object/",
        TAKE_POSITION,
        OBSERVERS_HIDDEN,
        setup=_with_proposal,
        write=True,
        body=_reason,
        on_success=_stance_is("object"),
    ),
    Row(
        "proposal-position",
        "DELETE",
        lambda c: f"/api/proposals/{_p(c).pk}/position/",
        DROP_POSITION,
        OBSERVERS_HIDDEN,
        setup=_with_proposal,
        write=True,
        on_success=_position_gone,
    ),
    # accepting also writes the paragraph's new wording to the working text: two events
    Row(
        "proposal-accept",
        "POST",
        lambda c: f"/api/proposals/{_p(c).pk}/accept/",
        PPT_ONLY,
        OBSERVERS_HIDDEN,
        setup=_with_supported_proposal,
        write=True,
        body=_decision_body,
        on_success=_status_is("accepted"),
        events=2,
    ),
    Row(
        "proposal-reject",
        "POST",
        lambda c: f"/api/proposals/{_p(c).pk}/reject/",
        PPT_ONLY,
        OBSERVERS_HIDDEN,
        setup=_with_proposal,
        write=True,
        body=_decision_body,
        on_success=_status_is("rejected"),
    ),
    Row(
        "paragraph-object",
        "POST",
        lambda c: f"/api/paragraphs/{_last_paragraph(c)}/object/",
        NEGOTIATE_201,
        OBSERVERS_HIDDEN,
        write=True,
        body=_reason,
        on_success=_paragraph_objected,
    ),
    Row(
        "paragraph-objection",
        "DELETE",
        lambda c: f"/api/paragraphs/{_last_paragraph(c)}/objection/",
        DROP_PARAGRAPH_OBJECTION,
        OBSERVERS_HIDDEN,
        setup=_with_paragraph_objections,
        write=True,
        on_success=_paragraph_objection_gone,
    ),
    # --- adoption ------------------------------------------------------------
    Row(
        "declaration-adoption",
        "POST",
        lambda c: f"/api/declarations/{_d(c)}/adoption/",
        PPT_ONLY_201,
        OBSERVERS,
        setup=_agreed,
        write=True,
        body=lambda c, r: {"revision": c.revision.pk if c.revision else 0, "method": "in_session"},
        on_success=_adoption_is("pending", "in_adoption"),
    ),
    Row(
        "adoption-object",
        "POST",
        lambda c: f"/api/declarations/{_d(c)}/adoption/object/",
        NEGOTIATE,
        OBSERVERS,
        setup=_in_session,
        write=True,
        body=_reason,
        on_success=_adoption_objection_by_role(True),
    ),
    Row(
        "adoption-objection",
        "DELETE",
        lambda c: f"/api/declarations/{_d(c)}/adoption/objection/",
        DROP_ADOPTION_OBJECTION,
        OBSERVERS,
        setup=_in_session_objected,
        write=True,
        on_success=_adoption_objection_by_role(False),
    ),
    Row(
        "adoption-adopt",
        "POST",
        lambda c: f"/api/declarations/{_d(c)}/adoption/adopt/",
        PPT_ONLY,
        OBSERVERS,
        setup=_in_session,
        write=True,
        on_success=_adoption_is("adopted", "adopted"),
        events=2,  # declaration.adopted, library.filed (its decisions enter the library)
    ),
    Row(
        "adoption-withdraw",
        "POST",
        lambda c: f"/api/declarations/{_d(c)}/adoption/withdraw/",
        PPT_ONLY,
        OBSERVERS,
        setup=_in_session,
        write=True,
        on_success=_adoption_is("withdrawn", "drafting"),
    ),
    Row(
        "silence-break",
        "POST",
        lambda c: f"/api/declarations/{_d(c)}/adoption/break-silence/",
        ANY_MEMBER,
        OBSERVERS,
        setup=_silence,
        write=True,
        body=_reason,
        on_success=_silence_broken,
    ),
    Row(
        "declaration-statements",
        "POST",
        lambda c: f"/api/declarations/{_d(c)}/statements/",
        ANY_MEMBER_201,
        OBSERVERS,
        setup=_in_session,
        write=True,
        body=lambda c, r: {"kind": "explanation", "text": f"{r} explains its position."},
        on_success=_statement_made,
    ),
]

AGREED_SETUPS = {_agreed, _in_session, _in_session_objected, _in_session_with_statement, _silence}

# Endpoints that do not depend on a meeting: a members-only meeting changes nothing for them.
MEETING_INDEPENDENT = {
    "token",
    "token-list",
    "token-detail",
    "lockout-list",
    "lockout-reset",
    "me",
    "health",
    "schema",
    "docs",
    "delegation-list",
    "delegation-detail",
}
MEETING_INDEPENDENT |= {"library-search", "library-statement"}  # the library belongs to no meeting


def _cases(which: str, *, agreed: bool) -> list[Any]:
    cases = []
    for row in MATRIX:
        if row.on_agreed_text is not agreed:
            continue
        expected = row.open if which == "open" else row.closed
        if expected is None:
            continue
        for role, cell in zip(ROLE_COLUMNS, expected, strict=True):
            if cell == SAME:
                continue
            marks = [pytest.mark.xfail(strict=True, reason=cell.reason)] if isinstance(cell, Bug) else []
            status = cell.status if isinstance(cell, Bug) else cell
            cases.append(
                pytest.param(row, role, status, marks=marks, id=f"{row.name}:{row.method}:{role or 'anon'}->{status}")
            )
    return cases


# --- Running one cell --------------------------------------------------------------
def _state() -> dict[str, Any]:
    return {
        "proposals": list(Proposal.objects.order_by("id").values_list("id", "status", "version", "delegation_id")),
        "positions": list(Position.objects.order_by("id").values_list("id", "delegation_id", "stance", "reason")),
        "paragraphs": list(Paragraph.objects.order_by("id").values_list("id", "state", "version", "text")),
        "paragraph_objections": list(ParagraphObjection.objects.order_by("id").values_list("id", "delegation_id")),
        "adoptions": list(Adoption.objects.order_by("id").values_list("id", "status")),
        "adoption_objections": list(AdoptionObjection.objects.order_by("id").values_list("id", "delegation_id")),
        "statements": list(Statement.objects.order_by("id").values_list("id", "delegation_id")),
        "events": Event.objects.count(),
        "declarations": list(Declaration.objects.order_by("id").values_list("id", "version", "status")),
        "revisions": Revision.objects.count(),
        "tokens": sorted(ApiToken.objects.values_list("key", flat=True)),
        "exports": list(ExportJob.objects.order_by("id").values_list("id", "status")),
    }


def _read_state() -> tuple[int, list[int]]:
    """Enough to see that a read wrote: every write records an event or bumps a version."""
    return Event.objects.count(), list(Declaration.objects.order_by("id").values_list("version", flat=True))


def _request(client: Any, row: Row, ctx: Ctx, role: str | None) -> Any:
    url = row.path(ctx)
    body = row.body(ctx, role) if row.body else None
    call = getattr(client, row.method.lower())
    return call(url, body, format="json") if body is not None else call(url)


def assert_error_body(response: Any, status: int) -> None:
    body = response.json()
    if status == 401:
        assert body == {
            "error": "not_authenticated",
            "detail": "Authentication credentials were not provided.",
            "fields": {},
        }
        assert response["WWW-Authenticate"] == "Token"
    elif status == 403:
        assert set(body) == {"error", "detail", "fields"}, body
        assert body["error"] == "forbidden" and body["fields"] == {}
        assert isinstance(body["detail"], str) and len(body["detail"]) > 10
    elif status == 404:
        assert body["error"] == "not_found" and body["detail"] and body["fields"] == {}
    elif status == 409:
        assert body["error"] == "conflict" and body["detail"]
    else:  # pragma: no cover - the tables only hold the statuses above
        raise AssertionError(f"no body rule for {status}")


def run_cell(world: World, row: Row, role: str | None, expected: int | str) -> None:
    # Given the world (and whatever the row needs: a proposal, an adoption …)
    ctx = row.setup(world)
    client = world.client(role)
    state: Callable[[], Any] = _state if row.write else _read_state
    before = state()
    # When the role calls the endpoint
    response = _request(client, row, ctx, role)
    # Then the status is exactly the one in the table
    status = 200 if expected in (LISTED, HIDDEN) else int(expected)
    assert response.status_code == status, (response.status_code, getattr(response, "data", response.content))
    if status >= 400:
        assert_error_body(response, status)
    # and the state changed only by a permitted write
    after = state()
    if row.write and status < 300:
        assert after["events"] == before["events"] + row.events
        if row.events:
            assert after != before
        assert row.on_success is not None
        row.on_success(ctx, role, response.json() if response.content else None)
    else:
        assert after == before, "a refused write or a read changed the database"
    # and what a reader gets is the right thing
    if status == 200 and row.method == "GET":
        if row.name == "docs":
            assert response["Content-Type"].startswith("text/html")
        elif row.name == "schema":
            assert response.content.startswith(b"openapi: 3.")
        else:
            body = response.json()
            if row.probe is not None:
                ids = [item["id"] for item in body["results"]]
                if expected == HIDDEN:
                    # the only meeting there is closed to this role: nothing of it leaks
                    assert row.probe(ctx) not in ids
                    assert body["count"] == 0 and ids == []
                else:
                    assert row.probe(ctx) in ids
            if row.detail is not None:
                key, value = row.detail(ctx)
                assert body[key] == value


# One world per class, not per cell: building a world costs more than most cells,
# and the matrix has hundreds. Each cell still starts from exactly that world:
# pytest-django runs every test in a savepoint inside the class's transaction
# and rolls it back, so nothing a cell does (tokens, setups, writes) is seen by
# the next; the class's transaction is rolled back at the end.
def _shared_world(django_db_blocker: Any, *, agreed: bool = False, **kwargs: Any) -> Iterator[World]:
    # (the conftest's fast hasher is function-scoped; this world is built before it applies)
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), transaction.atomic():
        with fast:
            world = build_world(**kwargs)
        if agreed:
            agree_and_issue(world)
        world.declaration.refresh_from_db()
        yield world
        transaction.set_rollback(True)


MEMBERS_ONLY: dict[str, Any] = {"members_only": True, "title": "Members-only consultation"}


@pytest.fixture(scope="class")
def open_world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    yield from _shared_world(django_db_blocker)


@pytest.fixture(scope="class")
def members_only_world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    yield from _shared_world(django_db_blocker, **MEMBERS_ONLY)


@pytest.fixture(scope="class")
def open_agreed_world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    yield from _shared_world(django_db_blocker, agreed=True)


@pytest.fixture(scope="class")
def members_only_agreed_world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    yield from _shared_world(django_db_blocker, agreed=True, **MEMBERS_ONLY)


@pytest.mark.django_db
class TestOpenMeetingAdoption:
    @pytest.mark.parametrize(("row", "role", "expected"), _cases("open", agreed=True))
    def test_cell(self, open_agreed_world: World, row: Row, role: str | None, expected: int | str) -> None:
        run_cell(open_agreed_world, row, role, expected)

    def test_cells_do_not_leak_into_each_other(self, open_agreed_world: World) -> None:
        # After every adoption cell: still Rev.1 agreed, nothing put to adoption, nothing on record.
        assert not Adoption.objects.exists() and not Statement.objects.exists() and not ApiToken.objects.exists()
        assert Declaration.objects.get().status == "drafting"
        assert list(Revision.objects.values_list("label", flat=True)) == ["Zero draft", "Rev.1"]


@pytest.mark.django_db
class TestMembersOnlyMeetingAdoption:
    @pytest.mark.parametrize(("row", "role", "expected"), _cases("closed", agreed=True))
    def test_cell(self, members_only_agreed_world: World, row: Row, role: str | None, expected: int | str) -> None:
        run_cell(members_only_agreed_world, row, role, expected)


@pytest.mark.django_db
class TestMembersOnlyMeeting:
    @pytest.mark.parametrize(("row", "role", "expected"), _cases("closed", agreed=False))
    def test_cell(self, members_only_world: World, row: Row, role: str | None, expected: int | str) -> None:
        run_cell(members_only_world, row, role, expected)


@pytest.mark.django_db
class TestOpenMeeting:
    @pytest.mark.parametrize(("row", "role", "expected"), _cases("open", agreed=False))
    def test_cell(self, open_world: World, row: Row, role: str | None, expected: int | str) -> None:
        run_cell(open_world, row, role, expected)

    def test_cells_do_not_leak_into_each_other(self, open_world: World) -> None:
        # Runs after every cell above: the shared world is still exactly the fresh
        # world, with no proposal, token, adoption or extra event left by a cell.
        assert not Proposal.objects.exists() and not ApiToken.objects.exists() and not Adoption.objects.exists()
        assert [e.verb for e in Event.objects.order_by("id")] == ["declaration.created", "revision.issued"]
        assert Declaration.objects.get().version == open_world.declaration.version


# --- The matrix is complete ------------------------------------------------------------
HTTP_METHODS = ("get", "post", "put", "patch", "delete")


def _served(patterns: list[Any], names: set[str] | None = None) -> set[tuple[str, str]]:
    out = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver) or not isinstance(pattern, URLPattern):
            continue
        if names is not None and pattern.name not in names:
            continue
        view = pattern.callback.view_class  # type: ignore[attr-defined]
        for method in HTTP_METHODS:
            if hasattr(view, method):
                out.add((str(pattern.name), method.upper()))
    return out


def test_the_matrix_covers_every_url_and_method() -> None:
    served = _served(api_urls.urlpatterns) | _served(root_urls.urlpatterns, names={"schema", "docs"})
    in_matrix = {(row.name, row.method) for row in MATRIX}
    assert {name for name, _ in served} >= {p.name for p in api_urls.urlpatterns}
    assert in_matrix == served, {"missing rows": served - in_matrix, "stale rows": in_matrix - served}
    # No row is counted twice, and every meeting-scoped row says what a members-only meeting does.
    assert len(in_matrix) == len(MATRIX)
    for row in MATRIX:
        assert (row.closed is None) == (row.name in MEETING_INDEPENDENT), row
        assert (row.probe is not None) == (LISTED in row.open), row


# --- The refusals, one at a time, with their reasons -----------------------------------
@pytest.mark.django_db
def test_a_delegation_cannot_withdraw_another_delegations_proposal(world: World) -> None:
    # Given MEX's proposal
    ctx = _with_proposal(world)
    client = world.client("can")
    before = _state()
    # When Canada (a present member) tries to withdraw it
    response = client.post(f"/api/proposals/{_p(ctx).pk}/withdraw/")
    # Then it is refused, and the proposal is still pending
    assert response.status_code == 403
    assert response.json() == {
        "error": "forbidden",
        "detail": "Only the proposing delegation may withdraw its proposal.",
        "fields": {},
    }
    assert _state() == before
    assert Proposal.objects.get(pk=_p(ctx).pk).status == "submitted"


@pytest.mark.django_db
@pytest.mark.parametrize("stance", ["support", "object"])
def test_a_delegation_cannot_take_a_position_on_its_own_proposal(world: World, stance: str) -> None:
    # Given MEX's proposal
    ctx = _with_proposal(world)
    client = world.client("mex")
    before = _state()
    # When a MEX user supports or objects to it
    response = client.post(f"/api/proposals/{_p(ctx).pk}/{stance}/", {"reason": "Because."})
    # Then it is refused and no position is recorded
    assert response.status_code == 403
    assert response.json() == {
        "error": "forbidden",
        "detail": "A delegation does not support or object to its own proposal.",
        "fields": {},
    }
    assert _state() == before


@pytest.mark.django_db
def test_a_user_proposes_only_for_their_own_delegation(world: World) -> None:
    # Given a MEX user who names Canada as the proposer in the body
    body = {**_proposal_body(Ctx(world), "mex"), "delegation": world.delegations["CAN"].pk, "author": "can"}
    # When they propose
    response = world.client("mex").post("/api/proposals/", body, format="json")
    # Then the proposal is Mexico's, by that user
    assert response.status_code == 201
    assert response.json()["delegation"]["code"] == "MEX"
    assert response.json()["author"] == world.users["mex"].username
    assert not Proposal.objects.filter(delegation__code="CAN").exists()


@pytest.mark.django_db
def test_a_position_is_recorded_for_the_callers_delegation_only(world: World) -> None:
    # Given MEX's proposal on which Canada objects
    ctx = _with_proposal(world)
    # When Canada supports it while naming Nicaragua in the body
    response = world.client("can").post(f"/api/proposals/{_p(ctx).pk}/support/", {"delegation": "NIC"}, format="json")
    # Then Canada's objection became support, and Nicaragua has no position
    assert response.status_code == 200
    positions = {p["delegation"]: p["stance"] for p in response.json()["positions"]}
    assert positions == {"SLV": "support", "CAN": "support"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "detail"),
    [
        (
            "nic",
            "The delegation of Nic is not registered as present at this meeting, so it cannot make proposals here.",
        ),
        ("arg", "Only member state delegations may make proposals; observers read and comment."),
        ("iom", "Only member state delegations may make proposals; observers read and comment."),
        ("rncom", "Only member state delegations may make proposals; observers read and comment."),
        ("ts", "Only member state delegations may make proposals; observers read and comment."),
    ],
    ids=["nic", "arg", "iom", "rncom", "ts"],
)
def test_a_refused_proposal_says_why(world: World, role: str, detail: str) -> None:
    client = world.client(role)
    before = _state()
    response = client.post("/api/proposals/", _proposal_body(Ctx(world), role), format="json")
    assert response.status_code == 403
    assert response.json() == {"error": "forbidden", "detail": detail, "fields": {}}
    assert _state() == before


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["arg", "iom", "rncom"])
def test_a_members_only_meeting_tells_observers_why(closed_world: World, role: str) -> None:
    response = closed_world.client(role).get(f"/api/declarations/{closed_world.declaration.pk}/text/")
    assert response.status_code == 403
    assert response.json() == {
        "error": "forbidden",
        "detail": "This meeting is open to member states only.",
        "fields": {},
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "url", "detail"),
    [
        ("ppt", "/api/declarations/", "Only the Technical Secretariat of this meeting may create declarations."),
        ("ts", "accept", "Only the Presidency Pro-Tempore may accept or reject proposals."),
        ("mex", "accept", "Only the Presidency Pro-Tempore may accept or reject proposals."),
    ],
    ids=["ppt-creates-declaration", "ts-accepts", "mex-accepts"],
)
def test_chair_and_secretariat_refusals_say_why(world: World, role: str, url: str, detail: str) -> None:
    ctx = _with_proposal(world)
    if url == "accept":
        response = world.client(role).post(
            f"/api/proposals/{_p(ctx).pk}/accept/", {"version": _p(ctx).version}, format="json"
        )
    else:
        response = world.client(role).post(url, {"meeting": world.meeting.pk, "title": "T"}, format="json")
    assert response.status_code == 403
    assert response.json() == {"error": "forbidden", "detail": detail, "fields": {}}


@pytest.mark.django_db
def test_a_bad_token_is_401_not_anonymous(world: World) -> None:
    client = world.client(None)
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = client.get("/api/me/")
    assert response.status_code == 401
    assert response.json() == {"error": "authentication_failed", "detail": "Invalid token.", "fields": {}}


@pytest.mark.django_db
def test_the_secretariat_of_one_meeting_cannot_write_in_another(world: World) -> None:
    # Given a second meeting, with its own Secretariat staff
    other = build_world(title="Second meeting")
    client = world.client("ts")  # staff of the first meeting only
    before = _state()
    # When the first meeting's TS creates a declaration or issues a revision there
    created = client.post("/api/declarations/", {"meeting": other.meeting.pk, "title": "T"}, format="json")
    issued = client.post(
        f"/api/declarations/{other.declaration.pk}/revisions/", {"sections": zero_draft(1, 1)}, format="json"
    )
    # Then both are refused (it may still read: the Secretariat reads every meeting)
    assert (created.status_code, issued.status_code) == (403, 403)
    assert created.json() == {
        "error": "forbidden",
        "detail": "Only the Technical Secretariat of this meeting may create declarations.",
        "fields": {},
    }
    assert issued.json() == {
        "error": "forbidden",
        "detail": "Only the Technical Secretariat of this meeting may issue revisions.",
        "fields": {},
    }
    assert _state() == before
    assert client.get(f"/api/declarations/{other.declaration.pk}/text/").status_code == 200


@pytest.mark.django_db
def test_the_chair_of_one_meeting_does_not_chair_another(world: World) -> None:
    # Given a second meeting chaired by Mexico, with a Canadian proposal in it
    other = build_world(title="Second meeting")
    other.meeting.ppt = other.delegations["MEX"]
    other.meeting.save()
    proposal = services.proposal_submit(
        actor=other.users["can"],
        declaration=other.declaration,
        revision_id=other.revision.pk,
        paragraph_id=other.paragraph_ids()[-1],
        kind="delete",
    )
    slv, mex = world.client("ppt"), world.client("mex")
    before = _state()
    # When El Salvador (PPT of the first meeting) accepts it, it is refused
    refused = slv.post(f"/api/proposals/{proposal.pk}/accept/", {"version": 1}, format="json")
    assert refused.status_code == 403 and refused.json()["error"] == "forbidden"
    assert _state() == before
    # and Mexico, who chairs this one, may
    accepted = mex.post(f"/api/proposals/{proposal.pk}/accept/", {"version": 1}, format="json")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
