"""How long an answer stays the same (outcomes.frameworks.stability): the date it gives
is never later than the first day the rules' answer changes.

Property tests: random households with every kind of evidence, dated close around the
day judged; every framework's eligibility rule and result rule is run on every day up to
the date ``stable_until`` returns, on the household as the database would load it that
day (evidence dated by then, members still in it), and must answer as on the first day.
Plus table-driven edges of the calendar arithmetic."""

from __future__ import annotations

import random
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from outcomes.frameworks import stability
from outcomes.frameworks.results import Entry, Programme, readiness
from outcomes.frameworks.rules import result_rules_for, rules_for
from outcomes.frameworks.stability import Horizon, Spans, spans_from, stable_until
from outcomes.frameworks.types import Household
from tests.support.frameworks import fact, household, member
from tests.support.random_households import random_household

FRAMEWORKS = ("tf1", "tf2", "sf2022")


def _seen_on(full: Household, day: date) -> Household:
    """What the evidence loader gives the rules on ``day``."""
    return Household(
        members=tuple(m for m in full.members if m.end_date is None or m.end_date >= day),
        facts=tuple(f for f in full.facts if f.date <= day),
    )


def _future_dates(full: Household, day: date) -> list[date]:
    """What the evaluation passes as anchors: evidence dated after ``day``."""
    return [f.date for f in full.facts if f.date > day]


def _eligibility(code: str, parameters: Any, seen: Household, day: date) -> object:
    result = rules_for(code).assess(seen, parameters, day)
    return (
        result.eligible,
        tuple((c.code, c.met, tuple(c.evidence), tuple(c.people)) for c in result.criteria),
    )


def _results(code: str, ctx: dict[str, Any], seen: Household, day: date) -> object:
    results = result_rules_for(code).results(
        seen,
        ctx["parameters"],
        ctx["result_parameters"],
        entry=ctx["entry"],
        programme=ctx["programme"],
        attached_on=ctx["attached_on"],
        as_of=day,
    )
    return (
        tuple(
            (
                c.code,
                c.met,
                c.relevant,
                c.recorded,
                tuple(c.evidence),
                # "Met today" is what a rule says when it cannot tell when: not a change.
                None if c.met_on == day else c.met_on,
            )
            for c in results.checks
        ),
        results.route,
        None if results.achieved_on == day else results.achieved_on,
        readiness(results).status,
    )


def _spans(code: str) -> Spans:
    return spans_from(rules_for(code).default_parameters()) | spans_from(
        result_rules_for(code).default_parameters()
    )


@pytest.mark.parametrize("code", FRAMEWORKS)
def test_eligibility_holds_until_the_date_given(code: str) -> None:
    rules = rules_for(code)
    parameters = rules.parse_parameters(rules.default_parameters())
    rng = random.Random(f"eligibility-{code}")
    next_id = [0]
    checked_days = 0
    shortest = 999
    for n in range(40):
        as_of = date(2025, 1, 1) + timedelta(days=rng.randrange(600))
        full = random_household(rng, as_of, next_id=next_id)
        seen = _seen_on(full, as_of)
        until = stable_until(seen, Horizon.on(as_of, _spans(code)), _future_dates(full, as_of))
        assert as_of <= until <= as_of + stability.LONGEST
        shortest = min(shortest, (until - as_of).days)
        first = _eligibility(code, parameters, seen, as_of)
        day = as_of + timedelta(days=1)
        while day <= until:
            assert _eligibility(code, parameters, _seen_on(full, day), day) == first, (
                f"household {n}: the answer on {as_of} changed on {day}, before {until}"
            )
            checked_days += 1
            day += timedelta(days=1)
    # The households are busy enough that some answers are only good for days.
    assert shortest < 7
    assert checked_days > 150


