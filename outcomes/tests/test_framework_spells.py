"""Spells of children's social care and of health needs (DOMAIN.md 4.3), through sf2022's
default indicators: which spells count, and the words each finding is given.

Assessment date 15 August 2025: the last twelve months run from 16 August 2024, the day
after the same date twelve months back (DOMAIN.md 4.0), to 15 August 2025.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from outcomes.frameworks import sf2022
from outcomes.frameworks.types import Fact
from tests.support.frameworks import fact, household, member

AS_OF = date(2025, 8, 15)
PARAMS = sf2022.parse_parameters(sf2022.default_parameters())

JORDAN = member("Jordan", "2011-01-10")
SAM = member("Sam", "2016-06-01")
ALEX = member("Alex", "1990-05-05")


@dataclass
class Case:
    name: str
    facts: list[Fact]
    criterion: str
    # The findings in words; empty when the criterion is not met.
    reasons: tuple[str, ...]


CASES = [
    Case(
        "an open mental health need counts",
        [fact("health", "Alex", "2025-01-10", need="mental_health")],
        "health",
        ("Alex (35): mental health need since 10 January 2025",),
    ),
    Case(
        "one person's spells are one finding, each spell named",
        [
            fact("health", "Alex", "2024-03-01", "2024-10-01", need="physical_health"),
            fact("health", "Alex", "2025-02-02", need="mental_health"),
        ],
        "health",
        (
            "Alex (35): physical health need from 1 March 2024 to 1 October 2024; "
            "mental health need since 2 February 2025",
        ),
    ),
    Case(
        "a need that ended before the window does not count",
        [fact("health", "Alex", "2023-01-01", "2024-08-14", need="mental_health")],
        "health",
        (),
    ),
    Case(
        "a need that ended exactly 12 months ago, the day before the window, does not count",
        [fact("health", "Alex", "2023-01-01", "2024-08-15", need="mental_health")],
        "health",
        (),
    ),
    Case(
        "a need that ended on the window's first day counts",
        [fact("health", "Alex", "2023-01-01", "2024-08-16", need="mental_health")],
        "health",
        ("Alex (35): mental health need from 1 January 2023 to 16 August 2024",),
    ),
    Case(
        "a need another headline lists does not count here",
        [fact("health", "Alex", "2025-01-10", need="substance_misuse")],
        "health",
        (),
    ),
    Case(
        "substance misuse is a headline of its own",
        [fact("health", "Alex", "2025-01-10", need="substance_misuse")],
        "substance_use",
        ("Alex (35): substance misuse need since 10 January 2025",),
    ),
    Case(
        "a child protection episode counts",
        [fact("social_care", "Jordan", "2025-03-01", status="child_protection")],
        "child_safety",
        ("Jordan (14): child protection since 1 March 2025",),
    ),
    Case(
        "early help is not a child safety episode",
        [fact("social_care", "Jordan", "2025-03-01", status="early_help")],
        "child_safety",
        (),
    ),
    Case(
        "each child is a finding of their own",
        [
            fact("social_care", "Jordan", "2024-09-01", "2025-01-31", status="child_in_need"),
            fact("social_care", "Sam", "2025-05-05", status="looked_after"),
        ],
        "child_safety",
        (
            "Jordan (14): child in need from 1 September 2024 to 31 January 2025",
            "Sam (9): looked after since 5 May 2025",
        ),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_spells_found_and_their_words(case: Case) -> None:
    result = sf2022.assess(household(JORDAN, SAM, ALEX, facts=case.facts), PARAMS, AS_OF)

    criterion = result.criterion(case.criterion)
    assert criterion.met is bool(case.reasons)
    if case.reasons:
        assert criterion.reasons == case.reasons
        assert criterion.evidence == sorted(f.id for f in case.facts)
