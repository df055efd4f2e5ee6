"""Model instances from one hand-written SELECT, as ``select_related`` would
build them, for the few reads on every write's path (``locks.py``).

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
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.db import connection, models

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
    key = tuple(parts)
    shapes = [_shape(connection.vendor, part.model, part.alias) for part in key]
    width = sum(len(names) for names, _, _ in shapes)
    values = list(row[:width])
    converters = _converters(connection.vendor, key)
    if converters:
        for i, (convs, expr) in converters.items():
            for convert in convs:
                values[i] = convert(values[i], expr, connection)
    out: list[models.Model | None] = []
    start = 0
    for part, (names, _, _) in zip(key, shapes, strict=True):
        chunk = values[start : start + len(names)]
        start += len(names)
        # a LEFT JOIN's missing row: its primary key is NULL
        pk_index = names.index(part.model._meta.pk.attname)
        out.append(None if chunk[pk_index] is None else part.model.from_db(connection.alias, list(names), chunk))
    return out, tuple(row[width:])
