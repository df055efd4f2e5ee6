"""Access control as a generated matrix: every URL pattern of backend/api/urls.py
× every HTTP method its view serves × every role × objects that are not the
role's own, with 0 unauthorised successes.

tests/test_api_permissions.py states, cell by cell, what each role gets in its
own meeting. This one asks the attacker's question instead, generated from the
URL list (an endpoint with no rule below fails ``test_every_endpoint_has_a_rule``):

- **another meeting**: a members-only meeting chaired by Guatemala, with only
  Guatemala and Panama present and its own Secretariat; none of our roles takes
  part in it. Observers and civil society must not read anything of it (detail
  reads 401/403/404, lists leave it out); nobody of ours may propose, support,
  object, withdraw, moderate (accept, reject, move paragraphs, issue revisions,
  put to adoption) or prepare texts there. What every member state may do in any
  meeting (read; break silence and put statements on record at adoption, see
  the README) and what every reader may do (ask for an export) stays allowed.
- **another delegation's objects** in our own open meeting: a proposal by
  another delegation, with positions and a paragraph objection of other
  delegations on it. Only the proposer withdraws; only the PPT accepts or
  rejects; and whatever a role does, no row of another delegation (its
  positions, objections, statements, proposals) changes unless the PPT
  moderated.

Each write is also sent by the one who *may* do it (the other meeting's own
PPT, member or Secretariat; the proposer), which must succeed: so a refusal
above is about who asks, not about the state of the object.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.test import override_settings
from django.urls import URLPattern
from django.utils import timezone
from rest_framework.test import APIClient

from backend.api import urls as api_urls
from drafting import services
from drafting.models import (
    Adoption,
    AdoptionObjection,
    ApiToken,
    Declaration,
    Delegation,
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
from tests.conftest import ROLES, World, bilingual, build_world, zero_draft
from tests.factories import DelegateFactory, DelegationFactory, MeetingFactory

K = Delegation.Kind
ALL_ROLES: tuple[str | None, ...] = (*ROLES, None)
MEMBERS = frozenset({"ppt", "mex", "can", "nic"})
READERS_OF_A_MEMBERS_ONLY_MEETING = MEMBERS | {"ts"}  # the Secretariat delegation reads every meeting
HTTP_METHODS = ("get", "post", "put", "patch", "delete")


# --- The two targets --------------------------------------------------------------------
@dataclass
class Side:
    """One meeting's objects the rules point at."""

    declaration: Declaration  # drafting, with a proposal, positions and an objection
    revision: Revision
    ready: Declaration  # agreed and issued: may be put to adoption
    in_session: Declaration  # put to adoption in session, with objections and a statement
    clean_session: Declaration  # put to adoption in session, no objection: may be adopted
    silence: Declaration  # circulated under silence
    export: ExportJob
    import_job: ImportJob  # read, ready to be confirmed
    proposals: dict[str, Proposal]  # by delegation code
    objected_paragraph: int
    users: dict[str, Any]  # legitimate actors of this meeting: ppt, member, ts, by code


@dataclass
class Stage:
    home: World
    ours: Side  # our open meeting: other delegations' objects
    theirs: Side  # the members-only meeting none of our roles takes part in


def _adoptable(actor: Any, meeting: Any, title: str) -> Declaration:
    declaration = services.declaration_create(actor=actor, meeting=meeting, title=title)
    # Both language versions current: adoptable without choosing the original language only (issue 15).
    services.revision_issue(actor=actor, declaration=declaration, sections=bilingual(zero_draft(1, 1)))
    Paragraph.objects.filter(declaration=declaration).update(state=State.AGREED)
    services.revision_issue_from_working_text(actor=actor, declaration=declaration)
    declaration.refresh_from_db()
    return declaration


