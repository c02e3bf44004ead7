"""Calendar arithmetic the rules share: months back, school terms, ages.

Terms follow the feeds' convention (FEEDS.md, school_attendance): autumn starts on
1 September, spring on 1 January and summer on 1 April; evidence for a term is dated on
its first day.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from oneplan.dates import govuk_date

_TERM_STARTS = (("spring", 1), ("summer", 4), ("autumn", 9))


# Assessing thousands of families on one date asks the same questions of the calendar
# over and over: remember the answers (pure functions of small, hashable arguments).


@lru_cache(maxsize=4096)
def months_before(day: date, months: int) -> date:
    """The same day ``months`` calendar months earlier, clamped to the month's end
    (31 May less 3 months is 28 or 29 February)."""
    index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def age_on(born: date, day: date) -> int:
    """Whole years old on ``day``."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def academic_year_start(day: date) -> date:
    """1 September of the academic year ``day`` falls in."""
    return date(day.year if day.month >= 9 else day.year - 1, 9, 1)


@dataclass(frozen=True, order=True)
class Term:
    start: date
    name: str

    @property
    def end(self) -> date:
        if self.name == "autumn":
            return date(self.start.year, 12, 31)
        if self.name == "spring":
            return date(self.start.year, 3, 31)
        return date(self.start.year, 8, 31)

    @property
    def academic_year_start(self) -> date:
        return academic_year_start(self.start)

    @property
    def label(self) -> str:
        return f"{self.name} {self.start.year}"


@lru_cache(maxsize=4096)
def term_containing(day: date) -> Term:
    name = "spring"
    month = 1
    for term_name, start_month in _TERM_STARTS:
        if day.month >= start_month:
            name, month = term_name, start_month
    return Term(date(day.year, month, 1), name)


@lru_cache(maxsize=4096)
def last_months_start(as_of: date, months: int) -> date:
    """The first day of "the last ``months`` months" up to ``as_of`` (DOMAIN.md 4.0): the
    day after ``as_of`` less that many calendar months, so the window holds ``as_of`` and
    never the same date ``months`` earlier."""
    return months_before(as_of, months) + timedelta(days=1)


def months_before_attachment(attached_on: date, months: int) -> tuple[date, date]:
    """ "The ``months`` months before attachment" (DOMAIN.md 4.0): from the attachment date
    less that many calendar months to the day before attachment, both included."""
    return months_before(attached_on, months), attached_on - timedelta(days=1)


@lru_cache(maxsize=256)
def last_terms(as_of: date, count: int) -> tuple[Term, ...]:
    """The ``count`` most recent **complete** terms, those that ended on or before
    ``as_of``, oldest first (DOMAIN.md 4.0 "the last 3 consecutive terms": on 1 September
    2025, autumn 2024, spring 2025 and summer 2025). A term in progress counts only once
    it has ended."""
    latest = term_containing(as_of)
    if latest.end > as_of:
        latest = term_containing(latest.start - timedelta(days=1))
    terms = [latest]
    while len(terms) < count:
        terms.append(term_containing(terms[-1].start - timedelta(days=1)))
    return tuple(reversed(terms))


def window_start(as_of: date, *, months: int | None = None, terms: int | None = None) -> date:
    """The first day a rule's window reaches back to on ``as_of``: "the last ``months``
    months" and "the last ``terms`` complete terms", whichever reaches further (either
    may be None: the rule has no such setting)."""
    earliest = as_of
    if terms is not None:
        earliest = min(earliest, last_terms(as_of, terms)[0].start)
    if months is not None:
        earliest = min(earliest, last_months_start(as_of, months))
    return earliest


def terms_label(terms: tuple[Term, ...] | list[Term]) -> str:
    if not terms:
        return ""
    if len(terms) == 1:
        return terms[0].label
    return f"{terms[0].label} - {terms[-1].label}"


@lru_cache(maxsize=8192)
def long_date(day: date) -> str:
    """'3 March 2025', the GOV.UK date style."""
    return govuk_date(day)
