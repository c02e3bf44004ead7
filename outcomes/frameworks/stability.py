"""How long a family's answer is sure to stay the same if nothing new arrives.

Rules read the date they judge on only through their windows: "the last N months", "the
last N complete terms", "N weeks" of employment, "N months" of sustainment after closure,
ages (birthdays; school age on 1 September). So an answer given on ``as_of`` can only
change on a day when one of those windows gains or loses one of the household's dates:
an evidence row's date or end, a date inside its data, a member joining or leaving, or an
anchor such as the attachment or closure date. ``stable_until`` finds the earliest such
day from the household alone and returns the day before it.

It is conservative by design: a day it names may turn out to change nothing (the
evaluation then finds the same answer and looks ahead again), but no answer changes
before it. The windows come from the version's parameters (``spans_from``), so a council
that edits a window in its Outcome Plan moves the edges with it. A property test runs
every framework's rules on every day up to the date returned and checks the answer holds.

Pure: no ORM, no clock.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Final

from outcomes.frameworks.dates import months_before, term_containing
from outcomes.frameworks.types import Household

# Dates inside evidence data that rules read (``Fact.date_in``); a test checks that no
# rule reads another.
DATA_DATES: Final = ("outcome_date",)
# However quiet a family, it is looked at again after this many days: a safety net for a
# window no parameter names, not a rule.
LONGEST: Final = timedelta(days=92)
_ONE_DAY: Final = timedelta(days=1)


@dataclass(frozen=True)
class Spans:
    """The window lengths a version uses: months, weeks and days, and whether any rule
    counts complete school terms."""

    months: frozenset[int] = frozenset()
    weeks: frozenset[int] = frozenset()
    days: frozenset[int] = frozenset()
    terms: bool = False

    def __or__(self, other: Spans) -> Spans:
        return Spans(
            self.months | other.months,
            self.weeks | other.weeks,
            self.days | other.days,
            self.terms or other.terms,
        )


def spans_from(parameters: Any) -> Spans:
    """Every window length named anywhere in a version's parameters: a whole number under
    a key with the word ``months``, ``weeks`` or ``days`` in it (``sustain_months``,
    ``weeks_after_jsa``), and any ``terms``."""
    months: set[int] = set()
    weeks: set[int] = set()
    days: set[int] = set()
    terms = False
    stack: list[Any] = [parameters]
    while stack:
        item = stack.pop()
        if isinstance(item, Mapping):
            for key, value in item.items():
                if isinstance(value, (Mapping, list, tuple)):
                    stack.append(value)
                    continue
                if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                    continue
                words = set(str(key).split("_"))
                if "terms" in words:
                    terms = True
                elif "months" in words:
                    months.add(value)
                elif "weeks" in words:
                    weeks.add(value)
                elif "days" in words:
                    days.add(value)
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
    return Spans(frozenset(months), frozenset(weeks), frozenset(days), terms)


def _leaves_month_window(day: date, months: int) -> date:
    """The first date on which ``day`` is no longer in "the last ``months`` months"
    (the window starts the day after that date less ``months`` months)."""
    guess = months_before(day, -months) - timedelta(days=3)
    while months_before(guess, months) < day:
        guess += _ONE_DAY
    return guess


def _next_birthday(born: date, after: date) -> date:
    for year in (after.year, after.year + 1):
        try:
            birthday = born.replace(year=year)
        except ValueError:  # 29 February in a common year: the age turns on 1 March
            birthday = date(year, 3, 1)
        if birthday > after:
            return birthday
    raise AssertionError("unreachable")  # pragma: no cover


@dataclass(frozen=True)
class Horizon:
    """What every family judged on the same day shares: the day, the windows and the
    calendar edges (term ends, 1 September). Build it once per run."""

    as_of: date
    spans: Spans
    month_limits: tuple[tuple[int, date], ...]
    calendar_edge: date

    @classmethod
    def on(cls, as_of: date, spans: Spans) -> Horizon:
        edges = [as_of + LONGEST + _ONE_DAY]
        if spans.terms:
            # "The last N complete terms" changes on the day the current term ends;
            # school age is judged on 1 September.
            edges.append(term_containing(as_of + _ONE_DAY).end)
            september = date(as_of.year, 9, 1)
            edges.append(september if september > as_of else date(as_of.year + 1, 9, 1))
        limits = tuple((m, months_before(as_of, m)) for m in sorted(spans.months))
        return cls(as_of, spans, limits, min(edges))


def household_dates(household: Household, anchors: Iterable[date | None] = ()) -> list[date]:
    """Every date of the household a window can gain or lose, sorted, once each."""
    found: set[date] = {day for day in anchors if day is not None}
    add = found.add
    for member in household.members:
        if member.start_date is not None:
            add(member.start_date)
        if member.end_date is not None:
            # In the household up to and including its end date.
            add(member.end_date + _ONE_DAY)
    for fact in household.facts:
        add(fact.date)
        if fact.end_date is not None:
            add(fact.end_date)
            add(fact.end_date + _ONE_DAY)
        data = fact.data
        if data:
            for key in DATA_DATES:
                # As ``Fact.date_in`` reads it.
                value = data.get(key)
                if isinstance(value, date):
                    add(value)
                elif isinstance(value, str) and value:
                    add(date.fromisoformat(value))
    return sorted(found)


def stable_until(
    household: Household, horizon: Horizon, anchors: Iterable[date | None] = ()
) -> date:
    """The last day on which an answer given on ``horizon.as_of`` is sure to be given
    again, if the household and its evidence do not change (see the module's note)."""
    as_of = horizon.as_of
    dates = household_dates(household, anchors)
    edges = [horizon.calendar_edge]
    # A date still to come enters every window on that day.
    later = bisect.bisect_right(dates, as_of)
    if later < len(dates):
        edges.append(dates[later])
    # A past date leaves "the last N months" on a known day; the earliest such date still
    # inside leaves first (the day it leaves grows with the date).
    for months, limit in horizon.month_limits:
        index = bisect.bisect_right(dates, limit)
        if index < len(dates) and dates[index] <= as_of:
            edges.append(_leaves_month_window(dates[index], months))
    # "N weeks (days) after" a date: a day early, whichever way a rule counts the end.
    for length in [7 * w for w in horizon.spans.weeks] + list(horizon.spans.days):
        index = bisect.bisect_right(dates, as_of - timedelta(days=length) + _ONE_DAY)
        if index < len(dates) and dates[index] <= as_of:
            edges.append(dates[index] + timedelta(days=length - 1))
    for member in household.members:
        edges.append(_next_birthday(member.date_of_birth, as_of))
    return max(as_of, min(edges) - _ONE_DAY)
