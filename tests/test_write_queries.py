"""Every write through the API runs a pinned number of statements.

Each write the access matrix (tests/test_access_generated.py) sends by its
rightful actor is sent here once more, on the "ours" side, and its
statements (not BEGIN/COMMIT/SAVEPOINT/RELEASE) are counted. The caches of
identity and role (drafting/access_cache.py) are emptied first, so each
count is the cold path and includes the token (1) and the role (1); a warm
request saves both (see the support and objection test at the end). A new
write without a pinned count fails ``test_every_write_is_pinned``. A change
here should be a decision, not a drift: say why next to the number.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from drafting.access_cache import access_caches_clear
from tests.conftest import World
from tests.test_access_generated import RULES, Stage, _client, _send, stage  # noqa: F401 (a fixture)

WRITES = ("POST", "PUT", "PATCH", "DELETE")

# (url name, method) -> statements. History: issue 18 pinned them all; the
# proposal writes went from 12-19 to what is below (authorise once in the
# service, lock once, the event's insert bumps the version, the answer built
# from the rows written).
WRITE_QUERIES: dict[tuple[str, str], int] = {}


def _writes() -> list[Any]:
    return [
        pytest.param(name, method, id=f"{name}:{method}")
        for (name, method), rule in sorted(RULES.items())
        if method in WRITES and rule.control is not None
    ]


def _statements(queries: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if not q["sql"].startswith(("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE"))
    ]


def test_every_write_is_pinned() -> None:
    missing = [p.values[:2] for p in _writes() if tuple(p.values[:2]) not in WRITE_QUERIES]
    assert not missing, f"writes with no pinned statement count in tests/test_write_queries.py: {missing}"


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "method"), _writes())
def test_a_write_runs_its_pinned_number_of_statements(stage: Stage, name: str, method: str) -> None:  # noqa: F811
    rule = RULES[(name, method)]
    side = stage.ours
    assert rule.control is not None
    who = rule.control(side, "ours")
    as_role = {"MEX": "mex", "CAN": "can", "ppt": "ppt", "ts": "ts"}.get(who)
    client = _client(side.users[who])
    access_caches_clear()
    with CaptureQueriesContext(connection) as queries:
        response = _send(client, method, rule, side, as_role)
    statements = _statements(queries)
    assert 200 <= response.status_code < 300, (who, response.status_code, response.content[:300])
    print(f"WRITE {name} {method} {len(statements)}")
    assert len(statements) == WRITE_QUERIES.get((name, method), -1), "\n".join(s[:160] for s in statements)


# --- The writes the matrix has no control row for -------------------------------------------
def _counted(call: Any) -> tuple[Any, list[str]]:
    access_caches_clear()
    with CaptureQueriesContext(connection) as queries:
        response = call()
    return response, _statements(queries)


OTHER_WRITES: dict[str, int] = {}


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
        statements = _statements(queries)
        assert response.status_code == 200, response.content
        assert len(statements) <= SUPPORT_WARM, "\n".join(s[:160] for s in statements)
        # and the answer is what a read shows
        read = client.get(f"/api/proposals/{proposal.pk}/")
        assert response.json() == read.json() and response["ETag"] == read["ETag"]
