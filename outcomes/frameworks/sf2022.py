"""Supporting Families (2022): ``sf2022`` (DOMAIN.md 4.3).

Ten headline outcomes. A family qualifies with needs under at least 3 different
headlines (configurable) and dependent children or an expectant parent.
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

CODE = "sf2022"
ELIGIBILITY_DEFAULTS = {"min_needs": 3}


def default_parameters() -> dict[str, Any]:
    """Indicators for each headline from the feeds OnePlan receives."""
    return {
        "household": HouseholdRules().to_json(),
        "criteria": {
            "education": [
                {"kind": "unauthorised_absence", "percent": 10, "terms": 3},
                {"kind": "exclusions", "count": 3, "terms": 3},
                {"kind": "neet", "min_age": 16, "max_age": 18},
            ],
            "early_years": [
                {"kind": "early_help", "months": 12, "min_age": None, "max_age": 4},
                {
                    "kind": "health_need",
                    "months": 12,
                    "codes": ["perinatal"],
                    "min_age": None,
                    "max_age": None,
                },
            ],
            "health": [
                {
                    "kind": "health_need",
                    "months": 12,
                    "codes": ["mental_health", "physical_health"],
                    "min_age": None,
                    "max_age": None,
                },
            ],
            "substance_use": [
                {
                    "kind": "health_need",
                    "months": 12,
                    "codes": ["substance_misuse"],
                    "min_age": None,
                    "max_age": None,
                },
            ],
            "family_relationships": [
                {
                    "kind": "police_callouts",
                    "count": 2,
                    "months": 12,
                    "codes": ["welfare", "other"],
                },
            ],
            "child_safety": [
                {
                    "kind": "children_social_care",
                    "months": 12,
                    "codes": ["child_in_need", "child_protection", "section_47", "looked_after"],
                },
                {"kind": "police_callouts", "count": 1, "months": 12, "codes": ["missing_person"]},
            ],
            "crime": [
                {"kind": "proven_offence", "months": 12, "min_age": None, "max_age": None},
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
            "domestic_abuse": [
                {
                    "kind": "domestic_abuse",
                    "months": 12,
                    "codes": ["victim", "perpetrator", "witness"],
                },
                {"kind": "police_callouts", "count": 1, "months": 12, "codes": ["domestic_abuse"]},
            ],
            "housing": [
                {
                    "kind": "housing_event",
                    "months": 12,
                    "codes": [
                        "notice_seeking_possession",
                        "eviction",
                        "homeless",
                        "temporary_accommodation",
                    ],
                },
            ],
            "financial_stability": [
                {
                    "kind": "out_of_work_benefit",
                    "codes": ["JSA", "ESA", "IB", "IS", "CA", "SDA", "UC"],
                },
                {"kind": "rent_arrears", "months": 12},
            ],
        },
        "eligibility": dict(ELIGIBILITY_DEFAULTS),
    }


def parse_parameters(data: Any) -> CriteriaParameters:
    """A version's parameters, checked. At least one headline must be needed: with none,
    every household with children would qualify, which no council's framework means."""
    return parse_criteria_parameters(CODE, data, ELIGIBILITY_DEFAULTS, eligibility_min=1)


def assess(household: Household, params: CriteriaParameters, as_of: date) -> RuleResult:
    """Needs under at least ``min_needs`` (3) headlines, and dependent children or an
    expectant parent (an open perinatal need stands for one)."""
    ctx, results = evaluate_criteria(params, household, as_of)
    met = {r.code for r in results if r.met}
    household_fits = ctx.has_dependent_child() or ctx.is_expectant()
    eligible = len(met) >= params.eligibility["min_needs"] and household_fits
    return RuleResult(CODE, as_of, eligible, tuple(results), summarise(params, met, eligible))


def summarise(params: CriteriaParameters, met: set[str], eligible: bool) -> str:
    """The eligibility decision in one sentence; a family with enough needs that is not
    eligible has neither a dependent child nor an expectant parent."""
    needed = params.eligibility["min_needs"]
    if eligible:
        return (
            f"Eligible: needs under {len(met)} of 10 headlines, with dependent children or "
            "an expectant parent"
        )
    if len(met) < needed:
        return f"Not eligible: needs under {len(met)} of 10 headlines (at least {needed} needed)"
    return (
        f"Not eligible: needs under {len(met)} of 10 headlines, but no dependent child or "
        "expectant parent"
    )
