"""Pure rules for reviews and agreement, table by table, with their edges."""

from __future__ import annotations

import datetime

import pytest

from plans.review.rules import (
    agreement_blockers_message,
    next_review_default,
    review_dates_problem,
)

D = datetime.date


@pytest.mark.parametrize(
    ("held_on", "weeks", "expected"),
    [
        (D(2026, 3, 10), 6, D(2026, 4, 21)),
        (D(2026, 3, 10), 8, D(2026, 5, 5)),
        (D(2026, 12, 20), 6, D(2027, 1, 31)),  # across a year end
        (D(2028, 1, 25), 6, D(2028, 3, 7)),  # across 29 February
    ],
)
def test_next_review_default(held_on: D, weeks: int, expected: D) -> None:
    assert next_review_default(held_on, weeks) == expected


TODAY = D(2026, 3, 10)


@pytest.mark.parametrize(
    ("held_on", "next_on", "expected"),
    [
        (TODAY, TODAY + datetime.timedelta(days=1), None),  # the day after is enough
        (TODAY - datetime.timedelta(days=30), TODAY, None),  # next review can be today
        (TODAY, TODAY, ("next_review_on", "The next review must be after the date of this review")),
        (
            TODAY,
            TODAY - datetime.timedelta(days=1),
            ("next_review_on", "The next review must be after the date of this review"),
        ),
        (
            TODAY + datetime.timedelta(days=1),
            TODAY + datetime.timedelta(days=50),
            ("held_on", "The date of the review must be today or in the past"),
        ),
    ],
)
def test_review_dates_problem(held_on: D, next_on: D, expected: tuple[str, str] | None) -> None:
    assert review_dates_problem(held_on=held_on, next_review_on=next_on, today=TODAY) == expected


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        ([], ""),
        (
            ["Education"],
            "Each need must have a goal before the plan can be agreed: Education has no goal",
        ),
        (
            ["Education", "Housing"],
            "Each need must have a goal before the plan can be agreed: "
            "Education and Housing have no goal",
        ),
        (
            ["Education", "Housing", "Crime"],
            "Each need must have a goal before the plan can be agreed: "
            "Education, Housing and Crime have no goal",
        ),
    ],
)
def test_agreement_blockers_message(labels: list[str], message: str) -> None:
    assert agreement_blockers_message(labels) == message
