"""What this area registers when Django starts: the caseload export's job runner."""

from __future__ import annotations

from lcgs.caseload.access import can_see_caseload
from lcgs.caseload.export import CASELOAD_EXPORT_JOB, caseload_export_job
from oneplan.jobs import register_job_runner


def ready() -> None:
    register_job_runner(
        CASELOAD_EXPORT_JOB,
        caseload_export_job,
        label="Caseload export",
        may_download=can_see_caseload,
    )
