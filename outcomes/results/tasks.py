"""Background results evaluation: thin tasks around the services (idempotent)."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from agencies.services import system_actor
from oneplan.locks import run_alone
from outcomes.results.evaluation import (
    RUN_ALL_LOCK,
    results_queue_due,
    results_queue_process,
)

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
    """Nightly, after the assessment: queue the families whose results are due (their
    windows moved) or whose inputs changed, ask other workers to help, and evaluate.
    A second start while one is queueing returns at once (-1)."""
    with run_alone(RUN_ALL_LOCK) as held:
        if not held:
            return -1
        _, queued = results_queue_due(as_of=timezone.localdate(), everyone=everyone)
    if queued:
        for _ in range(HELPERS):
            transaction.on_commit(results_queue_process_task.delay)
    return results_queue_process(actor=system_actor()).families


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
