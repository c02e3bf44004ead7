"""Writing generated rows with PostgreSQL ``COPY``: the columns per model, ids taken from
the sequences, and the copy itself."""

from __future__ import annotations

import io
from collections.abc import Iterable
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
