"""Celery tasks of the project package: thin wrappers around services."""

from __future__ import annotations

from celery import shared_task

from oneplan.jobs import job_run


@shared_task(
    name="oneplan.job_run",
    autoretry_for=(ConnectionError,),
    retry_backoff=True,
    max_retries=5,
)
def job_run_task(job_id: str) -> None:
    job_run(job_id=job_id)
