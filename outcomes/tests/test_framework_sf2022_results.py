"""sf2022 results (DOMAIN.md 4.3): a positive outcome on every need, sustained for 6
months after case closure, and the programme conditions; table-driven, pure (no
database).

Attached on 1 September 2024; the case closed on 15 March 2025, so the sustainment ends
on 15 September 2025, the default assessment date. "The last 6 months" on that date run
from 16 March 2025: exactly the days after closure.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from types import MappingProxyType
from typing import Any

import pytest

from outcomes.frameworks import sf2022, sf2022_results
from outcomes.frameworks.results import Entry, Programme, RecordedOutcome, readiness
from outcomes.frameworks.types import Fact, Member, ParameterError
from tests.support.frameworks import attendance, fact, household, member

ATTACHED = date(2024, 9, 1)
CLOSED = date(2025, 3, 15)
END = date(2025, 9, 15)
PARAMS = sf2022.parse_parameters(sf2022.default_parameters())
DEFAULTS = sf2022_results.parse_parameters(None)

# Jordan 13 and Casey 9 at attachment; Alex their parent.
JORDAN = member("Jordan", "2011-01-10")
CASEY = member("Casey", "2015-03-03")
ALEX = member("Alex", "1990-05-05")


def _entry(eligible: bool = True, **people: tuple[Member, ...]) -> Entry:
    return Entry(
        eligible=eligible,
        people=MappingProxyType({c: tuple(m.person_id for m in ms) for c, ms in people.items()}),
    )


# Three needs whose measures are windows over evidence: positive with no evidence at all.
BASE = _entry(crime=(JORDAN,), domestic_abuse=(ALEX,), housing=(ALEX,))
WITH_EARLY_YEARS = _entry(crime=(JORDAN,), domestic_abuse=(ALEX,), early_years=(CASEY,))
WITH_HEALTH = _entry(crime=(JORDAN,), domestic_abuse=(ALEX,), health=(ALEX,))
WITH_CHILD_SAFETY = _entry(crime=(JORDAN,), domestic_abuse=(ALEX,), child_safety=(CASEY,))
WITH_EDUCATION = _entry(crime=(JORDAN,), domestic_abuse=(ALEX,), education=(JORDAN,))
WITH_MONEY = _entry(crime=(JORDAN,), domestic_abuse=(ALEX,), financial_stability=(ALEX,))

READY = Programme(
    key_worker=True, whole_family_assessment=True, plan_covers_all_needs=True, closed_on=CLOSED
)


def _offence(day: str, who: str = "Jordan") -> Fact:
    return fact(
        "offences", who, day, offence_date=day, outcome_date=day, outcome="proven", offence_type="x"
    )


def _abuse(day: str) -> Fact:
    return fact("domestic_abuse", "Alex", day, incident_date=day, role="victim", marac="N")


def _housing(day: str, event: str) -> Fact:
    return fact("housing", "Alex", day, event_date=day, event=event)


def _care(start: str, end: str | None, status: str = "child_in_need") -> Fact:
    return fact("social_care", "Casey", start, end, status=status, start_date=start, end_date=end)


def _health(need: str, start: str, end: str | None = None, engaged: str = "N") -> Fact:
    return fact("health", "Alex", start, end, need=need, start_date=start, engaged=engaged)


def _benefit(code: str, start: str, end: str | None = None) -> Fact:
    return fact("benefits", "Alex", start, end, benefit=code, start_date=start, end_date=end)


# Rent arrears before attachment, cleared a month and a half before closure.
ARREARS_CLEARED = [
    _housing("2024-08-01", "rent_arrears"),
    _housing("2025-02-01", "arrears_cleared"),
]


def _recorded(code: str, positive: bool = True, on: str = "2025-03-01") -> Programme:
    record = RecordedOutcome(code, positive, date.fromisoformat(on), "Reason given")
    return replace(READY, recorded=MappingProxyType({code: record}))


def _with_outcomes(**outcomes: list[dict[str, Any]]) -> sf2022_results.ResultParameters:
    return sf2022_results.parse_parameters({"outcomes": outcomes})


# Crime judged over 3-month windows: the window at the end no longer sees the months
# just after closure.
THREE_MONTHS = _with_outcomes(
    crime=[{"kind": "no_offending", "months": 3}, {"kind": "no_asb", "months": 3}]
)
# Education judged on the last complete term only.
ONE_TERM = _with_outcomes(
    education=[{"kind": "school_attendance", "terms": 1, "codes": ["no_permanent"]}]
)


@dataclass
class Case:
    name: str
    facts: list[Fact]
    met: dict[str, bool]
    route: str | None
    status: str
    entry: Entry = BASE
    programme: Programme = READY
    as_of: date = END
    result_params: sf2022_results.ResultParameters = DEFAULTS
    reason: str = ""
    recorded: dict[str, bool] = field(default_factory=dict)
    pending: bool = False
    missing: tuple[str, ...] = ()


CASES = [
    Case(
        "every need positive and sustained, ending on the day: claimable",
        [_offence("2024-06-01")],
        {"crime": True, "domestic_abuse": True, "housing": True, "sustained": True},
        "outcomes",
        "claimable",
        reason="again on 15 September 2025",
    ),
    Case(
        "the day before the sustainment ends: pending, at risk",
        [],
        {"crime": True, "sustained": False},
        None,
        "at_risk",
        as_of=date(2025, 9, 14),
        reason="met at closure on 15 March 2025; sustained on 15 September 2025 if it holds",
        pending=True,
    ),
    Case(
        "a closure on 31 August sustains on 28 February (month end)",
        [],
        {"sustained": True},
        "outcomes",
        "claimable",
        programme=replace(READY, closed_on=date(2025, 8, 31)),
        as_of=date(2026, 2, 28),
    ),
    Case(
        "a closure on 31 August is still pending on 27 February",
        [],
        {"sustained": False},
        None,
        "at_risk",
        programme=replace(READY, closed_on=date(2025, 8, 31)),
        as_of=date(2026, 2, 27),
        pending=True,
    ),
    Case(
        "the case is still open: not sustained",
        [],
        {"crime": True, "sustained": False},
        None,
        "not_yet",
        programme=replace(READY, closed_on=None),
        reason="The case is still open",
    ),
    Case(
        "closed and re-opened (no closure date now): not sustained, long after the old one",
        [],
        {"sustained": False},
        None,
        "not_yet",
        programme=replace(READY, closed_on=None),
        as_of=date(2026, 6, 1),
        reason="The case is still open",
    ),
    Case(
        "a closure after the assessment date: still open then",
        [],
        {"sustained": False},
        None,
        "not_yet",
        programme=replace(READY, closed_on=date(2025, 10, 1)),
        reason="still open on 15 September 2025",
    ),
    Case(
        "an offence 2 months after closure breaks sustainment",
        [_offence("2025-05-15")],
        {"crime": False, "domestic_abuse": True, "sustained": False},
        None,
        "not_yet",
        reason="Crime prevention and tackling crime, on 15 September 2025",
    ),
    Case(
        "an offence after closure breaks sustainment though the last 3-month window is clear",
        [_offence("2025-05-15")],
        {"crime": True, "sustained": False},
        None,
        "not_yet",
        result_params=THREE_MONTHS,
        reason="on 15 June 2025",
    ),
    Case(
        "3-month windows and no offence after closure: sustained",
        [_offence("2024-11-10")],
        {"crime": True, "sustained": True},
        "outcomes",
        "claimable",
        result_params=THREE_MONTHS,
    ),
    Case(
        "an offence a month before closure: not positive at closure",
        [_offence("2025-02-15")],
        {"crime": True, "sustained": False},
        None,
        "not_yet",
        reason="not every need's outcome was positive then",
    ),
    Case(
        "a domestic abuse incident during the sustainment ends it early: no longer at risk",
        [_abuse("2025-04-20")],
        {"domestic_abuse": False, "sustained": False},
        None,
        "not_yet",
        as_of=date(2025, 6, 15),
        reason="Safe from domestic abuse, on 15 June 2025",
    ),
    Case(
        "an eviction after closure breaks sustainment",
        [_housing("2025-08-01", "eviction")],
        {"housing": False, "sustained": False},
        None,
        "not_yet",
    ),
    Case(
        "an eviction after closure breaks sustainment, though arrears cleared keep housing "
        "positive",
        [*ARREARS_CLEARED, _housing("2025-08-01", "eviction")],
        {"housing": True, "sustained": False},
        None,
        "not_yet",
        reason="Secure housing, on 15 September 2025: Alex (35): eviction on 1 August 2025",
    ),
    Case(
        "an eviction before closure, outweighed by arrears cleared, does not break it",
        [*ARREARS_CLEARED, _housing("2025-02-20", "eviction")],
        {"housing": True, "sustained": True},
        "outcomes",
        "claimable",
    ),
    Case(
        "an eviction before closure is not counted after it while the sustainment runs",
        [*ARREARS_CLEARED, _housing("2025-02-20", "eviction")],
        {"housing": True, "sustained": False},
        None,
        "at_risk",
        as_of=date(2025, 6, 1),
        pending=True,
    ),
    Case(
        "child safety: an episode opened and ended after closure breaks sustainment",
        [_care("2024-06-01", "2024-10-01", "child_protection"), _care("2025-05-01", "2025-07-01")],
        {"child_safety": False, "sustained": False},
        None,
        "not_yet",
        entry=WITH_CHILD_SAFETY,
        reason="opened on 1 May 2025",
    ),
    Case(
        "child safety: stepped down before closure and not re-opened: sustained",
        [_care("2024-06-01", "2024-10-01", "child_protection")],
        {"child_safety": True, "sustained": True},
        "outcomes",
        "claimable",
        entry=WITH_CHILD_SAFETY,
    ),
    Case(
        "education: a term of truanting ending after closure breaks a one-term measure",
        [
            attendance("Jordan", "2024-09-01", 100, 2),
            attendance("Jordan", "2025-01-01", 100, 40),
            attendance("Jordan", "2025-04-01", 100, 2),
        ],
        {"education": True, "sustained": False},
        None,
        "not_yet",
        entry=WITH_EDUCATION,
        result_params=ONE_TERM,
        reason="on 31 March 2025",
    ),
    Case(
        "education: a permanent exclusion after closure fails the default measure",
        [fact("exclusions", "Jordan", "2025-05-01", exclusion_type="permanent")],
        {"education": False, "sustained": False},
        None,
        "not_yet",
        entry=WITH_EDUCATION,
        reason="permanently excluded",
    ),
    Case(
        "financial stability: 13 weeks in work before closure holds",
        [
            fact("benefits", "Alex", "2024-01-01", "2024-09-30", benefit="ESA"),
            fact("employment", "Alex", "2024-10-01"),
        ],
        {"financial_stability": True, "sustained": True},
        "outcomes",
        "claimable",
        entry=WITH_MONEY,
    ),
    Case(
        "financial stability: a return to benefit after closure breaks sustainment",
        [
            _benefit("ESA", "2024-01-01", "2024-09-30"),
            fact("employment", "Alex", "2024-10-01", "2025-05-31"),
            _benefit("JSA", "2025-06-01"),
        ],
        {"financial_stability": True, "sustained": False},
        None,
        "not_yet",
        entry=WITH_MONEY,
        reason="Financial stability, on 15 September 2025: Alex (35): Jobseeker's Allowance "
        "since 1 June 2025",
    ),
    Case(
        "financial stability: a claim that ended on the closure day does not break it",
        [*ARREARS_CLEARED, _benefit("ESA", "2024-01-01", "2025-03-15")],
        {"financial_stability": True, "sustained": True},
        "outcomes",
        "claimable",
        entry=WITH_MONEY,
    ),
    Case(
        "financial stability: a claim still open the day after closure breaks it",
        [*ARREARS_CLEARED, _benefit("ESA", "2024-01-01", "2025-03-16")],
        {"financial_stability": True, "sustained": False},
        None,
        "not_yet",
        entry=WITH_MONEY,
        reason="Employment and Support Allowance from 1 January 2024 to 16 March 2025",
    ),
    Case(
        "a need with no positive outcome blocks the route",
        [_health("mental_health", "2024-05-01")],
        {"health": False, "crime": True, "sustained": False},
        None,
        "not_yet",
        entry=WITH_HEALTH,
        reason="not engaged with treatment",
    ),
    Case(
        "health: treatment engaged with is a positive outcome",
        [_health("mental_health", "2024-05-01", engaged="Y")],
        {"health": True, "sustained": True},
        "outcomes",
        "claimable",
        entry=WITH_HEALTH,
    ),
    Case(
        "health: no need since attachment shows nothing, so the practitioner records it",
        [_health("mental_health", "2024-01-01", "2024-06-30")],
        {"health": False},
        None,
        "not_yet",
        entry=WITH_HEALTH,
        reason="the lead practitioner can record the outcome",
    ),
    Case(
        "early years is recorded by the lead practitioner",
        [],
        {"early_years": True, "sustained": True},
        "outcomes",
        "claimable",
        entry=WITH_EARLY_YEARS,
        programme=_recorded("early_years"),
        reason="Recorded by the lead practitioner on 1 March 2025: Reason given",
        recorded={"early_years": True, "crime": False, "sustained": True},
    ),
    Case(
        "early years with nothing recorded waits for the lead practitioner",
        [],
        {"early_years": False, "sustained": False},
        None,
        "not_yet",
        entry=WITH_EARLY_YEARS,
        reason="Waiting for the lead practitioner to record the outcome",
        recorded={"early_years": False},
    ),
    Case(
        "a record made after the assessment date is not there yet",
        [],
        {"early_years": False},
        None,
        "not_yet",
        entry=WITH_EARLY_YEARS,
        programme=_recorded("early_years", on="2025-09-16"),
        reason="Waiting for the lead practitioner",
    ),
    Case(
        "a record made after closure but by the end of the sustainment counts",
        [],
        {"early_years": True, "sustained": True},
        "outcomes",
        "claimable",
        entry=WITH_EARLY_YEARS,
        programme=_recorded("early_years", on="2025-06-01"),
    ),
    Case(
        "a recorded outcome decides a need a feed carries too: not achieved",
        [],
        {"crime": False, "sustained": False},
        None,
        "not_yet",
        programme=_recorded("crime", positive=False),
        reason="on 1 March 2025 as not achieved: Reason given",
        recorded={"crime": True},
    ),
    Case(
        "a recorded outcome decides a need a feed carries too: achieved",
        [_health("mental_health", "2024-05-01")],
        {"health": True, "sustained": True},
        "outcomes",
        "claimable",
        entry=WITH_HEALTH,
        programme=_recorded("health"),
        recorded={"health": True},
    ),
    Case(
        "a need added during the work must also be positive",
        [_health("substance_misuse", "2025-01-10")],
        {"crime": True, "substance_use": False, "sustained": False},
        None,
        "not_yet",
        programme=replace(READY, added=("substance_use",)),
        reason="Need found during the work",
    ),
    Case(
        "an added need that is positive counts with the rest",
        [_health("substance_misuse", "2025-01-10", engaged="Y")],
        {"substance_use": True, "sustained": True},
        "outcomes",
        "claimable",
        programme=replace(READY, added=("substance_use",)),
    ),
    Case(
        "conditions missing: the route is met but the claim is blocked",
        [],
        {"sustained": True},
        "outcomes",
        "blocked",
        programme=replace(READY, key_worker=False, plan_covers_all_needs=False),
        missing=(
            "a lead practitioner named for the family",
            "a family plan covering every need, agreed with the family",
        ),
    ),
    Case(
        "no whole-family assessment is missing",
        [],
        {"sustained": True},
        "outcomes",
        "blocked",
        programme=replace(READY, whole_family_assessment=False),
        missing=("a whole-family assessment recorded",),
    ),
    Case(
        "sustained, then an offence after the claim date: at risk, route taken back",
        [_offence("2025-10-01")],
        {"crime": False, "sustained": True},
        None,
        "at_risk",
        as_of=date(2025, 11, 1),
        reason="no longer positive on 1 November 2025: Crime prevention and tackling crime",
        pending=True,
    ),
    Case(
        "not eligible at entry: blocked for good",
        [],
        {"sustained": True},
        "outcomes",
        "blocked",
        entry=_entry(eligible=False, crime=(JORDAN,)),
        reason="not eligible when it was attached",
    ),
    Case(
        "no needs at all: nothing to sustain",
        [],
        {"sustained": False},
        None,
        "blocked",
        entry=_entry(eligible=False),
        reason="No needs were met at entry",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_sf2022_results(case: Case) -> None:
    results = sf2022_results.results(
        household(JORDAN, CASEY, ALEX, facts=case.facts),
        PARAMS,
        case.result_params,
        entry=case.entry,
        programme=case.programme,
        attached_on=ATTACHED,
        as_of=case.as_of,
    )
    needs = [c for c in sf2022_results.NEEDS if c in {*case.entry.codes, *case.programme.added}]
    assert [c.code for c in results.checks] == [*needs, "sustained"]
    for code, met in case.met.items():
        assert results.check(code).met is met, (code, results.check(code).reasons)
    for code, recorded in case.recorded.items():
        assert results.check(code).recorded is recorded, code
    assert results.route == case.route
    assert results.achieved_on == (
        None if case.route is None else results.check("sustained").met_on
    )
    assert bool(results.pending) is case.pending, results.pending
    assert results.missing == case.missing
    status = readiness(results)
    assert status.status == case.status, status.reasons
    if case.reason:
        words = " ".join(
            [*(r for c in results.checks for r in c.reasons), *status.reasons, *results.pending]
        )
        assert case.reason in words, words
    for check in results.checks:
        assert check.reasons, check.code


def test_claimable_from_closure_plus_six_months() -> None:
    results = sf2022_results.results(
        household(JORDAN, CASEY, ALEX),
        PARAMS,
        DEFAULTS,
        entry=BASE,
        programme=READY,
        attached_on=ATTACHED,
        as_of=date(2026, 1, 1),
    )
    assert results.achieved_on == END
    assert readiness(results).claimable_from == END


def test_a_longer_sustainment_is_a_parameter() -> None:
    twelve = sf2022_results.parse_parameters({"sustain_months": 12})
    results = sf2022_results.results(
        household(JORDAN, CASEY, ALEX),
        PARAMS,
        twelve,
        entry=BASE,
        programme=READY,
        attached_on=ATTACHED,
        as_of=END,
    )
    assert results.route is None
    assert "sustained on 15 March 2026 if it holds" in results.pending[0]


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2025, 3, 15), 6, date(2025, 9, 15)),
        (date(2025, 8, 31), 6, date(2026, 2, 28)),
        (date(2023, 8, 31), 6, date(2024, 2, 29)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2025, 10, 31), 3, date(2026, 1, 31)),
    ],
    ids=["mid-month", "to February", "to a leap February", "from a leap day", "over a year end"],
)
def test_months_after(day: date, months: int, expected: date) -> None:
    assert sf2022_results.months_after(day, months) == expected


def test_lookback_covers_a_closure_six_months_back() -> None:
    # Judged on 15 September 2025, a closure on 15 March 2025 looks back 6 months (to
    # 16 September 2024) and 3 complete terms (spring 2024 - autumn 2024).
    assert sf2022_results.lookback_start(DEFAULTS, END) == date(2024, 1, 1)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("x", "results must be an object"),
        ({"sustain": 6}, "results has no setting 'sustain'"),
        ({"outcomes": []}, "results.outcomes must be an object"),
        ({"outcomes": {"work": [{"kind": "recorded"}]}}, "unknown need 'work'"),
        ({"outcomes": {"crime": []}}, "results.outcomes.crime must list at least one measure"),
        ({"outcomes": {"crime": {"kind": "no_asb"}}}, "results.outcomes.crime must be a list"),
        ({"outcomes": {"crime": [{"kind": "magic"}]}}, "unknown measure kind 'magic'"),
        (
            {"outcomes": {"early_years": [{"kind": "recorded"}, {"kind": "no_asb"}]}},
            "a recorded outcome cannot be combined with other measures",
        ),
        ({"sustain_months": True}, "results.sustain_months must be a whole number"),
        ({"sustain_months": 0}, "results.sustain_months must be from 1 to 24"),
        ({"sustain_months": 25}, "results.sustain_months must be from 1 to 24"),
    ],
    ids=[
        "not an object",
        "unknown setting",
        "outcomes not an object",
        "unknown need",
        "no measures",
        "measures not a list",
        "unknown measure kind",
        "recorded with others",
        "months a boolean",
        "months zero",
        "months too many",
    ],
)
def test_bad_parameters_say_what_is_wrong(data: object, message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        sf2022_results.parse_parameters(data)


def test_a_need_left_out_keeps_its_default_measures() -> None:
    parsed = sf2022_results.parse_parameters({"outcomes": {"crime": [{"kind": "no_offending"}]}})
    assert [m.kind for m in parsed.outcomes["crime"]] == ["no_offending"]
    assert parsed.outcomes["housing"] == DEFAULTS.outcomes["housing"]
    assert parsed.sustain_months == 6


def test_defaults_measure_every_headline_as_domain_4_3_lists() -> None:
    kinds = {code: [m.kind for m in ms] for code, ms in DEFAULTS.outcomes.items()}
    assert kinds == {
        "education": ["school_attendance"],
        "early_years": ["recorded"],
        "health": ["health_improved"],
        "substance_use": ["health_improved"],
        "family_relationships": ["recorded"],
        "child_safety": ["social_care_ended"],
        "crime": ["no_offending", "no_asb"],
        "domestic_abuse": ["no_domestic_abuse"],
        "housing": ["housing_stable"],
        "financial_stability": ["employment_or_arrears_cleared"],
    }
    assert DEFAULTS.outcomes["health"][0].codes == ("mental_health", "physical_health")
    assert DEFAULTS.outcomes["substance_use"][0].codes == ("substance_misuse",)


def test_parameters_round_trip() -> None:
    parsed = sf2022_results.parse_parameters(sf2022_results.default_parameters())
    assert parsed == DEFAULTS
    assert sf2022_results.parse_parameters(parsed.to_json()) == parsed
