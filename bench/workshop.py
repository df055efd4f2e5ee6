"""A whole RCM workshop replayed through the HTTP API on the embedded default (issue 18).

    .venv/bin/python bench/workshop.py [--seed 18] [--proposals 90] [--positions 180] [--reads 320]

What it does, on a fresh temporary SQLite database and media folder (nothing
configured: SQLite, jobs in process; both removed afterwards unless ``--keep``):

1. **World** (not timed as part of the workshop): ``migrate``, then
   ``bench.soak_world.populate``, i.e. the project's own ``load_demo``
   (``drafting.demo.demo_load``: the delegations, the II Preparation Workshop
   with El Salvador as PPT, the zero draft issued through
   ``services.revision_issue``), every member delegation registered as present,
   and one delegate user with an API token for each of the 11 members, a few
   observers and the Technical Secretariat.
2. **Workshop**, every step an HTTP request with a delegate's token:
   each member opens the working text; ~90 proposals (replace, alternative,
   insert after, delete) on random paragraphs; ~180 supports and objections by
   other members on pending proposals; reads of the working text interleaved so
   that the whole run makes ~320 of them; the PPT's decisions (refreshing the
   working text before each one: accept what has support and no objection,
   reject the rest; a proposal left conflicted by an acceptance is withdrawn by
   its delegation, as nobody may decide it), until nothing is pending; the PPT declares every paragraph
   agreed; issues Rev.1 from the working text; puts Rev.1 to adoption in session
   and adopts it. The Technical Secretariat exports the compilation text once
   the proposals and positions are in (it is of the working text, with every
   pending proposal and position), and after adoption the clean declaration
   (Rev.1) and tracked changes (Rev.1 against the zero draft), each
   ``POST /api/exports/`` then ``GET /api/exports/{id}/`` until ``done``.
3. **Output**: the total wall time, and per operation kind the count, total and
   mean wall time, total and mean CPU time (``time.process_time``) and statements
   (without transaction control, as the pinned query counts);
   the three costliest kinds; the statuses that were not the expected ones (exit
   status 1 if any). JSON in ``bench/out/workshop-latest.json``.

Why in process (Django's test ``Client``, the full WSGI handler and middleware)
rather than a live server on a free port: client and server share one process,
so the CPU time of each request is the server's own work (view, services, ORM,
SQLite, rendering) and is measured exactly per request with
``time.process_time``; with a live server the CPU would have to be split
between the two processes by sampling. What this leaves out is the WSGI
server's HTTP parsing and the socket (a few hundred microseconds per request).
Settings: ``bench.settings`` (the product's, with ``DEBUG`` off and the JSON
renderer only, as in production); the database and jobs are the embedded
default's.

Exports: on the embedded default the request only queues the job and the
job runner (``manage.py run_jobs``, which ``dev.py serve`` starts beside the
web server) renders it. The bench plays that runner in its own process: it
polls as a client does, and when the job is still queued runs
``manage.py run_jobs --once`` (counted under ``export_wait``, the runner's
work, not the request's); a job not done after 12 waits is reported as
unexpected.

Reproducible (``--seed``); bounded: each phase stops at ``--max-seconds`` (the
run then reports what it did and exits 1).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
KINDS = (["replace", "alternative", "insert_after", "delete"], [55, 15, 20, 10])
DONE = {"done", "failed"}


@dataclass
class Kind:
    count: int = 0
    wall: float = 0.0
    cpu: float = 0.0
    queries: int = 0


@dataclass
class Recorder:
    """Times every request by kind; remembers unexpected statuses."""

    deadline: float
    kinds: dict[str, Kind] = field(default_factory=lambda: defaultdict(Kind))
    unexpected: list[dict[str, Any]] = field(default_factory=list)
    queries: int = 0

    def count_query(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        # Statements of work, as the pinned query counts count them (tests/queries.py): not transaction control.
        if not sql.startswith(("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE", "ROLLBACK")):
            self.queries += 1
        return execute(sql, params, many, context)

    @contextmanager
    def timed(self, kind: str) -> Iterator[None]:
        q0, w0, c0 = self.queries, time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            k = self.kinds[kind]
            k.count += 1
            k.wall += time.perf_counter() - w0
            k.cpu += time.process_time() - c0
            k.queries += self.queries - q0

    def over(self) -> bool:
        return time.monotonic() > self.deadline


class Api:
    """One delegate's HTTP client (Django's test Client, token auth, JSON)."""

    def __init__(self, rec: Recorder, token: str, code: str) -> None:
        from django.test import Client

        self.rec, self.code = rec, code
        self.client = Client(HTTP_AUTHORIZATION=f"Token {token}")

    def call(
        self, kind: str, method: str, path: str, body: dict[str, Any] | None = None, ok: tuple[int, ...] = (200,)
    ) -> tuple[int, Any]:
        with self.rec.timed(kind):
            if method == "GET":
                response = self.client.get(path)
            else:
                response = self.client.generic(method, path, json.dumps(body or {}), content_type="application/json")
        data = response.json() if response.get("Content-Type", "").startswith("application/json") else None
        if response.status_code not in ok:
            detail = data.get("detail") if isinstance(data, dict) else None
            self.rec.unexpected.append({"kind": kind, "path": path, "status": response.status_code, "detail": detail})
        return response.status_code, data


@dataclass
class Workshop:
    rng: random.Random
    rec: Recorder
    declaration: int
    members: dict[str, Api]
    ppt: Api
    ts: Api
    revision: int = 0
    paragraphs: dict[int, dict[str, Any]] = field(default_factory=dict)
    pending: dict[int, dict[str, Any]] = field(default_factory=dict)
    reads: int = 0

    # --- reads ------------------------------------------------------------------------
    def read(self, api: Api) -> None:
        """GET the working text and keep what a delegate's screen would show."""
        status, body = api.call("read_working_text", "GET", f"/api/declarations/{self.declaration}/working-text/")
        self.reads += 1
        if status != 200:
            return
        self.revision = body["revision"]["id"] if body.get("revision") else self.revision
        self.paragraphs, self.pending = {}, {}
        for section in body["sections"]:
            for p in section["paragraphs"]:
                self.paragraphs[p["paragraph"]] = {"text": p["text"], "state": p["state"]}
                for q in p["proposals"]:
                    if q["status"] in ("submitted", "conflicted"):
                        self.pending[q["id"]] = {
                            "paragraph": p["paragraph"],
                            "delegation": q["delegation"],
                            "version": q["version"],
                            "status": q["status"],
                            "support": list(q["support"]),
                            "objections": [o["delegation"] for o in q["objections"]],
                        }

    def member(self) -> Api:
        return self.members[self.rng.choice(sorted(self.members))]

    # --- the delegations ------------------------------------------------------------------
    def propose(self, api: Api) -> None:
        open_ids = sorted(pid for pid, p in self.paragraphs.items() if p["state"] not in ("agreed", "deleted"))
        kind = self.rng.choices(*KINDS)[0]
        pid = self.rng.choice(open_ids)
        original = self.paragraphs[pid]["text"]
        text = {
            "replace": f"{original[:200]} (as amended by {api.code})",
            "alternative": f"Alternative wording from {api.code}: {original[:160]}",
            "insert_after": f"New paragraph proposed by {api.code} on the protection of migrants in transit.",
            "delete": "",
        }[kind]
        body = {"declaration": self.declaration, "revision": self.revision, "paragraph": pid, "kind": kind}
        body |= {"text": text, "rationale": f"{api.code}'s proposal"}
        status, data = api.call("submit_proposal", "POST", "/api/proposals/", body, ok=(201,))
        if status == 201:
            self.pending[data["id"]] = {"paragraph": pid, "delegation": api.code, "support": [], "objections": []}

    def take_position(self, api: Api, taken: set[tuple[str, int]]) -> None:
        code = api.code
        choices = sorted(i for i, p in self.pending.items() if p["delegation"] != code and (code, i) not in taken)
        if not choices:
            return
        pid = self.rng.choice(choices)
        stance = "object" if self.rng.random() < 0.25 else "support"
        reason = "Cannot accept this wording." if stance == "object" else "We support it."
        status, _ = api.call(stance, "POST", f"/api/proposals/{pid}/{stance}/", {"reason": reason})
        if status == 200:
            taken.add((api.code, pid))
            self.pending[pid]["objections" if stance == "object" else "support"].append(api.code)

    # --- the chair ------------------------------------------------------------------------
    def decide_all(self, max_rounds: int) -> None:
        """The PPT refreshes the working text, then decides the oldest pending proposal:
        accepted if some delegation supports it and none objects, rejected otherwise."""
        for _ in range(max_rounds):
            if self.rec.over():
                return
            self.read(self.ppt)
            if not self.pending:
                return
            pid = min(self.pending)
            p = self.pending[pid]
            if p["status"] == "conflicted":
                # Nobody may decide a conflicted proposal: its delegation withdraws it (and may table it again).
                self.members[p["delegation"]].call("withdraw_conflicted", "POST", f"/api/proposals/{pid}/withdraw/")
                continue
            accept = p["status"] == "submitted" and p["support"] and not p["objections"]
            decision = "accept" if accept else "reject"
            body = {"version": p["version"], "note": "Decided in the plenary."}
            self.ppt.call(decision, "POST", f"/api/proposals/{pid}/{decision}/", body)

    def agree_all(self) -> None:
        self.read(self.ppt)
        for pid in sorted(self.paragraphs):
            if self.rec.over():
                return
            state = self.paragraphs[pid]["state"]
            if state in ("agreed", "deleted"):
                continue
            if state not in ("open", "under_discussion", "bracketed", "reopened"):
                continue
            body = {"action": "agree", "note": "Agreed in the plenary."}
            self.ppt.call("agree_paragraph", "POST", f"/api/paragraphs/{pid}/transition/", body)


