"""What subject access registers when Django starts: the assembly job's runner."""

from __future__ import annotations

from agencies.request_user import is_data_protection_officer
from audit.subject_access.services import ASSEMBLY_JOB, subject_access_assembly_job
from oneplan.jobs import register_job_runner


def ready() -> None:
    register_job_runner(
        ASSEMBLY_JOB,
        subject_access_assembly_job,
        label="Subject access assembly",
        may_download=is_data_protection_officer,
    )
