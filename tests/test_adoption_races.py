"""Adoption happens exactly once, and a break of silence that commits before
the deadline always wins over adoption. Real threads, real transactions."""

from __future__ import annotations

import datetime
import functools
import time
from typing import Any

import pytest
from django.utils import timezone

from drafting import services
from drafting.errors import Conflict
from drafting.models import Adoption, Declaration, Event
from drafting.services import adoption as adoption_services
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
def test_a_break_begun_before_the_deadline_wins_over_the_deadline_task_that_overlaps_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The two transactions really overlap: the break takes its locks and
    passes its deadline check before the deadline, then is held open (its
    reason is slow to clean) until 0.2 s after it; the deadline task starts
    0.05 s after the deadline, while the break is still open. On PostgreSQL
    the row locks make the task wait and then see the break; on SQLite the
    IMMEDIATE transactions do (writers queue on the database). Without
    either, the task would adopt under the break's feet."""
    # Given a silence procedure with a deadline 0.5 s away
    world = build_world(title="Break race")
    adoption = silence_under_way(world, seconds=0.5)
    assert adoption.deadline is not None
    deadline = adoption.deadline
    hold_until = deadline + datetime.timedelta(seconds=0.2)
    held_at: list[datetime.datetime] = []
    task_started_at: list[datetime.datetime] = []
    real_clean_text = adoption_services.clean_text

    def clean_text_slowly(*args: Any, **kwargs: Any) -> str:
        held_at.append(timezone.now())
        time.sleep(max(0.0, (hold_until - timezone.now()).total_seconds()))
        return real_clean_text(*args, **kwargs)

    monkeypatch.setattr(adoption_services, "clean_text", clean_text_slowly)

    def break_silence() -> Adoption:
        return services.silence_break(actor=world.users["can"], declaration=world.declaration, reason="Not yet.")

    def deadline_task() -> bool:
        time.sleep(max(0.0, (deadline + datetime.timedelta(seconds=0.05) - timezone.now()).total_seconds()))
        task_started_at.append(timezone.now())
        return services.silence_conclude(adoption_id=adoption.pk)

    # When the break is under way at the deadline and the deadline task runs meanwhile
    broke, adopted = race(break_silence, deadline_task)
    # (the race really happened: the break was inside its transaction before the
    # deadline, the task started after the deadline and before the break committed)
    assert held_at and held_at[0] < deadline, (held_at, deadline)
    assert task_started_at and deadline <= task_started_at[0] < hold_until, (task_started_at, deadline)
    # Then the break won; the deadline task did nothing
    assert isinstance(broke, Adoption), broke
    assert adopted is False
    assert Adoption.objects.get(pk=adoption.pk).status == Adoption.Status.BROKEN
    assert Declaration.objects.get(pk=world.declaration.pk).status == Declaration.Status.DRAFTING
    assert Event.objects.filter(declaration=world.declaration, verb="silence.broken").count() == 1
    assert not Event.objects.filter(declaration=world.declaration, verb="declaration.adopted").exists()
    # And the task, delivered again later, still does nothing
    assert services.silence_conclude(adoption_id=adoption.pk) is False


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
