"""Test helpers: assessments and nominations in the database as the services and the
background assessment would leave them."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.utils import timezone

from agencies.models import Staff
from families.models import Family
from outcomes.assessment.selectors import framework_for_family
from outcomes.frameworks.registry import CRITERIA
from outcomes.models import Assessment, FrameworkVersion, Nomination


def assessment_add(
    family: Family,
    *,
    met: Sequence[str],
    eligible: bool = True,
    framework: str | None = None,
    assessed_at: datetime.datetime | None = None,
) -> Assessment:
    """A current assessment of ``family`` with these criteria met (the previous current
    one, if any, stops being current, as a re-assessment does)."""
    code = framework or framework_for_family(family)
    version = FrameworkVersion.objects.filter(framework=code).order_by("-version").first()
    assert version is not None, f"No parameters saved for {code}"
    when = assessed_at or timezone.now()
    Assessment.objects.filter(family=family, framework=code, is_current=True).update(
        is_current=False
    )
    return Assessment.objects.create(
        family=family,
        framework_version=version,
        framework=code,
        as_of=timezone.localdate(when),
        eligible=eligible,
        criteria={
            c: {"met": c in met, "reasons": [f"{c} found"], "evidence": [], "people": []}
            for c, _ in CRITERIA[code]
        },
        met_count=len(set(met)),
        fingerprint=f"{family.pk}-{when.isoformat()}",
        is_current=True,
        assessed_at=when,
    )


def nomination_add(
    family: Family,
    by: Staff,
    *,
    criteria: Sequence[str] = ("crime",),
    reason: str = "Police call-outs every week",
    created_at: datetime.datetime | None = None,
) -> Nomination:
    return Nomination.objects.create(
        family=family,
        framework=framework_for_family(family),
        criteria=list(criteria),
        reason=reason,
        nominated_by=by.user,
        agency=by.agency,
        created_at=created_at or timezone.now(),
    )
