"""One run at a time across workers and machines: a session-level PostgreSQL advisory
lock taken without waiting."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from django.db import connection


@contextlib.contextmanager
def run_alone(namespace: int) -> Iterator[bool]:
    """Yield True with the lock ``(namespace, 0)`` held for the block, or False at once
    when another session holds it (the caller then does nothing). Released at the end,
    whatever happens."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, 0)", [namespace])
        held = bool(cursor.fetchone()[0])
    try:
        yield held
    finally:
        if held:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, 0)", [namespace])
