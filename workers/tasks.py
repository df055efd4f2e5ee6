"""Celery tasks: thin, JSON payloads, ids in and plain data out, safe to run twice."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.db import connection

from drafting.models import Declaration


@shared_task(name="consenso.ping", acks_late=True)
def ping() -> dict[str, Any]:
    """Prove the whole worker path end to end: broker → worker → database.
    Read-only, so running it twice is harmless. Used by /api/health/?worker=1."""
    return {"database": connection.vendor, "declarations": Declaration.objects.count()}
