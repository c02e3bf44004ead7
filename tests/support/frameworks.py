"""Builders for rule tests: households and dated evidence in a line each.

Pure (no database), so framework tables read as data:
``household(child("Jordan", "2011-01-10"), facts=[fact("offences", "Jordan", ...)])``.
"""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from outcomes.frameworks.types import Fact, Household, Member

_ids = itertools.count(1)


def _day(value: str | date | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def member(
    given_name: str, born: str | date, *, person_id: int | None = None, left: str | None = None
) -> Member:
    born_on = _day(born)
    assert born_on is not None
    return Member(
        person_id=person_id if person_id is not None else _person_id(given_name),
        given_name=given_name,
        date_of_birth=born_on,
        start_date=date(2000, 1, 1),
        end_date=_day(left),
    )


def _person_id(given_name: str) -> int:
    # Stable per name within a test, so facts can name the person they are about.
    return int(sum(ord(c) * pow(31, n) for n, c in enumerate(given_name))) % 1_000_000 + 1


def fact(kind: str, who: str, day: str | date, end: str | date | None = None, **data: Any) -> Fact:
    on = _day(day)
    assert on is not None
    return Fact(
        id=next(_ids),
        person_id=_person_id(who),
        kind=kind,
        date=on,
        end_date=_day(end),
        data=data,
    )


def household(*members: Member, facts: list[Fact] | tuple[Fact, ...] = ()) -> Household:
    return Household(members=tuple(members), facts=tuple(facts))


def attendance(who: str, term_start: str, possible: int, unauthorised: int) -> Fact:
    start = date.fromisoformat(term_start)
    end = {9: date(start.year, 12, 31), 1: date(start.year, 3, 31), 4: date(start.year, 8, 31)}
    name = {9: "autumn", 1: "spring", 4: "summer"}[start.month]
    first = start.year if start.month == 9 else start.year - 1
    return fact(
        "school_attendance",
        who,
        start,
        end[start.month],
        academic_year=f"{first}/{str(first + 1)[2:]}",
        term=name,
        possible_sessions=possible,
        unauthorised_absence_sessions=unauthorised,
        authorised_absence_sessions=0,
    )
