"""The pure matching rules: normalising, comparing two records, deciding what happens."""

from __future__ import annotations

import datetime

import pytest
from django.test import override_settings

from outcomes.matching.households import household_keys
from outcomes.matching.normalise import address_line_normalise, are_nicknames, name_normalise
from outcomes.matching.scoring import (
    Candidate,
    Comparison,
    Level,
    MatchOutcome,
    MatchRecord,
    MatchThresholds,
    compare,
    match_decide,
    match_record,
    match_thresholds,
)
from outcomes.matching.similarity import osa_distance, within_edits

BORN = datetime.date(1985, 6, 7)


def record(**changes: object) -> MatchRecord:
    base = match_record(
        given_name="Robert",
        family_name="Ashby",
        date_of_birth=BORN,
        given_code="RPRT",
        family_code="AXP",
        sex="M",
        address_line_1="10 Station Road",
        postcode="SO23 8UG",
    )
    return base._replace(**changes)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Mary-Jane  O'Neill", "MARY JANE ONEILL"),
        ("  zoë ", "ZOE"),
        ("Smith", "SMITH"),
        ("St. John-Smythe", "ST JOHN SMYTHE"),
    ],
)
def test_names_are_normalised_for_comparison(value: str, expected: str) -> None:
    assert name_normalise(value) == expected


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("10a, Station Road.", "10 A STATION RD"),
        ("Flat 2, 14 High Street", "FLAT 2 14 HIGH ST"),
        ("No. 5 Church Lane", "5 CHURCH LN"),
        ("Apartment 3 The Avenue", "FLAT 3 THE AVE"),
    ],
)
def test_address_lines_that_mean_the_same_normalise_the_same(first: str, second: str) -> None:
    assert address_line_normalise(first) == address_line_normalise(second)


def test_different_houses_stay_different() -> None:
    assert address_line_normalise("10 Station Road") != address_line_normalise("12 Station Road")


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ("BOB", "ROBERT", True),
        ("LIZ", "ELIZABETH", True),
        ("BETH", "ELIZABETH", True),
        ("JIM", "JAMES", True),
        ("KATE", "KATHERINE", True),
        ("BILL", "WILLIAM", True),
        ("JOHN", "IAN", False),
        ("JAMES", "JAMES", False),
        ("ROBERT", "RUPERT", False),
    ],
)
def test_nicknames_come_from_the_table(first: str, second: str, expected: bool) -> None:
    assert are_nicknames(first, second) is expected


@pytest.mark.parametrize(
    ("first", "second", "distance"),
    [
        ("JOHN", "JOHN", 0),
        ("JOHN", "JONH", 1),
        ("JOHN", "JON", 1),
        ("JACK", "JAKE", 2),
        ("", "ABC", 3),
        ("CA", "ABC", 3),
        ("KITTEN", "SITTING", 3),
    ],
)
def test_edit_distance_counts_a_swap_of_neighbours_as_one(
    first: str, second: str, distance: int
) -> None:
    assert osa_distance(first, second) == distance
    assert within_edits(first, second, distance)
    assert distance == 0 or not within_edits(first, second, distance - 1)


def test_within_edits_agrees_with_the_distance_on_many_pairs() -> None:
    words = ["SMITH", "SMYTH", "SIMTH", "SMITHS", "MITH", "SNITH", "SMIHT", "JONES", "SMIT"]
    for first in words:
        for second in words:
            for limit in (0, 1, 2):
                assert within_edits(first, second, limit) == (
                    osa_distance(first, second) <= limit
                ), (first, second, limit)


@pytest.mark.parametrize(
    ("changes", "field", "outcome"),
    [
        ({}, "given_name", "agrees"),
        ({"given_name": "BOB", "given_code": "PP"}, "given_name", "nickname"),
        ({"given_name": "ROBRET"}, "given_name", "typo"),
        ({"given_name": "ROBERT JAMES"}, "given_name", "agrees"),
        ({"given_name": "R", "given_code": "R"}, "given_name", "initial"),
        ({"given_name": "HARRY", "given_code": "HR"}, "given_name", "differs"),
        ({"family_name": "ASHBEY"}, "family_name", "typo"),
        ({"family_name": "ASHBY SMITH", "family_code": "AXPS"}, "family_name", "part"),
        ({"family_name": "JONES", "family_code": "JNS"}, "family_name", "differs"),
        ({"date_of_birth": datetime.date(1985, 7, 6)}, "date_of_birth", "day_month_swapped"),
        ({"date_of_birth": datetime.date(1985, 6, 8)}, "date_of_birth", "one_digit"),
        ({"date_of_birth": datetime.date(1986, 6, 7)}, "date_of_birth", "one_digit"),
        ({"date_of_birth": datetime.date(1995, 6, 7)}, "date_of_birth", "one_digit_decade"),
        ({"date_of_birth": datetime.date(1958, 6, 7)}, "date_of_birth", "transposed"),
        ({"date_of_birth": datetime.date(1987, 2, 20)}, "date_of_birth", "differs"),
        ({"date_of_birth": datetime.date(2012, 2, 20)}, "date_of_birth", "differs_generation"),
        ({"sex": ""}, "sex", "missing"),
        ({"sex": "F"}, "sex", "differs"),
        ({"address_line": "12 STATION RD"}, "address", "same_postcode"),
        ({"postcode": "SO22 1AA"}, "address", "same_street_address"),
        ({"postcode": "PO9 1AB", "address_line": "1 MILL LN"}, "address", "differs"),
        ({"postcode": "", "address_line": ""}, "address", "missing"),
        ({"address_line": "10 STATON RD"}, "address", "agrees"),
    ],
)
def test_each_field_is_compared(changes: dict[str, object], field: str, outcome: str) -> None:
    comparison = compare(record(), record(**changes))
    assert comparison.fields[field] == outcome


