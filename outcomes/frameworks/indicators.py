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
from decimal import Decimal
from functools import lru_cache
from typing import Any

from outcomes.frameworks.checks import (
    absence_evaluate,
    absence_text,
    abuse_evaluate,
    abuse_text,
    arrears_text,
    asb_evaluate,
    asb_text,
    benefit_evaluate,
    benefit_text,
    callouts_describe,
    callouts_evaluate,
    early_help_text,
    exclusions_evaluate,
    exclusions_text,
    health_evaluate,
    health_text,
    housing_evaluate,
    housing_text,
    neet_evaluate,
    neet_text,
    offence_evaluate,
    offence_text,
    rent_arrears_evaluate,
    social_care_evaluate,
    social_care_text,
)
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
    Term,
    window_start,
)
from outcomes.frameworks.types import (
    Fact,
    Hit,
    HouseholdRules,
    Member,
    ParameterError,
    setting_value,
)

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
            values[name] = setting_value(name, data[name], f"{where} {name}")
        indicator = replace(kind.default, **values)
        kind.check(indicator, where)
        return indicator

    @property
    def description(self) -> str:
        return KINDS[self.kind].describe(self)


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
            offence_evaluate,
            offence_text,
        ),
        _kind(
            "asb_intervention",
            "Anti-social behaviour intervention",
            ("months", "codes"),
            {"months": 12, "codes": _ASB_DEFAULT},
            asb_evaluate,
            asb_text,
            ASB_INTERVENTIONS,
        ),
        _kind(
            "police_callouts",
            "Police call-outs",
            ("count", "months", "codes"),
            {"count": 3, "months": 12, "codes": tuple(CALLOUT_CATEGORIES)},
            callouts_evaluate,
            callouts_describe,
            CALLOUT_CATEGORIES,
            sentence=True,
        ),
        _kind(
            "unauthorised_absence",
            "Unauthorised absence from school",
            ("percent", "terms"),
            {"percent": Decimal("15"), "terms": 3},
            absence_evaluate,
            absence_text,
        ),
        _kind(
            "exclusions",
            "Exclusions from school",
            ("count", "terms"),
            {"count": 3, "terms": 3},
            exclusions_evaluate,
            exclusions_text,
        ),
        _kind(
            "neet",
            "Young person not in education, employment or training (NEET)",
            ("min_age", "max_age"),
            {"min_age": 16, "max_age": 18},
            neet_evaluate,
            neet_text,
        ),
        _kind(
            "children_social_care",
            "Child in need, child protection or section 47 enquiry",
            ("months", "codes"),
            {"months": 12, "codes": ("child_in_need", "child_protection", "section_47")},
            social_care_evaluate,
            social_care_text,
            {k: v for k, v in SOCIAL_CARE.items() if k != "early_help"},
        ),
        _kind(
            "early_help",
            "Early help",
            ("months", "min_age", "max_age"),
            {"months": 12, "codes": ("early_help",)},
            social_care_evaluate,
            early_help_text,
        ),
        _kind(
            "out_of_work_benefit",
            "Adult on an out-of-work benefit",
            ("codes",),
            {"codes": tuple(BENEFITS)},
            benefit_evaluate,
            benefit_text,
            BENEFITS,
        ),
        _kind(
            "rent_arrears",
            "Rent arrears not cleared",
            ("months",),
            {"months": 12},
            rent_arrears_evaluate,
            arrears_text,
        ),
        _kind(
            "housing_event",
            "Eviction, homelessness or temporary accommodation",
            ("months", "codes"),
            {"months": 12, "codes": _HOUSING_DEFAULT},
            housing_evaluate,
            housing_text,
            {k: v for k, v in HOUSING_EVENTS.items() if k != "arrears_cleared"},
        ),
        _kind(
            "domestic_abuse",
            "Domestic abuse incident or MARAC referral",
            ("months", "codes"),
            {"months": 12, "codes": ("victim", "perpetrator")},
            abuse_evaluate,
            abuse_text,
            ABUSE_ROLES,
        ),
        _kind(
            "health_need",
            "Mental health, substance misuse or perinatal need",
            ("months", "codes", "min_age", "max_age"),
            {"months": 12, "codes": ("mental_health", "substance_misuse")},
            health_evaluate,
            health_text,
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
        earliest = min(
            earliest,
            window_start(
                as_of,
                months=ind.months if "months" in settings else None,
                terms=ind.terms if "terms" in settings else None,
            ),
        )
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
