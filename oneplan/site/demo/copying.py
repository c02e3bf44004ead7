"""Writing generated rows with PostgreSQL ``COPY``: the columns per model, ids taken from
the sequences, and the copy itself."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Final

from django.db import connection
from django.db.models import Field, Model

from families.models import (
    Address,
    Family,
    FamilyStatusChange,
    HouseholdMembership,
    LeadAssignment,
    Person,
)

if TYPE_CHECKING:
    pass


# The columns COPY writes, in order, per model (the tab-separated rows above follow it).
_COLUMNS: Final[dict[type[Model], tuple[str, ...]]] = {
    Address: ("id", "line_1", "line_2", "town", "postcode", "uprn", "is_protected", "created_at"),
    Person: (
        "id",
        "given_name",
        "family_name",
        "date_of_birth",
        "sex",
        "upn",
        "nhs_number",
        "ni_number",
        "created_at",
        "updated_at",
    ),
    Family: (
        "id",
        "reference",
        "lcg",
        "status",
        "status_changed_at",
        "address",
        "lead_agency",
        "lead_professional",
        "attached_on",
        "created_at",
        "updated_at",
        "track",
        "first_local_lead_at",
    ),
    HouseholdMembership: ("id", "family", "person", "role", "start_date", "end_date"),
    FamilyStatusChange: (
        "id",
        "family",
        "from_status",
        "to_status",
        "reason",
        "actor",
        "created_at",
    ),
    LeadAssignment: (
        "id",
        "family",
        "lead_agency",
        "lead_professional",
        "reason",
        "actor",
        "started_at",
        "ended_at",
        "track",
    ),
}


def next_ids(model: type[Model], count: int) -> list[int]:
    """Reserve ``count`` primary keys from the table's identity sequence.

    Like ``family_references_next``: a sequence read, so a concurrent insert elsewhere
    can never be handed the same id.
    """
    if count == 0:
        return []
    with connection.cursor() as cursor:
        # Look the sequence up once: calling pg_get_serial_sequence per row costs 6x.
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [model._meta.db_table])
        (sequence,) = cursor.fetchone() or (None,)
        if sequence is None:
            raise RuntimeError(f"{model._meta.db_table}.id has no sequence")
        cursor.execute(
            "SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, count]
        )
        return [row[0] for row in cursor.fetchall()]


def _column(model: type[Model], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, Field) and field.column
    return field.column


def copy_lines(counts: dict[str, int], model: type[Model], lines: Iterable[str]) -> None:
    buffer = io.StringIO()
    written = 0
    for line in lines:
        buffer.write(line)
        buffer.write("\n")
        written += 1
    if not written:
        return
    buffer.seek(0)
    opts = model._meta
    columns = ", ".join(connection.ops.quote_name(_column(model, name)) for name in _COLUMNS[model])
    sql = f"COPY {connection.ops.quote_name(opts.db_table)} ({columns}) FROM STDIN"
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(sql, buffer)
    count_rows(counts, model, written)


def count_rows(rows: dict[str, int], model: type[Model], n: int) -> None:
    table = model._meta.db_table
    rows[table] = rows.get(table, 0) + n


def copy_field(value: str) -> str:
    """Escape a value for COPY's text format."""
    return (
        value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    )


@contextlib.contextmanager
def checked_after_loading(tables: Sequence[str]) -> Iterator[None]:
    """Copy many rows into ``tables`` as ``pg_restore`` does: their foreign keys and
    their plain indexes are taken off while the block runs, and put back after it, by
    name and definition as they were. Putting a foreign key back checks every row in
    one query; kept on, PostgreSQL checks each row on its own (one index probe per row
    per key, queued until the transaction commits), which took three times as long as
    the copy itself. Primary keys and unique constraints stay, as do the tables'
    history triggers (switched off separately).

    Only inside a transaction (what is taken off must come back in the same one), and
    only where nothing else reads the tables while the block runs: they have no plain
    indexes then. If the block raises, the transaction's rollback puts everything back.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("checked_after_loading needs a transaction")
    with connection.cursor() as cursor:
        # Checks already queued run now: dropping a key they belong to is refused.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "SELECT c.conrelid::regclass::text, quote_ident(c.conname), "
            "pg_get_constraintdef(c.oid) FROM pg_constraint AS c "
            "WHERE c.contype = 'f' AND c.conrelid = ANY(%s::regclass[]) "
            "ORDER BY 1, 2",
            [list(tables)],
        )
        foreign_keys = cursor.fetchall()
        # Indexes that belong to no constraint (a constraint's index goes with it).
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) "
            "FROM pg_index AS i WHERE i.indrelid = ANY(%s::regclass[]) "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint AS c WHERE c.conindid = i.indexrelid) "
            "ORDER BY 1",
            [list(tables)],
        )
        indexes = cursor.fetchall()
        for table, name, _ in foreign_keys:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {name}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    yield
    with connection.cursor() as cursor:
        # Sorting in memory builds an index several times faster than spilling to disk.
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _, definition in indexes:
            cursor.execute(definition)
        for table, name, definition in foreign_keys:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")