def _side(
    meeting: Any, ts: Any, ppt: Any, members: dict[str, Any], declaration: Declaration, revision: Revision
) -> Side:
    """Proposals by each of two members (not the PPT), each objected to by the other and supported
    by the PPT; a paragraph objection by each; texts ready for adoption, in session (objected to by
    both, with a statement; and with no objection) and under silence; an export job."""
    (code_a, a), (code_b, b) = list(members.items())[:2]
    last = list(revision.paragraphs.order_by("position").values_list("paragraph_id", flat=True))
    proposals = {}
    for (code, user), (_, other), paragraph in zip(
        [(code_a, a), (code_b, b)], [(code_b, b), (code_a, a)], last[-2:], strict=True
    ):
        proposal = services.proposal_submit(
            actor=user,
            declaration=declaration,
            revision_id=revision.pk,
            paragraph_id=paragraph,
            kind="replace",
            text=f"Wording of {code}.",
        )
        services.position_set(actor=other, proposal=proposal, stance="object", reason="Not this.")
        services.position_set(actor=ppt, proposal=proposal, stance="support")
        proposals[code] = proposal
    objected = last[1]
    for user in (a, b):
        services.paragraph_object(actor=user, paragraph=Paragraph.objects.get(pk=objected), reason="Not yet.")
    ready = _adoptable(ts, meeting, "Text ready for adoption")
    in_session = _adoptable(ts, meeting, "Text in session")
    services.adoption_propose(actor=ppt, declaration=in_session, revision_id=in_session.revisions.get(number=1).pk)
    clean_session = _adoptable(ts, meeting, "Text in session, unopposed")
    services.adoption_propose(
        actor=ppt, declaration=clean_session, revision_id=clean_session.revisions.get(number=1).pk
    )
    for user in (a, b):
        services.adoption_object(actor=user, declaration=in_session, reason="Not yet.")
    services.statement_record(actor=a, declaration=in_session, kind="explanation", text="On record.")
    silence = _adoptable(ts, meeting, "Text under silence")
    services.silence_launch(
        actor=ppt,
        declaration=silence,
        revision_id=silence.revisions.get(number=1).pk,
        deadline=timezone.now() + datetime.timedelta(days=3),
    )
    export, _ = services.export_job_request(
        actor=ts, declaration_id=declaration.pk, kind="compilation", pdf_available=False, dispatch=lambda job: None
    )
    import_job = services.import_job_create(
        actor=ts,
        meeting=meeting,
        content=b"Declaration of the workshop\n\n1. Promote regular pathways.\n",
        filename="draft.txt",
        dispatch=lambda job: None,
    )
    services.import_job_run(job_id=import_job.pk)
    for d in (declaration, ready, in_session, clean_session, silence):
        d.refresh_from_db()
    return Side(
        declaration=declaration,
        revision=revision,
        ready=ready,
        in_session=in_session,
        clean_session=clean_session,
        silence=silence,
        export=export,
        import_job=import_job,
        proposals=proposals,
        objected_paragraph=objected,
        users={"ppt": ppt, "ts": ts, **members},
    )


def _build() -> Stage:
    home = build_world()
    u = home.users
    ours = _side(home.meeting, u["ts"], u["ppt"], {"MEX": u["mex"], "CAN": u["can"]}, home.declaration, home.revision)

    delegations = {
        code: DelegationFactory(code=code, name_en=name, kind=K.MEMBER_STATE)
        for code, name in (("GTM", "Guatemala"), ("PAN", "Panama"), ("HND", "Honduras"))
    }
    users = {
        code: DelegateFactory(user__username=f"{code.lower()}-other", delegation=d).user
        for code, d in delegations.items()
    }
    ts2 = DelegateFactory(user__username="ts-other", delegation=home.delegations["TS"]).user
    meeting = MeetingFactory(
        title="Members-only consultation of another cycle", ppt=delegations["GTM"], members_only=True
    )
    meeting.participants.set(delegations.values())
    meeting.secretariat_staff.set([ts2])
    declaration = services.declaration_create(actor=ts2, meeting=meeting, title="Declaration of Guatemala")
    revision = services.revision_issue(actor=ts2, declaration=declaration, sections=zero_draft())
    members = {"HND": users["HND"], "PAN": users["PAN"]}
    theirs = _side(meeting, ts2, users["GTM"], members, declaration, revision)
    for side in (ours, theirs):  # a token no caller owns, for DELETE /api/auth/tokens/{id}/
        holder = get_user_model().objects.create_user(f"token-holder-{side.declaration.pk}")
        ApiToken.objects.create(user=holder, name=f"probe-{side.declaration.pk}")
    return Stage(home=home, ours=ours, theirs=theirs)


@pytest.fixture(scope="module")
def stage(django_db_setup: None, django_db_blocker: Any) -> Iterator[Stage]:
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), transaction.atomic():
        with fast:
            built = _build()
        yield built
        transaction.set_rollback(True)


# --- What another delegation owns, and what a write changed -----------------------------
def owned_rows() -> dict[str, list[Any]]:
    """Every row that belongs to one delegation, with what a write could change."""
    return {
        "proposals": list(Proposal.objects.order_by("id").values_list("id", "delegation_id", "status", "text")),
        "positions": list(
            Position.objects.order_by("id").values_list("id", "proposal__delegation_id", "delegation_id", "stance")
        ),
        "paragraph_objections": list(
            ParagraphObjection.objects.order_by("id").values_list("id", "delegation_id", "reason")
        ),
        "adoption_objections": list(
            AdoptionObjection.objects.order_by("id").values_list("id", "delegation_id", "reason")
        ),
        "statements": list(Statement.objects.order_by("id").values_list("id", "delegation_id", "text")),
    }


def others_rows(rows: dict[str, list[Any]], own: int | None) -> dict[str, list[Any]]:
    """The rows of delegations other than ``own`` (for positions: the position's own delegation)."""
    out = {}
    for table, items in rows.items():
        col = 2 if table == "positions" else 1
        out[table] = [r for r in items if r[col] != own]
    return out


