"""What this area registers when Django starts: the quarterly return's job runner."""

from __future__ import annotations

from oneplan.jobs import register_job_runner
from outcomes.reporting.access import can_make_quarterly_return
from outcomes.reporting.quarterly import QUARTERLY_RETURN_JOB, quarterly_return_job


def ready() -> None:
    register_job_runner(
        QUARTERLY_RETURN_JOB,
        quarterly_return_job,
        label="Quarterly progress return",
        may_download=can_make_quarterly_return,
    )
