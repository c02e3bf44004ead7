"""Background jobs: start one, run it once, report progress.

Apps register one runner per kind of job, a plain string with the name people see (in
their ``AppConfig.ready``), so the core lists no app's kinds. A runner gets
the job and a progress callback, and returns a ``JobOutcome``; everything else (status,
timing, failures, the result file, running at most once) is handled here.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pghistory
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

from oneplan.models import Job, JobStatus

logger = logging.getLogger(__name__)

# A job left "running" longer than this is taken to belong to a worker that died, and
# may be run again when its task is redelivered.
RUNNING_LEASE = timedelta(hours=2)


@dataclass(frozen=True)
class JobOutcome:
    counts: dict[str, int] = field(default_factory=dict)
    file_name: str = ""
    file_content: bytes = b""


Progress = Callable[[int, int], None]
Runner = Callable[[Job, Progress], JobOutcome]

# Given the user (an app's AnyUser): the core names no app's user type.
DownloadRule = Callable[[Any], bool]

_RUNNERS: dict[str, Runner] = {}
_LABELS: dict[str, str] = {}
_DOWNLOAD_RULES: dict[str, DownloadRule] = {}


def register_job_runner(
    kind: str, runner: Runner, *, label: str, may_download: DownloadRule | None = None
) -> None:
    """Make ``runner`` the one function that runs jobs of ``kind``, which people see as
    ``label`` ("Agency feed import"). ``may_download``: the access rule a result file of
    this kind is downloaded under, asked again at every download (the one who started
    the job may since have lost the role that let them)."""
    if kind in _RUNNERS and _RUNNERS[kind] is not runner:
        raise RuntimeError(f"A runner is already registered for {kind}")
    _RUNNERS[kind] = runner
    _LABELS[kind] = label
    if may_download is not None:
        _DOWNLOAD_RULES[kind] = may_download


def job_may_download(kind: str, user: Any) -> bool:
    """Whether ``user``, who started a job of ``kind``, may still download its file."""
    rule = _DOWNLOAD_RULES.get(kind)
    return rule is None or rule(user)


def job_kind_label(kind: str) -> str:
    """The name people see for a kind of job."""
    return _LABELS.get(kind, kind.replace("_", " ").capitalize())


@transaction.atomic
def job_start(
    *,
    actor: AbstractBaseUser,
    kind: str,
    parameters: dict[str, object] | None = None,
    idempotency_key: str = "",
) -> Job:
    """Record a job and queue it once the transaction commits.

    Starting with an ``idempotency_key`` already used for this kind returns the
    existing job instead of queueing a second one (a double-clicked button).
    """
    if kind not in _RUNNERS:
        raise RuntimeError(f"No runner registered for {kind}")
    if idempotency_key:
        job, created = Job.objects.get_or_create(
            kind=kind,
            idempotency_key=idempotency_key,
            defaults={"started_by_id": actor.pk, "parameters": parameters or {}},
        )
        if not created:
            return job
    else:
        job = Job.objects.create(kind=kind, started_by_id=actor.pk, parameters=parameters or {})
    from oneplan.tasks import job_run_task

    transaction.on_commit(lambda: job_run_task.delay(str(job.pk)))
    return job


def job_progress_update(
    job_id: str, *, done: int, total: int, connection: BaseDatabaseWrapper | None = None
) -> None:
    """Record that ``done`` of ``total`` steps of the job are finished.

    Without ``connection`` the write goes through the default connection. A job whose
    work runs in one long transaction passes an autocommit connection of its own, so the
    page polling the job sees the progress at once rather than when the work commits.
    """
    done = min(done, total)
    if connection is None:
        Job.objects.filter(pk=job_id).update(progress_done=done, progress_total=total)
        return
    # SQL, not the ORM: querysets only write through the connections Django manages.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE oneplan_job SET progress_done = %s, progress_total = %s WHERE id = %s",
            [done, total, str(job_id)],
        )


def _claim(job_id: str) -> Job | None:
    """Mark the job running if nobody else is running it; None if there is nothing to do."""
    with transaction.atomic():
        job = Job.objects.select_for_update(skip_locked=True).filter(pk=job_id).first()
        if job is None:
            return None
        stale = job.status == JobStatus.RUNNING and (
            job.started_at is None or job.started_at < timezone.now() - RUNNING_LEASE
        )
        if job.status != JobStatus.QUEUED and not stale:
            return None
        job.status = JobStatus.RUNNING
        job.started_at = timezone.now()
        job.attempts += 1
        job.save(update_fields=["status", "started_at", "attempts"])
        return job


def job_run(*, job_id: str) -> Job | None:
    """Run a queued job to the end. Safe to call twice, or twice at once: one runs."""
    job = _claim(job_id)
    if job is None:
        return None

    def progress(done: int, total: int) -> None:
        # Its own small write outside any transaction, so the page polling the job
        # sees it at once.
        job_progress_update(str(job.pk), done=done, total=total)

    try:
        # Every write the job makes is attributed to it and to whoever started it.
        with pghistory.context(job=str(job.pk), job_kind=job.kind, user=job.started_by_id):
            outcome = _RUNNERS[job.kind](job, progress)
    except Exception as exc:
        logger.exception("Job %s failed", job.pk)
        job.refresh_from_db()
        job.status = JobStatus.FAILED
        job.finished_at = timezone.now()
        job.errors = [
            *job.errors,
            {
                "message": str(exc) or exc.__class__.__name__,
                "detail": traceback.format_exc(limit=3),
            },
        ]
        job.save(update_fields=["status", "finished_at", "errors"])
        return job
    job.refresh_from_db()
    if outcome.file_name:
        job.result_file.save(outcome.file_name, ContentFile(outcome.file_content), save=False)
    job.counts = outcome.counts
    job.status = JobStatus.SUCCEEDED
    job.finished_at = timezone.now()
    if job.progress_total:
        job.progress_done = job.progress_total
    job.save(update_fields=["result_file", "counts", "status", "finished_at", "progress_done"])
    return job
