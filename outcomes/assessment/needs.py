"""Identified problems become needs on the family's plan (``plans.plan.identified``).

A plan started for a family takes the criteria its current assessment met as its first
needs; when a later assessment of a family that has a plan finds a new problem, it is
added as a need too ("and any found during the work", DOMAIN.md 4.2). Needs are never
closed from here: that is the key worker's decision.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from agencies.models import User
from families.models import Family
from outcomes.frameworks.registry import criterion_label
from outcomes.models import Assessment
from plans.models import Plan
from plans.plan.identified import IdentifiedNeeds
from plans.plan.services import needs_identified_sync


def needs_from_criteria(
    framework: str, criteria: Mapping[str, Mapping[str, Any]]
) -> list[tuple[str, str, list[int]]]:
    """The met criteria as (code, label, people) in the framework's order."""
    return [
        (code, criterion_label(framework, code), [int(p) for p in result.get("people", [])])
        for code, result in criteria.items()
        if result.get("met")
    ]


def identified_needs(family: Family) -> IdentifiedNeeds | None:
    """The provider registered with plans: the family's current assessment's met
    criteria (the most recently assessed framework when there are several)."""
    assessment = (
        Assessment.objects.filter(family=family, is_current=True).order_by("-assessed_at").first()
    )
    if assessment is None:
        return None
    return IdentifiedNeeds(
        assessment.framework, needs_from_criteria(assessment.framework, assessment.criteria)
    )


def plan_needs_sync(family_ids: Iterable[int], *, actor: User) -> int:
    """Add newly identified problems as needs on the plans of these families (those
    that have a plan), in ``actor``'s name (the assessment run's); returns how many
    needs were opened."""
    opened = 0
    with_plans = Plan.objects.filter(family_id__in=list(family_ids)).values_list(
        "family_id", flat=True
    )
    for family in Family.objects.filter(pk__in=with_plans).order_by("pk"):
        identified = identified_needs(family)
        if identified is not None and identified.needs:
            opened += len(
                needs_identified_sync(
                    actor=actor,
                    family=family,
                    framework=identified.framework,
                    needs=identified.needs,
                )
            )
    return opened