def meeting_state() -> dict[str, Any]:
    return {
        "declarations": list(Declaration.objects.order_by("id").values_list("id", "status", "version")),
        "revisions": Revision.objects.count(),
        "paragraphs": list(Paragraph.objects.order_by("id").values_list("id", "state", "text")),
        "adoptions": list(Adoption.objects.order_by("id").values_list("id", "status")),
        "exports": ExportJob.objects.count(),
        "imports": list(ImportJob.objects.order_by("id").values_list("id", "status")),
        "tokens": sorted(ApiToken.objects.values_list("user_id", flat=True)),
    }


# --- The rules ------------------------------------------------------------------------
Target = str  # "theirs" (another meeting) or "ours" (another delegation's objects, our meeting)


@dataclass(frozen=True)
class Rule:
    """What one endpoint+method may do to objects that are not the caller's.

    ``allowed(target)`` is the set of roles for whom a 2xx is authorised; every
    other role must be refused (for reads of another meeting: 401, 403 or 404,
    and lists must leave it out). ``moderates``: an authorised success may
    change other delegations' rows (the PPT deciding). ``control``: the user of
    the target's meeting (key in Side.users) who may do it, and must succeed.
    """

    path: Callable[[Side, str | None], str]
    allowed: Callable[[Target], frozenset[str | None]]
    body: Callable[[Side, str | None], dict[str, Any]] | None = None
    list_probe: Callable[[Side], int] | None = None  # lists: an id of the target that must not leak
    moderates: bool = False
    control: Callable[[Side, Target], str] | None = None
    unscoped: bool = False  # touches no meeting's objects (auth, me, delegations, health)


def everyone(target: Target) -> frozenset[str | None]:
    return frozenset(r for r in ROLES)


def anyone(target: Target) -> frozenset[str | None]:
    return frozenset(ALL_ROLES)


def readers(target: Target) -> frozenset[str | None]:
    return READERS_OF_A_MEMBERS_ONLY_MEETING if target == "theirs" else everyone(target)


def present_members(target: Target) -> frozenset[str | None]:
    return frozenset() if target == "theirs" else frozenset({"ppt", "mex", "can"})


def any_member(target: Target) -> frozenset[str | None]:
    return MEMBERS


def the_ppt(target: Target) -> frozenset[str | None]:
    return frozenset() if target == "theirs" else frozenset({"ppt"})


def ppt_or_ts(target: Target) -> frozenset[str | None]:
    return frozenset() if target == "theirs" else frozenset({"ppt", "ts"})


def the_ts(target: Target) -> frozenset[str | None]:
    return frozenset() if target == "theirs" else frozenset({"ts"})


def nobody(target: Target) -> frozenset[str | None]:
    return frozenset()


def _code(role: str | None) -> str | None:
    return ROLES[role][0] if role else None


def foreign_proposal(side: Side, role: str | None) -> Proposal:
    """A proposal of a delegation that is not the caller's."""
    codes = sorted(side.proposals)
    return side.proposals[codes[1] if _code(role) == codes[0] else codes[0]]


def _p(suffix: str = "") -> Callable[[Side, str | None], str]:
    return lambda s, r: f"/api/proposals/{foreign_proposal(s, r).pk}/{suffix}"


def _d(which: str, suffix: str = "") -> Callable[[Side, str | None], str]:
    return lambda s, r: f"/api/declarations/{getattr(s, which).pk}/{suffix}"


def _accounts(suffix: str) -> Callable[[Side, str | None], str]:
    """A meeting's accounts; ``{uid}``: a delegate of a delegation taking part."""

    def path(s: Side, r: str | None) -> str:
        uid = s.users[sorted(s.proposals)[0]].pk
        return f"/api/meetings/{s.declaration.meeting_id}/accounts/" + suffix.format(uid=uid)

    return path


def _fixed(url: str) -> Callable[[Side, str | None], str]:
    return lambda s, r: url


def _reason(s: Side, r: str | None) -> dict[str, Any]:
    return {"reason": "Unauthorised attempt."}


def _version(s: Side, r: str | None) -> dict[str, Any]:
    return {"version": Proposal.objects.get(pk=foreign_proposal(s, r).pk).version}


def _proposal_body(s: Side, r: str | None) -> dict[str, Any]:
    last = s.revision.paragraphs.order_by("-position").values_list("paragraph_id", flat=True)[0]
    return {
        "declaration": s.declaration.pk,
        "revision": s.revision.pk,
        "paragraph": last,
        "kind": "delete",
    }


def _member(side: Side, target: Target) -> str:
    return "PAN" if target == "theirs" else "MEX"


