"""The retention rules (lcgs.retention.rules): pure, table-driven, with the edges."""

from __future__ import annotations

import datetime

import pytest

from lcgs.retention.rules import (
    CaseDates,
    RecordClass,
    add_years,
    family_due_on,
    feed_record_due_on,
    hold_is_active,
    is_due,
    month_precision,
)

D = datetime.date
YEARS = {RecordClass.CLOSED_CASE: 6, RecordClass.NOT_TAKEN_ON: 2}
IDENTIFIED, ATTACHED, CLOSED = D(2018, 1, 10), D(2018, 3, 1), D(2019, 6, 30)


def case(
    *,
    identified: datetime.date = IDENTIFIED,
    terminal: bool = True,
    worked_with: bool = False,
    attached: datetime.date | None = ATTACHED,
    since: datetime.date = CLOSED,
) -> CaseDates:
    return CaseDates(
        identified_on=identified,
        status_is_terminal=terminal,
        being_worked_with=worked_with,
        attached_on=attached,
        status_since=since,
    )


@pytest.mark.parametrize(
    ("dates", "expected"),
    [
        # Taken on and closed: 6 years after the day it closed.
        (case(), (RecordClass.CLOSED_CASE, D(2025, 6, 30))),
        # Closed on 29 February: the anniversary in a year without one is 28 February.
        (case(since=D(2020, 2, 29)), (RecordClass.CLOSED_CASE, D(2026, 2, 28))),
        # Taken on and still open (plan active): no period runs.
        (case(terminal=False, worked_with=True), None),
        # Taken on, outcomes met (open, worked with): none either.
        (case(terminal=False, worked_with=True, since=D(2010, 1, 1)), None),
        # Never taken on, only identified: 2 years after identification.
        (
            case(attached=None, terminal=False, since=D(2018, 1, 10)),
            (RecordClass.NOT_TAKEN_ON, D(2020, 1, 10)),
        ),
        # Never taken on, declined long after identification: not before it ended.
        (
            case(attached=None, identified=D(2018, 1, 10), since=D(2021, 5, 4)),
            (RecordClass.NOT_TAKEN_ON, D(2021, 5, 4)),
        ),
        # Never taken on, declined soon after identification: 2 years after identification.
        (case(attached=None, since=D(2018, 2, 1)), (RecordClass.NOT_TAKEN_ON, D(2020, 1, 10))),
        # Never taken on but allocated and being worked with: no period runs.
        (case(attached=None, terminal=False, worked_with=True), None),
    ],
)
def test_family_due_on(
    dates: CaseDates, expected: tuple[RecordClass, datetime.date] | None
) -> None:
    assert family_due_on(dates, YEARS) == expected


def test_a_class_without_a_period_is_never_due() -> None:
    assert family_due_on(case(), {RecordClass.NOT_TAKEN_ON: 2}) is None


@pytest.mark.parametrize(
    ("day", "years", "expected"),
    [
        (D(2020, 3, 1), 6, D(2026, 3, 1)),
        (D(2020, 2, 29), 1, D(2021, 2, 28)),
        (D(2020, 2, 29), 4, D(2024, 2, 29)),
        (D(2019, 12, 31), 1, D(2020, 12, 31)),
    ],
)
def test_add_years(day: datetime.date, years: int, expected: datetime.date) -> None:
    assert add_years(day, years) == expected


@pytest.mark.parametrize(
    ("due", "today", "expected"),
    [
        (D(2026, 3, 1), D(2026, 2, 28), False),
        (D(2026, 3, 1), D(2026, 3, 1), True),
        (D(2026, 3, 1), D(2026, 3, 2), True),
    ],
)
def test_due_on_the_day_itself(due: datetime.date, today: datetime.date, expected: bool) -> None:
    assert is_due(due, today) is expected


def test_feed_record_due_a_year_after_it_last_arrived() -> None:
    assert feed_record_due_on(D(2025, 4, 1), 1) == D(2026, 4, 1)


@pytest.mark.parametrize(
    ("placed", "until", "lifted", "today", "expected"),
    [
        (D(2026, 1, 1), None, None, D(2026, 1, 1), True),  # from the day it is placed
        (D(2026, 1, 2), None, None, D(2026, 1, 1), False),  # not before
        (D(2026, 1, 1), D(2026, 5, 31), None, D(2026, 5, 31), True),  # through its last day
        (D(2026, 1, 1), D(2026, 5, 31), None, D(2026, 6, 1), False),  # ended
        (D(2026, 1, 1), None, D(2026, 3, 1), D(2026, 3, 1), False),  # lifted today
        (D(2026, 1, 1), None, D(2026, 3, 1), D(2026, 2, 28), True),  # before it was lifted
        (D(2026, 1, 1), D(2027, 1, 1), D(2026, 3, 1), D(2026, 4, 1), False),  # lifted early
    ],
)
def test_hold_is_active(
    placed: datetime.date,
    until: datetime.date | None,
    lifted: datetime.date | None,
    today: datetime.date,
    expected: bool,
) -> None:
    assert hold_is_active(placed_on=placed, until=until, lifted_on=lifted, today=today) is expected


def test_month_precision() -> None:
    assert month_precision(D(1985, 6, 17)) == D(1985, 6, 1)
