"""Celery tasks: thin, JSON payloads (ids in, plain data out), and safe to
run twice: each re-reads the database under the service's locks.

Also the two hand-overs the services call after commit (``export_dispatch``,
``import_dispatch``: ``drafting`` cannot import ``workers``, so the caller
passes them in), and ``pdf_available`` for the export requests. Everything a
job needs from ``workers`` is in this one module: views and pages call the
services directly with these, and the sweeps below use them without an import
loop."""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django.utils.translation import gettext_noop

from drafting import services
from drafting.models import Declaration
from drafting.services.export_jobs import RendersBusy
from exports import pdf
from workers import exporting

log = logging.getLogger(__name__)

__all__ = ["export_dispatch", "export_render", "import_dispatch", "import_read", "pdf_available"]


@shared_task(name="consenso.ping", acks_late=True)
def ping() -> dict[str, Any]:
    """Prove the whole worker path end to end: broker → worker → database.
    Read-only, so running it twice is harmless. Used by /api/health/?worker=1."""
    return {"database": connection.vendor, "declarations": Declaration.objects.count()}


@shared_task(name="consenso.silence_conclude", acks_late=True)
def silence_conclude(adoption_id: int) -> bool:
    """Adopt a silence procedure whose deadline passed. Delivered twice, late
    or to two workers at once, it adopts at most once (see
    drafting.services.adoption); returns whether this run adopted."""
    return services.silence_conclude(adoption_id=adoption_id)


@shared_task(name="consenso.silence_sweep", acks_late=True)
def silence_sweep() -> list[int]:
    """Beat job: hand every silence procedure whose deadline passed to
    ``silence_conclude``."""
    due = services.silence_due()
    for adoption_id in due:
        silence_conclude.delay(adoption_id)
    return due


@shared_task(
    name="consenso.export_render",
    acks_late=True,
    # The job row holds the outcome; no result to store, and no subscription
    # to the result backend that would hang a request while Redis is down.
    ignore_result=True,
    reject_on_worker_lost=True,  # a killed worker's job goes back on the queue, not into the void
    autoretry_for=(OperationalError, InterfaceError),  # the database restarting: transient, retry
    retry_backoff=2,
    retry_backoff_max=60,
    max_retries=6,
    soft_time_limit=settings.CONSENSO_EXPORT_SOFT_TIME_LIMIT,
    time_limit=settings.CONSENSO_EXPORT_TIME_LIMIT,
)
def export_render(job_id: int) -> str | None:
    """Render an export job. Delivered twice, late, or again after a worker
    was killed mid-render, it renders the job at most once at a time and
    finishes it once (see drafting.services.export_jobs). Returns the job's
    status, or None when there was nothing to do."""
    try:
        job = services.export_job_run(job_id=job_id, render=exporting.render_job)
    except RendersBusy:
        # The declaration has its share of renderings running: the job stays
        # queued. Under Celery it is handed over again shortly; the embedded
        # runner takes queued jobs again on its next pass by itself.
        if settings.CONSENSO_JOBS == "celery":
            services.export_job_mark_dispatched(job_id=job_id)
            try:
                export_render.apply_async(args=(job_id,), countdown=settings.CONSENSO_EXPORT_BUSY_RETRY_SECONDS)
            except Exception as exc:  # the broker is away: the sweep hands the job over later
                log.warning("export job %s not handed over again (%s); the sweep will", job_id, exc)
        return "queued"
    except (OperationalError, InterfaceError):
        raise
    except SoftTimeLimitExceeded:
        services.export_job_fail(
            job_id=job_id,
            message=gettext_noop(
                "Rendering took longer than %(seconds)s s and was stopped; try again later or ask the Secretariat."
            ),
            params={"seconds": settings.CONSENSO_EXPORT_SOFT_TIME_LIMIT},
        )
        return "failed"
    except Exception:
        # Not the user's fault and not transient: fail with a message (the
        # traceback goes to the log) rather than redeliver for ever.
        log.exception("export job %s could not be rendered", job_id)
        services.export_job_fail(
            job_id=job_id,
            message=gettext_noop("The document could not be rendered because of an internal error; it was logged."),
            params={},
        )
        return "failed"
    return job.status if job is not None else None


@shared_task(name="consenso.export_sweep", acks_late=True, ignore_result=True)
def export_sweep() -> list[int]:
    """Beat job: hand over again the export jobs the broker may have lost
    (created while it was down, or whose worker died with the message)."""
    due = services.export_jobs_to_redispatch()
    for job_id in due:
        export_dispatch(job_id)
    return due


@shared_task(
    name="consenso.import_read",
    acks_late=True,
    # The job row holds the outcome; no result backend to wait on when Redis is down.
    ignore_result=True,
)
def import_read(job_id: int) -> str | None:
    """Read an uploaded draft into its preview. Delivered twice or after a
    worker died, it reads again or does nothing (see
    drafting.services.import_jobs); returns the job's status, or None when
    there was nothing to do."""
    try:
        job = services.import_job_run(job_id=job_id)
    except SoftTimeLimitExceeded:
        services.import_job_fail(
            job_id=job_id, message=gettext_noop("Reading the file took too long; split it and try again."), params={}
        )
        return "failed"
    return job.status if job is not None else None


@shared_task(name="consenso.import_sweep", acks_late=True, ignore_result=True)
def import_sweep() -> list[int]:
    """Beat job: hand over again the import jobs the broker may have lost."""
    due = services.import_jobs_to_redispatch()
    for job_id in due:
        import_dispatch(job_id)
    return due


def export_dispatch(job_id: int) -> None:
    """Hand a job's id to the workers (on the embedded default: render it
    now, in-process). Never raises: if the broker is unreachable the job
    stays queued and the sweep hands it over once the broker is back.

    The job is marked handed over *before* the message goes out: marking it
    after would race an idle worker, whose claim (``SKIP LOCKED``) skips the
    row while the mark's UPDATE holds it, dropping the message, so that the
    job waited for the sweep's redispatch delay (a minute by default).

    On the embedded default nothing is handed over: ``workers.runner`` takes
    queued jobs from the table, outside the request."""
    if settings.CONSENSO_JOBS == "embedded":
        return
    services.export_job_mark_dispatched(job_id=job_id)
    try:
        export_render.apply_async(args=(job_id,))
    except Exception as exc:  # broker down or slow; eager: already logged by the task
        services.export_job_mark_dispatched(job_id=job_id, dispatched=False)  # for the sweep's next pass
        log.warning("export job %s not handed to the broker yet (%s); the sweep will retry", job_id, exc)


def import_dispatch(job_id: int) -> None:
    """Queue the reading of an upload. A broker that is down leaves the job queued; the upload is
    in the row, so uploading again or ``manage.py import_draft`` recovers it.
    On the embedded default nothing is handed over: ``workers.runner`` takes
    queued jobs from the table, outside the request."""
    if settings.CONSENSO_JOBS == "embedded":
        return
    try:
        import_read.apply_async(args=(job_id,))
    except Exception as exc:  # broker unreachable; eager errors were already recorded on the job
        log.warning("import job %s not handed to the broker (%s)", job_id, exc)


def pdf_available() -> bool:
    """Whether this installation renders PDF (LibreOffice found), for the
    export requests: the web side asks here rather than importing ``exports``."""
    return pdf.pdf_available()
