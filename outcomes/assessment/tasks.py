"""Background assessment: thin tasks around services (ids in, one call, idempotent)."""

from __future__ import annotations

from celery import shared_task

from agencies.services import system_actor
from outcomes.assessment.services import assessment_all_run, assessment_queue_process


@shared_task(
    name="outcomes.assessment_queue_process",
    autoretry_for=(ConnectionError,),
    retry_backoff=True,
    max_retries=5,
)
def assessment_queue_process_task() -> int:
    """Assess the families waiting in the queue. Safe to run twice, or twice at once:
    each queued family is taken by one worker."""
    return assessment_queue_process(actor=system_actor()).families


@shared_task(
    name="outcomes.assessment_all",
    autoretry_for=(ConnectionError,),
    retry_backoff=True,
    max_retries=3,
)
def assessment_all_task() -> int:
    """Nightly: re-assess every family, as windows move with the date. Unchanged
    families cost a fingerprint; a second run while one is going returns at once."""
    counts = assessment_all_run(actor=system_actor())
    return -1 if counts is None else counts.families