RULES: dict[tuple[str, str], Rule] = {
    # --- no meeting's objects ---
    ("token", "POST"): Rule(
        _fixed("/api/auth/token/"),
        anyone,
        body=lambda s, r: {"username": "gtm-other", "password": "nope"},
        unscoped=True,
    ),
    ("token", "DELETE"): Rule(_fixed("/api/auth/token/"), everyone, unscoped=True),
    ("token-list", "GET"): Rule(_fixed("/api/auth/tokens/"), everyone, unscoped=True),
    ("token-detail", "DELETE"): Rule(
        lambda s, r: f"/api/auth/tokens/{ApiToken.objects.get(name=f'probe-{s.declaration.pk}').pk}/",
        nobody,
        unscoped=True,
    ),
    ("lockout-list", "GET"): Rule(_fixed("/api/auth/lockouts/"), everyone, unscoped=True),
    # The Secretariat of the meeting the user attends, and no one else, unlocks it.
    ("lockout-reset", "POST"): Rule(
        _fixed("/api/auth/lockouts/reset/"),
        lambda target: frozenset({"ts"}) if target == "ours" else frozenset(),
        body=lambda s, r: {"username": s.users["ppt"].username},
        unscoped=True,
    ),
    ("me", "GET"): Rule(_fixed("/api/me/"), everyone, unscoped=True),
    ("health", "GET"): Rule(_fixed("/api/health/"), anyone, unscoped=True),
    ("delegation-list", "GET"): Rule(_fixed("/api/delegations/"), everyone, unscoped=True),
    ("delegation-detail", "GET"): Rule(
        lambda s, r: f"/api/delegations/{s.proposals[sorted(s.proposals)[0]].delegation_id}/", everyone, unscoped=True
    ),
    # --- reading ---
    ("meeting-list", "GET"): Rule(_fixed("/api/meetings/"), readers, list_probe=lambda s: s.declaration.meeting_id),
    ("meeting-detail", "GET"): Rule(lambda s, r: f"/api/meetings/{s.declaration.meeting_id}/", readers),
    ("declaration-list", "GET"): Rule(_fixed("/api/declarations/"), readers, list_probe=lambda s: s.declaration.pk),
    ("declaration-detail", "GET"): Rule(_d("declaration"), readers),
    ("declaration-revisions", "GET"): Rule(_d("declaration", "revisions/"), readers),
    ("declaration-text", "GET"): Rule(_d("declaration", "text/"), readers),
    ("declaration-working-text", "GET"): Rule(_d("declaration", "working-text/"), readers),
    ("declaration-adoption", "GET"): Rule(_d("in_session", "adoption/"), readers),
    ("declaration-statements", "GET"): Rule(_d("in_session", "statements/"), readers),
    ("declaration-record", "GET"): Rule(_d("declaration", "record/"), readers),
    ("declaration-diff", "GET"): Rule(_d("in_session", "diff/"), readers),
    ("revision-list", "GET"): Rule(_fixed("/api/revisions/"), readers, list_probe=lambda s: s.revision.pk),
    ("revision-detail", "GET"): Rule(lambda s, r: f"/api/revisions/{s.revision.pk}/", readers),
    ("revision-proposals", "GET"): Rule(lambda s, r: f"/api/revisions/{s.revision.pk}/proposals/", readers),
    ("paragraph-detail", "GET"): Rule(lambda s, r: f"/api/paragraphs/{s.objected_paragraph}/", readers),
    ("proposal-list", "GET"): Rule(
        _fixed("/api/proposals/"), readers, list_probe=lambda s: s.proposals[sorted(s.proposals)[0]].pk
    ),
    ("proposal-detail", "GET"): Rule(_p(), readers),
    ("proposal-diff", "GET"): Rule(_p("diff/"), readers),
    ("event-list", "GET"): Rule(
        _fixed("/api/events/?page_size=500"),
        readers,
        list_probe=lambda s: Event.objects.filter(declaration=s.declaration).latest("id").pk,
    ),
    ("export-list", "GET"): Rule(_fixed("/api/exports/"), readers, list_probe=lambda s: s.export.pk),
    ("export-detail", "GET"): Rule(lambda s, r: f"/api/exports/{s.export.pk}/", readers),
    ("export-file", "GET"): Rule(lambda s, r: f"/api/exports/{s.export.pk}/file/", nobody),  # not rendered: 409
    # --- asking for a document: whoever reads ---
    ("export-list", "POST"): Rule(
        _fixed("/api/exports/"),
        readers,
        body=lambda s, r: {"declaration": s.declaration.pk, "kind": "record"},
        control=lambda s, t: "ts",
    ),
    # --- preparing texts: the meeting's Secretariat ---
    ("import-list", "POST"): Rule(
        _fixed("/api/imports/"),
        the_ts,
        body=lambda s, r: {"meeting": s.declaration.meeting_id, "text": "A pasted draft\n\n1. Promote rights.\n"},
        control=lambda s, t: "ts",
    ),
    ("import-detail", "GET"): Rule(lambda s, r: f"/api/imports/{s.import_job.pk}/", the_ts),
    ("import-confirm", "POST"): Rule(
        lambda s, r: f"/api/imports/{s.import_job.pk}/confirm/", the_ts, body=lambda s, r: {}, control=lambda s, t: "ts"
    ),
    ("import-corrections", "POST"): Rule(
        lambda s, r: f"/api/imports/{s.import_job.pk}/corrections/",
        the_ts,
        body=lambda s, r: {"operations": [{"op": "set_kind", "paragraph": 0, "kind": "text"}]},
        control=lambda s, t: "ts",
    ),
    ("declaration-list", "POST"): Rule(
        _fixed("/api/declarations/"),
        the_ts,
        body=lambda s, r: {"meeting": s.declaration.meeting_id, "title": "Unauthorised declaration"},
        control=lambda s, t: "ts",
    ),
    ("declaration-revisions", "POST"): Rule(
        _d("declaration", "revisions/"),
        the_ts,
        body=lambda s, r: {"sections": zero_draft(1, 1)},
        moderates=True,  # re-fits (or marks conflicted) every delegation's pending proposals
        control=lambda s, t: "ts",
    ),
    ("declaration-next-revision", "POST"): Rule(
        _d("declaration", "revisions/next/"),
        ppt_or_ts,
        body=lambda s, r: {},
        moderates=True,
        control=lambda s, t: "ppt",
    ),
    # --- negotiating: members present, for their own delegation ---
    ("proposal-list", "POST"): Rule(_fixed("/api/proposals/"), present_members, body=_proposal_body, control=_member),
    ("proposal-support", "POST"): Rule(
        _p("support/"), lambda t: present_members(t), body=lambda s, r: {}, control=lambda s, t: "ppt"
    ),
    ("proposal-object", "POST"): Rule(_p("object/"), present_members, body=_reason, control=lambda s, t: "ppt"),
    # withdrawing a position acts on one's own: the PPT and the other member have one to withdraw
    ("proposal-position", "DELETE"): Rule(_p("position/"), present_members, control=lambda s, t: "ppt"),
    ("proposal-withdraw", "POST"): Rule(_p("withdraw/"), nobody),  # only the proposer: see the control test
    ("paragraph-object", "POST"): Rule(
        lambda s, r: f"/api/paragraphs/{s.objected_paragraph}/object/",
        present_members,
        body=_reason,
        control=lambda s, t: "ppt",
    ),
    ("paragraph-objection", "DELETE"): Rule(
        lambda s, r: f"/api/paragraphs/{s.objected_paragraph}/objection/", present_members, control=_member
    ),
    ("adoption-object", "POST"): Rule(
        _d("in_session", "adoption/object/"), present_members, body=_reason, control=lambda s, t: "ppt"
    ),
    ("adoption-objection", "DELETE"): Rule(_d("in_session", "adoption/objection/"), present_members, control=_member),
    # --- what every member state may do at adoption ---
    ("silence-break", "POST"): Rule(
        _d("silence", "adoption/break-silence/"), any_member, body=_reason, control=_member
    ),
    ("declaration-statements", "POST"): Rule(
        _d("in_session", "statements/"),
        any_member,
        body=lambda s, r: {"kind": "explanation", "text": "Our position."},
        control=_member,
    ),
    # --- moderating: the PPT of the meeting ---
    ("proposal-accept", "POST"): Rule(_p("accept/"), the_ppt, body=_version, moderates=True),
    ("proposal-reject", "POST"): Rule(
        _p("reject/"), the_ppt, body=_version, moderates=True, control=lambda s, t: "ppt"
    ),
    ("paragraph-transition", "POST"): Rule(
        lambda s, r: f"/api/paragraphs/{s.objected_paragraph}/transition/",
        the_ppt,
        body=lambda s, r: {"action": "open"},
        moderates=True,
        control=lambda s, t: "ppt",
    ),
    ("declaration-adoption", "POST"): Rule(
        _d("ready", "adoption/"),
        the_ppt,
        body=lambda s, r: {"revision": s.ready.revisions.get(number=1).pk, "method": "in_session"},
        moderates=True,
        control=lambda s, t: "ppt",
    ),
    ("adoption-adopt", "POST"): Rule(
        _d("clean_session", "adoption/adopt/"), the_ppt, moderates=True, control=lambda s, t: "ppt"
    ),
    ("adoption-withdraw", "POST"): Rule(
        _d("in_session", "adoption/withdraw/"), the_ppt, moderates=True, control=lambda s, t: "ppt"
    ),
    # --- the library of agreed language: not a meeting's; read by anyone signed in, curated by the TS ---
    ("library-search", "GET"): Rule(_fixed("/api/library/?q=migration"), everyone, unscoped=True),
    ("library-statement", "GET"): Rule(lambda s, r: f"/api/library/{_statement()}/", everyone, unscoped=True),
    ("library-statement", "PATCH"): Rule(
        lambda s, r: f"/api/library/{_statement()}/",
        lambda t: frozenset({"ts"}),
        body=lambda s, r: {"tags": ["edited"]},
        control=lambda s, t: "ts",
        unscoped=True,
    ),
    # reusing agreed language is proposing: members present, in their own meeting
    ("library-propose", "POST"): Rule(
        lambda s, r: f"/api/library/{_statement()}/propose/",
        present_members,
        body=lambda s, r: {**_proposal_body(s, r), "kind": "replace"},
        control=_member,
    ),
    # --- the live room: "now discussing", agreeing the uncontested in one step ---
    ("declaration-discussing", "POST"): Rule(
        _d("declaration", "discussing/"),
        the_ppt,
        body=lambda s, r: {"paragraph": s.objected_paragraph},
        moderates=True,
        control=lambda s, t: "ppt",
    ),
    ("agree-uncontested", "POST"): Rule(
        _d("declaration", "agree-uncontested/"),
        the_ppt,
        body=lambda s, r: {},
        moderates=True,
        control=lambda s, t: "ppt",
    ),
    ("meeting-setup", "POST"): Rule(
        lambda s, r: f"/api/meetings/{s.declaration.meeting_id}/setup/",
        the_ts,
        body=lambda s, r: {"silence_hours": 48},
        moderates=True,  # the meeting, not the caller's own rows
        control=lambda s, t: "ts",
    ),
    # --- delegates' accounts: the meeting's Technical Secretariat ---
    # --- the other language (issue 15): anyone reading lists what is behind; the TS updates, names translators ---
    ("declaration-translations", "GET"): Rule(_d("declaration", "translations/"), readers),
    ("paragraph-translation", "POST"): Rule(
        lambda s, r: f"/api/paragraphs/{s.objected_paragraph}/translation/",
        the_ts,
        body=lambda s, r: {
            "text_version": Paragraph.objects.get(pk=s.objected_paragraph).text_version,
            "text": "Translated.",
        },
        control=lambda s, t: "ts",
    ),
    ("meeting-translators", "POST"): Rule(
        lambda s, r: f"/api/meetings/{s.declaration.meeting_id}/translators/",
        the_ts,
        body=lambda s, r: {"username": s.users["ppt"].username},
        control=lambda s, t: "ts",
    ),
    ("meeting-accounts", "GET"): Rule(_accounts(""), the_ts, control=lambda s, t: "ts"),
    ("meeting-accounts", "POST"): Rule(
        _accounts(""),
        the_ts,
        body=lambda s, r: {"delegation": sorted(s.proposals)[0], "username": f"acc.{r or 'anon'}.{s.declaration.pk}"},
        moderates=True,  # an account for another delegation
        control=lambda s, t: "ts",
    ),
    ("account-reset", "POST"): Rule(_accounts("{uid}/reset/"), the_ts, moderates=True, control=lambda s, t: "ts"),
    ("account-deactivate", "POST"): Rule(
        _accounts("{uid}/deactivate/"), the_ts, moderates=True, control=lambda s, t: "ts"
    ),
}


