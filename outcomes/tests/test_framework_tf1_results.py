"""tf1 results (DOMAIN.md 4.1): R1's parts and their relevance, R2, R3 and the route,
table-driven, pure (no database).

Attached on 1 September 2024; results on 1 September 2025 unless a case says otherwise.
"The 6 months before attachment" run from 1 March 2024 to 31 August 2024; "the last 6
months" from 2 March 2025 to 1 September 2025; the last three complete terms are autumn
2024, spring 2025 and summer 2025.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType

import pytest

from outcomes.frameworks import tf1, tf1_results
from outcomes.frameworks.results import Entry, Programme, readiness
from outcomes.frameworks.types import Fact, Member, ParameterError
from tests.support.frameworks import attendance, fact, household, member

ATTACHED = date(2024, 9, 1)
AS_OF = date(2025, 9, 1)
PARAMS = tf1.parse_parameters(tf1.default_parameters())
RESULTS = tf1_results.parse_parameters(None)

# Jordan 13 and Casey 9 at attachment; Alex their parent.
JORDAN = member("Jordan", "2011-01-10")
CASEY = member("Casey", "2015-03-03")
ALEX = member("Alex", "1990-05-05")
TERMS = ("2024-09-01", "2025-01-01", "2025-04-01")


def _entry(**people: tuple[Member, ...]) -> Entry:
    return Entry(
        eligible=True,
        people=MappingProxyType({c: tuple(m.person_id for m in ms) for c, ms in people.items()}),
    )


CRIME = _entry(crime_asb=(JORDAN,), work=(ALEX,), local=(ALEX,))
EDUCATION = _entry(education=(JORDAN,), work=(ALEX,), local=(ALEX,))
BOTH = _entry(crime_asb=(JORDAN,), education=(JORDAN,), work=(ALEX,))
WORK_ONLY = _entry(work=(ALEX,), local=(ALEX,))


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


def _good_school(who: str = "Jordan") -> list[Fact]:
    return [attendance(who, start, 100, 5) for start in TERMS]


@dataclass
class Case:
    name: str
    entry: Entry
    facts: list[Fact]
    met: dict[str, bool]
    route: str | None
    members: tuple[Member, ...] = (JORDAN, CASEY, ALEX)
    as_of: date = AS_OF
    reason: str = ""
    status: str = ""
    relevant: dict[str, bool] = field(default_factory=dict)
    pending: str = ""


CASES = [
    Case(
        "offending down 33% meets",
        CRIME,
        [
            *(_offence(d) for d in ("2024-03-10", "2024-05-10", "2024-07-10")),
            *(_offence(d) for d in ("2025-04-10", "2025-06-10")),
        ],
        {"R1": True, "R2": False, "R3": False},
        "R1",
        reason="33% fewer",
        status="claimable",
    ),
    Case(
        "offending down 30% does not",
        CRIME,
        [
            *(_offence(f"2024-0{m}-1{d}") for m in (3, 4, 5, 6, 7) for d in (0, 1)),
            *(_offence(f"2025-0{m}-10") for m in (3, 4, 5, 6, 7, 8)),
            _offence("2025-08-20"),
        ],
        {"R1": False, "R2": False, "R3": False},
        None,
        reason="30% fewer",
        status="not_yet",
    ),
    Case(
        "ASB down exactly 60% meets",
        CRIME,
        [*(_asb(f"2024-0{m}-01") for m in (3, 4, 5, 6, 7)), _asb("2025-04-01"), _asb("2025-05-01")],
        {"R1": True},
        "R1",
        reason="60% fewer",
    ),
    Case(
        "a zero baseline makes both crime parts not applicable",
        CRIME,
        [],
        {"R1": True},
        "R1",
        reason="not applicable",
    ),
    Case(
        "a sibling's new offence voids R1",
        CRIME,
        [
            *(_offence(d) for d in ("2024-03-10", "2024-05-10", "2024-07-10")),
            _offence("2025-05-01", who="Casey"),
        ],
        {"R1": False},
        None,
        reason="New problem",
        status="at_risk",
    ),
    Case(
        "education relevant: every child attends and R1 is met",
        EDUCATION,
        [*_good_school(), *_good_school("Casey")],
        {"R1": True},
        "R1",
    ),
    Case(
        "a sibling who starts truanting fails the education part",
        EDUCATION,
        [*_good_school(), *(attendance("Casey", s, 100, 20) for s in TERMS)],
        {"R1": False},
        None,
        reason="Casey",
    ),
    Case(
        "a term in progress is not counted",
        EDUCATION,
        [*_good_school(), *_good_school("Casey"), attendance("Jordan", "2025-09-01", 10, 9)],
        {"R1": True},
        "R1",
    ),
    Case(
        "R1 not relevant when neither crime nor education was met at entry",
        WORK_ONLY,
        [],
        {"R1": False},
        None,
        relevant={"R1": False},
    ),
    Case(
        "R2: a Work Programme start on the attachment date counts, with R1",
        CRIME,
        [
            fact(
                "work_progress",
                "Alex",
                "2024-09-01",
                event_date="2024-09-01",
                programme="work_programme",
            )
        ],
        {"R1": True, "R2": True},
        "R1+R2",
    ),
    Case(
        "R2: a start the day before attachment does not",
        CRIME,
        [fact("work_progress", "Alex", "2024-08-31", event_date="2024-08-31", programme="esf")],
        {"R1": True, "R2": False},
        "R1",
    ),
    Case(
        "R3: 91 days in work after ESA replaces R1 and R2",
        CRIME,
        [_benefit("ESA", "2024-01-01", "2025-06-01"), _job("2025-06-02")],
        {"R1": True, "R3": True},
        "R3",
        reason="13 weeks",
    ),
    Case(
        "R3: 90 days is not enough",
        WORK_ONLY,
        [_benefit("ESA", "2024-01-01", "2025-06-02"), _job("2025-06-03")],
        {"R3": False},
        None,
        status="at_risk",
    ),
    Case(
        "R3: in work since attachment but not 13 weeks yet says since when",
        WORK_ONLY,
        [_benefit("ESA", "2024-01-01", "2025-06-02"), _job("2025-06-03")],
        {"R3": False},
        None,
        status="at_risk",
        pending="Alex (35) has been in work since 3 June 2025: not yet long enough",
    ),
    Case(
        "R3: a job that ended before the assessment date is not on the way",
        WORK_ONLY,
        [_benefit("ESA", "2024-01-01", "2025-06-02"), _job("2025-06-03", "2025-08-31")],
        {"R3": False},
        None,
        status="not_yet",
    ),
    Case(
        "R3: off JSA needs 26 weeks",
        WORK_ONLY,
        [_benefit("JSA", "2024-01-01", "2025-05-31"), _job("2025-06-01")],
        {"R3": False},
        None,
    ),
    Case(
        "R3: 26 weeks after JSA meets",
        WORK_ONLY,
        [_benefit("JSA", "2024-01-01", "2025-03-02"), _job("2025-03-03")],
        {"R3": True},
        "R3",
    ),
    Case(
        "R3: a benefit reopened during the employment breaks it",
        WORK_ONLY,
        [
            _benefit("ESA", "2024-01-01", "2025-02-28"),
            _job("2025-03-01"),
            _benefit("ESA", "2025-04-01", "2025-04-20"),
        ],
        {"R3": False},
        None,
        status="at_risk",
    ),
    Case(
        "R3 not relevant when no adult was on benefit at attachment",
        CRIME,
        [_job("2025-01-01")],
        {"R3": False},
        "R1",
        relevant={"R3": False},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_tf1_results(case: Case) -> None:
    results = tf1_results.results(
        household(*case.members, facts=case.facts),
        PARAMS,
        RESULTS,
        entry=case.entry,
        programme=Programme(),
        attached_on=ATTACHED,
        as_of=case.as_of,
    )
    assert [c.code for c in results.checks] == ["R1", "R2", "R3"]
    for code, met in case.met.items():
        assert results.check(code).met is met, (code, results.check(code).reasons)
    for code, relevant in case.relevant.items():
        assert results.check(code).relevant is relevant
    assert results.route == case.route
    if case.reason:
        words = " ".join(r for c in results.checks for r in c.reasons)
        assert case.reason in words, words
    if case.status:
        assert readiness(results).status == case.status
    if case.pending:
        assert any(case.pending in p for p in results.pending), results.pending
    for check in results.checks:
        assert check.reasons, check.code


def test_uc_without_the_out_of_work_flag_is_not_a_benefit_to_come_off() -> None:
    uc = fact("benefits", "Alex", "2024-01-01", "2025-01-31", benefit="UC", out_of_work="N")
    results = tf1_results.results(
        household(JORDAN, ALEX, facts=[uc, _job("2025-02-01")]),
        PARAMS,
        RESULTS,
        entry=WORK_ONLY,
        programme=Programme(),
        attached_on=ATTACHED,
        as_of=AS_OF,
    )
    assert results.check("R3").relevant is False


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("x", "results must be an object"),
        ({"r1": []}, "results.r1 and results.r2 must be objects"),
        ({"r2": {"programmes": ["gym"]}}, "results.r2.programmes must list"),
        (
            {"r1": {**tf1_results.default_parameters()["r1"], "asb": {"kind": "no_asb"}}},
            "results.r1.asb must be a asb_reduction measure",
        ),
    ],
)
def test_bad_parameters_say_what_is_wrong(data: object, message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        tf1_results.parse_parameters(data)


def test_parameters_round_trip() -> None:
    parsed = tf1_results.parse_parameters(tf1_results.default_parameters())
    assert tf1_results.parse_parameters(parsed.to_json()) == parsed


@pytest.mark.parametrize(
    ("offending_months", "earliest"),
    [
        # The last 3 complete terms on 1 September 2025 start on 1 September 2024.
        pytest.param(6, date(2024, 9, 1), id="default: 3 terms reach furthest"),
        pytest.param(18, date(2024, 3, 2), id="an 18-month offending window reaches further"),
    ],
)
def test_lookback_start(offending_months: int, earliest: date) -> None:
    data = tf1_results.default_parameters()
    data["r1"]["offending"]["months"] = offending_months
    params = tf1_results.parse_parameters(data)
    assert tf1_results.lookback_start(params, AS_OF) == earliest
