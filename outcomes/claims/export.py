"""Exporting a claim batch (docs/results.md, "Exporting a claim batch"): one row per claim,
as CSV or XLSX, made by a background job with a progress bar and downloaded from the
job's page by whoever started it.

- Who may export, and who gets the lead adult's name and date of birth, is decided in
  ``outcomes.claims.access`` (``can_export_claims``, ``can_see_claim_identifiers``): the
  page, the API and the job ask the same functions, and the job asks again when it runs.
- Starting an export records an access event (``export``) for the batch; the job records
  one more naming every family in the file, so each family's access log shows the export.
- A spreadsheet runs a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
  carriage return as a formula ("CSV injection"): every text cell goes through
  ``spreadsheet_text``, in both formats, and XLSX text is written as text, never parsed.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Final

from django.conf import settings
from django.db import transaction
from django.db.models import Case, IntegerField, OuterRef, Subquery, Value, When
from django.http import HttpRequest

from agencies.models import User
from audit.services import access_event_record, access_events_record_many
from families.models import HouseholdMembership, MemberRole
from oneplan.dates import file_stamp
from oneplan.errors import ApplicationError
from oneplan.jobs import JobOutcome, Progress, job_start
from oneplan.models import Job
from oneplan.spreadsheets import Cell, Column, table_csv, table_xlsx
from outcomes.claims.access import can_export_claims, can_see_claim_identifiers
from outcomes.models import AuditDecision, Claim, ClaimBatch, ClaimStatus

CLAIM_BATCH_EXPORT_JOB: Final = "claim_batch_export"
FORMATS: Final = ("csv", "xlsx")
# What the page and the API say to a role that may not export (outcomes.claims.access).
DENIED: Final = "Your role does not let you export claims"
# The route's access rule, in words (oneplan.access_rules).
EXPORT_RULE: Final = (
    "whoever sees claims (programme managers, internal auditors, senior officers); "
    "starts a background export job"
)
# Claims read from the database at a time (a batch can hold 10,000 or more).
CHUNK: Final = 1000
# Hampshire County Council's ONS code, the council of the demo, until settings name the
# council's own (``ONEPLAN_COUNCIL_CODE``).
DEFAULT_COUNCIL_CODE: Final = "E10000014"
# Longest part of a client's idempotency key that is kept (the job's key has room for 200).
KEY_MAX: Final = 120

# A spreadsheet runs a cell starting with one of these as a formula.

AUDIT_RESULTS: Final = {
    AuditDecision.PASS.value: "passed",
    AuditDecision.QUERY.value: "queried",
    AuditDecision.FAIL.value: "failed",
}
NOT_SAMPLED: Final = "not sampled"
AWAITING_AUDIT: Final = "awaiting audit"
CLAIM_STATUSES: Final = {
    ClaimStatus.PROPOSED.value: "proposed",
    ClaimStatus.REMOVED.value: "removed",
    ClaimStatus.CLAWED_BACK.value: "clawed back",
}


COLUMNS: Final = (
    Column("Council code"),
    Column("Family reference"),
    Column("Framework"),
    Column("Route"),
    Column("Attachment date", "date"),
    Column("Claim date", "date"),
    Column("Amount", "amount"),
    Column("Audit result"),
    Column("Claim status"),
    Column("Status reason"),
)
# Only for those who may see them (``can_see_claim_identifiers``).
IDENTIFIER_COLUMNS: Final = (
    Column("Lead adult name"),
    Column("Lead adult date of birth", "date"),
)


def export_columns(*, identifiers: bool) -> tuple[Column, ...]:
    return COLUMNS + IDENTIFIER_COLUMNS if identifiers else COLUMNS


def council_code() -> str:
    return str(getattr(settings, "ONEPLAN_COUNCIL_CODE", DEFAULT_COUNCIL_CODE))


# --------------------------------------------------------------------------
# Starting an export
# --------------------------------------------------------------------------


def _key(actor: User, batch: ClaimBatch, file_format: str, idempotency_key: str) -> str:
    # Scoped to the person, batch and format: someone else's key never returns their job.
    if not idempotency_key:
        return ""
    return f"{actor.pk}:{batch.pk}:{file_format}:{idempotency_key[:KEY_MAX]}"


@transaction.atomic
def claim_batch_export_start(
    *,
    actor: User,
    batch: ClaimBatch,
    file_format: str,
    idempotency_key: str = "",
    request: HttpRequest | None = None,
) -> Job:
    """Start the background job that exports ``batch`` as ``file_format`` (csv or xlsx)
    and record the export in the access log. The same ``idempotency_key`` again (a
    double-clicked button) returns the job already started."""
    if not can_export_claims(actor):
        raise ApplicationError(DENIED)
    if file_format not in FORMATS:
        raise ApplicationError("Choose CSV or XLSX", field="format")
    identifiers = can_see_claim_identifiers(actor)
    job = job_start(
        actor=actor,
        kind=CLAIM_BATCH_EXPORT_JOB,
        parameters={"batch": batch.pk, "format": file_format, "identifiers": identifiers},
        idempotency_key=_key(actor, batch, file_format, idempotency_key),
    )
    access_event_record(
        user=actor,
        action="export",
        object_type="claim_batch",
        object_id=batch.pk,
        request=request,
        detail={"format": file_format, "job": str(job.pk), "identifiers": identifiers},
    )
    return job


# --------------------------------------------------------------------------
# The rows
# --------------------------------------------------------------------------


def _lead_adult(field: str) -> Subquery:
    """The family's lead adult now: its first current parent or carer (the person the
    family list names it by), else its first other adult, else its first member."""
    members = (
        HouseholdMembership.objects.filter(family_id=OuterRef("family_id"), end_date__isnull=True)
        .annotate(
            rank=Case(
                When(role=MemberRole.PARENT_CARER, then=Value(0)),
                When(role=MemberRole.OTHER_ADULT, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .order_by("rank", "start_date", "person__date_of_birth", "pk")
        .values(f"person__{field}")[:1]
    )
    return Subquery(members)


def _audit_result(sampled: int | None, decision: str | None) -> str:
    if sampled is None:
        return NOT_SAMPLED
    return AUDIT_RESULTS.get(decision or "", AWAITING_AUDIT)


def claim_export_rows(
    batch: ClaimBatch, *, identifiers: bool, progress: Progress | None = None
) -> Iterator[list[Cell]]:
    """Every claim of ``batch`` as a row of ``export_columns(identifiers=...)``, by
    family reference, read :data:`CHUNK` claims at a time from one query (so the file
    is the batch as it was at one moment), reporting progress after each chunk."""
    claims = Claim.objects.filter(batch=batch)
    total = claims.count()
    fields = [
        "family__reference",
        "framework",
        "route",
        "family__attachment__attached_on",
        "claim_date",
        "amount",
        "audit__pk",
        "audit__decision",
        "status",
        "status_reason",
    ]
    if identifiers:
        claims = claims.annotate(
            lead_given=_lead_adult("given_name"),
            lead_family=_lead_adult("family_name"),
            lead_born=_lead_adult("date_of_birth"),
        )
        fields += ["lead_given", "lead_family", "lead_born"]
    council = council_code()
    if progress is not None:
        progress(0, total)
    ordered = claims.order_by("family__reference", "pk").values_list(*fields)
    for done, values in enumerate(ordered.iterator(chunk_size=CHUNK), start=1):
        row: list[Cell] = [
            council,
            values[0],
            values[1],
            values[2],
            values[3],
            values[4],
            values[5],
            _audit_result(values[6], values[7]),
            CLAIM_STATUSES.get(values[8], values[8]),
            values[9],
        ]
        if identifiers:
            given, family, born = values[10:13]
            row += [" ".join(part for part in (given, family) if part), born]
        yield row
        if progress is not None and (done % CHUNK == 0 or done == total):
            progress(done, total)


# --------------------------------------------------------------------------
# The files
# --------------------------------------------------------------------------


def claims_csv(columns: Sequence[Column], rows: Iterator[list[Cell]]) -> tuple[bytes, int]:
    """The rows as CSV, written as every export is (``oneplan.spreadsheets.table_csv``)."""
    return table_csv(columns, rows)


def claims_xlsx(columns: Sequence[Column], rows: Iterator[list[Cell]]) -> tuple[bytes, int]:
    """The rows as an XLSX workbook, written as every export is
    (``oneplan.spreadsheets.table_xlsx``), on a sheet called "Claims"."""
    return table_xlsx(columns, rows, sheet_name="Claims")


# --------------------------------------------------------------------------
# The job
# --------------------------------------------------------------------------


def claim_batch_export_job(job: Job, progress: Progress) -> JobOutcome:
    """The CLAIM_BATCH_EXPORT_JOB runner: the file of one batch's claims for whoever
    started it. Access is asked again now: a role taken away since the click stops the
    export, and identifiers go in only if they were allowed then and still are."""
    user = job.started_by
    if not can_export_claims(user):
        raise ApplicationError(DENIED)
    file_format = str(job.parameters["format"])
    if file_format not in FORMATS:
        raise ApplicationError(f"There is no export format {file_format!r}")
    identifiers = bool(job.parameters.get("identifiers")) and can_see_claim_identifiers(user)
    batch = ClaimBatch.objects.get(pk=job.parameters["batch"])
    columns = export_columns(identifiers=identifiers)
    rows = claim_export_rows(batch, identifiers=identifiers, progress=progress)
    write = claims_csv if file_format == "csv" else claims_xlsx
    content, count = write(columns, rows)
    families = Claim.objects.filter(batch=batch).order_by("family_id")
    access_events_record_many(
        user=user,
        family_ids=families.values_list("family_id", flat=True),
        object_type="claim_batch_export",
        detail={"batch": batch.pk, "job": str(job.pk), "identifiers": identifiers},
    )
    stamp = file_stamp()
    return JobOutcome(
        counts={"claims": count},
        file_name=f"claim-batch-{batch.pk}-{stamp}.{file_format}",
        file_content=content,
    )
