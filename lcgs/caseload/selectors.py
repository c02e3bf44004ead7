"""Reads for the caseload list (docs/caseload.md): the families of ``user``'s caseload
(``caseload_scope``: a coordinator's LCGs, or every family for a programme manager) that
the list's filters find, in its order.

The list counts and pages the families without any of the row's details, then reads
those details (names, problems, readiness, overdue actions) for the page's rows only, so
neither the count nor the details read the whole caseload for one page.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.aggregates import ArrayAgg
from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from agencies.models import LCG, AnyUser, Staff
from families.models import Family, FamilyStatusChange, Track
from families.selectors import family_list_for_user
from families.states import OPEN_STATES, FamilyStatus
from lcgs.caseload.access import caseload_scope, restricted_problems_scope
from lcgs.caseload.conditions import (
    CLOSED,
    NONE,
    OPEN,
    UNASSIGNED,
    Clock,
    age_q,
    band_q,
    concern_q,
    lead_q,
    overdue_actions,
    stage_q,
    stage_since,
    with_screening,
)
from lcgs.caseload.rules import (
    AGE_BANDS_BY_KEY,
    CONCERN_LABELS,
    LED_STATUSES,
    STAGES,
    STAGES_BY_KEY,
    WAIT_BANDS_BY_KEY,
    Concern,
    Stage,
    days_between,
)
from lcgs.screening.selectors import screening_lcgs_for_user
from outcomes.frameworks.registry import CRITERIA
from outcomes.models import Readiness, Result
from plans.headlines import HEADLINES
from plans.models import Need
from plans.restricted import is_restricted_need

S = FamilyStatus

# ---------------------------------------------------------------------------
# What the list is asked for
# ---------------------------------------------------------------------------

# Sort keys of the list: what each orders by, before the reference that breaks ties.
SORTS: dict[str, tuple[str, str]] = {
    "reference": ("reference", "Family reference"),
    "status": ("status_order", "Status"),
    "status_since": ("status_changed_at", "Time at status (longest first)"),
    "lcg": ("lcg__name", "LCG"),
    "lead_agency": ("lead_agency__name", "Lead agency"),
    "key_worker": ("lead_professional__user__last_name", "Key worker"),
}
DEFAULT_SORT = "reference"


@dataclass(frozen=True)
class CaseloadQuery:
    """The caseload list's filters and sort, as its query string spells them.

    ``lcg``, ``lead_agency`` and ``key_worker`` are an id, ``"none"`` (or, for the LCG,
    ``"unassigned"``: outside every LCG), or empty for any. ``status`` is a status,
    ``"open"``, ``"ended"`` (closed or left the journey) or empty. ``sort`` is a key of
    ``SORTS``, ``-`` in front to reverse it.
    """

    lcg: str = ""
    status: str = ""
    track: str = ""
    lead_agency: str = ""
    key_worker: str = ""
    problem: str = ""
    readiness: str = ""
    age: str = ""
    stage: str = ""
    waited: str = ""
    concern: str = ""
    overdue_agency: str = ""
    sort: str = DEFAULT_SORT

    def params(self) -> dict[str, str]:
        """The filters that are set, as query string parameters (the sort only when it
        is not the default)."""
        values = {name: str(getattr(self, name)) for name in FILTER_NAMES}
        if self.sort != DEFAULT_SORT:
            values["sort"] = self.sort
        return {name: value for name, value in values.items() if value}

    @property
    def filtered(self) -> bool:
        return any(getattr(self, name) for name in FILTER_NAMES)

    @property
    def restricted_problem(self) -> bool:
        return bool(self.problem) and is_restricted_need(self.problem)


FILTER_NAMES: tuple[str, ...] = (
    "lcg",
    "status",
    "track",
    "lead_agency",
    "key_worker",
    "problem",
    "readiness",
    "age",
    "stage",
    "waited",
    "concern",
    "overdue_agency",
)


def problem_choices(*, restricted: bool) -> list[tuple[str, str]]:
    """Every need code a plan or framework uses, labelled, the Supporting Families
    headlines first; restricted ones only for ``restricted``."""
    labels: dict[str, str] = dict(HEADLINES)
    for criteria in CRITERIA.values():
        for code, label in criteria:
            labels.setdefault(code, label)
    return [
        (code, label)
        for code, label in labels.items()
        if restricted or not is_restricted_need(code)
    ]


def problem_label(code: str) -> str:
    return dict(problem_choices(restricted=True)).get(code, code.replace("_", " ").capitalize())


# ---------------------------------------------------------------------------
# The list
# ---------------------------------------------------------------------------


def _status_order() -> Case:
    return Case(
        *(When(status=status, then=Value(index)) for index, status in enumerate(FamilyStatus)),
        output_field=IntegerField(),
    )


def caseload_families(user: AnyUser, query: CaseloadQuery, *, clock: Clock) -> QuerySet[Family]:
    """The caseload's families that ``query`` asks for, in its order: no more columns
    than its filters need, so counting and paging it reads no row's details."""
    families = Family.objects.filter(caseload_scope(user))
    if query.lcg == UNASSIGNED:
        families = families.filter(lcg__isnull=True)
    elif query.lcg:
        families = families.filter(lcg_id=int(query.lcg))
    if query.status == "open":
        families = families.filter(status__in=OPEN)
    elif query.status == "ended":
        families = families.filter(status__in=CLOSED)
    elif query.status:
        families = families.filter(status=query.status)
    if query.track == NONE:
        families = families.filter(track="")
    elif query.track:
        families = families.filter(track=query.track)
    if query.lead_agency:
        families = families.filter(lead_q("lead_agency", query.lead_agency))
    if query.key_worker:
        families = families.filter(lead_q("lead_professional", query.key_worker))
    if query.problem:
        open_need = Need.objects.filter(
            family=OuterRef("pk"), code=query.problem, closed_on__isnull=True
        )
        families = families.filter(Exists(open_need))
        if query.restricted_problem:
            # Only families whose restricted needs the user may see named.
            families = families.filter(restricted_problems_scope(user))
    if query.readiness:
        current = Result.objects.filter(family=OuterRef("pk"), is_current=True)
        if query.readiness == NONE:
            families = families.filter(~Exists(current))
        else:
            families = families.filter(Exists(current.filter(readiness=query.readiness)))
    if query.age:
        families = families.filter(age_q(AGE_BANDS_BY_KEY[query.age], clock))
    needs_screening = query.stage == "identified" or query.concern in {
        Concern.WAITING_SCREENING,
        Concern.ELIGIBLE_WAITING,
        Concern.NOMINATED_WAITING,
    }
    if needs_screening:
        families = with_screening(families, clock.today)
    if query.stage or query.concern == Concern.PLAN_NOT_AGREED:
        families = families.annotate(stage_since=stage_since())
    if query.stage:
        families = families.filter(stage_q(STAGES_BY_KEY[query.stage]))
        if query.waited:
            families = families.filter(
                band_q(WAIT_BANDS_BY_KEY[query.waited], clock, "stage_since")
            )
    if query.concern:
        families = families.filter(concern_q(Concern(query.concern), clock))
    if query.overdue_agency:
        overdue = overdue_actions(clock.today).filter(agency_id=int(query.overdue_agency))
        families = families.filter(status__in=OPEN, pk__in=overdue.values("plan__family_id"))
    return _sorted(families, query.sort)


