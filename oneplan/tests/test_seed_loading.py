"""The seeder's bulk load: foreign keys and plain indexes come off for the copy and go
back exactly as they were, checked in one query per key."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from oneplan.site.demo.copying import checked_after_loading
from oneplan.site.demo.seed import _case_tables

pytestmark = pytest.mark.django_db(transaction=True)

SHAPE = """
SELECT 'key', c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
  FROM pg_constraint AS c WHERE c.conrelid = ANY(%(t)s::regclass[])
UNION ALL
SELECT 'index', i.indrelid::regclass::text, i.indexrelid::regclass::text,
       pg_get_indexdef(i.indexrelid)
  FROM pg_index AS i WHERE i.indrelid = ANY(%(t)s::regclass[])
ORDER BY 1, 2, 3
"""


def _shape(tables: list[str]) -> list[tuple[str, str, str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(SHAPE, {"t": tables})
        return cursor.fetchall()


def test_keys_and_indexes_come_back_as_they_were() -> None:
    tables = _case_tables()
    before = _shape(tables)
    assert sum(1 for kind, *_ in before if kind == "key") > 20
    assert sum(1 for kind, *_ in before if kind == "index") > 40
    with transaction.atomic():
        with checked_after_loading(tables):
            during = _shape(tables)
            # Only primary keys, unique and check constraints (and their indexes) stay.
            assert not [row for row in during if row[3].startswith("FOREIGN KEY")]
            assert len(during) < len(before)
        assert _shape(tables) == before
    assert _shape(tables) == before


def test_a_row_that_breaks_a_foreign_key_fails_the_load_and_changes_nothing() -> None:
    tables = ["families_householdmembership"]
    before = _shape(tables)
    broken = pytest.raises(IntegrityError, match="violates foreign key constraint")
    with broken, transaction.atomic(), checked_after_loading(tables), connection.cursor() as cursor:
        # A membership of a family and person that do not exist.
        cursor.execute(
            "INSERT INTO families_householdmembership "
            "(family_id, person_id, role, start_date) "
            "VALUES (987654321, 987654321, 'child', '2026-01-01')"
        )
    assert _shape(tables) == before
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM families_householdmembership")
        assert cursor.fetchone() == (0,)


def test_it_refuses_to_run_outside_a_transaction() -> None:
    with pytest.raises(RuntimeError, match="transaction"), checked_after_loading(["x"]):
        pass
