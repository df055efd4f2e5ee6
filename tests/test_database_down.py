"""A database that is down or restarting is a 503 the client can retry,
never a 500, and a write refused that way leaves nothing behind.
(bench/faults.py postgres restarts a real PostgreSQL under load.)"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import OperationalError, connection

from drafting.models import Proposal
from tests.conftest import World

pytestmark = pytest.mark.django_db


def unreachable(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
    raise OperationalError("server closed the connection unexpectedly")


def test_reads_answer_503_with_retry_after_while_the_database_is_away(world: World) -> None:
    client = world.client("mex")
    with connection.execute_wrapper(unreachable):
        response = client.get(f"/api/declarations/{world.declaration.pk}/text/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json() == {
        "error": "unavailable",
        "detail": "The database is unavailable; retry shortly.",
        "fields": {},
    }
    # and service resumes by itself once it is back
    assert client.get(f"/api/declarations/{world.declaration.pk}/text/").status_code == 200


def test_a_write_refused_by_a_database_outage_leaves_nothing(world: World) -> None:
    body = {
        "declaration": world.declaration.pk,
        "revision": world.revision.pk,
        "paragraph": world.paragraph_ids()[-1],
        "kind": "replace",
        "text": "Promote regular pathways.",
    }
    client = world.client("mex")
    client.get("/api/me/")  # authenticate once, so the outage hits the write itself
    calls = {"n": 0}

    def fails_midway(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        # Let the request get into the service, then lose the database mid-transaction.
        calls["n"] += 1
        if sql.lstrip().upper().startswith(("INSERT", "WITH")):  # WITH: PostgreSQL's proposal and event
            raise OperationalError("terminating connection due to administrator command")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(fails_midway):
        response = client.post("/api/proposals/", body, format="json")
    assert response.status_code == 503 and response.json()["error"] == "unavailable"
    assert calls["n"] > 1
    assert not Proposal.objects.exists()
    # The same write goes through once the database is back
    assert client.post("/api/proposals/", body, format="json").status_code == 201


class _Deadlock(Exception):
    sqlstate = "40P01"  # what psycopg's DeadlockDetected carries


def test_a_lost_race_is_a_503_that_says_so_not_an_outage(world: World) -> None:
    # Given a write that PostgreSQL undoes as one side of a deadlock
    def deadlocks(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        if sql.lstrip().upper().startswith(("INSERT", "WITH")):  # WITH: PostgreSQL's proposal and event
            raise OperationalError("deadlock detected") from _Deadlock()
        return execute(sql, params, many, context)

    body = {
        "declaration": world.declaration.pk,
        "revision": world.revision.pk,
        "paragraph": world.paragraph_ids()[-1],
        "kind": "replace",
        "text": "Promote regular pathways.",
    }
    client = world.client("mex")
    with connection.execute_wrapper(deadlocks):
        response = client.post("/api/proposals/", body, format="json")
    # Then the client is told to send it again, soon, and nothing was written
    assert response.status_code == 503 and response["Retry-After"] == "1"
    assert response.json()["detail"] == (
        "The request collided with a simultaneous change and was undone; send it again."
    )
    assert not Proposal.objects.exists()
    assert client.post("/api/proposals/", body, format="json").status_code == 201
