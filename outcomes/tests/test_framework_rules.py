"""Shared rule machinery: registry codes, dates and terms, defaults, result JSON."""

from __future__ import annotations

import importlib
from datetime import date

import pytest

from outcomes.frameworks import dates
from outcomes.frameworks.indicators import KINDS, Indicator
from outcomes.frameworks.registry import CRITERIA
from outcomes.frameworks.rules import RULES, rules_for
from outcomes.frameworks.types import ParameterError
from tests.support.frameworks import fact, household, member


def test_criterion_codes_are_the_published_ones() -> None:
    assert {f: [c for c, _ in items] for f, items in CRITERIA.items()} == {
        "tf1": ["crime_asb", "education", "work", "local"],
        "tf2": [
            "crime",
            "education",
            "children_in_need",
            "worklessness",
            "domestic_abuse",
            "health",
        ],
        "sf2022": [
            "education",
            "early_years",
            "health",
            "substance_use",
            "family_relationships",
            "child_safety",
            "crime",
            "domestic_abuse",
            "housing",
            "financial_stability",
        ],
    }


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2025, 8, 15), 12, date(2024, 8, 15)),
        (date(2025, 5, 31), 3, date(2025, 2, 28)),
        (date(2024, 5, 31), 3, date(2024, 2, 29)),
        (date(2025, 1, 15), 1, date(2024, 12, 15)),
    ],
)
def test_months_before_clamps_to_the_end_of_the_month(
    day: date, months: int, expected: date
) -> None:
    assert dates.months_before(day, months) == expected


@pytest.mark.parametrize(
    ("as_of", "labels"),
    [
        (date(2025, 8, 15), ["autumn 2024", "spring 2025", "summer 2025"]),
        (date(2025, 9, 1), ["spring 2025", "summer 2025", "autumn 2025"]),
        (date(2025, 8, 31), ["autumn 2024", "spring 2025", "summer 2025"]),
        (date(2025, 1, 1), ["summer 2024", "autumn 2024", "spring 2025"]),
    ],
)
def test_last_terms_are_those_started_on_or_before_the_date(as_of: date, labels: list[str]) -> None:
    terms = dates.last_terms(as_of, 3)
    assert [t.label for t in terms][-len(labels) :] == labels
    assert all(t.start <= as_of for t in terms)


def test_term_ends() -> None:
    assert [t.end for t in dates.last_terms(date(2025, 8, 1), 3)] == [
        date(2024, 12, 31),
        date(2025, 3, 31),
        date(2025, 8, 31),
    ]


def test_migration_seeds_the_current_defaults_as_version_1() -> None:
    migration = importlib.import_module("outcomes.migrations.0002_framework_defaults")
    for code, rules in RULES.items():
        assert migration.V1_PARAMETERS[code] == rules.default_parameters(), code
        rules.parse_parameters(migration.V1_PARAMETERS[code])


def test_every_menu_kind_describes_itself_and_round_trips() -> None:
    for code, kind in KINDS.items():
        indicator = kind.default
        assert indicator.description[:1].isupper(), code
        assert Indicator.from_json(indicator.to_json()) == indicator


def test_unknown_framework_is_refused() -> None:
    with pytest.raises(ParameterError, match="Unknown framework 'tf9'"):
        rules_for("tf9")


def test_result_json_names_each_findings_evidence() -> None:
    offence = fact("offences", "Jordan", "2025-02-01", outcome="proven", outcome_date="2025-03-01")
    rules = rules_for("tf1")
    result = rules.assess(
        household(member("Jordan", "2011-01-10"), facts=[offence]),
        rules.parse_parameters(rules.default_parameters()),
        date(2025, 8, 15),
    )

    crime = result.criteria_json()["crime_asb"]
    assert crime["met"] is True
    assert crime["evidence"] == [offence.id]
    assert crime["people"] == [offence.person_id]
    assert crime["hits"] == [{"reason": crime["reasons"][0], "evidence": [offence.id]}]


def test_lookback_covers_the_longest_window() -> None:
    params = rules_for("tf2").parse_parameters(rules_for("tf2").default_parameters())
    # Three terms back from 15 August 2025 start on 1 September 2024; 12 months back is
    # 15 August 2024, the earlier of the two.
    assert params.lookback_start(date(2025, 8, 15)) == date(2024, 8, 15)


@pytest.mark.parametrize("framework", ["tf1", "tf2", "sf2022"])
def test_unchanged_household_reads_the_same_the_next_day(framework: str) -> None:
    # The nightly run rewrites a result only when its words change: they must not
    # carry the assessment date itself.
    rules = rules_for(framework)
    params = rules.parse_parameters(rules.default_parameters())
    family = household(member("Alex", "1990-05-05"), member("Jordan", "2011-01-10"))

    today = rules.assess(family, params, date(2025, 10, 14)).criteria_json()
    tomorrow = rules.assess(family, params, date(2025, 10, 15)).criteria_json()

    assert today == tomorrow
