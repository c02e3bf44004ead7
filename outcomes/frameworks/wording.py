"""Small helpers the rules share to read evidence and say what they found in plain
English: identification indicators (``checks``) and outcome measures (``measures``,
``measure_checks``) word the same things the same way. Pure: no ORM, no clock."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from outcomes.frameworks.dates import long_date
from outcomes.frameworks.types import Fact


def months_text(n: int) -> str:
    """ "month" or "6 months", to follow "the last"."""
    return "month" if n == 1 else f"{n} months"


def plural(n: int, one: str, many: str) -> str:
    """ "1 week", "13 weeks"."""
    return f"{n} {one if n == 1 else many}"


def percent_text(value: Decimal) -> str:
    """A percentage as a programme manager typed it: 10, not 10.00; 33.3 as 33.3."""
    return f"{value.normalize():f}"


def codes_text(codes: Iterable[str], labels: Mapping[str, str]) -> str:
    """The codes' labels as a list ending in "or": "eviction, homelessness or temporary
    accommodation" (a code without a label is shown as it is)."""
    names = [labels.get(c, c) for c in codes]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " or " + names[-1]


def dates_text(facts: Iterable[Fact]) -> str:
    """The facts' dates, in their order: "1 May 2025, 3 June 2025"."""
    return ", ".join(long_date(f.date) for f in facts)


def spell_text(fact: Fact) -> str:
    """A spell's dates: "since 1 June 2024" while open, "from ... to ..." once ended."""
    if fact.end_date is None:
        return f"since {long_date(fact.date)}"
    return f"from {long_date(fact.date)} to {long_date(fact.end_date)}"


def per_person(facts: Iterable[Fact]) -> dict[int, list[Fact]]:
    """The facts grouped by the person they are about, in the order first met."""
    grouped: dict[int, list[Fact]] = defaultdict(list)
    for fact in facts:
        grouped[fact.person_id].append(fact)
    return grouped


def is_yes(value: Any) -> bool:
    """A feed's yes/no column: "Y", "yes" or "true" (any case) or a true value."""
    if isinstance(value, str):
        return value.strip().upper() in ("Y", "YES", "TRUE")
    return bool(value)


def int_of(value: Any) -> int:
    """A feed's count column as a whole number; 0 when it is not one."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    try:
        return int(str(value))
    except ValueError:
        return 0
