"""Faults, each with one command (loopback only, bounded, stop by themselves):

    .venv/bin/python bench/faults.py worker-kill [--rounds 20]
    .venv/bin/python bench/faults.py redis       [--seconds 60 --clients 100]   # bench/soak.py --fault redis
    .venv/bin/python bench/faults.py postgres    [--seconds 60 --clients 100]   # bench/soak.py --fault postgres
    .venv/bin/python bench/faults.py deadline

* ``worker-kill``: a 1,500-paragraph declaration in a fresh ``consenso_soak``
  database; 20 times: a proposal changes the working text, its compilation
  is asked for (the export-job path of ``POST /api/exports/``), and once the
  job is ``running`` the Celery worker is killed with SIGKILL: on odd rounds
  its pool child (the parent requeues the message), on even rounds the whole
  worker (parent and child; it is started again, and beat's sweep hands the
  orphaned job over). Every job must end ``done`` with a file python-docx
  opens whose paragraphs equal a rendering of the same text in process.
* ``redis`` / ``postgres``: the soak (bench/soak.py) with Redis stopped for
  30 s, or PostgreSQL restarted, 15 s into the mixed phase; its invariants
  and the fault's own checks (proposal writes kept succeeding and exports
  asked for meanwhile ended done; 503s not 500s, service resumed) must hold.
  Redis and PostgreSQL are shared with other sessions on this machine: the
  outage is 30 s, and both are always started again in a ``finally``.
* ``deadline``: a silence procedure whose deadline has passed, through the
  real worker: the deadline task delivered twice at once and the sweep, all
  late (5 s after the deadline), then once more 5 s later: adopted exactly
  once (tests/test_adoption_races.py and tests/test_worker.py test the same
  property in the suite).
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import soak_world as sw  # noqa: E402


def _stamp() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def _fresh(env: dict[str, str]) -> sw.World:
    sw.recreate_database()
    sw.flush_redis()
    sw.django_setup(env)
    return sw.populate(per_member=1, per_observer=1, ppt_users=1, ts_users=1)


def _wait_job(job_id: int, statuses: tuple[str, ...], seconds: float, every: float = 0.002) -> Any:
    from drafting.models import ExportJob

    deadline = time.monotonic() + seconds
    while True:
        job = ExportJob.objects.get(pk=job_id)
        if job.status in statuses or time.monotonic() > deadline:
            return job
        time.sleep(every)


def worker_kill(rounds: int, paragraphs: int) -> dict[str, Any]:
    import docx

    stamp = _stamp()
    env = sw.base_env(redis=sw.redis_url(), media=sw.OUT / f"faults-media-{stamp}")
    env["EXPORT_SWEEP_SECONDS"] = "2"  # beat hands orphaned jobs over this often
    env["CONSENSO_EXPORT_REDISPATCH_SECONDS"] = "10"  # and lost messages after this long
    world = _fresh(env)
    from django.contrib.auth import get_user_model

    from drafting import services
    from drafting.models import ExportJob, Paragraph
    from workers import tasks as worker_tasks
    from workers.exporting import render_document

    User = get_user_model()
    ts, mex = User.objects.get(username="ts"), User.objects.get(username="mex")
    from drafting.models import Meeting

    meeting = Meeting.objects.get(pk=world.meeting_id)
    declaration = services.declaration_create(actor=ts, meeting=meeting, title="Long declaration for the kill test")
    sections = [
        {"kind": "title", "paragraphs": [{"kind": "title", "text": "Long declaration for the kill test"}]},
        {"kind": "operative", "heading": "DECISIONS", "paragraphs": [
            {"kind": "operative", "text": f"Promote safe, orderly and regular migration, item {i + 1}, "
             "with full respect for the human rights of migrants and their families."} for i in range(paragraphs)]},
    ]  # fmt: skip
    revision = services.revision_issue(actor=ts, declaration=declaration, sections=sections)  # type: ignore[arg-type]
    logs = sw.OUT / f"faults-worker-kill-{stamp}"
    worker = sw.start_worker(env, log_file=Path(f"{logs}-worker.log"), name="kill")
    beat = sw.start_beat(env, log_file=Path(f"{logs}-beat.log"))
    out: dict[str, Any] = {"stamp": stamp, "rounds": [], "machine": sw.machine(), "paragraphs": paragraphs}
    try:
        sw.wait_worker()
        pids = Paragraph.objects.filter(declaration=declaration, kind="operative").order_by("position")
        targets = list(pids.values_list("pk", flat=True))
        n = 0
        while len(out["rounds"]) < rounds and n < rounds * 3:
            n += 1
            whole = len(out["rounds"]) % 2 == 1
            text = f"Amended item, round {n}."
            services.proposal_submit(actor=mex, declaration=declaration, revision_id=revision.pk,
                                     paragraph_id=targets[n], kind="replace", text=text)  # fmt: skip
            t0 = time.monotonic()
            job, created = services.export_job_request(
                actor=mex,
                declaration_id=declaration.pk,
                kind="compilation",
                fmt="docx",
                pdf_available=worker_tasks.pdf_available(),
                dispatch=worker_tasks.export_dispatch,
            )
            assert created, "the text changed: this must be a new job"
            running = _wait_job(job.pk, ("running", "done", "failed"), 60)
            if running.status != "running":
                sw.log(f"job {job.pk} was {running.status} before it could be interrupted; another one")
                continue
            children = sw.children_of(worker.pid)
            if whole:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait(timeout=10)
                worker = sw.start_worker(env, log_file=Path(f"{logs}-worker.log"), name="kill")
            else:
                for child in children:
                    os.kill(child, signal.SIGKILL)
            killed_at = time.monotonic() - t0
            done = _wait_job(job.pk, ("done", "failed"), 180, every=0.05)
            took = time.monotonic() - t0
            entry: dict[str, Any] = {
                "job": job.pk, "killed": "whole worker" if whole else f"pool child {children}",
                "killed_after_s": round(killed_at, 3), "status": done.status, "attempts": done.attempts,
                "done_after_s": round(took, 2), "error": done.error,
            }  # fmt: skip
            if done.status == "done":
                with done.file.open("rb") as handle:
                    content = handle.read()
                got = [p.text for p in docx.Document(io.BytesIO(content)).paragraphs]
                want = [p.text for p in docx.Document(io.BytesIO(
                    render_document(declaration_id=declaration.pk, kind="compilation"))).paragraphs]  # fmt: skip
                entry["file_correct"] = got == want
                entry["paragraphs_in_file"] = len(got)
            out["rounds"].append(entry)
            sw.log(f"round {len(out['rounds'])}: {entry}")
        statuses = dict.fromkeys(["queued", "running", "done", "failed"], 0)
        for s in ExportJob.objects.filter(declaration=declaration).values_list("status", flat=True):
            statuses[s] += 1
        out["jobs"] = statuses
    finally:
        sw.stop(beat)
        sw.stop(worker)
    ok = len(out["rounds"]) == rounds and all(r["status"] == "done" and r.get("file_correct") for r in out["rounds"])
    out["held"] = ok
    return out


def deadline() -> dict[str, Any]:
    stamp = _stamp()
    env = sw.base_env(redis=sw.redis_url(), media=sw.OUT / f"faults-media-{stamp}")
    world = _fresh(env)
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from drafting import services
    from drafting.models import Adoption, Declaration, Event, Paragraph
    from workers import tasks

    ppt = get_user_model().objects.get(username="ppt.slv")
    declaration = Declaration.objects.get(pk=world.declaration_id)
    for p in Paragraph.objects.filter(declaration=declaration).exclude(state__in=["agreed", "deleted"]):
        services.paragraph_act(actor=ppt, paragraph=p, action="agree")
    revision = services.revision_issue_from_working_text(actor=ppt, declaration=declaration)
    adoption = services.silence_launch(actor=ppt, declaration=declaration, revision_id=revision.pk,
                                       deadline=timezone.now() + datetime.timedelta(seconds=2))  # fmt: skip
    worker = sw.start_worker(env, log_file=sw.OUT / f"faults-deadline-{stamp}-worker.log", name="deadline")
    out: dict[str, Any] = {"stamp": stamp, "adoption": adoption.pk}
    try:
        sw.wait_worker()
        assert adoption.deadline is not None  # a silence procedure always has one
        time.sleep(max(0.0, (adoption.deadline - timezone.now()).total_seconds()) + 5)  # late
        first = [tasks.silence_conclude.delay(adoption.pk) for _ in range(2)]
        sweep = tasks.silence_sweep.delay()
        out["twice_late"] = [r.get(timeout=60) for r in first]
        out["sweep_found"] = sweep.get(timeout=60)
        time.sleep(5)
        out["once_more_later"] = tasks.silence_conclude.delay(adoption.pk).get(timeout=60)
        time.sleep(2)  # the conclude the sweep queued, if any
    finally:
        sw.stop(worker)
    declaration.refresh_from_db()
    out["status"] = declaration.status
    out["adopted_events"] = Event.objects.filter(declaration=declaration, verb="declaration.adopted").count()
    out["adopted_adoptions"] = Adoption.objects.filter(declaration=declaration, status="adopted").count()
    out["held"] = (
        declaration.status == "adopted"
        and out["adopted_events"] == 1
        and out["adopted_adoptions"] == 1
        and out["twice_late"].count(True) + int(out["once_more_later"]) <= 1
    )
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("fault", choices=["worker-kill", "redis", "postgres", "deadline"])
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--paragraphs", type=int, default=1500, help="worker-kill: size of the declaration rendered")
    args, rest = ap.parse_known_args(argv)
    if args.fault in ("redis", "postgres"):
        from bench import soak

        return soak.main(["--fault", args.fault, *rest])
    result = worker_kill(args.rounds, args.paragraphs) if args.fault == "worker-kill" else deadline()
    path = sw.OUT / f"faults-{args.fault}-{result['stamp']}.json"
    path.write_text(json.dumps(result, indent=1, default=str))
    print(json.dumps({k: v for k, v in result.items() if k != "rounds"}, default=str))
    sw.log(f"{'HELD' if result['held'] else 'BROKEN'}; wrote {path}")
    return 0 if result["held"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