@pytest.mark.parametrize("code", FRAMEWORKS)
def test_results_hold_until_the_date_given(code: str) -> None:
    rules = rules_for(code)
    result_rules = result_rules_for(code)
    parameters = rules.parse_parameters(rules.default_parameters())
    result_parameters = result_rules.parse_parameters(None)
    rng = random.Random(f"results-{code}")
    next_id = [0]
    checked_days = 0
    for n in range(30):
        attached_on = date(2024, 6, 1) + timedelta(days=rng.randrange(300))
        as_of = attached_on + timedelta(days=rng.randrange(30, 400))
        full = random_household(rng, as_of, next_id=next_id)
        at_entry = rules.assess(_seen_on(full, attached_on), parameters, attached_on)
        entry = Entry.from_criteria(at_entry.eligible, at_entry.criteria_json())
        closed_on = as_of - timedelta(days=rng.randrange(0, 200)) if rng.random() < 0.4 else None
        programme = Programme(
            whole_family_assessment=True,
            plan_covers_all_members=True,
            plan_covers_all_needs=True,
            key_worker=True,
            closed_on=closed_on if closed_on and closed_on > attached_on else None,
        )
        ctx = {
            "parameters": parameters,
            "result_parameters": result_parameters,
            "entry": entry,
            "programme": programme,
            "attached_on": attached_on,
        }
        seen = _seen_on(full, as_of)
        anchors = [attached_on, programme.closed_on, *_future_dates(full, as_of)]
        until = stable_until(seen, Horizon.on(as_of, _spans(code)), anchors)
        first = _results(code, ctx, seen, as_of)
        day = as_of + timedelta(days=1)
        while day <= until:
            assert _results(code, ctx, _seen_on(full, day), day) == first, (
                f"household {n}: the results on {as_of} changed on {day}, before {until}"
            )
            checked_days += 1
            day += timedelta(days=1)
    assert checked_days > 60


def test_spans_come_from_the_parameters() -> None:
    spans = spans_from(
        {
            "criteria": [{"months": 12}, {"terms": 3, "weeks": 13}],
            "results": {"sustain_months": 6, "weeks_after_jsa": 26, "grace_days": 10},
            "not_a_window": 5,
            "flag_months": True,
        }
    )
    assert spans == Spans(frozenset({12, 6}), frozenset({13, 26}), frozenset({10}), True)


@pytest.mark.parametrize(
    ("evidence_on", "months", "as_of", "last_day_in"),
    [
        # In "the last 12 months" on 14 August 2026 (window from 15 August 2025), not on
        # the 15th (window from 16 August 2025).
        ("2025-08-15", 12, "2025-09-01", "2026-08-14"),
        # Month ends: 31 March is in "the last 1 month" on 30 April (window from
        # 31 March) and out on 1 May.
        ("2025-03-31", 1, "2025-04-02", "2025-04-30"),
        # 29 February leaves a 12-month window on 1 March the next year.
        ("2024-02-29", 12, "2024-03-01", "2025-02-28"),
    ],
)
def test_a_dated_row_holds_the_answer_until_it_leaves_the_window(
    evidence_on: str, months: int, as_of: str, last_day_in: str
) -> None:
    adult = member("Alex", "1990-01-01")
    seen = household(adult, facts=[fact("asb", "Alex", evidence_on)])
    # The birthday edge is far away (1 January); nothing else dated.
    horizon = Horizon.on(date.fromisoformat(as_of), Spans(months=frozenset({months})))
    longest = horizon.as_of + stability.LONGEST
    expected = min(date.fromisoformat(last_day_in), longest, date(horizon.as_of.year + 1, 1, 1))
    assert stable_until(seen, horizon) == expected - timedelta(days=0)


@pytest.mark.parametrize(
    ("as_of", "edge"),
    [
        # The summer term is complete on 31 August: the answer holds to the 30th.
        ("2025-08-15", "2025-08-31"),
        # On the day a term ends it is already complete: the next edge is the next end.
        ("2025-08-31", "2025-09-01"),
        ("2025-10-15", "2025-12-31"),
    ],
)
def test_terms_and_the_school_year_are_edges(as_of: str, edge: str) -> None:
    day = date.fromisoformat(as_of)
    horizon = Horizon.on(day, Spans(terms=True))
    assert horizon.calendar_edge == date.fromisoformat(edge)


def test_a_birthday_and_a_member_leaving_are_edges() -> None:
    child = member("Sam", "2010-05-20")
    adult = member("Alex", "1990-01-01")._replace(end_date=date(2025, 5, 10))
    horizon = Horizon.on(date(2025, 5, 1), Spans())
    # Alex is in the household on 10 May and not on the 11th.
    assert stable_until(household(child, adult), horizon) == date(2025, 5, 10)
    assert stable_until(household(child), horizon) == date(2025, 5, 19)


def test_every_date_a_rule_reads_from_evidence_data_is_known() -> None:
    source = "\n".join(path.read_text() for path in Path(stability.__file__).parent.glob("*.py"))
    keys = set(re.findall(r"date_in\(\s*\"([a-z_]+)\"", source))
    assert keys, "the scan found no date_in call: the pattern is out of date"
    assert keys <= set(stability.DATA_DATES)