def export(ws: Workshop, kind: str, wait: float, **extra: int) -> dict[str, Any]:
    """POST the job, poll until done; run the queued jobs as the runner would."""
    from workers import runner

    body = {"declaration": ws.declaration, "kind": kind, "format": "docx", **extra}
    status, job = ws.ts.call(f"export_{kind}_request", "POST", "/api/exports/", body, ok=(200, 201))
    if status not in (200, 201):
        return {"kind": kind, "status": "not created"}
    started, handed_over = time.perf_counter(), 0
    while True:  # as a client does: at least one GET, whatever the POST said
        _, job = ws.ts.call("export_poll", "GET", f"/api/exports/{job['id']}/")
        waited = time.perf_counter() - started
        if job["status"] in DONE or ws.rec.over() or waited > 12 * wait:
            break
        if job["status"] == "queued" or waited > (handed_over + 1) * wait:
            # The embedded default's job runner (dev.py serve runs it beside the web server), here in process.
            with ws.rec.timed("export_wait"):
                runner.run_pending()  # what `manage.py run_jobs --once` does
            handed_over += 1
        time.sleep(0.05)
    if job["status"] != "done":
        ws.rec.unexpected.append({"kind": f"export_{kind}", "status": job["status"], "detail": job.get("error")})
    return {"kind": kind, "status": job["status"], "size": job.get("size"), "handed_over": handed_over}


