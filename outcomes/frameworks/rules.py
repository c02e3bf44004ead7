"""One entry point to every framework's rule, by framework code."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from outcomes.frameworks import sf2022, sf2022_results, tf1, tf1_results, tf2, tf2_results
from outcomes.frameworks.base import CriteriaParameters
from outcomes.frameworks.results import Results
from outcomes.frameworks.types import Household, ParameterError, RuleResult


@dataclass(frozen=True)
class FrameworkRules:
    code: str
    default_parameters: Callable[[], dict[str, Any]]
    parse_parameters: Callable[[Any], CriteriaParameters]
    assess: Callable[[Household, CriteriaParameters, date], RuleResult]
    summarise: Callable[[CriteriaParameters, set[str], bool], str]


RULES: dict[str, FrameworkRules] = {
    module.CODE: FrameworkRules(
        module.CODE,
        module.default_parameters,
        module.parse_parameters,
        module.assess,
        module.summarise,
    )
    for module in (tf1, tf2, sf2022)
}


def rules_for(framework: str) -> FrameworkRules:
    try:
        return RULES[framework]
    except KeyError:
        raise ParameterError(f"Unknown framework {framework!r}") from None


def assess(
    framework: str, household: Household, parameters: CriteriaParameters, as_of: date
) -> RuleResult:
    return rules_for(framework).assess(household, parameters, as_of)


@dataclass(frozen=True)
class ResultRules:
    """A framework's result rules (DOMAIN.md 4.1-4.3): its ``results`` parameters
    (defaults, parsing) and the rule itself."""

    code: str
    default_parameters: Callable[[], dict[str, Any]]
    parse_parameters: Callable[[Any], Any]
    lookback_start: Callable[[Any, date], date]
    results: Callable[..., Results]


RESULT_RULES: dict[str, ResultRules] = {
    module.CODE: ResultRules(
        module.CODE,
        module.default_parameters,
        module.parse_parameters,
        module.lookback_start,
        module.results,
    )
    for module in (tf1_results, tf2_results, sf2022_results)
}


def result_rules_for(framework: str) -> ResultRules:
    try:
        return RESULT_RULES[framework]
    except KeyError:
        raise ParameterError(f"No result rules for framework {framework!r}") from None
