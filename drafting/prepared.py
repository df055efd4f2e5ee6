"""A cursor that keeps the plan of the few statements every request runs.

PostgreSQL plans each statement it is sent. For the hand-written reads on
every request's path (a text's head, ``selectors.texts.text_head_get``; a
write's declaration, paragraph and proposal, ``services/rows.py``), planning
is most of the database's work: the text's head, a join of three tables
with two EXISTS, takes ~0.12 ms to plan and ~0.03 ms to run (EXPLAIN on the
bench data); a bare read of the declaration's version plans in 0.01 ms. A
prepared statement is planned once per connection; later executions send
only the parameters (measured from Python, one statement at a time: the
text's head 275 → 130 µs, bench/RESULTS.md "Prepared reads").

Django's psycopg backend binds parameters on the client and prepares
nothing, and that default stays for every other query: server-side binding
for all of them was measured and not kept (RESULTS.md, "psycopg server-side
binding": no gain on the ORM's queries, and Django documents it as
incompatible with queries whose parameter types the server cannot infer).
Only the statements that ask for it here are prepared, with psycopg's
server-binding cursor on Django's own connection, wrapped as Django wraps
its cursors: the same error translation, query logging (so the pinned query
counts see them) and execute wrappers.

Prepared statements live in one server connection. Behind a PgBouncer in
transaction-pooling mode older than 1.21 (or without
``max_prepared_statements``) they break: set
``DATABASE_PREPARED_STATEMENTS=false`` there. SQLite gets a plain cursor
(its driver keeps compiled statements itself).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.backends.utils import CursorWrapper

_NEVER_BY_COUNT = 2**31 - 1


def prepared_enabled() -> bool:
    return connection.vendor == "postgresql" and bool(getattr(settings, "CONSENSO_PREPARED_STATEMENTS", True))


@cache
def _prepared_cursor_class() -> type[Any]:
    """psycopg's server-binding cursor (with Django's ``callproc``), every
    ``execute`` prepared. Built on first use: only PostgreSQL imports it."""
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparedCursor(ServerBindingCursor):
        def execute(self, query: Any, params: Any = None, *, prepare: bool | None = None, binary: Any = None) -> Any:
            result = super().execute(query, params, prepare=True, binary=binary)  # type: ignore[misc]
            # psycopg keeps no text of a prepared execution, where Django's query log
            # (DEBUG, the tests' captured queries) reads it: give it the statement
            # with its values, worked out only if the log asks.
            self._query = _Executed(self.connection, query, params)  # type: ignore[attr-defined]  # psycopg.Cursor.connection
            return result

    return PreparedCursor


class _Executed:
    """What Django's ``last_executed_query`` reads of a psycopg cursor
    (``cursor._query.query``): the statement with its values in, as Django
    logs a client-side cursor's."""

    def __init__(self, driver: Any, query: Any, params: Any) -> None:
        self._driver, self._sql, self._params = driver, query, params

    @property
    def query(self) -> bytes:
        from psycopg import ClientCursor

        return ClientCursor(self._driver).mogrify(self._sql, self._params).encode()


def _open() -> CursorWrapper:
    """What ``connection.cursor()`` does, with the prepared cursor class."""
    from django.db.backends.postgresql.base import TIMESTAMPTZ_OID
    from django.db.backends.postgresql.psycopg_any import register_tzloader
    from psycopg.pq import Format

    db = connections[DEFAULT_DB_ALIAS]  # once: each attribute through the ``connection`` proxy costs a lookup
    db.close_if_health_check_failed()
    db.ensure_connection()
    with db.wrap_database_errors:
        driver = db.connection
        if driver.prepare_threshold is None:
            # Django turns psycopg's preparing off (None) on every connection. Its
            # own cursors bind on the client and never prepare whatever this says,
            # so a threshold no query reaches lets only this module's cursors
            # prepare, each statement as it asks (``prepare=True``).
            driver.prepare_threshold = _NEVER_BY_COUNT
        raw = _prepared_cursor_class()(driver)
        # As Django's create_cursor: the cursor reads times in the connection's zone.
        if db.timezone != raw.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT).timezone:
            register_tzloader(db.timezone, raw)
        db.validate_thread_sharing()
        if db.queries_logged:
            return db.make_debug_cursor(raw)
        return db.make_cursor(raw)


@contextmanager
def prepared_cursor() -> Iterator[CursorWrapper]:
    """A cursor whose statements PostgreSQL plans once per connection (see
    above); Django's plain cursor elsewhere or when turned off."""
    if not prepared_enabled():
        with connection.cursor() as cursor:
            yield cursor
        return
    cursor = _open()
    try:
        yield cursor
    finally:
        cursor.close()
