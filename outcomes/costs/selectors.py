"""Costs avoided (docs/costs-avoided.md): every family attached in a financial year,
its use of costly services in the 12 months before and after attachment priced with
the unit cost table (``outcomes.costs.rules``), the cohort's totals by agency, and the
families and events behind each figure.

Set-based: a cohort of any size costs the same few queries (its attachments, the unit
costs, the members, their evidence, the spend); the rules run in memory. Families are
those of the viewer's family scope; restricted evidence is never counted (see
``rules.CATEGORIES``).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db.models import Min, Q
from django.http import Http404

from agencies.models import AgencyKind, AnyUser, User
from families.access.access import family_scope
from families.models import Family, HouseholdMembership
from outcomes.costs.access import DENIED, can_see_costs
from outcomes.costs.models import ProgrammeSpend, UnitCost
from outcomes.costs.rules import (
    CATEGORY_BY_CODE,
    CATEGORY_KINDS,
    CohortTotals,
    FamilyCosts,
    Price,
    cohort_totals,
    fact_of,
    family_costs,
    spend_ratio,
    windows_for,
)
from outcomes.models import Attachment, Evidence
from outcomes.money.rules import (
    FIRST_YEAR,
    financial_year_bounds,
    financial_year_label,
    financial_year_of,
)

AGENCY_LABELS = dict(AgencyKind.choices)


def _require(user: AnyUser) -> None:
    if not can_see_costs(user):
        raise PermissionDenied(DENIED)


def agency_label(code: str) -> str:
    return str(AGENCY_LABELS.get(code, code))


def prices_in_use() -> list[Price]:
    """The unit cost table's lines in use, as the rules price with them (one query)."""
    return [
        Price(
            line.pk,
            line.name,
            line.agency,
            line.unit,  # type: ignore[arg-type]
            line.price_pence,
            tuple(line.categories),
        )
        for line in UnitCost.objects.filter(in_use=True).order_by("agency", "name", "pk")
    ]


def cohort_years(user: AnyUser, today: datetime.date) -> list[int]:
    """The financial years from the first attachment to this year, newest first."""
    _require(user)
    first = Attachment.objects.aggregate(first=Min("attached_on"))["first"]
    start = financial_year_of(first) if first else financial_year_of(today)
    return list(range(financial_year_of(today), max(start, FIRST_YEAR) - 1, -1))


def _costs_of(
    attachments: Sequence[tuple[int, datetime.date]], prices: Sequence[Price], today: datetime.date
) -> dict[int, FamilyCosts]:
    """Each family's costs: two queries (members, their evidence) for any number."""
    if not attachments:
        return {}
    windows = {family_id: windows_for(on) for family_id, on in attachments}
    earliest = min(w.before_start for w in windows.values())
    latest = max(w.after_end for w in windows.values())
    members: dict[int, list[int]] = defaultdict(list)
    # A member counts unless they had left the family before its before window began.
    # The start of a membership is when OnePlan learned of it, often long after the
    # person moved in, so it does not shorten the windows.
    memberships = HouseholdMembership.objects.filter(family_id__in=list(windows)).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=earliest)
    )
    for family_id, person_id, end in memberships.values_list("family_id", "person_id", "end_date"):
        if end is None or end >= windows[family_id].before_start:
            members[family_id].append(person_id)
    people = {p for ids in members.values() for p in ids}
    kinds = sorted(
        {CATEGORY_BY_CODE[c].kind for p in prices for c in p.categories if c in CATEGORY_BY_CODE}
    )
    facts: dict[int, list[Any]] = defaultdict(list)
    if people and kinds:
        rows = (
            Evidence.objects.filter(
                person_id__in=sorted(people),
                kind__in=[k for k in kinds if k in CATEGORY_KINDS],
                is_restricted=False,
                date__lte=latest,
            )
            .filter(Q(date__gte=earliest) | Q(end_date__isnull=True) | Q(end_date__gte=earliest))
            .order_by("date", "pk")
            .values("id", "person_id", "kind", "date", "end_date", "data")
        )
        for row in rows:
            facts[row["person_id"]].append(fact_of(row))
    return {
        family_id: family_costs(
            family_id=family_id,
            attached_on=on,
            facts=[f for person in members.get(family_id, []) for f in facts.get(person, [])],
            prices=prices,
            today=today,
        )
        for family_id, on in attachments
    }


def _cohort(user: AnyUser, year: int) -> list[tuple[int, datetime.date, str]]:
    """(family id, attached on, reference) of the families attached in financial
    ``year`` that ``user`` may see, by attachment date."""
    starts_on, ends_on = financial_year_bounds(year)
    return list(
        Attachment.objects.filter(
            attached_on__gte=starts_on,
            attached_on__lte=ends_on,
            family__in=Family.objects.filter(family_scope(user)),
        )
        .order_by("attached_on", "family_id")
        .values_list("family_id", "attached_on", "family__reference")
    )


@dataclass(frozen=True)
class AgencyRow:
    agency: str
    label: str
    before: Decimal
    after: Decimal
    saving: Decimal
    families: int