def _statement() -> int:
    """A statement of the library (created on first use, inside the test's transaction)."""
    from drafting.models import AgreedStatement

    statement, _ = AgreedStatement.objects.get_or_create(
        import_key="access:1",
        defaults={"text_en": "Promote safe, orderly and regular migration.", "meeting_label": "XXI RCM", "year": 2016},
    )
    return statement.pk


# --- Generated from the URL list --------------------------------------------------------
def served() -> list[tuple[str, str]]:
    out = []
    for pattern in api_urls.urlpatterns:
        assert isinstance(pattern, URLPattern), pattern
        view = pattern.callback.view_class  # type: ignore[attr-defined]
        out += [(str(pattern.name), m.upper()) for m in HTTP_METHODS if hasattr(view, m)]
    return out


def test_every_endpoint_has_a_rule() -> None:
    missing = [key for key in served() if key not in RULES]
    stale = [key for key in RULES if key not in served()]
    assert not missing, f"endpoints with no access rule in tests/test_access_generated.py: {missing}"
    assert not stale, f"rules for endpoints that no longer exist: {stale}"


def _cells() -> list[Any]:
    cells = []
    for name, method in served():
        rule = RULES.get((name, method))
        targets = ("ours",) if rule is not None and rule.unscoped else ("theirs", "ours")
        for target in targets:
            for role in ALL_ROLES:
                cells.append(pytest.param(name, method, target, role, id=f"{name}:{method}:{target}:{role or 'anon'}"))
    return cells


