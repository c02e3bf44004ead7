"""Hooks this area registers when Django starts: the family page's eligibility panel and
the runner of assessment jobs (the preview of the Outcome Plan or the outcomes
framework)."""

from __future__ import annotations

from typing import Any

from agencies.models import User
from families.models import Family
from families.panels import PanelContext, register_family_panel
from oneplan.jobs import JobOutcome, Progress, register_job_runner
from oneplan.models import Job


def eligibility_panel(user: User, family: Family, permissions: frozenset[str]) -> PanelContext:
    """ "Eligibility under <framework>": each criterion, its reasons and the dates of the
    evidence behind it; an empty state before the first assessment."""
    from outcomes.assessment.selectors import assessment_view_for_user, framework_for_family
    from outcomes.models import Framework

    assessment = assessment_view_for_user(user, family, permissions)
    context: dict[str, Any] = {
        "assessment": assessment,
        "framework_label": Framework(framework_for_family(family)).label
        if assessment is None
        else assessment.framework_label,
    }
    return "outcomes/assessment/_family_panel.html", context


def assessment_job_run(job: Job, progress: Progress) -> JobOutcome:
    from datetime import date

    from outcomes.assessment.outcome_plan import PREVIEW_PURPOSE, outcome_plan_preview

    purpose = job.parameters.get("purpose")
    if purpose != PREVIEW_PURPOSE:
        raise ValueError(f"Unknown assessment job {purpose!r}")
    counts = outcome_plan_preview(
        actor=job.started_by,
        framework=job.parameters["framework"],
        parameters=job.parameters["parameters"],
        as_of=date.fromisoformat(job.parameters["as_of"]),
        progress=progress,
    )
    return JobOutcome(counts=counts.as_dict())


def ready() -> None:
    from outcomes.assessment.services import ASSESSMENT_RUN_JOB

    register_family_panel("eligibility", 20, eligibility_panel)
    register_job_runner(ASSESSMENT_RUN_JOB, assessment_job_run, label="Eligibility assessment")