def test_given_and_family_names_typed_the_wrong_way_round_are_close() -> None:
    swapped = record(given_name="ASHBY", family_name="ROBERT", given_code="AXP", family_code="RPRT")
    fields = compare(record(), swapped).fields
    assert fields["given_name"] == fields["family_name"] == "names_swapped"


@pytest.mark.parametrize(
    ("changes", "low", "high"),
    [
        ({}, 1.0, 1.0),
        ({"given_name": "BOB", "given_code": "PP"}, 0.9, 0.95),
        ({"date_of_birth": datetime.date(1985, 7, 6)}, 0.85, 0.95),
        ({"postcode": "PO9 1AB", "address_line": "1 MILL LN"}, 0.85, 0.9),
        # twins: same surname, date of birth and address, another given name
        ({"given_name": "HARRY", "given_code": "HR"}, 0.5, 0.6),
        # a father and son of the same name, a generation apart
        ({"date_of_birth": datetime.date(2012, 2, 20)}, 0.1, 0.2),
        ({"nhs_number": "9434765919"}, 1.0, 1.0),
    ],
)
def test_scores_fall_where_the_thresholds_expect(
    changes: dict[str, object], low: float, high: float
) -> None:
    assert low <= compare(record(), record(**changes)).score <= high


def test_a_different_nhs_number_rules_a_person_out() -> None:
    theirs = record(nhs_number="9434765919")
    ours = record(nhs_number="9434765870")
    comparison = compare(ours, theirs)
    assert comparison.fields["nhs_number"] == "differs"
    assert comparison.score < MatchThresholds().review


def test_another_record_from_the_same_agency_lowers_the_score() -> None:
    plain = compare(record(), record(given_name="ROBRET"))
    penalised = compare(record(), record(given_name="ROBRET"), other_record_from_agency=True)
    assert penalised.score < plain.score
    assert penalised.levels["agency_record"] == Level.DIFFERS


def test_levels_summarise_outcomes() -> None:
    comparison = compare(record(), record(given_name="BOB", given_code="PP", sex=""))
    assert comparison.levels["given_name"] == "close"
    assert comparison.levels["family_name"] == "agrees"
    assert comparison.levels["sex"] == "missing"


def _candidate(person_id: int, score: float) -> Candidate:
    return Candidate(person_id, Comparison(fields={}, points=0, max_points=1, score=score))


@pytest.mark.parametrize(
    ("scores", "outcome", "linked", "reviewed"),
    [
        ([], MatchOutcome.NEW, None, []),
        ([0.3], MatchOutcome.NEW, None, []),
        ([0.95, 0.55], MatchOutcome.LINK, 1, []),
        ([0.85], MatchOutcome.LINK, 1, []),
        ([0.84], MatchOutcome.REVIEW, None, [1]),
        ([0.5], MatchOutcome.REVIEW, None, [1]),
        ([0.49], MatchOutcome.NEW, None, []),
        ([0.9, 0.88], MatchOutcome.REVIEW, None, [1, 2]),
        ([0.7, 0.6, 0.55, 0.52, 0.2], MatchOutcome.REVIEW, None, [1, 2, 3]),
    ],
)
def test_match_decide_follows_the_thresholds(
    scores: list[float], outcome: MatchOutcome, linked: int | None, reviewed: list[int]
) -> None:
    candidates = [_candidate(i, s) for i, s in enumerate(scores, start=1)]
    verdict = match_decide(candidates, MatchThresholds())
    assert verdict.outcome == outcome
    if linked is not None:
        assert verdict.best is not None and verdict.best.person_id == linked
    assert [c.person_id for c in verdict.review] == reviewed


@override_settings(ONEPLAN_MATCH_THRESHOLDS={"auto_link": 0.95, "review_candidates": 1})
def test_thresholds_can_be_changed_in_settings() -> None:
    thresholds = match_thresholds()
    assert thresholds == MatchThresholds(auto_link=0.95, review=0.5, review_candidates=1)
    verdict = match_decide([_candidate(1, 0.9), _candidate(2, 0.7)], thresholds)
    assert verdict.outcome == MatchOutcome.REVIEW
    assert [c.person_id for c in verdict.review] == [1]


@pytest.mark.parametrize(
    "overrides",
    [{"auto_link": 0.4}, {"review": -0.1}, {"review_candidates": 0}, {"automatic": 0.9}],
)
def test_nonsense_thresholds_are_refused(overrides: dict[str, object]) -> None:
    with override_settings(ONEPLAN_MATCH_THRESHOLDS=overrides), pytest.raises(ValueError):
        match_thresholds()


def test_household_keys_are_strongest_first() -> None:
    keys = household_keys(
        agency_id=7,
        uprn="100062546563",
        household_id="H-9",
        address_line_1="10 Station Road",
        postcode="so238ug",
    )
    assert keys == ("uprn:100062546563", "household:7:H-9", "address:10 STATION RD|SO23 8UG")


def test_a_postcode_without_a_first_line_is_no_household() -> None:
    assert household_keys(agency_id=7, postcode="SO23 8UG") == ()
