"""The task path end to end: on the embedded default the task runs
in-process; with REDIS_URL it crosses the Redis broker to a real
``celery worker`` process that reads the same database."""

from __future__ import annotations

import pytest
from django.conf import settings

from tests.conftest import World


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_health_check_round_trips_through_a_worker(request: pytest.FixtureRequest, world: World) -> None:
    if settings.REDIS_URL:
        request.getfixturevalue("celery_worker_process")
    staff = world.users["ts"]  # the worker check is for staff (issue 13)
    staff.is_staff = True
    staff.save()
    response = world.client("ts").get("/api/health/?worker=1")
    assert response.status_code == 200, response.content
    worker = response.json()["worker"]
    assert worker["database"] == ("postgresql" if settings.USING_POSTGRES else "sqlite")
    # The worker saw the committed declaration that this test created.
    assert worker["declarations"] == 1


def test_celery_is_configured_for_reliable_delivery() -> None:
    from workers import app

    conf = app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.task_time_limit and conf.task_soft_time_limit < conf.task_time_limit
    assert conf.task_serializer == "json" and conf.accept_content == ["json"]
    assert conf.task_always_eager is (not settings.REDIS_URL)


def test_every_beat_entry_names_a_task_the_worker_registers() -> None:
    # Given the app as a worker or beat loads it, its tasks autodiscovered
    from workers import app

    app.loader.import_default_modules()
    # Then beat's schedule is the one in settings, and each entry runs a registered task
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert app.conf.beat_schedule == schedule
    unknown = {name: entry["task"] for name, entry in schedule.items() if entry["task"] not in app.tasks}
    assert not unknown, f"beat would send tasks no worker knows: {unknown}"
    # And the sweeps that drive deadlines and lost exports are among them
    assert {"consenso.silence_sweep", "consenso.export_sweep"} <= {entry["task"] for entry in schedule.values()}


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_deadline_sweep_adopts_through_the_worker_exactly_once(request: pytest.FixtureRequest) -> None:
    import time

    from drafting.models import Declaration, Event
    from tests.conftest import build_world, silence_under_way
    from workers import tasks

    if settings.REDIS_URL:
        request.getfixturevalue("celery_worker_process")
    # Given a silence procedure whose deadline has just passed unbroken
    world = build_world(title="Sweep through the worker")
    adoption = silence_under_way(world, seconds=0.2)
    time.sleep(0.3)
    # When beat's sweep runs, and the conclude task is also delivered twice more
    due = tasks.silence_sweep.delay().get(timeout=30)
    extra = [tasks.silence_conclude.delay(adoption.pk) for _ in range(2)]
    results = [r.get(timeout=30) for r in extra]
    # Then the declaration is adopted exactly once
    assert adoption.pk in due
    deadline = time.monotonic() + 30
    while Declaration.objects.get(pk=world.declaration.pk).status != Declaration.Status.ADOPTED:
        assert time.monotonic() < deadline, "not adopted within 30 s"
        time.sleep(0.2)
    assert results.count(True) <= 1
    assert Event.objects.filter(declaration=world.declaration, verb="declaration.adopted").count() == 1
