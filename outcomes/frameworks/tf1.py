"""Troubled Families phase 1 (2012): ``tf1`` (DOMAIN.md 4.1).

Three national criteria (crime/ASB, education, work) and a configurable local discretion
criterion. Eligible with all three national criteria, or two of them plus a local one.
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

CODE = "tf1"
NATIONAL = ("crime_asb", "education", "work")
ELIGIBILITY_DEFAULTS = {"national_with_local": 2}


def default_parameters() -> dict[str, Any]:
    """Version 1 as the national guidance set it; councils' local criteria vary."""
    return {
        "household": HouseholdRules().to_json(),
        "criteria": {
            "crime_asb": [
                {"kind": "proven_offence", "months": 12, "min_age": None, "max_age": 17},
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
            ],
            "education": [
                {"kind": "exclusions", "count": 3, "terms": 3},
                {"kind": "unauthorised_absence", "percent": 15, "terms": 3},
            ],
            "work": [
                {
                    "kind": "out_of_work_benefit",
                    "codes": ["JSA", "ESA", "IB", "IS", "CA", "SDA", "UC"],
                },
            ],
            "local": [
                {"kind": "domestic_abuse", "months": 12, "codes": ["victim", "perpetrator"]},
                {
                    "kind": "children_social_care",
                    "months": 12,
                    "codes": ["child_in_need", "child_protection", "section_47"],
                },
                {
                    "kind": "health_need",
                    "months": 12,
                    "codes": ["mental_health", "substance_misuse"],
                    "min_age": None,
                    "max_age": None,
                },
                {
                    "kind": "housing_event",
                    "months": 12,
                    "codes": ["eviction", "homeless", "temporary_accommodation"],
                },
            ],
        },
        "eligibility": dict(ELIGIBILITY_DEFAULTS),
    }


def parse_parameters(data: Any) -> CriteriaParameters:
    return parse_criteria_parameters(
        CODE, data, ELIGIBILITY_DEFAULTS, allow_empty=frozenset({"local"})
    )


def assess(household: Household, params: CriteriaParameters, as_of: date) -> RuleResult:
    """All 3 national criteria, or ``national_with_local`` (2) of them plus at least one
    local discretion criterion. Each criterion counts once per family."""
    _, results = evaluate_criteria(params, household, as_of)
    met = {r.code for r in results if r.met}
    national = sum(1 for code in NATIONAL if code in met)
    needed = params.eligibility["national_with_local"]
    eligible = national == len(NATIONAL) or (national >= needed and "local" in met)
    return RuleResult(CODE, as_of, eligible, tuple(results), summarise(params, met, eligible))


def summarise(params: CriteriaParameters, met: set[str], eligible: bool) -> str:
    """The eligibility decision in one sentence, from which criteria were met."""
    national = sum(1 for code in NATIONAL if code in met)
    local = "local" in met
    if eligible and national == len(NATIONAL):
        return "Eligible: meets all 3 national criteria"
    if eligible:
        return f"Eligible: meets {national} of 3 national criteria and a local criterion"
    needed = params.eligibility["national_with_local"]
    return (
        f"Not eligible: meets {national} of 3 national criteria"
        f"{' and a local criterion' if local else ''} (needs all 3, or {needed} and a "
        "local criterion)"
    )
