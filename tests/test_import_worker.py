"""The import task end to end: in-process on the embedded default; with
REDIS_URL across the broker to a real ``celery worker`` process reading the
upload from the same database."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from drafting.models import Declaration, RevisionParagraph
from tests.conftest import World

DRAFT = "DECLARATION OF BELIZE CITY\n\nRecalling the Puebla Process,\n\nDECISIONS\n\n1. Promote regular pathways.\n"


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_an_upload_is_read_by_the_worker_and_confirmed(request: pytest.FixtureRequest, world: World) -> None:
    if settings.REDIS_URL:
        request.getfixturevalue("celery_worker_process")
    client = world.client("ts")
    # Given an upload (the task is queued after the job commits)
    response = client.post(
        "/api/imports/",
        {"file": SimpleUploadedFile("belize.txt", DRAFT.encode()), "meeting": world.meeting.pk},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    url = response["Location"]
    # When the worker has read it
    deadline = time.monotonic() + 30
    while (job := client.get(url).json())["status"] in ("queued", "running"):
        assert time.monotonic() < deadline, "not read within 30 s"
        time.sleep(0.2)
    # Then the preview is ready, and confirming it makes the zero draft
    assert job["status"] == "ready", job
    assert job["preview"]["counts"]["operative"] == 1
    confirmed = client.post(f"{url}confirm/", {}, format="json").json()
    assert Declaration.objects.get(pk=confirmed["created_declaration"]).title == "DECLARATION OF BELIZE CITY"
    texts = RevisionParagraph.objects.filter(revision_id=confirmed["revision"]).values_list("text", flat=True)
    assert list(texts.order_by("position")) == [
        "DECLARATION OF BELIZE CITY",
        "Recalling the Puebla Process,",
        "Promote regular pathways.",
    ]


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_task_delivered_twice_reads_once(request: pytest.FixtureRequest, world: World) -> None:
    from drafting import services
    from drafting.models import Event
    from workers import tasks

    if settings.REDIS_URL:
        request.getfixturevalue("celery_worker_process")
    job = services.import_job_create(
        actor=world.users["ts"],
        meeting=world.meeting,
        content=DRAFT.encode(),
        filename="d.txt",
        dispatch=lambda i: None,
    )
    # The task keeps no result (the job row is the outcome), so deliver it
    # twice, then a ping behind them on the imports queue: its worker takes
    # one task at a time, so once the ping answers both deliveries have run.
    for _ in range(2):
        tasks.import_read.delay(job.pk)
    assert tasks.ping.apply_async(queue=settings.CONSENSO_IMPORT_QUEUE).get(timeout=60)
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("ready", 1)
    assert Event.objects.filter(verb="import.ready").count() == 1
