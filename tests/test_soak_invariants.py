"""A small soak as a test: a real gunicorn (production profile) on the test
database, a dozen clients acting as member delegations, observers, the PPT
and the Technical Secretariat for a few seconds, then every invariant of
bench/soak_invariants.py must hold: acknowledged writes exist exactly once,
refused ones not at all, each revision is its predecessor plus what it
incorporated, the event log replays to the rows, nothing was agreed over an
objection, every export ended done. The full-size run is bench/soak.py."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections

from bench import soak_world as sw
from bench.soak import drain_exports, seat_list
from bench.soak_invariants import check_all, summary
from bench.soak_load import Shared, records_as_dicts, run_phase
from tests.conftest import needs_postgres

pytestmark = [needs_postgres, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SECONDS = 5
CLIENTS = 12


def test_a_short_soak_keeps_every_invariant(request: pytest.FixtureRequest, tmp_path: Path, settings: Any) -> None:
    if settings.REDIS_URL:  # exports go through the broker: a worker must take them
        request.getfixturevalue("celery_worker_process")
    # This test plays beat (the export sweep, see drain_exports): a message lost
    # by the broker (other tests here stop Redis on purpose) is handed over again.
    settings.CONSENSO_EXPORT_REDISPATCH_SECONDS = 3
    # Given the demo workshop with a delegate for every seat, served by gunicorn
    world = sw.populate(per_member=1, per_observer=1, ppt_users=2, ts_users=1)
    env = sw.base_env(db_name=connection.settings_dict["NAME"], redis=settings.REDIS_URL or None,
                      media=Path(settings.MEDIA_ROOT))  # fmt: skip
    port = sw.free_port(8732)
    server = sw.start_server(env, port=port, workers=3, log_file=tmp_path / "gunicorn.log")
    connections.close_all()
    try:
        # When a dozen clients negotiate for a few seconds
        shared = Shared(world.declaration_id, revision_every=1.5, export_every=0.5)
        phase = run_phase(phase="test", base=f"http://127.0.0.1:{port}", shared=shared,
                          seats=seat_list(world, CLIENTS), seconds=SECONDS, max_requests=5_000)  # fmt: skip
        recs, _ = asyncio.run(phase)
    finally:
        sw.stop(server)
    records: list[dict[str, Any]] = records_as_dicts(recs)
    drain_exports(90, sweep=True)
    # Then they did negotiate: proposals made and decided, a revision issued
    ok = {r["op"] for r in records if 200 <= r["status"] < 300}
    assert {"submit", "read_text", "read_working_text"} <= ok, sorted(ok)
    errors = [r for r in records if r["status"] >= 500]
    assert not errors, (errors[:3], (tmp_path / "gunicorn.log").read_text()[-4000:])
    # And every invariant holds
    results = check_all(world.declaration_id, records)
    assert all(r.held for r in results), summary(results)
    assert results[0].checked > 10  # acknowledged writes really were checked
