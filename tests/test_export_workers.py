"""Export jobs through Redis and a real ``celery worker`` process: the
normal path, a worker killed mid-render, and jobs asked for while the
broker is down. PostgreSQL + Redis only (as in .ci/run's second run)."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import docx
import pytest
from django.conf import settings

from drafting import services
from drafting.models import Declaration, ExportJob
from tests.conftest import World, build_world, needs_redis, redis_start, redis_stop, zero_draft
from workers import tasks
from workers.exporting import render_document

pytestmark = [needs_redis, pytest.mark.worker, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def wait_for(job_id: int, statuses: tuple[str, ...], seconds: float = 60, every: float = 0.05) -> ExportJob:
    deadline = time.monotonic() + seconds
    while True:
        job = ExportJob.objects.get(pk=job_id)
        if job.status in statuses:
            return job
        assert time.monotonic() < deadline, f"export {job_id} still {job.status} after {seconds} s"
        time.sleep(every)


def children_of(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # pid (comm) state ppid ...: comm may hold spaces, so split after it
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry.name))
    return out


def paragraphs(content: bytes) -> list[str]:
    return [p.text for p in docx.Document(io.BytesIO(content)).paragraphs]


def big_declaration(world: World, n_operative: int) -> Declaration:
    declaration = services.declaration_create(actor=world.users["ts"], meeting=world.meeting, title="Big declaration")
    services.revision_issue(actor=world.users["ts"], declaration=declaration, sections=zero_draft(10, n_operative))
    return declaration


def post(world: World, role: str, **body: Any) -> Any:
    return world.client(role).post("/api/exports/", body, format="json")


def test_a_job_goes_through_the_broker_to_a_worker_and_back(celery_worker_process: subprocess.Popen[bytes]) -> None:
    world = build_world(title="Exports through a worker")
    response = post(world, "ts", declaration=world.declaration.pk, kind="clean")
    assert response.status_code == 201 and response.json()["status"] in ("queued", "running", "done")
    job = wait_for(response.json()["id"], ("done", "failed"))
    assert job.status == "done" and job.dispatched_at is not None
    file = world.client("ts").get(f"/api/exports/{job.pk}/file/")
    content = b"".join(file.streaming_content)
    assert "Declaration of San Salvador" in paragraphs(content)


def test_a_worker_killed_mid_render_still_ends_done_with_a_correct_file(
    celery_worker_process: subprocess.Popen[bytes],
) -> None:
    # Given a declaration long enough that rendering it takes a while
    world = build_world(title="Killed worker")
    declaration = big_declaration(world, 1500)
    expected = paragraphs(render_document(declaration_id=declaration.pk, kind="clean"))
    # When the worker's child process is killed while it renders the job
    response = post(world, "ts", declaration=declaration.pk, kind="clean")
    assert response.status_code == 201
    running = wait_for(response.json()["id"], ("running", "done", "failed"), every=0.002)
    assert running.status == "running", "the rendering finished before it could be interrupted"
    (child,) = children_of(celery_worker_process.pid)
    os.kill(child, signal.SIGKILL)
    # Then the parent requeues the message, a new child takes the job over,
    # and the job ends done with the same document
    job = wait_for(running.pk, ("done", "failed"))
    assert job.status == "done", job.error
    assert job.attempts == 2
    assert paragraphs(job.file.read()) == expected
    assert celery_worker_process.poll() is None  # the worker itself lives on


def test_jobs_asked_for_while_redis_is_down_end_done_after_it_returns(
    celery_worker_process: subprocess.Popen[bytes],
) -> None:
    world = build_world(title="Broker outage")
    redis_stop()
    try:
        # When exports are asked for while the broker is unreachable
        started = time.monotonic()
        responses = [post(world, "mex", declaration=world.declaration.pk, kind=k) for k in ("compilation", "record")]
        # Then the requests still succeed quickly and the jobs wait, queued
        assert [r.status_code for r in responses] == [201, 201], [r.content for r in responses]
        assert time.monotonic() - started < 15
        ids = [r.json()["id"] for r in responses]
        assert all(j.status == "queued" and j.dispatched_at is None for j in ExportJob.objects.filter(pk__in=ids))
    finally:
        redis_start()
    # When the broker is back and the periodic sweep runs
    time.sleep(2.1)  # the sweep leaves jobs younger than 2 s to their first hand-over
    due = tasks.export_sweep.apply().get()
    assert sorted(due) == sorted(ids)
    # Then every job ends done
    assert [wait_for(i, ("done", "failed")).status for i in ids] == ["done", "done"]
    assert settings.REDIS_URL
