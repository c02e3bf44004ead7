"""The menu of identification indicators every framework is built from (DOMAIN.md 4).

An indicator is a kind from this menu with its thresholds and window, e.g. "at least 3
police call-outs in the last 6 months". tf1's national and local criteria, each tf2
Outcome Plan problem and each sf2022 headline are lists of indicators: a criterion is met
when any of its indicators finds something. Each kind knows how to describe itself in
plain English, which settings a programme manager may change, and how to evaluate
itself against a household's dated evidence on an assessment date.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from outcomes.frameworks.dates import (
    Term,
    last_terms,
    long_date,
    months_before,
    term_containing,
    terms_label,
)
from outcomes.frameworks.types import Fact, Hit, HouseholdRules, Member, ParameterError

# Codes as the feeds store them (FEEDS.md), with the words pages use for them.
ASB_INTERVENTIONS = {
    "warning": "warning",
    "abc": "acceptable behaviour contract",
    "injunction": "injunction",
    "order": "anti-social behaviour order",
    "notice_seeking_possession": "notice seeking possession",
    "eviction": "eviction",
    "incident": "recorded incident",
}
CALLOUT_CATEGORIES = {
    "domestic_abuse": "domestic abuse",
    "asb": "anti-social behaviour",
    "missing_person": "missing person",
    "welfare": "welfare",
    "other": "other",
}
BENEFITS = {
    "JSA": "Jobseeker's Allowance",
    "ESA": "Employment and Support Allowance",
    "IB": "Incapacity Benefit",
    "IS": "Income Support",
    "CA": "Carer's Allowance",
    "SDA": "Severe Disablement Allowance",
    "UC": "Universal Credit (out of work)",
}
SOCIAL_CARE = {
    "early_help": "early help",
    "child_in_need": "child in need",
    "child_protection": "child protection",
    "section_47": "section 47 enquiry",
    "looked_after": "looked after",
}
ABUSE_ROLES = {"victim": "victim", "perpetrator": "perpetrator", "witness": "witness"}
HEALTH_NEEDS = {
    "mental_health": "mental health",
    "substance_misuse": "substance misuse",
    "perinatal": "perinatal",
    "physical_health": "physical health",
}
HOUSING_EVENTS = {
    "rent_arrears": "rent arrears",
    "notice_seeking_possession": "notice seeking possession",
    "eviction": "eviction",
    "homeless": "homelessness",
    "temporary_accommodation": "temporary accommodation",
    "arrears_cleared": "arrears cleared",
}

# Settings an indicator may have; each kind uses some of them.
SETTINGS = ("months", "count", "percent", "terms", "codes", "min_age", "max_age")


@dataclass(frozen=True)
class Indicator:
    kind: str
    months: int = 12
    count: int = 1
    percent: Decimal = Decimal("15")
    terms: int = 3
    codes: tuple[str, ...] = ()
    min_age: int | None = None
    max_age: int | None = None

    def to_json(self) -> dict[str, Any]:
        """Only the settings the kind uses, so saved plans read clearly."""
        used = KINDS[self.kind].settings
        out: dict[str, Any] = {"kind": self.kind}
        for name in used:
            value = getattr(self, name)
            if name == "percent":
                value = float(value) if value != value.to_integral() else int(value)
            elif name == "codes":
                value = list(value)
            out[name] = value
        return out

    @classmethod
    def from_json(cls, data: Any, where: str = "indicator") -> Indicator:
        if not isinstance(data, Mapping):
            raise ParameterError(f"{where} must be an object")
        kind_code = data.get("kind")
        if kind_code not in KINDS:
            raise ParameterError(f"{where}: unknown indicator kind {kind_code!r}")
        kind = KINDS[kind_code]
        unknown = set(data) - {"kind", *kind.settings}
        if unknown:
            raise ParameterError(f"{where}: {kind_code} has no setting {sorted(unknown)[0]!r}")
        values: dict[str, Any] = {}
        for name in kind.settings:
            if name not in data:
                continue
            values[name] = _setting(kind, name, data[name], where)
        indicator = replace(kind.default, **values)
        kind.check(indicator, where)
        return indicator

    @property
    def description(self) -> str:
        return KINDS[self.kind].describe(self)


def _setting(kind: IndicatorKind, name: str, value: Any, where: str) -> Any:
    label = f"{where} {name}"
    if name == "percent":
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise ParameterError(f"{label} must be a number")
        try:
            return Decimal(str(value))
        except InvalidOperation:
            raise ParameterError(f"{label} must be a number") from None
    if name == "codes":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ParameterError(f"{label} must be a list of codes")
        return tuple(value)
    if name in ("min_age", "max_age") and value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ParameterError(f"{label} must be a whole number")
    return value


# ---------------------------------------------------------------------------
# What an indicator sees: the household on the assessment date
# ---------------------------------------------------------------------------


class Context:
    """The household as of one date: members still in it, and their evidence dated on
    or before that date, grouped by kind. Built once per family and shared by every
    indicator of the framework."""

    __slots__ = ("as_of", "by_kind", "members", "rules")

    def __init__(
        self,
        *,
        members: Iterable[Member],
        facts: Iterable[Fact],
        rules: HouseholdRules,
        as_of: date,
    ) -> None:
        self.as_of = as_of
        self.rules = rules
        self.members = {m.person_id: m for m in members if m.in_household_on(as_of)}
        by_kind: dict[str, list[Fact]] = defaultdict(list)
        for fact in facts:
            if fact.person_id in self.members and fact.date <= as_of:
                by_kind[fact.kind].append(fact)
        for group in by_kind.values():
            group.sort(key=lambda f: (f.date, f.id))
        self.by_kind = by_kind

    def facts(self, kind: str) -> list[Fact]:
        return self.by_kind.get(kind, [])

    def age(self, person_id: int, day: date | None = None) -> int:
        return self.members[person_id].age_on(day or self.as_of)

    def who(self, person_id: int) -> str:
        member = self.members[person_id]
        return f"{member.given_name} ({member.age_on(self.as_of)})"

    def is_school_age(self, person_id: int, academic_year_start: date) -> bool:
        """School age: 5-16 at the start of the academic year (1 September)."""
        age = self.age(person_id, academic_year_start)
        return self.rules.school_age_min <= age <= self.rules.school_age_max

    def is_adult(self, person_id: int) -> bool:
        return self.age(person_id) >= self.rules.adult_age

    def in_work(self, person_id: int) -> bool:
        return any(
            f.person_id == person_id and f.active_between(self.as_of, self.as_of)
            for f in self.facts("employment")
        )

    def has_dependent_child(self) -> bool:
        """Under 16, or 16 to 18 and not in work (DOMAIN.md 4: in education, training
        or unemployment while living at home; feeds carry work, not enrolment)."""
        for person_id in self.members:
            age = self.age(person_id)
            if age < self.rules.dependent_under:
                return True
            if age <= self.rules.dependent_max_age and not self.in_work(person_id):
                return True
        return False

    def is_expectant(self) -> bool:
        """A perinatal health need open on the assessment date stands for an expectant
        parent (sf2022): feeds carry no pregnancy record of their own."""
        return any(
            f.data.get("need") == "perinatal" and f.active_between(self.as_of, self.as_of)
            for f in self.facts("health")
        )


# ---------------------------------------------------------------------------
# The menu
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorKind:
    code: str
    menu_label: str
    settings: tuple[str, ...]
    default: Indicator
    evaluate: Callable[[Indicator, Context], list[Hit]]
    describe: Callable[[Indicator], str]
    miss: Callable[[Indicator, Context], str]
    code_choices: Mapping[str, str] | None = None

    def check(self, indicator: Indicator, where: str) -> None:
        """Refuse settings no council could mean, with the reason."""
        if "months" in self.settings and not 1 <= indicator.months <= 60:
            raise ParameterError(f"{where}: months must be from 1 to 60")
        if "count" in self.settings and not 1 <= indicator.count <= 100:
            raise ParameterError(f"{where}: count must be from 1 to 100")
        if "terms" in self.settings and not 1 <= indicator.terms <= 9:
            raise ParameterError(f"{where}: terms must be from 1 to 9")
        if "percent" in self.settings and not Decimal(0) < indicator.percent <= Decimal(100):
            raise ParameterError(f"{where}: percent must be more than 0 and at most 100")
        if "codes" in self.settings:
            choices = self.code_choices or {}
            if not indicator.codes:
                raise ParameterError(f"{where}: choose at least one code")
            wrong = [c for c in indicator.codes if c not in choices]
            if wrong:
                raise ParameterError(f"{where}: unknown code {wrong[0]!r}")
        for name in ("min_age", "max_age"):
            value = getattr(indicator, name)
            if name in self.settings and value is not None and not 0 <= value <= 120:
                raise ParameterError(f"{where}: {name} must be from 0 to 120")
        low, high = indicator.min_age, indicator.max_age
        if low is not None and high is not None and low > high:
            raise ParameterError(f"{where}: min_age is above max_age")


def _window(indicator: Indicator, ctx: Context) -> date:
    return months_before(ctx.as_of, indicator.months)


def _months(n: int) -> str:
    return "month" if n == 1 else f"{n} months"


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


def _words(codes: Iterable[str], labels: Mapping[str, str]) -> str:
    names = [labels.get(c, c) for c in codes]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " or " + names[-1]


def _dates(facts: list[Fact]) -> str:
    return ", ".join(long_date(f.date) for f in facts)


def _spell(fact: Fact) -> str:
    if fact.end_date is None:
        return f"since {long_date(fact.date)}"
    return f"from {long_date(fact.date)} to {long_date(fact.end_date)}"


def _per_person(facts: Iterable[Fact]) -> dict[int, list[Fact]]:
    grouped: dict[int, list[Fact]] = defaultdict(list)
    for fact in facts:
        grouped[fact.person_id].append(fact)
    return grouped


def _hit(reason: str, facts: list[Fact]) -> Hit:
    return Hit(
        reason=reason,
        evidence=tuple(f.id for f in facts),
        people=tuple(sorted({f.person_id for f in facts})),
    )


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().upper() in ("Y", "YES", "TRUE")
    return bool(value)


def _int_of(value: Any) -> int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    try:
        return int(str(value))
    except ValueError:
        return 0


# -- crime and anti-social behaviour ---------------------------------------------


def _offence_evaluate(ind: Indicator, ctx: Context) -> list[Hit]:
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
    for person_id, facts in _per_person(found).items():
        then = {ctx.age(person_id, f.date) for f in facts}
        at = ""
        if then != {ctx.age(person_id)}:
            at = f", aged {min(then)}" if len(then) == 1 else f", aged {min(then)}-{max(then)}"
        noun = "a proven offence" if len(facts) == 1 else f"{len(facts)} proven offences"
        hits.append(
            _hit(
                f"{ctx.who(person_id)} committed {noun} in the last {_months(ind.months)}"
                f"{at}: {_dates(facts)}",
                facts,
            )
        )
    return hits


def _asb_evaluate(ind: Indicator, ctx: Context) -> list[Hit]:
    start = _window(ind, ctx)
    found = [
        f
        for f in ctx.facts("asb")
        if f.data.get("intervention") in ind.codes and start <= f.date <= ctx.as_of
    ]
    hits = []
    for person_id, facts in _per_person(found).items():
        what = ", ".join(
            f"{ASB_INTERVENTIONS.get(str(f.data.get('intervention')), 'intervention')} on "
            f"{long_date(f.date)}"
            for f in facts
        )
        hits.append(
            _hit(
                f"{ctx.who(person_id)} had an anti-social behaviour intervention in the last "
                f"{_months(ind.months)}: {what}",
                facts,
            )
        )
    return hits


def _callouts_evaluate(ind: Indicator, ctx: Context) -> list[Hit]:
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
            f"The household had {len(found)} {noun} in the last {_months(ind.months)} ({detail})",
            found,
        )
    ]


# -- education ---------------------------------------------------------------------


def _absence_evaluate(ind: Indicator, ctx: Context) -> list[Hit]:
    terms = last_terms(ctx.as_of, ind.terms)
    starts = {t.start: t for t in terms}
    per_child: dict[int, list[Fact]] = defaultdict(list)
    for fact in ctx.facts("school_attendance"):
        term = starts.get(term_containing(fact.date).start)
        if term is not None and ctx.is_school_age(fact.person_id, term.academic_year_start):
            per_child[fact.person_id].append(fact)
    hits = []
    for person_id, facts in per_child.items():
        possible = sum(_int_of(f.data.get("possible_sessions")) for f in facts)
        absent = sum(_int_of(f.data.get("unauthorised_absence_sessions")) for f in facts)
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


def _exclusions_evaluate(ind: Indicator, ctx: Context) -> list[Hit]:
    terms = last_terms(ctx.as_of, ind.terms)
    start = terms[0].start
    per_child: dict[int, list[Fact]] = defaultdict(list)
    for fact in ctx.facts("exclusions"):
        if start <= fact.date <= ctx.as_of and ctx.is_school_age(
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
                    f"{ctx.who(person_id)} was permanently excluded on {_dates(permanent)}",
                    permanent,
                )
            )
        if len(fixed) >= ind.count:
            hits.append(
                _hit(
                    f"{ctx.who(person_id)} had {len(fixed)} fixed-term exclusions over "
                    f"{terms_label(terms)}: {_dates(fixed)}",
                    fixed,
                )
            )
    return hits


def _neet_evaluate(ind: Indicator, ctx: Context) -> list[Hit]:
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
                    f"training {_spell(fact)}",
                    [fact],
                )
            )
    return hits


# -- children's social care, work and money, housing -------------------------------


def _social_care_evaluate(ind: Indicator, ctx: Context) -> list[Hit]:
    start = _window(ind, ctx)
    found = [
        f
        for f in ctx.facts("social_care")
        if f.data.get("status") in ind.codes
        and f.active_between(start, ctx.as_of)
        and _age_fits(ind, ctx.age(f.person_id))
    ]
    hits = []
    for person_id, facts in _per_person(found).items():
        what = "; ".join(
            f"{SOCIAL_CARE.get(str(f.data.get('status')), 'episode')} {_spell(f)}" for f in facts
        )
        hits.append(_hit(f"{ctx.who(person_id)}: {what}", facts))
    return hits


def _benefit_evaluate(ind: Indicator, ctx: Context) -> list[Hit]:
    hits = []
    for fact in ctx.facts("benefits"):
        benefit = str(fact.data.get("benefit", "")).upper()
        if benefit not in ind.codes or not fact.active_between(ctx.as_of, ctx.as_of):
            continue
        # Universal Credit counts only with the "out of work" flag (DOMAIN.md 4.1).
        if benefit == "UC" and not _flag(fact.data.get("out_of_work")):
            continue
        if not ctx.is_adult(fact.person_id):
            continue
        hits.append(
            _hit(
                f"{ctx.who(fact.person_id)} has been on {BENEFITS.get(benefit, benefit)} "
                f"{_spell(fact)}",
                [fact],
            )
        )
    return hits


def _rent_arrears_evaluate(ind: Indicator, ctx: Context) -> list[Hit]:
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
        _hit(f"{ctx.who(person_id)}: rent arrears recorded on {_dates(facts)}", facts)
        for person_id, facts in _per_person(found).items()
    ]


def _housing_evaluate(ind: Indicator, ctx: Context) -> list[Hit]:
    start = _window(ind, ctx)
    found = [
        f
        for f in ctx.facts("housing")
        if f.data.get("event") in ind.codes and start <= f.date <= ctx.as_of
    ]
    hits = []
    for person_id, facts in _per_person(found).items():
        what = ", ".join(
            f"{HOUSING_EVENTS.get(str(f.data.get('event')), 'event')} on {long_date(f.date)}"
            for f in facts
        )
        hits.append(_hit(f"{ctx.who(person_id)}: {what}", facts))
    return hits


# -- domestic abuse and health (restricted evidence) --------------------------------


def _abuse_evaluate(ind: Indicator, ctx: Context) -> list[Hit]:
    start = _window(ind, ctx)
    found = [
        f
        for f in ctx.facts("domestic_abuse")
        if start <= f.date <= ctx.as_of
        and (f.data.get("role") in ind.codes or _flag(f.data.get("marac")))
    ]
    hits = []
    for person_id, facts in _per_person(found).items():
        what = ", ".join(
            f"{long_date(f.date)} ({ABUSE_ROLES.get(str(f.data.get('role')), 'involved')}"
            f"{', MARAC referral' if _flag(f.data.get('marac')) else ''})"
            for f in facts
        )
        noun = "a domestic abuse incident" if len(facts) == 1 else "domestic abuse incidents"
        hits.append(_hit(f"{ctx.who(person_id)} was involved in {noun}: {what}", facts))
    return hits


def _health_evaluate(ind: Indicator, ctx: Context) -> list[Hit]:
    start = _window(ind, ctx)
    found = [
        f
        for f in ctx.facts("health")
        if f.data.get("need") in ind.codes
        and f.active_between(start, ctx.as_of)
        and _age_fits(ind, ctx.age(f.person_id))
    ]
    hits = []
    for person_id, facts in _per_person(found).items():
        what = "; ".join(
            f"{HEALTH_NEEDS.get(str(f.data.get('need')), 'health')} need {_spell(f)}" for f in facts
        )
        hits.append(_hit(f"{ctx.who(person_id)}: {what}", facts))
    return hits


def _terms_text(ind: Indicator, as_of: date | None) -> str:
    if as_of is None:
        return f"the last {ind.terms} terms"
    return terms_label(last_terms(as_of, ind.terms))


# Each kind's words: ``as_of`` None describes the indicator (plans, the editor); with a
# context it says what was looked for and not found, for that date.


def _offence_text(i: Indicator, as_of: date | None) -> str:
    return f"proven offence committed by {_ages(i)} in the last {_months(i.months)}"


def _asb_text(i: Indicator, as_of: date | None) -> str:
    return (
        f"anti-social behaviour intervention ({_words(i.codes, ASB_INTERVENTIONS)}) "
        f"in the last {_months(i.months)}"
    )


def _callouts_describe(i: Indicator, as_of: date | None) -> str:
    what = f"police call-outs ({_words(i.codes, CALLOUT_CATEGORIES)})"
    if as_of is None:
        return f"At least {i.count} {what} in the last {_months(i.months)}"
    return f"Fewer than {i.count} {what} in the last {_months(i.months)}"


def _absence_text(i: Indicator, as_of: date | None) -> str:
    return (
        f"school-age child with {i.percent.normalize():f}% or more unauthorised absence "
        f"over {_terms_text(i, as_of)}"
    )


def _exclusions_text(i: Indicator, as_of: date | None) -> str:
    return (
        f"school-age child permanently excluded, or with {i.count} or more fixed-term "
        f"exclusions, over {_terms_text(i, as_of)}"
    )


def _neet_text(i: Indicator, as_of: date | None) -> str:
    # No date in the words: a result that reads the same tomorrow is not rewritten.
    return f"{i.min_age}-{i.max_age} year old not in education, employment or training"


def _social_care_text(i: Indicator, as_of: date | None) -> str:
    return f"{_words(i.codes, SOCIAL_CARE)} episode in the last {_months(i.months)}"


def _early_help_text(i: Indicator, as_of: date | None) -> str:
    return f"early help for {_ages(i)} in the last {_months(i.months)}"


def _benefit_text(i: Indicator, as_of: date | None) -> str:
    return f"adult on an out-of-work benefit ({', '.join(i.codes)})"


def _arrears_text(i: Indicator, as_of: date | None) -> str:
    return f"rent arrears recorded in the last {_months(i.months)} and not cleared"


def _housing_text(i: Indicator, as_of: date | None) -> str:
    return f"housing event ({_words(i.codes, HOUSING_EVENTS)}) in the last {_months(i.months)}"


def _abuse_text(i: Indicator, as_of: date | None) -> str:
    return (
        f"domestic abuse incident (as {_words(i.codes, ABUSE_ROLES)}) or MARAC referral "
        f"in the last {_months(i.months)}"
    )


def _health_text(i: Indicator, as_of: date | None) -> str:
    return f"{_words(i.codes, HEALTH_NEEDS)} need for {_ages(i)} in the last {_months(i.months)}"


Text = Callable[[Indicator, date | None], str]


def _noun(text: Text) -> tuple[Callable[[Indicator], str], Callable[[Indicator, Context], str]]:
    """Describe as "A ..." / "An ..."; report a miss as "No ..."."""

    def describe(i: Indicator) -> str:
        phrase = text(i, None)
        article = "An" if phrase[:1].lower() in "aeiou" else "A"
        return f"{article} {phrase}"

    def miss(i: Indicator, ctx: Context) -> str:
        return _miss_on(text, i, ctx.as_of, "No ")

    return describe, miss


@lru_cache(maxsize=1024)
def _miss_on(text: Text, indicator: Indicator, as_of: date, prefix: str) -> str:
    # A miss depends on the indicator and the date only, so thousands of families
    # assessed on one date share each sentence.
    return f"{prefix}{text(indicator, as_of)}"


def _kind(
    code: str,
    menu_label: str,
    settings: tuple[str, ...],
    default: dict[str, Any],
    evaluate: Callable[[Indicator, Context], list[Hit]],
    text: Text,
    code_choices: Mapping[str, str] | None = None,
    *,
    sentence: bool = False,
) -> IndicatorKind:
    if sentence:
        describe: Callable[[Indicator], str] = lambda i: text(i, None)  # noqa: E731
        miss: Callable[[Indicator, Context], str] = lambda i, c: _miss_on(  # noqa: E731
            text, i, c.as_of, ""
        )
    else:
        describe, miss = _noun(text)
    return IndicatorKind(
        code=code,
        menu_label=menu_label,
        settings=settings,
        default=Indicator(kind=code, **default),
        evaluate=evaluate,
        describe=describe,
        miss=miss,
        code_choices=code_choices,
    )


_ASB_DEFAULT = ("abc", "injunction", "order", "notice_seeking_possession", "eviction")
_HOUSING_DEFAULT = ("notice_seeking_possession", "eviction", "homeless", "temporary_accommodation")

KINDS: dict[str, IndicatorKind] = {
    k.code: k
    for k in (
        _kind(
            "proven_offence",
            "Proven offence by a young person",
            ("months", "min_age", "max_age"),
            {"months": 12, "min_age": 10, "max_age": 17},
            _offence_evaluate,
            _offence_text,
        ),
        _kind(
            "asb_intervention",
            "Anti-social behaviour intervention",
            ("months", "codes"),
            {"months": 12, "codes": _ASB_DEFAULT},
            _asb_evaluate,
            _asb_text,
            ASB_INTERVENTIONS,
        ),
        _kind(
            "police_callouts",
            "Police call-outs",
            ("count", "months", "codes"),
            {"count": 3, "months": 12, "codes": tuple(CALLOUT_CATEGORIES)},
            _callouts_evaluate,
            _callouts_describe,
            CALLOUT_CATEGORIES,
            sentence=True,
        ),
        _kind(
            "unauthorised_absence",
            "Unauthorised absence from school",
            ("percent", "terms"),
            {"percent": Decimal("15"), "terms": 3},
            _absence_evaluate,
            _absence_text,
        ),
        _kind(
            "exclusions",
            "Exclusions from school",
            ("count", "terms"),
            {"count": 3, "terms": 3},
            _exclusions_evaluate,
            _exclusions_text,
        ),
        _kind(
            "neet",
            "Young person not in education, employment or training (NEET)",
            ("min_age", "max_age"),
            {"min_age": 16, "max_age": 18},
            _neet_evaluate,
            _neet_text,
        ),
        _kind(
            "children_social_care",
            "Child in need, child protection or section 47 enquiry",
            ("months", "codes"),
            {"months": 12, "codes": ("child_in_need", "child_protection", "section_47")},
            _social_care_evaluate,
            _social_care_text,
            {k: v for k, v in SOCIAL_CARE.items() if k != "early_help"},
        ),
        _kind(
            "early_help",
            "Early help",
            ("months", "min_age", "max_age"),
            {"months": 12, "codes": ("early_help",)},
            _social_care_evaluate,
            _early_help_text,
        ),
        _kind(
            "out_of_work_benefit",
            "Adult on an out-of-work benefit",
            ("codes",),
            {"codes": tuple(BENEFITS)},
            _benefit_evaluate,
            _benefit_text,
            BENEFITS,
        ),
        _kind(
            "rent_arrears",
            "Rent arrears not cleared",
            ("months",),
            {"months": 12},
            _rent_arrears_evaluate,
            _arrears_text,
        ),
        _kind(
            "housing_event",
            "Eviction, homelessness or temporary accommodation",
            ("months", "codes"),
            {"months": 12, "codes": _HOUSING_DEFAULT},
            _housing_evaluate,
            _housing_text,
            {k: v for k, v in HOUSING_EVENTS.items() if k != "arrears_cleared"},
        ),
        _kind(
            "domestic_abuse",
            "Domestic abuse incident or MARAC referral",
            ("months", "codes"),
            {"months": 12, "codes": ("victim", "perpetrator")},
            _abuse_evaluate,
            _abuse_text,
            ABUSE_ROLES,
        ),
        _kind(
            "health_need",
            "Mental health, substance misuse or perinatal need",
            ("months", "codes", "min_age", "max_age"),
            {"months": 12, "codes": ("mental_health", "substance_misuse")},
            _health_evaluate,
            _health_text,
            HEALTH_NEEDS,
        ),
    )
}


def indicators_from_json(value: Any, where: str) -> tuple[Indicator, ...]:
    if not isinstance(value, list):
        raise ParameterError(f"{where} must be a list of indicators")
    return tuple(Indicator.from_json(item, f"{where}[{n}]") for n, item in enumerate(value))


def lookback_start(as_of: date, indicators: Iterable[Indicator]) -> date:
    """The earliest date any of these indicators looks back to: older evidence cannot
    change the result, so loaders may leave it out (and fingerprints ignore it)."""
    earliest = as_of
    for ind in indicators:
        settings = KINDS[ind.kind].settings
        if "terms" in settings:
            earliest = min(earliest, last_terms(as_of, ind.terms)[0].start)
        if "months" in settings:
            earliest = min(earliest, months_before(as_of, ind.months))
    return earliest


__all__ = [
    "KINDS",
    "SETTINGS",
    "Context",
    "Indicator",
    "IndicatorKind",
    "Term",
    "indicators_from_json",
    "lookback_start",
]
