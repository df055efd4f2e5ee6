"""Scale simulation (issue 7): a generated "General Assembly" case.

    .venv/bin/python bench/scale_ga.py [--rebuild] [--duration 15] [--connections 20] [--repeat 2]

193 member delegations, a 500-paragraph zero draft, 20,000 proposals with
~52,000 supports and objections, on PostgreSQL (database ``consenso_ga`` on
127.0.0.1:5432, user postgres, trust auth). One run:

1. **Data** (bench/scale_ga_build.py, everything of the negotiation through
   ``drafting.services``; ~28 min on a busy 2-core machine, 38-104 proposals/s). Dumped with ``pg_dump -Fc`` to
   bench/out/scale_ga.dump; later runs reuse the database when it is untouched,
   else restore the dump (~1 min), else build (``--rebuild`` forces it).
2. **In process** (a child process, ``--phase inproc``, production settings):
   the cost of building each main read once (a cache miss: what every worker
   pays after each write), with query counts and body sizes; the compilation
   export (``workers.exporting.render_document``) and the whole export job
   (``services.export_job_request`` + ``workers.tasks.export_render.apply``);
   issuing a revision (a) from the working text by the PPT after accepting 50
   more proposals and (b) by the Secretariat from a full text with 100 paragraphs
   reworded, which re-fits every pending proposal on them. Revision steps run in a
   transaction that is rolled back, so they can be repeated on the same data.
   Each step: median wall time of 3, then once more under tracemalloc for the
   peak of Python allocations; the process's peak RSS.
3. **Load**: gunicorn (sync workers, ``bench.settings``, ``CONSENSO_ENV=production``)
   on 127.0.0.1:8741; ``wrk -t2 -c20 --latency`` per endpoint as a member delegate:
   the current draft, the working text, a page of proposals (the first and the last, 50 a page),
   a paragraph (the busiest and a typical one); and the current draft while a
   delegate writes every 2 s (each write changes the text's ETag, so every worker
   rebuilds it). CPU of gunicorn, of PostgreSQL and of everything else on the
   machine is recorded per window (bench/run_revision_get.py's tracker), and each
   worker's peak RSS.
4. **Output**: bench/out/scale_ga-<UTC time>.json (and scale_ga-latest.json) and
   a summary on stdout.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import resource
import secrets
import statistics
import subprocess
import sys
import threading
import time
import tracemalloc
import urllib.request
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from drafting.services.revisions import SectionInput
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import run_revision_get as rrg  # noqa: E402  (wrk, CPU tracker, gunicorn start/stop)

OUT = ROOT / "bench" / "out"
VENV_BIN = ROOT / ".venv" / "bin"
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB = "consenso_ga"
DATASET = OUT / "scale_ga_dataset.json"
DUMP = OUT / "scale_ga.dump"
log = rrg.log


# --- Data ----------------------------------------------------------------------------
def _use_database(name: str) -> None:
    """Another database than consenso_ga (a smaller trial build) gets its own data set and dump."""
    global DB, DATASET, DUMP
    if name != DB:
        DB, DATASET, DUMP = name, OUT / f"{name}_dataset.json", OUT / f"{name}.dump"


def _migrations() -> list[str]:
    return sorted(p.stem for p in (ROOT / "drafting" / "migrations").glob("[0-9]*.py"))


def _db_state(dataset: dict[str, Any]) -> str:
    """'pristine' (as built), 'changed' (built, then written to), or 'unusable'."""
    import psycopg

    try:
        with psycopg.connect(f"{PG}/{dataset['database']}", connect_timeout=5) as conn:
            applied = [
                r[0] for r in conn.execute("SELECT name FROM django_migrations WHERE app = 'drafting' ORDER BY name")
            ]
            if applied != _migrations():
                return "unusable"
            row = conn.execute(
                "SELECT (SELECT count(*) FROM drafting_proposal WHERE declaration_id = %s),"
                " (SELECT version FROM drafting_declaration WHERE id = %s),"
                " (SELECT count(*) FROM drafting_revision WHERE declaration_id = %s)",
                [dataset["declaration_id"], dataset["declaration_id"], dataset["declaration_id"]],
            ).fetchone()
    except psycopg.Error:
        return "unusable"
    if row == (dataset["proposals"], dataset["declaration_version"], 1):
        return "pristine"
    return "changed"


def _restore() -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB}"')
    subprocess.run(["pg_restore", "-j", "2", "--no-owner", "-d", f"{PG}/{DB}", str(DUMP)], check=True)
    subprocess.run(["psql", f"{PG}/{DB}", "-qc", "VACUUM (ANALYZE)"], check=True)


def ensure_data(rebuild: bool) -> dict[str, Any]:
    meta = DUMP.with_suffix(".json")
    if not rebuild and DATASET.exists():
        dataset: dict[str, Any] = json.loads(DATASET.read_text())
        state = _db_state(dataset)
        if state == "pristine":
            log(f"reusing the database {DB} (as built; --rebuild to build it anew)")
            if not DUMP.exists():
                _dump(meta)
            return dataset | {"data_source": "reused database"}
        if DUMP.exists() and meta.exists() and json.loads(meta.read_text()).get("migrations") == _migrations():
            log(f"the database is {state}: restoring {DUMP.relative_to(ROOT)}")
            t0 = time.perf_counter()
            _restore()
            if _db_state(dataset) == "pristine":
                return dataset | {"data_source": f"restored from the dump in {time.perf_counter() - t0:.0f} s"}
            log("the restored database does not match the data set: rebuilding")
    log("building the data set through the services (about half an hour)")
    t0 = time.perf_counter()
    subprocess.run(
        [str(VENV_BIN / "python"), str(ROOT / "bench" / "scale_ga_build.py"), "--db", DB, "--out", str(DATASET)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    log(f"built in {time.perf_counter() - t0:.0f} s")
    _dump(meta)
    built: dict[str, Any] = json.loads(DATASET.read_text())
    return built | {"data_source": "built this run"}


def _dump(meta: Path) -> None:
    log(f"dumping the database to {DUMP.relative_to(ROOT)}")
    subprocess.run(["pg_dump", "-Fc", "-f", str(DUMP), f"{PG}/{DB}"], check=True)
    meta.write_text(json.dumps({"migrations": _migrations(), "bytes": DUMP.stat().st_size}) + "\n")


# --- Memory --------------------------------------------------------------------------
def proc_memory(pid: int | str = "self") -> dict[str, float]:
    """VmRSS and VmHWM (peak RSS) of a process, in MB."""
    out = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(("VmRSS:", "VmHWM:")):
                key, value = line.split(":", 1)
                out[key.lower()] = round(int(value.split()[0]) / 1024, 1)
    except OSError:
        pass
    return out


def reset_peak() -> dict[str, float]:
    """Reset this process's peak RSS (VmHWM; Linux: 5 > /proc/self/clear_refs) and return its
    memory now, so that the VmHWM read after a step is that step's peak."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")
    return proc_memory()


