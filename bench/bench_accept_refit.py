"""Accepting a proposal on a paragraph that carries 50 other pending proposals (issue 11; goal < 50 ms).

    .venv/bin/python bench/bench_accept_refit.py [--database sqlite|postgres] [--repeat 21] [--pending 50]

When the PPT accepts a proposal, every other pending proposal that edits the
paragraph's text is re-fitted onto the new wording in the same transaction
(drafting/services/working_text.py → services/refitting.py → the text
engine). This times what the chair waits for, side by side in one run:

- ``service, 0 pending``: ``services.proposal_decide`` on a paragraph with no
  other proposal (the floor: locks, checks, the paragraph, the events);
- ``service, N pending``: the same with N pending proposals on the paragraph
  (the goal: < 50 ms on the embedded default, SQLite);
- ``HTTP, 0 pending`` and ``HTTP, N pending``: ``POST /api/proposals/{id}/accept/``
  through Django's test client (middleware, token auth, DRF, the answer
  serialised; no network), i.e. the server's time for the request.

Data, built through the services in a fresh database (SQLite file
``bench/out/accept_refit.sqlite3``, or the PostgreSQL database
``consenso_bench_accept`` on ``BENCH_PG``, dropped and created): the 11 RCM member
delegations (El Salvador the PPT, all present) and the Technical Secretariat; a
zero draft of 3 operative paragraphs; on the 600-character RCM paragraph, N
proposals by the 11 delegations in turn (random one-word-to-three-word edits,
as in bench_textengine.py: replace, insert, delete; one in ten an
alternative, one in 25 a deletion of the paragraph), each supported by another
delegation; and El Salvador's proposal that the PPT accepts. Each timed run
runs inside a transaction that is rolled back, so each sees the same N pending.
Also reported: the CPU time of the process during the call (less sensitive
than wall time to other work on a shared machine; SQLite runs in-process, so
it includes the database's work), the part spent re-fitting
(``proposals_refit_after_accept``), the queries, and what became of the N
(re-fitted, conflicted, superseded).
Writes bench/out/accept_refit-<database>.json.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_refit_service import MEMBERS, OUT, configure  # noqa: E402

PG_DB = "consenso_bench_accept"


def build(pending: int) -> dict[str, Any]:
    from rest_framework.test import APIClient

    from bench.bench_refit_service import organisation
    from bench.bench_textengine import corpus, edit_words, vocabulary
    from drafting import services
    from drafting.models import ApiToken, RevisionParagraph

    users, ts, meeting = organisation("RCM accept benchmark")
    paragraphs, six_hundred = corpus()
    vocab = vocabulary(paragraphs)
    declaration = services.declaration_create(actor=ts, meeting=meeting, title="Declaration of San Salvador")
    texts = [paragraphs[3], six_hundred, paragraphs[5]]
    zero = services.revision_issue(
        actor=ts,
        declaration=declaration,
        sections=[
            {"kind": "title", "paragraphs": [{"kind": "title", "text": "Declaration of San Salvador"}]},
            {
                "kind": "operative",
                "heading": "DECISIONS",
                "paragraphs": [{"kind": "operative", "text": t} for t in texts],
            },
        ],
    )
    rows = list(
        RevisionParagraph.objects.filter(revision=zero, kind="operative")
        .order_by("position")
        .values_list("paragraph_id", "text")
    )
    busy, quiet = rows[1], rows[2]
    rng = random.Random(11)

    def submit(code: str, paragraph: tuple[int, str], kind: str = "replace") -> Any:
        text = ""
        if kind != "delete":
            text = edit_words(paragraph[1], rng, vocab)
            while text == paragraph[1]:
                text = edit_words(paragraph[1], rng, vocab)
        return services.proposal_submit(
            actor=users[code],
            declaration=declaration,
            revision_id=zero.pk,
            paragraph_id=paragraph[0],
            kind=kind,
            text=text,
        )

    for n in range(pending):
        code = MEMBERS[n % len(MEMBERS)]
        kind = "delete" if n % 25 == 24 else "alternative" if n % 10 == 9 else "replace"
        proposal = submit(code, busy, kind)
        supporter = MEMBERS[(n + 3) % len(MEMBERS)]
        services.position_set(actor=users[supporter], proposal=proposal, stance="support")
    # One client for every run, as one server process loads its middleware once
    # (a fresh test client would load it, whitenoise's file scan included, each time).
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {ApiToken.objects.create(user=users['SLV']).key}")
    return {
        "ppt": users["SLV"],
        "client": client,
        "busy": submit("SLV", busy),
        "quiet": submit("SLV", quiet),
        "paragraph": busy[0],
        "paragraph_chars": len(busy[1]),
    }


def run(data: dict[str, Any], which: str, *, http: bool) -> dict[str, Any]:
    """One acceptance, rolled back; its time, the re-fit's part and the queries."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from drafting import services
    from drafting.models import Proposal
    from drafting.services import refitting, working_text

    proposal = Proposal.objects.get(pk=data[which].pk)
    refit_seconds = [0.0]
    real = refitting.proposals_refit_after_accept  # what working_text.py imported, timed in its place below

    def timed(**kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return real(**kwargs)
        finally:
            refit_seconds[0] += time.perf_counter() - started

    patcher = mock.patch.object(working_text, "proposals_refit_after_accept", timed)
    patcher.start()
    client = data["client"]
    outcome: dict[str, int] = {}
    try:
        with CaptureQueriesContext(connection) as queries, transaction.atomic():
            started, cpu_started = time.perf_counter(), time.process_time()
            if http:
                response = client.post(f"/api/proposals/{proposal.pk}/accept/", {"version": proposal.version})
                assert response.status_code == 200, response.content
            else:
                services.proposal_decide(
                    actor=data["ppt"], proposal=proposal, decision="accept", version=proposal.version
                )
            total, cpu = time.perf_counter() - started, time.process_time() - cpu_started
            for status in Proposal.objects.filter(paragraph_id=proposal.paragraph_id).values_list("status", flat=True):
                outcome[status] = outcome.get(status, 0) + 1
            transaction.set_rollback(True)
    finally:
        patcher.stop()
    return {
        "ms": total * 1000,
        "cpu_ms": cpu * 1000,
        "refit_ms": refit_seconds[0] * 1000,
        "queries": len(queries),
        "outcome": outcome,
    }


def summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    ms = sorted(r["ms"] for r in runs)
    return {
        "median_ms": round(statistics.median(ms), 2),
        "p90_ms": round(ms[int(0.9 * (len(ms) - 1))], 2),
        "best_ms": round(ms[0], 2),
        "median_cpu_ms": round(statistics.median(r["cpu_ms"] for r in runs), 2),
        "median_refit_ms": round(statistics.median(r["refit_ms"] for r in runs), 2),
        "queries": runs[0]["queries"],
        "statuses_after": runs[0]["outcome"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--repeat", type=int, default=21, help="rolled-back runs of each case")
    parser.add_argument("--pending", type=int, default=50, help="pending proposals on the paragraph")
    args = parser.parse_args(argv)

    configure(args.database, sqlite_name="accept_refit", pg_db=PG_DB)
    from django.db import connection

    from bench.bench_refit_service import server_version

    started = time.perf_counter()
    data = build(args.pending)
    build_seconds = time.perf_counter() - started
    load_before = os.getloadavg()
    cases = {
        "service, 0 pending": ("quiet", False),
        f"service, {args.pending} pending": ("busy", False),
        "HTTP, 0 pending": ("quiet", True),
        f"HTTP, {args.pending} pending": ("busy", True),
    }
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in cases}
    for http in (False, True):  # warm-up: imports, the engine, the connection, the middleware
        run(data, "busy", http=http)
    for _ in range(args.repeat):  # interleaved, so a busy moment touches every case alike
        for name, (which, http) in cases.items():
            runs[name].append(run(data, which, http=http))
    result = {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} CPUs, {platform.machine()} {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}",
        "load_average_before_after": [round(load_before[0], 2), round(os.getloadavg()[0], 2)],
        "database": f"{connection.vendor} {server_version(connection)}",
        "command": "bench/bench_accept_refit.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "paragraph_chars": data["paragraph_chars"],
        "pending": args.pending,
        "repeat": args.repeat,
        "build_seconds": round(build_seconds, 1),
        "cases": {name: summary(r) for name, r in runs.items()},
    }
    out = OUT / f"accept_refit-{args.database}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    label = {"sqlite": "SQLite", "postgres": "PostgreSQL"}[args.database]
    floor = result["cases"]["service, 0 pending"]["median_ms"]
    print(f"\nload average {result['load_average_before_after']}, {label}, {args.repeat} runs each")
    for name, s in result["cases"].items():
        print(
            f"| accept, {name} ({label}) | {s['median_ms']:.1f} | {s['p90_ms']:.1f} | {s['best_ms']:.1f} | "
            f"{s['median_cpu_ms']:.1f} | re-fit {s['median_refit_ms']:.1f} ms; {s['queries']} queries; "
            f"× {s['median_ms'] / floor:.2f} of the floor |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
