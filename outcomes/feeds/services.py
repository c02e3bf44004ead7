"""Submitting an agency's file and importing it (FEEDS.md "What a submission produces").

``feed_submission_create`` stores the file and starts a background job;
``feed_submission_import`` (the job's work) checks every row first, and only then, in
ONE transaction, matches the people, writes their evidence and queues their families
for re-assessment. A file with any bad row commits nothing unless the submitter chose
"import the valid rows only", which is recorded with who chose it and when.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import json
import logging
import os
import time
from dataclasses import dataclass, field
from typing import Any, Final

from django.conf import settings
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone

from agencies.models import Agency, User
from audit.history import actor_context
from oneplan.errors import ApplicationError
from oneplan.jobs import JobOutcome, Progress, job_progress_update, job_start
from oneplan.models import Job
from outcomes.assessment.queue import assessment_queue_add
from outcomes.feeds.access import can_submit_feeds, is_system_actor
from outcomes.feeds.memory import memory_budget
from outcomes.feeds.reading import (
    MAX_FILE_BYTES,
    FileRejected,
    detect_format,
    read_table,
)
from outcomes.feeds.validation import GoodRow, Validated, validate_table
from outcomes.matching.pipeline import sources_match
from outcomes.matching.records import SourceIdentity
from outcomes.models import (
    RESTRICTED_FEED_KINDS,
    FeedKind,
    FeedSubmission,
    SubmissionStatus,
)

logger = logging.getLogger(__name__)

__all__ = [
    "ImportTimings",
    "feed_import_job",
    "feed_submission_create",
    "feed_submission_import",
]

# One import per agency at a time: two files from the same agency racing would match
# the same people twice and fight over the same evidence rows. (Namespace of
# pg_advisory_xact_lock's two-key form; any constant unused elsewhere.)
_IMPORT_LOCK_NAMESPACE: Final = 7401
FAILED_MESSAGE: Final = (
    "The import stopped because of a problem in OnePlan, and nothing from the file was "
    "imported. Try again; if it fails again, tell the programme team."
)
ALL_ROWS_BAD: Final = "Every row has an error, so there is nothing to import."
OUT_OF_MEMORY: Final = (
    "The file needs more memory to check and import than OnePlan allows for one file, "
    "and nothing from it was imported. Split it into smaller files, with only the "
    "columns the feed uses, and upload them again."
)

# The kind of background job that imports a submission (registered in wiring.ready).
FEED_IMPORT_JOB = "feed_import"


# --------------------------------------------------------------------------
# Submitting
# --------------------------------------------------------------------------


@transaction.atomic
def feed_submission_create(
    *,
    actor: User,
    agency: Agency,
    kind: str,
    extract_date: datetime.date,
    filename: str,
    content: bytes,
    valid_rows_only: bool,
    start_job: bool = True,
) -> FeedSubmission:
    """Store an agency's file and start the job that checks and imports it.

    Programme managers submit for any agency; so does the system account behind the
    command line. With ``start_job=False`` no job is queued and the caller runs
    ``feed_submission_import`` itself (the command line, which has no worker).
    """
    if not (can_submit_feeds(actor) or is_system_actor(actor)):
        raise ApplicationError("Only programme managers can submit agency feeds")
    if kind not in FeedKind.values:
        raise ApplicationError(f"{kind} is not a feed kind", field="kind")
    if not agency.is_active:
        raise ApplicationError(f"{agency.name} is no longer active", field="agency")
    if extract_date > timezone.localdate():
        raise ApplicationError(
            "The extract date must be today or in the past", field="extract_date"
        )
    if not content:
        raise ApplicationError("The selected file is empty", field="file")
    if len(content) > MAX_FILE_BYTES:
        raise ApplicationError(
            f"The selected file must be smaller than {MAX_FILE_BYTES // (1024 * 1024)} MB",
            field="file",
        )
    submission = FeedSubmission.objects.create(
        agency=agency,
        kind=kind,
        extract_date=extract_date,
        filename=os.path.basename(filename.replace("\\", "/"))[:255] or "feed",
        file_format=detect_format(content),
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        size_bytes=len(content),
        valid_rows_only=valid_rows_only,
        submitted_by=actor,
        submitted_at=timezone.now(),
    )
    if valid_rows_only:
        # The choice to commit a partly bad file is the submitter's to answer for.
        LogEntry.objects.log_actions(
            user_id=actor.pk,
            queryset=[submission],
            action_flag=ADDITION,
            change_message="Chose to import the valid rows only: rows with errors are skipped",
            single_object=True,
        )
    if start_job:
        submission.job = job_start(
            actor=actor, kind=FEED_IMPORT_JOB, parameters={"submission_id": submission.pk}
        )
        submission.save(update_fields=["job"])
    return submission


# --------------------------------------------------------------------------
# Importing
# --------------------------------------------------------------------------


@dataclass
class ImportTimings:
    """Seconds spent in each phase of one import (printed by the benchmark)."""

    phases: dict[str, float] = field(default_factory=dict)

    def time(self, phase: str, started: float) -> None:
        self.phases[phase] = self.phases.get(phase, 0.0) + time.perf_counter() - started


def _finish(submission: FeedSubmission, status: SubmissionStatus, **values: Any) -> None:
    for name, value in values.items():
        setattr(submission, name, value)
    submission.status = status
    submission.finished_at = timezone.now()
    submission.save(update_fields=["status", "finished_at", *values])


def feed_submission_import(
    *,
    submission: FeedSubmission,
    progress: Progress | None = None,
    timings: ImportTimings | None = None,
) -> FeedSubmission:
    """Check every row of the submitted file, then import it or reject it, in the name
    of whoever submitted it (``_submission_import``)."""
    with actor_context(submission.submitted_by):
        return _submission_import(submission=submission, progress=progress, timings=timings)


def _submission_import(
    *,
    submission: FeedSubmission,
    progress: Progress | None,
    timings: ImportTimings | None,
) -> FeedSubmission:
    """Check every row of the submitted file, then import it or reject it.

    Reading and checking happen first, outside any transaction. A file-level problem,
    or any bad row without "valid rows only", rejects the file: its status and errors
    are saved and nothing else is written. Otherwise one transaction matches the
    people (``outcomes.matching``), upserts the evidence (a re-sent record_id updates
    its row) and queues the families touched for re-assessment. Running it again for
    a submission that has finished does nothing.
    """
    timings = timings if timings is not None else ImportTimings()
    report = progress or (lambda done, total: None)
    if submission.status != SubmissionStatus.RECEIVED:
        return submission
    try:
        checked = _read_and_check(submission, timings)
    except FileRejected as exc:
        _finish(submission, SubmissionStatus.REJECTED, file_error=exc.message)
        return submission
    except MemoryError:
        # Only under the job's memory cap (feed_import_job). Everything the reading
        # held was dropped with the frames above, so there is room to record it.
        _finish(submission, SubmissionStatus.REJECTED, file_error=OUT_OF_MEMORY)
        return submission
    total = checked.rows_read * 3
    report(checked.rows_read, total)
    counts: dict[str, Any] = {
        "row_errors": [e.as_dict() for e in checked.errors],
        "warnings": checked.warnings,
        "rows_read": checked.rows_read,
        "rows_rejected": checked.rows_rejected,
    }
    if checked.errors and not submission.valid_rows_only:
        _finish(submission, SubmissionStatus.REJECTED, **counts)
        return submission
    if not checked.rows:
        _finish(submission, SubmissionStatus.REJECTED, file_error=ALL_ROWS_BAD, **counts)
        return submission
    out_of_memory = False
    try:
        _import(submission, checked, counts, report, timings)
    except MemoryError:
        # The transaction rolled back: nothing from the file was written. Recorded
        # after the handler, once the frames holding the rows are gone.
        out_of_memory = True
    except Exception:
        logger.exception("Feed submission %s failed", submission.pk)
        submission.refresh_from_db(fields=["status"])
        if submission.status == SubmissionStatus.RECEIVED:
            _finish(submission, SubmissionStatus.FAILED, file_error=FAILED_MESSAGE)
        raise
    if out_of_memory:
        del checked
        counts.pop("row_errors")
        _finish(submission, SubmissionStatus.REJECTED, file_error=OUT_OF_MEMORY, **counts)
    return submission


def _read_and_check(submission: FeedSubmission, timings: ImportTimings) -> Validated:
    started = time.perf_counter()
    table = read_table(bytes(submission.content))
    timings.time("parse", started)
    started = time.perf_counter()
    checked = validate_table(submission.kind, table, extract_date=submission.extract_date)
    timings.time("validate", started)
    return checked


def _import(
    submission: FeedSubmission,
    checked: Validated,
    counts: dict[str, Any],
    report: Progress,
    timings: ImportTimings,
) -> None:
    # Progress counts each row three times: checked, matched, written.
    rows_read = checked.rows_read
    total = rows_read * 3
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)",
                [_IMPORT_LOCK_NAMESPACE, submission.agency_id],
            )
        # Whoever got here first imports; a second run of the same job finds it done.
        locked = FeedSubmission.objects.select_for_update().only("status").get(pk=submission.pk)
        if locked.status != SubmissionStatus.RECEIVED:
            return
        started = time.perf_counter()
        summary = sources_match(
            actor=submission.submitted_by,
            agency=submission.agency,
            submission=submission,
            identities=_identities(checked.rows),
            as_of=submission.extract_date,
            progress=lambda done, of: report(rows_read + (rows_read * done) // max(of, 1), total),
        )
        timings.time("match", started)
        report(rows_read * 2, total)
        started = time.perf_counter()
        new, updated, family_ids = _evidence_upsert(submission, checked.rows)
        timings.time("write", started)
        started = time.perf_counter()
        touched = set(summary.family_ids) | family_ids
        assessment_queue_add(touched)
        if submission.valid_rows_only and checked.errors:
            LogEntry.objects.log_actions(
                user_id=submission.submitted_by_id,
                queryset=[submission],
                action_flag=CHANGE,
                change_message=(
                    f"Imported the valid rows only: {len(checked.rows)} imported, "
                    f"{checked.rows_rejected} with errors skipped"
                ),
                single_object=True,
            )
        _finish(
            submission,
            SubmissionStatus.IMPORTED,
            **counts,
            rows_accepted=new,
            rows_updated=updated,
            people_matched=summary.matched,
            people_review=summary.sent_to_review,
            people_created=summary.created,
            families_touched=len(touched),
        )
        timings.time("queue", started)
    report(total, total)


def _identities(rows: list[GoodRow]) -> list[SourceIdentity]:
    """One identity per agency person_id; where rows disagree, the last row wins (the
    file is in the agency's own order, newest last)."""
    latest = {row.identity.person_id: row.identity for row in rows}
    return [
        SourceIdentity(
            source_person_id=i.person_id,
            given_name=i.given_name,
            family_name=i.family_name,
            date_of_birth=i.date_of_birth,
            sex=i.sex,
            address_line_1=i.address_line_1,
            postcode=i.postcode,
            uprn=i.uprn,
            household_id=i.household_id,
            upn=i.upn,
            nhs_number=i.nhs_number,
            ni_number=i.ni_number,
        )
        for i in latest.values()
    ]


# Rows go to a temporary table with COPY, then into evidence with one INSERT ... ON
# CONFLICT: 100,000 rows in a couple of seconds. Evidence follows its source's person,
# which is NULL while the source waits in the review queue. A re-sent row keeps its
# updated_at when nothing in it changed, so re-assessment fingerprints stay the same.
_UPSERT_SQL: Final = """
WITH upserted AS (
    INSERT INTO outcomes_evidence (
        source_id, person_id, agency_id, kind, record_id, date, end_date, data,
        is_restricted, submission_id, extract_date, created_at, updated_at
    )
    SELECT sp.id, sp.person_id, %(agency)s, %(kind)s, i.record_id, i.date, i.end_date,
           i.data, %(restricted)s, %(submission)s, %(extract_date)s, %(now)s, %(now)s
    FROM feed_evidence_in i
    JOIN outcomes_sourceperson sp
      ON sp.agency_id = %(agency)s AND sp.source_person_id = i.person_key
    ON CONFLICT (agency_id, kind, record_id) DO UPDATE SET
        source_id = EXCLUDED.source_id,
        person_id = EXCLUDED.person_id,
        date = EXCLUDED.date,
        end_date = EXCLUDED.end_date,
        data = EXCLUDED.data,
        is_restricted = EXCLUDED.is_restricted,
        submission_id = EXCLUDED.submission_id,
        extract_date = EXCLUDED.extract_date,
        updated_at = CASE
            WHEN (outcomes_evidence.source_id, outcomes_evidence.person_id,
                  outcomes_evidence.date, outcomes_evidence.end_date,
                  outcomes_evidence.data, outcomes_evidence.is_restricted)
                 IS DISTINCT FROM
                 (EXCLUDED.source_id, EXCLUDED.person_id, EXCLUDED.date,
                  EXCLUDED.end_date, EXCLUDED.data, EXCLUDED.is_restricted)
            THEN %(now)s ELSE outcomes_evidence.updated_at END
    RETURNING (xmax = 0) AS inserted, person_id
)
SELECT
    count(*) FILTER (WHERE inserted),
    count(*) FILTER (WHERE NOT inserted),
    ARRAY(
        SELECT DISTINCT m.family_id FROM families_householdmembership m
        WHERE m.person_id IN (SELECT person_id FROM upserted WHERE person_id IS NOT NULL)
          AND (m.end_date IS NULL OR m.end_date >= %(extract_date)s)
    )
FROM upserted
"""


def _evidence_upsert(submission: FeedSubmission, rows: list[GoodRow]) -> tuple[int, int, set[int]]:
    """Write the rows as evidence; (new rows, updated rows, families of their people)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    for row in rows:
        writer.writerow(
            (
                row.identity.person_id,
                row.record_id,
                row.date.isoformat(),
                row.end_date.isoformat() if row.end_date else None,
                dumps(row.data),
            )
        )
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS feed_evidence_in")
        cursor.execute(
            "CREATE TEMP TABLE feed_evidence_in (person_key text NOT NULL, "
            "record_id text NOT NULL, date date NOT NULL, end_date date, data jsonb NOT NULL) "
            "ON COMMIT DROP"
        )
        raw = cursor.cursor  # psycopg2's own cursor, for COPY
        raw.copy_expert("COPY feed_evidence_in FROM STDIN WITH (FORMAT csv)", buffer)
        cursor.execute(
            _UPSERT_SQL,
            {
                "agency": submission.agency_id,
                "kind": submission.kind,
                "restricted": submission.kind in RESTRICTED_FEED_KINDS,
                "submission": submission.pk,
                "extract_date": submission.extract_date,
                "now": timezone.now(),
            },
        )
        new, updated, family_ids = cursor.fetchone()
        cursor.execute("DROP TABLE feed_evidence_in")
    if new + updated != len(rows):
        # Matching returns a source for every identity given; a row without one would
        # be lost silently, so stop and roll everything back instead.
        raise RuntimeError(f"{len(rows) - new - updated} rows had no source person after matching")
    return int(new), int(updated), set(family_ids or ())


# --------------------------------------------------------------------------
# The background job
# --------------------------------------------------------------------------


class _SideChannelProgress:
    """Progress written through a connection of its own.

    The import's main work runs in one long transaction, so progress written on the
    same connection would show only when it was over. Writes are throttled to one a
    second, and the connection closes with the job.
    """

    def __init__(self, job: Job) -> None:
        self.job_id = str(job.pk)
        self.last = 0.0
        self.side: Any = None

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self.last < 1.0:
            return
        self.last = now
        if self.side is None:
            self.side = connections.create_connection(DEFAULT_DB_ALIAS)
            self.side.set_autocommit(True)
        job_progress_update(self.job_id, done=done, total=total, connection=self.side)

    def close(self) -> None:
        if self.side is not None:
            self.side.close()
            self.side = None


def feed_import_job(job: Job, progress: Progress) -> JobOutcome:
    """The FEED_IMPORT job runner: import the submission the job was started for."""
    submission = FeedSubmission.objects.select_related("agency", "submitted_by").get(job=job)
    side = _SideChannelProgress(job)
    try:
        # A backstop under the reading limits: a file that still needs more memory
        # than this is rejected (outcomes.feeds.memory; FEED_IMPORT_MEMORY_MB).
        with memory_budget(settings.FEED_IMPORT_MEMORY_MB * 1024 * 1024):
            feed_submission_import(submission=submission, progress=side)
    finally:
        side.close()
    return JobOutcome(
        counts={
            "rows read": submission.rows_read,
            "new records": submission.rows_accepted,
            "records updated": submission.rows_updated,
            "rows with errors": submission.rows_rejected,
            "people matched": submission.people_matched,
            "people sent for review": submission.people_review,
            "people created": submission.people_created,
            "families touched": submission.families_touched,
        }
    )
