"""Requesting an export: the domain stores the job, the broker gets its id
after commit. Called by the API view."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.models import User

from drafting import services
from drafting.models import ExportJob
from exports import pdf
from workers import tasks

log = logging.getLogger(__name__)


def dispatch(job_id: int) -> None:
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
        tasks.export_render.apply_async(args=(job_id,))
    except Exception as exc:  # broker down or slow; eager: already logged by the task
        services.export_job_mark_dispatched(job_id=job_id, dispatched=False)  # for the sweep's next pass
        log.warning("export job %s not handed to the broker yet (%s); the sweep will retry", job_id, exc)


def export_request(
    *,
    actor: User,
    declaration_id: int,
    kind: str,
    fmt: str,
    revision_id: int | None = None,
    base_revision_id: int | None = None,
    language: str | None = None,
) -> tuple[ExportJob, bool]:
    job, created = services.export_job_request(
        actor=actor,
        declaration_id=declaration_id,
        kind=kind,
        fmt=fmt,
        revision_id=revision_id,
        base_revision_id=base_revision_id,
        language=language,
        pdf_available=pdf.pdf_available(),
        dispatch=dispatch,
    )
    job.refresh_from_db()  # on the embedded default it may be done already
    return job, created
