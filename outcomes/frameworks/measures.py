"""The menu of outcome measures every framework's result rules are built from (DOMAIN.md
4.0-4.3), the way ``indicators`` is the menu of identification indicators.

A measure is a kind from this menu with its settings, e.g. "proven offences by under-18s
at least 33% fewer in the last 6 months than in the 6 months before attachment". It is
judged for one household against its attachment date and an assessment date, and answers
met, not met or not applicable (None), with reasons in plain English and the evidence
they rest on. tf1's R1 parts and R3, each tf2 Outcome Plan problem's measure and each
sf2022 need's positive outcome are measures: each rule is written once, in
``measure_checks`` (what each kind looks for); this module is the menu, the settings and
their words, and the one way to judge a measure.

Windows follow DOMAIN.md 4.0: "the last N months" runs from the day after the assessment
date less N calendar months to the assessment date; "the N months before attachment" from
the attachment date less N months to the day before attachment; terms are complete terms.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from outcomes.frameworks.codes import (
    ABUSE_ROLES,
    ASB_INTERVENTIONS,
    BENEFITS,
    CALLOUT_CATEGORIES,
    HEALTH_NEEDS,
    SOCIAL_CARE,
)
from outcomes.frameworks.dates import window_start
from outcomes.frameworks.measure_checks import (
    ADVERSE_HOUSING,
    Outcome,
    Scope,
    ages_text,
    asb_reduction_evaluate,
    callout_reduction_evaluate,
    chosen_codes,
    no_asb_evaluate,
    no_domestic_abuse_evaluate,
    no_offending_evaluate,
    offending_reduction_evaluate,
    school_attendance_evaluate,
)
from outcomes.frameworks.measure_checks_care_work import (
    arrears_cleared_evaluate,
    continuous_employment_evaluate,
    employment_or_arrears_cleared_evaluate,
    health_improved_evaluate,
    housing_stable_evaluate,
    in_work_evaluate,
    no_housing_event_evaluate,
    no_out_of_work_benefit_evaluate,
    recorded_evaluate,
    social_care_ended_evaluate,
)
from outcomes.frameworks.results import (
    OUT_OF_WORK_BENEFITS,
    ResultCheck,
    benefit_on_attachment,
)
from outcomes.frameworks.types import Household, HouseholdRules, ParameterError, setting_value
from outcomes.frameworks.wording import codes_text, months_text, percent_text, plural

# Settings a measure may have; each kind uses some of them.
SETTINGS = (
    "months",
    "percent",
    "count",
    "terms",
    "weeks",
    "weeks_after_jsa",
    "codes",
    "min_age",
    "max_age",
)


@dataclass(frozen=True)
class Measure:
    """A kind with its settings. Build one with ``Measure.from_json`` (or ``replace`` on
    ``MEASURE_KINDS[kind].default``) to start from the kind's own defaults: the field
    defaults here are shared by every kind."""

    kind: str
    months: int = 6
    percent: Decimal = Decimal("10")
    # Fixed-term exclusions must be fewer than this.
    count: int = 3
    terms: int = 3
    weeks: int = 13
    weeks_after_jsa: int = 13
    codes: tuple[str, ...] = ()
    min_age: int | None = None
    max_age: int | None = None

    def to_json(self) -> dict[str, Any]:
        """Only the settings the kind uses, so saved parameters read clearly."""
        out: dict[str, Any] = {"kind": self.kind}
        for name in _kind_of(self).settings:
            value = getattr(self, name)
            if name == "percent":
                value = int(value) if value == value.to_integral() else float(value)
            elif name == "codes":
                value = list(value)
            out[name] = value
        return out

    @classmethod
    def from_json(cls, data: Any, where: str = "measure") -> Measure:
        if not isinstance(data, Mapping):
            raise ParameterError(f"{where} must be an object")
        code = data.get("kind")
        if not isinstance(code, str) or code not in MEASURE_KINDS:
            raise ParameterError(f"{where}: unknown measure kind {code!r}")
        kind = MEASURE_KINDS[code]
        unknown = set(data) - {"kind", *kind.settings}
        if unknown:
            raise ParameterError(f"{where}: {code} has no setting {sorted(unknown)[0]!r}")
        values = {
            name: setting_value(name, data[name], f"{where} {name}")
            for name in kind.settings
            if name in data
        }
        measure = replace(kind.default, **values)
        kind.check(measure, where)
        return measure

    @property
    def description(self) -> str:
        return _kind_of(self).describe(self)


# ---------------------------------------------------------------------------
# Descriptions
# ---------------------------------------------------------------------------


def _last(m: Measure) -> str:
    return f"the last {months_text(m.months)}"


def _than_before(m: Measure) -> str:
    return (
        f"at least {percent_text(m.percent)}% fewer in {_last(m)} than in the "
        f"{months_text(m.months)} before attachment"
    )


def _which(m: Measure, choices: Mapping[str, str], every: str) -> str:
    return f"({codes_text(m.codes, choices)})" if m.codes else f"({every})"


def _school_text(m: Measure) -> str:
    terms = "the last complete term" if m.terms == 1 else f"the last {m.terms} complete terms"
    absence = f"Under {percent_text(m.percent)}% unauthorised absence over {terms}"
    fixed = f"fewer than {m.count} fixed-term exclusions"
    if "no_permanent" in m.codes:
        return f"{absence}, no permanent exclusion and {fixed}, for every school-age child"
    return f"{absence} and {fixed}, for every school-age child"


def _housing_events(m: Measure) -> str:
    return f"No {codes_text(chosen_codes(m, ADVERSE_HOUSING), ADVERSE_HOUSING)} event in {_last(m)}"


def _benefits_text(m: Measure) -> str:
    codes = chosen_codes(m, BENEFITS)
    which = "" if set(codes) == set(BENEFITS) else f" ({codes_text(codes, BENEFITS)})"
    return f"No adult on an out-of-work benefit{which} at any time in {_last(m)}"


def _employment_text(m: Measure) -> str:
    text = f"An adult in continuous employment for {plural(m.weeks, 'week', 'weeks')}"
    if m.weeks_after_jsa != m.weeks:
        text += f" ({m.weeks_after_jsa} weeks after Jobseeker's Allowance)"
    return f"{text}, starting on or after attachment"


_DESCRIBE: dict[str, Callable[[Measure], str]] = {
    "school_attendance": _school_text,
    "offending_reduction": lambda m: f"Proven offences by {ages_text(m)} {_than_before(m)}",
    "asb_reduction": lambda m: (
        "Anti-social behaviour across the household "
        f"{_which(m, ASB_INTERVENTIONS, 'every intervention and incident')} {_than_before(m)}"
    ),
    "callout_reduction": lambda m: (
        f"Police call-outs {_which(m, CALLOUT_CATEGORIES, 'all categories')} {_than_before(m)}"
    ),
    "no_offending": lambda m: f"No proven offence by {ages_text(m)} in {_last(m)}",
    "no_asb": lambda m: (
        f"No anti-social behaviour {_which(m, ASB_INTERVENTIONS, 'any intervention or incident')}"
        f" in {_last(m)}"
    ),
    "no_domestic_abuse": lambda m: (
        f"No domestic abuse incident {_which(m, ABUSE_ROLES, 'any role')} in {_last(m)}"
    ),
    "social_care_ended": lambda m: (
        f"Every {codes_text(chosen_codes(m, SOCIAL_CARE), SOCIAL_CARE)} episode ended, and "
        f"none opened in {_last(m)}"
    ),
    "health_improved": lambda m: (
        f"Every {codes_text(chosen_codes(m, HEALTH_NEEDS), HEALTH_NEEDS)} need ended, or the "
        "person engaged with treatment"
    ),
    "housing_stable": lambda m: f"{_housing_events(m)}, or rent arrears cleared",
    "no_housing_event": _housing_events,
    "arrears_cleared": lambda m: (
        "Rent arrears cleared on or after attachment, and none recorded since"
    ),
    "continuous_employment": _employment_text,
    "in_work": lambda m: "An adult in a job that started on or after attachment and is still going",
    "no_out_of_work_benefit": _benefits_text,
    "employment_or_arrears_cleared": lambda m: f"{_employment_text(m)}, or rent arrears cleared",
    "recorded": lambda m: "Recorded by the lead practitioner",
}


# ---------------------------------------------------------------------------
# The menu
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MeasureKind:
    code: str
    menu_label: str
    settings: tuple[str, ...]
    default: Measure
    evaluate: Callable[[Measure, Scope], Outcome]
    describe: Callable[[Measure], str]
    # The codes a programme manager may choose from; none chosen means all of them
    # (school attendance: options, none chosen means none).
    code_choices: Mapping[str, str] | None = None

    def check(self, measure: Measure, where: str) -> None:
        """Refuse settings no council could mean, with the reason."""
        ranges = {"months": 60, "count": 100, "terms": 9, "weeks": 260, "weeks_after_jsa": 260}
        for name, high in ranges.items():
            if name in self.settings and not 1 <= getattr(measure, name) <= high:
                raise ParameterError(f"{where}: {name} must be from 1 to {high}")
        if "percent" in self.settings and not Decimal(0) < measure.percent <= Decimal(100):
            raise ParameterError(f"{where}: percent must be more than 0 and at most 100")
        if "codes" in self.settings:
            wrong = [c for c in measure.codes if c not in (self.code_choices or {})]
            if wrong:
                raise ParameterError(f"{where}: unknown code {wrong[0]!r}")
        for name in ("min_age", "max_age"):
            value = getattr(measure, name)
            if name in self.settings and value is not None and not 0 <= value <= 120:
                raise ParameterError(f"{where}: {name} must be from 0 to 120")
        low, high_age = measure.min_age, measure.max_age
        if low is not None and high_age is not None and low > high_age:
            raise ParameterError(f"{where}: min_age is above max_age")


def _kind(
    code: str,
    menu_label: str,
    settings: tuple[str, ...],
    default: dict[str, Any],
    evaluate: Callable[[Measure, Scope], Outcome],
    code_choices: Mapping[str, str] | None = None,
) -> MeasureKind:
    return MeasureKind(
        code=code,
        menu_label=menu_label,
        settings=settings,
        default=Measure(kind=code, **default),
        evaluate=evaluate,
        describe=_DESCRIBE[code],
        code_choices=code_choices,
    )


_SOCIAL_CARE_DEFAULT = ("child_in_need", "child_protection", "section_47")
_HOUSING_DEFAULT = ("notice_seeking_possession", "eviction", "homeless", "temporary_accommodation")

MEASURE_KINDS: dict[str, MeasureKind] = {
    k.code: k
    for k in (
        _kind(
            "school_attendance",
            "School attendance and exclusions",
            ("percent", "count", "terms", "codes"),
            {"percent": Decimal("10"), "count": 3, "terms": 3, "codes": ("no_permanent",)},
            school_attendance_evaluate,
            {"no_permanent": "no permanent exclusion"},
        ),
        _kind(
            "offending_reduction",
            "Fewer proven offences than before attachment",
            ("months", "percent", "min_age", "max_age"),
            {"months": 6, "percent": Decimal("33"), "max_age": 17},
            offending_reduction_evaluate,
        ),
        _kind(
            "asb_reduction",
            "Less anti-social behaviour than before attachment",
            ("months", "percent", "codes"),
            {"months": 6, "percent": Decimal("60")},
            asb_reduction_evaluate,
            ASB_INTERVENTIONS,
        ),
        _kind(
            "callout_reduction",
            "Fewer police call-outs than before attachment",
            ("months", "percent", "codes"),
            {"months": 6, "percent": Decimal("50")},
            callout_reduction_evaluate,
            CALLOUT_CATEGORIES,
        ),
        _kind(
            "no_offending",
            "No proven offences",
            ("months", "min_age", "max_age"),
            {"months": 6},
            no_offending_evaluate,
        ),
        _kind(
            "no_asb",
            "No anti-social behaviour",
            ("months", "codes"),
            {"months": 6},
            no_asb_evaluate,
            ASB_INTERVENTIONS,
        ),
        _kind(
            "no_domestic_abuse",
            "No domestic abuse incidents",
            ("months", "codes"),
            {"months": 6},
            no_domestic_abuse_evaluate,
            ABUSE_ROLES,
        ),
        _kind(
            "social_care_ended",
            "Children's social care stepped down and not re-opened",
            ("months", "codes"),
            {"months": 6, "codes": _SOCIAL_CARE_DEFAULT},
            social_care_ended_evaluate,
            SOCIAL_CARE,
        ),
        _kind(
            "health_improved",
            "Health need ended or treatment engaged with",
            ("codes",),
            {"codes": ("mental_health", "substance_misuse")},
            health_improved_evaluate,
            HEALTH_NEEDS,
        ),
        _kind(
            "housing_stable",
            "Secure housing",
            ("months", "codes"),
            {"months": 6, "codes": _HOUSING_DEFAULT},
            housing_stable_evaluate,
            ADVERSE_HOUSING,
        ),
        _kind(
            "no_housing_event",
            "No housing events",
            ("months", "codes"),
            {"months": 6, "codes": _HOUSING_DEFAULT},
            no_housing_event_evaluate,
            ADVERSE_HOUSING,
        ),
        _kind("arrears_cleared", "Rent arrears cleared", (), {}, arrears_cleared_evaluate),
        _kind(
            "continuous_employment",
            "Continuous employment",
            ("weeks", "weeks_after_jsa"),
            {"weeks": 13, "weeks_after_jsa": 13},
            continuous_employment_evaluate,
        ),
        _kind("in_work", "In work since attachment", (), {}, in_work_evaluate),
        _kind(
            "no_out_of_work_benefit",
            "No out-of-work benefit",
            ("months", "codes"),
            {"months": 6, "codes": OUT_OF_WORK_BENEFITS},
            no_out_of_work_benefit_evaluate,
            BENEFITS,
        ),
        _kind(
            "employment_or_arrears_cleared",
            "Continuous employment or rent arrears cleared",
            ("weeks", "weeks_after_jsa"),
            {"weeks": 13, "weeks_after_jsa": 13},
            employment_or_arrears_cleared_evaluate,
        ),
        _kind(
            "recorded",
            "Recorded by the lead practitioner",
            (),
            {},
            recorded_evaluate,
        ),
    )
}


def _kind_of(measure: Measure) -> MeasureKind:
    try:
        return MEASURE_KINDS[measure.kind]
    except KeyError:
        raise ParameterError(f"Unknown measure kind {measure.kind!r}") from None


def measure_evaluate(
    measure: Measure,
    household: Household,
    rules: HouseholdRules,
    *,
    attached_on: date,
    as_of: date,
    people: tuple[int, ...] | None = None,
    since: date | None = None,
) -> Outcome:
    """Judge ``measure`` for the household attached on ``attached_on``, on ``as_of``.

    ``people``: only these person ids' evidence (and, for school attendance, employment
    and benefits, only these children or adults); None for the whole household. Members
    who left the household before ``as_of`` are left out of every window alike.
    ``since``: no "last N months" window starts before this day, so that what happened
    before it (before a case closed) is not counted; terms and the months before
    attachment are not cut."""
    kind = _kind_of(measure)
    scope = Scope(household, rules, attached_on, as_of, people, since)
    return kind.evaluate(measure, scope)


def measures_from_json(value: Any, where: str) -> tuple[Measure, ...]:
    if not isinstance(value, list):
        raise ParameterError(f"{where} must be a list of measures")
    return tuple(Measure.from_json(item, f"{where}[{n}]") for n, item in enumerate(value))


def lookback_start(as_of: date, measures: Iterable[Measure]) -> date:
    """The earliest date any of these measures' windows reaches back to when judged on
    ``as_of`` (the last N months, the last N complete terms): older evidence cannot
    change them, so loaders may leave it out. The months before attachment, and the
    evidence since attachment, are the service's to add."""
    earliest = as_of
    for measure in measures:
        settings = _kind_of(measure).settings
        earliest = min(
            earliest,
            window_start(
                as_of,
                months=measure.months if "months" in settings else None,
                terms=measure.terms if "terms" in settings else None,
            ),
        )
    return earliest


