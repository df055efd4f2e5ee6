"""Benchmark: importing the next revision of a 1,000-paragraph declaration.

    .venv/bin/python bench/bench_confirm.py [--repeat 3]

On a fresh SQLite database: a zero draft of 1,000 paragraphs of real RCM
language (tests/data/rcm_paragraphs.json, numbered to be distinct) issued
with ``revision_issue``; then, ``--repeat`` times, the next text as a .txt
upload: every tenth paragraph reworded, every twenty-fifth new, blocks of
paragraphs moved. Times separately:

1. the worker's part, ``import_job_run``: reading in the isolated process,
   checking, and matching paragraph identities (bounded: a few candidates
   per paragraph, see drafting/services/import_jobs.py);
2. ``import_job_confirm``: applies the stored mapping and issues the revision.

Goal (issue 13): confirm < 2 s. Prints a markdown table to paste into
bench/RESULTS.md, with the machine's load.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
GOAL_SECONDS = 2.0
N = 1_000


def texts() -> list[str]:
    data = json.loads((ROOT / "tests" / "data" / "rcm_paragraphs.json").read_text(encoding="utf-8"))
    pool = [t for value in data.values() if isinstance(value, dict) for t in value.get("paragraphs", [])]
    return [f"{pool[n % len(pool)]} ({n})" for n in range(N)]


def next_text(base: list[str], run: int) -> bytes:
    out: list[str] = []
    for n, t in enumerate(base):
        if n % 25 == 0:
            out.append(f"The Conference welcomes new item {run}-{n} on regional cooperation and labour mobility.")
        out.append(f"{t}, as amended in round {run}" if n % 10 == 0 else t)
    # move blocks of twenty paragraphs: the third block of each hundred goes first
    moved: list[str] = []
    for start in range(0, len(out), 100):
        block = out[start : start + 100]
        moved += block[40:60] + block[:40] + block[60:]
    return ("DECLARATION\n\n" + "\n\n".join(f"{i + 1}. {t}" for i, t in enumerate(moved)) + "\n").encode()


def match_times(declaration_id: int, data: bytes) -> tuple[float, float]:
    """Matching alone, as bounded, and with the bounds lifted (every
    paragraph a candidate, every index entry looked at: the cost the bounds
    avoid), side by side in one run."""
    from drafting.importing import read_document
    from drafting.services import import_jobs

    paragraphs = [p for s in read_document(data).sections_input() for p in s["paragraphs"]]
    times = []
    for candidates, postings in ((import_jobs.MAX_CANDIDATES, import_jobs.MAX_POSTINGS), (10**9, 10**9)):
        saved = import_jobs.MAX_CANDIDATES, import_jobs.MAX_POSTINGS
        import_jobs.MAX_CANDIDATES, import_jobs.MAX_POSTINGS = candidates, postings
        try:
            started = time.perf_counter()
            import_jobs.match_identities(import_jobs._existing(declaration_id), [dict(p) for p in paragraphs])
            times.append(time.perf_counter() - started)
        finally:
            import_jobs.MAX_CANDIDATES, import_jobs.MAX_POSTINGS = saved
    return times[0], times[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        from bench.bench_import import setup_django

        setup_django(str(Path(tmp) / "bench.sqlite3"))
        from django.contrib.auth.models import User

        from drafting import services
        from drafting.models import Delegation, Meeting
        from drafting.services.revisions import SectionInput

        ppt = Delegation.objects.create(code="SLV", name_en="El Salvador", name_es="El Salvador")
        user = User.objects.create(username="ts")
        meeting = Meeting.objects.create(
            title="Bench", place="San Salvador", start_date="2023-05-11", end_date="2023-05-12", ppt=ppt
        )
        meeting.secretariat_staff.set([user])
        declaration = services.declaration_create(actor=user, meeting=meeting, title="Bench declaration")
        base = texts()
        sections: list[SectionInput] = [
            {"kind": "operative", "paragraphs": [{"kind": "operative", "text": t} for t in base]}
        ]
        services.revision_issue(actor=user, declaration=declaration, sections=sections)
        runs, confirms, identities = [], [], []
        for run in range(args.repeat):
            job = services.import_job_create(
                actor=user,
                meeting=meeting,
                declaration=declaration,
                content=next_text(base, run),
                filename="next.txt",
                dispatch=lambda job_id: None,
            )
            started = time.perf_counter()
            ran = services.import_job_run(job_id=job.pk)
            runs.append(time.perf_counter() - started)
            assert ran is not None and ran.preview is not None, ran and ran.error
            identities.append(ran.preview["identities"])
            started = time.perf_counter()
            services.import_job_confirm(actor=user, job_id=job.pk)
            confirms.append(time.perf_counter() - started)
            declaration.refresh_from_db()
            base = [p.text for p in declaration.paragraphs.exclude(state="deleted").order_by("position")]
        bounded, unbounded = match_times(declaration.pk, next_text(base, args.repeat))
    load = os.getloadavg()
    print(f"load average (uptime): {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; {os.cpu_count()} CPUs")
    print(f"identities found (first run): {identities[0]}")
    print()
    print("| step (1,000 paragraphs, SQLite) | median | min | max | goal |")
    print("|---|---|---|---|---|")
    print(f"| worker: read (isolated) + check + match | {statistics.median(runs):.3f} s | {min(runs):.3f} s | "
          f"{max(runs):.3f} s | |")  # fmt: skip
    verdict = "met" if statistics.median(confirms) < GOAL_SECONDS else "NOT met"
    print(f"| confirm: apply the mapping, issue the revision | {statistics.median(confirms):.3f} s | "
          f"{min(confirms):.3f} s | {max(confirms):.3f} s | < {GOAL_SECONDS:.0f} s ({verdict}) |")  # fmt: skip
    print(f"| matching alone, bounded / bounds lifted | {bounded:.3f} s / {unbounded:.3f} s | "
          f"ratio {unbounded / bounded:.1f}× | | |")  # fmt: skip


if __name__ == "__main__":
    main()
