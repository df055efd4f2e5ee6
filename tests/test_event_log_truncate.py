"""The event log cannot be emptied with TRUNCATE (issue 13: the row triggers
covered UPDATE and DELETE only)."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from drafting.models import Event
from tests.conftest import World, needs_postgres


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_truncate_of_the_event_log_is_refused(world: World) -> None:
    before = Event.objects.count()
    assert before > 0
    with connection.cursor() as cursor:
        cursor.execute("RESET consenso.allow_truncate")  # as any session is, unless it says otherwise
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            cursor.execute("TRUNCATE drafting_event CASCADE")
    assert Event.objects.count() == before
