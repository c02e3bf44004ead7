"""tf1 (DOMAIN.md 4.1): each criterion and its edges, then the eligibility rule.

Dates follow DOMAIN.md 4.0. Assessment date 15 August 2025, in the summer term: the last
three consecutive terms are the complete ones, summer 2024, autumn 2024 and spring 2025
(summer 2025 counts only once it has ended, on 31 August); the last twelve months run from
16 August 2024, the day after the same date twelve months back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pytest

from outcomes.frameworks import tf1
from outcomes.frameworks.types import Fact, Member
from tests.support.frameworks import attendance, fact, household, member

AS_OF = date(2025, 8, 15)
# DOMAIN.md 4.0's example: on 1 September 2025 the last three terms are autumn 2024, spring
# 2025 and summer 2025, all of the 2024/25 academic year.
NEW_TERM = date(2025, 9, 1)
PARAMS = tf1.parse_parameters(tf1.default_parameters())

# Jordan is 13 on 1 September 2024 and 14 on the assessment date.
JORDAN = member("Jordan", "2011-01-10")
ALEX = member("Alex", "1990-05-05")


@dataclass
class Case:
    name: str
    facts: list[Fact]
    criterion: str
    met: bool
    reason: str = ""
    members: list[Member] = field(default_factory=lambda: [JORDAN, ALEX])
    as_of: date = AS_OF


# The first days of the last three complete terms on AS_OF, and on NEW_TERM.
LAST_TERMS = ("2024-04-01", "2024-09-01", "2025-01-01")
NEW_TERM_LAST_TERMS = ("2024-09-01", "2025-01-01", "2025-04-01")


def _three_terms(
    percent_sessions: tuple[int, int], who: str = "Jordan", starts: tuple[str, ...] = LAST_TERMS
) -> list[Fact]:
    possible, absent = percent_sessions
    return [attendance(who, start, possible, absent) for start in starts]


def _offence(
    day: str, *, outcome: str = "proven", proven_on: str = "2025-06-01", who: str = "Jordan"
) -> Fact:
    return fact(
        "offences",
        who,
        day,
        offence_date=day,
        outcome_date=proven_on,
        outcome=outcome,
        offence_type="theft",
    )


def _exclusion(day: str, kind: str = "fixed", who: str = "Jordan") -> Fact:
    return fact("exclusions", who, day, exclusion_date=day, exclusion_type=kind, sessions=2)


def _benefit(
    code: str,
    start: str,
    end: str | None = None,
    *,
    out_of_work: bool | None = None,
    who: str = "Alex",
) -> Fact:
    data: dict[str, object] = {"benefit": code, "start_date": start, "end_date": end}
    if out_of_work is not None:
        data["out_of_work"] = out_of_work
    return fact("benefits", who, start, end, **data)


CASES = [
    # -- education: unauthorised absence over the last 3 consecutive terms
    Case(
        "absence exactly 15% meets",
        _three_terms((100, 15)),
        "education",
        True,
        "Jordan (14) had 15.0% unauthorised absence over summer 2024 - spring 2025",
    ),
    Case(
        "absence 14.99% does not meet",
        [
            attendance("Jordan", "2024-04-01", 4000, 600),
            attendance("Jordan", "2024-09-01", 3000, 449),
            attendance("Jordan", "2025-01-01", 3000, 450),
        ],
        "education",
        False,
    ),
    Case(
        "absence 17.2% reads as the page shows it",
        _three_terms((500, 86)),
        "education",
        True,
        "Jordan (14) had 17.2% unauthorised absence over summer 2024 - spring 2025",
    ),
    Case(
        "absence in a fourth term back is not counted",
        [attendance("Jordan", "2024-01-01", 100, 100), *_three_terms((100, 10))],
        "education",
        False,
    ),
    Case(
        "absence in the term in progress is not counted until it ends",
        [*_three_terms((100, 10)), attendance("Jordan", "2025-04-01", 100, 100)],
        "education",
        False,
    ),
    Case(
        "absence with two of three terms reported says so",
        [attendance("Jordan", "2024-09-01", 100, 20), attendance("Jordan", "2025-01-01", 100, 20)],
        "education",
        True,
        "(2 of 3 terms with attendance data)",
    ),
    Case(
        "on 1 September the summer term just ended counts",
        _three_terms((100, 15), starts=NEW_TERM_LAST_TERMS),
        "education",
        True,
        "Jordan (14) had 15.0% unauthorised absence over autumn 2024 - summer 2025",
        as_of=NEW_TERM,
    ),
    # -- education: exclusions
    Case(
        "3 fixed exclusions over the last 3 terms meet",
        [_exclusion("2024-06-01"), _exclusion("2024-10-01"), _exclusion("2025-02-01")],
        "education",
        True,
        "Jordan (14) had 3 fixed-term exclusions over summer 2024 - spring 2025",
    ),
    Case(
        "3 fixed exclusions spread over 4 terms do not",
        [_exclusion("2024-02-01"), _exclusion("2024-10-01"), _exclusion("2025-02-01")],
        "education",
        False,
    ),
    Case(
        "a fixed exclusion in the term in progress is not counted until it ends",
        [_exclusion("2024-10-01"), _exclusion("2025-02-01"), _exclusion("2025-05-01")],
        "education",
        False,
    ),
    Case(
        "a permanent exclusion meets",
        [_exclusion("2025-03-01", "permanent")],
        "education",
        True,
        "Jordan (14) was permanently excluded on 1 March 2025",
    ),
    Case(
        "a permanent exclusion in the term in progress does not count until it ends",
        [_exclusion("2025-05-01", "permanent")],
        "education",
        False,
    ),
    Case(
        "on 31 August, the summer term's last day, that term counts",
        [_exclusion("2024-09-01"), _exclusion("2025-02-01"), _exclusion("2025-08-31")],
        "education",
        True,
        "Jordan (14) had 3 fixed-term exclusions over autumn 2024 - summer 2025",
        as_of=date(2025, 8, 31),
    ),
    Case(
        "on 1 September an exclusion that day is in the new term, not yet counted",
        [_exclusion("2025-02-01"), _exclusion("2025-05-01"), _exclusion("2025-09-01")],
        "education",
        False,
        as_of=NEW_TERM,
    ),
    Case(
        "on 1 January the autumn term just ended counts",
        [_exclusion("2024-05-01"), _exclusion("2024-10-01"), _exclusion("2024-12-31")],
        "education",
        True,
        "Jordan (13) had 3 fixed-term exclusions over spring 2024 - autumn 2024",
        as_of=date(2025, 1, 1),
    ),
    # -- education: school age is 5-16 on 1 September of the academic year (on NEW_TERM
    # the three terms are one academic year, so "1 September" is 1 September 2024)
    Case(
        "aged 4 on 1 September is not school age",
        _three_terms((100, 50), "Sam", NEW_TERM_LAST_TERMS),
        "education",
        False,
        members=[member("Sam", "2019-09-02"), ALEX],
        as_of=NEW_TERM,
    ),
    Case(
        "aged 5 on 1 September is school age",
        _three_terms((100, 50), "Sam", NEW_TERM_LAST_TERMS),
        "education",
        True,
        members=[member("Sam", "2019-09-01"), ALEX],
        as_of=NEW_TERM,
    ),
    Case(
        "aged 16 on 1 September is school age",
        _three_terms((100, 50), "Sam", NEW_TERM_LAST_TERMS),
        "education",
        True,
        members=[member("Sam", "2008-06-01"), ALEX],
        as_of=NEW_TERM,
    ),
    Case(
        "aged 17 on 1 September is not school age",
        _three_terms((100, 50), "Sam", NEW_TERM_LAST_TERMS),
        "education",
        False,
        members=[member("Sam", "2007-06-01"), ALEX],
        as_of=NEW_TERM,
    ),
    Case(
        "school age is judged for each term's academic year: 16 in 2023/24, 17 in 2024/25",
        _three_terms((100, 50), "Sam"),
        "education",
        True,
        "Sam (18) had 50.0% unauthorised absence over summer 2024 - spring 2025 "
        "(1 of 3 terms with attendance data)",
        members=[member("Sam", "2007-06-01"), ALEX],
    ),
    # -- crime and ASB: a child's proven offence committed in the last 12 months
    Case(
        "offence 12 months less a day ago counts",
        [_offence("2024-08-16")],
        "crime_asb",
        True,
        "Jordan (14) committed a proven offence in the last 12 months, aged 13: 16 August 2024",
    ),
    Case(
        "offence exactly 12 months ago is outside the window",
        [_offence("2024-08-15")],
        "crime_asb",
        False,
    ),
    Case("offence 12 months and 1 day ago does not", [_offence("2024-08-14")], "crime_asb", False),
    Case(
        "on 29 February the window opens on 1 March, the day after 28 February",
        [_offence("2023-03-01", proven_on="2023-06-01")],
        "crime_asb",
        True,
        "Jordan (13) committed a proven offence in the last 12 months, aged 12: 1 March 2023",
        as_of=date(2024, 2, 29),
    ),
    Case(
        "on 29 February an offence on 28 February a year before is outside the window",
        [_offence("2023-02-28", proven_on="2023-06-01")],
        "crime_asb",
        False,
        as_of=date(2024, 2, 29),
    ),
    Case(
        "committed over 12 months ago but proven recently does not",
        [_offence("2024-07-01", proven_on="2025-07-01")],
        "crime_asb",
        False,
    ),
    Case(
        "proven only after the assessment date does not",
        [_offence("2025-03-01", proven_on="2025-09-01")],
        "crime_asb",
        False,
    ),
    Case("not proven does not", [_offence("2025-03-01", outcome="not_proven")], "crime_asb", False),
    Case(
        "a child who has turned 18 since still counts: the offence date's age matters",
        [_offence("2025-01-10", who="Robin")],
        "crime_asb",
        True,
        "Robin (18) committed a proven offence in the last 12 months, aged 17: 10 January 2025",
        members=[member("Robin", "2007-03-01"), ALEX],
    ),
    Case(
        "an offence committed at 18 is not a child's",
        [_offence("2025-04-10", who="Robin")],
        "crime_asb",
        False,
        members=[member("Robin", "2007-03-01"), ALEX],
    ),
    Case(
        "an adult's ASB intervention counts",
        [fact("asb", "Alex", "2025-01-05", incident_date="2025-01-05", intervention="abc")],
        "crime_asb",
        True,
        "Alex (35) had an anti-social behaviour intervention in the last 12 months: "
        "acceptable behaviour contract on 5 January 2025",
    ),
    Case(
        "an ASB incident alone is not an intervention",
        [fact("asb", "Alex", "2025-01-05", incident_date="2025-01-05", intervention="incident")],
        "crime_asb",
        False,
    ),
    # -- work: an adult on an out-of-work benefit on the assessment date
    Case(
        "UC flagged out of work counts",
        [_benefit("UC", "2025-01-01", out_of_work=True)],
        "work",
        True,
        "Alex (35) has been on Universal Credit (out of work) since 1 January 2025",
    ),
    Case(
        "UC not flagged out of work does not",
        [_benefit("UC", "2025-01-01", out_of_work=False)],
        "work",
        False,
    ),
    Case("an ended benefit does not", [_benefit("JSA", "2024-01-01", "2025-08-14")], "work", False),
    Case(
        "a benefit ending on the assessment date still counts",
        [_benefit("JSA", "2024-01-01", "2025-08-15")],
        "work",
        True,
    ),
    Case(
        "a benefit starting after the assessment date does not",
        [_benefit("ESA", "2025-08-16")],
        "work",
        False,
    ),
    Case(
        "a 17-year-old is not an adult",
        [_benefit("ESA", "2025-01-01", who="Kim")],
        "work",
        False,
        members=[member("Kim", "2008-01-01"), ALEX],
    ),
    # -- local discretion (defaults)
    Case(
        "domestic abuse victim counts",
        [
            fact(
                "domestic_abuse",
                "Alex",
                "2025-02-02",
                incident_date="2025-02-02",
                role="victim",
                marac=False,
            )
        ],
        "local",
        True,
    ),
    Case(
        "domestic abuse witness only does not",
        [
            fact(
                "domestic_abuse",
                "Alex",
                "2025-02-02",
                incident_date="2025-02-02",
                role="witness",
                marac=False,
            )
        ],
        "local",
        False,
    ),
    Case(
        "child in need episode that ended 11 months ago counts",
        [fact("social_care", "Jordan", "2024-01-01", "2024-09-15", status="child_in_need")],
        "local",
        True,
        "Jordan (14): child in need from 1 January 2024 to 15 September 2024",
    ),
    Case(
        "child in need episode that ended 13 months ago does not",
        [fact("social_care", "Jordan", "2024-01-01", "2024-07-15", status="child_in_need")],
        "local",
        False,
    ),
    Case(
        "homelessness counts",
        [fact("housing", "Alex", "2025-03-03", event_date="2025-03-03", event="homeless")],
        "local",
        True,
    ),
    # -- household membership
    Case(
        "evidence about someone who left before the assessment date is ignored",
        [_offence("2025-01-10")],
        "crime_asb",
        False,
        members=[member("Jordan", "2011-01-10", left="2025-08-01"), ALEX],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_tf1_criterion(case: Case) -> None:
    result = tf1.assess(household(*case.members, facts=case.facts), PARAMS, case.as_of)

    criterion = result.criterion(case.criterion)
    assert criterion.met is case.met, criterion.reasons
    if case.reason:
        assert any(case.reason in r for r in criterion.reasons), criterion.reasons
    if case.met:
        assert set(criterion.evidence) <= {f.id for f in case.facts}
        assert criterion.evidence and criterion.people


def test_unmet_criterion_says_what_was_looked_for() -> None:
    result = tf1.assess(household(JORDAN, ALEX), PARAMS, AS_OF)

    assert result.criterion("education").reasons == (
        "No school-age child permanently excluded, or with 3 or more fixed-term exclusions, "
        "over summer 2024 - spring 2025",
        "No school-age child with 15% or more unauthorised absence over summer 2024 - spring 2025",
    )
    assert result.criterion("work").reasons == (
        "No adult on an out-of-work benefit (JSA, ESA, IB, IS, CA, SDA, UC)",
    )


CRIME = [_offence("2025-03-01")]
EDUCATION = [_exclusion("2025-03-01", "permanent")]
WORK = [_benefit("JSA", "2025-01-01")]
LOCAL = [fact("housing", "Alex", "2025-03-03", event_date="2025-03-03", event="eviction")]


@pytest.mark.parametrize(
    ("facts", "eligible", "summary"),
    [
        (CRIME + EDUCATION + WORK, True, "Eligible: meets all 3 national criteria"),
        (
            CRIME + WORK + LOCAL,
            True,
            "Eligible: meets 2 of 3 national criteria and a local criterion",
        ),
        (
            EDUCATION + WORK + LOCAL,
            True,
            "Eligible: meets 2 of 3 national criteria and a local criterion",
        ),
        (
            CRIME + WORK,
            False,
            "Not eligible: meets 2 of 3 national criteria (needs all 3, or 2 and a local "
            "criterion)",
        ),
        (WORK + LOCAL, False, "Not eligible: meets 1 of 3 national criteria and a local criterion"),
        ([], False, "Not eligible: meets 0 of 3 national criteria"),
    ],
    ids=[
        "all three",
        "crime+work+local",
        "education+work+local",
        "two without local",
        "one with local",
        "none",
    ],
)
def test_tf1_eligibility_all_three_or_two_plus_local(
    facts: list[Fact], eligible: bool, summary: str
) -> None:
    result = tf1.assess(household(JORDAN, ALEX, facts=facts), PARAMS, AS_OF)

    assert result.eligible is eligible
    assert result.summary.startswith(summary)


def test_council_can_require_all_three_even_with_a_local_criterion() -> None:
    data = tf1.default_parameters()
    data["eligibility"]["national_with_local"] = 3
    strict = tf1.parse_parameters(data)

    result = tf1.assess(household(JORDAN, ALEX, facts=CRIME + WORK + LOCAL), strict, AS_OF)

    assert result.eligible is False


def test_local_list_can_be_empty_and_then_never_meets() -> None:
    data = tf1.default_parameters()
    data["criteria"]["local"] = []
    params = tf1.parse_parameters(data)

    result = tf1.assess(household(JORDAN, ALEX, facts=CRIME + WORK + LOCAL), params, AS_OF)

    assert result.criterion("local").met is False
    assert result.eligible is False
