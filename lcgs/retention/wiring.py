"""Hooks this area registers when Django starts: the runner of approved retention
batches, and this area's tables in the personal data registry."""

from __future__ import annotations

from oneplan.jobs import JobOutcome, Progress, register_job_runner
from oneplan.models import Job


def retention_batch_job(job: Job, progress: Progress) -> JobOutcome:
    """Run an approved batch (``services.retention_batch_run``) in its approver's name."""
    from django.utils import timezone

    from lcgs.retention.services import retention_batch_run

    progress(0, 1)
    run = retention_batch_run(
        actor=job.started_by, batch_id=int(job.parameters["batch"]), today=timezone.localdate()
    )
    progress(1, 1)
    return JobOutcome(counts={"records": run.done, "held": run.held})


def ready() -> None:
    from lcgs.retention import personal_data  # noqa: F401 - registers this area's tables
    from lcgs.retention.services import RETENTION_BATCH_JOB

    register_job_runner(RETENTION_BATCH_JOB, retention_batch_job, label="Retention batch")
