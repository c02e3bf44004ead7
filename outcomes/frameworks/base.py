"""What the three framework modules share: criteria as lists of indicators, parsed from
a framework version's JSON and evaluated against one household on one date."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from outcomes.frameworks.indicators import (
    Context,
    Indicator,
    indicators_from_json,
    lookback_start,
)
from outcomes.frameworks.registry import CRITERIA
from outcomes.frameworks.types import (
    CriterionResult,
    Hit,
    Household,
    HouseholdRules,
    ParameterError,
)


@dataclass(frozen=True)
class CriteriaParameters:
    """A framework version's parameters: household definitions, each criterion's
    indicators, and the numbers its eligibility rule uses."""

    framework: str
    household: HouseholdRules
    criteria: Mapping[str, tuple[Indicator, ...]]
    eligibility: Mapping[str, int]

    def indicators(self) -> list[Indicator]:
        return [ind for group in self.criteria.values() for ind in group]

    def lookback_start(self, as_of: date) -> date:
        return lookback_start(as_of, self.indicators())

    def to_json(self) -> dict[str, Any]:
        return {
            "household": self.household.to_json(),
            "criteria": {
                code: [ind.to_json() for ind in self.criteria[code]]
                for code, _ in CRITERIA[self.framework]
            },
            "eligibility": dict(self.eligibility),
        }


def parse_criteria_parameters(
    framework: str,
    data: Any,
    eligibility_defaults: Mapping[str, int],
    *,
    allow_empty: frozenset[str] = frozenset(),
    eligibility_min: int = 0,
) -> CriteriaParameters:
    """Parse and check a version's JSON; ``ParameterError`` says what is wrong. Each
    eligibility number is from ``eligibility_min`` to the number of criteria."""
    if not isinstance(data, Mapping):
        raise ParameterError("Parameters must be an object")
    raw_criteria = data.get("criteria")
    if not isinstance(raw_criteria, Mapping):
        raise ParameterError("Parameters need a 'criteria' object")
    codes = [code for code, _ in CRITERIA[framework]]
    unknown = set(raw_criteria) - set(codes)
    if unknown:
        raise ParameterError(f"{framework} has no criterion {sorted(unknown)[0]!r}")
    criteria: dict[str, tuple[Indicator, ...]] = {}
    for code in codes:
        indicators = indicators_from_json(raw_criteria.get(code, []), f"criteria.{code}")
        if not indicators and code not in allow_empty:
            raise ParameterError(f"criteria.{code} needs at least one indicator")
        criteria[code] = indicators
    raw_eligibility = data.get("eligibility", {})
    if not isinstance(raw_eligibility, Mapping):
        raise ParameterError("eligibility must be an object")
    eligibility: dict[str, int] = {}
    for name, default in eligibility_defaults.items():
        value = raw_eligibility.get(name, default)
        low, high = eligibility_min, len(codes)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ParameterError(f"eligibility.{name} must be a whole number from {low} to {high}")
        eligibility[name] = value
    return CriteriaParameters(
        framework=framework,
        household=HouseholdRules.from_json(data.get("household")),
        criteria=criteria,
        eligibility=eligibility,
    )


def evaluate_criteria(
    params: CriteriaParameters, household: Household, as_of: date
) -> tuple[Context, list[CriterionResult]]:
    """Every criterion of the framework: met when any of its indicators finds
    something; its reasons are the findings, or what was looked for and not found."""
    from outcomes.frameworks.indicators import KINDS

    ctx = Context(
        members=household.members, facts=household.facts, rules=params.household, as_of=as_of
    )
    results = []
    for code, label in CRITERIA[params.framework]:
        hits: list[Hit] = []
        misses: list[str] = []
        for indicator in params.criteria[code]:
            kind = KINDS[indicator.kind]
            found = kind.evaluate(indicator, ctx)
            if found:
                hits.extend(found)
            else:
                misses.append(kind.miss(indicator, ctx))
        met = bool(hits)
        reasons = tuple(h.reason for h in hits) if met else tuple(misses)
        results.append(
            CriterionResult(code=code, label=label, met=met, reasons=reasons, hits=tuple(hits))
        )
    return ctx, results


def plural(n: int, one: str, many: str) -> str:
    return one if n == 1 else many
