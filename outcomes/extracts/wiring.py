"""What this area registers when Django starts: the evaluation extract's job runner."""

from __future__ import annotations

from oneplan.jobs import register_job_runner
from outcomes.extracts.access import can_make_extracts
from outcomes.extracts.services import EVALUATION_EXTRACT_JOB, evaluation_extract_job


def ready() -> None:
    register_job_runner(
        EVALUATION_EXTRACT_JOB,
        evaluation_extract_job,
        label="Evaluation extract",
        may_download=can_make_extracts,
    )
