"""What each kind of outcome measure looks for in a household's dated evidence, and
how it says so in plain English: the evaluate functions ``outcomes.frameworks.measures``
puts on its menu (as ``checks`` holds those of the identification indicators). Pure: no
ORM, no clock (the assessment date is in the scope).

Each ``<kind>_evaluate(measure, scope)`` answers an ``Outcome``: met, not met or not
applicable (None), with reasons, the evidence they rest on and the people they are about.
Windows follow DOMAIN.md 4.0 (``outcomes.frameworks.measures`` says how).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

from outcomes.frameworks.checks import out_of_work_benefit
from outcomes.frameworks.codes import (
    ABUSE_ROLES,
    ASB_INTERVENTIONS,
    BENEFITS,
    CALLOUT_CATEGORIES,
    HEALTH_NEEDS,
    HOUSING_EVENTS,
    SOCIAL_CARE,
)
from outcomes.frameworks.dates import (
    last_months_start,
    last_terms,
    long_date,
    months_before,
    months_before_attachment,
    term_containing,
    terms_label,
)
from outcomes.frameworks.indicators import Context
from outcomes.frameworks.results import (
    OUT_OF_WORK_BENEFITS,
    benefit_on_attachment,
    continuous_employment,
    percent_fewer,
    reduced_by,
)
from outcomes.frameworks.types import Fact, Household, HouseholdRules
from outcomes.frameworks.wording import (
    codes_text,
    dates_text,
    int_of,
    is_yes,
    months_text,
    per_person,
    percent_text,
    plural,
    spell_text,
)

if TYPE_CHECKING:
    from outcomes.frameworks.measures import Measure


class Outcome(NamedTuple):
    """A measure's answer for one household on one date."""

    # None: not applicable (a zero baseline; no one the measure is about).
    met: bool | None
    reasons: tuple[str, ...]
    evidence: tuple[int, ...]
    # Who the findings are about.
    people: tuple[int, ...]
    # The first day it held, where the rule knows it (continuous employment: the day it
    # completes; arrears cleared: the day they were).
    met_on: date | None = None


# ---------------------------------------------------------------------------
# What a measure sees
# ---------------------------------------------------------------------------


# A family's measures are judged on the same few days over and over (every need's
# measures, on the results date and on the closure date): the household's evidence is
# grouped by kind once per (household, people, day) and shared. Households are
# immutable; each entry keeps its household and rules, so an id is never mistaken for
# another object's.
_CONTEXTS: OrderedDict[tuple[int, frozenset[int] | None, date, int], tuple[Any, ...]] = (
    OrderedDict()
)
_CONTEXTS_KEPT = 16


def _context(
    household: Household, rules: HouseholdRules, as_of: date, people: frozenset[int] | None
) -> Context:
    key = (id(household), people, as_of, id(rules))
    hit = _CONTEXTS.get(key)
    if hit is not None and hit[0] is household and hit[1] is rules:
        _CONTEXTS.move_to_end(key)
        context: Context = hit[2]
        return context
    facts: Iterable[Fact] = household.facts
    if people is not None:
        facts = [f for f in household.facts if f.person_id in people]
    context = Context(members=household.members, facts=facts, rules=rules, as_of=as_of)
    _CONTEXTS[key] = (household, rules, context)
    if len(_CONTEXTS) > _CONTEXTS_KEPT:
        _CONTEXTS.popitem(last=False)
    return context


