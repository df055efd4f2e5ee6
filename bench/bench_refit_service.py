"""Re-fit through the service: the Secretariat issues a revision over 1,000 pending proposals whose paragraphs changed.

    .venv/bin/python bench/bench_refit_service.py [--database sqlite|postgres] [--repeat 5]

``bench/bench_textengine.py`` times ``refit()`` alone. This times what the
Secretariat (or the PPT) waits for when it issues the revision:
``services.revision_issue`` with the re-fit of every pending proposal, the
bulk update of the proposals and their 1,000 events, in one transaction.

Data, built through the services in a fresh database (SQLite file
``bench/out/refit_service.sqlite3``, or the PostgreSQL database
``consenso_bench_refit`` on ``BENCH_PG``, default postgres://postgres@127.0.0.1:5432,
dropped and created): the 11 RCM member delegations (El Salvador the PPT,
all present) and the Technical Secretariat (created directly, as
tests/factories.py does); a declaration whose zero draft is 250 real RCM
paragraphs from tests/data/rcm_paragraphs.json (its 203 paragraphs, cycled)
issued with ``services.revision_issue``; 1,000 proposals, 4 on each
paragraph by 4 different delegations, made with ``services.proposal_submit``
(one random word edit each); then Rev.1, the same paragraphs by identity,
each with a random word edit of its own (the edits of bench_textengine.py,
same seeds), issued with ``services.revision_issue``.

Each timed run issues Rev.1 inside a transaction that is rolled back (so
every run sees the same 1,000 pending proposals); the last run commits.
Also reported: the part of the call spent in the re-fit itself
(``proposals_refit``, engine and verification), the queries, and the outcomes.
Writes bench/out/refit_service-<database>.json.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(os.environ.get("BENCH_OUT", ROOT / "bench" / "out"))
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
PG_DB = "consenso_bench_refit"
N_PARAGRAPHS = 250
PER_PARAGRAPH = 4
MEMBERS = ["BLZ", "CAN", "CRI", "DOM", "SLV", "GTM", "HND", "MEX", "NIC", "PAN", "USA"]


def configure(database: str, *, sqlite_name: str = "refit_service", pg_db: str = PG_DB) -> None:
    """A fresh database (SQLite file bench/out/<sqlite_name>.sqlite3, or ``pg_db``
    dropped and created), migrated, with Django set up on bench.settings."""
    OUT.mkdir(parents=True, exist_ok=True)
    if database == "postgres":
        import psycopg

        with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{pg_db}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{pg_db}"')
        os.environ["DATABASE_URL"] = f"{PG}/{pg_db}"
    else:
        path = OUT / f"{sqlite_name}.sqlite3"
        for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            p.unlink(missing_ok=True)
        os.environ.pop("DATABASE_URL", None)
        os.environ["CONSENSO_SQLITE_PATH"] = str(path)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def organisation(title: str) -> tuple[dict[str, Any], Any, Any]:
    """The 11 RCM member delegations (El Salvador the PPT, all present), one
    delegate each, and the Technical Secretariat, created directly as
    tests/factories.py does: (users by code, the TS user, the meeting)."""
    from django.contrib.auth import get_user_model

    from drafting.models import Delegate, Delegation, Meeting

    User = get_user_model()
    delegations = {
        code: Delegation.objects.create(code=code, name_en=code, name_es=code, kind=Delegation.Kind.MEMBER_STATE)
        for code in MEMBERS
    }
    ts_delegation = Delegation.objects.create(
        code="TS", name_en="Technical Secretariat", name_es="Secretaría Técnica", kind=Delegation.Kind.SECRETARIAT
    )
    users = {}
    for code, delegation in delegations.items():
        users[code] = User.objects.create_user(username=f"bench-{code.lower()}")
        Delegate.objects.create(user=users[code], delegation=delegation)
    ts = User.objects.create_user(username="bench-ts")
    Delegate.objects.create(user=ts, delegation=ts_delegation)
    meeting = Meeting.objects.create(
        title=title,
        place="San Salvador",
        start_date=datetime.date(2026, 6, 10),
        end_date=datetime.date(2026, 6, 11),
        ppt=delegations["SLV"],
    )
    meeting.participants.set(delegations.values())
    meeting.secretariat_staff.set([ts])
    return users, ts, meeting


def build() -> dict[str, Any]:
    import random

    from bench.bench_textengine import corpus, edit_words, vocabulary
    from drafting import services
    from drafting.models import RevisionParagraph

    users, ts, meeting = organisation("RCM re-fit benchmark")
    paragraphs, _ = corpus()
    vocab = vocabulary(paragraphs)
    declaration = services.declaration_create(actor=ts, meeting=meeting, title="Declaration of San Salvador")
    zero = services.revision_issue(
        actor=ts,
        declaration=declaration,
        sections=[
            {"kind": "title", "paragraphs": [{"kind": "title", "text": "Declaration of San Salvador"}]},
            {
                "kind": "operative",
                "heading": "DECISIONS",
                "paragraphs": [
                    {"kind": "operative", "text": paragraphs[i % len(paragraphs)]} for i in range(N_PARAGRAPHS)
                ],
            },
        ],
    )
    rows = list(
        RevisionParagraph.objects.filter(revision=zero, kind="operative")
        .order_by("position")
        .values_list("paragraph_id", "text")
    )
    rng = random.Random(22)
    started = time.perf_counter()
    for n, (paragraph_id, text) in enumerate(rows):
        for k in range(PER_PARAGRAPH):
            proposed = edit_words(text, rng, vocab)
            while proposed == text:
                proposed = edit_words(text, rng, vocab)
            services.proposal_submit(
                actor=users[MEMBERS[(n + k) % len(MEMBERS)]],
                declaration=declaration,
                revision_id=zero.pk,
                paragraph_id=paragraph_id,
                kind="replace",
                text=proposed,
            )
    submit_seconds = time.perf_counter() - started
    rng = random.Random(2026)
    rev1_texts = {}
    for paragraph_id, text in rows:
        new = edit_words(text, rng, vocab)
        rev1_texts[paragraph_id] = new if new != text else text + " " + rng.choice(vocab) + "."
    title_id = RevisionParagraph.objects.get(revision=zero, kind="title").paragraph_id
    sections = [
        {
            "kind": "title",
            "paragraphs": [{"kind": "title", "paragraph": title_id, "text": "Declaration of San Salvador"}],
        },
        {
            "kind": "operative",
            "heading": "DECISIONS",
            "paragraphs": [{"kind": "operative", "paragraph": pid, "text": rev1_texts[pid]} for pid, _ in rows],
        },
    ]
    return {"declaration": declaration, "ts": ts, "sections": sections, "submit_seconds": submit_seconds}


def issue(data: dict[str, Any], *, commit: bool) -> dict[str, Any]:
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from drafting import services
    from drafting.services import refitting, revisions

    refit_seconds = [0.0]
    real = refitting.proposals_refit  # what revisions.py imported, timed in its place below

    def timed(**kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return real(**kwargs)
        finally:
            refit_seconds[0] += time.perf_counter() - started

    with mock.patch.object(revisions, "proposals_refit", timed), CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        with transaction.atomic():
            revision = services.revision_issue(
                actor=data["ts"], declaration=data["declaration"], sections=data["sections"]
            )
            if not commit:
                transaction.set_rollback(True)
        total = time.perf_counter() - started
    return {"ms": total * 1000, "refit_ms": refit_seconds[0] * 1000, "queries": len(queries), "revision": revision.pk}


def outcomes(data: dict[str, Any], revision_id: int) -> dict[str, Any]:
    from drafting.models import Event, Proposal

    event = Event.objects.get(verb="revision.issued", object_id=str(revision_id))
    return {
        "revision_issued_event": event.after,
        "proposal_events": Event.objects.filter(declaration=data["declaration"], verb__startswith="proposal.")
        .exclude(verb="proposal.submitted")
        .count(),
        "statuses": dict(
            sorted(
                (status, Proposal.objects.filter(declaration=data["declaration"], status=status).count())
                for status in Proposal.objects.filter(declaration=data["declaration"])
                .values_list("status", flat=True)
                .distinct()
            )
        ),
    }


def server_version(connection: Any) -> str:
    if connection.vendor == "sqlite":
        return str(connection.Database.sqlite_version)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return str(cursor.fetchone()[0])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--repeat", type=int, default=5, help="rolled-back runs (then one committed run)")
    parser.add_argument("--pg-db", default=PG_DB, help="the PostgreSQL database to drop, create and use")
    args = parser.parse_args(argv)

    configure(args.database, pg_db=args.pg_db)
    from django.db import connection

    from drafting import services

    started = time.perf_counter()
    data = build()
    build_seconds = time.perf_counter() - started
    runs = [issue(data, commit=False) for _ in range(args.repeat)]
    committed = issue(data, commit=True)
    result = {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} CPUs, {platform.machine()} {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, load average {os.getloadavg()[0]:.1f}",
        "database": f"{connection.vendor} {server_version(connection)}",
        "command": "bench/bench_refit_service.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "source": str(Path(services.__file__).resolve().parent.parent.parent),
        "paragraphs": N_PARAGRAPHS,
        "proposals": N_PARAGRAPHS * PER_PARAGRAPH,
        "build_seconds": round(build_seconds, 1),
        "submit_seconds": round(data["submit_seconds"], 1),
        "rolled_back_runs_ms": [round(r["ms"], 1) for r in runs],
        "median_ms": round(statistics.median(r["ms"] for r in runs), 1),
        "best_ms": round(min(r["ms"] for r in runs), 1),
        "median_refit_ms": round(statistics.median(r["refit_ms"] for r in runs), 1),
        "queries": runs[0]["queries"],
        "committed_ms": round(committed["ms"], 1),
        "committed_refit_ms": round(committed["refit_ms"], 1),
        **outcomes(data, committed["revision"]),
    }
    out = OUT / f"refit_service-{args.database}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    label = {"sqlite": "SQLite", "postgres": "PostgreSQL"}[args.database]
    print(
        f"\n| issue Rev.1 through `services.revision_issue`, 1,000 pending proposals re-fitted ({label}) | "
        f"{result['median_ms']:.0f} | {result['best_ms']:.0f} | committed run {result['committed_ms']:.0f} ms, "
        f"of which re-fit {result['median_refit_ms']:.0f} ms (median); {result['queries']} queries |"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
