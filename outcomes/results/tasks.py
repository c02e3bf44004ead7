"""Background results evaluation: thin tasks around the services (idempotent)."""

from __future__ import annotations

from celery import shared_task

from agencies.services import system_actor
from outcomes.results.evaluation import results_all_run, results_queue_process

# Workers asked to share a night's queue besides the one that fills it; with fewer
# workers running, the extra tasks find the queue empty and end at once.
HELPERS = 3


@shared_task(
    name="outcomes.results_all",
    autoretry_for=(ConnectionError,),
    retry_backoff=True,
    max_retries=3,
)
def results_all_task(everyone: bool = False) -> int:
    """Nightly, after the assessment: evaluate the families whose results are due or
    whose inputs changed, with help from other workers (``results_all_run``). A second
    start while one is queueing returns at once (-1)."""
    counts = results_all_run(actor=system_actor(), everyone=everyone, helpers=HELPERS)
    return -1 if counts is None else counts.families


@shared_task(
    name="outcomes.results_queue",
    autoretry_for=(ConnectionError,),
    retry_backoff=True,
    max_retries=3,
)
def results_queue_process_task() -> int:
    """Take chunks of the results queue until it is empty (shared by any number of
    workers; see ``results_queue_process``)."""
    return results_queue_process(actor=system_actor()).families