class Scope:
    """The household on the assessment date (members still in it, evidence dated on or
    before it, of ``people`` only when given), with the attachment date. ``since``: no
    "last N months" window starts before that day (None: they run their full length)."""

    __slots__ = ("as_of", "attached_on", "ctx", "household", "people", "since")

    def __init__(
        self,
        household: Household,
        rules: HouseholdRules,
        attached_on: date,
        as_of: date,
        people: tuple[int, ...] | None,
        since: date | None = None,
    ) -> None:
        self.household = household
        self.attached_on = attached_on
        self.as_of = as_of
        self.people = None if people is None else frozenset(people)
        self.since = since
        self.ctx = _context(household, rules, as_of, self.people)

    def facts(self, kind: str) -> list[Fact]:
        return self.ctx.facts(kind)

    def persons(self) -> list[int]:
        """Members on the assessment date, of ``people`` when given."""
        return [p for p in self.ctx.members if self.people is None or p in self.people]

    def window_start(self, measure: Measure) -> date:
        """The first day of the measure's "last ``months`` months", or ``since`` if later."""
        start = last_months_start(self.as_of, measure.months)
        return start if self.since is None else max(start, self.since)

    def in_last_months(self, measure: Measure, fact: Fact) -> bool:
        return self.window_start(measure) <= fact.date <= self.as_of

    def last_months(self, measure: Measure) -> str:
        start = self.window_start(measure)
        if start != last_months_start(self.as_of, measure.months):
            return f"the days from {_span(start, self.as_of)}"
        return f"the last {months_text(measure.months)} ({_span(start, self.as_of)})"


def _span(start: date, end: date) -> str:
    return f"{long_date(start)} to {long_date(end)}"


# The housing events that count against a family: every one but arrears cleared.
ADVERSE_HOUSING = {k: v for k, v in HOUSING_EVENTS.items() if k != "arrears_cleared"}


def chosen_codes(measure: Measure, choices: Mapping[str, str]) -> tuple[str, ...]:
    """The measure's codes; none chosen means every code of the kind."""
    return measure.codes or tuple(choices)


def _ids(facts: Iterable[Fact]) -> tuple[int, ...]:
    return tuple(sorted({f.id for f in facts}))


def _who(facts: Iterable[Fact]) -> tuple[int, ...]:
    return tuple(sorted({f.person_id for f in facts}))


def _age_fits(measure: Measure, age: int) -> bool:
    return (measure.min_age is None or age >= measure.min_age) and (
        measure.max_age is None or age <= measure.max_age
    )


def ages_text(measure: Measure) -> str:
    low, high = measure.min_age, measure.max_age
    if low is not None and high is not None:
        return f"{low}-{high} year olds"
    if high is not None:
        return f"under-{high + 1}s"
    if low is not None:
        return f"people aged {low} or over"
    return "anyone in the household"


def _number(n: int) -> str:
    return "none" if n == 0 else str(n)


def _outcome(
    met: bool | None, reasons: Iterable[str], facts: Iterable[Fact], met_on: date | None = None
) -> Outcome:
    facts = list(facts)
    return Outcome(met, tuple(reasons), _ids(facts), _who(facts), met_on)


# ---------------------------------------------------------------------------
# Education
# ---------------------------------------------------------------------------


