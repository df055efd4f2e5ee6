"""Where the live room's update time goes: the CPU and queries of one request
of each kind a page makes, in process (Django's test client: middleware,
session, view; no socket), on the database bench/bench_live.py builds
(PostgreSQL, the demo workshop, run that first).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/consenso_h14live \
        .venv/bin/python bench/profile_live.py [--repeat 200]

Rows: a poll answered 304 (the per-process marker warm), a poll that reads the
marker from the database, the partial update after one support (one
paragraph), the whole text page, and, for the event stream, the per-process
work of one change: reading the change once and rendering the changed
paragraph once per kind of reader. Prints JSON (bench/out/profile-live.json).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"


def measure(fn: Any, repeat: int) -> dict[str, float]:
    from django.db import connection, reset_queries

    fn()  # warm
    cpu, wall, queries = [], [], []
    for _ in range(repeat):
        reset_queries()
        c0, w0 = time.process_time(), time.perf_counter()
        fn()
        cpu.append((time.process_time() - c0) * 1000)
        wall.append((time.perf_counter() - w0) * 1000)
        queries.append(len(connection.queries))
    return {
        "cpu_ms_median": round(statistics.median(cpu), 2),
        "wall_ms_median": round(statistics.median(wall), 2),
        "wall_ms_p95": round(sorted(wall)[int(len(wall) * 0.95) - 1], 2),
        "queries": statistics.median(queries),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    os.environ.setdefault("DEBUG", "false")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.test import Client
    from django.test.utils import override_settings

    from backend.pages import live
    from drafting import selectors, services
    from drafting.models import Declaration, Proposal

    settings.DEBUG = True  # count queries
    declaration = Declaration.objects.get()
    meeting = declaration.meeting
    user = User.objects.get(username="bench.mex.1")
    client = Client()
    client.force_login(user)
    page = client.get(f"/declarations/{declaration.pk}/text/")
    assert page.status_code == 200
    ticket = live.ticket(user, meeting)
    etag = live.meeting_etag(meeting)
    poll_url = f"/live/meetings/{meeting.pk}/?t={ticket}"
    after = selectors.declaration_last_event(declaration_id=declaration.pk)
    # one support by another delegation: one paragraph changed since `after`
    supporter = User.objects.get(username="bench.can.1")
    proposal = (
        Proposal.objects.filter(declaration=declaration, status="submitted")
        .exclude(delegation__code="CAN")
        .exclude(positions__delegation__code="CAN")
        .first()
    )
    assert proposal is not None, "run bench/bench_live.py first (it leaves proposals)"
    services.position_set(actor=supporter, proposal=proposal, stance="support")
    new_etag = live.meeting_etag(meeting)
    rows: dict[str, Any] = {}
    rows["poll 304 (marker warm)"] = measure(
        lambda: client.get(poll_url, headers={"If-None-Match": new_etag}), args.repeat
    )
    with override_settings(CONSENSO_LIVE_CACHE_MS=0):
        rows["poll 200 (marker read from the database)"] = measure(
            lambda: client.get(poll_url, headers={"If-None-Match": etag}), args.repeat
        )
    patch_url = f"/declarations/{declaration.pk}/text/?changed_since={after}"
    rows["partial update: one paragraph (changed_since)"] = measure(
        lambda: client.get(patch_url, headers={"HX-Request": "true"}), args.repeat
    )
    rows["whole text page"] = measure(lambda: client.get(f"/declarations/{declaration.pk}/text/"), args.repeat // 4)
    from backend.pages import stream

    readers = stream.sample_readers(declaration)
    rows[f"event stream: one change, per process, {len(readers)} kinds of reader"] = measure(
        lambda: stream.render_for_bench(declaration, after, readers), args.repeat // 4
    )
    result = {"rows": rows, "load": os.getloadavg(), "paragraphs": declaration.paragraphs.count()}
    print(json.dumps(result, indent=2))
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "profile-live.json").write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
