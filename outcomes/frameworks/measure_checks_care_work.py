"""What the outcome measures about care, health, housing, money and work look for in a
household's dated evidence (``outcomes.frameworks.measure_checks`` has the scope, the
shared wording and the measures about education and crime). Pure: no ORM, no clock.

Each ``<kind>_evaluate(measure, scope)`` answers an ``Outcome``: met, not met or not
applicable (None), with reasons, the evidence they rest on and the people they are about.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from outcomes.frameworks.checks import out_of_work_benefit
from outcomes.frameworks.codes import BENEFITS, HEALTH_NEEDS, SOCIAL_CARE
from outcomes.frameworks.dates import long_date, months_before
from outcomes.frameworks.measure_checks import (
    ADVERSE_HOUSING,
    Outcome,
    Scope,
    chosen_codes,
    dated,
    outcome_of,
)
from outcomes.frameworks.results import (
    OUT_OF_WORK_BENEFITS,
    benefit_on_attachment,
    continuous_employment,
)
from outcomes.frameworks.types import Fact
from outcomes.frameworks.wording import (
    codes_text,
    dates_text,
    is_yes,
    per_person,
    plural,
    spell_text,
)

if TYPE_CHECKING:
    from outcomes.frameworks.measures import Measure


# ---------------------------------------------------------------------------
# Children's social care and health: spells that must end
# ---------------------------------------------------------------------------


def _ended(fact: Fact, as_of: date) -> bool:
    """Closed on or before the assessment date (a later end date is still open then)."""
    return fact.end_date is not None and fact.end_date <= as_of


def social_care_ended_evaluate(m: Measure, s: Scope) -> Outcome:
    """Every episode of the codes open at attachment or opened since has ended, and none
    opened in the last ``months`` months (DOMAIN.md 4.2 "stepped down and not re-opened",
    4.3 child safety). Not applicable when the household had no such episode since
    ``months`` before attachment."""
    codes = chosen_codes(m, SOCIAL_CARE)
    episodes = [f for f in s.facts("social_care") if f.data.get("status") in codes]
    since = months_before(s.attached_on, m.months)
    relevant = [f for f in episodes if f.active_between(since, s.as_of)]
    if not relevant:
        return Outcome(
            None,
            (
                f"No {codes_text(codes, SOCIAL_CARE)} episode since {long_date(since)}, "
                f"{plural(m.months, 'month', 'months')} before attachment",
            ),
            (),
            (),
        )
    reasons = []
    failed = []
    for fact in relevant:
        name = f"{s.ctx.who(fact.person_id)}: {SOCIAL_CARE.get(str(fact.data.get('status')))}"
        if s.in_last_months(m, fact):
            failed.append(fact)
            reasons.append(f"{name} opened on {long_date(fact.date)}, in {s.last_months(m)}")
        elif not _ended(fact, s.as_of):
            failed.append(fact)
            reasons.append(f"{name} since {long_date(fact.date)}, still open")
        elif fact.end_date is not None and fact.end_date < s.attached_on:
            reasons.append(f"{name} {spell_text(fact)}, ended before attachment")
        else:
            reasons.append(f"{name} {spell_text(fact)}, ended")
    if not failed:
        reasons.append(f"None opened in {s.last_months(m)}")
    return outcome_of(not failed, reasons, relevant)


def health_improved_evaluate(m: Measure, s: Scope) -> Outcome:
    """Each need of the codes open at attachment or since has ended, or the person
    engaged with treatment (DOMAIN.md 4.2, 4.3 health and substance use). Not applicable
    when there was no such need."""
    codes = chosen_codes(m, HEALTH_NEEDS)
    needs = [
        f
        for f in s.facts("health")
        if f.data.get("need") in codes and f.active_between(s.attached_on, s.as_of)
    ]
    if not needs:
        return Outcome(
            None,
            (
                f"No {codes_text(codes, HEALTH_NEEDS)} need since attachment "
                f"({long_date(s.attached_on)})",
            ),
            (),
            (),
        )
    reasons = []
    met = True
    for fact in needs:
        name = f"{s.ctx.who(fact.person_id)}: {HEALTH_NEEDS.get(str(fact.data.get('need')))} need"
        if _ended(fact, s.as_of):
            reasons.append(f"{name} {spell_text(fact)}, ended")
        elif is_yes(fact.data.get("engaged")):
            reasons.append(f"{name} since {long_date(fact.date)}, engaged with treatment")
        else:
            met = False
            reasons.append(
                f"{name} since {long_date(fact.date)}, still open and not engaged with treatment"
            )
    return outcome_of(met, reasons, needs)


# ---------------------------------------------------------------------------
# Housing, money and work
# ---------------------------------------------------------------------------


def arrears_cleared_evaluate(m: Measure, s: Scope) -> Outcome:
    """Rent arrears cleared: an ``arrears_cleared`` event on or after attachment, with no
    ``rent_arrears`` event after it (DOMAIN.md 4.2, 4.3)."""
    events = s.facts("housing")
    cleared = [
        f
        for f in events
        if f.data.get("event") == "arrears_cleared" and s.attached_on <= f.date <= s.as_of
    ]
    arrears = [f for f in events if f.data.get("event") == "rent_arrears"]
    last_arrears = max((f.date for f in arrears), default=None)
    # Cleared on the day arrears were recorded clears them (as identification reads it).
    good = [f for f in cleared if last_arrears is None or f.date >= last_arrears]
    if good:
        first = good[0]
        return outcome_of(
            True,
            [f"{s.ctx.who(first.person_id)}: rent arrears cleared on {long_date(first.date)}"],
            [first],
            met_on=first.date,
        )
    if cleared:
        later = [f for f in arrears if f.date > cleared[-1].date]
        return outcome_of(
            False,
            [
                f"Rent arrears cleared on {long_date(cleared[-1].date)}, but recorded again "
                f"on {dates_text(later)}"
            ],
            [cleared[-1], *later],
        )
    return Outcome(
        False, (f"No rent arrears cleared since attachment ({long_date(s.attached_on)})",), (), ()
    )


def no_housing_event_evaluate(m: Measure, s: Scope) -> Outcome:
    """No housing event of the codes in the last ``months`` months (DOMAIN.md 4.3 secure
    housing, without its "or arrears cleared")."""
    codes = chosen_codes(m, ADVERSE_HOUSING)
    recent = [
        f for f in s.facts("housing") if f.data.get("event") in codes and s.in_last_months(m, f)
    ]
    if not recent:
        return Outcome(
            True,
            (f"No {codes_text(codes, ADVERSE_HOUSING)} event in {s.last_months(m)}",),
            (),
            (),
        )
    reasons = [
        f"{s.ctx.who(person)}: {', '.join(dated(f) for f in rows)}, in {s.last_months(m)}"
        for person, rows in per_person(recent).items()
    ]
    return outcome_of(False, reasons, recent)


def housing_stable_evaluate(m: Measure, s: Scope) -> Outcome:
    """No housing event of the codes in the last ``months`` months, or rent arrears
    cleared (DOMAIN.md 4.3 secure housing)."""
    events = no_housing_event_evaluate(m, s)
    if events.met:
        return events
    cleared = arrears_cleared_evaluate(m, s)
    return Outcome(
        bool(cleared.met),
        (*events.reasons, *cleared.reasons),
        tuple(sorted({*events.evidence, *cleared.evidence})),
        tuple(sorted({*events.people, *cleared.people})),
        cleared.met_on,
    )


def continuous_employment_evaluate(m: Measure, s: Scope) -> Outcome:
    """An adult (of ``people`` when given) in continuous employment for ``weeks`` weeks,
    or ``weeks_after_jsa`` if the benefit open on their attachment date was JSA
    (DOMAIN.md 4.0, 4.1 R3, 4.3 financial stability)."""
    adults = [p for p in s.persons() if s.ctx.is_adult(p)]
    if not adults:
        return Outcome(False, ("No adult in the household",), (), ())
    found: list[tuple[date, str, list[Fact]]] = []
    missed: list[str] = []
    for person in adults:
        benefit = benefit_on_attachment(s.household, person, s.attached_on, OUT_OF_WORK_BENEFITS)
        code = "" if benefit is None else str(benefit.data.get("benefit", "")).upper()
        weeks = m.weeks_after_jsa if code == "JSA" else m.weeks
        after = f" (came off {BENEFITS[code]})" if code == "JSA" else ""
        job = continuous_employment(
            s.household, person_id=person, attached_on=s.attached_on, as_of=s.as_of, weeks=weeks
        )
        if job is None:
            missed.append(
                f"{s.ctx.who(person)} has not been in continuous employment for "
                f"{plural(weeks, 'week', 'weeks')} since attachment "
                f"({long_date(s.attached_on)}){after}"
            )
            continue
        found.append(
            (
                job.complete_on,
                f"{s.ctx.who(person)} started work on {long_date(job.job.date)} and was in "
                f"continuous employment for {plural(weeks, 'week', 'weeks')} on "
                f"{long_date(job.complete_on)}{after}",
                [job.job] if benefit is None else [job.job, benefit],
            )
        )
    if not found:
        return Outcome(False, tuple(missed), (), tuple(sorted(adults)))
    found.sort(key=lambda item: item[0])
    return outcome_of(
        True,
        [reason for _, reason, _ in found],
        [f for _, _, facts in found for f in facts],
        met_on=found[0][0],
    )


def in_work_evaluate(m: Measure, s: Scope) -> Outcome:
    """An adult (of ``people`` when given) in a job that started on or after attachment
    and is still open on the assessment date (ending on it counts): on the way to
    continuous employment, not there yet. Met from the earliest such start."""
    adults = [p for p in s.persons() if s.ctx.is_adult(p)]
    if not adults:
        return Outcome(False, ("No adult in the household",), (), ())
    jobs = [
        f
        for f in s.facts("employment")
        if f.person_id in adults
        and f.date >= s.attached_on
        and (f.end_date is None or f.end_date >= s.as_of)
    ]
    if not jobs:
        return Outcome(
            False,
            (
                f"No adult has started work since attachment ({long_date(s.attached_on)}) "
                f"and is still in it on {long_date(s.as_of)}",
            ),
            (),
            tuple(sorted(adults)),
        )
    reasons = [
        f"{s.ctx.who(person)} has been in work since {long_date(rows[0].date)}"
        for person, rows in per_person(jobs).items()
    ]
    return outcome_of(True, reasons, jobs, met_on=jobs[0].date)


def no_out_of_work_benefit_evaluate(m: Measure, s: Scope) -> Outcome:
    """No out-of-work benefit claim of the codes (Universal Credit only with its "out of
    work" flag) open at any time in the last ``months`` months for an adult (of
    ``people`` when given): judged after a case closure, a return to benefit (DOMAIN.md
    4.1, 4.3 financial stability). Not applicable with no adult."""
    adults = [p for p in s.persons() if s.ctx.is_adult(p)]
    if not adults:
        return Outcome(None, ("No adult in the household",), (), ())
    codes = chosen_codes(m, BENEFITS)
    start = s.window_start(m)
    claims = [
        f
        for f in s.facts("benefits")
        if f.person_id in adults
        and out_of_work_benefit(f, codes)
        and f.active_between(start, s.as_of)
    ]
    if not claims:
        return Outcome(True, (f"No adult on an out-of-work benefit in {s.last_months(m)}",), (), ())
    reasons = [
        f"{s.ctx.who(person)}: "
        + "; ".join(
            f"{BENEFITS.get(str(f.data.get('benefit', '')).upper(), 'benefit')} {spell_text(f)}"
            for f in rows
        )
        + f", in {s.last_months(m)}"
        for person, rows in per_person(claims).items()
    ]
    return outcome_of(False, reasons, claims)


def employment_or_arrears_cleared_evaluate(m: Measure, s: Scope) -> Outcome:
    """Financial stability (DOMAIN.md 4.3): continuous employment or arrears cleared; met
    from whichever came first."""
    work = continuous_employment_evaluate(m, s)
    money = arrears_cleared_evaluate(m, s)
    met = [o for o in (work, money) if o.met]
    shown = met or [work, money]
    return Outcome(
        bool(met),
        tuple(r for o in shown for r in o.reasons),
        tuple(sorted({e for o in shown for e in o.evidence})),
        tuple(sorted({p for o in shown for p in o.people})),
        min((o.met_on for o in met if o.met_on is not None), default=None),
    )


def recorded_evaluate(m: Measure, s: Scope) -> Outcome:
    # No feed carries it; the framework code reads the practitioner's recorded outcome.
    return Outcome(None, ("Recorded by the lead practitioner",), (), ())
