"""The lifecycle every background job shares (exports and imports): claim it
with an attempt counter, fail it with a message, find the ones the broker may
have lost. Written once here; ``export_jobs`` and ``import_jobs`` say only
what differs (which statuses are live, whether a run holds the row lock).

A job row is the source of truth and the broker only carries its id, so each
step re-reads the row under its lock and is safe to run twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from drafting.models import ExportJob, ImportJob

Job = TypeVar("Job", ExportJob, ImportJob)

# Both kinds use these status values (their enums share them).
QUEUED, RUNNING, FAILED = "queued", "running", "failed"
# At most this many ids per sweep: a backlog is worked off over several passes.
SWEEP_BATCH = 500


def job_error_fields(message: str, params: Mapping[str, object] | None) -> tuple[str, dict[str, Any] | None]:
    """``error`` (English) and ``error_i18n`` for a reason: with ``params``,
    ``message`` is a catalogue msgid with named placeholders."""
    if params is None:
        return message, None
    values = {k: v if isinstance(v, int | str) else str(v) for k, v in params.items()}
    return message % values, {"msgid": message, "params": values}


def job_mark_failed(job: ExportJob | ImportJob, message: str, *, params: Mapping[str, object] | None = None) -> None:
    """Fail a job the caller holds locked (``params``: see ``job_error_fields``)."""
    job.status = FAILED
    job.error, job.error_i18n = job_error_fields(message, params)
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "error_i18n", "finished_at"])


def job_claim(*, model: type[Job], job_id: int, max_attempts: int, gave_up: str, skip_locked: bool) -> Job | None:
    """Mark a queued or running job running, one attempt more (committed, so
    readers see it). None when there is nothing to do: finished, failed, gone,
    or (``skip_locked``) held by a live worker. A job interrupted
    ``max_attempts`` times (worker killed, hard time limit) is failed with
    ``gave_up`` (a msgid; ``%(attempts)s`` is filled in) rather than tried for ever."""
    with transaction.atomic():
        job = model.objects.select_for_update(skip_locked=skip_locked).filter(pk=job_id).first()
        if job is None or job.status not in (QUEUED, RUNNING):
            return None
        if job.attempts >= max_attempts:
            job_mark_failed(job, gave_up, params={"attempts": job.attempts})
            return None
        job.status = RUNNING
        job.attempts += 1
        job.started_at = timezone.now()
        job.save(update_fields=["status", "attempts", "started_at"])
        return job


def job_fail(
    *,
    model: type[Job],
    job_id: int,
    message: str,
    params: Mapping[str, object] | None = None,
    live: tuple[str, ...] = (QUEUED, RUNNING),
) -> None:
    """Give a job up (its task ran out of time or raised), unless it left the
    ``live`` statuses meanwhile."""
    with transaction.atomic():
        job = model.objects.select_for_update().filter(pk=job_id).first()
        if job is not None and job.status in live:
            job_mark_failed(job, message, params=params)


def jobs_to_redispatch(*, queued: QuerySet[Job], running: QuerySet[Job], run_holds_lock: bool) -> list[int]:
    """Ids of the jobs the broker may have lost: ``queued`` (the caller says
    which queued ones are overdue) and the running ones no worker is on.
    Where a run holds the job's row lock and the database can tell
    (``SKIP LOCKED``), a running job nobody holds is orphaned at once;
    otherwise it is orphaned once it has run longer than the hard time limit."""
    ids = list(queued.order_by("id").values_list("pk", flat=True)[:SWEEP_BATCH])
    current = timezone.now()
    if run_holds_lock and connection.features.has_select_for_update_skip_locked:
        with transaction.atomic():
            orphans = list(
                running.filter(started_at__lt=current - timedelta(seconds=5))
                .select_for_update(skip_locked=True)
                .order_by("id")
                .values_list("pk", flat=True)[:SWEEP_BATCH]
            )
    else:
        limit = timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
        orphans = list(
            running.filter(started_at__lt=current - limit).order_by("id").values_list("pk", flat=True)[:SWEEP_BATCH]
        )
    return ids + [i for i in orphans if i not in ids]