def _sorted(families: QuerySet[Family], sort: str) -> QuerySet[Family]:
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    column, _ = SORTS.get(key, SORTS[DEFAULT_SORT])
    if column == "status_order":
        families = families.annotate(status_order=_status_order())
    if column == "reference":
        return families.order_by("-reference" if descending else "reference")
    first = F(column).desc(nulls_last=True) if descending else F(column).asc(nulls_last=True)
    if key == "key_worker":
        second = F("lead_professional__user__first_name")
        return families.order_by(first, second.asc(nulls_last=True), "reference")
    return families.order_by(first, "reference")


@dataclass(frozen=True)
class CaseloadRow:
    """One family of the list, with what its row shows."""

    family: Family
    main_carer: str
    # Open needs as (code, label); restricted ones only for those who may see them.
    problems: tuple[tuple[str, str], ...]
    hidden_problems: int  # restricted needs left out for this viewer
    readiness: str
    stage: Stage | None
    stage_days: int | None
    case_started: datetime.datetime
    case_days: int
    overdue_actions: int
    flags: tuple[str, ...]

    @property
    def problem_labels(self) -> list[str]:
        return [label for _, label in self.problems]

    @property
    def readiness_label(self) -> str:
        return Readiness(self.readiness).label if self.readiness else "Not evaluated"

    @property
    def track_label(self) -> str:
        return Track(self.family.track).label if self.family.track else "Not allocated"


