"""Mark families for re-assessment after their evidence or household changed.

Imports and match decisions call ``assessment_queue_add``; the background task in
``outcomes.assessment.tasks`` takes the queue and re-assesses those families only.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction


def assessment_queue_add(family_ids: Iterable[int]) -> int:
    """Queue these families (adding one twice is harmless) and, once the caller's
    transaction commits, ask a worker to process the queue. Returns how many were given."""
    ids = sorted(set(family_ids))
    if not ids:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO outcomes_assessmentqueue (family_id, queued_at) "
            "SELECT unnest(%s::bigint[]), now() "
            "ON CONFLICT (family_id) DO UPDATE SET queued_at = EXCLUDED.queued_at",
            [ids],
        )

    def schedule() -> None:
        from outcomes.assessment.tasks import assessment_queue_process_task

        assessment_queue_process_task.delay()

    transaction.on_commit(schedule)
    return len(ids)


def assessment_queue_add_all() -> int:
    """Queue every family (after a framework version changes what the rules look for).
    One statement whatever the number of families; returns how many were queued."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO outcomes_assessmentqueue (family_id, queued_at) "
            "SELECT id, now() FROM families_family "
            "ON CONFLICT (family_id) DO UPDATE SET queued_at = EXCLUDED.queued_at"
        )
        queued: int = cursor.rowcount

    def schedule() -> None:
        from outcomes.assessment.tasks import assessment_queue_process_task

        assessment_queue_process_task.delay()

    transaction.on_commit(schedule)
    return queued