def run(args: argparse.Namespace) -> dict[str, Any]:
    from django.db import connection

    from bench.soak_world import MEMBER_CODES, populate

    t0 = time.perf_counter()
    # populate migrates, then runs load_demo and registers the seats.
    world = populate(per_member=1, per_observer=1, ppt_users=1, ts_users=1)
    build_s = time.perf_counter() - t0

    rec = Recorder(deadline=time.monotonic() + args.max_seconds)
    apis = {s.username: Api(rec, s.token, s.code) for s in world.seats}
    members = {s.code: apis[s.username] for s in world.seats if s.code in MEMBER_CODES}
    ws = Workshop(
        rng=random.Random(args.seed),
        rec=rec,
        declaration=world.declaration_id,
        members=members,
        ppt=next(apis[s.username] for s in world.seats if s.kind == "ppt"),
        ts=next(apis[s.username] for s in world.seats if s.kind == "ts"),
    )
    started = time.perf_counter()
    with connection.execute_wrapper(rec.count_query):
        for code in sorted(members):  # everyone opens the text
            ws.read(members[code])
        zero_draft = ws.revision
        # Reads interleaved with the negotiation so that the run makes ~args.reads of them:
        # the PPT's reads before each decision (~1 per proposal) are counted in.
        writes_planned = args.proposals + args.positions
        reads_planned = max(0, args.reads - len(members) - args.proposals - 2)
        taken: set[tuple[str, int]] = set()
        # Proposals come a little ahead of the positions on them, as in a room.
        plan = [(ws.rng.uniform(0, 1), "propose") for _ in range(args.proposals)]
        plan += [(ws.rng.uniform(0.05, 1.15), "position") for _ in range(args.positions)]
        plan.sort()
        for writes, (_, op) in enumerate(plan, start=1):
            if rec.over():
                break
            api = ws.member()
            if op == "propose" or not ws.pending:
                ws.propose(api)
            else:
                ws.take_position(api, taken)
            while ws.reads - len(members) < reads_planned * writes / writes_planned:
                ws.read(ws.member())
        # The Secretariat prints the compilation text the room negotiates from (of the working text).
        exports = [export(ws, "compilation", args.export_wait)]
        ws.decide_all(max_rounds=4 * args.proposals)
        ws.agree_all()
        status, rev1 = ws.ppt.call(
            "issue_rev1", "POST", f"/api/declarations/{ws.declaration}/revisions/next/", {"note": "Rev.1"}, ok=(201,)
        )
        rev1_id = rev1["id"] if status == 201 else 0
        adoption = f"/api/declarations/{ws.declaration}/adoption/"
        # The replay accepts proposals but updates no translation: the PPT adopts
        # in the original language only (issue 15), as RCM practice sometimes does.
        proposal = {"revision": rev1_id, "method": "in_session", "original_language_only": True}
        ws.ppt.call("adoption_propose", "POST", adoption, proposal, ok=(201,))
        ws.ppt.call("adoption_adopt", "POST", f"{adoption}adopt/")
        exports += [
            export(ws, "clean", args.export_wait, revision=rev1_id),
            export(ws, "tracked", args.export_wait, revision=rev1_id, base_revision=zero_draft),
        ]
    total = time.perf_counter() - started
    kinds = {
        name: {
            "count": k.count,
            "wall_s": round(k.wall, 3),
            "wall_ms_mean": round(1000 * k.wall / k.count, 2),
            "cpu_s": round(k.cpu, 3),
            "cpu_ms_mean": round(1000 * k.cpu / k.count, 2),
            "queries": k.queries,
            "queries_mean": round(k.queries / k.count, 1),
        }
        for name, k in sorted(rec.kinds.items(), key=lambda kv: -kv[1].wall)
    }
    return {
        "seed": args.seed,
        "build_world_s": round(build_s, 2),
        "total_s": round(total, 3),
        "cpu_s": round(sum(k.cpu for k in rec.kinds.values()), 3),
        "requests": sum(k.count for k in rec.kinds.values()),
        "queries": rec.queries,
        "kinds": kinds,
        "exports": exports,
        "proposals_left_pending": len(ws.pending),
        "unexpected": rec.unexpected,
        "timed_out": rec.over(),
    }


