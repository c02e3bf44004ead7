"""Outcome measures (DOMAIN.md 4.0-4.3): every kind and its edges, then the settings.

Attached 1 September 2024, assessed 1 September 2025 unless a case says otherwise:
"the last 6 months" is 2 March 2025 to 1 September 2025; "the 6 months before
attachment" is 1 March 2024 to 31 August 2024; the last 3 complete terms are autumn 2024,
spring 2025 and summer 2025.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from outcomes.frameworks.measures import (
    MEASURE_KINDS,
    Measure,
    lookback_start,
    measure_evaluate,
    measures_from_json,
)
from outcomes.frameworks.types import Fact, HouseholdRules, Member, ParameterError
from tests.support.frameworks import attendance, fact, household, member

ATTACHED = date(2024, 9, 1)
AS_OF = date(2025, 9, 1)
RULES = HouseholdRules()

# Jordan is 13 on 1 September 2024 and 14 on the assessment date; Sam is 11 and 12.
JORDAN = member("Jordan", "2011-01-10")
SAM = member("Sam", "2013-06-01")
ALEX = member("Alex", "1990-05-05")
# Riley is 17 on 1 September 2024 (not school age) and turns 18 on 1 June 2025.
RILEY = member("Riley", "2007-06-01")
CASEY = member("Casey", "1992-02-02")
BABY = member("Robin", "2023-03-03")
FAMILY = (JORDAN, SAM, ALEX)


def measure(kind: str, **settings: Any) -> Measure:
    """A measure as a programme manager saves it: the kind's defaults, then settings."""
    return Measure.from_json({"kind": kind, **settings})


def offences(day: str, n: int = 1, *, who: str = "Jordan", **data: Any) -> list[Fact]:
    values: dict[str, Any] = {"outcome": "proven", "outcome_date": day, **data}
    return [
        fact("offences", who, day, offence_date=day, offence_type="theft", **values)
        for _ in range(n)
    ]


def asb(day: str, n: int = 1, *, who: str = "Jordan", intervention: str = "incident") -> list[Fact]:
    return [fact("asb", who, day, incident_date=day, intervention=intervention) for _ in range(n)]


def callouts(day: str, n: int = 1, *, category: str = "asb") -> list[Fact]:
    return [
        fact("police_callouts", "Alex", day, callout_date=day, category=category) for _ in range(n)
    ]


def exclusions(day: str, n: int = 1, *, kind: str = "fixed", who: str = "Jordan") -> list[Fact]:
    return [
        fact("exclusions", who, day, exclusion_date=day, exclusion_type=kind, sessions=2)
        for _ in range(n)
    ]


def three_terms(possible: int, absent: int, who: str = "Jordan") -> list[Fact]:
    return [
        attendance(who, start, possible, absent)
        for start in ("2024-09-01", "2025-01-01", "2025-04-01")
    ]


def spell(kind: str, key: str, code: str, start: str, end: str | None = None, **data: Any) -> Fact:
    who = data.pop("who", "Jordan")
    return fact(kind, who, start, end, **{key: code, "start_date": start, "end_date": end}, **data)


def housing(event: str, day: str) -> Fact:
    return fact("housing", "Alex", day, event_date=day, event=event)


def benefit(code: str, start: str, end: str | None = None, who: str = "Alex") -> Fact:
    return spell("benefits", "benefit", code, start, end, who=who)


def job(start: str, end: str | None = None, who: str = "Alex") -> Fact:
    return fact("employment", who, start, end, start_date=start, end_date=end, hours_per_week=30)


@dataclass
class Case:
    name: str
    measure: Measure
    facts: list[Fact]
    met: bool | None
    reason: str = ""
    members: tuple[Member, ...] = FAMILY
    as_of: date = AS_OF
    people: tuple[Member, ...] | None = None
    met_on: date | None = None
    # The evidence the outcome must cite, exactly (None: not checked).
    evidence: list[Fact] | None = None
    # No "last N months" window starts before this day (None: full windows).
    since: date | None = None


SCHOOL = measure("school_attendance")
TF1_SCHOOL = measure("school_attendance", percent=15, codes=[])
OFFENDING = measure("offending_reduction")
ASB = measure("asb_reduction")
CALLOUTS = measure("callout_reduction")
CARE = measure("social_care_ended")
HEALTH = measure("health_improved")
HOUSING = measure("housing_stable")
NO_HOUSING_EVENT = measure("no_housing_event")
EMPLOYMENT = measure("continuous_employment")
AFTER_JSA = measure("continuous_employment", weeks=13, weeks_after_jsa=26)
IN_WORK = measure("in_work")
NO_BENEFIT = measure("no_out_of_work_benefit")

_ten_before = offences("2024-05-01", 10)
_three_before = offences("2024-05-01", 3)
_two_after = offences("2025-05-01", 2)
_outside = offences("2024-12-01")
_cleared = housing("arrears_cleared", "2025-02-01")
_esa = benefit("ESA", "2024-01-01", "2024-09-30")
_job = job("2024-10-01")
_eviction = housing("eviction", "2025-04-01")
_jsa_again = benefit("JSA", "2025-07-01")
_casey_job = job("2025-02-01", who="Casey")
_alex_job = job("2025-05-01")

