"""tf2 results (DOMAIN.md 4.2): progress against every problem per the Outcome Plan, the
programme conditions, continuous employment and the route, table-driven, pure (no
database).

Attached on 1 September 2024; results on 1 September 2025 unless a case says otherwise.
"The 6 months before attachment" run from 1 March 2024 to 31 August 2024; "the last 6
months" from 2 March 2025 to 1 September 2025; the last three complete terms are autumn
2024, spring 2025 and summer 2025.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from types import MappingProxyType
from typing import Any

import pytest

from outcomes.frameworks import tf2, tf2_results
from outcomes.frameworks.results import Entry, Programme, readiness
from outcomes.frameworks.types import Fact, Member, ParameterError
from tests.support.frameworks import attendance, fact, household, member

ATTACHED = date(2024, 9, 1)
AS_OF = date(2025, 9, 1)
PARAMS = tf2.parse_parameters(tf2.default_parameters())
RESULTS = tf2_results.parse_parameters(None)

# Jordan 13 and Casey 9 at attachment; Alex their parent.
JORDAN = member("Jordan", "2011-01-10")
CASEY = member("Casey", "2015-03-03")
ALEX = member("Alex", "1990-05-05")
TERMS = ("2024-09-01", "2025-01-01", "2025-04-01")

FULL = Programme(whole_family_assessment=True, plan_covers_all_members=True, key_worker=True)
ADDED_HEALTH = replace(FULL, added=("health",))


def _entry(**people: tuple[Member, ...]) -> Entry:
    return Entry(
        eligible=True,
        people=MappingProxyType({c: tuple(m.person_id for m in ms) for c, ms in people.items()}),
    )


CRIME = _entry(crime=(JORDAN,), worklessness=(ALEX,))
EDUCATION = _entry(education=(JORDAN,), health=(ALEX,))
CRIME_ONLY = _entry(crime=(JORDAN,), domestic_abuse=(ALEX,))
EVERY = _entry(
    crime=(JORDAN,),
    education=(JORDAN,),
    children_in_need=(JORDAN,),
    worklessness=(ALEX,),
    domestic_abuse=(ALEX,),
    health=(ALEX,),
)
WORK = _entry(worklessness=(ALEX,), domestic_abuse=(ALEX,))


def _offence(day: str, who: str = "Jordan") -> Fact:
    return fact(
        "offences", who, day, offence_date=day, outcome_date=day, outcome="proven", offence_type="x"
    )


def _asb(day: str, who: str = "Jordan") -> Fact:
    return fact("asb", who, day, incident_date=day, intervention="incident")


def _benefit(code: str, start: str, end: str | None = None) -> Fact:
    return fact("benefits", "Alex", start, end, benefit=code, start_date=start, end_date=end)


def _job(start: str, end: str | None = None) -> Fact:
    return fact("employment", "Alex", start, end, start_date=start, end_date=end)


def _school(who: str = "Jordan", absent: int = 5) -> list[Fact]:
    return [attendance(who, start, 100, absent) for start in TERMS]


def _exclusion(day: str, kind: str = "fixed", who: str = "Jordan") -> Fact:
    return fact("exclusions", who, day, exclusion_date=day, exclusion_type=kind, sessions=2)


def _care(start: str, end: str | None, status: str = "child_in_need") -> Fact:
    return fact("social_care", "Jordan", start, end, status=status, start_date=start)


def _abuse(day: str) -> Fact:
    return fact("domestic_abuse", "Alex", day, incident_date=day, role="victim", marac="N")


def _health(start: str, end: str | None = None, engaged: str = "N") -> Fact:
    return fact("health", "Alex", start, end, need="mental_health", engaged=engaged)


def _housing(day: str, event: str) -> Fact:
    return fact("housing", "Alex", day, event_date=day, event=event)


# 10 proven offences before attachment; 7 (30% fewer) or 6 (40% fewer) since.
TEN_BEFORE = [_offence(f"2024-0{m}-{d}") for m in (3, 4, 5, 6, 7) for d in (10, 20)]
SEVEN_AFTER = [_offence(f"2025-0{m}-10") for m in (3, 4, 5, 6, 7, 8)] + [_offence("2025-08-20")]
# Everything DOMAIN.md 4.2's default Outcome Plan asks, met: offending 3 -> 0, every
# child attending, the child-in-need plan stepped down in January, arrears cleared, the
# last abuse incident before attachment, treatment engaged with.
ALL_IMPROVED = [
    *(_offence(d) for d in ("2024-03-10", "2024-05-10", "2024-07-10")),
    *_school(),
    *_school("Casey"),
    _care("2024-05-01", "2025-01-31"),
    _housing("2024-06-01", "rent_arrears"),
    _housing("2025-02-01", "arrears_cleared"),
    _abuse("2024-08-01"),
    _health("2024-06-01", engaged="Y"),
]


@dataclass
class Case:
    name: str
    entry: Entry
    facts: list[Fact]
    met: dict[str, bool]
    route: str | None
    status: str
    programme: Programme = FULL
    members: tuple[Member, ...] = (JORDAN, CASEY, ALEX)
    reason: str = ""
    relevant: dict[str, bool] = field(default_factory=dict)
    achieved_on: date | None = None
    missing: int = 0
    pending: str = ""


CASES = [
    # -- crime: offending by under-18s down 33% and ASB down 60%, each neutral on a
    #    zero baseline
    Case(
        "offending down 33% meets crime",
        CRIME,
        [
            *(_offence(d) for d in ("2024-03-10", "2024-05-10", "2024-07-10")),
            *(_offence(d) for d in ("2025-04-10", "2025-06-10")),
        ],
        {"crime": True},
        None,
        "not_yet",
        reason="33% fewer",
    ),
    Case(
        "offending down 30% does not",
        CRIME,
        [*TEN_BEFORE, *SEVEN_AFTER],
        {"crime": False},
        None,
        "not_yet",
        reason="30% fewer",
    ),
    Case(
        "ASB down exactly 60% meets",
        CRIME_ONLY,
        [*(_asb(f"2024-0{m}-01") for m in (3, 4, 5, 6, 7)), _asb("2025-04-01"), _asb("2025-05-01")],
        {"crime": True, "domestic_abuse": True},
        "progress",
        "claimable",
        reason="60% fewer",
    ),
    Case(
        "ASB down 50% does not",
        CRIME_ONLY,
        [*(_asb(f"2024-0{m}-01") for m in (3, 4, 5, 6)), _asb("2025-04-01"), _asb("2025-05-01")],
        {"crime": False},
        None,
        "not_yet",
        reason="50% fewer",
    ),
    Case(
        "a zero baseline makes both crime measures not applicable: neutral",
        CRIME_ONLY,
        [],
        {"crime": True},
        "progress",
        "claimable",
        reason="nothing stands against it",
    ),
    Case(
        "a zero offending baseline is neutral but ASB still has to fall",
        CRIME_ONLY,
        [
            *(_asb(f"2024-0{m}-01") for m in (3, 4, 5, 6, 7)),
            *(_asb(f"2025-0{m}-01") for m in (4, 5, 6)),
        ],
        {"crime": False},
        None,
        "not_yet",
        reason="no baseline to reduce",
    ),
    Case(
        "a sibling's new offences count in the family's reduction",
        CRIME_ONLY,
        [
            *(_offence(d) for d in ("2024-03-10", "2024-05-10", "2024-07-10")),
            _offence("2025-04-10"),
            _offence("2025-05-10", who="Casey"),
            _offence("2025-06-10", who="Casey"),
        ],
        {"crime": False},
        None,
        "not_yet",
    ),
    Case(
        "offending down but ASB not: every measure of the problem must hold",
        CRIME_ONLY,
        [
            *(_offence(d) for d in ("2024-03-10", "2024-05-10", "2024-07-10")),
            *(_asb(f"2024-0{m}-01") for m in (3, 4, 5, 6, 7)),
            *(_asb(f"2025-0{m}-01") for m in (4, 5, 6)),
        ],
        {"crime": False},
        None,
        "not_yet",
        reason="100% fewer",
    ),
    # -- education: every school-age child under 10% absence, fewer than 3 fixed-term and
    #    no permanent exclusion over the last 3 complete terms
    Case(
        "every child attending meets education",
        EDUCATION,
        [*_school(), *_school("Casey"), _health("2024-06-01", "2025-01-01")],
        {"education": True, "health": True},
        "progress",
        "claimable",
    ),
    Case(
        "a sibling who starts truanting fails education",
        EDUCATION,
        [*_school(), *_school("Casey", absent=20), _health("2024-06-01", "2025-01-01")],
        {"education": False, "health": True},
        None,
        "not_yet",
        reason="Casey",
    ),
    Case(
        "absence of exactly 10% is not under 10%",
        EDUCATION,
        [*_school(absent=10), _health("2024-06-01", "2025-01-01")],
        {"education": False},
        None,
        "not_yet",
        reason="absence not under 10%",
    ),
    Case(
        "2 fixed-term exclusions are fewer than 3",
        EDUCATION,
        [
            *_school(),
            _exclusion("2024-10-01"),
            _exclusion("2025-02-01"),
            _health("2024-06-01", "2025-01-01"),
        ],
        {"education": True},
        "progress",
        "claimable",
    ),
    Case(
        "3 fixed-term exclusions are not",
        EDUCATION,
        [
            *_school(),
            *(_exclusion(d) for d in ("2024-10-01", "2025-02-01", "2025-05-01")),
            _health("2024-06-01", "2025-01-01"),
        ],
        {"education": False},
        None,
        "not_yet",
    ),
    Case(
        "a permanent exclusion fails education",
        EDUCATION,
        [*_school(), _exclusion("2025-05-01", "permanent"), _health("2024-06-01", "2025-01-01")],
        {"education": False},
        None,
        "not_yet",
        reason="permanently excluded",
    ),
    Case(
        "a health need still open and not engaged with fails health",
        EDUCATION,
        [*_school(), _health("2024-06-01")],
        {"education": True, "health": False},
        None,
        "not_yet",
        reason="not engaged with treatment",
    ),
    # -- children in need, domestic abuse
    Case(
        "a plan re-opened within 6 months fails children in need",
        _entry(children_in_need=(JORDAN,), domestic_abuse=(ALEX,)),
        [_care("2024-05-01", "2025-01-31"), _care("2025-05-01", None, "child_protection")],
        {"children_in_need": False, "domestic_abuse": True},
        None,
        "not_yet",
    ),
    Case(
        "an abuse incident in the last 6 months fails domestic abuse",
        CRIME_ONLY,
        [_abuse("2025-03-02")],
        {"crime": True, "domestic_abuse": False},
        None,
        "not_yet",
    ),
    Case(
        "an abuse incident the day before the last 6 months does not",
        CRIME_ONLY,
        [_abuse("2025-03-01")],
        {"domestic_abuse": True},
        "progress",
        "claimable",
    ),
    # -- every problem, and the programme conditions
    Case(
        "every problem improved: route progress from the assessment date",
        EVERY,
        ALL_IMPROVED,
        dict.fromkeys(tf2_results.PROBLEMS, True),
        "progress",
        "claimable",
        achieved_on=AS_OF,
    ),
    Case(
        "one problem not improved: no progress",
        EVERY,
        [*ALL_IMPROVED, _abuse("2025-06-01")],
        {"domestic_abuse": False, "crime": True},
        None,
        "not_yet",
    ),
    Case(
        "no problem at entry: no progress to show",
        _entry(),
        [],
        {"employment": False},
        None,
        "not_yet",
    ),
    Case(
        "progress without any programme condition is blocked, naming all three",
        EVERY,
        ALL_IMPROVED,
        {"health": True},
        "progress",
        "blocked",
        programme=Programme(),
        missing=3,
    ),
    Case(
        "progress without a key worker is blocked",
        EVERY,
        ALL_IMPROVED,
        {"health": True},
        "progress",
        "blocked",
        programme=Programme(whole_family_assessment=True, plan_covers_all_members=True),
        missing=1,
    ),
    # -- problems found during the work
    Case(
        "a problem added during the work and not improved: at risk",
        CRIME_ONLY,
        [_health("2024-06-01")],
        {"crime": True, "domestic_abuse": True, "health": False},
        None,
        "at_risk",
        programme=ADDED_HEALTH,
        reason="Found during the work",
        pending="found during the work",
    ),
    Case(
        "a problem added during the work and improved: progress",
        CRIME_ONLY,
        [_health("2024-06-01", engaged="Y")],
        {"crime": True, "domestic_abuse": True, "health": True},
        "progress",
        "claimable",
        programme=ADDED_HEALTH,
    ),
    # -- continuous employment of an adult on an out-of-work benefit at attachment
    Case(
        "91 days in work after ESA: route employment, no conditions needed",
        WORK,
        [_benefit("ESA", "2024-01-01", "2025-06-01"), _job("2025-06-02"), _abuse("2025-06-01")],
        {"employment": True, "worklessness": True, "domestic_abuse": False},
        "employment",
        "claimable",
        programme=Programme(),
        reason="13 weeks",
        achieved_on=AS_OF,
    ),
    Case(
        "90 days is not enough, and is at risk",
        WORK,
        [_benefit("ESA", "2024-01-01", "2025-06-02"), _job("2025-06-03"), _abuse("2025-06-01")],
        {"employment": False},
        None,
        "at_risk",
        pending="not yet long enough",
    ),
    Case(
        "in work since attachment, not yet 13 weeks: at risk, saying since when",
        WORK,
        [_benefit("ESA", "2024-01-01", "2025-06-02"), _job("2025-06-03"), _abuse("2025-06-01")],
        {"employment": False},
        None,
        "at_risk",
        pending="Alex (35) has been in work since 3 June 2025",
    ),
    Case(
        "a job that ended before the assessment date is not on the way: not at risk",
        WORK,
        [
            _benefit("ESA", "2024-01-01", "2025-06-01"),
            _job("2025-06-02", "2025-07-01"),
            _abuse("2025-06-01"),
        ],
        {"employment": False},
        None,
        "not_yet",
    ),
    Case(
        "off JSA, 13 weeks is not enough",
        WORK,
        [_benefit("JSA", "2024-01-01", "2025-05-31"), _job("2025-06-01"), _abuse("2025-06-01")],
        {"employment": False, "worklessness": False},
        None,
        "at_risk",
        reason="26 weeks",
    ),
    Case(
        "26 weeks after JSA meets",
        WORK,
        [_benefit("JSA", "2024-01-01", "2025-03-02"), _job("2025-03-03"), _abuse("2025-06-01")],
        {"employment": True},
        "employment",
        "claimable",
        achieved_on=AS_OF,
    ),
    Case(
        "a benefit reopened during the employment breaks it",
        WORK,
        [
            _benefit("ESA", "2024-01-01", "2025-02-28"),
            _job("2025-03-01"),
            _benefit("ESA", "2025-04-01", "2025-04-20"),
            _abuse("2025-06-01"),
        ],
        {"employment": False, "worklessness": False},
        None,
        "at_risk",
    ),
    Case(
        "employment not relevant when no adult was on benefit at attachment",
        CRIME_ONLY,
        [_job("2025-01-01"), _abuse("2025-06-01")],
        {"employment": False},
        None,
        "not_yet",
        relevant={"employment": False},
    ),
    # -- whichever is met first
    Case(
        "employment completed before the progress date: route employment",
        WORK,
        [_benefit("ESA", "2024-01-01", "2025-03-01"), _job("2025-03-02")],
        {"employment": True, "worklessness": True, "domestic_abuse": True},
        "employment",
        "claimable",
        achieved_on=date(2025, 6, 1),
    ),
    Case(
        "arrears cleared before employment completed: route progress from that day",
        _entry(worklessness=(ALEX,)),
        [
            _benefit("ESA", "2024-01-01", "2025-03-01"),
            _job("2025-03-02"),
            _housing("2024-06-01", "rent_arrears"),
            _housing("2025-02-01", "arrears_cleared"),
        ],
        {"employment": True, "worklessness": True},
        "progress",
        "claimable",
        achieved_on=date(2025, 2, 1),
    ),
    Case(
        "progress and employment met on the same day: route progress",
        _entry(worklessness=(ALEX,)),
        [_benefit("ESA", "2024-01-01", "2025-03-01"), _job("2025-03-02")],
        {"employment": True, "worklessness": True},
        "progress",
        "claimable",
        achieved_on=date(2025, 6, 1),
    ),
    Case(
        "progress blocked by a missing condition but employment met: route employment",
        _entry(worklessness=(ALEX,)),
        [
            _benefit("ESA", "2024-01-01", "2025-03-01"),
            _job("2025-03-02"),
            _housing("2024-06-01", "rent_arrears"),
            _housing("2025-02-01", "arrears_cleared"),
        ],
        {"employment": True, "worklessness": True},
        "employment",
        "claimable",
        programme=Programme(whole_family_assessment=True),
        achieved_on=date(2025, 6, 1),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_tf2_results(case: Case) -> None:
    results = tf2_results.results(
        household(*case.members, facts=case.facts),
        PARAMS,
        RESULTS,
        entry=case.entry,
        programme=case.programme,
        attached_on=ATTACHED,
        as_of=AS_OF,
    )
    codes = [c.code for c in results.checks]
    expected = [p for p in tf2_results.PROBLEMS if case.entry.met(p) or p in case.programme.added]
    assert codes == [*expected, "employment"]
    for code, met in case.met.items():
        assert results.check(code).met is met, (code, results.check(code).reasons)
    for code, relevant in case.relevant.items():
        assert results.check(code).relevant is relevant
    assert results.route == case.route
    assert readiness(results).status == case.status, readiness(results).reasons
    assert len(results.missing) == case.missing, results.missing
    if case.achieved_on is not None:
        assert results.achieved_on == case.achieved_on
    if case.reason:
        words = " ".join(r for c in results.checks for r in c.reasons)
        assert case.reason in words, words
    if case.pending:
        assert any(case.pending in p for p in results.pending), results.pending
    for check in results.checks:
        assert check.reasons, check.code


def _results(
    facts: list[Fact],
    entry: Entry,
    *,
    result_params: tf2_results.ResultParameters = RESULTS,
    programme: Programme = FULL,
) -> Any:
    return tf2_results.results(
        household(JORDAN, CASEY, ALEX, facts=facts),
        PARAMS,
        result_params,
        entry=entry,
        programme=programme,
        attached_on=ATTACHED,
        as_of=AS_OF,
    )


def _plan(**outcomes: list[dict[str, Any]]) -> dict[str, Any]:
    data = tf2_results.default_parameters()
    data["outcomes"].update(outcomes)
    return data


# Offending down from 3 to 1 (66% fewer), but an offence in the last 6 months.
ONE_OFFENCE_SINCE = [
    *(_offence(d) for d in ("2024-03-10", "2024-05-10", "2024-07-10")),
    _offence("2025-05-10"),
]


@pytest.mark.parametrize(
    ("crime", "met"),
    [
        pytest.param(None, True, id="default plan: offending down 33% is enough"),
        pytest.param(
            [{"kind": "no_offending", "months": 6, "max_age": 17}],
            False,
            id="a plan asking for no offences in the last 6 months is not met",
        ),
        pytest.param(
            [{"kind": "offending_reduction", "months": 6, "percent": 70, "max_age": 17}],
            False,
            id="a plan asking for 70% fewer offences is not met",
        ),
    ],
)
def test_the_outcome_plan_decides_what_counts(
    crime: list[dict[str, Any]] | None, met: bool
) -> None:
    params = tf2_results.parse_parameters(_plan(crime=crime) if crime else None)
    results = _results(ONE_OFFENCE_SINCE, CRIME_ONLY, result_params=params)
    assert results.check("crime").met is met
    assert results.route == ("progress" if met else None)


def test_missing_conditions_say_what_to_do() -> None:
    results = _results(ALL_IMPROVED, EVERY, programme=Programme(whole_family_assessment=True))
    assert results.missing == (
        "a family plan covering every member of the household "
        "(add everyone in the household to the plan)",
        "a named key worker (name the family's key worker)",
    )
    assert readiness(results).reasons == tuple(f"Missing: {m}" for m in results.missing)


def test_a_problem_the_outcome_plan_does_not_know_stops_progress() -> None:
    results = _results([], _entry(crime=(JORDAN,), housing=(ALEX,)))
    assert [c.code for c in results.checks] == ["crime", "housing", "employment"]
    assert results.check("housing").met is False
    assert "no outcome measure" in results.check("housing").reasons[0]
    assert results.route is None


def test_an_added_problem_already_met_at_entry_is_shown_once() -> None:
    results = _results([], CRIME_ONLY, programme=replace(FULL, added=("crime",)))
    assert [c.code for c in results.checks] == ["crime", "domestic_abuse", "employment"]
    assert "Found during the work" not in results.check("crime").reasons[0]


def test_nothing_is_pending_once_a_route_is_met() -> None:
    facts = [
        _benefit("ESA", "2024-01-01", "2025-06-02"),
        _job("2025-06-03"),
        _health("2024-06-01"),
    ]
    results = _results(facts, CRIME_ONLY, programme=ADDED_HEALTH)
    assert results.route is None
    assert len(results.pending) == 2, results.pending
    results = _results(facts, CRIME_ONLY)
    assert results.route == "progress"
    assert results.pending == ()


def test_employment_is_judged_only_for_adults_on_benefit_at_attachment() -> None:
    # Casey's parent Sam was working at attachment and starts a new job: not the result.
    sam = member("Sam", "1988-02-02")
    job = fact("employment", "Sam", "2025-01-01", start_date="2025-01-01")
    results = tf2_results.results(
        household(JORDAN, ALEX, sam, facts=[_benefit("ESA", "2024-01-01"), job]),
        PARAMS,
        RESULTS,
        entry=WORK,
        programme=FULL,
        attached_on=ATTACHED,
        as_of=AS_OF,
    )
    assert results.check("employment").relevant is True
    assert results.check("employment").met is False


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param("x", "results must be an object", id="not an object"),
        pytest.param({"outcomes": []}, "results.outcomes must be an object", id="outcomes list"),
        pytest.param(
            {"outcomes": {**_plan()["outcomes"], "housing": []}},
            "results.outcomes has no problem 'housing'",
            id="unknown problem",
        ),
        pytest.param(
            {"outcomes": {k: v for k, v in _plan()["outcomes"].items() if k != "health"}},
            "results.outcomes.health is missing",
            id="problem left out",
        ),
        pytest.param(
            _plan(health=[]), "results.outcomes.health must list at least one", id="no measure"
        ),
        pytest.param(
            _plan(crime={"kind": "no_asb"}),
            "results.outcomes.crime must be a list of measures",
            id="not a list",
        ),
        pytest.param(
            _plan(crime=[{"kind": "no_asb", "percent": 5}]),
            "no_asb has no setting 'percent'",
            id="setting the kind lacks",
        ),
        pytest.param(
            _plan(health=[{"kind": "recorded"}]),
            r"results.outcomes.health\[0\]: the Outcome Plan needs a measure the evidence",
            id="recorded outcome",
        ),
        pytest.param(
            {"employment": {"kind": "arrears_cleared"}},
            "results.employment must be a continuous_employment measure",
            id="employment of another kind",
        ),
        pytest.param(
            {"employment": {"kind": "continuous_employment", "weeks": 0}},
            "results.employment: weeks must be from 1 to 260",
            id="zero weeks",
        ),
    ],
)
def test_bad_parameters_say_what_is_wrong(data: object, message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        tf2_results.parse_parameters(data)


def test_default_parameters_are_the_plan_as_saved() -> None:
    parsed = tf2_results.parse_parameters(tf2_results.default_parameters())
    assert parsed.to_json() == tf2_results.default_parameters()
    assert tf2_results.parse_parameters(parsed.to_json()) == parsed
    assert tf2_results.parse_parameters({}) == parsed


@pytest.mark.parametrize(
    ("data", "earliest"),
    [
        # The last 3 complete terms on 1 September 2025 start on 1 September 2024.
        pytest.param(None, date(2024, 9, 1), id="default plan: 3 terms"),
        pytest.param(
            _plan(domestic_abuse=[{"kind": "no_domestic_abuse", "months": 18}]),
            date(2024, 3, 2),
            id="an 18-month window reaches further",
        ),
        pytest.param(
            _plan(education=[{"kind": "school_attendance", "terms": 1}]),
            date(2025, 3, 2),
            id="1 term: the 6-month windows are earliest",
        ),
    ],
)
def test_lookback_start(data: dict[str, Any] | None, earliest: date) -> None:
    params = tf2_results.parse_parameters(data)
    assert tf2_results.lookback_start(params, AS_OF) == earliest
