"""Troubled Families phase 1 results: R1, R2, R3 and the route (DOMAIN.md 4.1).

- **R1** crime/ASB/education, in three parts built from outcome measures: the education
  part (relevant when education was met at entry), youth offending and ASB (relevant when
  crime/ASB was met at entry; each not applicable on a zero baseline). R1 is met when
  every relevant, applicable part passes and at least one part was relevant. A new
  problem of a relevant kind in another member (a sibling's offence or ASB; a sibling
  truanting fails the education part for every school-age child) voids it.
- **R2** progress to work: a ``work_progress`` event on or after the attachment date.
- **R3** continuous employment of an adult who was on an out-of-work benefit on the
  attachment date: 13 weeks, or 26 if they came off JSA (configurable).
- **Route**: "R3"; otherwise "R1+R2"; otherwise "R1"; otherwise none.

The thresholds are the version's ``results`` parameters (defaults below).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from outcomes.frameworks.base import CriteriaParameters
from outcomes.frameworks.dates import long_date
from outcomes.frameworks.measures import (
    Measure,
    Outcome,
    employment_after_benefit,
    measure_evaluate,
)
from outcomes.frameworks.measures import lookback_start as measures_lookback_start
from outcomes.frameworks.results import (
    Entry,
    Programme,
    ResultCheck,
    Results,
)
from outcomes.frameworks.types import Household, ParameterError

CODE = "tf1"
WORK_PROGRAMMES = {"work_programme": "the Work Programme", "esf": "ESF provision"}
LABELS = {
    "R1": "Crime, anti-social behaviour and education (R1)",
    "R2": "Progress to work (R2)",
    "R3": "Continuous employment (R3)",
}


@dataclass(frozen=True)
class ResultParameters:
    education: Measure
    offending: Measure
    asb: Measure
    # The new-problem checks of the crime parts, over the same months.
    new_offending: Measure
    new_asb: Measure
    work_programmes: tuple[str, ...]
    employment: Measure

    def to_json(self) -> dict[str, Any]:
        return {
            "r1": {
                "education": self.education.to_json(),
                "offending": self.offending.to_json(),
                "asb": self.asb.to_json(),
            },
            "r2": {"programmes": list(self.work_programmes)},
            "r3": self.employment.to_json(),
        }


def default_parameters() -> dict[str, Any]:
    """DOMAIN.md 4.1: fewer than 3 fixed-term exclusions and under 15% unauthorised
    absence over the last 3 complete terms; offending by under-18s down 33% and ASB down
    60% over 6 months; 13 weeks' employment, 26 after JSA."""
    return {
        "r1": {
            "education": {
                "kind": "school_attendance",
                "percent": 15,
                "count": 3,
                "terms": 3,
                # R1 asks about fixed-term exclusions and absence, not permanent ones.
                "codes": [],
            },
            "offending": {"kind": "offending_reduction", "months": 6, "percent": 33},
            "asb": {"kind": "asb_reduction", "months": 6, "percent": 60},
        },
        "r2": {"programmes": list(WORK_PROGRAMMES)},
        "r3": {"kind": "continuous_employment", "weeks": 13, "weeks_after_jsa": 26},
    }


def _measure(data: Mapping[str, Any], name: str, where: str, kind: str) -> Measure:
    measure = Measure.from_json(data.get(name), f"{where}.{name}")
    if measure.kind != kind:
        raise ParameterError(f"{where}.{name} must be a {kind} measure")
    return measure


def parse_parameters(data: Any) -> ResultParameters:
    """The version's ``results`` object (None: the defaults), checked."""
    if data is None:
        data = default_parameters()
    if not isinstance(data, Mapping):
        raise ParameterError("results must be an object")
    defaults = default_parameters()
    r1 = data.get("r1", defaults["r1"])
    r2 = data.get("r2", defaults["r2"])
    if not isinstance(r1, Mapping) or not isinstance(r2, Mapping):
        raise ParameterError("results.r1 and results.r2 must be objects")
    education = _measure(r1, "education", "results.r1", "school_attendance")
    offending = _measure(r1, "offending", "results.r1", "offending_reduction")
    asb = _measure(r1, "asb", "results.r1", "asb_reduction")
    programmes = r2.get("programmes", [])
    if not isinstance(programmes, list) or not set(programmes) <= set(WORK_PROGRAMMES):
        raise ParameterError(
            "results.r2.programmes must list programmes from: " + ", ".join(WORK_PROGRAMMES)
        )
    employment = _measure(data, "r3", "results", "continuous_employment")
    return ResultParameters(
        education=education,
        offending=offending,
        asb=asb,
        new_offending=Measure(
            "no_offending",
            months=offending.months,
            min_age=offending.min_age,
            max_age=offending.max_age,
        ),
        new_asb=Measure("no_asb", months=asb.months),
        work_programmes=tuple(programmes),
        employment=employment,
    )


def lookback_start(params: ResultParameters, as_of: date) -> date:
    """The earliest day R1's windows reach back to from ``as_of`` (the last N months, the
    last N complete terms: a council may set them longer than identification's); the
    service adds the months before attachment."""
    return measures_lookback_start(as_of, (params.education, params.offending, params.asb))


