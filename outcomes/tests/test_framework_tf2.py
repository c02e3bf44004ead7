"""tf2 with the default Outcome Plan (DOMAIN.md 4.2): each problem's indicators, the
"2 of 6 and a dependent child" rule, and plans edited by a programme manager."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from outcomes.frameworks import tf2
from outcomes.frameworks.types import Fact, Member, ParameterError
from tests.support.frameworks import attendance, fact, household, member

AS_OF = date(2025, 8, 15)
PARAMS = tf2.parse_parameters(tf2.default_parameters())
JORDAN = member("Jordan", "2011-01-10")  # 14
ALEX = member("Alex", "1990-05-05")  # 35


def _callouts(n: int, category: str = "other", start_month: int = 1) -> list[Fact]:
    return [
        fact("police_callouts", "Alex", f"2025-{start_month + i:02d}-03", category=category)
        for i in range(n)
    ]


@pytest.mark.parametrize(
    ("name", "facts", "problem", "met"),
    [
        (
            "offence by a 10-17 year old",
            [fact("offences", "Jordan", "2025-02-01", outcome="proven", outcome_date="2025-03-01")],
            "crime",
            True,
        ),
        (
            "offence by an adult is not this indicator",
            [fact("offences", "Alex", "2025-02-01", outcome="proven", outcome_date="2025-03-01")],
            "crime",
            False,
        ),
        ("3 police call-outs in 12 months", _callouts(3), "crime", True),
        ("2 police call-outs in 12 months", _callouts(2), "crime", False),
        (
            "ASB injunction",
            [fact("asb", "Alex", "2025-02-01", intervention="injunction")],
            "crime",
            True,
        ),
        (
            "absence 10% over 3 terms",
            [attendance("Jordan", d, 100, 10) for d in ("2024-09-01", "2025-01-01", "2025-04-01")],
            "education",
            True,
        ),
        (
            "absence 9% over 3 terms",
            [attendance("Jordan", d, 100, 9) for d in ("2024-09-01", "2025-01-01", "2025-04-01")],
            "education",
            False,
        ),
        (
            "section 47 enquiry",
            [fact("social_care", "Jordan", "2025-03-01", "2025-04-01", status="section_47")],
            "children_in_need",
            True,
        ),
        (
            "early help open",
            [fact("social_care", "Jordan", "2025-03-01", status="early_help")],
            "children_in_need",
            True,
        ),
        (
            "looked after is not in the default plan",
            [fact("social_care", "Jordan", "2025-03-01", status="looked_after")],
            "children_in_need",
            False,
        ),
        (
            "out-of-work benefit",
            [fact("benefits", "Alex", "2024-03-01", benefit="ESA")],
            "worklessness",
            True,
        ),
        (
            "rent arrears not cleared",
            [fact("housing", "Alex", "2025-03-01", event="rent_arrears")],
            "worklessness",
            True,
        ),
        (
            "rent arrears since cleared",
            [
                fact("housing", "Alex", "2025-03-01", event="rent_arrears"),
                fact("housing", "Alex", "2025-05-01", event="arrears_cleared"),
            ],
            "worklessness",
            False,
        ),
        (
            "NEET 17 year old",
            [fact("neet", "Sam", "2025-01-01", status="neet")],
            "worklessness",
            True,
        ),
        (
            "domestic abuse witness",
            [fact("domestic_abuse", "Jordan", "2025-03-01", role="witness", marac=False)],
            "domestic_abuse",
            True,
        ),
        (
            "MARAC referral",
            [fact("domestic_abuse", "Alex", "2025-03-01", role="other", marac=True)],
            "domestic_abuse",
            True,
        ),
        ("domestic abuse police call-out", _callouts(1, "domestic_abuse"), "domestic_abuse", True),
        (
            "domestic abuse 13 months ago",
            [fact("domestic_abuse", "Alex", "2024-07-01", role="victim", marac=True)],
            "domestic_abuse",
            False,
        ),
        (
            "perinatal need",
            [fact("health", "Alex", "2025-05-01", need="perinatal", engaged=True)],
            "health",
            True,
        ),
        (
            "physical health only is not in the default plan",
            [fact("health", "Alex", "2025-05-01", need="physical_health", engaged=True)],
            "health",
            False,
        ),
    ],
)
def test_tf2_problem(name: str, facts: list[Fact], problem: str, met: bool) -> None:
    family = household(JORDAN, ALEX, member("Sam", "2008-02-01"), facts=facts)

    result = tf2.assess(family, PARAMS, AS_OF)

    assert result.criterion(problem).met is met, result.criterion(problem).reasons


TWO_PROBLEMS = [
    fact("benefits", "Alex", "2024-03-01", benefit="JSA"),
    fact("health", "Alex", "2025-05-01", need="mental_health", engaged=False),
]


@pytest.mark.parametrize(
    ("members", "facts", "eligible", "summary"),
    [
        ([JORDAN, ALEX], TWO_PROBLEMS, True, "Eligible: 2 of 6 problems and a dependent child"),
        (
            [JORDAN, ALEX],
            TWO_PROBLEMS[:1],
            False,
            "Not eligible: 1 of 6 problems (at least 2 needed)",
        ),
        ([ALEX], TWO_PROBLEMS, False, "Not eligible: 2 of 6 problems, but no dependent child"),
        ([member("Sam", "2008-02-01"), ALEX], TWO_PROBLEMS, True, "Eligible"),
        (
            [member("Sam", "2008-02-01"), ALEX],
            [*TWO_PROBLEMS, fact("employment", "Sam", "2025-06-01", hours_per_week=30)],
            False,
            "Not eligible: 2 of 6 problems, but no dependent child",
        ),
        ([member("Lee", "2006-08-01"), ALEX], TWO_PROBLEMS, False, "Not eligible"),
    ],
    ids=[
        "child of 14",
        "one problem",
        "adults only",
        "17 not in work",
        "17 in work",
        "19 year old",
    ],
)
def test_tf2_needs_two_problems_and_a_dependent_child(
    members: list[Member], facts: list[Fact], eligible: bool, summary: str
) -> None:
    result = tf2.assess(household(*members, facts=facts), PARAMS, AS_OF)

    assert result.eligible is eligible
    assert result.summary.startswith(summary)


def test_an_edited_plan_changes_who_is_identified() -> None:
    family = household(JORDAN, ALEX, facts=[*_callouts(2), *TWO_PROBLEMS[:1]])
    plan = tf2.default_parameters()
    plan["criteria"]["crime"] = [
        {"kind": "police_callouts", "count": 2, "months": 12, "codes": ["other"]}
    ]

    before = tf2.assess(family, PARAMS, AS_OF)
    after = tf2.assess(family, tf2.parse_parameters(plan), AS_OF)

    assert (before.eligible, after.eligible) == (False, True)
    assert after.criterion("crime").reasons == (
        "The household had 2 police call-outs in the last 12 months (other: 2)",
    )


def test_a_shorter_window_drops_older_evidence() -> None:
    family = household(
        JORDAN, ALEX, facts=[fact("asb", "Alex", "2025-01-10", intervention="order")]
    )
    plan = tf2.default_parameters()
    plan["criteria"]["crime"] = [{"kind": "asb_intervention", "months": 6, "codes": ["order"]}]

    result = tf2.assess(family, tf2.parse_parameters(plan), AS_OF)

    assert result.criterion("crime").met is False
    assert result.criterion("crime").reasons == (
        "No anti-social behaviour intervention (anti-social behaviour order) in the last 6 months",
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda p: p["criteria"].update(crime=[]), "criteria.crime needs at least one indicator"),
        (
            lambda p: p["criteria"].update(crime=[{"kind": "tea_leaves"}]),
            "unknown indicator kind 'tea_leaves'",
        ),
        (lambda p: p["criteria"]["crime"][0].update(months=0), "months must be from 1 to 60"),
        (
            lambda p: p["criteria"]["education"][0].update(percent=101),
            "percent must be more than 0 and at most 100",
        ),
        (lambda p: p["criteria"]["crime"][2].update(codes=[]), "choose at least one code"),
        (lambda p: p["criteria"]["crime"][2].update(codes=["noise"]), "unknown code 'noise'"),
        (
            lambda p: p["criteria"]["crime"][0].update(min_age=18, max_age=10),
            "min_age is above max_age",
        ),
        (lambda p: p["criteria"]["crime"][0].update(colour="red"), "has no setting 'colour'"),
        (lambda p: p["criteria"].update(weather=[]), "tf2 has no criterion 'weather'"),
        (lambda p: p["eligibility"].update(min_problems=7), "eligibility.min_problems must be"),
    ],
)
def test_unusable_plans_are_refused_with_the_reason(
    change: Callable[[dict[str, Any]], object], message: str
) -> None:
    plan = tf2.default_parameters()
    change(plan)

    with pytest.raises(ParameterError, match=message):
        tf2.parse_parameters(plan)


def test_a_plan_round_trips_through_its_json() -> None:
    assert PARAMS.to_json() == tf2.parse_parameters(PARAMS.to_json()).to_json()
    assert tf2.parse_parameters(PARAMS.to_json()) == PARAMS
