"""Reads for assessments: which framework applies, a family's current assessment as a
given user may see it, and the versions of the local rules programme managers edit (the
tf2 Outcome Plan, the sf2022 outcomes framework)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Case, QuerySet, Value, When
from django.utils import timezone

from agencies.models import AnyUser
from families.access.perms import VIEW_RESTRICTED
from families.models import Family
from outcomes.assessment.access import can_edit_outcome_plan
from outcomes.assessment.editable import EDITABLE, EditableFramework, editable_framework
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


class FrameworkChooser:
    """Which framework applies to a family: the one in force on the day it was attached,
    or on the assessment date before it is attached (DOMAIN.md 4). Before the first
    period starts, the earliest framework applies, so a very old date still gets an
    answer. Assessment runs load it once and ask it for thousands of families; every
    other "which framework" question goes through it too, so there is one rule."""

    def __init__(self, periods: Iterable[tuple[date, str]]) -> None:
        self.periods = sorted(periods, reverse=True)
        # The days the answer can change for a family not yet attached.
        self.starts = tuple(starts_on for starts_on, _ in self.periods)

    @classmethod
    def load(cls) -> FrameworkChooser:
        periods = list(FrameworkPeriod.objects.values_list("starts_on", "framework"))
        return cls(periods or DEFAULT_PERIODS)

    def on(self, day: date) -> str:
        for starts_on, framework in self.periods:
            if starts_on <= day:
                return framework
        return self.periods[-1][1] if self.periods else Framework.TF1.value

    def for_family(self, attached_on: date | None, as_of: date) -> str:
        return self.on(attached_on or as_of)

    def on_in_sql(self, day: str) -> Case:
        """``on`` as a SQL expression over the date field ``day``, for querysets that
        filter thousands of families by their framework: the same periods, so the same
        answer, including the default periods when none are stored."""
        earliest = self.periods[-1][1] if self.periods else Framework.TF1.value
        return Case(
            *(When(**{f"{day}__gte": starts_on}, then=Value(fw)) for starts_on, fw in self.periods),
            default=Value(earliest),
        )


def framework_for_date(day: date) -> str:
    """The framework in force on ``day`` (DOMAIN.md 4: a family is assessed under the
    framework in force when it was attached)."""
    return FrameworkChooser.load().on(day)


def framework_for_family(family: Family, *, today: date | None = None) -> str:
    """The framework a family is assessed under: in force on the day it was attached,
    or today while it is not attached yet."""
    return FrameworkChooser.load().for_family(family.attached_on, today or timezone.localdate())


def framework_for_new_families(*, today: date | None = None) -> str:
    """The framework a family taken on today is assessed under, as the assessment run
    would choose it for a family not attached yet."""
    return FrameworkChooser.load().for_family(None, today or timezone.localdate())


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
    rows = evidence_rows(ids)
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
        if evidence_restricted(evidence_ids, rows) and not sees_restricted:
            withheld = True
            continue
        shown_reasons.append(str(hit.get("reason", "")))
        shown_ids.extend(e for e in evidence_ids if e in rows)
    evidence = [evidence_line(rows[e]) for e in dict.fromkeys(shown_ids)]
    evidence.sort(key=lambda line: (line.date, line.id), reverse=True)
    restricted_only = withheld and not shown_reasons
    return CriterionView(code, label, True, restricted_only, withheld, shown_reasons, evidence)


def evidence_restricted(evidence_ids: Iterable[int], rows: dict[int, Evidence]) -> bool:
    """Does a finding resting on these evidence rows rest on restricted information? It
    does when any row is restricted, or has gone missing (it cannot be checked). One rule
    for eligibility findings and results alike."""
    return any(e not in rows or rows[e].is_restricted for e in evidence_ids)


def evidence_rows(ids: Iterable[int]) -> dict[int, Evidence]:
    """The evidence rows findings rest on, with what their lines show, in one query."""
    return {
        row.pk: row
        for row in Evidence.objects.filter(pk__in=set(ids))
        .select_related("agency")
        .only("id", "kind", "date", "end_date", "is_restricted", "agency__name")
    }


def evidence_line(row: Evidence) -> EvidenceLine:
    return EvidenceLine(
        id=row.pk,
        kind=row.kind,
        kind_label=FeedKind(row.kind).label,
        date=row.date,
        end_date=row.end_date,
        agency=row.agency.name,
    )


# ---------------------------------------------------------------------------
# The local rules programme managers edit (tf2 Outcome Plan, sf2022 outcomes
# framework) and their versions
# ---------------------------------------------------------------------------


def outcome_plan_versions_for_user(user: AnyUser, framework: str) -> QuerySet[FrameworkVersion]:
    """Every saved version of ``framework``'s local rules, newest first; none for users
    who may not see them, or for a framework without local rules."""
    if not can_edit_outcome_plan(user) or editable_framework(framework) is None:
        return FrameworkVersion.objects.none()
    return (
        FrameworkVersion.objects.filter(framework=framework)
        .select_related("created_by")
        .order_by("-version")
    )


def outcome_plan_version_for_user(
    user: AnyUser, framework: str, version: int | None = None
) -> FrameworkVersion | None:
    """One version of ``framework``'s local rules (the latest when ``version`` is None)."""
    versions = outcome_plan_versions_for_user(user, framework)
    if version is not None:
        versions = versions.filter(version=version)
    return versions.first()


@dataclass(frozen=True)
class EditableSummary:
    """A framework with local rules, as the list of them shows it."""

    editor: EditableFramework
    label: str
    latest: FrameworkVersion | None
    in_force_for_new_families: bool


def outcome_plan_frameworks_for_user(
    user: AnyUser, *, today: date | None = None
) -> list[EditableSummary]:
    """Each framework whose local rules a programme manager edits, with its version in
    use and whether new families are assessed under it; the one in force first. Two
    queries; empty for users who may not see them."""
    if not can_edit_outcome_plan(user):
        return []
    in_force = framework_for_new_families(today=today)
    latest = {
        v.framework: v
        for v in FrameworkVersion.objects.filter(framework__in=list(EDITABLE))
        .select_related("created_by")
        .order_by("framework", "-version")
        .distinct("framework")
    }
    summaries = [
        EditableSummary(editor, Framework(code).label, latest.get(code), code == in_force)
        for code, editor in EDITABLE.items()
    ]
    summaries.sort(key=lambda s: not s.in_force_for_new_families)
    return summaries


@dataclass(frozen=True)
class PlanProblem:
    code: str
    label: str
    indicators: list[str]


def outcome_plan_problems(version: FrameworkVersion) -> tuple[list[PlanProblem], int]:
    """A version's criteria (tf2's six problems, sf2022's ten headlines) with each
    indicator in words, and how many of them a family needs."""
    editor = editable_framework(version.framework)
    if editor is None:
        raise ValueError(f"{version.framework} has no local rules")
    parameters = rules_for(version.framework).parse_parameters(version.parameters)
    problems = [
        PlanProblem(
            code,
            criterion_label(version.framework, code),
            [i.description for i in parameters.criteria[code]],
        )
        for code, _ in CRITERIA[version.framework]
    ]
    return problems, parameters.eligibility[editor.count_key]


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