@dataclass(frozen=True)
class CostsSummary:
    year: int
    label: str
    attached: int
    counted: int
    waiting: int
    rows: tuple[AgencyRow, ...]
    before: Decimal
    after: Decimal
    saving: Decimal
    average_saving: Decimal | None
    spend: ProgrammeSpend | None
    ratio: Decimal | None
    unpriced_lines: tuple[str, ...]

    @property
    def spend_pounds(self) -> Decimal | None:
        if self.spend is None:
            return None
        return Decimal(self.spend.amount_pence) / 100


def _totals(
    user: AnyUser, year: int, today: datetime.date
) -> tuple[CohortTotals, list[Any], list[Price]]:
    cohort = _cohort(user, year)
    prices = prices_in_use()
    costs = _costs_of([(f, on) for f, on, _ in cohort], prices, today)
    agencies = sorted({p.agency for p in prices}, key=agency_label)
    return cohort_totals(costs.values(), agencies), cohort, prices


def costs_summary(user: AnyUser, *, year: int, today: datetime.date) -> CostsSummary:
    """Costs avoided for the families attached in financial ``year``: by agency and in
    total, the per-family average and the ratio to the year's programme spend. Only
    families whose 12 months after attachment have passed are counted; the others are
    counted apart. Six queries whatever the number of families."""
    _require(user)
    totals, cohort, _prices = _totals(user, year, today)
    spend = ProgrammeSpend.objects.filter(financial_year=year).first()
    rows = tuple(
        AgencyRow(code, agency_label(code), t.before, t.after, t.saving, t.families)
        for code, t in totals.agencies.items()
    )
    unpriced = tuple(
        line.name
        for line in UnitCost.objects.filter(in_use=True).order_by("name")
        if not line.categories
    )
    return CostsSummary(
        year=year,
        label=financial_year_label(year),
        attached=len(cohort),
        counted=len(totals.counted),
        waiting=len(totals.waiting),
        rows=rows,
        before=totals.before,
        after=totals.after,
        saving=totals.saving,
        average_saving=totals.average_saving,
        spend=spend,
        ratio=spend_ratio(totals.saving, spend.amount_pence if spend else None),
        unpriced_lines=unpriced,
    )


@dataclass(frozen=True)
class FamilyRow:
    family_id: int
    reference: str
    attached_on: datetime.date
    counted_until: datetime.date
    elapsed: bool
    before: Decimal
    after: Decimal

    @property
    def saving(self) -> Decimal:
        return self.before - self.after


@dataclass(frozen=True)
class CostsFamilies:
    year: int
    label: str
    agency: str
    agency_label: str
    counted: tuple[FamilyRow, ...]
    waiting: tuple[FamilyRow, ...]


def costs_family_list(
    user: AnyUser, *, year: int, agency: str = "", today: datetime.date
) -> CostsFamilies:
    """The families behind the figures of financial ``year`` (for one agency, or all):
    those counted, largest saving first, and those whose 12 months after attachment
    have not passed yet."""
    _require(user)
    if agency and agency not in AGENCY_LABELS:
        raise Http404("No such agency")
    cohort = _cohort(user, year)
    prices = prices_in_use()
    costs = _costs_of([(f, on) for f, on, _ in cohort], prices, today)
    counted: list[FamilyRow] = []
    waiting: list[FamilyRow] = []
    for family_id, on, reference in cohort:
        found = costs[family_id]
        if agency:
            before, after = found.by_agency().get(agency, (Decimal(0), Decimal(0)))
        else:
            before, after = found.before_cost, found.after_cost
        row = FamilyRow(
            family_id, reference, on, found.windows.after_end, found.elapsed, before, after
        )
        (counted if found.elapsed else waiting).append(row)
    if agency:
        counted = [r for r in counted if r.before or r.after]
        waiting = [r for r in waiting if r.before or r.after]
    counted.sort(key=lambda r: (-r.saving, r.reference))
    return CostsFamilies(
        year=year,
        label=financial_year_label(year),
        agency=agency,
        agency_label=agency_label(agency) if agency else "",
        counted=tuple(counted),
        waiting=tuple(waiting),
    )


@dataclass(frozen=True)
class EventRow:
    evidence_id: int
    window: str
    category: str
    kind_label: str
    date: datetime.date
    end_date: datetime.date | None
    agency: str
    person: str


@dataclass(frozen=True)
class FamilyBreakdown:
    family: Family
    costs: FamilyCosts
    events: dict[int, tuple[EventRow, ...]]
    agency_rows: tuple[AgencyRow, ...]


