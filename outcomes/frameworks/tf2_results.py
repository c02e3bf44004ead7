"""Troubled Families phase 2 results, with the council's Outcome Plan (DOMAIN.md 4.2).

One claim per family, whichever result is met first:

- **Progress**: significant and sustained progress against every problem the family was
  identified with at entry and every problem found during the work
  (``Programme.added``). The Outcome Plan holds, for each of the six problems, the
  outcome measures that count (parameters ``outcomes``: problem code -> measures from
  the menu in ``measures``). DOMAIN.md lists several outcomes per problem; the Plan
  lists the ones the council chose, so **every** listed measure must hold. A measure
  that is not applicable (a zero baseline; no school-age child; no episode to step
  down) is neutral: it counts neither for nor against, and a problem with nothing
  applicable has nothing standing against it. Measures are judged for the whole
  household, so a sibling's new offences count in the reduction and a sibling who
  starts truanting fails education. A claim on progress also needs a whole-family
  assessment, a plan covering every member and a named key worker; the missing ones
  go into ``Results.missing`` (blocked), in words that say what to do.
- **Employment**: continuous employment (as tf1's R3: 13 weeks, 26 if the adult came off
  JSA; configurable) of an adult who was on an out-of-work benefit on the attachment
  date. Not relevant when no adult was.

**Route**: the result met first. Employment is met on the day it completes; progress on
the latest day its problems' measures were met where every one of them knows that day
(rent arrears cleared, continuous employment), otherwise on the assessment date. On the
same day, progress. Progress without its programme conditions is a route (blocked) only
when employment is not met: employment needs none of them, so it is claimable instead.

"Equivalent progress" is not a rule: it is a senior officer's approval at claim time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from outcomes.frameworks.base import CriteriaParameters
from outcomes.frameworks.measures import (
    Measure,
    Outcome,
    employment_after_benefit,
    measure_evaluate,
    measures_from_json,
)
from outcomes.frameworks.measures import (
    lookback_start as measures_lookback_start,
)
from outcomes.frameworks.registry import CRITERIA, criterion_label
from outcomes.frameworks.results import (
    Entry,
    Programme,
    ResultCheck,
    Results,
)
from outcomes.frameworks.types import Household, ParameterError

CODE = "tf2"
PROBLEMS: tuple[str, ...] = tuple(code for code, _ in CRITERIA[CODE])
EMPLOYMENT = "employment"
EMPLOYMENT_LABEL = "Continuous employment"
PROGRESS = "progress"


@dataclass(frozen=True)
class ResultParameters:
    # The Outcome Plan: each problem's measures, in the order of ``PROBLEMS`` (pairs, not
    # a dict, so the parameters stay hashable like every other frozen rule input).
    outcomes: tuple[tuple[str, tuple[Measure, ...]], ...]
    employment: Measure

    def measures(self, problem: str) -> tuple[Measure, ...]:
        for code, measures in self.outcomes:
            if code == problem:
                return measures
        return ()

    def to_json(self) -> dict[str, Any]:
        return {
            "outcomes": {code: [m.to_json() for m in ms] for code, ms in self.outcomes},
            "employment": self.employment.to_json(),
        }


def default_parameters() -> dict[str, Any]:
    """A starting Outcome Plan from DOMAIN.md 4.2's examples, as the programme manager
    edits it: offending by under-18s down 33% and ASB down 60% over 6 months; under 10%
    unauthorised absence, fewer than 3 fixed-term and no permanent exclusions over 3
    terms; children's social care (early help to section 47, as identification counts
    it) stepped down and not re-opened within 6 months; continuous employment (13 weeks,
    26 after JSA) or arrears cleared; no domestic abuse incident for 6 months; every
    health need identification counts ended or engaged with treatment. Employment on its
    own: 13 weeks, 26 after JSA."""
    return {
        "outcomes": {
            "crime": [
                {
                    "kind": "offending_reduction",
                    "months": 6,
                    "percent": 33,
                    "min_age": None,
                    "max_age": 17,
                },
                {"kind": "asb_reduction", "months": 6, "percent": 60, "codes": []},
            ],
            "education": [
                {
                    "kind": "school_attendance",
                    "percent": 10,
                    "count": 3,
                    "terms": 3,
                    "codes": ["no_permanent"],
                },
            ],
            "children_in_need": [
                {
                    "kind": "social_care_ended",
                    "months": 6,
                    "codes": ["early_help", "child_in_need", "child_protection", "section_47"],
                },
            ],
            "worklessness": [
                {"kind": "employment_or_arrears_cleared", "weeks": 13, "weeks_after_jsa": 26},
            ],
            "domestic_abuse": [{"kind": "no_domestic_abuse", "months": 6, "codes": []}],
            "health": [
                {
                    "kind": "health_improved",
                    "codes": ["mental_health", "substance_misuse", "perinatal"],
                },
            ],
        },
        "employment": {"kind": "continuous_employment", "weeks": 13, "weeks_after_jsa": 26},
    }


def parse_parameters(data: Any) -> ResultParameters:
    """The version's ``results`` object (None: the defaults), checked: every problem has
    at least one outcome measure, and employment is a continuous employment measure."""
    if data is None:
        data = default_parameters()
    if not isinstance(data, Mapping):
        raise ParameterError("results must be an object")
    defaults = default_parameters()
    plan = data.get("outcomes", defaults["outcomes"])
    if not isinstance(plan, Mapping):
        raise ParameterError("results.outcomes must be an object with the measures of each problem")
    unknown = [code for code in plan if code not in PROBLEMS]
    if unknown:
        raise ParameterError(
            f"results.outcomes has no problem {unknown[0]!r} (problems: {', '.join(PROBLEMS)})"
        )
    outcomes: list[tuple[str, tuple[Measure, ...]]] = []
    for code in PROBLEMS:
        where = f"results.outcomes.{code}"
        if code not in plan:
            raise ParameterError(f"{where} is missing: list at least one outcome measure")
        measures = measures_from_json(plan[code], where)
        if not measures:
            raise ParameterError(f"{where} must list at least one outcome measure")
        for n, measure in enumerate(measures):
            # It never answers on its own (always "not applicable"), so it would let the
            # problem pass unmeasured; tf2 has no practitioner-recorded outcomes.
            if measure.kind == "recorded":
                raise ParameterError(
                    f"{where}[{n}]: the Outcome Plan needs a measure the evidence can show, "
                    "not a recorded outcome"
                )
        outcomes.append((code, measures))
    employment = Measure.from_json(
        data.get("employment", defaults["employment"]), "results.employment"
    )
    if employment.kind != "continuous_employment":
        raise ParameterError("results.employment must be a continuous_employment measure")
    return ResultParameters(outcomes=tuple(outcomes), employment=employment)


def lookback_start(params: ResultParameters, as_of: date) -> date:
    """The earliest day the measures' windows reach back to from ``as_of`` (the last N
    months, the last N complete terms); the service adds the months before attachment."""
    return measures_lookback_start(
        as_of, [*(m for _, ms in params.outcomes for m in ms), params.employment]
    )


def _problems(entry: Entry, programme: Programme) -> list[tuple[str, bool]]:
    """The problems to show progress against, each with whether it was found during the
    work: entry's and the added ones, in the Outcome Plan's order, then any code the
    Plan does not know (kept, so it is not silently dropped from the claim)."""
    added = [code for code in programme.added if not entry.met(code)]
    wanted = [*entry.codes, *added]
    known = [code for code in PROBLEMS if code in wanted]
    others = list(dict.fromkeys(code for code in wanted if code not in PROBLEMS))
    return [(code, code in added) for code in [*known, *others]]


def _reason(measure: Measure, outcome: Outcome) -> str:
    text = f"{measure.description}: " + "; ".join(outcome.reasons)
    if outcome.met is None:
        return f"{text} (not applicable)"
    return text if outcome.met else f"{text} (not met)"


def _problem(
    household: Household,
    params: CriteriaParameters,
    rp: ResultParameters,
    code: str,
    added: bool,
    attached_on: date,
    as_of: date,
) -> ResultCheck:
    label = criterion_label(CODE, code)
    measures = rp.measures(code)
    if not measures:
        return ResultCheck(
            code,
            label,
            met=False,
            reasons=(f"The Outcome Plan has no outcome measure for {code!r}",),
        )
    judged = [
        (
            measure,
            measure_evaluate(
                measure, household, params.household, attached_on=attached_on, as_of=as_of
            ),
        )
        for measure in measures
    ]
    reasons = ["Found during the work, not at entry"] if added else []
    reasons += [_reason(measure, outcome) for measure, outcome in judged]
    applicable = [outcome for _, outcome in judged if outcome.met is not None]
    met = all(outcome.met for outcome in applicable)
    if not applicable:
        reasons.append("No measure applies to the family now, so nothing stands against it")
    met_on: date | None = None
    if met:
        known = [o.met_on for o in applicable if o.met_on is not None]
        # Only when every applicable measure knows its day; a window only says "on as_of".
        met_on = max(known) if applicable and len(known) == len(applicable) else as_of
    return ResultCheck(
        code,
        label,
        met=met,
        reasons=tuple(reasons),
        evidence=tuple(sorted({e for _, o in judged for e in o.evidence})),
        met_on=met_on,
    )


def _employment(
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
        code=EMPLOYMENT,
        label=EMPLOYMENT_LABEL,
        attached_on=attached_on,
        as_of=as_of,
    )


def _missing(programme: Programme) -> list[str]:
    """The programme conditions of a claim on progress (DOMAIN.md 4.2), in words."""
    missing = []
    if not programme.whole_family_assessment:
        missing.append("a whole-family assessment (record one for the family)")
    if not programme.plan_covers_all_members:
        missing.append(
            "a family plan covering every member of the household "
            "(add everyone in the household to the plan)"
        )
    if not programme.key_worker:
        missing.append("a named key worker (name the family's key worker)")
    return missing


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
    problems = [
        _problem(household, params, result_params, code, added, attached_on, as_of)
        for code, added in _problems(entry, programme)
    ]
    employment, working = _employment(household, params, result_params, attached_on, as_of)
    missing = _missing(programme)

    progress_met = bool(problems) and all(c.met for c in problems)
    progress_on = max((c.met_on or as_of for c in problems), default=as_of)
    # Whichever is met first; progress counts only with its conditions while employment,
    # which needs none, is there to claim instead. On the same day, progress.
    candidates: list[tuple[date, int, str]] = []
    if progress_met and not missing:
        candidates.append((progress_on, 0, PROGRESS))
    if employment.met:
        candidates.append((employment.met_on or as_of, 1, EMPLOYMENT))
    route: str | None = None
    achieved_on: date | None = None
    if candidates:
        achieved_on, _, route = min(candidates)
    elif progress_met:
        route, achieved_on = PROGRESS, progress_on

    pending: list[str] = []
    if route is None:
        at_entry = [c for c in problems if entry.met(c.code)]
        if at_entry and all(c.met for c in at_entry):
            pending += [
                f"{c.label}: found during the work and not improved yet, though every "
                "problem at entry has"
                for c in problems
                if not c.met and not entry.met(c.code)
            ]
        pending += working
    return Results(
        framework=CODE,
        attached_on=attached_on,
        as_of=as_of,
        eligible_at_entry=entry.eligible,
        checks=(*problems, employment),
        route=route,
        achieved_on=achieved_on,
        pending=tuple(pending),
        missing=() if route == EMPLOYMENT else tuple(missing),
    )
