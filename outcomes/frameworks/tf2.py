"""Troubled Families phase 2 (2015): ``tf2``, with the council's local Troubled Families
Outcome Plan (DOMAIN.md 4.2).

Six headline problems, each identified by the indicators the Outcome Plan lists (the
parameters a programme manager edits). Eligible with at least 2 of the 6 and a
dependent child.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from outcomes.frameworks.base import (
    CriteriaParameters,
    evaluate_criteria,
    parse_criteria_parameters,
)
from outcomes.frameworks.types import Household, HouseholdRules, RuleResult

CODE = "tf2"
ELIGIBILITY_DEFAULTS = {"min_problems": 2}


def default_parameters() -> dict[str, Any]:
    """A starting Outcome Plan built from the national guidance's examples."""
    return {
        "household": HouseholdRules().to_json(),
        "criteria": {
            "crime": [
                {"kind": "proven_offence", "months": 12, "min_age": 10, "max_age": 17},
                {
                    "kind": "asb_intervention",
                    "months": 12,
                    "codes": [
                        "abc",
                        "injunction",
                        "order",
                        "notice_seeking_possession",
                        "eviction",
                    ],
                },
                {
                    "kind": "police_callouts",
                    "count": 3,
                    "months": 12,
                    "codes": ["domestic_abuse", "asb", "missing_person", "welfare", "other"],
                },
            ],
            "education": [
                {"kind": "unauthorised_absence", "percent": 10, "terms": 3},
                {"kind": "exclusions", "count": 3, "terms": 3},
            ],
            "children_in_need": [
                {
                    "kind": "children_social_care",
                    "months": 12,
                    "codes": ["child_in_need", "child_protection", "section_47"],
                },
                {"kind": "early_help", "months": 12, "min_age": None, "max_age": 17},
            ],
            "worklessness": [
                {
                    "kind": "out_of_work_benefit",
                    "codes": ["JSA", "ESA", "IB", "IS", "CA", "SDA", "UC"],
                },
                {"kind": "rent_arrears", "months": 12},
                {"kind": "neet", "min_age": 16, "max_age": 18},
            ],
            "domestic_abuse": [
                {
                    "kind": "domestic_abuse",
                    "months": 12,
                    "codes": ["victim", "perpetrator", "witness"],
                },
                {"kind": "police_callouts", "count": 1, "months": 12, "codes": ["domestic_abuse"]},
            ],
            "health": [
                {
                    "kind": "health_need",
                    "months": 12,
                    "codes": ["mental_health", "substance_misuse", "perinatal"],
                    "min_age": None,
                    "max_age": None,
                },
            ],
        },
        "eligibility": dict(ELIGIBILITY_DEFAULTS),
    }


def parse_parameters(data: Any) -> CriteriaParameters:
    return parse_criteria_parameters(CODE, data, ELIGIBILITY_DEFAULTS)


def assess(household: Household, params: CriteriaParameters, as_of: date) -> RuleResult:
    """At least ``min_problems`` (2) of the six problems, and a dependent child."""
    ctx, results = evaluate_criteria(params, household, as_of)
    met = {r.code for r in results if r.met}
    eligible = len(met) >= params.eligibility["min_problems"] and ctx.has_dependent_child()
    return RuleResult(CODE, as_of, eligible, tuple(results), summarise(params, met, eligible))


def summarise(params: CriteriaParameters, met: set[str], eligible: bool) -> str:
    """The eligibility decision in one sentence; a family with enough problems that is
    not eligible has no dependent child."""
    needed = params.eligibility["min_problems"]
    if eligible:
        return f"Eligible: {len(met)} of 6 problems and a dependent child"
    if len(met) < needed:
        return f"Not eligible: {len(met)} of 6 problems (at least {needed} needed)"
    return f"Not eligible: {len(met)} of 6 problems, but no dependent child in the household"
