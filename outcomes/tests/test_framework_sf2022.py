"""sf2022 (DOMAIN.md 4.3): the ten headlines, "at least 3 needs", and dependent children
or an expectant parent (an open perinatal need stands for one)."""

from __future__ import annotations

from datetime import date

import pytest

from outcomes.frameworks import sf2022
from outcomes.frameworks.types import Fact, Member
from tests.support.frameworks import attendance, fact, household, member

AS_OF = date(2025, 8, 15)
PARAMS = sf2022.parse_parameters(sf2022.default_parameters())
JORDAN = member("Jordan", "2011-01-10")
BABY = member("Bea", "2023-06-01")
ALEX = member("Alex", "1990-05-05")

HEADLINE_CASES: list[tuple[str, list[Fact], bool]] = [
    (
        "education",
        [attendance("Jordan", d, 100, 10) for d in ("2024-09-01", "2025-01-01", "2025-04-01")],
        True,
    ),
    (
        "education",
        [attendance("Jordan", d, 100, 9) for d in ("2024-09-01", "2025-01-01", "2025-04-01")],
        False,
    ),
    ("early_years", [fact("social_care", "Bea", "2025-01-01", status="early_help")], True),
    ("early_years", [fact("social_care", "Jordan", "2025-01-01", status="early_help")], False),
    ("health", [fact("health", "Alex", "2025-01-01", need="physical_health", engaged=True)], True),
    (
        "substance_use",
        [fact("health", "Alex", "2025-01-01", "2025-03-01", need="substance_misuse", engaged=True)],
        True,
    ),
    (
        "substance_use",
        [fact("health", "Alex", "2023-01-01", "2024-03-01", need="substance_misuse", engaged=True)],
        False,
    ),
    (
        "family_relationships",
        [
            fact("police_callouts", "Alex", d, category="welfare")
            for d in ("2025-01-01", "2025-02-01")
        ],
        True,
    ),
    (
        "family_relationships",
        [fact("police_callouts", "Alex", "2025-01-01", category="welfare")],
        False,
    ),
    ("child_safety", [fact("social_care", "Jordan", "2025-01-01", status="looked_after")], True),
    (
        "child_safety",
        [fact("police_callouts", "Jordan", "2025-01-01", category="missing_person")],
        True,
    ),
    (
        "crime",
        [fact("offences", "Alex", "2025-01-01", outcome="proven", outcome_date="2025-02-01")],
        True,
    ),
    (
        "domestic_abuse",
        [fact("domestic_abuse", "Alex", "2025-01-01", role="witness", marac=False)],
        True,
    ),
    ("housing", [fact("housing", "Alex", "2025-01-01", event="temporary_accommodation")], True),
    ("housing", [fact("housing", "Alex", "2025-01-01", event="rent_arrears")], False),
    ("financial_stability", [fact("housing", "Alex", "2025-01-01", event="rent_arrears")], True),
    (
        "financial_stability",
        [fact("benefits", "Alex", "2025-01-01", benefit="UC", out_of_work=False)],
        False,
    ),
]


@pytest.mark.parametrize(("headline", "facts", "met"), HEADLINE_CASES)
def test_sf2022_headline(headline: str, facts: list[Fact], met: bool) -> None:
    result = sf2022.assess(household(JORDAN, BABY, ALEX, facts=facts), PARAMS, AS_OF)

    assert result.criterion(headline).met is met, result.criterion(headline).reasons


THREE_NEEDS = [
    fact("housing", "Alex", "2025-01-01", event="eviction"),
    fact("benefits", "Alex", "2025-01-01", benefit="JSA"),
    fact("offences", "Alex", "2025-01-01", outcome="proven", outcome_date="2025-02-01"),
]
PERINATAL = fact("health", "Alex", "2025-06-01", need="perinatal", engaged=True)
PERINATAL_ENDED = fact("health", "Alex", "2025-01-01", "2025-06-01", need="perinatal", engaged=True)


@pytest.mark.parametrize(
    ("members", "facts", "eligible", "summary"),
    [
        (
            [JORDAN, ALEX],
            THREE_NEEDS,
            True,
            "Eligible: needs under 3 of 10 headlines, with dependent children or an",
        ),
        (
            [JORDAN, ALEX],
            THREE_NEEDS[:2],
            False,
            "Not eligible: needs under 2 of 10 headlines (at least 3 needed)",
        ),
        (
            [ALEX],
            THREE_NEEDS,
            False,
            "Not eligible: needs under 3 of 10 headlines, but no dependent child",
        ),
        (
            [ALEX],
            [*THREE_NEEDS[:2], PERINATAL],
            True,
            "Eligible: needs under 3 of 10 headlines",
        ),
        (
            [ALEX],
            [*THREE_NEEDS, PERINATAL_ENDED],
            False,
            "Not eligible: needs under 4 of 10 headlines, but no",
        ),
    ],
    ids=["children", "two needs", "no children", "expectant", "perinatal need ended"],
)
def test_sf2022_needs_three_headlines_and_children_or_expectant(
    members: list[Member], facts: list[Fact], eligible: bool, summary: str
) -> None:
    result = sf2022.assess(household(*members, facts=facts), PARAMS, AS_OF)

    assert result.eligible is eligible
    assert result.summary.startswith(summary)


def test_the_number_of_needs_is_a_parameter() -> None:
    data = sf2022.default_parameters()
    data["eligibility"]["min_needs"] = 4

    result = sf2022.assess(
        household(JORDAN, ALEX, facts=THREE_NEEDS), sf2022.parse_parameters(data), AS_OF
    )

    assert result.eligible is False
