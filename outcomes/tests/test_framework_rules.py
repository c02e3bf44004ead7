"""Shared rule machinery: registry codes, dates and terms, defaults, result JSON."""

from __future__ import annotations

import importlib
import itertools
from datetime import date, timedelta

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
    ("as_of", "months", "first_day"),
    [
        # The window starts the day after the same date N months back: 15 August 2024
        # itself is outside "the last 12 months" on 15 August 2025.
        (date(2025, 8, 15), 12, date(2024, 8, 16)),
        (date(2025, 1, 15), 1, date(2024, 12, 16)),
        (date(2025, 1, 1), 12, date(2024, 1, 2)),
        # Month-end clamping first, then the day after: 31 May less 3 months is
        # 28 (or, in a leap year, 29) February, so the window opens on 1 March.
        (date(2025, 5, 31), 3, date(2025, 3, 1)),
        (date(2024, 5, 31), 3, date(2024, 3, 1)),
        (date(2025, 3, 31), 1, date(2025, 3, 1)),
        (date(2024, 2, 29), 12, date(2023, 3, 1)),
    ],
)
def test_last_months_start_the_day_after_the_same_date_n_months_back(
    as_of: date, months: int, first_day: date
) -> None:
    assert dates.last_months_start(as_of, months) == first_day


@pytest.mark.parametrize(
    ("as_of", "labels"),
    [
        # DOMAIN.md 4.0's own example: summer 2025 has just ended.
        (date(2025, 9, 1), ["autumn 2024", "spring 2025", "summer 2025"]),
        # The last day of a term: that term is complete and counts.
        (date(2025, 8, 31), ["autumn 2024", "spring 2025", "summer 2025"]),
        # A term in progress does not count until it has ended.
        (date(2025, 8, 15), ["summer 2024", "autumn 2024", "spring 2025"]),
        (date(2025, 4, 1), ["summer 2024", "autumn 2024", "spring 2025"]),
        (date(2025, 3, 31), ["summer 2024", "autumn 2024", "spring 2025"]),
        (date(2025, 3, 30), ["spring 2024", "summer 2024", "autumn 2024"]),
        # The first day of a term: the autumn term that ended the day before counts.
        (date(2025, 1, 1), ["spring 2024", "summer 2024", "autumn 2024"]),
        (date(2024, 12, 31), ["spring 2024", "summer 2024", "autumn 2024"]),
        (date(2024, 12, 30), ["autumn 2023", "spring 2024", "summer 2024"]),
    ],
)
def test_last_terms_are_the_complete_terms_ended_on_or_before_the_date(
    as_of: date, labels: list[str]
) -> None:
    terms = dates.last_terms(as_of, 3)

    assert [t.label for t in terms] == labels
    assert all(t.end <= as_of for t in terms)
    # Consecutive: each term starts the day after the one before it ends.
    assert all(b.start == a.end + timedelta(days=1) for a, b in itertools.pairwise(terms))


def test_term_ends() -> None:
    assert [(t.label, t.end) for t in dates.last_terms(date(2025, 9, 1), 3)] == [
        ("autumn 2024", date(2024, 12, 31)),
        ("spring 2025", date(2025, 3, 31)),
        ("summer 2025", date(2025, 8, 31)),
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


@pytest.mark.parametrize(
    ("offence_months", "earliest"),
    [
        # The three complete terms before 15 August 2025 start on 1 April 2024 (summer
        # 2024); the last 12 months start on 16 August 2024: the terms reach further.
        (12, date(2024, 4, 1)),
        # A council's 24-month offence window reaches further still: 16 August 2023.
        (24, date(2023, 8, 16)),
    ],
)
def test_lookback_covers_the_longest_window(offence_months: int, earliest: date) -> None:
    data = rules_for("tf2").default_parameters()
    data["criteria"]["crime"][0]["months"] = offence_months
    params = rules_for("tf2").parse_parameters(data)

    assert params.lookback_start(date(2025, 8, 15)) == earliest


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
