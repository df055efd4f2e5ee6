"""The writes the access matrix has no control row for, and the goal of a
support or objection in <= 6 statements, with their statement counts pinned
(see tests/test_write_queries.py; a separate module because that one holds
the matrix's module-wide stage, which a per-test world cannot sit beside)."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from drafting.access_cache import access_caches_clear
from tests.conftest import World
from tests.queries import statements as queries_run


# --- The writes the matrix has no control row for -------------------------------------------
def _counted(call: Any) -> tuple[Any, list[str]]:
    access_caches_clear()
    with CaptureQueriesContext(connection) as queries:
        response = call()
    return response, queries_run(queries)


# Issue 18: withdrawal 7 and acceptance 12 (they were 14 and 18, for the
# same reasons as above); signing in and out and unlocking as they were.
OTHER_WRITES: dict[str, int] = {
    "proposal-withdraw": 7,
    "proposal-accept": 12,
    "token:POST": 11,
    "token-detail:DELETE": 2,
    "token:DELETE": 2,
    "lockout-reset:POST": 5,
}


def _pinned(label: str, response: Any, statements: list[str], ok: int = 200) -> None:
    assert response.status_code == ok, response.content[:300]
    print(f"WRITE {label} {len(statements)}")
    assert len(statements) == OTHER_WRITES.get(label, -1), "\n".join(s[:160] for s in statements)


def _pending(world: World) -> Any:
    from drafting import services

    return services.proposal_submit(
        actor=world.users["mex"],
        declaration=world.declaration,
        revision_id=world.revision.pk,
        paragraph_id=world.paragraph_ids()[-1],
        kind="replace",
        text="Uncontested wording.",
    )


def test_accepting_and_withdrawing_a_proposal_run_their_pinned_statements(world: World) -> None:
    accepted, withdrawn = _pending(world), _pending(world)
    ppt, mex = world.client("ppt"), world.client("mex")
    response, statements = _counted(lambda: mex.post(f"/api/proposals/{withdrawn.pk}/withdraw/"))
    _pinned("proposal-withdraw", response, statements)
    response, statements = _counted(
        lambda: ppt.post(f"/api/proposals/{accepted.pk}/accept/", {"version": accepted.version}, format="json")
    )
    _pinned("proposal-accept", response, statements)


def test_signing_in_and_out_and_unlocking_run_their_pinned_statements(world: World) -> None:
    from django.core.cache import cache
    from rest_framework.test import APIClient

    cache.clear()  # the login throttle
    client = APIClient()
    body = {"username": world.users["mex"].username, "password": "pw", "name": "laptop"}
    response, statements = _counted(lambda: client.post("/api/auth/token/", body, format="json"))
    _pinned("token:POST", response, statements)
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    phone = APIClient()
    phone_token = phone.post("/api/auth/token/", {**body, "name": "phone"}, format="json").json()
    tokens = client.get("/api/auth/tokens/").json()
    phone_id = next(t["id"] for t in tokens if t["name"] == "phone")
    assert phone_token
    response, statements = _counted(lambda: client.delete(f"/api/auth/tokens/{phone_id}/"))
    _pinned("token-detail:DELETE", response, statements, ok=204)
    response, statements = _counted(lambda: client.delete("/api/auth/token/"))
    _pinned("token:DELETE", response, statements, ok=204)
    ts = world.client("ts")
    unlock = {"username": world.users["can"].username}
    response, statements = _counted(lambda: ts.post("/api/auth/lockouts/reset/", unlock, format="json"))
    _pinned("lockout-reset:POST", response, statements)


# --- Support and objection, warm: the goal (<= 6 statements) ------------------------
SUPPORT_WARM = 6


def test_a_support_and_an_objection_by_a_delegate_already_seen_take_six_statements(world: World) -> None:
    proposal = _pending(world)
    can, ppt = world.client("can"), world.client("ppt")
    # Each delegate has made a request a moment before (identity and role remembered)
    assert can.get("/api/me/").status_code == 200 and ppt.get("/api/me/").status_code == 200
    for client, verb, body in ((can, "support", {}), (ppt, "object", {"reason": "Not agreed language."})):
        client.get(f"/api/proposals/{proposal.pk}/")
        with CaptureQueriesContext(connection) as queries:
            response = client.post(f"/api/proposals/{proposal.pk}/{verb}/", body, format="json")
        statements = queries_run(queries)
        assert response.status_code == 200, response.content
        assert len(statements) <= SUPPORT_WARM, "\n".join(s[:160] for s in statements)
        # and the answer is what a read shows
        read = client.get(f"/api/proposals/{proposal.pk}/")
        assert response.json() == read.json() and response["ETag"] == read["ETag"]
