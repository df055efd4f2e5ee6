"""Model instances from one hand-written SELECT, as ``select_related`` would
build them, for the few reads on every write's path (``locks.py``); and a
new row inserted with the event that records it, in one statement
(``insert_with_event``, the submission's write).

Why not the ORM there: compiling a query with several joins and an
annotation costs about 1 ms of CPU on each call (measured: the proposal with
its five related rows, 1.19 ms through the ORM, 0.2 ms this way), which was a
fifth of a support's whole request. The column lists and the ORM's own value
converters (SQLite's dates and booleans, JSON) are worked out once per model
and database, and applied exactly as a queryset applies them; the rows are
built with ``Model.from_db``, so they behave as loaded models (saving one
updates only what it should, ``refresh_from_db`` works). On PostgreSQL the
statement is prepared: planned once per connection (drafting/prepared.py).

A ``Part`` names a model and its alias in the SQL. A part read through a LEFT
JOIN whose row is missing (all its columns NULL) comes back as ``None``.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction

from drafting.prepared import prepared_cursor


@dataclass(frozen=True)
class Part:
    model: type[models.Model]
    alias: str


Shape = tuple[tuple[str, ...], tuple[str, ...], tuple[Any, ...]]
Found = tuple[list[models.Model | None], tuple[Any, ...]]


@cache
def _shape(vendor: str, model: type[models.Model], alias: str) -> Shape:
    """(attribute names, quoted columns, column expressions) of ``model``."""
    fields = list(model._meta.concrete_fields)
    quote = connection.ops.quote_name
    return (
        tuple(f.attname for f in fields),
        tuple(f"{alias}.{quote(str(f.column))}" for f in fields),
        tuple(f.get_col(model._meta.db_table) for f in fields),
    )


def columns(*parts: Part) -> str:
    """The select list for ``parts``, in order (one model's columns after another's)."""
    return ", ".join(col for part in parts for col in _shape(connection.vendor, part.model, part.alias)[1])


@cache
def _converters(vendor: str, parts: tuple[Part, ...]) -> dict[int, Any]:
    exprs = [e for part in parts for e in _shape(vendor, part.model, part.alias)[2]]
    compiler = parts[0].model._default_manager.none().query.get_compiler(connection=connection)
    converters: dict[int, Any] = compiler.get_converters(exprs)
    return converters


def fetch_one(sql: str, params: Sequence[Any], parts: Sequence[Part]) -> Found | None:
    """Run ``sql`` (which selects ``columns(*parts)`` first, then any extra
    columns) and build one instance per part from its row; ``None`` if there
    is no row. Returns the instances and the extra columns, unconverted."""
    with prepared_cursor() as cursor:  # planned once per connection (drafting/prepared.py)
        cursor.execute(sql, list(params))
        row = cursor.fetchone()
    if row is None:
        return None
    db = connections[DEFAULT_DB_ALIAS]  # once: each attribute through the ``connection`` proxy costs a lookup
    key = tuple(parts)
    shapes = [_shape(db.vendor, part.model, part.alias) for part in key]
    width = sum(len(names) for names, _, _ in shapes)
    values = list(row[:width])
    converters = _converters(db.vendor, key)
    if converters:
        for i, (convs, expr) in converters.items():
            for convert in convs:
                values[i] = convert(values[i], expr, db)
    out: list[models.Model | None] = []
    start = 0
    for part, (names, _, _) in zip(key, shapes, strict=True):
        chunk = values[start : start + len(names)]
        start += len(names)
        # a LEFT JOIN's missing row: its primary key is NULL
        pk_index = names.index(part.model._meta.pk.attname)
        out.append(None if chunk[pk_index] is None else part.model.from_db(db.alias, list(names), chunk))
    return out, tuple(row[width:])


# --- A new row and its event, in one statement ---------------------------------
# A submission wrote its proposal and then its event: two statements, each
# compiled by the ORM (~0.15 ms of CPU apiece) and each a round trip. On
# PostgreSQL both go in one prepared statement, the event's insert taking the
# new row's id from the first (a data-modifying WITH); the event's trigger
# bumps the declaration's version as before, and the foreign keys are checked
# at COMMIT as before. SQLite has no data-modifying WITH: two statements there,
# the same SQL text each time (its driver caches their compilation). The values
# are prepared as the ORM's insert prepares them (``pre_save``, then
# ``get_db_prep_save``), so dates, JSON and defaults come out the same.


@cache
def _insert_fields(model: type[models.Model]) -> tuple[Any, ...]:
    """The columns an insert of a new ``model`` row writes: the ORM's own
    choice (``Model._save_table``) for a row without a primary key."""
    meta = model._meta
    fields = tuple(f for f in meta.local_concrete_fields if f is not meta.auto_field)
    # Not handled here (the ORM would compile them): fail loudly if a model grows one.
    assert not any(f.generated or f.db_default is not models.NOT_PROVIDED for f in fields), model
    return fields


def _insert_sql(model: type[models.Model], fields: Sequence[Any], extra: Sequence[str] = ()) -> tuple[str, str]:
    """(``INSERT INTO t (c, …)``, the placeholders) with ``extra`` columns last."""
    quote = connection.ops.quote_name
    names = [quote(str(f.column)) for f in fields] + [quote(c) for c in extra]
    return f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(names)})", ", ".join(["%s"] * len(fields))


@dataclass(frozen=True)
class Guard:
    """What must still hold when a write runs, for a write whose reads took no
    lock (``insert_with_event``): WITH-clauses (PostgreSQL) ending in one named
    ``guard`` that yields a row only if the write may go ahead, locking the
    rows it checks; and their parameters, in order."""

    sql: str
    params: tuple[Any, ...]


def row_version(alias: str) -> str:
    """A select-list expression for the version of row ``alias`` as read
    (PostgreSQL's ``xmin``: any update of the row changes it), for a
    ``Guard`` to compare with; NULL where writers are serialised anyway."""
    return f"CAST({alias}.xmin AS text)" if connection.vendor == "postgresql" else "NULL"


def write_scope() -> Any:
    """The transaction a guarded write's reads and write run in: none on
    PostgreSQL, where the write is one statement that checks its ``Guard``
    under its own locks (so no BEGIN and COMMIT round trips, and no lock held
    while Python validates); elsewhere (SQLite) one transaction, which BEGIN
    IMMEDIATE serialises with every other writer, so what was read still holds."""
    return nullcontext() if connection.vendor == "postgresql" else transaction.atomic()


@cache
def _insert_with_event_sql(
    vendor: str, model: type[models.Model], event: type[models.Model], links: tuple[str, ...], guard: str | None
) -> tuple[str, ...]:
    """The statement(s) of ``insert_with_event``: one on PostgreSQL, two elsewhere."""
    pk, epk = (connection.ops.quote_name(str(m._meta.pk.column)) for m in (model, event))
    row_insert, row_values = _insert_sql(model, _insert_fields(model))
    event_insert, event_values = _insert_sql(event, _event_fields(event, links), (*links, "object_id"))
    if vendor == "postgresql":
        # The parameters take their types from the columns they are inserted into.
        inserted = f"SELECT {row_values} FROM guard" if guard else f"VALUES ({row_values})"
        return (
            f"WITH {guard + ', ' if guard else ''}new_row AS ({row_insert} {inserted} RETURNING {pk}) "
            f"{event_insert} SELECT {event_values}, {', '.join([f'new_row.{pk}'] * len(links))}, "
            f"CAST(new_row.{pk} AS text) FROM new_row RETURNING {epk}, object_id",
        )
    return (
        f"{row_insert} VALUES ({row_values}) RETURNING {pk}",
        f"{event_insert} VALUES ({event_values}, {', '.join(['%s'] * len(links))}, %s) RETURNING {epk}, object_id",
    )


@cache
def _event_fields(event: type[models.Model], links: tuple[str, ...]) -> tuple[Any, ...]:
    return tuple(f for f in _insert_fields(event) if f.column not in (*links, "object_id"))


def _db_values(db: Any, obj: models.Model, fields: Sequence[Any]) -> list[Any]:
    return [f.get_db_prep_save(f.pre_save(obj, add=True), connection=db) for f in fields]


def insert_with_event(
    row: models.Model, event: models.Model, *, links: Sequence[str] = (), guard: Guard | None = None
) -> bool:
    """Insert the new ``row`` and the new ``event`` that records it: the
    event's ``object_id`` and each column in ``links`` (e.g. ``proposal_id``)
    take the row's new id. Both instances come back saved (their ids set),
    as ``save()`` would leave them. With a ``guard``, only if it still holds
    (PostgreSQL; elsewhere the caller's ``write_scope`` makes it hold): False,
    and nothing written, if it does not. Call inside ``write_scope``."""
    db = connections[DEFAULT_DB_ALIAS]  # once: each attribute through the ``connection`` proxy costs a lookup
    key = tuple(links)
    checked = guard if db.vendor == "postgresql" else None
    assert guard is None or checked is not None or db.in_atomic_block, "a guarded write outside write_scope()"
    statements = _insert_with_event_sql(db.vendor, type(row), type(event), key, checked.sql if checked else None)
    row_values = _db_values(db, row, _insert_fields(type(row)))
    event_values = _db_values(db, event, _event_fields(type(event), key))
    with prepared_cursor() as cursor:  # planned once per connection (drafting/prepared.py)
        if len(statements) == 1:
            cursor.execute(statements[0], [*(checked.params if checked else ()), *row_values, *event_values])
        else:
            cursor.execute(statements[0], row_values)
            (new_id,) = cursor.fetchone()
            cursor.execute(statements[1], event_values + [new_id] * len(key) + [str(new_id)])
        written = cursor.fetchone()
    if written is None:  # the guard's rows changed since they were read
        return False
    event_id, object_id = written
    row.pk, event.pk = int(object_id), event_id
    for field in type(event)._meta.concrete_fields:
        if field.column in key:  # the link and its cached row, as assigning the row would set them
            setattr(event, field.name, row)
    event.object_id = object_id  # type: ignore[attr-defined]
    for obj in (row, event):
        obj._state.adding, obj._state.db = False, db.alias
    return True
