"""Benchmark: searching the library of agreed language, 20,000 statements.

    .venv/bin/python bench/bench_library_search.py [--statements 20000] [--database both|sqlite|postgres]

Goal: p95 < 50 ms per search on both databases.

For each database, in a child process of its own (fresh SQLite file under
bench/out/, or the PostgreSQL database ``consenso_library_bench`` on
127.0.0.1:5432, dropped and re-created):

1. migrate, import seed 004 through the service (``library_import_seed004``,
   186 statements, near-duplicates grouped);
2. generate the rest from the seed's own vocabulary (deterministic): each
   statement splices 2–4 clauses of different seed statements (split at
   commas and semicolons), with a theme, a meeting I–XXI RCM and its year;
   one in ten repeats an earlier one (a near-duplicate, grouped). They are
   bulk-inserted and indexed the way the service indexes (SQLite: the FTS5
   row of Snowball stems; PostgreSQL: the generated tsvector columns);
3. 300 queries drawn from the same vocabulary: one frequent word, one rare
   word, two or three words, a quoted three-word phrase from a seed
   statement, and any of these with a theme or year filter; each timed
   through ``drafting.selectors.library.library_search`` (limit 20, what the
   API asks) after a warm-up pass, then 3 timed passes; and 100 of them
   through the API (``GET /api/library/?q=…``, in process, serialisation
   included).

Prints a markdown table to paste into bench/RESULTS.md; raw timings in
bench/out/library_search-<database>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
SEED = next((ROOT.parent / "shared" / "seeds").glob("004_*.txt"), None)
PG_URL = "postgres://postgres@127.0.0.1:5432/consenso_library_bench"
GOAL_MS = 50.0
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI"]
ROMAN += ["XII", "XIII", "XIV", "XV", "XVI", "XVII", "XVIII", "XIX", "XX", "XXI"]


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def child(database: str, total: int, vacuum: bool = True) -> dict[str, Any]:
    OUT.mkdir(parents=True, exist_ok=True)
    if database == "postgres":
        import psycopg

        with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as admin:
            admin.execute("DROP DATABASE IF EXISTS consenso_library_bench")
            admin.execute("CREATE DATABASE consenso_library_bench")
        os.environ["DATABASE_URL"] = PG_URL
    else:
        path = OUT / "library_bench.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ.pop("DATABASE_URL", None)
        os.environ["CONSENSO_SQLITE_PATH"] = str(path)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection, transaction
    from rest_framework.test import APIClient

    from drafting.library import analysis
    from drafting.models import AgreedStatement
    from drafting.selectors.library import LibraryFilters, library_search
    from drafting.services.library import library_import_seed004

    call_command("migrate", verbosity=0)
    assert SEED is not None, "shared/seeds/004_*.txt not found"
    started = time.perf_counter()
    library_import_seed004(text=SEED.read_text(encoding="utf-8"))
    seed_seconds = time.perf_counter() - started
    seeds = list(AgreedStatement.objects.order_by("id"))
    rng = random.Random(17)
    clauses = [c.strip() for s in seeds for c in re.split(r"[,;]\s+", s.text_en.replace("\n", " ")) if len(c) > 20]
    themes = [t for t, _ in AgreedStatement.Theme.choices]

    started = time.perf_counter()
    rows: list[AgreedStatement] = []
    for n in range(total - len(seeds)):
        if rows and n % 10 == 9:
            original = rows[rng.randrange(len(rows))]
            text = original.text_en.rstrip(".") + " in the region."
        else:
            parts = rng.sample(clauses, rng.randint(2, 4))
            text = ", ".join(parts).rstrip(".") + "."
            text = text[0].upper() + text[1:]
        number = rng.randrange(21)
        rows.append(
            AgreedStatement(
                text_en=text,
                original_language="en",
                theme=rng.choice(themes),
                meeting_label=f"{ROMAN[number]} RCM",
                year=1996 + number,
                origin=AgreedStatement.Origin.SEED,
                import_key=f"bench:{n}",
            )
        )
    with transaction.atomic():
        created = AgreedStatement.objects.bulk_create(rows, batch_size=1000)
        # one in ten repeats an earlier statement: group it under that one
        by_text: dict[str, int] = {}
        leaders: dict[int, int] = {}
        for statement in created:
            key = statement.text_en.removesuffix(" in the region.").rstrip(".")
            if key in by_text:
                leaders[statement.pk] = by_text[key]
            else:
                by_text.setdefault(statement.text_en.rstrip("."), statement.pk)
        for pk, leader in leaders.items():
            AgreedStatement.objects.filter(pk=pk).update(duplicate_of_id=leader)
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.executemany(
                    "INSERT OR REPLACE INTO drafting_agreedstatement_fts (rowid, es, en) VALUES (%s, %s, %s)",
                    [(s.pk, "", analysis.index_text(s.text_en, "en")) for s in created],
                )
    with connection.cursor() as cursor:
        # What autovacuum does soon after a bulk load; on PostgreSQL it also
        # merges the GIN indexes' pending lists (--no-vacuum: measure before).
        cursor.execute("ANALYZE" if connection.vendor == "sqlite" or not vacuum else "VACUUM ANALYZE")
    build_seconds = time.perf_counter() - started
    count = AgreedStatement.objects.count()

    # --- queries from the vocabulary ---
    words: dict[str, int] = {}
    for s in seeds:
        for w in re.findall(r"[a-z]{4,}", s.text_en.lower()):
            words[w] = words.get(w, 0) + 1
    ranked = sorted(words, key=lambda w: -words[w])
    frequent, rare = ranked[:40], [w for w in ranked if words[w] <= 2]
    queries: list[tuple[str, str, LibraryFilters]] = []
    for n in range(300):
        kind = ["frequent word", "rare word", "2-3 words", "phrase"][n % 4]
        if kind == "frequent word":
            q = rng.choice(frequent)
        elif kind == "rare word":
            q = rng.choice(rare)
        elif kind == "2-3 words":
            q = " ".join(rng.sample(ranked[:400], rng.randint(2, 3)))
        else:
            tokens = rng.choice(seeds).text_en.split()
            start = rng.randrange(max(1, len(tokens) - 3))
            q = '"' + " ".join(tokens[start : start + 3]) + '"'
        filters = LibraryFilters()
        if n % 5 == 4:
            filters = (
                LibraryFilters(theme=rng.choice(themes)) if n % 2 else LibraryFilters(year=1996 + rng.randrange(21))
            )
            kind += " + filter"
        queries.append((kind, q, filters))

    for _, q, f in queries:  # warm-up
        library_search(query=q, filters=f, limit=20)
    timings: dict[str, list[float]] = {}
    hits: list[int] = []
    for _ in range(3):
        for kind, q, f in queries:
            t0 = time.perf_counter()
            result = library_search(query=q, filters=f, limit=20)
            elapsed = (time.perf_counter() - t0) * 1000
            timings.setdefault(kind, []).append(elapsed)
            timings.setdefault("all", []).append(elapsed)
            hits.append(result.total)

    user = User.objects.create_user("bench-reader", password="x")
    client = APIClient()
    client.force_authenticate(user)
    api: list[float] = []
    for _, q, _ in queries[:100]:
        t0 = time.perf_counter()
        response = client.get("/api/library/", {"q": q})
        api.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, response.content[:200]

    summary = {
        kind: {
            "n": len(v),
            "p50": statistics.median(v),
            "p95": _pct(v, 95),
            "p99": _pct(v, 99),
            "max": max(v),
        }
        for kind, v in sorted(timings.items())
    }
    summary["API GET /api/library/?q="] = {
        "n": len(api),
        "p50": statistics.median(api),
        "p95": _pct(api, 95),
        "p99": _pct(api, 99),
        "max": max(api),
    }
    report = {
        "database": database,
        "vacuum": vacuum,
        "engine": connection.vendor,
        "statements": count,
        "seed_import_seconds": round(seed_seconds, 2),
        "generate_and_index_seconds": round(build_seconds, 2),
        "median_matches": statistics.median(hits),
        "timings_ms": summary,
    }
    (OUT / f"library_search-{database}.json").write_text(json.dumps(report, indent=2))
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--statements", type=int, default=20_000)
    parser.add_argument("--database", choices=["both", "sqlite", "postgres"], default="both")
    parser.add_argument("--no-vacuum", action="store_true", help="PostgreSQL: search right after the bulk load")
    parser.add_argument("--child", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.statements, vacuum=not args.no_vacuum)))
        return
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    load_before = uptime()
    reports = []
    for database in databases:
        done = subprocess.run(
            [sys.executable, __file__, "--child", database, "--statements", str(args.statements)]
            + (["--no-vacuum"] if args.no_vacuum else []),
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        if done.returncode != 0:
            sys.exit(f"{database}: failed\n{done.stderr[-3000:]}")
        reports.append(json.loads(done.stdout.strip().splitlines()[-1]))
    load_after = uptime()
    print(f"load before: {load_before}\nload after:  {load_after}\n")
    for r in reports:
        print(
            f"**{r['engine']}**: {r['statements']:,} statements (seed import {r['seed_import_seconds']} s, "
            f"generated and indexed in {r['generate_and_index_seconds']} s); median matches per query "
            f"{r['median_matches']:.0f}" + ("" if r["vacuum"] or r["engine"] == "sqlite" else " (no VACUUM)") + "\n"
        )
    print("| query | " + " | ".join(f"{r['engine']} p50 / p95 / p99 / max (ms)" for r in reports) + " |")
    print("|---|" + "---|" * len(reports))
    for kind in reports[0]["timings_ms"]:
        cells = []
        for r in reports:
            t = r["timings_ms"][kind]
            cells.append(f"{t['p50']:.1f} / **{t['p95']:.1f}** / {t['p99']:.1f} / {t['max']:.1f} (n={t['n']})")
        print(f"| {kind} | " + " | ".join(cells) + " |")
    worst = max(r["timings_ms"]["all"]["p95"] for r in reports)
    print(
        f"\nGoal p95 < {GOAL_MS:.0f} ms on both: {'met' if worst < GOAL_MS else 'NOT met'} (worst p95 {worst:.1f} ms)"
    )


if __name__ == "__main__":
    main()
