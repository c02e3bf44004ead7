"""Writing many rows at once, for imports of 100,000 records.

Row by row through the ORM costs about a hundred times more. Rows go in with PostgreSQL
``COPY``; ids are reserved from the tables' own sequences first (as
``families.services.family_references_next`` does for references), so the caller knows
them before the rows exist.

History (django-pghistory) is kept for every row, written per statement instead of
per row: see ``history_by_statement``.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import pgtrigger
from django.apps import apps
from django.db import connection
from django.db.models import Field, Model


def next_ids(model: type[Model], count: int) -> list[int]:
    """Reserve ``count`` primary keys from ``model``'s identity sequence."""
    if count <= 0:
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [model._meta.db_table])
        row = cursor.fetchone()
        if row is None or row[0] is None:
            raise RuntimeError(f"{model._meta.db_table}.id has no sequence")
        cursor.execute("SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [row[0], count])
        return [number for (number,) in cursor.fetchall()]


def deferred_checks_run() -> None:
    """Run the foreign key checks PostgreSQL has deferred to commit, now.

    Django's foreign keys are checked at commit; until then every pending check sits in
    a queue that PostgreSQL walks again at the end of each statement, including the
    statement each history trigger runs per row. After a large write the queue makes
    every later row slower (measured: 0.1 ms a row becomes 1.5 ms), so bulk writes run
    the checks as they go. The checks themselves are the same; only when they run
    changes.
    """
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def column(model: type[Model], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, Field) and field.column
    return field.column


def copy_rows(
    table: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    not_null: Sequence[str] = (),
) -> int:
    """``COPY`` rows into ``table`` (a real or temporary table); returns how many.

    CSV, written by the C csv module: ``None`` is written as an empty field, which is
    NULL except in the ``not_null`` columns, where it is an empty string (so "" stays
    "" in a text column that does not allow NULL). Values must be str, numbers, bools,
    dates or None; JSON goes in already encoded (``json_text``).
    """
    listed = list(rows)
    if not listed:
        return 0
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(listed)
    buffer.seek(0)
    quote = connection.ops.quote_name
    options = "FORMAT csv"
    if not_null:
        options += f", FORCE_NOT_NULL ({', '.join(quote(c) for c in not_null)})"
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN ({options})",
            buffer,
        )
    return len(listed)


def json_text(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def copy_model_rows(
    model: type[Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """``COPY`` rows into ``model``'s table (``fields`` are model field names), then run
    the foreign key checks they queued (``deferred_checks_run``)."""
    columns, not_null = [], []
    for name in fields:
        field = model._meta.get_field(name)
        assert isinstance(field, Field) and field.column
        columns.append(field.column)
        if not field.null:
            not_null.append(field.column)
    count = copy_rows(model._meta.db_table, columns, rows, not_null=not_null)
    if count:
        deferred_checks_run()
    return count


# The history triggers of the audited models an import writes in bulk.
HISTORY_OPERATIONS = ("insert_insert", "update_update")


def _ignored_triggers(value: str | None) -> set[str]:
    text = (value or "").strip().strip("{}")
    return {name.strip().strip('"') for name in text.split(",") if name.strip()}


@contextlib.contextmanager
def history_by_statement(*models: type[Model]) -> Iterator[None]:
    """Inside, the insert and update history triggers of ``models`` skip their row;
    the caller writes the same history rows per statement with ``history_write``.

    Why: each history trigger runs two PL/pgSQL exception blocks per row, one of
    which fails and is caught when no history context is set. That costs about 0.1 ms
    a row at first and, measured, over 1 ms a row after some thousands in one
    transaction (every later statement in it slows down too). Copying the rows'
    history with one INSERT ... SELECT writes exactly what the triggers would have
    (same columns, label and context) at a tiny part of the cost.

    Uses pgtrigger's own switch (the transaction-local ``pgtrigger.ignore`` setting the
    triggers read), restoring what was there before. Afterwards the setting holds an
    empty list rather than nothing, which the triggers read without an exception.
    """
    uris = [f"{m._meta.label}:{operation}" for m in models for operation in HISTORY_OPERATIONS]
    names = {trigger.get_pgid(model) for model, trigger in pgtrigger.registered(*uris)}
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('pgtrigger.ignore', true)")
        row = cursor.fetchone()
        before = _ignored_triggers(row[0] if row else None)
        cursor.execute(
            "SELECT set_config('pgtrigger.ignore', %s, true)",
            ["{" + ",".join(sorted(before | names)) + "}"],
        )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('pgtrigger.ignore', %s, true)",
                ["{" + ",".join(sorted(before)) + "}"],
            )


def history_write(model: type[Model], label: str, ids: Sequence[int]) -> None:
    """Write ``model``'s history rows (pghistory's event table) for rows ``ids`` as
    they are now, labelled ``label`` ("insert" or "update"), in the current history
    context if there is one (the same function the triggers call)."""
    if not ids:
        return
    event_model = apps.get_model(model._meta.app_label, f"{model.__name__}Event")
    columns = [f.column for f in model._meta.concrete_fields if isinstance(f, Field) and f.column]
    listed = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        cursor.execute("SELECT _pgh_attach_context()")
        row = cursor.fetchone()
        context = row[0] if row else None
        cursor.execute(
            f"INSERT INTO {connection.ops.quote_name(event_model._meta.db_table)}"  # noqa: S608
            f" ({listed}, pgh_created_at, pgh_label, pgh_obj_id, pgh_context_id)"
            f" SELECT {listed}, NOW(), %s, id, %s::uuid"
            f" FROM {connection.ops.quote_name(model._meta.db_table)} WHERE id = ANY(%s)",
            [label, context, list(ids)],
        )
