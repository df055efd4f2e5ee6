"""The embedded default runs jobs outside the request and outside the
deadline sweep (issues 13 and 16).

* The API answers ``201 queued``; ``manage.py run_jobs`` (the runner
  ``dev.py serve`` starts) takes the job: ``running``, then ``ready``/``done``.
* A poisoned import (one the reader's process limits stop) waits in the
  queue without delaying the silence-procedure sweep, and fails once, with
  its reason, never redelivered.
* ``dev.py serve`` itself: an export and an import over HTTP, queued by the
  web process and finished by its runner.
"""

from __future__ import annotations

import datetime
import io
import json
import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from drafting.models import Adoption, Declaration, ImportJob
from tests import hostile_corpus
from tests.conftest import ROOT, World, silence_under_way
from tests.test_quickstart import free_port, get
from workers import runner

DRAFT = b"DECLARATION OF TEST\n\nRecalling the Charter,\n\n1. Promote orderly migration.\n"


@pytest.fixture
def embedded(settings: Any) -> None:
    settings.CONSENSO_JOBS = "embedded"


def _upload(world: World, data: bytes, name: str) -> Any:
    return world.client("ts").post(
        "/api/imports/",
        {"file": SimpleUploadedFile(name, data), "meeting": world.meeting.pk},
        format="multipart",
    )


@pytest.mark.django_db(transaction=True)
def test_an_import_is_queued_by_the_request_and_read_by_the_runner(embedded: None, world: World) -> None:
    response = _upload(world, DRAFT, "draft.txt")
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "queued"  # the request read nothing
    job_id = response.json()["id"]
    assert world.client("ts").get(f"/api/imports/{job_id}/").json()["status"] == "queued"
    assert runner.run_pending() == 1
    body = world.client("ts").get(f"/api/imports/{job_id}/").json()
    assert body["status"] == "ready", body
    assert runner.run_pending() == 0


@pytest.mark.django_db(transaction=True)
def test_an_export_is_queued_by_the_request_and_rendered_by_the_runner(embedded: None, world: World) -> None:
    response = world.client("mex").post(
        "/api/exports/", {"declaration": world.declaration.pk, "kind": "compilation"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "queued"
    job_id = response.json()["id"]
    runner.run_pending()
    body = world.client("mex").get(f"/api/exports/{job_id}/").json()
    assert body["status"] == "done", body
    assert world.client("mex").get(f"/api/exports/{job_id}/file/").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_poisoned_import_never_delays_the_silence_deadline_and_fails_once(
    embedded: None, world: World, settings: Any
) -> None:
    settings.CONSENSO_IMPORT_MEMORY_MB = 60  # the poisoned file needs more than this to be read
    # Given a poisoned import queued long enough for the sweep to pick it up,
    poisoned = _upload(world, hostile_corpus.CORPUS["runs_at_the_part_cap"](), "poison.docx").json()["id"]
    ImportJob.objects.filter(pk=poisoned).update(created_at=timezone.now() - datetime.timedelta(minutes=10))
    # and a silence procedure whose deadline has just passed
    adoption = silence_under_way(world, seconds=0.2)
    time.sleep(0.3)
    # When the deadline sweep runs
    began = time.monotonic()
    call_command("process_deadlines", stdout=io.StringIO())
    took = time.monotonic() - began
    # Then the declaration is adopted within the sweep interval, and the sweep did not read the file
    assert Adoption.objects.get(pk=adoption.pk).status == Adoption.Status.ADOPTED
    assert Declaration.objects.get(pk=world.declaration.pk).status == Declaration.Status.ADOPTED
    assert took < settings.CONSENSO_IMPORT_WALL_SECONDS and took < 30  # 30 s: the sweep's interval
    assert ImportJob.objects.get(pk=poisoned).status == ImportJob.Status.QUEUED
    # When the runner takes it, it fails once, with the reason
    runner.run_pending()
    job = ImportJob.objects.get(pk=poisoned)
    assert job.status == ImportJob.Status.FAILED and job.attempts == 1
    assert job.error.startswith("Reading this file needed more than 60 MB of memory"), job.error
    # and neither the sweep nor the runner hands it over again
    call_command("process_deadlines", stdout=io.StringIO())
    assert runner.run_pending() == 0
    assert ImportJob.objects.get(pk=poisoned).attempts == 1


def _post(url: str, token: str, body: bytes, content_type: str) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Authorization": f"Token {token}", "Content-Type": content_type}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, json.loads(response.read())


def _wait_for(url: str, token: str, wanted: str) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while True:
        _, raw = get(url, token)
        body: dict[str, Any] = json.loads(raw)
        if body["status"] == wanted:
            return body
        assert body["status"] in ("queued", "running"), body
        assert time.monotonic() < deadline, body
        time.sleep(0.2)


@pytest.mark.slow
def test_dev_py_serve_runs_jobs_outside_the_request(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "CONSENSO_SQLITE_PATH": str(tmp_path / "jobs.sqlite3"), "MEDIA_ROOT": str(tmp_path)}
    for name in ("DATABASE_URL", "REDIS_URL", "CONSENSO_JOBS"):
        env.pop(name, None)  # the embedded default, as the README's command runs it
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "dev.py", "serve", f"127.0.0.1:{port}"], cwd=ROOT, env=env, stdout=out, stderr=out
        )
        try:
            base = f"http://127.0.0.1:{port}/api"
            deadline = time.monotonic() + 120
            while True:
                try:
                    get(f"{base}/health/")
                    break
                except OSError:
                    assert server.poll() is None and time.monotonic() < deadline, log.read_text()
                    time.sleep(0.5)
            printed = log.read_text()
            ts = re.search(r"^\s+\S+\s+TS\s+.*Token (\w+)$", printed, re.M)
            assert ts, printed
            token = ts.group(1)
            status, job = _post(
                f"{base}/exports/", token, json.dumps({"declaration": 1, "kind": "clean"}).encode(), "application/json"
            )
            assert (status, job["status"]) == (201, "queued")
            _wait_for(f"{base}/exports/{job['id']}/", token, "done")
            boundary = "consenso13"
            form = (
                (
                    f'--{boundary}\r\nContent-Disposition: form-data; name="meeting"\r\n\r\n1\r\n'
                    f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="d.txt"\r\n'
                    "Content-Type: text/plain\r\n\r\n"
                ).encode()
                + DRAFT
                + f"\r\n--{boundary}--\r\n".encode()
            )
            status, job = _post(f"{base}/imports/", token, form, f"multipart/form-data; boundary={boundary}")
            assert (status, job["status"]) == (201, "queued")
            _wait_for(f"{base}/imports/{job['id']}/", token, "ready")
        finally:
            server.terminate()
            server.wait(timeout=30)
