"""Celery tasks: thin, JSON payloads (ids in, plain data out), and safe to
run twice: each re-reads the database under the service's locks."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.db import connection

from drafting import services
from drafting.models import Declaration


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