def report(result: dict[str, Any]) -> str:
    lines = [
        f"workshop (seed {result['seed']}): total {result['total_s']:.2f} s wall, {result['cpu_s']:.2f} s CPU, "
        f"{result['requests']} requests, {result['queries']} queries (world built in {result['build_world_s']} s, "
        "not counted)",
        "",
        "| operation | count | total s | mean ms | CPU s | CPU mean ms | queries | queries/op |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, k in result["kinds"].items():
        lines.append(
            f"| {name} | {k['count']} | {k['wall_s']:.2f} | {k['wall_ms_mean']:.1f} | {k['cpu_s']:.2f} | "
            f"{k['cpu_ms_mean']:.1f} | {k['queries']} | {k['queries_mean']} |"
        )
    top = list(result["kinds"].items())[:3]
    lines += ["", "top three by wall time: " + "; ".join(f"{n} {k['wall_s']:.2f} s" for n, k in top)]
    done = (f"{e['kind']} {e['status']} ({e.get('size')} bytes)" for e in result["exports"])
    lines.append("exports: " + ", ".join(done))
    if result["unexpected"]:
        lines.append(f"UNEXPECTED STATUSES ({len(result['unexpected'])}):")
        lines += [f"  {u}" for u in result["unexpected"][:20]]
    if result["timed_out"]:
        lines.append("STOPPED at --max-seconds: the workshop did not finish")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--proposals", type=int, default=90)
    parser.add_argument("--positions", type=int, default=180)
    parser.add_argument("--reads", type=int, default=320, help="working-text reads in all (about)")
    parser.add_argument("--export-wait", type=float, default=5.0, help="seconds before running queued jobs")
    parser.add_argument("--max-seconds", type=float, default=300.0)
    parser.add_argument("--keep", action="store_true", help="keep the temporary database and media")
    parser.add_argument("--json", type=Path, default=OUT / "workshop-latest.json")
    args = parser.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="consenso-workshop-"))
    for name in ("DATABASE_URL", "REDIS_URL", "CONSENSO_ENV"):
        os.environ.pop(name, None)  # the embedded default, whatever the shell says
    os.environ["CONSENSO_SQLITE_PATH"] = str(tmp / "workshop.sqlite3")
    os.environ["MEDIA_ROOT"] = str(tmp / "media")
    # A job its runner left running this long is taken up again by the next pass.
    os.environ["CONSENSO_EXPORT_REDISPATCH_SECONDS"] = str(max(1, int(args.export_wait)))
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    try:
        result = run(args)
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    result["uptime"] = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n")
    print(report(result))
    print(f"uptime: {result['uptime']}")
    return 1 if result["unexpected"] or result["timed_out"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