# --- In process ----------------------------------------------------------------------
def _timed(fn: Callable[[], Any], repeat: int = 3) -> tuple[list[float], Any]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(round((time.perf_counter() - t0) * 1000, 1))
    return times, result


def _traced_peak(fn: Callable[[], Any]) -> float:
    """Peak of Python allocations during ``fn`` (MB), tracemalloc on."""
    tracemalloc.start()
    try:
        fn()
        return round(tracemalloc.get_traced_memory()[1] / 1e6, 1)
    finally:
        tracemalloc.stop()


class _Rollback(Exception):
    pass


class _Queries:
    """Counts the queries run inside it (connection.queries is a bounded log that the test
    client's request_started signal also empties, so it cannot be relied on here)."""

    def __init__(self, connection: Any) -> None:
        self.connection, self.sql = connection, []  # type: ignore[var-annotated]

    def __enter__(self) -> _Queries:
        self._wrapper = self.connection.execute_wrapper(self._count)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._wrapper.__exit__(*exc)

    def _count(self, execute: Any, sql: str, *args: Any) -> Any:
        self.sql.append(sql)
        return execute(sql, *args)

    def __len__(self) -> int:
        return len(self.sql)


def inproc(dataset: dict[str, Any], save: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    """Runs the in-process steps; ``save`` is called after each, so that a step that fails (another
    session restarting PostgreSQL, say) loses only itself."""
    import django

    django.setup()
    import orjson
    from django.core.files.storage import default_storage
    from django.db import connection, transaction
    from django.test import Client

    from backend.api import rendered
    from drafting import selectors, services
    from drafting.models import (
        Declaration,
        Event,
        ExportJob,
        Paragraph,
        Position,
        Proposal,
        Revision,
    )
    from drafting.services import refitting
    from drafting.services import revisions as revisions_module
    from drafting.states import PROPOSABLE
    from workers import exporting, tasks

    out: dict[str, Any] = {"rss_mb_at_start": proc_memory()}
    did = dataset["declaration_id"]
    declaration = Declaration.objects.select_related("meeting").get(pk=did)
    revision = Revision.objects.get(pk=dataset["revision_id"])
    tokens = dataset["tokens"]

    # 1. Reads, built once (a cache miss), as the selector and as the whole request.
    reset_peak()
    reads: dict[str, Any] = {}
    builds: list[tuple[str, Callable[[], Any]]] = [
        ("revision_text", lambda: selectors.revision_text(revision=revision)),
        ("working_text", lambda: selectors.working_text(declaration=declaration)),
    ]
    for name, build in builds:
        with _Queries(connection) as queries:
            data = build()
        times, _ = _timed(build)
        body = orjson.dumps(data)
        reads[name] = {
            "ms": times,
            "median_ms": statistics.median(times),
            "orjson_ms": _timed(partial(orjson.dumps, data))[0],
            "body_bytes": len(body),
            "queries": len(queries),
            "tracemalloc_peak_mb": _traced_peak(build),
        }
    client = Client(HTTP_AUTHORIZATION=f"Token {tokens['reader']}")
    busiest, typical = dataset["busiest_paragraph"]["id"], dataset["typical_paragraph"]["id"]
    requests = {
        "text": f"/api/declarations/{did}/text/",
        "working_text": f"/api/declarations/{did}/working-text/",
        "proposals_page_1": f"/api/proposals/?declaration={did}",
        "proposals_last_page": f"/api/proposals/?declaration={did}&page={-(-dataset['proposals'] // 50)}",
        "paragraph_busiest": f"/api/paragraphs/{busiest}/",
        "paragraph_typical": f"/api/paragraphs/{typical}/",
    }
    for name, url in requests.items():

        def get(url: str = url) -> Any:
            rendered._bodies.clear()  # every time a miss, as after a write
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code, response.content[:300])
            return response

        with _Queries(connection) as executed:
            response = get()
        times, _ = _timed(get, 5)
        reads[f"request_{name}"] = {
            "url": url,
            "ms": times,
            "median_ms": statistics.median(times),
            "body_bytes": len(response.content),
            "queries": len(executed),
        }
    out["reads"] = reads
    out["rss_mb_after_reads"] = proc_memory()
    save(out)

    # 2. The compilation export, in process and as a whole job.
    rss_before = reset_peak()
    times, docx = _timed(lambda: exporting.render_document(declaration_id=did, kind="compilation"))
    out["compilation_render"] = {
        "ms": times,
        "median_ms": statistics.median(times),
        "docx_bytes": len(docx),
        "tracemalloc_peak_mb": _traced_peak(lambda: exporting.render_document(declaration_id=did, kind="compilation")),
        "rss_mb_before": rss_before,
        "rss_mb_after": proc_memory(),
    }
    from django.contrib.auth import get_user_model

    reader = get_user_model().objects.get(api_tokens__key=tokens["reader"])
    job_runs = []
    for _ in range(2):
        t0 = time.perf_counter()
        job, created = services.export_job_request(
            actor=reader, declaration_id=did, kind="compilation", pdf_available=False, dispatch=lambda _id: None
        )
        t1 = time.perf_counter()
        status = tasks.export_render.apply(args=(job.pk,)).get()
        t2 = time.perf_counter()
        job.refresh_from_db()
        job_runs.append(
            {
                "created": created,
                "request_ms": round((t1 - t0) * 1000, 1),
                "render_task_ms": round((t2 - t1) * 1000, 1),
                "status": status,
                "size": job.size,
            }
        )
        assert job.status == "done", (job.status, job.error)
        if job.file and job.file.name:
            default_storage.delete(job.file.name)
        ExportJob.objects.filter(pk=job.pk).delete()  # so that the next request renders again
    out["compilation_job"] = job_runs
    save(out)

    # 3. Revisions, each in a transaction rolled back at the end.
    ppt = get_user_model().objects.get(api_tokens__key=tokens["ppt"])
    ts = get_user_model().objects.get(api_tokens__key=tokens["ts"])
    refit_ms: list[float] = []
    refit_counts: list[int] = []
    original_refit = refitting.proposals_refit  # what revisions.py imported, timed in its place below

    def timed_refit(**kwargs: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return original_refit(**kwargs)
        finally:
            refit_ms.append(round((time.perf_counter() - t0) * 1000, 1))
            refit_counts.append(len(kwargs["proposals"]))

    patcher = mock.patch.object(revisions_module, "proposals_refit", timed_refit)
    patcher.start()

    objected = set(Position.objects.filter(stance="object").values_list("proposal_id", flat=True))
    accepted_paragraphs = set(
        Proposal.objects.filter(declaration_id=did, status="accepted").values_list("paragraph_id", flat=True)
    )

    def from_working_text() -> dict[str, Any]:
        with _Queries(connection) as queries:
            t0 = time.perf_counter()
            chosen: list[int] = []
            for p in (
                Proposal.objects.filter(declaration_id=did, status="submitted", kind="replace")
                .exclude(paragraph_id__in=accepted_paragraphs)
                .order_by("paragraph_id", "id")
            ):
                if p.pk in objected or p.paragraph_id in chosen or len(chosen) >= 50:
                    continue
                services.proposal_decide(actor=ppt, proposal=p, decision="accept", version=p.version)
                chosen.append(p.paragraph_id)
            t1 = time.perf_counter()
            new = services.revision_issue_from_working_text(actor=ppt, declaration=declaration)
            t2 = time.perf_counter()
        event = Event.objects.filter(verb="revision.issued", object_id=str(new.pk)).order_by("-id").first()
        return {
            "accepted": len(chosen),
            "accept_ms_total": round((t1 - t0) * 1000, 1),
            "issue_ms": round((t2 - t1) * 1000, 1),
            "queries": len(queries),
            "carried": event.after if event else None,
        }

    def from_full_text() -> dict[str, Any]:
        import random

        from bench.scale_ga_build import Texts, corpus

        rng, texts = random.Random(7), Texts(corpus())
        rows = list(Paragraph.objects.filter(declaration_id=did).exclude(state="deleted").order_by("position", "id"))
        editable = [r.pk for r in rows if r.kind == "operative" and r.state in PROPOSABLE]
        edited = set(rng.sample(editable, 100))
        sections: list[dict[str, Any]] = []
        for r in rows:
            if not sections or sections[-1]["kind"] != r.section_kind:
                sections.append({"kind": r.section_kind, "heading": r.section_heading, "paragraphs": []})
            text = texts.edit(r.text, rng, 2) if r.pk in edited else r.text
            sections[-1]["paragraphs"].append({"paragraph": r.pk, "kind": r.kind, "text": text, "level": r.level})
        pending_on_edited = Proposal.objects.filter(
            paragraph_id__in=edited, status="submitted", kind__in=["replace", "alternative", "delete"]
        ).count()
        with _Queries(connection) as queries:
            t0 = time.perf_counter()
            new = services.revision_issue(
                actor=ts, declaration=declaration, sections=cast("list[SectionInput]", sections)
            )
            t1 = time.perf_counter()
        event = Event.objects.filter(verb="revision.issued", object_id=str(new.pk)).order_by("-id").first()
        return {
            "paragraphs_reworded": len(edited),
            "pending_on_them": pending_on_edited,
            "issue_ms": round((t1 - t0) * 1000, 1),
            "queries": len(queries),
            "carried": event.after if event else None,
        }

    for name, step in (("revision_from_working_text", from_working_text), ("revision_from_full_text", from_full_text)):
        runs: list[dict[str, Any]] = []
        traced: list[dict[str, Any]] = []

        def once(into: list[dict[str, Any]], step: Callable[[], dict[str, Any]] = step) -> None:
            try:
                with transaction.atomic():
                    into.append(step())
                    raise _Rollback
            except _Rollback:
                pass

        rss_before = reset_peak()
        for _ in range(3):
            refit_ms.clear()
            refit_counts.clear()
            once(runs)
            runs[-1]["refit_engine_ms"] = round(sum(refit_ms), 1)
            runs[-1]["refit_proposals"] = sum(refit_counts)
        peak = _traced_peak(lambda t=traced: once(t))  # type: ignore[misc]
        out[name] = {
            "runs": runs,
            "median_issue_ms": statistics.median(r["issue_ms"] for r in runs),
            "tracemalloc_peak_mb": peak,
            "issue_ms_under_tracemalloc": traced[0]["issue_ms"],
            "rss_mb_before": rss_before,
            "rss_mb_after": proc_memory(),
        }
        save(out)
    patcher.stop()
    assert Revision.objects.filter(declaration_id=did).count() == 1, "the revision steps were rolled back"
    out["ru_maxrss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return out


def run_inproc(dataset: dict[str, Any], env: dict[str, str]) -> dict[str, Any]:
    result_file = OUT / "scale_ga_inproc.json"
    result_file.unlink(missing_ok=True)
    tracker = rrg.CpuTracker(0, DB).__enter__()
    proc = subprocess.Popen(
        [str(VENV_BIN / "python"), str(Path(__file__)), "--phase", "inproc", "--db", DB, "--json", str(result_file)],
        env={**env, "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver"},
        stderr=subprocess.PIPE,
        text=True,
    )
    stderr = proc.stderr.read() if proc.stderr else ""
    _, wait_status, usage = os.wait4(proc.pid, 0)
    tracker.__exit__()
    failed = os.waitstatus_to_exitcode(wait_status) != 0
    if failed and not result_file.exists():
        raise SystemExit(f"the in-process phase failed:\n{stderr[-4000:]}")
    result: dict[str, Any] = json.loads(result_file.read_text())
    if failed:
        log(f"the in-process phase failed part way (kept what it measured before):\n{stderr[-1500:]}")
        result["failed"] = stderr[-1500:]
    result["cpu_cores"] = tracker.cores(usage.ru_utime + usage.ru_stime)  # its "wrk" is this process
    result["cpu_s"] = round(usage.ru_utime + usage.ru_stime, 1)
    result["wall_s"] = round(tracker.t1 - tracker.t0, 1)
    return result


# --- Load ----------------------------------------------------------------------------
def worker_memory(server_pid: int) -> dict[str, Any]:
    workers = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = rrg._proc_stat(int(entry))
            if stat and stat[1] == server_pid:
                workers.append(proc_memory(int(entry)))
    return {
        "workers": len(workers),
        "rss_mb": sorted(w.get("vmrss", 0) for w in workers),
        "peak_rss_mb_max": max((w.get("vmhwm", 0) for w in workers), default=0),
    }


class Writer(threading.Thread):
    """A delegate supporting, then withdrawing its support, every ``interval`` s through the
    API (each write bumps the declaration's version, hence every text's ETag)."""

    def __init__(self, base: str, token: str, proposal_id: int, interval: float) -> None:
        super().__init__(daemon=True)
        self.base, self.token, self.proposal_id, self.interval = base, token, proposal_id, interval
        self.stop, self.writes, self.errors = threading.Event(), 0, 0
        self.ms: list[float] = []

    def run(self) -> None:
        support = True
        while not self.stop.wait(self.interval):
            url = f"{self.base}/api/proposals/{self.proposal_id}/" + ("support/" if support else "position/")
            request = urllib.request.Request(
                url,
                method="POST" if support else "DELETE",
                data=b"{}" if support else None,
                headers={"Authorization": f"Token {self.token}", "Content-Type": "application/json"},
            )
            t0 = time.perf_counter()
            try:
                with urllib.request.urlopen(request, timeout=60) as response:
                    response.read()
                self.writes += 1
            except OSError:
                self.errors += 1
            self.ms.append(round((time.perf_counter() - t0) * 1000, 1))
            support = not support


def load(dataset: dict[str, Any], env: dict[str, str], args: argparse.Namespace) -> dict[str, Any]:
    wrk = rrg.ensure_wrk()
    base = f"http://127.0.0.1:{args.port}"
    did = dataset["declaration_id"]
    token = dataset["tokens"]["reader"]
    targets = {
        "text": f"{base}/api/declarations/{did}/text/",
        "working_text": f"{base}/api/declarations/{did}/working-text/",
        "proposals_page_1": f"{base}/api/proposals/?declaration={did}",
        "proposals_last_page": f"{base}/api/proposals/?declaration={did}&page={-(-dataset['proposals'] // 50)}",
        "paragraph_busiest": f"{base}/api/paragraphs/{dataset['busiest_paragraph']['id']}/",
        "paragraph_typical": f"{base}/api/paragraphs/{dataset['typical_paragraph']['id']}/",
    }
    server = rrg.start_server(
        workers=args.workers, port=args.port, env=env, log_file=OUT / "scale_ga_gunicorn.log", src=ROOT
    )
    results: dict[str, Any] = {"workers": args.workers, "connections": args.connections, "windows": {}}
    try:
        checks = {}
        for name, url in targets.items():
            status, headers, body = rrg.http_get(url, token)
            assert status == 200, (name, status, body[:300])
            checks[name] = {"bytes": len(body), "etag": headers.get("ETag")}
        text = json.loads(rrg.http_get(targets["text"], token)[2])
        checks["text"]["paragraphs"] = sum(len(s["paragraphs"]) for s in text["sections"])
        checks["text"]["proposals"] = rrg._text_counts(text)[1]  # the lean body counts them per paragraph
        assert rrg.http_get(targets["text"])[0] == 401, "an anonymous GET is refused"
        results["checks"] = checks
        log(f"responses checked: {json.dumps({k: v['bytes'] for k, v in checks.items()})}")
        results["memory_after_checks"] = worker_memory(server.pid)

        windows = [(name, url, False) for name, url in targets.items()]
        windows.append(("text_with_writes", targets["text"], True))
        for repeat in range(args.repeat):
            for name, url, writes in windows:
                others = rrg.wait_for_quiet(server.pid, DB, threshold=args.quiet, max_wait=args.quiet_wait)
                common = dict(token=token, connections=args.connections, threads=2, server_pid=server.pid, database=DB)
                rrg.run_wrk(wrk, url, seconds=args.warmup, measure=False, **common)
                writer = None
                if writes:
                    writer = Writer(base, dataset["tokens"]["writer"], dataset["writer_proposal"], 2.0)
                    writer.start()
                r = rrg.run_wrk(wrk, url, seconds=args.duration, measure=True, **common)
                if writer:
                    writer.stop.set()
                    writer.join()
                    r["writes"] = {"count": writer.writes, "errors": writer.errors, "ms": writer.ms}
                r["others_cores_before"] = others
                r["memory"] = worker_memory(server.pid)
                del r["wrk_output"]
                results["windows"].setdefault(name, []).append(r)
                log(
                    f"[{repeat + 1}/{args.repeat}] {name}: {r['rps']} req/s, p50 {r['p50_ms']} ms, "
                    f"p99 {r['p99_ms']} ms, cpu {r['cpu_cores']}, non-2xx {r['non_2xx']}"
                )
        results["memory_at_end"] = worker_memory(server.pid)
    finally:
        rrg.stop_server(server)
    return results


def summary(windows: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    out = {}
    for name, runs in windows.items():
        out[name] = {
            key: statistics.median(r[key] for r in runs if r.get(key) is not None)
            for key in ("rps", "p50_ms", "p99_ms")
        } | {
            "p99_ms_runs": [r["p99_ms"] for r in runs],
            "rps_runs": [r["rps"] for r in runs],
            "cpu_ms_per_request": {
                k: statistics.median(r["cpu_ms_per_request"][k] for r in runs) for k in ("gunicorn", "postgres")
            },
            "others_cores": [r["cpu_cores"]["others"] for r in runs],
            "non_2xx": sum(r["non_2xx"] for r in runs),
            "socket_errors": sum(sum(r["socket_errors"].values()) for r in runs),
        }
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rebuild", action="store_true", help="build the data set anew")
    parser.add_argument("--db", default=DB, help="database name (default consenso_ga)")
    parser.add_argument("--port", type=int, default=8741)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--duration", type=int, default=15, help="measured seconds per endpoint")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=2, help="rounds over the endpoints (medians reported)")
    parser.add_argument("--quiet", type=float, default=0.25)
    parser.add_argument("--quiet-wait", type=float, default=20)
    parser.add_argument("--no-load", action="store_true")
    parser.add_argument("--no-inproc", action="store_true")
    parser.add_argument("--phase", choices=["inproc"], help=argparse.SUPPRESS)
    parser.add_argument("--json", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    _use_database(args.db)

    if args.phase == "inproc":
        dataset = json.loads(DATASET.read_text())
        out = inproc(dataset, lambda partial: args.json.write_text(json.dumps(partial, indent=2) + "\n"))
        args.json.write_text(json.dumps(out | {"complete": True}, indent=2) + "\n")
        return 0

    started = time.monotonic()
    OUT.mkdir(parents=True, exist_ok=True)
    dataset = ensure_data(args.rebuild)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": f"{PG}/{DB}",
        "CONSENSO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "False",  # TLS ends at the proxy; wrk speaks plain HTTP
        "LOG_LEVEL": "WARNING",
        "MEDIA_ROOT": str(OUT / "scale_ga_media"),
    }
    env.pop("REDIS_URL", None)  # exports run in process (the embedded default)
    report: dict[str, Any] = {
        "benchmark": "scale simulation: General Assembly (193 delegations, 500 paragraphs, 20,000 proposals)",
        "when": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "command": "bench/scale_ga.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "machine": rrg.machine_info(DB),
        "dataset": {k: v for k, v in dataset.items() if k != "tokens"},
    }
    if not args.no_inproc:
        log("in process: reads built once, compilation export, revisions with re-fitting (a few minutes)")
        rrg.wait_for_quiet(0, DB, threshold=args.quiet, max_wait=args.quiet_wait)
        report["inproc"] = run_inproc(dataset, env)
        log(f"in process done: {json.dumps(report['inproc'].get('cpu_cores'))}")
        # The rolled-back revisions left ~17,000 dead row versions each; autovacuum would clear
        # them eventually, but not before the load starts.
        subprocess.run(["psql", f"{PG}/{DB}", "-qc", "VACUUM (ANALYZE)"], check=True)
    if not args.no_load:
        report["load"] = load(dataset | _writer(dataset), env, args)
        report["load"]["summary"] = summary(report["load"]["windows"])
    report["total_seconds"] = round(time.monotonic() - started, 1)
    now = datetime.datetime.now(datetime.UTC)
    out_file = OUT / f"scale_ga-{now:%Y%m%dT%H%M%SZ}.json"
    out_file.write_text(json.dumps(report, indent=2) + "\n")
    (OUT / "scale_ga-latest.json").write_text(json.dumps(report, indent=2) + "\n")
    print_summary(report)
    log(f"results: {out_file.relative_to(ROOT)} (total {report['total_seconds']} s)")
    return 0


def _writer(dataset: dict[str, Any]) -> dict[str, Any]:
    """The writer is the PPT's delegate (a member state, so it may support), on a pending insertion
    another delegation made and the PPT has no position on."""
    import psycopg

    with psycopg.connect(f"{PG}/{DB}") as conn:
        row = conn.execute(
            "SELECT p.id FROM drafting_proposal p JOIN drafting_delegation g ON g.code = %s"
            " WHERE p.declaration_id = %s AND p.status = 'submitted' AND p.kind = 'insert_after'"
            " AND p.delegation_id <> g.id AND NOT EXISTS (SELECT 1 FROM drafting_position x"
            " WHERE x.proposal_id = p.id AND x.delegation_id = g.id) ORDER BY p.id LIMIT 1",
            [dataset["ppt"], dataset["declaration_id"]],
        ).fetchone()
    assert row, "a proposal for the writer"
    return {"tokens": {**dataset["tokens"], "writer": dataset["tokens"]["ppt"]}, "writer_proposal": row[0]}


def print_summary(report: dict[str, Any]) -> None:
    print()
    if "inproc" in report:
        ip = report["inproc"]
        print("| built once (cache miss), in process | median ms | body | queries |")
        print("|---|---:|---:|---:|")
        for name, r in ip["reads"].items():
            print(f"| {name} | {r['median_ms']} | {r['body_bytes']:,} | {r['queries']} |")
        c = ip["compilation_render"]
        print(f"compilation render: {c['ms']} ms, {c['docx_bytes']:,} bytes, tracemalloc {c['tracemalloc_peak_mb']} MB")
        print(f"compilation job: {ip['compilation_job']}")
        for name in ("revision_from_working_text", "revision_from_full_text"):
            r = ip[name]
            print(f"{name}: median {r['median_issue_ms']} ms, peak {r['tracemalloc_peak_mb']} MB; {r['runs'][-1]}")
        print(f"in-process ru_maxrss {ip['ru_maxrss_mb']} MB; cpu {ip.get('cpu_cores')}")
    if "load" in report:
        print()
        print("| endpoint | req/s | p50 ms | p99 ms (runs) | CPU ms/req gunicorn + postgres | others cores |")
        print("|---|---:|---:|---:|---:|---|")
        for name, s in report["load"]["summary"].items():
            print(
                f"| {name} | {s['rps']} | {s['p50_ms']} | {s['p99_ms']} ({s['p99_ms_runs']}) | "
                f"{s['cpu_ms_per_request']['gunicorn']} + {s['cpu_ms_per_request']['postgres']} | {s['others_cores']} |"
            )
        print(f"workers' memory at the end: {report['load']['memory_at_end']}")


if __name__ == "__main__":
    raise SystemExit(main())
