"""Reads for assessments: which framework applies, a family's current assessment as a
given user may see it, and the Outcome Plan's versions."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from agencies.models import AnyUser
from families.access.perms import VIEW_RESTRICTED
from families.models import Family
from outcomes.assessment.access import can_edit_outcome_plan
from outcomes.frameworks.registry import CRITERIA, DEFAULT_PERIODS, criterion_label
from outcomes.frameworks.rules import rules_for
from outcomes.frameworks.types import ParameterError
from outcomes.models import (
    Assessment,
    Evidence,
    FeedKind,
    Framework,
    FrameworkPeriod,
    FrameworkVersion,
)


def framework_for_date(day: date) -> str:
    """The framework in force on ``day`` (DOMAIN.md 4: a family is assessed under the
    framework in force when it was attached). Before the first period starts, the
    earliest framework applies, so a very old date still gets an answer."""
    periods = list(FrameworkPeriod.objects.values_list("starts_on", "framework"))
    return _period_on(periods or list(DEFAULT_PERIODS), day)


def _period_on(periods: list[tuple[date, str]], day: date) -> str:
    ordered = sorted(periods)
    in_force = [framework for starts_on, framework in ordered if starts_on <= day]
    return in_force[-1] if in_force else ordered[0][1]


def framework_for_family(family: Family, *, today: date | None = None) -> str:
    """The framework a family is assessed under: in force on the day it was attached,
    or today while it is not attached yet."""
    return framework_for_date(family.attached_on or today or timezone.localdate())


# ---------------------------------------------------------------------------
# A family's assessment, as one user may see it (family page panel and API)
# ---------------------------------------------------------------------------

RESTRICTED_MET = "Met (restricted information)"


@dataclass(frozen=True)
class EvidenceLine:
    id: int
    kind: str
    kind_label: str
    date: datetime.date
    end_date: datetime.date | None
    agency: str


@dataclass(frozen=True)
class CriterionView:
    code: str
    label: str
    met: bool
    # Met, but only on restricted information this user may not see: no detail shown.
    restricted: bool
    # Some findings were left out because they rest on restricted information.
    withheld: bool
    reasons: list[str]
    evidence: list[EvidenceLine]

    @property
    def status(self) -> str:
        if self.met and self.restricted:
            return RESTRICTED_MET
        return "Met" if self.met else "Not met"


@dataclass(frozen=True)
class AssessmentView:
    family_reference: str
    framework: str
    framework_label: str
    version: int
    as_of: date
    assessed_at: datetime.datetime
    eligible: bool
    met_count: int
    summary: str
    criteria: list[CriterionView] = field(default_factory=list)


def assessment_current_for_family(family: Family, framework: str) -> Assessment | None:
    return (
        Assessment.objects.filter(family=family, framework=framework, is_current=True)
        .select_related("framework_version")
        .first()
    )


def assessment_view_for_user(
    user: AnyUser,
    family: Family,
    permissions: frozenset[str],
    *,
    framework: str | None = None,
) -> AssessmentView | None:
    """The family's current assessment under the framework that applies to it (or
    ``framework``), with findings resting on restricted evidence withheld from users who
    may not see the family's restricted information. None when not assessed yet.

    The caller has checked that ``user`` may see ``family``; ``permissions`` are theirs
    on it. Three queries whatever the number of criteria and evidence rows.
    """
    code = framework or framework_for_family(family)
    assessment = assessment_current_for_family(family, code)
    if assessment is None:
        return None
    criteria: dict[str, Any] = assessment.criteria or {}
    ids = {int(e) for item in criteria.values() for e in item.get("evidence", [])}
    rows = {
        row.pk: row
        for row in Evidence.objects.filter(pk__in=ids)
        .select_related("agency")
        .only("id", "kind", "date", "end_date", "is_restricted", "agency__name")
    }
    sees_restricted = VIEW_RESTRICTED in permissions
    views = [
        _criterion_view(c, label, criteria.get(c, {}), rows, sees_restricted)
        for c, label in CRITERIA.get(code, [])
    ]
    return AssessmentView(
        family_reference=family.reference,
        framework=code,
        framework_label=Framework(code).label,
        version=assessment.framework_version.version,
        as_of=assessment.as_of,
        assessed_at=assessment.assessed_at,
        eligible=assessment.eligible,
        met_count=assessment.met_count,
        summary=_summary(assessment, {v.code for v in views if v.met}),
        criteria=views,
    )


def _summary(assessment: Assessment, met: set[str]) -> str:
    rules = rules_for(assessment.framework)
    try:
        parameters = rules.parse_parameters(assessment.framework_version.parameters)
    except ParameterError:
        return "Eligible" if assessment.eligible else "Not eligible"
    return rules.summarise(parameters, met, assessment.eligible)


def _criterion_view(
    code: str,
    label: str,
    stored: dict[str, Any],
    rows: dict[int, Evidence],
    sees_restricted: bool,
) -> CriterionView:
    met = bool(stored.get("met"))
    reasons = [str(r) for r in stored.get("reasons", [])]
    if not met:
        return CriterionView(code, label, False, False, False, reasons, [])
    hits = stored.get("hits")
    if hits is None:
        # Older results without per-finding evidence: all or nothing.
        hits = [{"reason": r, "evidence": stored.get("evidence", [])} for r in reasons]
    shown_reasons: list[str] = []
    shown_ids: list[int] = []
    withheld = False
    for hit in hits:
        evidence_ids = [int(e) for e in hit.get("evidence", [])]
        # A finding is restricted when any row it rests on is (or has gone missing).
        restricted = any(e not in rows or rows[e].is_restricted for e in evidence_ids)
        if restricted and not sees_restricted:
            withheld = True
            continue
        shown_reasons.append(str(hit.get("reason", "")))
        shown_ids.extend(e for e in evidence_ids if e in rows)
    evidence = [_line(rows[e]) for e in dict.fromkeys(shown_ids)]
    evidence.sort(key=lambda line: (line.date, line.id), reverse=True)
    restricted_only = withheld and not shown_reasons
    return CriterionView(code, label, True, restricted_only, withheld, shown_reasons, evidence)


def _line(row: Evidence) -> EvidenceLine:
    return EvidenceLine(
        id=row.pk,
        kind=row.kind,
        kind_label=FeedKind(row.kind).label,
        date=row.date,
        end_date=row.end_date,
        agency=row.agency.name,
    )


# ---------------------------------------------------------------------------
# The Outcome Plan (tf2 parameters) and its versions
# ---------------------------------------------------------------------------


def outcome_plan_versions_for_user(user: AnyUser) -> QuerySet[FrameworkVersion]:
    """Every saved version of the tf2 Outcome Plan, newest first; none for users who
    may not see it."""
    if not can_edit_outcome_plan(user):
        return FrameworkVersion.objects.none()
    return (
        FrameworkVersion.objects.filter(framework=Framework.TF2)
        .select_related("created_by")
        .order_by("-version")
    )


def outcome_plan_version_for_user(
    user: AnyUser, version: int | None = None
) -> FrameworkVersion | None:
    """One version of the Outcome Plan (the latest when ``version`` is None)."""
    versions = outcome_plan_versions_for_user(user)
    if version is not None:
        versions = versions.filter(version=version)
    return versions.first()


@dataclass(frozen=True)
class PlanProblem:
    code: str
    label: str
    indicators: list[str]


def outcome_plan_problems(version: FrameworkVersion) -> tuple[list[PlanProblem], int]:
    """The plan's six problems with each indicator in words, and how many problems a
    family needs."""
    parameters = rules_for(Framework.TF2).parse_parameters(version.parameters)
    problems = [
        PlanProblem(code, criterion_label(Framework.TF2, code), [i.description for i in indicators])
        for code, indicators in parameters.criteria.items()
    ]
    return problems, parameters.eligibility["min_problems"]


# ---------------------------------------------------------------------------
# Operators' tools (command line): no user, the whole system
# ---------------------------------------------------------------------------


class UnknownPerson(LookupError):
    """No agency person with that code and id, or they are not matched to a person."""


def family_for_agency_person(*, agency_code: str, source_person_id: str) -> Family | None:
    """The family whose household the agency's person is in now (FEEDS.md ``assess``).

    Raises ``UnknownPerson`` when the agency has sent no such person, or the record is
    still waiting in the match review queue; None when the person is in no household.
    """
    from outcomes.models import SourcePerson

    source = (
        SourcePerson.objects.filter(
            agency__code__iexact=agency_code, source_person_id=source_person_id
        )
        .only("person_id")
        .first()
    )
    if source is None:
        raise UnknownPerson(f"Agency {agency_code} has sent no person with id {source_person_id}")
    if source.person_id is None:
        raise UnknownPerson(
            f"{agency_code}:{source_person_id} is waiting in the match review queue and "
            "belongs to no family yet"
        )
    return (
        Family.objects.filter(
            memberships__person_id=source.person_id, memberships__end_date__isnull=True
        )
        .order_by("-memberships__start_date")
        .first()
    )