def _part(name: str, outcome: Outcome) -> str:
    return f"{name}: " + "; ".join(outcome.reasons) if outcome.reasons else name


def _r1(
    household: Household,
    params: CriteriaParameters,
    rp: ResultParameters,
    entry: Entry,
    attached_on: date,
    as_of: date,
) -> tuple[ResultCheck, list[str]]:
    rules = params.household
    relevant_education = entry.met("education")
    relevant_crime = entry.met("crime_asb")
    if not relevant_education and not relevant_crime:
        return (
            ResultCheck(
                "R1",
                LABELS["R1"],
                met=False,
                reasons=("Not relevant: neither crime/ASB nor education was met at entry",),
                relevant=False,
            ),
            [],
        )

    def judge(measure: Measure, people: tuple[int, ...] | None = None) -> Outcome:
        return measure_evaluate(
            measure, household, rules, attached_on=attached_on, as_of=as_of, people=people
        )

    reasons: list[str] = []
    evidence: set[int] = set()
    failed = False
    voided: list[str] = []
    parts: list[tuple[str, Measure]] = []
    if relevant_education:
        parts.append(("Education", rp.education))
    if relevant_crime:
        parts += [("Youth offending", rp.offending), ("Anti-social behaviour", rp.asb)]
    for name, measure in parts:
        outcome = judge(measure)
        evidence.update(outcome.evidence)
        if outcome.met is None:
            reasons.append(f"{_part(name, outcome)} (not applicable)")
        elif outcome.met:
            reasons.append(_part(name, outcome))
        else:
            failed = True
            reasons.append(f"{_part(name, outcome)} (not met)")
    if relevant_crime:
        # A new problem of the same kind in someone who was not part of it at entry.
        at_entry = set(entry.people.get("crime_asb", ()))
        others = tuple(
            m.person_id
            for m in household.members
            if m.person_id not in at_entry and m.in_household_on(as_of)
        )
        if others:
            for measure in (rp.new_offending, rp.new_asb):
                outcome = judge(measure, people=others)
                if outcome.met is False:
                    evidence.update(outcome.evidence)
                    voided += [f"New problem: {reason}" for reason in outcome.reasons]
    if voided:
        reasons += voided
        failed = True
    return (
        ResultCheck(
            "R1",
            LABELS["R1"],
            met=not failed,
            reasons=tuple(reasons),
            evidence=tuple(sorted(evidence)),
            met_on=None if failed else as_of,
        ),
        voided,
    )


def _r2(household: Household, rp: ResultParameters, attached_on: date, as_of: date) -> ResultCheck:
    members = {m.person_id: m for m in household.members}
    events = sorted(
        (
            f
            for f in household.facts
            if f.kind == "work_progress"
            and f.person_id in members
            and f.data.get("programme") in rp.work_programmes
            and attached_on <= f.date <= as_of
        ),
        key=lambda f: (f.date, f.id),
    )
    if not events:
        return ResultCheck(
            "R2",
            LABELS["R2"],
            met=False,
            reasons=(
                f"No one joined {' or '.join(WORK_PROGRAMMES[p] for p in rp.work_programmes)} "
                f"on or after attachment ({long_date(attached_on)})",
            ),
        )
    first = events[0]
    return ResultCheck(
        "R2",
        LABELS["R2"],
        met=True,
        reasons=tuple(
            f"{members[f.person_id].given_name} joined "
            f"{WORK_PROGRAMMES.get(str(f.data.get('programme')), 'a work programme')} on "
            f"{long_date(f.date)}"
            for f in events
        ),
        evidence=tuple(f.id for f in events),
        met_on=first.date,
    )


def _r3(
    household: Household,
    params: CriteriaParameters,
    rp: ResultParameters,
    attached_on: date,
    as_of: date,
) -> tuple[ResultCheck, list[str]]:
    return employment_after_benefit(
        rp.employment,
        household,
        params.household,
        code="R3",
        label=LABELS["R3"],
        attached_on=attached_on,
        as_of=as_of,
    )


def results(
    household: Household,
    params: CriteriaParameters,
    result_params: ResultParameters,
    *,
    entry: Entry,
    programme: Programme,
    attached_on: date,
    as_of: date,
) -> Results:
    r1, voided = _r1(household, params, result_params, entry, attached_on, as_of)
    r2 = _r2(household, result_params, attached_on, as_of)
    r3, working = _r3(household, params, result_params, attached_on, as_of)
    route: str | None = None
    achieved_on: date | None = None
    if r3.met:
        route, achieved_on = "R3", r3.met_on
    elif r1.met and r2.met:
        route, achieved_on = "R1+R2", as_of
    elif r1.met:
        route, achieved_on = "R1", as_of
    pending = [*voided, *working] if route is None else []
    return Results(
        framework=CODE,
        attached_on=attached_on,
        as_of=as_of,
        eligible_at_entry=entry.eligible,
        checks=(r1, r2, r3),
        route=route,
        achieved_on=achieved_on,
        pending=tuple(pending),
    )
