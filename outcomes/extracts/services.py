"""Making an evaluation extract (docs/evaluation-extract.md): a programme manager chooses
the partner and the fields; a background job writes the pseudonymised CSV; every
extract is logged (``ExtractLog``) and every download is an access event.

The key: ``ONEPLAN_EXTRACT_KEY`` (the Django setting, read from the environment variable
of that name). Without one, a key derived from ``SECRET_KEY`` is used, and its key id
says so ("sk-..."), so that changing ``SECRET_KEY`` visibly starts new pseudonyms.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
from collections.abc import Sequence
from typing import Final

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from agencies.models import User
from audit.models import AccessAction
from audit.services import access_event_record
from oneplan.dates import file_stamp
from oneplan.errors import ApplicationError
from oneplan.jobs import JobOutcome, Progress, job_start
from oneplan.models import Job
from oneplan.spreadsheets import Column, table_csv
from outcomes.extracts.access import MAKE_DENIED, can_make_extracts
from outcomes.extracts.models import ExtractLog
from outcomes.extracts.rules import (
    FIELD_CODES,
    FIELD_LABELS,
    key_id,
    partner_code_of,
    partner_key,
)
from outcomes.extracts.selectors import extract_rows

EVALUATION_EXTRACT_JOB: Final = "evaluation_extract"
PARTNER_MAX = 100


def extract_master_key() -> tuple[bytes, str]:
    """The council's extract key and a prefix for key ids ("" for a key of its own,
    "sk-" for one derived from SECRET_KEY)."""
    configured: str = settings.ONEPLAN_EXTRACT_KEY
    if configured:
        return configured.encode(), ""
    derived = hmac.new(
        settings.SECRET_KEY.encode(), b"oneplan-evaluation-extract", hashlib.sha256
    ).digest()
    return derived, "sk-"


def _partner_keys(partner_code: str) -> tuple[bytes, str]:
    master, prefix = extract_master_key()
    return partner_key(master, partner_code), prefix + key_id(master, partner_code)


@transaction.atomic
def evaluation_extract_start(
    *,
    actor: User,
    partner: str,
    fields: Sequence[str],
    reference_date: datetime.date,
    request: HttpRequest | None = None,
) -> ExtractLog:
    """Log an extract for ``partner`` with ``fields`` (of ``rules.FIELDS``) and start
    the job that writes it. Ages are banded on ``reference_date``, which may not be
    in the future."""
    if not can_make_extracts(actor):
        raise PermissionDenied(MAKE_DENIED)
    partner = partner.strip()
    if not partner:
        raise ApplicationError("Enter the evaluation partner's name", field="partner")
    if len(partner) > PARTNER_MAX:
        raise ApplicationError(
            f"The evaluation partner's name must be {PARTNER_MAX} characters or fewer",
            field="partner",
        )
    code = partner_code_of(partner)
    if not code:
        raise ApplicationError(
            "Enter the evaluation partner's name using letters or numbers", field="partner"
        )
    unknown = [f for f in fields if f not in FIELD_LABELS]
    if unknown:
        raise ApplicationError(f"There is no field {unknown[0]!r} to choose", field="fields")
    chosen = [f for f in FIELD_CODES if f in set(fields)]
    if not chosen:
        raise ApplicationError("Select at least one field", field="fields")
    if reference_date > timezone.localdate():
        raise ApplicationError(
            "The reference date must be today or in the past", field="reference_date"
        )
    _key, kid = _partner_keys(code)
    job = job_start(
        actor=actor,
        kind=EVALUATION_EXTRACT_JOB,
        parameters={
            "partner": code,
            "fields": chosen,
            "reference_date": reference_date.isoformat(),
        },
    )
    log = ExtractLog.objects.create(
        created_by=actor,
        created_at=timezone.now(),
        partner=partner,
        partner_code=code,
        key_id=kid,
        fields=chosen,
        reference_date=reference_date,
        job=job,
    )
    access_event_record(
        user=actor,
        action=AccessAction.EXPORT,
        object_type="evaluation_extract",
        object_id=log.pk,
        request=request,
        detail={"job": str(job.pk), "partner": code, "fields": chosen, "key_id": kid},
    )
    return log


def evaluation_extract_job(job: Job, progress: Progress) -> JobOutcome:
    """The EVALUATION_EXTRACT_JOB runner: the file of the extract its log describes.
    Access is asked again now, and the key must still be the one logged: a key changed
    since the click would give the partner pseudonyms it could not link."""
    log = ExtractLog.objects.get(job=job)
    if not can_make_extracts(job.started_by):
        raise ApplicationError(MAKE_DENIED)
    key, kid = _partner_keys(log.partner_code)
    if kid != log.key_id:
        raise ApplicationError(
            "The extract key changed after this extract was asked for: ask for it again"
        )
    columns = [Column(FIELD_LABELS[code]) for code in log.fields]
    rows = extract_rows(
        fields=log.fields, key=key, reference_date=log.reference_date, progress=progress
    )
    content, count = table_csv(columns, rows)
    extract_log_counted(actor=job.started_by, log=log, row_count=count)
    return JobOutcome(
        counts={"rows": count},
        file_name=f"evaluation-extract-{log.partner_code}-{file_stamp()}.csv",
        file_content=content,
    )


@transaction.atomic
def extract_log_counted(*, actor: User, log: ExtractLog, row_count: int) -> ExtractLog:
    """Record how many rows the extract's file held (the one change a log row gets)."""
    if not can_make_extracts(actor):
        raise PermissionDenied(MAKE_DENIED)
    ExtractLog.objects.filter(pk=log.pk).update(row_count=row_count)
    log.row_count = row_count
    return log


def evaluation_extract_downloaded(
    *, actor: User, log: ExtractLog, request: HttpRequest | None = None
) -> None:
    """Record a download of the extract's file in the access log."""
    if not can_make_extracts(actor):
        raise PermissionDenied(MAKE_DENIED)
    access_event_record(
        user=actor,
        action=AccessAction.DOWNLOAD,
        object_type="evaluation_extract",
        object_id=log.pk,
        request=request,
        detail={
            "job": str(log.job_id),
            "partner": log.partner_code,
            "key_id": log.key_id,
            "rows": log.row_count,
        },
    )