def family_cost_breakdown(
    user: AnyUser, *, reference: str, today: datetime.date
) -> FamilyBreakdown:
    """One attached family's costs avoided, line by line, with the evidence rows each
    line counted before and after attachment. 404 for a family the viewer may not see
    or that was never attached."""
    _require(user)
    family = (
        Family.objects.filter(family_scope(user), reference=reference)
        .select_related("attachment")
        .first()
    )
    attachment = getattr(family, "attachment", None) if family is not None else None
    if family is None or attachment is None:
        raise Http404("No attached family found")
    costs = _costs_of([(family.pk, attachment.attached_on)], prices_in_use(), today)[family.pk]
    ids = {i for line in costs.lines for i in (*line.before.evidence, *line.after.evidence)}
    rows = {e.pk: e for e in Evidence.objects.filter(pk__in=ids).select_related("agency", "person")}
    labels = dict(Evidence._meta.get_field("kind").choices or [])
    events: dict[int, tuple[EventRow, ...]] = {}
    for line in costs.lines:
        found = []
        for window, evidence_ids in (
            ("Before", line.before.evidence),
            ("After", line.after.evidence),
        ):
            for evidence_id in evidence_ids:
                e = rows[evidence_id]
                category = next(
                    (CATEGORY_BY_CODE[c].label for c in line.price.categories
                     if c in CATEGORY_BY_CODE and CATEGORY_BY_CODE[c].kind == e.kind),
                    "",
                )  # fmt: skip
                found.append(
                    EventRow(
                        e.pk, window, category, str(labels.get(e.kind, e.kind)), e.date,
                        e.end_date, e.agency.name,
                        e.person.full_name if e.person is not None else "",
                    )
                )  # fmt: skip
        events[line.price.line_id] = tuple(found)
    agency_rows = tuple(
        AgencyRow(code, agency_label(code), before, after, before - after, 1)
        for code, (before, after) in sorted(
            costs.by_agency().items(), key=lambda i: agency_label(i[0])
        )
    )
    return FamilyBreakdown(family, costs, events, agency_rows)


# --- The unit cost table and the spend ---------------------------------------------------


def unit_cost_list(user: AnyUser) -> list[UnitCost]:
    _require(user)
    return list(UnitCost.objects.select_related("updated_by").order_by("-in_use", "agency", "name"))


def unit_cost_get_or_404(user: AnyUser, line_id: int) -> UnitCost:
    _require(user)
    line = UnitCost.objects.filter(pk=line_id).first()
    if line is None:
        raise Http404("No such unit cost")
    return line


def spend_list(user: AnyUser) -> list[ProgrammeSpend]:
    _require(user)
    return list(ProgrammeSpend.objects.select_related("updated_by").order_by("-financial_year"))


@dataclass(frozen=True)
class CostChange:
    at: datetime.datetime
    what: str
    name: str
    price: Decimal
    unit: str
    price_year: int
    source: str
    in_use: bool
    by: str


def unit_cost_history(user: AnyUser, *, limit: int = 50) -> list[CostChange]:
    """The latest changes to the unit cost table, newest first, with who made them
    (the seeded examples were added by OnePlan itself)."""
    _require(user)
    events = apps.get_model("outcomes", "UnitCostEvent")
    found = list(
        events.objects.select_related("pgh_context").order_by("-pgh_created_at", "-pgh_id")[:limit]
    )
    ids = {
        (event.pgh_context.metadata or {}).get("user")
        for event in found
        if event.pgh_context is not None
    }
    names = {
        u.pk: u.get_full_name() or u.username for u in User.objects.filter(pk__in=ids - {None})
    }
    what = {"insert": "Added", "update": "Changed", "delete": "Removed"}
    units = {"event": "per event", "week": "per week", "hour": "per hour"}
    changes = []
    for event in found:
        metadata = (event.pgh_context.metadata or {}) if event.pgh_context is not None else {}
        user_id = metadata.get("user")
        changes.append(
            CostChange(
                at=event.pgh_created_at,
                what=what.get(event.pgh_label, event.pgh_label),
                name=event.name,
                price=Decimal(event.price_pence) / 100,
                unit=units.get(event.unit, event.unit),
                price_year=event.price_year,
                source=event.source,
                in_use=event.in_use,
                by=names.get(user_id, "") if user_id else "OnePlan",
            )
        )
    return changes


def costs_csv_rows(
    user: AnyUser, *, year: int, today: datetime.date
) -> tuple[list[list[Any]], list[int]]:
    """The families of financial ``year`` as CSV rows, a row per family and agency
    with a cost, then the family's total; and the families' ids (for the access log)."""
    _require(user)
    cohort = _cohort(user, year)
    costs = _costs_of([(f, on) for f, on, _ in cohort], prices_in_use(), today)
    rows: list[list[Any]] = []
    for family_id, on, reference in cohort:
        found = costs[family_id]
        counted = "Yes" if found.elapsed else "Not yet: the 12 months after have not passed"
        start = [reference, on, found.windows.after_end, counted]
        for code, (before, after) in sorted(
            found.by_agency().items(), key=lambda i: agency_label(i[0])
        ):
            if before or after:
                rows.append([*start, agency_label(code), before, after, before - after])
        rows.append([*start, "All agencies", found.before_cost, found.after_cost, found.saving])
    return rows, [family_id for family_id, _, _ in cohort]