__all__ = [
    "MEASURE_KINDS",
    "SETTINGS",
    "Measure",
    "MeasureKind",
    "Outcome",
    "lookback_start",
    "measure_evaluate",
    "measures_from_json",
]


def employment_after_benefit(
    measure: Measure,
    household: Household,
    rules: HouseholdRules,
    *,
    code: str,
    label: str,
    attached_on: date,
    as_of: date,
) -> tuple[ResultCheck, list[str]]:
    """The continuous-employment result of tf1 (R3) and tf2 ("employment"): ``measure``
    for the adults who were on an out-of-work benefit on the attachment date; not
    relevant when there were none. Also what is on its way (a job started since
    attachment, still going, not yet the full weeks), for "at risk"."""
    on_benefit = tuple(
        m.person_id
        for m in household.members
        if m.age_on(attached_on) >= rules.adult_age
        and benefit_on_attachment(household, m.person_id, attached_on, OUT_OF_WORK_BENEFITS)
    )
    if not on_benefit:
        return (
            ResultCheck(
                code,
                label,
                met=False,
                reasons=("No adult was on an out-of-work benefit on the attachment date",),
                relevant=False,
            ),
            [],
        )
    outcome = measure_evaluate(
        measure, household, rules, attached_on=attached_on, as_of=as_of, people=on_benefit
    )
    pending: list[str] = []
    if not outcome.met:
        working = measure_evaluate(
            MEASURE_KINDS["in_work"].default,
            household,
            rules,
            attached_on=attached_on,
            as_of=as_of,
            people=on_benefit,
        )
        if working.met:
            pending += [
                f"{reason}: not yet long enough for continuous employment"
                for reason in working.reasons
            ]
    check = ResultCheck(
        code,
        label,
        met=bool(outcome.met),
        reasons=outcome.reasons,
        evidence=outcome.evidence,
        met_on=outcome.met_on,
    )
    return check, pending
