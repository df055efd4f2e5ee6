"""Handing an import job to the workers. Called after commit by
``drafting.services.import_job_create``, which cannot import ``workers``."""

from __future__ import annotations

import logging

from workers import tasks

log = logging.getLogger(__name__)


def dispatch(job_id: int) -> None:
    """Queue the reading of an upload (on the embedded default: read it now,
    in-process). A broker that is down leaves the job queued; the upload is
    in the row, so uploading again or ``manage.py import_draft`` recovers it."""
    try:
        tasks.import_read.apply_async(args=(job_id,))
    except Exception as exc:  # broker unreachable; eager errors were already recorded on the job
        log.warning("import job %s not handed to the broker (%s)", job_id, exc)