def _client(user: Any | None) -> APIClient:
    client = APIClient()
    if user is not None:
        token, _ = ApiToken.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def _send(client: APIClient, method: str, rule: Rule, side: Side, role: str | None) -> Any:
    cache.clear()  # the login throttle
    body = rule.body(side, role) if rule.body else None
    url = rule.path(side, role)
    call = getattr(client, method.lower())
    return call(url, body, format="json") if body is not None else call(url)


def _others_tokens(user: Any | None) -> list[str]:
    return sorted(ApiToken.objects.exclude(user_id=getattr(user, "pk", None)).values_list("key", flat=True))


def _delegation_id(role: str | None, stage: Stage) -> int | None:
    return stage.home.delegations[ROLES[role][0]].pk if role else None


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "method", "target", "role"), _cells())
def test_no_unauthorised_success(stage: Stage, name: str, method: str, target: Target, role: str | None) -> None:
    rule = RULES.get((name, method))
    assert rule is not None, f"{name} {method} has no rule"
    side = stage.theirs if target == "theirs" else stage.ours
    own = _delegation_id(role, stage)
    user = stage.home.users[role] if role else None
    client = _client(user)
    rows_before, state_before = owned_rows(), meeting_state()
    tokens_before = _others_tokens(user)
    # When the role calls the endpoint on objects that are not its own
    response = _send(client, method, rule, side, role)
    status = response.status_code
    authorised = role in rule.allowed(target)
    # Then: never a server error, and a 2xx only where the rule authorises it
    assert status < 500, response.content[:300]
    if not authorised:
        assert not 200 <= status < 300 or (rule.list_probe is not None), (status, response.content[:300])
        if status >= 400:
            body = response.json()
            assert set(body) >= {"error", "detail", "fields"}, body
    may_read = role in readers(target)
    if method == "GET" and target == "theirs" and not may_read:
        if rule.list_probe is not None:
            # a list answers, but without anything of the members-only meeting
            assert status in (200, 401), status
            if status == 200:
                ids = [item["id"] for item in response.json()["results"]]
                assert rule.list_probe(side) not in ids
        else:
            assert status in (401, 403, 404), (status, response.content[:300])
    if method == "GET" and target == "theirs" and authorised and rule.list_probe is not None:
        assert status == 200 and rule.list_probe(side) in [item["id"] for item in response.json()["results"]]
    # and no other delegation's rows changed, unless the PPT moderated
    rows_after = owned_rows()
    assert _others_tokens(user) == tokens_before, "touched another user's token"
    if not (authorised and rule.moderates and 200 <= status < 300):
        assert others_rows(rows_after, own) == others_rows(rows_before, own), "acted for another delegation"
    if not (authorised and 200 <= status < 300) and method != "GET":
        assert rows_after == rows_before and meeting_state() == state_before, "a refused write changed something"


