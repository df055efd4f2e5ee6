"""Handing an export job to the broker: the job is marked handed over before
the message goes out. Marked after, an idle worker could receive the message
while the mark's UPDATE still held the row; its claim skips locked rows
(SKIP LOCKED: a live worker may be rendering it), so the message was dropped
and the job sat queued for the sweep's redispatch delay (found by bench/soak.py
and bench/faults.py worker-kill: a job queued for 60 s after a restart)."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.utils import timezone

from drafting import services
from drafting.demo import demo_load
from drafting.models import ExportJob
from tests.conftest import needs_postgres
from workers import tasks


def _request(dispatch: Any) -> ExportJob:
    declaration, _ = demo_load()
    job, _ = services.export_job_request(
        actor=User.objects.get(username="ts"), declaration_id=declaration.pk, kind="clean",
        pdf_available=False, dispatch=dispatch,
    )  # fmt: skip
    return job


@pytest.mark.django_db
def test_a_job_is_marked_handed_over_before_its_message_goes_out(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[Any] = []

    def publish(args: tuple[int], **kwargs: Any) -> None:  # what a worker would read on receipt
        seen.append(ExportJob.objects.get(pk=args[0]).dispatched_at)

    monkeypatch.setattr(tasks.export_render, "apply_async", publish)
    job = _request(lambda job_id: None)
    tasks.export_dispatch(job.pk)
    assert seen and seen[0] is not None


@pytest.mark.django_db
def test_a_failed_hand_over_is_retried_by_the_next_sweep(monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    # Given a job handed over long ago whose message was lost
    job = _request(lambda job_id: None)
    stale = timezone.now() - timedelta(seconds=settings.CONSENSO_EXPORT_REDISPATCH_SECONDS + 1)
    ExportJob.objects.filter(pk=job.pk).update(dispatched_at=stale, created_at=stale)

    def unreachable(*args: Any, **kwargs: Any) -> None:
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    # When the sweep's hand-over fails too (the broker is down)
    monkeypatch.setattr(tasks.export_render, "apply_async", unreachable)
    tasks.export_dispatch(job.pk)
    # Then the job is not marked handed over, so the next pass takes it at once
    assert ExportJob.objects.get(pk=job.pk).dispatched_at is None
    assert services.export_jobs_to_redispatch() == [job.pk]


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_a_worker_taking_the_message_at_once_finds_the_job_marked_and_free(monkeypatch: pytest.MonkeyPatch) -> None:
    # What an idle worker sees when the message reaches it immediately: from
    # another connection, the mark is committed and no lock is held on the row.
    seen: list[Any] = []

    def claim(job_id: int) -> None:
        try:
            with transaction.atomic():
                row = ExportJob.objects.select_for_update(skip_locked=True).filter(pk=job_id).first()
                seen.append(row and row.dispatched_at)
        finally:
            from django.db import connections

            connections.close_all()

    def publish(args: tuple[int], **kwargs: Any) -> None:
        thread = threading.Thread(target=claim, args=args)
        thread.start()
        thread.join(timeout=30)

    monkeypatch.setattr(tasks.export_render, "apply_async", publish)
    job = _request(lambda job_id: None)
    tasks.export_dispatch(job.pk)  # as on_commit calls it: outside any transaction
    assert len(seen) == 1 and seen[0] is not None, seen
    assert connection.vendor == "postgresql"
