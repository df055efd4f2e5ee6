"""Under Celery, imports never share a queue with the silence-procedure
deadlines (issue 13): ``consenso.import_read`` is routed to the ``imports``
queue, which docker-compose.yml gives a worker of its own, so a backlog of
hostile uploads, each keeping its reader busy up to the reader's limits,
never sits in front of the deadline sweep."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.conf import settings

from drafting import services
from drafting.models import Adoption, Declaration, ImportJob
from tests import hostile_corpus
from tests.conftest import World, needs_postgres, needs_redis, silence_under_way
from workers import tasks


def _queue_of(task: str) -> str:
    from workers import app

    return str(app.amqp.router.route({}, task, args=(1,), kwargs={})["queue"].name)


def test_imports_have_a_queue_of_their_own() -> None:
    assert _queue_of("consenso.import_read") == settings.CONSENSO_IMPORT_QUEUE == "imports"
    # and deadlines, exports and the sweeps stay on the default queue
    for task in ("consenso.silence_sweep", "consenso.silence_conclude", "consenso.export_render", "consenso.ping"):
        assert _queue_of(task) == "celery", task


def test_the_compose_workers_split_the_queues() -> None:
    import yaml

    from tests.conftest import ROOT

    services_ = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    worker, importer = services_["worker"]["command"].split(), services_["importer"]["command"].split()
    assert worker[worker.index("-Q") + 1] == "celery"
    assert importer[importer.index("-Q") + 1] == "imports"
    assert "--concurrency=${IMPORT_CONCURRENCY:-1}" in importer


@pytest.mark.worker
@needs_postgres
@needs_redis
@pytest.mark.django_db(transaction=True)
def test_a_backlog_of_poisoned_imports_never_delays_the_silence_deadline(
    request: pytest.FixtureRequest, world: World
) -> None:
    request.getfixturevalue("celery_worker_process")
    # Given a backlog of hostile uploads handed to the workers, the first one being read
    poison: Any = hostile_corpus.CORPUS["runs_200k_alternating_bold"]()
    jobs = [
        services.import_job_create(
            actor=world.users["ts"],
            meeting=world.meeting,
            content=poison,
            filename=f"poison-{i}.docx",
            dispatch=tasks.import_dispatch,
        ).pk
        for i in range(10)
    ]
    began = time.monotonic()
    while not ImportJob.objects.filter(pk__in=jobs, status=ImportJob.Status.RUNNING).exists():
        assert time.monotonic() - began < 60, "no import started within 60 s"
        time.sleep(0.05)
    # and a silence procedure whose deadline passes now
    adoption = silence_under_way(world, seconds=0.1)
    time.sleep(0.2)
    # When beat's deadline sweep goes out
    sent = time.monotonic()
    tasks.silence_sweep.delay()
    while Adoption.objects.get(pk=adoption.pk).status != Adoption.Status.ADOPTED:
        assert time.monotonic() - sent < settings.CELERY_BEAT_SCHEDULE["silence-sweep"]["schedule"], (
            "the deadline was not met within the sweep interval"
        )
        time.sleep(0.05)
    # Then the text was adopted while the imports were still waiting or being read (on one
    # shared queue the sweep would have waited behind all of them)
    waiting = ImportJob.objects.filter(
        pk__in=jobs, status__in=[ImportJob.Status.QUEUED, ImportJob.Status.RUNNING]
    ).count()
    assert waiting >= 1, "every import was read before the deadline was met"
    assert Declaration.objects.get(pk=world.declaration.pk).status == Declaration.Status.ADOPTED
    # And every import is still read (or refused) once, by its own worker
    while ImportJob.objects.filter(pk__in=jobs, status__in=[ImportJob.Status.QUEUED, ImportJob.Status.RUNNING]):
        assert time.monotonic() - began < 300, "the imports were not all read within 300 s"
        time.sleep(0.2)
    assert set(ImportJob.objects.filter(pk__in=jobs).values_list("attempts", flat=True)) == {1}