# --- Controls: the same requests, by those who may, succeed -------------------------------
def _controls() -> list[Any]:
    out = []
    for (name, method), rule in RULES.items():
        for target in ("theirs", "ours") if rule.control is not None else ():
            out.append(pytest.param(name, method, target, id=f"{name}:{method}:{target}"))
    return out


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "method", "target"), _controls())
def test_the_rightful_actor_succeeds(stage: Stage, name: str, method: str, target: Target) -> None:
    rule = RULES[(name, method)]
    side = stage.theirs if target == "theirs" else stage.ours
    assert rule.control is not None
    who = rule.control(side, target)
    # the request is built as for a caller of the control's delegation
    as_role = {"MEX": "mex", "CAN": "can", "ppt": "ppt", "ts": "ts"}.get(who) if target == "ours" else None
    response = _send(_client(side.users[who]), method, rule, side, as_role)
    assert 200 <= response.status_code < 300, (who, response.status_code, response.content[:300])


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["theirs", "ours"])
def test_only_the_proposer_withdraws_and_only_the_ppt_accepts(stage: Stage, target: Target) -> None:
    side = stage.theirs if target == "theirs" else stage.ours
    for code, proposal in side.proposals.items():
        response = _client(side.users[code]).post(f"/api/proposals/{proposal.pk}/withdraw/")
        assert response.status_code == 200, response.content
    # a fresh, uncontested proposal the meeting's PPT may accept (none of ours may: see the matrix)
    member = side.users[_member(side, target)]
    fresh = services.proposal_submit(
        actor=member,
        declaration=side.declaration,
        revision_id=side.revision.pk,
        paragraph_id=side.revision.paragraphs.order_by("position").values_list("paragraph_id", flat=True)[0],
        kind="replace",
        text="Uncontested wording.",
    )
    for role in ALL_ROLES:
        if target == "ours" and role == "ppt":
            continue
        user = stage.home.users[role] if role else None
        refused = _client(user).post(f"/api/proposals/{fresh.pk}/accept/", {"version": fresh.version}, format="json")
        # (404 for whoever may not read the other meeting: it is not told the proposal exists)
        hidden = target == "theirs" and role is not None and role not in readers(target)
        assert refused.status_code in ((404,) if hidden else (401, 403)), (role, refused.status_code)
    accepted = _client(side.users["ppt"]).post(
        f"/api/proposals/{fresh.pk}/accept/", {"version": fresh.version}, format="json"
    )
    assert accepted.status_code == 200, accepted.content