def school_attendance_evaluate(m: Measure, s: Scope) -> Outcome:
    """Every school-age child (school age at the start of each term's academic year):
    under ``percent``% unauthorised absence over the last ``terms`` complete terms, fewer
    than ``count`` fixed-term exclusions and, with "no_permanent", no permanent exclusion
    in them (DOMAIN.md 4.1 R1, 4.2, 4.3 education). A sibling who starts truanting fails
    it for the family."""
    terms = last_terms(s.as_of, m.terms)
    starts = {t.start: t for t in terms}
    label = terms_label(terms)
    children = [
        p for p in s.persons() if any(s.ctx.is_school_age(p, t.academic_year_start) for t in terms)
    ]
    if not children:
        return Outcome(None, (f"No school-age child in the household over {label}",), (), ())
    attendance: dict[int, list[Fact]] = {p: [] for p in children}
    exclusions: dict[int, list[Fact]] = {p: [] for p in children}
    for fact in s.facts("school_attendance"):
        term = starts.get(term_containing(fact.date).start)
        if (
            fact.person_id in attendance
            and term is not None
            and s.ctx.is_school_age(fact.person_id, term.academic_year_start)
        ):
            attendance[fact.person_id].append(fact)
    for fact in s.facts("exclusions"):
        term = starts.get(term_containing(fact.date).start)
        if (
            fact.person_id in exclusions
            and term is not None
            and s.ctx.is_school_age(fact.person_id, term.academic_year_start)
        ):
            exclusions[fact.person_id].append(fact)

    reasons: list[str] = []
    seen: list[Fact] = []
    met = True
    for person in children:
        facts, excluded = attendance[person], exclusions[person]
        if not facts and not excluded:
            continue
        seen += facts + excluded
        possible = sum(int_of(f.data.get("possible_sessions")) for f in facts)
        absent = sum(int_of(f.data.get("unauthorised_absence_sessions")) for f in facts)
        fixed = [f for f in excluded if f.data.get("exclusion_type") == "fixed"]
        permanent = [f for f in excluded if f.data.get("exclusion_type") == "permanent"]
        parts: list[str] = []
        short: list[str] = []
        if possible > 0:
            # Shown to one decimal place, rounded down, so it never overstates; judged
            # exactly: 10 in 100 sessions is 10%, which is not "under 10%".
            tenths = absent * 1000 // possible
            terms_seen = len({term_containing(f.date).start for f in facts})
            partial = (
                ""
                if terms_seen >= len(terms)
                else f" ({terms_seen} of {len(terms)} terms with attendance data)"
            )
            parts.append(f"{tenths // 10}.{tenths % 10}% unauthorised absence{partial}")
            if Decimal(absent) * 100 >= m.percent * possible:
                short.append(f"absence not under {percent_text(m.percent)}%")
        else:
            parts.append("no attendance data")
        fixed_words = plural(len(fixed), "fixed-term exclusion", "fixed-term exclusions")
        parts.append(
            f"{fixed_words} ({dates_text(fixed)})" if fixed else "no fixed-term exclusions"
        )
        if len(fixed) >= m.count:
            short.append(f"not fewer than {m.count} fixed-term exclusions")
        if permanent:
            parts.append(f"permanently excluded on {dates_text(permanent)}")
            if "no_permanent" in m.codes:
                short.append("permanently excluded")
        reason = f"{s.ctx.who(person)}: {', '.join(parts)} over {label}"
        if short:
            met = False
            reason += f" - {'; '.join(short)}"
        reasons.append(reason)
    if not seen:
        return Outcome(
            True,
            (f"No school-age child had absence or exclusions recorded over {label}",),
            (),
            tuple(sorted(children)),
        )
    return _outcome(met, reasons, seen)


# ---------------------------------------------------------------------------
# Crime, anti-social behaviour and police call-outs
# ---------------------------------------------------------------------------


def _proven_offences(m: Measure, s: Scope) -> list[Fact]:
    """Proven offences known on the assessment date, by people of the measure's ages on
    the offence date (DOMAIN.md 4.0: the age on the day that matters)."""
    found = []
    for fact in s.facts("offences"):
        if fact.data.get("outcome") != "proven":
            continue
        proven_on = fact.date_in("outcome_date")
        # Proven after the assessment date: not yet known on that date (replays agree).
        if proven_on is not None and proven_on > s.as_of:
            continue
        if _age_fits(m, s.ctx.age(fact.person_id, fact.date)):
            found.append(fact)
    return found


def _asb_rows(m: Measure, s: Scope) -> list[Fact]:
    codes = chosen_codes(m, ASB_INTERVENTIONS)
    return [f for f in s.facts("asb") if f.data.get("intervention") in codes]


def _callouts(m: Measure, s: Scope) -> list[Fact]:
    codes = chosen_codes(m, CALLOUT_CATEGORIES)
    return [f for f in s.facts("police_callouts") if f.data.get("category") in codes]


def _reduction(m: Measure, s: Scope, facts: list[Fact], what: str) -> Outcome:
    """``what`` in the last ``months`` months at least ``percent``% fewer than in the
    ``months`` months before attachment; not applicable on a zero baseline (DOMAIN.md
    4.1). Everyone's rows count together: a sibling's new offences add to the family's."""
    before_start, before_end = months_before_attachment(s.attached_on, m.months)
    before = [f for f in facts if before_start <= f.date <= before_end]
    after = [f for f in facts if s.in_last_months(m, f)]
    met = reduced_by(len(before), len(after), m.percent)
    baseline = (
        f"{_number(len(before))} in the {months_text(m.months)} before attachment "
        f"({_span(before_start, before_end)})"
    )
    now = f"{_number(len(after))} in {s.last_months(m)}"
    if met is None:
        reason = f"{what}: {baseline}, so there is no baseline to reduce; {now}"
    else:
        reason = (
            f"{what}: {baseline} and {now}, {percent_fewer(len(before), len(after))} "
            f"(at least {percent_text(m.percent)}% fewer needed)"
        )
    return _outcome(met, [reason], before + after)


