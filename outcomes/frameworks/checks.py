"""What each kind of indicator looks for in a household's dated evidence, and how it says
so in plain English: the evaluate and text functions ``outcomes.frameworks.indicators``
puts on its menu. Pure: no ORM, no clock (the assessment date is in the context)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

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
    term_containing,
    terms_label,
)
from outcomes.frameworks.types import Fact, Hit
from outcomes.frameworks.wording import (
    codes_text,
    dates_text,
    int_of,
    is_yes,
    months_text,
    per_person,
    spell_text,
)

if TYPE_CHECKING:
    from outcomes.frameworks.indicators import Context, Indicator


def _window(indicator: Indicator, ctx: Context) -> date:
    """The first day of the indicator's "last N months" (the window ends on the
    assessment date)."""
    return last_months_start(ctx.as_of, indicator.months)


def _ages(indicator: Indicator) -> str:
    low, high = indicator.min_age, indicator.max_age
    if low is not None and high is not None:
        return f"a {low}-{high} year old"
    if high is not None:
        return f"someone aged {high} or under"
    if low is not None:
        return f"someone aged {low} or over"
    return "anyone in the household"


def _age_fits(indicator: Indicator, age: int) -> bool:
    return (indicator.min_age is None or age >= indicator.min_age) and (
        indicator.max_age is None or age <= indicator.max_age
    )


def _hit(reason: str, facts: list[Fact]) -> Hit:
    return Hit(
        reason=reason,
        evidence=tuple(f.id for f in facts),
        people=tuple(sorted({f.person_id for f in facts})),
    )


# -- crime and anti-social behaviour ---------------------------------------------


def offence_evaluate(ind: Indicator, ctx: Context) -> list[Hit]:
    start = _window(ind, ctx)
    found = []
    for fact in ctx.facts("offences"):
        if fact.data.get("outcome") != "proven" or not start <= fact.date <= ctx.as_of:
            continue
        proven_on = fact.date_in("outcome_date")
        # Proven after the assessment date: not yet known on that date (replays agree).
        if proven_on is not None and proven_on > ctx.as_of:
            continue
        # The age on the day of the offence counts, not the age now (DOMAIN.md 4.1).
        if _age_fits(ind, ctx.age(fact.person_id, fact.date)):
            found.append(fact)
    hits = []
    for person_id, facts in per_person(found).items():
        then = {ctx.age(person_id, f.date) for f in facts}
        at = ""
        if then != {ctx.age(person_id)}:
            at = f", aged {min(then)}" if len(then) == 1 else f", aged {min(then)}-{max(then)}"
        noun = "a proven offence" if len(facts) == 1 else f"{len(facts)} proven offences"
        hits.append(
            _hit(
                f"{ctx.who(person_id)} committed {noun} in the last {months_text(ind.months)}"
                f"{at}: {dates_text(facts)}",
                facts,
            )
        )
    return hits


def asb_evaluate(ind: Indicator, ctx: Context) -> list[Hit]:
    start = _window(ind, ctx)
    found = [
        f
        for f in ctx.facts("asb")
        if f.data.get("intervention") in ind.codes and start <= f.date <= ctx.as_of
    ]
    hits = []
    for person_id, facts in per_person(found).items():
        what = ", ".join(
            f"{ASB_INTERVENTIONS.get(str(f.data.get('intervention')), 'intervention')} on "
            f"{long_date(f.date)}"
            for f in facts
        )
        hits.append(
            _hit(
                f"{ctx.who(person_id)} had an anti-social behaviour intervention in the last "
                f"{months_text(ind.months)}: {what}",
                facts,
            )
        )
    return hits


def callouts_evaluate(ind: Indicator, ctx: Context) -> list[Hit]:
    start = _window(ind, ctx)
    found = [
        f
        for f in ctx.facts("police_callouts")
        if f.data.get("category") in ind.codes and start <= f.date <= ctx.as_of
    ]
    if len(found) < ind.count:
        return []
    by_category: dict[str, int] = defaultdict(int)
    for fact in found:
        by_category[CALLOUT_CATEGORIES.get(str(fact.data.get("category")), "other")] += 1
    detail = ", ".join(f"{name}: {n}" for name, n in sorted(by_category.items()))
    noun = "police call-out" if len(found) == 1 else "police call-outs"
    return [
        _hit(
            f"The household had {len(found)} {noun} in the last {months_text(ind.months)} "
            f"({detail})",
            found,
        )
    ]


# -- education ---------------------------------------------------------------------


def absence_evaluate(ind: Indicator, ctx: Context) -> list[Hit]:
    terms = last_terms(ctx.as_of, ind.terms)
    starts = {t.start: t for t in terms}
    per_child: dict[int, list[Fact]] = defaultdict(list)
    for fact in ctx.facts("school_attendance"):
        term = starts.get(term_containing(fact.date).start)
        if term is not None and ctx.is_school_age(fact.person_id, term.academic_year_start):
            per_child[fact.person_id].append(fact)
    hits = []
    for person_id, facts in per_child.items():
        possible = sum(int_of(f.data.get("possible_sessions")) for f in facts)
        absent = sum(int_of(f.data.get("unauthorised_absence_sessions")) for f in facts)
        # Exact arithmetic: 15% of 300 sessions is 45, and 45 meets "15% or more".
        if possible <= 0 or Decimal(absent) * 100 < ind.percent * possible:
            continue
        # Shown to one decimal place, rounded down, so it never overstates.
        tenths = absent * 1000 // possible
        seen = {term_containing(f.date).start for f in facts}
        partial = (
            ""
            if len(seen) >= len(terms)
            else f" ({len(seen)} of {len(terms)} terms with attendance data)"
        )
        hits.append(
            _hit(
                f"{ctx.who(person_id)} had {tenths // 10}.{tenths % 10}% unauthorised absence "
                f"over {terms_label(terms)}{partial}",
                facts,
            )
        )
    return hits


def exclusions_evaluate(ind: Indicator, ctx: Context) -> list[Hit]:
    terms = last_terms(ctx.as_of, ind.terms)
    start, end = terms[0].start, terms[-1].end
    per_child: dict[int, list[Fact]] = defaultdict(list)
    for fact in ctx.facts("exclusions"):
        if start <= fact.date <= end and ctx.is_school_age(
            fact.person_id, term_containing(fact.date).academic_year_start
        ):
            per_child[fact.person_id].append(fact)
    hits = []
    for person_id, facts in per_child.items():
        permanent = [f for f in facts if f.data.get("exclusion_type") == "permanent"]
        fixed = [f for f in facts if f.data.get("exclusion_type") == "fixed"]
        if permanent:
            hits.append(
                _hit(
                    f"{ctx.who(person_id)} was permanently excluded on {dates_text(permanent)}",
                    permanent,
                )
            )
        if len(fixed) >= ind.count:
            hits.append(
                _hit(
                    f"{ctx.who(person_id)} had {len(fixed)} fixed-term exclusions over "
                    f"{terms_label(terms)}: {dates_text(fixed)}",
                    fixed,
                )
            )
    return hits


def neet_evaluate(ind: Indicator, ctx: Context) -> list[Hit]:
    hits = []
    for fact in ctx.facts("neet"):
        if (
            fact.data.get("status") == "neet"
            and fact.active_between(ctx.as_of, ctx.as_of)
            and _age_fits(ind, ctx.age(fact.person_id))
        ):
            hits.append(
                _hit(
                    f"{ctx.who(fact.person_id)} has not been in education, employment or "
                    f"training {spell_text(fact)}",
                    [fact],
                )
            )
    return hits


# -- children's social care, work and money, housing -------------------------------


def _coded_spells(
    ind: Indicator, ctx: Context, kind: str, key: str, name: Callable[[str], str]
) -> list[Hit]:
    """Spells of ``kind`` whose ``key`` is one of the indicator's codes, open at some time
    in its window, of people of its ages: one finding a person, naming each spell."""
    start = _window(ind, ctx)
    found = [
        f
        for f in ctx.facts(kind)
        if f.data.get(key) in ind.codes
        and f.active_between(start, ctx.as_of)
        and _age_fits(ind, ctx.age(f.person_id))
    ]
    hits = []
    for person_id, facts in per_person(found).items():
        what = "; ".join(f"{name(str(f.data.get(key)))} {spell_text(f)}" for f in facts)
        hits.append(_hit(f"{ctx.who(person_id)}: {what}", facts))
    return hits


def social_care_evaluate(ind: Indicator, ctx: Context) -> list[Hit]:
    return _coded_spells(
        ind, ctx, "social_care", "status", lambda code: SOCIAL_CARE.get(code, "episode")
    )


def out_of_work_benefit(fact: Fact, codes: Iterable[str]) -> bool:
    """A ``benefits`` row that is an out-of-work benefit of ``codes``: Universal Credit
    counts only with its "out of work" flag (DOMAIN.md 4.1). Identification, results and
    continuous employment all ask this one question."""
    benefit = str(fact.data.get("benefit", "")).upper()
    if fact.kind != "benefits" or benefit not in codes:
        return False
    return benefit != "UC" or is_yes(fact.data.get("out_of_work"))


def benefit_evaluate(ind: Indicator, ctx: Context) -> list[Hit]:
    hits = []
    for fact in ctx.facts("benefits"):
        benefit = str(fact.data.get("benefit", "")).upper()
        if not out_of_work_benefit(fact, ind.codes):
            continue
        if not fact.active_between(ctx.as_of, ctx.as_of) or not ctx.is_adult(fact.person_id):
            continue
        hits.append(
            _hit(
                f"{ctx.who(fact.person_id)} has been on {BENEFITS.get(benefit, benefit)} "
                f"{spell_text(fact)}",
                [fact],
            )
        )
    return hits


def rent_arrears_evaluate(ind: Indicator, ctx: Context) -> list[Hit]:
    start = _window(ind, ctx)
    events = ctx.facts("housing")
    cleared = [f.date for f in events if f.data.get("event") == "arrears_cleared"]
    found = [
        f
        for f in events
        if f.data.get("event") == "rent_arrears"
        and start <= f.date <= ctx.as_of
        and not any(day >= f.date for day in cleared)
    ]
    return [
        _hit(f"{ctx.who(person_id)}: rent arrears recorded on {dates_text(facts)}", facts)
        for person_id, facts in per_person(found).items()
    ]


def housing_evaluate(ind: Indicator, ctx: Context) -> list[Hit]:
    start = _window(ind, ctx)
    found = [
        f
        for f in ctx.facts("housing")
        if f.data.get("event") in ind.codes and start <= f.date <= ctx.as_of
    ]
    hits = []
    for person_id, facts in per_person(found).items():
        what = ", ".join(
            f"{HOUSING_EVENTS.get(str(f.data.get('event')), 'event')} on {long_date(f.date)}"
            for f in facts
        )
        hits.append(_hit(f"{ctx.who(person_id)}: {what}", facts))
    return hits


# -- domestic abuse and health (restricted evidence) --------------------------------


def abuse_evaluate(ind: Indicator, ctx: Context) -> list[Hit]:
    start = _window(ind, ctx)
    found = [
        f
        for f in ctx.facts("domestic_abuse")
        if start <= f.date <= ctx.as_of
        and (f.data.get("role") in ind.codes or is_yes(f.data.get("marac")))
    ]
    hits = []
    for person_id, facts in per_person(found).items():
        what = ", ".join(
            f"{long_date(f.date)} ({ABUSE_ROLES.get(str(f.data.get('role')), 'involved')}"
            f"{', MARAC referral' if is_yes(f.data.get('marac')) else ''})"
            for f in facts
        )
        noun = "a domestic abuse incident" if len(facts) == 1 else "domestic abuse incidents"
        hits.append(_hit(f"{ctx.who(person_id)} was involved in {noun}: {what}", facts))
    return hits


def health_evaluate(ind: Indicator, ctx: Context) -> list[Hit]:
    return _coded_spells(
        ind, ctx, "health", "need", lambda code: f"{HEALTH_NEEDS.get(code, 'health')} need"
    )


def _terms_text(ind: Indicator, as_of: date | None) -> str:
    if as_of is None:
        return f"the last {ind.terms} terms"
    return terms_label(last_terms(as_of, ind.terms))


# Each kind's words: ``as_of`` None describes the indicator (plans, the editor); with a
# context it says what was looked for and not found, for that date.


def offence_text(i: Indicator, as_of: date | None) -> str:
    return f"proven offence committed by {_ages(i)} in the last {months_text(i.months)}"


def asb_text(i: Indicator, as_of: date | None) -> str:
    return (
        f"anti-social behaviour intervention ({codes_text(i.codes, ASB_INTERVENTIONS)}) "
        f"in the last {months_text(i.months)}"
    )


def callouts_describe(i: Indicator, as_of: date | None) -> str:
    kinds = f"({codes_text(i.codes, CALLOUT_CATEGORIES)}) in the last {months_text(i.months)}"
    if as_of is None:
        noun = "police call-out" if i.count == 1 else "police call-outs"
        return f"At least {i.count} {noun} {kinds}"
    # Looked for and not found: with a threshold of 1, that means none at all.
    if i.count == 1:
        return f"No police call-outs {kinds}"
    return f"Fewer than {i.count} police call-outs {kinds}"


def absence_text(i: Indicator, as_of: date | None) -> str:
    return (
        f"school-age child with {i.percent.normalize():f}% or more unauthorised absence "
        f"over {_terms_text(i, as_of)}"
    )


def exclusions_text(i: Indicator, as_of: date | None) -> str:
    return (
        f"school-age child permanently excluded, or with {i.count} or more fixed-term "
        f"exclusions, over {_terms_text(i, as_of)}"
    )


def neet_text(i: Indicator, as_of: date | None) -> str:
    # No date in the words: a result that reads the same tomorrow is not rewritten.
    return f"{i.min_age}-{i.max_age} year old not in education, employment or training"


def social_care_text(i: Indicator, as_of: date | None) -> str:
    return f"{codes_text(i.codes, SOCIAL_CARE)} episode in the last {months_text(i.months)}"


def early_help_text(i: Indicator, as_of: date | None) -> str:
    return f"early help for {_ages(i)} in the last {months_text(i.months)}"


def benefit_text(i: Indicator, as_of: date | None) -> str:
    return f"adult on an out-of-work benefit ({', '.join(i.codes)})"


def arrears_text(i: Indicator, as_of: date | None) -> str:
    return f"rent arrears recorded in the last {months_text(i.months)} and not cleared"


def housing_text(i: Indicator, as_of: date | None) -> str:
    return (
        f"housing event ({codes_text(i.codes, HOUSING_EVENTS)}) in the last {months_text(i.months)}"
    )


def abuse_text(i: Indicator, as_of: date | None) -> str:
    return (
        f"domestic abuse incident (as {codes_text(i.codes, ABUSE_ROLES)}) or MARAC referral "
        f"in the last {months_text(i.months)}"
    )


def health_text(i: Indicator, as_of: date | None) -> str:
    return (
        f"{codes_text(i.codes, HEALTH_NEEDS)} need for {_ages(i)} in the last "
        f"{months_text(i.months)}"
    )