CASES = [
    # -- school attendance: every school-age child, last 3 complete terms
    Case(
        "absence 9.6% and 2 fixed-term exclusions meet",
        SCHOOL,
        [
            attendance("Jordan", "2024-09-01", 100, 9),
            attendance("Jordan", "2025-01-01", 100, 10),
            attendance("Jordan", "2025-04-01", 100, 10),
            *exclusions("2025-02-01", 2),
        ],
        True,
        "Jordan (14): 9.6% unauthorised absence, 2 fixed-term exclusions "
        "(1 February 2025, 1 February 2025) over autumn 2024 - summer 2025",
    ),
    Case(
        "absence exactly 10% is not under 10%",
        SCHOOL,
        three_terms(100, 10),
        False,
        "10.0% unauthorised absence, no fixed-term exclusions over autumn 2024 - summer 2025"
        " - absence not under 10%",
    ),
    Case(
        "3 fixed-term exclusions are not fewer than 3",
        SCHOOL,
        [*three_terms(100, 2), *exclusions("2024-10-01"), *exclusions("2025-05-01", 2)],
        False,
        "not fewer than 3 fixed-term exclusions",
    ),
    Case(
        "a permanent exclusion fails with no_permanent",
        SCHOOL,
        [*three_terms(100, 2), *exclusions("2025-05-01", kind="permanent")],
        False,
        "permanently excluded on 1 May 2025 over autumn 2024 - summer 2025 - permanently excluded",
    ),
    Case(
        "a permanent exclusion is not judged without no_permanent (tf1)",
        TF1_SCHOOL,
        [*three_terms(100, 14), *exclusions("2025-05-01", kind="permanent")],
        True,
    ),
    Case(
        "a sibling who starts truanting fails it for the family",
        SCHOOL,
        [*three_terms(100, 2), *three_terms(100, 20, who="Sam")],
        False,
        "Sam (12): 20.0% unauthorised absence",
    ),
    Case(
        "people: only the children given are judged",
        SCHOOL,
        [*three_terms(100, 2), *three_terms(100, 20, who="Sam")],
        True,
        people=(JORDAN,),
    ),
    Case(
        "a term in progress is not counted",
        SCHOOL,
        [
            *three_terms(100, 2),
            attendance("Jordan", "2025-09-01", 100, 60),
            *exclusions("2025-10-01", 3),
        ],
        True,
        "over autumn 2024 - summer 2025",
        as_of=date(2025, 10, 15),
    ),
    Case(
        "a fourth term back is not counted",
        SCHOOL,
        [attendance("Jordan", "2024-04-01", 100, 100), *three_terms(100, 2)],
        True,
    ),
    Case(
        "two of three terms reported says so",
        SCHOOL,
        [attendance("Jordan", "2025-01-01", 100, 2), attendance("Jordan", "2025-04-01", 100, 2)],
        True,
        "(2 of 3 terms with attendance data)",
    ),
    Case(
        "school-age children with nothing recorded meet",
        SCHOOL,
        [],
        True,
        "No school-age child had absence or exclusions recorded over autumn 2024 - summer 2025",
    ),
    Case(
        "no school-age child: not applicable (17 on 1 September is not school age)",
        SCHOOL,
        three_terms(100, 50, who="Riley"),
        None,
        "No school-age child in the household",
        members=(ALEX, RILEY, BABY),
    ),
    # -- offending by under-18s, down at least 33%
    Case(
        "3 before, 2 after is 33.3% fewer: meets 33%",
        OFFENDING,
        [*_three_before, *_two_after, *_outside],
        True,
        "Proven offences by under-18s: 3 in the 6 months before attachment (1 March 2024 to "
        "31 August 2024) and 2 in the last 6 months (2 March 2025 to 1 September 2025), "
        "33% fewer (at least 33% fewer needed)",
        evidence=[*_three_before, *_two_after],
    ),
    Case(
        "10 before, 7 after is 30% fewer: fails 33%",
        OFFENDING,
        [*_ten_before, *offences("2025-05-01", 7)],
        False,
        "30% fewer (at least 33% fewer needed)",
    ),
    Case(
        "a zero baseline is not applicable",
        OFFENDING,
        offences("2025-05-01", 2),
        None,
        "none in the 6 months before attachment (1 March 2024 to 31 August 2024), so there is "
        "no baseline to reduce; 2 in the last 6 months",
    ),
    Case(
        "one offender down from 3 to 1 meets",
        OFFENDING,
        [*offences("2024-05-01", 3), *offences("2025-05-01")],
        True,
    ),
    Case(
        "a sibling's new offences count in the family total",
        OFFENDING,
        [
            *offences("2024-05-01", 3),
            *offences("2025-05-01"),
            *offences("2025-06-01", 2, who="Sam"),
        ],
        False,
        "3 in the 6 months before attachment (1 March 2024 to 31 August 2024) and 3 in the "
        "last 6 months",
    ),
    Case(
        "an offence at 18 is not counted (age on the offence date)",
        OFFENDING,
        [*offences("2024-05-01", 2, who="Riley"), *offences("2025-07-01", 2, who="Riley")],
        True,
        members=(ALEX, RILEY),
    ),
    Case(
        "an offence at 17 is counted",
        OFFENDING,
        [*offences("2024-05-01", 2, who="Riley"), *offences("2025-05-01", 2, who="Riley")],
        False,
        members=(ALEX, RILEY),
    ),
    Case(
        "offences not proven are not counted",
        OFFENDING,
        [*_three_before, *offences("2025-05-01", 3, outcome="not_proven")],
        True,
    ),
    Case(
        "an offence proven after the assessment date is not known yet",
        OFFENDING,
        [*_three_before, *offences("2025-05-01", 3, outcome_date="2025-10-01")],
        True,
    ),
    Case(
        "the before-attachment window's first day (attachment less 6 months) is in",
        OFFENDING,
        offences("2024-03-01"),
        True,
    ),
    Case(
        "the day before the before-attachment window is out",
        OFFENDING,
        offences("2024-02-29"),
        None,
    ),
    Case(
        "an offence on the attachment date is not before attachment",
        OFFENDING,
        offences("2024-09-01"),
        None,
    ),
    Case(
        "the last 6 months' first day (assessment less 6 months plus a day) is in",
        OFFENDING,
        [*offences("2024-05-01"), *offences("2025-03-02")],
        False,
        "1 in the 6 months before attachment (1 March 2024 to 31 August 2024) and 1 in the "
        "last 6 months (2 March 2025 to 1 September 2025), 0% fewer",
    ),
    Case(
        "the day before the last 6 months is out",
        OFFENDING,
        [*offences("2024-05-01"), *offences("2025-03-01")],
        True,
    ),
    # -- anti-social behaviour across the household, down at least 60%
    Case(
        "5 before, 2 after is exactly 60% fewer: meets",
        ASB,
        [*asb("2024-06-01", 5), *asb("2025-06-01", 2)],
        True,
        "60% fewer (at least 60% fewer needed)",
    ),
    Case(
        "every row of anyone in the household counts: 5 before, 3 after fails",
        ASB,
        [
            *asb("2024-06-01", 5),
            *asb("2025-06-01", who="Alex", intervention="warning"),
            *asb("2025-06-01", 2, who="Sam", intervention="order"),
        ],
        False,
        "40% fewer (at least 60% fewer needed)",
    ),
    Case(
        "codes limit the rows counted",
        measure("asb_reduction", codes=["order"]),
        [*asb("2024-06-01", 2, intervention="order"), *asb("2025-06-01", 3)],
        True,
    ),
    Case(
        "no anti-social behaviour before attachment: not applicable",
        ASB,
        asb("2025-06-01"),
        None,
    ),
    # -- police call-outs, down at least 50%
    Case(
        "4 before, 2 after is 50% fewer: meets",
        CALLOUTS,
        [*callouts("2024-06-01", 4), *callouts("2025-06-01", 2)],
        True,
    ),
    Case(
        "3 before, 2 after is 33% fewer: fails 50%",
        CALLOUTS,
        [*callouts("2024-06-01", 3), *callouts("2025-06-01", 2)],
        False,
        "Police call-outs: 3 in",
    ),
    Case(
        "call-outs of a category not chosen are ignored",
        measure("callout_reduction", codes=["domestic_abuse"]),
        [
            *callouts("2024-06-01", 2, category="domestic_abuse"),
            *callouts("2025-06-01", 2, category="welfare"),
        ],
        True,
    ),
    # -- no offending, no ASB, no domestic abuse in the last 6 months
    Case(
        "an offence on the window's first day fails no offending",
        measure("no_offending"),
        offences("2025-03-02"),
        False,
        "Jordan (14) committed a proven offence in the last 6 months (2 March 2025 to "
        "1 September 2025): 2 March 2025",
    ),
    Case(
        "an offence the day before the window passes no offending",
        measure("no_offending"),
        offences("2025-03-01"),
        True,
        "No proven offence by anyone in the household in the last 6 months",
    ),
    Case(
        "an adult's offence counts with no ages set",
        measure("no_offending"),
        offences("2025-05-01", who="Alex"),
        False,
        "Alex (35) committed a proven offence",
    ),
    Case(
        "max_age 17 leaves adults out",
        measure("no_offending", max_age=17),
        offences("2025-05-01", who="Alex"),
        True,
        "No proven offence by under-18s",
    ),
    Case(
        "people: someone else's offence is not counted",
        measure("no_offending"),
        offences("2025-05-01", who="Alex"),
        True,
        people=(JORDAN, SAM),
    ),
    Case(
        "an anti-social behaviour row in the window fails no ASB",
        measure("no_asb"),
        asb("2025-07-01", intervention="abc"),
        False,
        "acceptable behaviour contract on 1 July 2025",
    ),
    Case(
        "an anti-social behaviour row before the window passes no ASB",
        measure("no_asb"),
        asb("2025-01-01"),
        True,
    ),
    Case(
        "a domestic abuse incident in the window fails",
        measure("no_domestic_abuse"),
        [fact("domestic_abuse", "Alex", "2025-06-01", role="victim", marac="Y")],
        False,
        "Alex (35) was involved in a domestic abuse incident in the last 6 months (2 March 2025 "
        "to 1 September 2025): 1 June 2025 (victim, MARAC referral)",
    ),
    Case(
        "a domestic abuse incident 7 months ago passes",
        measure("no_domestic_abuse"),
        [fact("domestic_abuse", "Alex", "2025-02-01", role="victim", marac="N")],
        True,
    ),
    Case(
        "codes: a role not chosen is not counted",
        measure("no_domestic_abuse", codes=["perpetrator"]),
        [fact("domestic_abuse", "Alex", "2025-06-01", role="victim", marac="N")],
        True,
    ),
    # -- children's social care stepped down and not re-opened
    Case(
        "an episode open at attachment that has ended meets",
        CARE,
        [spell("social_care", "status", "child_in_need", "2024-06-01", "2025-01-31")],
        True,
        "Jordan (14): child in need from 1 June 2024 to 31 January 2025, ended",
    ),
    Case(
        "an episode still open fails",
        CARE,
        [spell("social_care", "status", "child_protection", "2024-06-01")],
        False,
        "Jordan (14): child protection since 1 June 2024, still open",
    ),
    Case(
        "an end date after the assessment date is still open on it",
        CARE,
        [spell("social_care", "status", "child_in_need", "2024-06-01", "2025-10-01")],
        False,
        "still open",
    ),
    Case(
        "an episode opened in the last 6 months fails, even if ended",
        CARE,
        [
            spell("social_care", "status", "child_in_need", "2024-06-01", "2024-12-01"),
            spell("social_care", "status", "section_47", "2025-04-01", "2025-05-01", who="Sam"),
        ],
        False,
        "Sam (12): section 47 enquiry opened on 1 April 2025, in the last 6 months",
    ),
    Case(
        "an episode that ended in the 6 months before attachment meets",
        CARE,
        [spell("social_care", "status", "child_in_need", "2024-01-01", "2024-05-01")],
        True,
        "ended before attachment",
    ),
    Case(
        "no episode since 6 months before attachment: not applicable",
        CARE,
        [spell("social_care", "status", "child_in_need", "2023-01-01", "2024-02-28")],
        None,
        "No child in need, child protection or section 47 enquiry episode since 1 March 2024",
    ),
    Case(
        "early help is not one of the default codes",
        CARE,
        [spell("social_care", "status", "early_help", "2024-06-01")],
        None,
    ),
    # -- health: need ended or treatment engaged with
    Case(
        "a need that ended meets",
        HEALTH,
        [spell("health", "need", "mental_health", "2024-06-01", "2025-03-01", who="Alex")],
        True,
        "Alex (35): mental health need from 1 June 2024 to 1 March 2025, ended",
    ),
    Case(
        "an open need engaged with treatment meets",
        HEALTH,
        [spell("health", "need", "substance_misuse", "2024-06-01", who="Alex", engaged="Y")],
        True,
        "engaged with treatment",
    ),
    Case(
        "an open need not engaged with fails",
        HEALTH,
        [
            spell("health", "need", "substance_misuse", "2024-06-01", who="Alex", engaged="Y"),
            spell("health", "need", "mental_health", "2025-01-01", who="Sam", engaged="N"),
        ],
        False,
        "Sam (12): mental health need since 1 January 2025, still open and not engaged",
    ),
    Case(
        "a need of another code: not applicable",
        HEALTH,
        [spell("health", "need", "physical_health", "2024-06-01", who="Alex")],
        None,
    ),
    Case(
        "a need that ended before attachment: not applicable",
        HEALTH,
        [spell("health", "need", "mental_health", "2024-01-01", "2024-08-31", who="Alex")],
        None,
    ),
    # -- secure housing; rent arrears cleared
    Case(
        "an eviction in the last 6 months fails",
        HOUSING,
        [housing("eviction", "2025-04-01")],
        False,
        "Alex (35): eviction on 1 April 2025",
    ),
    Case(
        "an eviction, but arrears cleared since attachment, meets",
        HOUSING,
        [housing("eviction", "2025-04-01"), housing("rent_arrears", "2024-08-01"), _cleared],
        True,
        "rent arrears cleared on 1 February 2025",
        met_on=date(2025, 2, 1),
    ),
    Case(
        "an eviction 7 months ago meets",
        HOUSING,
        [housing("eviction", "2025-02-01")],
        True,
        "No notice seeking possession, eviction, homelessness or temporary accommodation event",
    ),
    Case(
        "rent arrears are not one of the default events",
        HOUSING,
        [housing("rent_arrears", "2025-04-01")],
        True,
    ),
    # -- no housing event (secure housing without "or arrears cleared")
    Case(
        "an eviction in the last 6 months fails, though arrears were cleared",
        NO_HOUSING_EVENT,
        [_eviction, housing("rent_arrears", "2024-08-01"), _cleared],
        False,
        "Alex (35): eviction on 1 April 2025, in the last 6 months (2 March 2025 to "
        "1 September 2025)",
        evidence=[_eviction],
    ),
    Case(
        "a housing event on the window's first day fails",
        NO_HOUSING_EVENT,
        [housing("homeless", "2025-03-02")],
        False,
        "Alex (35): homelessness on 2 March 2025",
    ),
    Case(
        "a housing event the day before the window passes",
        NO_HOUSING_EVENT,
        [housing("temporary_accommodation", "2025-03-01")],
        True,
        "No notice seeking possession, eviction, homelessness or temporary accommodation event "
        "in the last 6 months (2 March 2025 to 1 September 2025)",
    ),
    Case(
        "rent arrears are not a housing event by default",
        NO_HOUSING_EVENT,
        [housing("rent_arrears", "2025-04-01")],
        True,
    ),
    Case(
        "codes: an event not chosen is not counted",
        measure("no_housing_event", codes=["eviction"]),
        [housing("homeless", "2025-04-01")],
        True,
        "No eviction event",
    ),
    Case(
        "since: an event before it is not counted, and the window says so",
        NO_HOUSING_EVENT,
        [_eviction],
        True,
        "No notice seeking possession, eviction, homelessness or temporary accommodation event "
        "in the days from 2 April 2025 to 1 September 2025",
        since=date(2025, 4, 2),
    ),
    Case(
        "since: an event on it is counted",
        NO_HOUSING_EVENT,
        [_eviction],
        False,
        "eviction on 1 April 2025, in the days from 1 April 2025 to 1 September 2025",
        since=date(2025, 4, 1),
    ),
    Case(
        "since: an earlier day does not lengthen the window",
        NO_HOUSING_EVENT,
        [housing("eviction", "2025-02-01")],
        True,
        "in the last 6 months (2 March 2025 to 1 September 2025)",
        since=date(2025, 1, 1),
    ),
    Case(
        "arrears cleared since attachment",
        measure("arrears_cleared"),
        [housing("rent_arrears", "2024-08-01"), _cleared],
        True,
        "Alex (35): rent arrears cleared on 1 February 2025",
        met_on=date(2025, 2, 1),
        evidence=[_cleared],
    ),
    Case(
        "arrears recorded again after they were cleared",
        measure("arrears_cleared"),
        [_cleared, housing("rent_arrears", "2025-05-01")],
        False,
        "Rent arrears cleared on 1 February 2025, but recorded again on 1 May 2025",
    ),
    Case(
        "arrears cleared on the day they were recorded",
        measure("arrears_cleared"),
        [housing("rent_arrears", "2025-02-01"), _cleared],
        True,
    ),
    Case(
        "arrears cleared before attachment do not count",
        measure("arrears_cleared"),
        [housing("arrears_cleared", "2024-08-01")],
        False,
        "No rent arrears cleared since attachment (1 September 2024)",
    ),
    # -- continuous employment: start + 7N days on or before the assessment date
    Case(
        "91 days of work is 13 weeks",
        EMPLOYMENT,
        [_esa, _job],
        True,
        "Alex (34) started work on 1 October 2024 and was in continuous employment for "
        "13 weeks on 31 December 2024",
        as_of=date(2024, 12, 31),
        met_on=date(2024, 12, 31),
        evidence=[_esa, _job],
    ),
    Case(
        "90 days of work is not 13 weeks",
        EMPLOYMENT,
        [_esa, _job],
        False,
        "Alex (34) has not been in continuous employment for 13 weeks since attachment "
        "(1 September 2024)",
        as_of=date(2024, 12, 30),
    ),
    Case(
        "off JSA, 13 weeks are not enough when 26 are needed",
        AFTER_JSA,
        [benefit("JSA", "2024-01-01", "2024-09-30"), job("2024-10-01")],
        False,
        "has not been in continuous employment for 26 weeks since attachment (1 September 2024)"
        " (came off Jobseeker's Allowance)",
        as_of=date(2025, 3, 31),
    ),
    Case(
        "off JSA, 26 weeks meet",
        AFTER_JSA,
        [benefit("JSA", "2024-01-01", "2024-09-30"), job("2024-10-01")],
        True,
        "continuous employment for 26 weeks on 1 April 2025 (came off Jobseeker's Allowance)",
        as_of=date(2025, 4, 1),
        met_on=date(2025, 4, 1),
    ),
    Case(
        "a benefit claim reopened during the job breaks it",
        EMPLOYMENT,
        [_esa, _job, benefit("ESA", "2024-11-01", "2024-11-30")],
        False,
    ),
    Case(
        "a job that started the day before attachment does not count",
        EMPLOYMENT,
        [_esa, job("2024-08-31")],
        False,
    ),
    Case(
        "a job that ended before 13 weeks does not count",
        EMPLOYMENT,
        [_esa, job("2024-10-01", "2024-12-01")],
        False,
    ),
    Case(
        "any adult's work counts",
        EMPLOYMENT,
        [_esa, job("2024-10-01", who="Casey")],
        True,
        "Casey (33) started work on 1 October 2024",
        members=(ALEX, CASEY, JORDAN),
    ),
    Case(
        "people: only the adults given",
        EMPLOYMENT,
        [_esa, job("2024-10-01", who="Casey")],
        False,
        members=(ALEX, CASEY, JORDAN),
        people=(ALEX,),
    ),
    Case(
        "a 17 year old's work is not an adult's",
        EMPLOYMENT,
        [job("2024-10-01", who="Riley")],
        False,
        members=(ALEX, RILEY),
        as_of=date(2025, 3, 1),
    ),
    # -- in work: a job started on or after attachment, still open on the assessment date
    Case(
        "in a job since attachment, still open",
        IN_WORK,
        [_esa, job("2025-06-03")],
        True,
        "Alex (35) has been in work since 3 June 2025",
        met_on=date(2025, 6, 3),
    ),
    Case(
        "a job that started on the attachment date counts",
        IN_WORK,
        [job("2024-09-01")],
        True,
        met_on=date(2024, 9, 1),
    ),
    Case(
        "a job that started the day before attachment does not count for in work",
        IN_WORK,
        [job("2024-08-31")],
        False,
        "No adult has started work since attachment (1 September 2024) and is still in it on "
        "1 September 2025",
    ),
    Case(
        "a job ending on the assessment date is still open on it",
        IN_WORK,
        [job("2025-06-01", "2025-09-01")],
        True,
    ),
    Case(
        "a job that ended the day before the assessment date is not",
        IN_WORK,
        [job("2025-06-01", "2025-08-31")],
        False,
    ),
    Case(
        "a job starting after the assessment date is not known yet",
        IN_WORK,
        [job("2025-09-02")],
        False,
    ),
    Case(
        "the earliest open job is when it was met; an ended one is not evidence",
        IN_WORK,
        [job("2024-10-01", "2024-12-01"), _alex_job, _casey_job],
        True,
        "Casey (33) has been in work since 1 February 2025",
        members=(ALEX, CASEY, JORDAN),
        met_on=date(2025, 2, 1),
        evidence=[_casey_job, _alex_job],
    ),
    Case(
        "people: only the adults given are in work",
        IN_WORK,
        [_casey_job],
        False,
        members=(ALEX, CASEY, JORDAN),
        people=(ALEX,),
    ),
    Case(
        "a 17 year old's job is not an adult in work",
        IN_WORK,
        [job("2024-10-01", who="Riley")],
        False,
        members=(ALEX, RILEY),
        as_of=date(2025, 3, 1),
    ),
    Case(
        "no adult in the household is not in work",
        IN_WORK,
        [job("2024-10-01", who="Jordan")],
        False,
        "No adult in the household",
        members=(JORDAN, SAM),
    ),
    # -- no out-of-work benefit claim open in the last 6 months
    Case(
        "a claim that ended the day before the window passes",
        NO_BENEFIT,
        [benefit("ESA", "2024-01-01", "2025-03-01")],
        True,
        "No adult on an out-of-work benefit in the last 6 months (2 March 2025 to "
        "1 September 2025)",
    ),
    Case(
        "a claim that ended on the window's first day fails",
        NO_BENEFIT,
        [benefit("ESA", "2024-01-01", "2025-03-02")],
        False,
        "Alex (35): Employment and Support Allowance from 1 January 2024 to 2 March 2025, in "
        "the last 6 months (2 March 2025 to 1 September 2025)",
    ),
    Case(
        "a return to benefit after work fails",
        NO_BENEFIT,
        [_esa, _job, _jsa_again],
        False,
        "Alex (35): Jobseeker's Allowance since 1 July 2025",
        evidence=[_jsa_again],
    ),
    Case(
        "Universal Credit without the out-of-work flag is not an out-of-work benefit",
        NO_BENEFIT,
        [spell("benefits", "benefit", "UC", "2025-05-01", who="Alex", out_of_work="N")],
        True,
    ),
    Case(
        "Universal Credit with the out-of-work flag is",
        NO_BENEFIT,
        [spell("benefits", "benefit", "UC", "2025-05-01", who="Alex", out_of_work="Y")],
        False,
        "Universal Credit (out of work) since 1 May 2025",
    ),
    Case(
        "a claim starting after the assessment date is not known yet",
        NO_BENEFIT,
        [benefit("ESA", "2025-09-02")],
        True,
    ),
    Case(
        "codes: a benefit not chosen is not counted",
        measure("no_out_of_work_benefit", codes=["JSA"]),
        [benefit("ESA", "2025-05-01")],
        True,
    ),
    Case(
        "people: someone else's claim is not counted",
        NO_BENEFIT,
        [benefit("ESA", "2025-05-01", who="Casey")],
        True,
        members=(ALEX, CASEY, JORDAN),
        people=(ALEX,),
    ),
    Case(
        "since: a claim that ended before it is not counted",
        NO_BENEFIT,
        [benefit("ESA", "2024-01-01", "2025-04-01")],
        True,
        "No adult on an out-of-work benefit in the days from 2 April 2025 to 1 September 2025",
        since=date(2025, 4, 2),
    ),
    Case(
        "since: a claim still open on it is counted",
        NO_BENEFIT,
        [benefit("ESA", "2024-01-01", "2025-04-02")],
        False,
        since=date(2025, 4, 2),
    ),
    Case(
        "no adult: no benefit to judge, not applicable",
        NO_BENEFIT,
        [],
        None,
        "No adult in the household",
        members=(JORDAN, SAM),
    ),
    # -- financial stability: employment or arrears cleared
    Case(
        "arrears cleared alone meet financial stability",
        measure("employment_or_arrears_cleared"),
        [_cleared],
        True,
        "rent arrears cleared on 1 February 2025",
        met_on=date(2025, 2, 1),
    ),
    Case(
        "employment alone meets financial stability",
        measure("employment_or_arrears_cleared"),
        [_esa, _job],
        True,
        "continuous employment for 13 weeks on 31 December 2024",
        met_on=date(2024, 12, 31),
    ),
    Case(
        "neither employment nor arrears cleared",
        measure("employment_or_arrears_cleared"),
        [_esa],
        False,
        "No rent arrears cleared since attachment",
    ),
    # -- recorded by the lead practitioner
    Case(
        "a recorded outcome is never judged from data",
        measure("recorded"),
        [_cleared],
        None,
        "Recorded by the lead practitioner",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_measure(case: Case) -> None:
    # given
    family = household(*case.members, facts=case.facts)
    people = None if case.people is None else tuple(m.person_id for m in case.people)

    # when
    outcome = measure_evaluate(
        case.measure,
        family,
        RULES,
        attached_on=ATTACHED,
        as_of=case.as_of,
        people=people,
        since=case.since,
    )

    # then
    assert outcome.met is case.met, outcome.reasons
    if case.reason:
        assert any(case.reason in reason for reason in outcome.reasons), outcome.reasons
    if case.met_on is not None:
        assert outcome.met_on == case.met_on
    if case.evidence is not None:
        assert outcome.evidence == tuple(sorted(f.id for f in case.evidence))


def test_every_kind_has_a_case() -> None:
    assert {c.measure.kind for c in CASES} == set(MEASURE_KINDS)


def test_findings_name_their_people_and_evidence() -> None:
    # given a sibling's offence in the window
    sam = offences("2025-05-01", who="Sam")
    family = household(*FAMILY, facts=[*offences("2024-05-01", 3), *sam])

    # when
    outcome = measure_evaluate(
        measure("no_offending"), family, RULES, attached_on=ATTACHED, as_of=AS_OF
    )

    # then
    assert outcome.people == (SAM.person_id,)
    assert outcome.evidence == (sam[0].id,)


@pytest.mark.parametrize(
    ("kind", "defaults"),
    [
        ("school_attendance", {"percent": 10, "count": 3, "terms": 3, "codes": ["no_permanent"]}),
        ("offending_reduction", {"months": 6, "percent": 33, "min_age": None, "max_age": 17}),
        ("asb_reduction", {"months": 6, "percent": 60, "codes": []}),
        ("callout_reduction", {"months": 6, "percent": 50, "codes": []}),
        ("no_offending", {"months": 6, "min_age": None, "max_age": None}),
        ("no_asb", {"months": 6, "codes": []}),
        ("no_domestic_abuse", {"months": 6, "codes": []}),
        (
            "social_care_ended",
            {"months": 6, "codes": ["child_in_need", "child_protection", "section_47"]},
        ),
        ("health_improved", {"codes": ["mental_health", "substance_misuse"]}),
        (
            "housing_stable",
            {
                "months": 6,
                "codes": [
                    "notice_seeking_possession",
                    "eviction",
                    "homeless",
                    "temporary_accommodation",
                ],
            },
        ),
        (
            "no_housing_event",
            {
                "months": 6,
                "codes": [
                    "notice_seeking_possession",
                    "eviction",
                    "homeless",
                    "temporary_accommodation",
                ],
            },
        ),
        ("arrears_cleared", {}),
        ("continuous_employment", {"weeks": 13, "weeks_after_jsa": 13}),
        ("in_work", {}),
        (
            "no_out_of_work_benefit",
            {"months": 6, "codes": ["JSA", "ESA", "IB", "IS", "CA", "SDA", "UC"]},
        ),
        ("employment_or_arrears_cleared", {"weeks": 13, "weeks_after_jsa": 13}),
        ("recorded", {}),
    ],
    ids=lambda value: value if isinstance(value, str) else "defaults",
)
def test_kind_defaults_and_round_trip(kind: str, defaults: dict[str, Any]) -> None:
    # given the kind's defaults, as saved
    saved = measure(kind).to_json()

    # then only the settings the kind uses are saved, and they read back the same
    assert saved == {"kind": kind, **defaults}
    assert Measure.from_json(saved) == MEASURE_KINDS[kind].default


def test_a_fractional_percent_reads_back_exactly() -> None:
    saved = measure("offending_reduction", percent=33.3)
    assert saved.percent == Decimal("33.3")
    assert Measure.from_json(saved.to_json()) == saved


@pytest.mark.parametrize(
    ("settings", "description"),
    [
        (
            {"kind": "school_attendance"},
            "Under 10% unauthorised absence over the last 3 complete terms, no permanent "
            "exclusion and fewer than 3 fixed-term exclusions, for every school-age child",
        ),
        (
            {"kind": "school_attendance", "percent": 15, "codes": []},
            "Under 15% unauthorised absence over the last 3 complete terms and fewer than 3 "
            "fixed-term exclusions, for every school-age child",
        ),
        (
            {"kind": "offending_reduction"},
            "Proven offences by under-18s at least 33% fewer in the last 6 months than in the "
            "6 months before attachment",
        ),
        (
            {"kind": "offending_reduction", "min_age": 10},
            "Proven offences by 10-17 year olds at least 33% fewer in the last 6 months than in "
            "the 6 months before attachment",
        ),
        (
            {"kind": "asb_reduction"},
            "Anti-social behaviour across the household (every intervention and incident) at "
            "least 60% fewer in the last 6 months than in the 6 months before attachment",
        ),
        (
            {"kind": "callout_reduction", "codes": ["domestic_abuse", "asb"]},
            "Police call-outs (domestic abuse or anti-social behaviour) at least 50% fewer in "
            "the last 6 months than in the 6 months before attachment",
        ),
        (
            {"kind": "no_offending"},
            "No proven offence by anyone in the household in the last 6 months",
        ),
        (
            {"kind": "no_domestic_abuse", "months": 1},
            "No domestic abuse incident (any role) in the last month",
        ),
        (
            {"kind": "social_care_ended"},
            "Every child in need, child protection or section 47 enquiry episode ended, and "
            "none opened in the last 6 months",
        ),
        (
            {"kind": "health_improved"},
            "Every mental health or substance misuse need ended, or the person engaged with "
            "treatment",
        ),
        (
            {"kind": "housing_stable"},
            "No notice seeking possession, eviction, homelessness or temporary accommodation "
            "event in the last 6 months, or rent arrears cleared",
        ),
        (
            {"kind": "no_housing_event", "months": 3},
            "No notice seeking possession, eviction, homelessness or temporary accommodation "
            "event in the last 3 months",
        ),
        (
            {"kind": "in_work"},
            "An adult in a job that started on or after attachment and is still going",
        ),
        (
            {"kind": "no_out_of_work_benefit"},
            "No adult on an out-of-work benefit at any time in the last 6 months",
        ),
        (
            {"kind": "no_out_of_work_benefit", "codes": ["JSA", "UC"]},
            "No adult on an out-of-work benefit (Jobseeker's Allowance or Universal Credit (out "
            "of work)) at any time in the last 6 months",
        ),
        (
            {"kind": "continuous_employment", "weeks_after_jsa": 26},
            "An adult in continuous employment for 13 weeks (26 weeks after Jobseeker's "
            "Allowance), starting on or after attachment",
        ),
        (
            {"kind": "employment_or_arrears_cleared"},
            "An adult in continuous employment for 13 weeks, starting on or after attachment, "
            "or rent arrears cleared",
        ),
        ({"kind": "recorded"}, "Recorded by the lead practitioner"),
    ],
    ids=lambda value: (
        "described" if isinstance(value, str) else " ".join(map(str, value.values()))
    ),
)
def test_description(settings: dict[str, Any], description: str) -> None:
    assert Measure.from_json(settings).description == description


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "measure must be an object"),
        ({"kind": "happiness"}, "measure: unknown measure kind 'happiness'"),
        ({}, "measure: unknown measure kind None"),
        ({"kind": "no_asb", "percent": 10}, "measure: no_asb has no setting 'percent'"),
        ({"kind": "asb_reduction", "percent": "lots"}, "measure percent must be a number"),
        ({"kind": "asb_reduction", "percent": "NaN"}, "measure percent must be a number"),
        ({"kind": "asb_reduction", "percent": True}, "measure percent must be a number"),
        ({"kind": "no_asb", "months": "6"}, "measure months must be a whole number"),
        ({"kind": "no_asb", "months": 6.5}, "measure months must be a whole number"),
        ({"kind": "no_asb", "months": True}, "measure months must be a whole number"),
        ({"kind": "no_asb", "months": 0}, "measure: months must be from 1 to 60"),
        (
            {"kind": "asb_reduction", "percent": 0},
            "measure: percent must be more than 0 and at most 100",
        ),
        (
            {"kind": "asb_reduction", "percent": 101},
            "measure: percent must be more than 0 and at most 100",
        ),
        ({"kind": "school_attendance", "terms": 10}, "measure: terms must be from 1 to 9"),
        ({"kind": "school_attendance", "count": 0}, "measure: count must be from 1 to 100"),
        ({"kind": "continuous_employment", "weeks": 0}, "measure: weeks must be from 1 to 260"),
        ({"kind": "no_asb", "codes": "order"}, "measure codes must be a list of codes"),
        ({"kind": "no_asb", "codes": ["shouting"]}, "measure: unknown code 'shouting'"),
        (
            {"kind": "no_housing_event", "codes": ["arrears_cleared"]},
            "measure: unknown code 'arrears_cleared'",
        ),
        ({"kind": "no_out_of_work_benefit", "codes": ["PIP"]}, "measure: unknown code 'PIP'"),
        ({"kind": "no_out_of_work_benefit", "months": 61}, "measure: months must be from 1 to 60"),
        ({"kind": "in_work", "weeks": 13}, "measure: in_work has no setting 'weeks'"),
        ({"kind": "school_attendance", "codes": ["order"]}, "measure: unknown code 'order'"),
        (
            {"kind": "offending_reduction", "min_age": 18, "max_age": 17},
            "measure: min_age is above max_age",
        ),
        ({"kind": "no_offending", "max_age": -1}, "measure: max_age must be from 0 to 120"),
    ],
    ids=lambda value: value if isinstance(value, str) else "refused",
)
def test_from_json_refuses_bad_settings(data: Any, message: str) -> None:
    with pytest.raises(ParameterError) as refused:
        Measure.from_json(data)
    assert str(refused.value) == message


