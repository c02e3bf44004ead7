"""Costs avoided (DOMAIN.md 6): the kinds of service use OnePlan can count from evidence,
the windows before and after attachment, and pricing the change. Pure: no ORM, no clock
(``today`` is an argument).

A **service use category** is a fixed, named subset of one evidence kind (police
call-outs of any category, ASB warnings, weeks on an out-of-work benefit...), counted
either in events (each row dated in the window) or in weeks (the days a spell overlaps
the window, divided by 7). The unit cost table (``outcomes.costs.models.UnitCost``)
prices categories; which categories exist is code, because each one is a question
asked of a feed's columns (FEEDS.md).

Windows (DOMAIN.md 4.0):

- **before**: "the 12 months before attachment", from the attachment date less 12
  calendar months to the day before attachment, both included
  (``outcomes.frameworks.dates.months_before_attachment``);
- **after**: the mirror of it, from the attachment date to the day before the
  attachment date plus 12 calendar months, both included. Months are added as
  ``months_before`` takes them away, clamped to the month's end: attached on
  29 February 2024, the after window ends on 27 February 2025 (28 February 2025 is
  the date 12 months on).

A family's after window has **elapsed** on the day after it ends; until then its figures
are shown apart and never counted as savings.
"""

from __future__ import annotations

import calendar
import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final, Literal

from outcomes.frameworks.checks import out_of_work_benefit
from outcomes.frameworks.dates import months_before_attachment
from outcomes.frameworks.results import OUT_OF_WORK_BENEFITS
from outcomes.frameworks.types import Fact

MONTHS: Final = 12
Measure = Literal["events", "weeks"]
Unit = Literal["event", "week", "hour"]
# What a unit cost line's unit counts: per event lines price event categories, per week
# lines spell categories. No feed carries hours, so a per hour line prices nothing yet.
UNIT_MEASURE: Final[Mapping[str, Measure | None]] = {
    "event": "events",
    "week": "weeks",
    "hour": None,
}


@dataclass(frozen=True)
class Category:
    code: str
    label: str
    kind: str
    measure: Measure
    matches: Callable[[Fact], bool]


def _coded(kind: str, column: str, *codes: str) -> Callable[[Fact], bool]:
    wanted = frozenset(codes)

    def matches(fact: Fact) -> bool:
        return fact.kind == kind and (not wanted or str(fact.data.get(column, "")) in wanted)

    return matches


def _proven(fact: Fact) -> bool:
    return fact.kind == "offences" and fact.data.get("outcome") == "proven"


def _out_of_work(fact: Fact) -> bool:
    return out_of_work_benefit(fact, OUT_OF_WORK_BENEFITS)


# Every category, in the order the pages list them. Codes are stored in the unit cost
# table: never rename one. Restricted kinds (domestic abuse, health) are left out on
# purpose: costs avoided is shown to people who may not see restricted information, and
# every figure opens the events behind it.
CATEGORIES: Final[tuple[Category, ...]] = (
    Category("police_callout", "Police call-out", "police_callouts", "events",
             _coded("police_callouts", "category")),
    Category("proven_offence", "Proven offence", "offences", "events", _proven),
    Category("asb_warning", "ASB warning letter", "asb", "events",
             _coded("asb", "intervention", "warning")),
    Category("asb_abc", "Acceptable behaviour contract", "asb", "events",
             _coded("asb", "intervention", "abc")),
    Category("asb_injunction_order", "ASB injunction or order", "asb", "events",
             _coded("asb", "intervention", "injunction", "order")),
    Category("eviction", "Eviction", "housing", "events", _coded("housing", "event", "eviction")),
    Category("homeless", "Homelessness or temporary accommodation", "housing", "events",
             _coded("housing", "event", "homeless", "temporary_accommodation")),
    Category("exclusion_fixed", "Fixed-term exclusion", "exclusions", "events",
             _coded("exclusions", "exclusion_type", "fixed")),
    Category("exclusion_permanent", "Permanent exclusion", "exclusions", "events",
             _coded("exclusions", "exclusion_type", "permanent")),
    Category("social_care_episode", "Children's social care episode (child in need, "
             "child protection or section 47)", "social_care", "events",
             _coded("social_care", "status", "child_in_need", "child_protection", "section_47")),
    Category("looked_after_week", "Week looked after", "social_care", "weeks",
             _coded("social_care", "status", "looked_after")),
    Category("out_of_work_benefit_week", "Week on an out-of-work benefit", "benefits", "weeks",
             _out_of_work),
)  # fmt: skip
CATEGORY_BY_CODE: Final = {c.code: c for c in CATEGORIES}
CATEGORY_KINDS: Final = frozenset(c.kind for c in CATEGORIES)


