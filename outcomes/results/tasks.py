"""Background results evaluation: a thin task around the service (idempotent)."""

from __future__ import annotations

from celery import shared_task

from agencies.services import system_actor
from outcomes.results.evaluation import results_all_run


@shared_task(
    name="outcomes.results_all",
    autoretry_for=(ConnectionError,),
    retry_backoff=True,
    max_retries=3,
)
def results_all_task() -> int:
    """Nightly, after the assessment: evaluate every attached family's results, as
    windows move with the date. A second run while one is going returns at once (-1)."""
    counts = results_all_run(actor=system_actor())
    return -1 if counts is None else counts.families
