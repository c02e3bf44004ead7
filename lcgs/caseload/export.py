"""Exporting the caseload list (docs/caseload.md, "Exporting the list"): the families the
list's filters find, in its order, with its columns, as CSV or XLSX, made by a background
job with a progress bar and downloaded from the job's page by whoever started it.

- Who may export is who sees the caseload (``lcgs.caseload.access``), asked when the
  export starts and again when the job runs; the job lists only the families of the
  caseload of whoever started it, as it is when the job runs.
- Restricted information is never in the file, whoever exports it (DOMAIN.md 7): no
  addresses, and the problems column leaves out domestic abuse, health and substance
  use. A list filtered by one of those needs is not exported at all: the file would
  name every family that has it.
- Starting an export records an access event (``export``); the job records one more
  naming every family in the file, so each family's access log shows the export.
- Files are written by ``oneplan.spreadsheets`` (every cell through
  ``spreadsheet_text``), as the claim batch export's are.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Final

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from agencies.models import User
from audit.services import access_event_record, access_events_record_many
from lcgs.caseload.access import DENIED, can_see_caseload
from lcgs.caseload.conditions import Clock
from lcgs.caseload.selectors import (
    FILTER_NAMES,
    CaseloadQuery,
    CaseloadRow,
    caseload_families,
    caseload_rows,
)
from oneplan.dates import file_stamp
from oneplan.errors import ApplicationError
from oneplan.jobs import JobOutcome, Progress, job_start
from oneplan.models import Job
from oneplan.spreadsheets import Cell, Column, table_csv, table_xlsx
from plans.restricted import is_restricted_need

CASELOAD_EXPORT_JOB: Final = "lcg_caseload_export"
FORMATS: Final = ("csv", "xlsx")
RESTRICTED_FILTER: Final = (
    "Exports never hold restricted information: choose a problem that is not domestic "
    "abuse, health or substance use (or any problem) to export this list"
)
# Families read at a time (a programme manager's caseload can hold 100,000).
CHUNK: Final = 500
# Longest part of a client's idempotency key that is kept (the job's key has room for 200).
KEY_MAX: Final = 120

COLUMNS: Final = (
    Column("Family reference"),
    Column("Main carer"),
    Column("LCG"),
    Column("Status"),
    Column("Status since", "date"),
    Column("Track"),
    Column("Lead agency"),
    Column("Key worker"),
    Column("Problems"),
    Column("Results"),
    Column("Case open since", "date"),
    Column("Overdue actions", "number"),
    Column("Next review", "date"),
    Column("Needs chasing"),
)


def _key(actor: User, query: CaseloadQuery, file_format: str, idempotency_key: str) -> str:
    # Scoped to the person, the list and the format: someone else's key never returns
    # their job, and the same key on another list starts another export.
    if not idempotency_key:
        return ""
    listed = "&".join(f"{k}={v}" for k, v in sorted(query.params().items()))
    digest = hashlib.sha256(listed.encode()).hexdigest()[:16]
    return f"{actor.pk}:{file_format}:{digest}:{idempotency_key[:KEY_MAX]}"


@transaction.atomic
def caseload_export_start(
    *,
    actor: User,
    query: CaseloadQuery,
    file_format: str,
    idempotency_key: str = "",
    request: HttpRequest | None = None,
) -> Job:
    """Start the background job that exports the caseload list ``query`` finds, as
    ``file_format`` (csv or xlsx), and record the export in the access log. The same
    ``idempotency_key`` again (a double-clicked button) returns the job already started."""
    if not can_see_caseload(actor):
        raise ApplicationError(DENIED)
    if file_format not in FORMATS:
        raise ApplicationError("Choose CSV or XLSX", field="format")
    if query.restricted_problem:
        raise ApplicationError(RESTRICTED_FILTER, field="problem")
    filters = query.params()
    job = job_start(
        actor=actor,
        kind=CASELOAD_EXPORT_JOB,
        parameters={"format": file_format, "filters": filters},
        idempotency_key=_key(actor, query, file_format, idempotency_key),
    )
    access_event_record(
        user=actor,
        action="export",
        object_type="lcg_caseload",
        object_id=str(job.pk),
        request=request,
        detail={"format": file_format, "job": str(job.pk), "filters": filters},
    )
    return job


def export_row(row: CaseloadRow) -> list[Cell]:
    """One family as a row of ``COLUMNS``: what its row on the page shows, less anything
    restricted."""
    family = row.family
    plan = getattr(family, "plan", None) if hasattr(family, "plan") else None
    lead = family.lead_professional
    problems = [label for code, label in row.problems if not is_restricted_need(code)]
    return [
        family.reference,
        row.main_carer,
        family.lcg.name if family.lcg else "Unassigned",
        family.get_status_display(),
        timezone.localdate(family.status_changed_at),
        row.track_label,
        family.lead_agency.name if family.lead_agency else "",
        lead.display_name if lead is not None else "",
        "; ".join(problems),
        row.readiness_label,
        timezone.localdate(row.case_started),
        row.overdue_actions,
        plan.next_review_on if plan is not None else None,
        "; ".join(row.flags),
    ]


def caseload_export_rows(
    user: User, query: CaseloadQuery, *, clock: Clock, progress: Progress | None = None
) -> Iterator[tuple[int, list[Cell]]]:
    """Every family the list finds for ``user`` as (its id, its row), in the list's
    order, reading ``CHUNK`` families' details at a time; progress after each chunk."""
    ids = list(caseload_families(user, query, clock=clock).values_list("pk", flat=True))
    total = len(ids)
    if progress is not None:
        progress(0, total)
    for start in range(0, total, CHUNK):
        chunk = ids[start : start + CHUNK]
        for row in caseload_rows(user, chunk, clock=clock):
            yield row.family.pk, export_row(row)
        if progress is not None:
            progress(min(start + CHUNK, total), total)


def caseload_export_job(job: Job, progress: Progress) -> JobOutcome:
    """The CASELOAD_EXPORT_JOB runner: the file of the caseload list for whoever started
    it. Access is asked again now: a role taken away since the click stops the export,
    and the families are those of their caseload now."""
    user = job.started_by
    if not can_see_caseload(user):
        raise ApplicationError(DENIED)
    file_format = str(job.parameters.get("format", ""))
    if file_format not in FORMATS:
        raise ApplicationError(f"There is no export format {file_format!r}")
    filters = dict(job.parameters.get("filters") or {})
    query = CaseloadQuery(**{k: str(v) for k, v in filters.items() if k in (*FILTER_NAMES, "sort")})
    if query.restricted_problem:
        raise ApplicationError(RESTRICTED_FILTER)
    now = timezone.now()
    clock = Clock(now=now, today=timezone.localdate(now))
    family_ids: list[int] = []

    def rows() -> Iterator[list[Cell]]:
        for family_id, row in caseload_export_rows(user, query, clock=clock, progress=progress):
            family_ids.append(family_id)
            yield row

    if file_format == "csv":
        content, count = table_csv(COLUMNS, rows())
    else:
        content, count = table_xlsx(COLUMNS, rows(), sheet_name="Caseload")
    access_events_record_many(
        user=user,
        family_ids=family_ids,
        object_type="lcg_caseload_export",
        filters=filters,
        detail={"job": str(job.pk), "format": file_format},
    )
    stamp = file_stamp(now)
    return JobOutcome(
        counts={"families": count},
        file_name=f"caseload-{stamp}.{file_format}",
        file_content=content,
    )
