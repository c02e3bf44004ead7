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

from outcomes.frameworks.codes import (
    ABUSE_ROLES,
    ASB_INTERVENTIONS,
    CALLOUT_CATEGORIES,
    HOUSING_EVENTS,
)
from outcomes.frameworks.dates import (
    last_months_start,
    last_terms,
    long_date,
    months_before_attachment,
    term_containing,
    terms_label,
)
from outcomes.frameworks.indicators import Context
from outcomes.frameworks.results import (
    percent_fewer,
    reduced_by,
)
from outcomes.frameworks.types import Fact, Household, HouseholdRules
from outcomes.frameworks.wording import (
    dates_text,
    int_of,
    is_yes,
    months_text,
    per_person,
    percent_text,
    plural,
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


def outcome_of(
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
    return outcome_of(met, reasons, seen)


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
    return outcome_of(met, [reason], before + after)


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
        f"{found(person, rows)} in {s.last_months(m)}: " + ", ".join(dated(f) for f in rows)
        for person, rows in per_person(recent).items()
    ]
    return outcome_of(False, reasons, recent)


def dated(fact: Fact) -> str:
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
