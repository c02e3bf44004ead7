"""The pure rules of costs avoided (outcomes.costs.rules): the windows before and after
attachment (DOMAIN.md 4.0), counting events and weeks, and pricing the change."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from outcomes.costs.rules import (
    Price,
    cohort_totals,
    cost_of,
    family_costs,
    months_after,
    overlap_days,
    spend_ratio,
    windows_for,
)
from outcomes.frameworks.types import Fact

D = date.fromisoformat


@pytest.mark.parametrize(
    ("attached", "before", "after"),
    [
        # An ordinary date: 12 months back to the day before; 12 months on less a day.
        ("2024-09-01", ("2023-09-01", "2024-08-31"), ("2024-09-01", "2025-08-31")),
        # Attached on 29 February: back to 28 February of the year before (clamped);
        # 12 months on is 28 February 2025, so the after window ends on 27 February.
        ("2024-02-29", ("2023-02-28", "2024-02-28"), ("2024-02-29", "2025-02-27")),
        # Attached on 1 March of a leap year: before holds 29 February 2024.
        ("2024-03-01", ("2023-03-01", "2024-02-29"), ("2024-03-01", "2025-02-28")),
        # Attached on 1 March 2023: the after window holds 29 February 2024.
        ("2023-03-01", ("2022-03-01", "2023-02-28"), ("2023-03-01", "2024-02-29")),
        # Month ends: 31 January less 12 months is 31 January.
        ("2025-01-31", ("2024-01-31", "2025-01-30"), ("2025-01-31", "2026-01-30")),
        # Attached on 1 January: the windows are calendar years.
        ("2024-01-01", ("2023-01-01", "2023-12-31"), ("2024-01-01", "2024-12-31")),
    ],
)
def test_windows_before_and_after_attachment(
    attached: str, before: tuple[str, str], after: tuple[str, str]
) -> None:
    w = windows_for(D(attached))
    assert (w.before_start, w.before_end) == (D(before[0]), D(before[1]))
    assert (w.after_start, w.after_end) == (D(after[0]), D(after[1]))


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        ("2024-02-29", 12, "2025-02-28"),
        ("2024-01-31", 1, "2024-02-29"),
        ("2023-01-31", 1, "2023-02-28"),
        ("2024-11-30", 3, "2025-02-28"),
        ("2024-12-15", 12, "2025-12-15"),
    ],
)
def test_months_after_clamps_to_the_month_end(day: str, months: int, expected: str) -> None:
    assert months_after(D(day), months) == D(expected)


@pytest.mark.parametrize(
    ("attached", "today", "elapsed"),
    [
        ("2024-09-01", "2025-08-31", False),  # the last day of the after window
        ("2024-09-01", "2025-09-01", True),  # the day after it
        ("2024-02-29", "2025-02-27", False),
        ("2024-02-29", "2025-02-28", True),
    ],
)
def test_a_family_counts_only_once_its_after_window_is_over(
    attached: str, today: str, elapsed: bool
) -> None:
    assert windows_for(D(attached)).elapsed(D(today)) is elapsed


def _fact(fid: int, kind: str, day: str, end: str | None = None, **data: object) -> Fact:
    return Fact(fid, 1, kind, D(day), D(end) if end else None, data)


@pytest.mark.parametrize(
    ("start", "end", "spell", "days"),
    [
        ("2024-01-01", "2024-12-31", ("2023-06-01", None), 366),  # open spell, leap year
        ("2024-01-01", "2024-12-31", ("2024-12-25", "2025-01-10"), 7),
        ("2024-01-01", "2024-12-31", ("2023-01-01", "2023-12-31"), 0),
        ("2024-01-01", "2024-12-31", ("2024-01-01", "2024-01-01"), 1),
    ],
)
def test_overlap_days(start: str, end: str, spell: tuple[str, str | None], days: int) -> None:
    fact = _fact(1, "benefits", spell[0], spell[1])
    assert overlap_days(fact, D(start), D(end)) == days


POLICE = Price(1, "Police call-out", "police", "event", 10000, ("police_callout",))
BENEFIT = Price(2, "Out-of-work benefit", "dwp", "week", 7000, ("out_of_work_benefit_week",))
WARNING = Price(3, "ASB warning letter", "police", "event", 6600, ("asb_warning",))
HOURLY = Price(4, "Social worker", "childrens_services", "hour", 4000, ())


def test_three_call_outs_before_and_one_after_save_two_call_outs() -> None:
    facts = [
        _fact(1, "police_callouts", "2023-10-01", category="asb"),
        _fact(2, "police_callouts", "2024-01-15", category="welfare"),
        _fact(3, "police_callouts", "2024-08-31", category="other"),  # last day before
        _fact(4, "police_callouts", "2024-09-01", category="asb"),  # attachment day: after
        _fact(5, "police_callouts", "2023-08-31", category="asb"),  # a day too early
        _fact(6, "police_callouts", "2025-09-01", category="asb"),  # a day too late
    ]
    costs = family_costs(
        family_id=1,
        attached_on=D("2024-09-01"),
        facts=facts,
        prices=[POLICE],
        today=D("2025-10-01"),
    )
    (line,) = costs.lines
    assert (line.before.amount, line.after.amount) == (3, 1)
    assert line.before.evidence == (1, 2, 3) and line.after.evidence == (4,)
    assert line.saving == Decimal("200.00")
    assert costs.by_agency() == {"police": (Decimal("300.00"), Decimal("100.00"))}


def test_benefit_weeks_are_priced_by_the_day() -> None:
    # JSA all year before (1 Sep 2023 to 31 Aug 2024: 366 days, a leap year), then
    # Universal Credit out of work for 14 days after; UC in work is not counted.
    facts = [
        _fact(1, "benefits", "2023-01-01", "2024-08-31", benefit="JSA"),
        _fact(2, "benefits", "2024-09-01", "2024-09-14", benefit="UC", out_of_work="Y"),
        _fact(3, "benefits", "2024-10-01", None, benefit="UC", out_of_work="N"),
    ]
    costs = family_costs(
        family_id=1,
        attached_on=D("2024-09-01"),
        facts=facts,
        prices=[BENEFIT],
        today=D("2025-10-01"),
    )
    (line,) = costs.lines
    assert (line.before.amount, line.after.amount) == (366, 14)
    # £70 a week: 366 days is £3,660.00, 14 days £140.00.
    assert (line.before_cost, line.after_cost) == (Decimal("3660.00"), Decimal("140.00"))


def test_only_the_chosen_intervention_is_counted_and_hours_price_nothing() -> None:
    facts = [
        _fact(1, "asb", "2024-01-01", intervention="warning"),
        _fact(2, "asb", "2024-01-02", intervention="abc"),
        _fact(3, "domestic_abuse", "2024-01-03", role="victim"),
    ]
    costs = family_costs(
        family_id=1,
        attached_on=D("2024-09-01"),
        facts=facts,
        prices=[WARNING, HOURLY],
        today=D("2024-10-01"),
    )
    assert [line.price.line_id for line in costs.lines] == [3]
    assert costs.lines[0].before.evidence == (1,)
    assert not costs.elapsed


def test_cohort_counts_only_families_whose_year_after_is_over() -> None:
    done = family_costs(
        family_id=1,
        attached_on=D("2023-09-01"),
        facts=[_fact(1, "police_callouts", "2023-01-01", category="asb")],
        prices=[POLICE],
        today=D("2025-01-01"),
    )
    waiting = family_costs(
        family_id=2,
        attached_on=D("2024-09-01"),
        facts=[_fact(2, "police_callouts", "2024-01-01", category="asb")],
        prices=[POLICE],
        today=D("2025-01-01"),
    )
    totals = cohort_totals([done, waiting], ["police", "dwp"])
    assert [f.family_id for f in totals.counted] == [1]
    assert [f.family_id for f in totals.waiting] == [2]
    assert totals.saving == Decimal("100.00")
    assert totals.average_saving == Decimal("100.00")
    assert totals.agencies["dwp"].saving == 0 and totals.agencies["police"].families == 1


@pytest.mark.parametrize(
    ("saving", "spend", "ratio"),
    [
        (Decimal("11200"), 520000, Decimal("2.15")),
        (Decimal("100"), None, None),
        (Decimal("100"), 0, None),
        (Decimal("-50"), 10000, Decimal("-0.50")),
    ],
)
def test_ratio_to_programme_spend(
    saving: Decimal, spend: int | None, ratio: Decimal | None
) -> None:
    assert spend_ratio(saving, spend) == ratio


def test_cost_rounds_to_the_penny() -> None:
    # £646 a week for 10 days: 646 x 10 / 7 = 922.857...
    price = Price(9, "Foster care", "childrens_services", "week", 64600, ("looked_after_week",))
    assert cost_of(price, Decimal(10)) == Decimal("922.86")
