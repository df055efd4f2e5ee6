"""``drafting/prepared.py``: the hand-written reads on every request's path
are prepared statements on PostgreSQL (planned once per connection), answer
exactly what Django's own cursor answers, are counted and logged as Django's
queries are, raise Django's errors, survive a rollback, and can be turned off.
On SQLite (and when turned off) the cursor is Django's plain one."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.db.utils import ProgrammingError
from django.test.utils import CaptureQueriesContext, override_settings

from drafting import selectors
from drafting.prepared import prepared_cursor, prepared_enabled
from drafting.services.locks import declaration_access
from tests.conftest import World, needs_postgres

HEAD = "SELECT r.id, r.issued_at, d.id, d.version"


def _prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def _heads(world: World) -> tuple[selectors.TextHead, selectors.TextHead]:
    reader = world.users["can"]
    return (
        selectors.text_head_get(user=reader, declaration_id=world.declaration.pk),
        selectors.text_head_get(user=reader, revision_id=world.revision.pk),
    )


@needs_postgres
@pytest.mark.django_db
def test_a_texts_head_is_prepared_once_and_answers_as_the_plain_cursor_does(world: World) -> None:
    with override_settings(CONSENSO_PREPARED_STATEMENTS=False):
        assert not prepared_enabled()
        plain = _heads(world)
    assert not [s for s in _prepared_statements() if s.startswith(HEAD)]

    with CaptureQueriesContext(connection) as queries:
        first = _heads(world)
        again = _heads(world)
    assert first == again == plain  # the revision, the version, the issue time (aware, same zone), the role
    assert first[0].issued_at == world.revision.issued_at
    # Counted as Django's own queries are (the pinned query budgets see them).
    assert len(queries.captured_queries) == 4
    assert all(q["sql"].startswith(HEAD) for q in queries.captured_queries)
    # Planned once per connection: one statement for each of the two shapes.
    prepared = [s for s in _prepared_statements() if s.startswith(HEAD)]
    assert len(prepared) == 2, prepared
    assert all("$1" in s for s in prepared)  # bound on the server


@needs_postgres
@pytest.mark.django_db
def test_a_writes_declaration_read_is_prepared(world: World) -> None:
    with transaction.atomic():
        declaration, role = declaration_access(user=world.users["mex"], declaration_id=world.declaration.pk)
    assert declaration.pk == world.declaration.pk and role.is_member
    assert [s for s in _prepared_statements() if "FOR KEY SHARE OF d" in s]


@needs_postgres
@pytest.mark.django_db
def test_errors_are_djangos_and_a_rollback_does_not_break_the_next_read(world: World) -> None:
    before = _heads(world)
    # django.db.utils' error, not psycopg's: the same error handling as elsewhere
    with pytest.raises(ProgrammingError), transaction.atomic(), prepared_cursor() as cursor:
        cursor.execute("SELECT no_such_column FROM drafting_declaration WHERE id = %s", [1])
    # psycopg forgets its prepared statements on a rollback; the next read prepares again.
    assert _heads(world) == before
    assert [s for s in _prepared_statements() if s.startswith(HEAD)]


@pytest.mark.django_db
def test_sqlite_and_the_switch_give_djangos_plain_cursor(world: World) -> None:
    with override_settings(CONSENSO_PREPARED_STATEMENTS=False), prepared_cursor() as cursor:
        assert type(cursor.cursor).__name__ != "PreparedCursor"
    with prepared_cursor() as cursor:
        assert (type(cursor.cursor).__name__ == "PreparedCursor") == (connection.vendor == "postgresql")
    head, _ = _heads(world)
    assert head.revision_id == world.revision.pk
