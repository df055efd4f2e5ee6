"""The embedded default's job runner: ``manage.py run_jobs``.

Without Redis there is no Celery worker, yet imports and exports must not
run inside the web request (a PDF takes seconds, a hostile upload could take
the web process with it) nor inside the deadline sweep (a silence deadline
must never wait on a file). So on the embedded default the request only
stores the job (``queued``) and this runner, a process of its own that
``dev.py serve`` starts and stops with the server, takes queued jobs from the
table, oldest first, and runs the same Celery tasks locally, one at a time.
Imports are read in a further child process with rlimits
(``drafting.importing.isolated``), as under Celery.

Jobs are rows, so nothing is lost when the runner restarts: a job it was
running when killed is taken up again (the services' attempt counters give
up on a file that kills its reader every time).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from celery import Task

from drafting import services
from drafting.models import ExportJob, ImportJob
from workers import tasks

log = logging.getLogger(__name__)


def _pending() -> list[tuple[Task[Any, Any], int]]:
    imports = list(ImportJob.objects.filter(status=ImportJob.Status.QUEUED).order_by("id").values_list("pk", flat=True))
    exports = list(ExportJob.objects.filter(status=ExportJob.Status.QUEUED).order_by("id").values_list("pk", flat=True))
    # running ones whose runner died (the sweeps' own rule for "lost")
    imports += [i for i in services.import_jobs_to_redispatch() if i not in imports]
    exports += [i for i in services.export_jobs_to_redispatch() if i not in exports]
    return [(tasks.export_render, i) for i in exports] + [(tasks.import_read, i) for i in imports]


def run_pending() -> int:
    """Run every job waiting now; returns how many were run. A job that
    raises is logged and left to its service's rules (it is failed, or taken
    up again on a later pass), never retried here in a loop."""
    done = 0
    for task, job_id in _pending():
        result = task.apply(args=(job_id,), throw=False)
        if result.failed():
            log.error("%s %s failed in the embedded runner: %r", task.name, job_id, result.result)
        elif result.result == "queued":  # its turn has not come (see RendersBusy): not run
            continue
        done += 1
    return done


def run_forever(every: float) -> None:
    while True:
        if not run_pending():
            time.sleep(every)