def caseload_rows(user: AnyUser, ids: Sequence[int], *, clock: Clock) -> list[CaseloadRow]:
    """The rows of the families ``ids`` (a page of ``caseload_families``), in that order,
    in one query: every detail is a join or a scalar subquery over those families only."""
    if not ids:
        return []
    problems = (
        Need.objects.filter(family=OuterRef("pk"), closed_on__isnull=True)
        .order_by()
        .values("family")
        .annotate(codes=ArrayAgg("code", order_by="code"))
        .values("codes")
    )
    overdue = (
        overdue_actions(clock.today)
        .filter(plan__family_id=OuterRef("pk"))
        .order_by()
        .values("plan__family_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    readiness = Result.objects.filter(family=OuterRef("pk"), is_current=True).values("readiness")[
        :1
    ]
    journey_start = (
        FamilyStatusChange.objects.filter(family=OuterRef("pk"), to_status=S.IDENTIFIED)
        .order_by("-created_at", "-pk")
        .values("created_at")[:1]
    )
    sees_restricted = Family.objects.filter(restricted_problems_scope(user), pk=OuterRef("pk"))
    families = with_screening(
        # The list selector of the access layer names the main carer the same way the
        # families list does; ids are already within the caseload.
        family_list_for_user(user).filter(caseload_scope(user), pk__in=list(ids)),
        clock.today,
    ).annotate(
        stage_since=stage_since(),
        problem_codes=Subquery(problems),
        overdue_actions=Coalesce(Subquery(overdue, output_field=IntegerField()), 0),
        current_readiness=Subquery(readiness),
        journey_start=Coalesce(Subquery(journey_start), F("created_at")),
        sees_restricted=Exists(sees_restricted),
    )
    by_id = {family.pk: family for family in families.select_related("plan")}
    return [_row(by_id[pk], clock) for pk in ids if pk in by_id]


def _stage_of(family: Family) -> Stage | None:
    for stage in STAGES:
        if family.status in stage.statuses:
            if stage.key == "identified" and not (
                getattr(family, "has_data", False) or getattr(family, "has_nomination", False)
            ):
                return None
            return stage
    return None


def _row(family: Family, clock: Clock) -> CaseloadRow:
    codes: list[str] = list(getattr(family, "problem_codes", None) or [])
    sees_restricted = bool(getattr(family, "sees_restricted", False))
    shown = [c for c in codes if sees_restricted or not is_restricted_need(c)]
    stage = _stage_of(family)
    since = getattr(family, "stage_since", None)
    plan = getattr(family, "plan", None) if hasattr(family, "plan") else None
    flags: list[str] = []
    if stage is not None and stage.key == "identified":
        flags.append(CONCERN_LABELS[Concern.WAITING_SCREENING])
    if family.status in LED_STATUSES and family.lead_professional_id is None:
        flags.append("No lead professional")
    late = since is not None and since <= clock.agreement_late
    if stage is not None and stage.key == "allocated" and late:
        flags.append("Plan not agreed within 4 weeks of allocation")
    if family.status in OPEN_STATES and plan is not None:
        if plan.next_review_on is not None and plan.next_review_on < clock.today:
            flags.append("Review overdue")
        if plan.updated_at < clock.drift_from:
            flags.append("No progress for 6 weeks or more")
    started: datetime.datetime = getattr(family, "journey_start", None) or family.created_at
    overdue = int(getattr(family, "overdue_actions", 0) or 0)
    if overdue and family.status in OPEN_STATES:
        flags.append(f"{overdue} overdue action{'s' if overdue != 1 else ''}")
    return CaseloadRow(
        family=family,
        main_carer=str(getattr(family, "main_carer", "") or ""),
        problems=tuple((c, problem_label(c)) for c in shown),
        hidden_problems=len(codes) - len(shown),
        readiness=str(getattr(family, "current_readiness", "") or ""),
        stage=stage,
        stage_days=days_between(since, clock.now) if stage is not None and since else None,
        case_started=started,
        case_days=days_between(started, clock.now),
        overdue_actions=overdue if family.status in OPEN_STATES else 0,
        flags=tuple(flags),
    )


@dataclass(frozen=True)
class CaseloadPage:
    page: Page[int]
    rows: list[CaseloadRow]

    @property
    def count(self) -> int:
        return int(self.page.paginator.count)


def caseload_page(
    user: AnyUser,
    query: CaseloadQuery,
    *,
    clock: Clock,
    page_number: Any,
    per_page: int,
) -> CaseloadPage:
    """One page of the list: a count and a page of ids over the filtered families (no
    details), then the details of that page's families. Three queries."""
    ids = caseload_families(user, query, clock=clock).values_list("pk", flat=True)
    page = Paginator(ids, per_page).get_page(page_number)
    page_ids = list(page.object_list)
    return CaseloadPage(page=page, rows=caseload_rows(user, page_ids, clock=clock))


def key_worker_choices(user: AnyUser) -> list[Staff]:
    """Lead professionals of open families in ``user``'s caseload, by name."""
    led = Family.objects.filter(caseload_scope(user), status__in=OPEN).values(
        "lead_professional_id"
    )
    return list(
        Staff.objects.filter(pk__in=led)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "pk")
    )


def caseload_lcgs(user: AnyUser) -> list[LCG]:
    """The LCGs of ``user``'s caseload, by name: those whose families they screen."""
    return screening_lcgs_for_user(user)