def offending_reduction_evaluate(m: Measure, s: Scope) -> Outcome:
    return _reduction(m, s, _proven_offences(m, s), f"Proven offences by {ages_text(m)}")


def asb_reduction_evaluate(m: Measure, s: Scope) -> Outcome:
    return _reduction(m, s, _asb_rows(m, s), "Anti-social behaviour across the household")


def callout_reduction_evaluate(m: Measure, s: Scope) -> Outcome:
    return _reduction(m, s, _callouts(m, s), "Police call-outs")


def _none_in_window(
    m: Measure,
    s: Scope,
    facts: list[Fact],
    none: str,
    found: Callable[[int, list[Fact]], str],
) -> Outcome:
    """Met when none of ``facts`` is in the last ``months`` months; otherwise one reason
    a person, naming what they had."""
    recent = [f for f in facts if s.in_last_months(m, f)]
    if not recent:
        return Outcome(True, (f"{none} in {s.last_months(m)}",), (), ())
    reasons = [
        f"{found(person, rows)} in {s.last_months(m)}: " + ", ".join(_dated(f) for f in rows)
        for person, rows in per_person(recent).items()
    ]
    return _outcome(False, reasons, recent)


def _dated(fact: Fact) -> str:
    """One row in a list of findings: its date and, where it has one, its kind."""
    if fact.kind == "asb":
        code = str(fact.data.get("intervention"))
        return f"{ASB_INTERVENTIONS.get(code, 'intervention')} on {long_date(fact.date)}"
    if fact.kind == "domestic_abuse":
        role = ABUSE_ROLES.get(str(fact.data.get("role")), "involved")
        marac = ", MARAC referral" if is_yes(fact.data.get("marac")) else ""
        return f"{long_date(fact.date)} ({role}{marac})"
    if fact.kind == "housing":
        event = HOUSING_EVENTS.get(str(fact.data.get("event")), "event")
        return f"{event} on {long_date(fact.date)}"
    return long_date(fact.date)


def no_offending_evaluate(m: Measure, s: Scope) -> Outcome:
    return _none_in_window(
        m,
        s,
        _proven_offences(m, s),
        f"No proven offence by {ages_text(m)}",
        lambda p, rows: f"{s.ctx.who(p)} committed "
        + ("a proven offence" if len(rows) == 1 else f"{len(rows)} proven offences"),
    )


def no_asb_evaluate(m: Measure, s: Scope) -> Outcome:
    return _none_in_window(
        m,
        s,
        _asb_rows(m, s),
        "No anti-social behaviour recorded for anyone in the household",
        lambda p, rows: f"{s.ctx.who(p)} had anti-social behaviour recorded",
    )


def no_domestic_abuse_evaluate(m: Measure, s: Scope) -> Outcome:
    codes = chosen_codes(m, ABUSE_ROLES)
    rows = [f for f in s.facts("domestic_abuse") if f.data.get("role") in codes]
    return _none_in_window(
        m,
        s,
        rows,
        "No domestic abuse incident",
        lambda p, rows: f"{s.ctx.who(p)} was involved in "
        + ("a domestic abuse incident" if len(rows) == 1 else "domestic abuse incidents"),
    )


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
    return _outcome(not failed, reasons, relevant)


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
    return _outcome(met, reasons, needs)


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
        return _outcome(
            True,
            [f"{s.ctx.who(first.person_id)}: rent arrears cleared on {long_date(first.date)}"],
            [first],
            met_on=first.date,
        )
    if cleared:
        later = [f for f in arrears if f.date > cleared[-1].date]
        return _outcome(
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
        f"{s.ctx.who(person)}: {', '.join(_dated(f) for f in rows)}, in {s.last_months(m)}"
        for person, rows in per_person(recent).items()
    ]
    return _outcome(False, reasons, recent)


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
    return _outcome(
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
    return _outcome(True, reasons, jobs, met_on=jobs[0].date)


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
    return _outcome(False, reasons, claims)


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
