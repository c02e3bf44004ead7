"""Pure rules for reviews, agreement and the printed plan: no ORM, no clock.

Dates that matter ("today", the meeting date) are always passed in.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

# The team meets again 6 to 8 weeks after a review; the default is the earliest.
DEFAULT_REVIEW_INTERVAL_WEEKS = 6


def next_review_default(held_on: datetime.date, interval_weeks: int) -> datetime.date:
    """When the next review falls if the meeting did not choose a date."""
    return held_on + datetime.timedelta(weeks=interval_weeks)


def review_dates_problem(
    *, held_on: datetime.date, next_review_on: datetime.date, today: datetime.date
) -> tuple[str, str] | None:
    """What is wrong with a review's dates, as (field, message), or None.

    A review is recorded after the meeting, so it cannot be in the future; the next
    review must come after this one (the database refuses it too).
    """
    if held_on > today:
        return "held_on", "The date of the review must be today or in the past"
    if next_review_on <= held_on:
        return "next_review_on", "The next review must be after the date of this review"
    return None


def _join_words(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def agreement_blockers_message(need_labels: Sequence[str]) -> str:
    """Why the plan cannot be agreed yet, naming each need without a goal."""
    if not need_labels:
        return ""
    verb = "has" if len(need_labels) == 1 else "have"
    return (
        "Each need must have a goal before the plan can be agreed: "
        f"{_join_words(list(need_labels))} {verb} no goal"
    )
