"""Handing an import job to the workers. Called after commit by
``drafting.services.import_job_create``, which cannot import ``workers``."""

from __future__ import annotations

import logging

from django.conf import settings

from workers import tasks

log = logging.getLogger(__name__)


def dispatch(job_id: int) -> None:
    """Queue the reading of an upload. A broker that is down leaves the job queued; the upload is
    in the row, so uploading again or ``manage.py import_draft`` recovers it.
    On the embedded default nothing is handed over: ``workers.runner`` takes
    queued jobs from the table, outside the request."""
    if settings.CONSENSO_JOBS == "embedded":
        return
    try:
        tasks.import_read.apply_async(args=(job_id,))
    except Exception as exc:  # broker unreachable; eager errors were already recorded on the job
        log.warning("import job %s not handed to the broker (%s)", job_id, exc)
