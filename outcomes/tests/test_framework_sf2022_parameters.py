"""sf2022's parameters as a programme manager saves them (DOMAIN.md 4.3, "configurable as
data like the Outcome Plan"): what is refused, with the reason, and the edges that are
still allowed. Pure: no database."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from outcomes.frameworks import sf2022
from outcomes.frameworks.types import ParameterError

Change = Callable[[dict[str, Any]], Any]


def _set(path: str, value: Any) -> Change:
    """A change to the default parameters: ``path`` is dotted, list positions as numbers
    ("criteria.education.0.percent")."""

    def change(params: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = params
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target[part]
        if isinstance(target, list):
            target[int(last)] = value
        else:
            target[last] = value

    return change


def _drop(path: str) -> Change:
    def change(params: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = params
        for part in parents:
            target = target[part]
        del target[last]

    return change


REFUSED: list[tuple[str, Change, str]] = [
    # Empty and missing
    ("no criteria at all", _drop("criteria"), "Parameters need a 'criteria' object"),
    ("a headline with no indicators", _set("criteria.housing", []), "criteria.housing needs"),
    ("a headline left out", _drop("criteria.early_years"), "criteria.early_years needs"),
    ("a headline sf2022 lacks", _set("criteria.work", []), "sf2022 has no criterion 'work'"),
    ("codes emptied", _set("criteria.health.0.codes", []), "choose at least one code"),
    ("a code of another kind", _set("criteria.health.0.codes", ["JSA"]), "unknown code 'JSA'"),
    # How many headlines a family needs
    (
        "no headline needed",
        _set("eligibility.min_needs", 0),
        "min_needs must be a whole number from 1 to 10",
    ),
    ("a negative number needed", _set("eligibility.min_needs", -1), "from 1 to 10"),
    ("more headlines than there are", _set("eligibility.min_needs", 11), "from 1 to 10"),
    ("a fraction of a headline", _set("eligibility.min_needs", 2.5), "from 1 to 10"),
    ("a yes for a number", _set("eligibility.min_needs", True), "from 1 to 10"),
    # Thresholds
    ("no absence at all", _set("criteria.education.0.percent", 0), "percent must be more than 0"),
    ("negative absence", _set("criteria.education.0.percent", -5), "percent must be more than 0"),
    ("more than all sessions", _set("criteria.education.0.percent", 100.5), "at most 100"),
    (
        "absence that is not a number",
        _set("criteria.education.0.percent", "NaN"),
        "must be a number",
    ),
    ("absence without end", _set("criteria.education.0.percent", "Infinity"), "must be a number"),
    ("no exclusions", _set("criteria.education.1.count", 0), "count must be from 1 to 100"),
    ("negative call-outs", _set("criteria.family_relationships.0.count", -1), "from 1 to 100"),
    ("too many call-outs", _set("criteria.family_relationships.0.count", 101), "from 1 to 100"),
    ("a negative age", _set("criteria.crime.0.min_age", -1), "min_age must be from 0 to 120"),
    (
        "youngest above oldest",
        _set("criteria.early_years.0.min_age", 5),
        "min_age is above max_age",
    ),
    # Windows
    ("a window of no months", _set("criteria.crime.0.months", 0), "months must be from 1 to 60"),
    ("a negative window", _set("criteria.housing.0.months", -12), "months must be from 1 to 60"),
    ("a window over 5 years", _set("criteria.housing.0.months", 61), "months must be from 1 to 60"),
    ("a window in words", _set("criteria.housing.0.months", "12"), "must be a whole number"),
    ("no terms", _set("criteria.education.0.terms", 0), "terms must be from 1 to 9"),
    ("too many terms", _set("criteria.education.1.terms", 10), "terms must be from 1 to 9"),
]


@pytest.mark.parametrize(
    ("change", "message"),
    [pytest.param(change, message, id=name) for name, change, message in REFUSED],
)
def test_parameters_no_council_could_mean_are_refused_with_the_reason(
    change: Change, message: str
) -> None:
    params = sf2022.default_parameters()
    change(params)

    with pytest.raises(ParameterError, match=message):
        sf2022.parse_parameters(params)


ALLOWED: list[tuple[str, Change, Callable[[Any], Any], Any]] = [
    (
        "one headline needed",
        _set("eligibility.min_needs", 1),
        lambda p: p.eligibility,
        {"min_needs": 1},
    ),
    (
        "all ten needed",
        _set("eligibility.min_needs", 10),
        lambda p: p.eligibility,
        {"min_needs": 10},
    ),
    (
        "the smallest absence",
        _set("criteria.education.0.percent", 0.1),
        lambda p: str(p.criteria["education"][0].percent),
        "0.1",
    ),
    (
        "every session",
        _set("criteria.education.0.percent", 100),
        lambda p: str(p.criteria["education"][0].percent),
        "100",
    ),
    (
        "a one-month window",
        _set("criteria.housing.0.months", 1),
        lambda p: p.criteria["housing"][0].months,
        1,
    ),
    (
        "a five-year window",
        _set("criteria.housing.0.months", 60),
        lambda p: p.criteria["housing"][0].months,
        60,
    ),
    (
        "one term",
        _set("criteria.education.0.terms", 1),
        lambda p: p.criteria["education"][0].terms,
        1,
    ),
    (
        "nine terms",
        _set("criteria.education.0.terms", 9),
        lambda p: p.criteria["education"][0].terms,
        9,
    ),
    (
        "a newborn only",
        _set("criteria.crime.0.max_age", 0),
        lambda p: p.criteria["crime"][0].max_age,
        0,
    ),
    (
        "the same youngest and oldest",
        _set("criteria.early_years.0.min_age", 4),
        lambda p: p.criteria["early_years"][0].min_age,
        4,
    ),
]


@pytest.mark.parametrize(
    ("change", "read", "expected"),
    [pytest.param(change, read, expected, id=name) for name, change, read, expected in ALLOWED],
)
def test_edge_values_are_allowed(change: Change, read: Callable[[Any], Any], expected: Any) -> None:
    params = sf2022.default_parameters()
    change(params)

    assert read(sf2022.parse_parameters(params)) == expected


def test_defaults_are_valid_and_survive_a_round_trip() -> None:
    parsed = sf2022.parse_parameters(sf2022.default_parameters())

    again = sf2022.parse_parameters(copy.deepcopy(parsed.to_json()))

    assert again == parsed
    assert parsed.eligibility == {"min_needs": 3}
    assert len(parsed.criteria) == 10
