"""Adoption happens exactly once, and a break of silence that commits before
the deadline always wins over adoption. Real threads, real transactions."""

from __future__ import annotations

import datetime
import functools
import time

import pytest
from django.utils import timezone

from drafting import services
from drafting.errors import Conflict
from drafting.models import Adoption, Declaration, Event
from tests.conftest import build_world, race, silence_under_way

ROUNDS = 5


def conclude(adoption: Adoption) -> bool:
    return services.silence_conclude(adoption_id=adoption.pk)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("n", range(ROUNDS))
def test_deadline_task_delivered_twice_and_concurrently_adopts_once(n: int) -> None:
    # Given a silence procedure whose deadline has passed unbroken
    world = build_world(title=f"Silence race {n}")
    adoption = silence_under_way(world, seconds=0.2)
    time.sleep(0.25)
    # When the deadline task runs three times at once (a redelivery, a late copy, the sweep)
    results = race(*[functools.partial(conclude, adoption) for _ in range(3)])
    # Then exactly one run adopted, and the record says so once
    assert sorted(results) == [False, False, True], results
    assert Declaration.objects.get(pk=world.declaration.pk).status == Declaration.Status.ADOPTED
    assert Adoption.objects.filter(declaration=world.declaration, status="adopted").count() == 1
    assert Event.objects.filter(declaration=world.declaration, verb="declaration.adopted").count() == 1
    # And a late, fourth delivery changes nothing
    assert services.silence_conclude(adoption_id=adoption.pk) is False


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("n", range(ROUNDS))
def test_a_break_committed_before_the_deadline_wins_over_the_deadline_task(n: int) -> None:
    # Given a silence procedure with a deadline 0.4 s away, and a worker
    # polling for it from just before the deadline
    world = build_world(title=f"Break race {n}")
    adoption = silence_under_way(world, seconds=0.4)
    assert adoption.deadline is not None
    deadline = adoption.deadline

    def break_just_before() -> object:
        time.sleep(max(0.0, (deadline - timezone.now()).total_seconds() - 0.05))
        return services.silence_break(actor=world.users["can"], declaration=world.declaration, reason="Not yet.")

    def deadline_worker() -> bool:
        while timezone.now() < deadline + datetime.timedelta(seconds=0.3):
            if services.silence_conclude(adoption_id=adoption.pk):
                return True
            time.sleep(0.01)
        return False

    broke, adopted = race(break_just_before, deadline_worker)
    # Then the break, committed before the deadline, won; nothing was adopted
    assert isinstance(broke, Adoption), broke
    assert adopted is False
    assert Declaration.objects.get(pk=world.declaration.pk).status == Declaration.Status.DRAFTING
    assert not Adoption.objects.filter(declaration=world.declaration, status="adopted").exists()


@pytest.mark.django_db(transaction=True)
def test_a_break_after_the_deadline_is_refused_and_adoption_stands() -> None:
    world = build_world(title="Late break")
    adoption = silence_under_way(world, seconds=0.1)
    time.sleep(0.15)
    with pytest.raises(Conflict, match="deadline has passed"):
        services.silence_break(actor=world.users["mex"], declaration=world.declaration, reason="Too late.")
    assert services.silence_conclude(adoption_id=adoption.pk) is True
    assert Declaration.objects.get(pk=world.declaration.pk).status == Declaration.Status.ADOPTED


@pytest.mark.django_db(transaction=True)
def test_on_the_embedded_default_the_deadline_command_adopts_once(capsys: pytest.CaptureFixture[str]) -> None:
    from django.core.management import call_command

    # Given a silence procedure whose deadline has passed (no Celery beat on the embedded default)
    world = build_world(title="Command sweep")
    adoption = silence_under_way(world, seconds=0.5)
    # (before the deadline it does nothing)
    call_command("process_deadlines")
    assert Declaration.objects.get(pk=world.declaration.pk).status == Declaration.Status.SILENCE_PROCEDURE
    time.sleep(0.55)
    # When the command dev.py serve runs every 30 s runs, twice
    call_command("process_deadlines")
    call_command("process_deadlines")
    # Then the text is adopted, once
    assert Declaration.objects.get(pk=world.declaration.pk).status == Declaration.Status.ADOPTED
    assert capsys.readouterr().out.count(f"adoption {adoption.pk}") == 1
