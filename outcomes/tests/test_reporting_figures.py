"""The programme dashboard's five figures (docs/programme-reporting.md), against
hand-built families: table-driven, one family per row, counted or not in each figure of
the financial year 2025 (1 April 2025 to 31 March 2026), with the edges at 31 March and
1 April, UK time, claw-backs, and results that lapse before or after the anniversary."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest

from conftest import World
from families.models import Family
from outcomes.models import ClaimBatchStatus, ClaimStatus
from outcomes.reporting.rules import (
    FIGURE_KEYS,
    one_year_on,
    percent_of_target,
    quarter_bounds,
    quarter_of,
    still_to_go,
)
from outcomes.reporting.selectors import FamiliesQuery, figure_families
from outcomes.tests import reporting_support as make

pytestmark = pytest.mark.django_db

D = datetime.date
YEAR = 2025
# Every anniversary of the year 2025 has come by then.
TODAY = D(2026, 6, 15)
UTC = datetime.UTC


def _accepted(on: D) -> datetime.datetime:
    return make.noon(on)


def identified_on_31_march(world: World) -> Family:
    return make.family(world.winchester, identified=D(2025, 3, 31))


def identified_on_1_april(world: World) -> Family:
    return make.family(world.winchester, identified=D(2025, 4, 1))


def identified_late_on_31_march_uk_time(world: World) -> Family:
    # 11:30pm UTC on 31 March 2026 is 12:30am on 1 April in British Summer Time.
    made = make.family(world.winchester)
    made.status_changes.update(created_at=datetime.datetime(2026, 3, 31, 23, 30, tzinfo=UTC))
    return made


def identified_early_on_31_march_uk_time(world: World) -> Family:
    made = make.family(world.winchester)
    made.status_changes.update(created_at=datetime.datetime(2026, 3, 31, 22, 30, tzinfo=UTC))
    return made


def reopened_in_the_year(world: World) -> Family:
    """First identified in 2024; re-opened (identified again) in 2025: not counted again."""
    made = make.family(world.winchester, identified=D(2024, 6, 1))
    made.status_changes.create(
        from_status="closed",
        to_status="identified",
        reason="Re-opened",
        actor=make.someone(),
        created_at=make.noon(D(2025, 6, 1)),
    )
    return made


def attached_on_31_march_2026(world: World) -> Family:
    made = make.family(world.winchester, identified=D(2024, 1, 1))
    make.attach(made, D(2026, 3, 31))
    return made


def attached_on_1_april_2026(world: World) -> Family:
    made = make.family(world.winchester, identified=D(2024, 1, 1))
    make.attach(made, D(2026, 4, 1))
    return made


def attached_on_31_march_2025(world: World) -> Family:
    made = make.family(world.winchester, identified=D(2024, 1, 1))
    make.attach(made, D(2025, 3, 31))
    return made


def plan_first_agreed_the_year_before(world: World) -> Family:
    made = make.family(world.winchester, identified=D(2024, 1, 1))
    make.plan_agreed(made, D(2025, 3, 31), D(2025, 5, 1))
    return made


def plan_first_agreed_on_1_april(world: World) -> Family:
    made = make.family(world.winchester, identified=D(2024, 1, 1))
    make.plan_agreed(made, D(2025, 4, 1))
    return made


def plan_never_agreed(world: World) -> Family:
    made = make.family(world.winchester, identified=D(2024, 1, 1))
    make.plan_agreed(made)
    return made


def claim_accepted_on_1_april(world: World) -> Family:
    made = make.family(world.winchester, identified=D(2024, 1, 1))
    accepted = make.batch(ClaimBatchStatus.ACCEPTED, accepted_at=_accepted(D(2025, 4, 1)))
    make.claim(made, accepted, claim_date=D(2025, 2, 1))
    return made


def claim_accepted_on_31_march(world: World) -> Family:
    made = make.family(world.winchester, identified=D(2024, 1, 1))
    accepted = make.batch(ClaimBatchStatus.ACCEPTED, accepted_at=_accepted(D(2025, 3, 31)))
    make.claim(made, accepted, claim_date=D(2025, 2, 1))
    return made


def claim_accepted_then_clawed_back(world: World) -> Family:
    made = make.family(world.winchester, identified=D(2024, 1, 1))
    accepted = make.batch(ClaimBatchStatus.ACCEPTED, accepted_at=_accepted(D(2025, 6, 1)))
    make.claim(made, accepted, claim_date=D(2025, 5, 1), status=ClaimStatus.CLAWED_BACK)
    return made


def claim_submitted_not_yet_accepted(world: World) -> Family:
    made = make.family(world.winchester, identified=D(2024, 1, 1))
    make.claim(made, make.batch(ClaimBatchStatus.SUBMITTED), claim_date=D(2025, 5, 1))
    return made


def _claimed(world: World, claim_date: D, accepted_on: D) -> Family:
    made = make.family(world.winchester, identified=D(2023, 1, 1))
    accepted = make.batch(ClaimBatchStatus.ACCEPTED, accepted_at=_accepted(accepted_on))
    make.claim(made, accepted, claim_date=claim_date)
    return made


def sustained_met_on_the_anniversary(world: World) -> Family:
    made = _claimed(world, D(2024, 5, 10), D(2024, 9, 1))
    make.result(made, D(2024, 5, 10), route="outcomes")
    return made


def sustained_lapsed_after_the_anniversary(world: World) -> Family:
    made = _claimed(world, D(2024, 5, 10), D(2024, 9, 1))
    make.result(made, D(2024, 5, 10), route="outcomes")
    make.result(made, D(2025, 5, 11), route="", readiness="not_yet")
    return made


def not_sustained_lapsed_before_the_anniversary(world: World) -> Family:
    made = _claimed(world, D(2024, 5, 10), D(2024, 9, 1))
    make.result(made, D(2024, 5, 10), route="outcomes")
    make.result(made, D(2025, 5, 9), route="", readiness="not_yet")
    return made


def sustained_anniversary_on_31_march(world: World) -> Family:
    # Claimed in the year too: accepted on 1 May 2025.
    made = _claimed(world, D(2025, 3, 31), D(2025, 5, 1))
    make.result(made, D(2025, 3, 31), route="outcomes")
    return made


def sustained_anniversary_on_1_april_is_next_year(world: World) -> Family:
    made = _claimed(world, D(2025, 4, 1), D(2025, 5, 1))
    make.result(made, D(2025, 4, 1), route="outcomes")
    return made


def sustained_leap_day_claim_is_the_year_before(world: World) -> Family:
    # 29 February 2024 a year on is 28 February 2025: in 2024 to 2025.
    made = _claimed(world, D(2024, 2, 29), D(2024, 5, 1))
    make.result(made, D(2024, 2, 29), route="outcomes")
    return made


def not_sustained_without_any_result(world: World) -> Family:
    return _claimed(world, D(2024, 5, 10), D(2024, 9, 1))


def not_sustained_clawed_back(world: World) -> Family:
    made = make.family(world.winchester, identified=D(2023, 1, 1))
    accepted = make.batch(ClaimBatchStatus.ACCEPTED, accepted_at=_accepted(D(2024, 9, 1)))
    make.claim(made, accepted, claim_date=D(2024, 5, 10), status=ClaimStatus.CLAWED_BACK)
    make.result(made, D(2024, 5, 10), route="outcomes")
    return made


def whole_journey_in_the_year(world: World) -> Family:
    made = make.family(world.havant, track="local", identified=D(2025, 4, 2))
    make.attach(made, D(2025, 5, 1))
    make.plan_agreed(made, D(2025, 6, 1))
    accepted = make.batch(ClaimBatchStatus.ACCEPTED, accepted_at=_accepted(D(2026, 3, 30)))
    make.claim(made, accepted, claim_date=D(2026, 2, 1))
    make.result(made, D(2026, 2, 1), route="outcomes")
    return made


IDENT, A, P, C, S = FIGURE_KEYS
CASES: list[tuple[Callable[[World], Family], set[str]]] = [
    (identified_on_31_march, set()),
    (identified_on_1_april, {IDENT}),
    (identified_late_on_31_march_uk_time, set()),
    (identified_early_on_31_march_uk_time, {IDENT}),
    (reopened_in_the_year, set()),
    (attached_on_31_march_2026, {A}),
    (attached_on_1_april_2026, set()),
    (attached_on_31_march_2025, set()),
    (plan_first_agreed_the_year_before, set()),
    (plan_first_agreed_on_1_april, {P}),
    (plan_never_agreed, set()),
    (claim_accepted_on_1_april, {C}),
    (claim_accepted_on_31_march, set()),
    (claim_accepted_then_clawed_back, set()),
    (claim_submitted_not_yet_accepted, set()),
    (sustained_met_on_the_anniversary, {S}),
    (sustained_lapsed_after_the_anniversary, {S}),
    (not_sustained_lapsed_before_the_anniversary, set()),
    (sustained_anniversary_on_31_march, {C, S}),
    (sustained_anniversary_on_1_april_is_next_year, {C}),
    (sustained_leap_day_claim_is_the_year_before, set()),
    (not_sustained_without_any_result, set()),
    (not_sustained_clawed_back, set()),
    (whole_journey_in_the_year, {IDENT, A, P, C}),
]


@pytest.mark.parametrize(
    ("build", "counted"), [pytest.param(b, c, id=b.__name__) for b, c in CASES]
)
def test_a_family_is_counted_in_exactly_the_figures_its_dates_put_it_in(
    world: World, build: Callable[[World], Family], counted: set[str]
) -> None:
    made = build(world)

    found = {
        key
        for key in FIGURE_KEYS
        if figure_families(
            world.programme_manager.user, FamiliesQuery(year=YEAR, figure=key), today=TODAY
        )
        .filter(pk=made.pk)
        .exists()
    }

    assert found == counted


def test_an_anniversary_still_to_come_is_not_counted_yet(world: World) -> None:
    made = _claimed(world, D(2025, 3, 31), D(2025, 5, 1))
    make.result(made, D(2025, 3, 31), route="outcomes")
    query = FamiliesQuery(year=YEAR, figure=S)

    before = figure_families(world.programme_manager.user, query, today=D(2026, 3, 30))
    on_the_day = figure_families(world.programme_manager.user, query, today=D(2026, 3, 31))

    assert not before.filter(pk=made.pk).exists()
    assert on_the_day.filter(pk=made.pk).exists()


@pytest.mark.parametrize(
    ("day", "later"),
    [
        (D(2024, 2, 29), D(2025, 2, 28)),
        (D(2025, 3, 31), D(2026, 3, 31)),
        (D(2025, 1, 31), D(2026, 1, 31)),
        (D(2023, 2, 28), D(2024, 2, 28)),
    ],
)
def test_one_year_on_is_the_same_day_a_year_later_clamped_to_the_months_end(
    day: D, later: D
) -> None:
    assert one_year_on(day) == later


@pytest.mark.parametrize(
    ("day", "year", "quarter"),
    [
        (D(2025, 3, 31), 2024, 4),
        (D(2025, 4, 1), 2025, 1),
        (D(2025, 6, 30), 2025, 1),
        (D(2025, 7, 1), 2025, 2),
        (D(2025, 12, 31), 2025, 3),
        (D(2026, 1, 1), 2025, 4),
    ],
)
def test_a_day_belongs_to_a_quarter_of_its_financial_year(day: D, year: int, quarter: int) -> None:
    assert quarter_of(day) == (year, quarter)
    starts_on, ends_on = quarter_bounds(year, quarter)
    assert starts_on <= day <= ends_on


@pytest.mark.parametrize(
    ("actual", "target", "percent", "to_go"),
    [
        (0, None, None, 0),
        (5, 0, None, 0),
        (50, 200, 25, 150),
        (199, 200, 99, 1),
        (250, 200, 125, 0),
    ],
)
def test_progress_against_a_target(
    actual: int, target: int | None, percent: int | None, to_go: int
) -> None:
    assert percent_of_target(actual, target) == percent
    assert still_to_go(actual, target) == to_go
