"""Where a proposal submission and a read of the current draft spend their
time, in process, one request at a time (what the soak's figures are made
of). Its own database (``consenso_soak_profile``), rebuilt each run:

    .venv/bin/python bench/soak_profile.py [--n 300]

For each request kind: wall ms per request (median), queries and their
time as the driver saw it, and, for the submission, the time inside the
service's transaction (the declaration's row lock is held for all of it, so
it bounds the writes per second on one declaration whatever the cores), and
a cProfile listing (bench/out/soak_profile_submit.txt).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import soak_world as sw  # noqa: E402

DB = "consenso_soak_profile"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=300)
    args = ap.parse_args(argv)
    env = sw.base_env(db_name=DB, media=sw.OUT / "soak-profile-media")
    sw.recreate_database(DB)
    sw.django_setup(env)
    world = sw.populate(per_member=1, per_observer=1, ppt_users=1, ts_users=1)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from drafting import services
    from drafting.models import Declaration, Paragraph, Revision

    seat = next(s for s in world.seats if s.code == "MEX")
    client = Client(HTTP_AUTHORIZATION=f"Token {seat.token}")
    decl = world.declaration_id
    revision = Revision.objects.filter(declaration_id=decl).order_by("-number").first()
    assert revision is not None
    paragraphs = list(Paragraph.objects.filter(declaration_id=decl, kind="operative").values_list("pk", "text"))

    def submit(i: int) -> Any:
        pid, text = paragraphs[i % len(paragraphs)]
        body = {"declaration": decl, "revision": revision.pk, "paragraph": pid, "kind": "replace",
                "text": f"{text[:240]} (as amended, sk-profile-0x{i})", "rationale": f"sk-profile-0x{i}"}  # fmt: skip
        return client.post("/api/proposals/", body, content_type="application/json")

    def read(_: int) -> Any:
        return client.get(f"/api/declarations/{decl}/text/")

    out: dict[str, Any] = {}
    for name, call in (("submit", submit), ("read_text", read)):
        for i in range(20):  # warm up (and, for reads, fill the body cache)
            call(10_000 + i)
        walls, queries, qtime = [], [], []
        for i in range(args.n):
            with CaptureQueriesContext(connection) as ctx:
                t0 = time.perf_counter()
                response = call(i)
                walls.append((time.perf_counter() - t0) * 1000)
            assert response.status_code in (200, 201), response.content[:300]
            queries.append(len(ctx.captured_queries))
            qtime.append(sum(float(q["time"]) for q in ctx.captured_queries) * 1000)
        out[name] = {
            "ms_median": round(statistics.median(walls), 2),
            "ms_p90": round(sorted(walls)[int(0.9 * len(walls))], 2),
            "queries": statistics.median(queries),
            "query_ms_median": round(statistics.median(qtime), 2),
        }

    # The service alone: the transaction that holds the declaration's row lock.
    from django.contrib.auth import get_user_model

    actor = get_user_model().objects.get(username=seat.username)
    declaration = Declaration.objects.get(pk=decl)
    inside = []
    for i in range(args.n):
        pid, text = paragraphs[i % len(paragraphs)]
        t0 = time.perf_counter()
        services.proposal_submit(actor=actor, declaration=declaration, revision_id=revision.pk, paragraph_id=pid,
                                 kind="replace", text=f"{text[:240]} (service, {i})")  # fmt: skip
        inside.append((time.perf_counter() - t0) * 1000)
    out["proposal_submit_service"] = {"ms_median": round(statistics.median(inside), 2)}

    profile = cProfile.Profile()
    profile.enable()
    for i in range(args.n):
        submit(20_000 + i)
    profile.disable()
    listing = sw.OUT / "soak_profile_submit.txt"
    with listing.open("w") as f:
        pstats.Stats(profile, stream=f).sort_stats("cumulative").print_stats(60)
        pstats.Stats(profile, stream=f).sort_stats("tottime").print_stats(30)
    out["profile"] = str(listing)
    print(json.dumps(out, indent=1))
    (sw.OUT / "soak_profile.json").write_text(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