def months_after(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` calendar months later, clamped to the month's end (the
    mirror of ``outcomes.frameworks.dates.months_before``)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Windows:
    before_start: datetime.date
    before_end: datetime.date
    after_start: datetime.date
    after_end: datetime.date

    def elapsed(self, today: datetime.date) -> bool:
        """The after window is over: every day of it is in the past."""
        return today > self.after_end


def windows_for(attached_on: datetime.date, months: int = MONTHS) -> Windows:
    """The before and after windows of a family attached on ``attached_on``."""
    before_start, before_end = months_before_attachment(attached_on, months)
    after_end = months_after(attached_on, months) - datetime.timedelta(days=1)
    return Windows(before_start, before_end, attached_on, after_end)


def overlap_days(fact: Fact, start: datetime.date, end: datetime.date) -> int:
    """Days of a spell inside [start, end], both included; an open spell runs on."""
    first = max(fact.date, start)
    last = end if fact.end_date is None else min(fact.end_date, end)
    return max((last - first).days + 1, 0)


def categorise(fact: Fact, codes: Iterable[str]) -> str | None:
    """The first of ``codes`` (categories in use) whose question ``fact`` answers."""
    for code in codes:
        category = CATEGORY_BY_CODE.get(code)
        if category is not None and category.matches(fact):
            return code
    return None


@dataclass(frozen=True)
class Use:
    """How much of one category a family used in one window: events, or days (shown
    as weeks), and the evidence rows behind it."""

    amount: Decimal
    evidence: tuple[int, ...]


@dataclass(frozen=True)
class Price:
    """One line of the unit cost table as the rules need it."""

    line_id: int
    label: str
    agency: str
    unit: Unit
    pence: int
    categories: tuple[str, ...]


@dataclass(frozen=True)
class Line:
    """One priced line of a family's costs: use before and after, and their cost."""

    price: Price
    before: Use
    after: Use

    @property
    def before_cost(self) -> Decimal:
        return cost_of(self.price, self.before.amount)

    @property
    def after_cost(self) -> Decimal:
        return cost_of(self.price, self.after.amount)

    @property
    def saving(self) -> Decimal:
        return self.before_cost - self.after_cost


@dataclass(frozen=True)
class FamilyCosts:
    family_id: int
    attached_on: datetime.date
    windows: Windows
    elapsed: bool
    lines: tuple[Line, ...]

    def by_agency(self) -> dict[str, tuple[Decimal, Decimal]]:
        """``{agency: (before cost, after cost)}``."""
        found: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
        for line in self.lines:
            found[line.price.agency][0] += line.before_cost
            found[line.price.agency][1] += line.after_cost
        return {agency: (b, a) for agency, (b, a) in found.items()}

    @property
    def before_cost(self) -> Decimal:
        return sum((line.before_cost for line in self.lines), Decimal(0))

    @property
    def after_cost(self) -> Decimal:
        return sum((line.after_cost for line in self.lines), Decimal(0))

    @property
    def saving(self) -> Decimal:
        return self.before_cost - self.after_cost


PENNY = Decimal("0.01")


def cost_of(price: Price, amount: Decimal) -> Decimal:
    """The cost in pounds of ``amount`` of a line's unit (events or days): per week
    lines price days as sevenths of a week; rounded to the penny."""
    units = amount / Decimal(7) if price.unit == "week" else amount
    return (Decimal(price.pence) * units / 100).quantize(PENNY, rounding=ROUND_HALF_UP)


def weeks(days: Decimal) -> Decimal:
    """Days as weeks, to one decimal place, for people to read."""
    return (days / Decimal(7)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _use(
    facts: Sequence[Fact], category: Category, start: datetime.date, end: datetime.date
) -> Use:
    if category.measure == "events":
        hits = [f for f in facts if start <= f.date <= end]
        return Use(Decimal(len(hits)), tuple(f.id for f in hits))
    total = 0
    ids = []
    for fact in facts:
        days = overlap_days(fact, start, end)
        if days:
            total += days
            ids.append(fact.id)
    return Use(Decimal(total), tuple(ids))


def family_costs(
    *,
    family_id: int,
    attached_on: datetime.date,
    facts: Iterable[Fact],
    prices: Sequence[Price],
    today: datetime.date,
) -> FamilyCosts:
    """A family's use of each priced service in the 12 months before and after its
    attachment, and what it cost (DOMAIN.md 6). ``facts`` are the evidence rows of
    every member; a row counts once, under the first category of the first line that
    prices it. Lines whose unit counts nothing (per hour) are left out."""
    windows = windows_for(attached_on)
    per_code: dict[str, list[Fact]] = defaultdict(list)
    codes_in_use = [code for price in prices for code in price.categories]
    for fact in facts:
        code = categorise(fact, codes_in_use)
        if code is not None:
            per_code[code].append(fact)
    lines = []
    for price in prices:
        measure = UNIT_MEASURE[price.unit]
        if measure is None or not price.categories:
            continue
        before_amount, after_amount = Decimal(0), Decimal(0)
        before_ids: list[int] = []
        after_ids: list[int] = []
        for code in price.categories:
            category = CATEGORY_BY_CODE.get(code)
            if category is None or category.measure != measure:
                continue
            found = per_code.get(code, [])
            before = _use(found, category, windows.before_start, windows.before_end)
            after = _use(found, category, windows.after_start, windows.after_end)
            before_amount += before.amount
            after_amount += after.amount
            before_ids += before.evidence
            after_ids += after.evidence
        lines.append(
            Line(
                price,
                Use(before_amount, tuple(before_ids)),
                Use(after_amount, tuple(after_ids)),
            )
        )
    return FamilyCosts(
        family_id=family_id,
        attached_on=attached_on,
        windows=windows,
        elapsed=windows.elapsed(today),
        lines=tuple(lines),
    )


@dataclass
class AgencyTotal:
    agency: str
    before: Decimal = Decimal(0)
    after: Decimal = Decimal(0)
    families: int = 0

    @property
    def saving(self) -> Decimal:
        return self.before - self.after


@dataclass
class CohortTotals:
    """The families whose after window has elapsed, added up: by agency and in total;
    the per-family average; and the families still inside their after window."""

    counted: list[FamilyCosts] = field(default_factory=list)
    waiting: list[FamilyCosts] = field(default_factory=list)
    agencies: dict[str, AgencyTotal] = field(default_factory=dict)

    @property
    def before(self) -> Decimal:
        return sum((a.before for a in self.agencies.values()), Decimal(0))

    @property
    def after(self) -> Decimal:
        return sum((a.after for a in self.agencies.values()), Decimal(0))

    @property
    def saving(self) -> Decimal:
        return self.before - self.after

    @property
    def average_saving(self) -> Decimal | None:
        if not self.counted:
            return None
        return (self.saving / len(self.counted)).quantize(PENNY, rounding=ROUND_HALF_UP)


def cohort_totals(families: Iterable[FamilyCosts], agencies: Sequence[str]) -> CohortTotals:
    """Add up a cohort: only families whose after window has elapsed count; every
    agency of ``agencies`` has a row, even when nothing was counted for it."""
    totals = CohortTotals(agencies={a: AgencyTotal(a) for a in agencies})
    for family in families:
        if not family.elapsed:
            totals.waiting.append(family)
            continue
        totals.counted.append(family)
        for agency, (before, after) in family.by_agency().items():
            row = totals.agencies.setdefault(agency, AgencyTotal(agency))
            row.before += before
            row.after += after
            if before or after:
                row.families += 1
    return totals


def spend_ratio(saving: Decimal, spend_pence: int | None) -> Decimal | None:
    """Savings for each pound of programme spend (2 decimal places), or None when no
    spend is entered (or it is nothing)."""
    if not spend_pence:
        return None
    return (saving * 100 / Decimal(spend_pence)).quantize(PENNY, rounding=ROUND_HALF_UP)


def pounds(pence: int) -> Decimal:
    return (Decimal(pence) / 100).quantize(PENNY)


def fact_of(row: Mapping[str, Any]) -> Fact:
    """A fact from an evidence row's values (id, person_id, kind, date, end_date, data)."""
    return Fact(
        row["id"], row["person_id"], row["kind"], row["date"], row["end_date"], row["data"] or {}
    )
