"""Retention as pure rules (DOMAIN.md 7: "records are kept for a configurable retention
period, then reviewed and deleted or anonymised; legal holds stop deletion").

No ORM and no clock: the dates are arguments, the periods come from the council's
``RetentionPolicy`` rows. ``lcgs.retention.services`` asks these functions for every
family and feed record it considers, and the nightly listing, the review pages and the
anonymisation job all go through them, so a rule changes in one place.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from enum import StrEnum


class RecordClass(StrEnum):
    """What kind of record a retention period applies to."""

    # A family the programme took on (attached), whose case has ended (closed, declined,
    # moved away, closed without outcome): kept for the period after the case ended.
    CLOSED_CASE = "closed_case"
    # A family identified (by a feed, a nomination) but never taken on, and not being
    # worked with now: kept for the period after it was identified.
    NOT_TAKEN_ON = "not_taken_on"
    # A person's record from an agency's feed that was never matched to anyone in a
    # family (with its evidence): kept for the period after it last arrived.
    UNMATCHED_FEED_RECORD = "unmatched_feed_record"


RECORD_CLASS_LABELS: dict[RecordClass, str] = {
    RecordClass.CLOSED_CASE: "Closed case",
    RecordClass.NOT_TAKEN_ON: "Family identified but not taken on",
    RecordClass.UNMATCHED_FEED_RECORD: "Feed record not matched to any family",
}

# From what date each class's period is counted, in words for the pages and docs.
COUNTED_FROM: dict[RecordClass, str] = {
    RecordClass.CLOSED_CASE: "the date the case ended",
    RecordClass.NOT_TAKEN_ON: "the date the family was identified",
    RecordClass.UNMATCHED_FEED_RECORD: "the date an agency last sent the record",
}

# The examples the first migration seeds: the council confirms or changes them.
EXAMPLE_YEARS: dict[RecordClass, int] = {
    RecordClass.CLOSED_CASE: 6,
    RecordClass.NOT_TAKEN_ON: 2,
    RecordClass.UNMATCHED_FEED_RECORD: 1,
}

# Longer than any council keeps case records: a typing mistake, not a period.
MAX_YEARS = 100


def add_years(day: datetime.date, years: int) -> datetime.date:
    """``day`` moved on by whole calendar years; 29 February becomes 28 February in a
    year without one (the period never ends later than the same day's anniversary)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class CaseDates:
    """What the rule needs to know about one family."""

    identified_on: datetime.date
    status_is_terminal: bool
    # The status is one the programme works with the family in (allocated onwards).
    being_worked_with: bool
    attached_on: datetime.date | None
    # When the family's current status began: for an ended case, the day it ended.
    status_since: datetime.date


def record_class_of_family(case: CaseDates) -> RecordClass | None:
    """Which retention class a family falls in today, or None while it is kept anyway.

    Taken on and ended: a closed case. Never taken on and either ended or still waiting
    (identified, screened): not taken on. A family being worked with, taken on or not,
    has no retention period running.
    """
    if case.attached_on is not None:
        return RecordClass.CLOSED_CASE if case.status_is_terminal else None
    if case.status_is_terminal or not case.being_worked_with:
        return RecordClass.NOT_TAKEN_ON
    return None


def family_due_on(
    case: CaseDates, years: dict[RecordClass, int]
) -> tuple[RecordClass, datetime.date] | None:
    """The class and the day a family is due for review, or None.

    A closed case is due ``years`` after the day it ended; a family not taken on,
    ``years`` after it was identified, but never before the day its case ended (one
    declined the week before review falls due is not reviewed that week).
    """
    record_class = record_class_of_family(case)
    if record_class is None or record_class not in years:
        return None
    period = years[record_class]
    if record_class is RecordClass.CLOSED_CASE:
        return record_class, add_years(case.status_since, period)
    due = add_years(case.identified_on, period)
    if case.status_is_terminal:
        due = max(due, case.status_since)
    return record_class, due


def feed_record_due_on(last_received_on: datetime.date, years: int) -> datetime.date:
    """An unmatched feed record is due ``years`` after an agency last sent it."""
    return add_years(last_received_on, years)


def is_due(due_on: datetime.date, today: datetime.date) -> bool:
    """Due on the day itself: a period of 6 years from 1 March 2020 ends on 1 March 2026."""
    return due_on <= today


def hold_is_active(
    *,
    placed_on: datetime.date,
    until: datetime.date | None,
    lifted_on: datetime.date | None,
    today: datetime.date,
) -> bool:
    """A legal hold stops review and anonymisation from the day it is placed until it is
    lifted, or until the end of its ``until`` day when it has one (a hold placed for a
    claim that ends on 31 May still holds on 31 May)."""
    if placed_on > today:
        return False
    if lifted_on is not None and lifted_on <= today:
        return False
    return until is None or today <= until


def month_precision(day: datetime.date) -> datetime.date:
    """A date kept at month precision once the record is anonymised: the 1st of its
    month (ages by year and reporting by month still work; the exact day does not
    identify anyone)."""
    return day.replace(day=1)