# --- An id one may not read answers exactly as an id that does not exist -----------------
# (issue 13) Comparing the two answers must not tell an observer, or anyone, whether an id
# exists in a members-only meeting. Every endpoint that takes an id of the other meeting (in
# its path or its body) is sent once with the real ids and once with ids that exist nowhere:
# status and body byte-identical. A delegation registered at the members-only meeting knows the
# meeting (it is on its programme), so the meeting and its declarations may tell it why it may
# not read them (403), and nothing else may: what is inside (revisions, paragraphs, proposals,
# exports, imports, accounts) answers as missing.
MISSING_ID = 2_000_000_011
ID_FIELDS = ("meeting", "declaration", "revision", "base_revision", "paragraph")
MEMBERS_ONLY = {"error": "forbidden", "detail": "This meeting is open to member states only.", "fields": {}}
OUTSIDERS = ("arg", "iom", "rncom", "stranger", None)


# Endpoints that name no object of a meeting, in their path or body (lists, the caller's own
# tokens and account, delegations, the library): nothing to hide there. Checked below.
NAMES_NO_MEETING_OBJECT = {
    ("token", "POST"),
    ("token", "DELETE"),
    ("token-list", "GET"),
    ("token-detail", "DELETE"),
    ("lockout-list", "GET"),
    ("lockout-reset", "POST"),
    ("me", "GET"),
    ("health", "GET"),
    ("delegation-list", "GET"),
    ("delegation-detail", "GET"),
    ("meeting-list", "GET"),
    ("declaration-list", "GET"),
    ("revision-list", "GET"),
    ("proposal-list", "GET"),
    ("event-list", "GET"),
    ("export-list", "GET"),
    ("library-search", "GET"),
    ("library-statement", "GET"),
    ("library-statement", "PATCH"),
}


def _hiding_cells() -> list[Any]:
    cells = []
    for name, method in served():
        rule = RULES.get((name, method))
        if rule is None or (name, method) in NAMES_NO_MEETING_OBJECT:
            continue
        for role in OUTSIDERS:
            for registered in (False, True) if role in ("arg", "iom", "rncom") else (False,):
                label = f"{name}:{method}:{role or 'anon'}:{'registered' if registered else 'outsider'}"
                cells.append(pytest.param(name, method, role, registered, id=label))
    return cells


def _request(side: Side, rule: Rule, role: str | None) -> tuple[str, dict[str, Any] | None]:
    as_role = role if role in ROLES else None
    return rule.path(side, as_role), (rule.body(side, as_role) if rule.body else None)


def _missing(url: str, body: dict[str, Any] | None, *, path_ids: bool) -> tuple[str, dict[str, Any] | None]:
    """The same request naming ids that exist nowhere (in the path only where
    they are a meeting's: not a library statement's, a token's, a delegation's)."""
    path, _, query = url.partition("?")
    if path_ids:
        path = re.sub(r"(?<!/library)/\d+(?=/)", f"/{MISSING_ID}", path)
    if body is not None:
        body = {key: (MISSING_ID if key in ID_FIELDS else value) for key, value in body.items()}
    return path + (f"?{query}" if query else ""), body


def _call(client: APIClient, method: str, url: str, body: dict[str, Any] | None) -> Any:
    cache.clear()  # the login throttle
    call = getattr(client, method.lower())
    return call(url, body, format="json") if body is not None else call(url)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "method", "role", "registered"), _hiding_cells())
def test_an_id_one_may_not_read_answers_as_a_missing_one(
    stage: Stage, name: str, method: str, role: str | None, registered: bool
) -> None:
    rule = RULES[(name, method)]
    side = stage.theirs
    url, body = _request(side, rule, role)
    ghost_url, ghost_body = _missing(url, body, path_ids=not rule.unscoped)
    assert (ghost_url, ghost_body) != (url, body), "names no meeting's object: list it in NAMES_NO_MEETING_OBJECT"
    if role == "stranger":
        user = get_user_model().objects.create_user("stranger-without-delegation")
    else:
        user = stage.home.users[role] if role else None
    if registered:
        # the observer's delegation is registered at the members-only meeting
        side.declaration.meeting.participants.add(stage.home.delegations[ROLES[str(role)][0]])
    client = _client(user)
    before = owned_rows(), meeting_state()
    real = _call(client, method, url, body)
    ghost = _call(client, method, ghost_url, ghost_body)
    assert (owned_rows(), meeting_state()) == before, "a refused request changed something"
    assert real.status_code < 500 and not 200 <= real.status_code < 300, (real.status_code, real.content[:300])
    if registered and real.status_code == 403 and real.json() == MEMBERS_ONLY:
        # the meeting, or one of its declarations, named in the path or the body
        first = url.removeprefix("/api/").split("/")[0]
        assert first in ("meetings", "declarations") or (body or {}).keys() & {"meeting", "declaration"}, url
        assert ghost.status_code == 404
        return
    assert (real.status_code, real.content) == (ghost.status_code, ghost.content), (url, body)


@pytest.mark.django_db
def test_the_endpoints_left_out_name_no_object_of_a_meeting(stage: Stage) -> None:
    for name, method in sorted(NAMES_NO_MEETING_OBJECT):
        rule = RULES[(name, method)]
        url, body = _request(stage.theirs, rule, "arg")
        assert _missing(url, body, path_ids=not rule.unscoped) == (url, body), (name, method)