def test_measures_from_json_names_the_place() -> None:
    assert measures_from_json([{"kind": "no_asb"}], "outcomes.crime") == (measure("no_asb"),)
    with pytest.raises(ParameterError, match=r"^outcomes\.crime must be a list of measures$"):
        measures_from_json({"kind": "no_asb"}, "outcomes.crime")
    with pytest.raises(ParameterError, match=r"^outcomes\.crime\[1\]: unknown measure kind 'x'$"):
        measures_from_json([{"kind": "no_asb"}, {"kind": "x"}], "outcomes.crime")


def test_an_unknown_kind_is_refused_when_judged() -> None:
    with pytest.raises(ParameterError, match="Unknown measure kind 'x'"):
        measure_evaluate(Measure("x"), household(*FAMILY), RULES, attached_on=ATTACHED, as_of=AS_OF)


@pytest.mark.parametrize(
    ("measures", "as_of", "earliest"),
    [
        pytest.param([], AS_OF, AS_OF, id="no measure: the assessment date"),
        pytest.param(
            [measure("arrears_cleared"), EMPLOYMENT, IN_WORK, measure("recorded")],
            AS_OF,
            AS_OF,
            id="no window: the assessment date (since attachment is the service's)",
        ),
        pytest.param([measure("no_asb")], AS_OF, date(2025, 3, 2), id="the last 6 months"),
        pytest.param(
            [OFFENDING],
            AS_OF,
            date(2025, 3, 2),
            id="a reduction: its last months only (before attachment is the service's)",
        ),
        pytest.param(
            [NO_BENEFIT], date(2025, 8, 31), date(2025, 3, 1), id="6 months back from a month end"
        ),
        pytest.param([SCHOOL], AS_OF, date(2024, 9, 1), id="3 complete terms: autumn 2024"),
        pytest.param(
            [SCHOOL, measure("no_housing_event", months=18)],
            AS_OF,
            date(2024, 3, 2),
            id="the longest window wins",
        ),
        pytest.param(
            [measure("school_attendance", terms=1), measure("no_domestic_abuse")],
            AS_OF,
            date(2025, 3, 2),
            id="1 complete term (summer 2025) is shorter than 6 months",
        ),
    ],
)
def test_lookback_start(measures: list[Measure], as_of: date, earliest: date) -> None:
    assert lookback_start(as_of, measures) == earliest
