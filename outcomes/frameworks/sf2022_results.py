"""Supporting Families (2022) results: a positive outcome on every need, sustained for 6
months after case closure (DOMAIN.md 4.3).

- **Needs**: the headlines met at entry, plus any found during the work
  (``Programme.added``). One result check each, keyed by the need's code.
- **Positive outcome** per need: every outcome measure the version lists for it holds on
  the assessment date (measures from ``outcomes.frameworks.measures``; "all", never "any":
  a need with two measures, like crime's no offending and no ASB, needs both). A measure
  that does not apply (no school-age child, no health need since attachment) counts
  neither way, but at least one must show a positive outcome: with none, the lead
  practitioner records it. A need measured by ``recorded`` (early years, family
  relationships) waits for the lead practitioner. An outcome the lead practitioner
  recorded for a need decides it, with or without a feed, from the day it was recorded;
  it is marked ``recorded`` so that internal audit always samples it.
- **Sustained**: every need's outcome positive at case closure and again ``sustain_months``
  (6) months after it, with no adverse event of the need's kind in between; the claim
  date is closure + 6 months, and a sustainment ending on the assessment date counts.
  "In between" is guaranteed by the measures' own windows: each measure with a window of
  N months is judged again every N months after closure (a 6-month window judged at
  closure + 6 months covers exactly the days after closure), and each measure over terms
  again at the end of every term that ends in between; none of those may fail. Two
  needs' outcomes can stay positive through an adverse event of their kind, so after
  closure they are also judged for the event itself (``AFTER_CLOSURE``): secure housing
  (arrears once cleared outweigh an eviction) for no housing event, and financial
  stability (employment once continuous stays achieved) for no out-of-work benefit; each
  over the days from closure to the assessment date (or the end), so an eviction or a
  return to benefit after closure breaks sustainment.
- **Route** "outcomes" when every need's outcome is positive and sustained. The claim also
  needs a lead practitioner, a whole-family assessment and a family plan covering every
  need (``Results.missing`` when absent); dependent children or an expectant parent and
  the 3 needs are the entry assessment's eligibility.

The measures and the months are the version's ``results`` parameters (defaults below).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from types import MappingProxyType
from typing import Any

from outcomes.frameworks.base import CriteriaParameters
from outcomes.frameworks.dates import long_date, months_before, term_containing
from outcomes.frameworks.measures import (
    MEASURE_KINDS,
    Measure,
    Outcome,
    measure_evaluate,
    measures_from_json,
)
from outcomes.frameworks.measures import (
    lookback_start as measures_lookback_start,
)
from outcomes.frameworks.registry import CRITERIA, criterion_label
from outcomes.frameworks.results import Entry, Programme, RecordedOutcome, ResultCheck, Results
from outcomes.frameworks.types import Household, HouseholdRules, ParameterError

CODE = "sf2022"
SUSTAINED = "sustained"
NEEDS: tuple[str, ...] = tuple(code for code, _ in CRITERIA[CODE])
SUSTAIN_MONTHS_MAX = 24

# What a claim needs besides the outcomes (DOMAIN.md 4.3), worded as what to do.
CONDITIONS = (
    ("key_worker", "a lead practitioner named for the family"),
    ("whole_family_assessment", "a whole-family assessment recorded"),
    ("plan_covers_all_needs", "a family plan covering every need, agreed with the family"),
)
# Needs whose positive outcome can hide an adverse event of their kind, with the measure
# of that event judged after closure (module docstring, "Sustained").
AFTER_CLOSURE = {"housing": "no_housing_event", "financial_stability": "no_out_of_work_benefit"}
WAITING = "Waiting for the lead practitioner to record the outcome"
NO_DATA = (
    "No agency data shows a positive outcome for this need yet: the lead practitioner can "
    "record the outcome on the plan, with a reason"
)


@dataclass(frozen=True)
class ResultParameters:
    # Each need's outcome measures, all of which must hold; every headline has some.
    outcomes: Mapping[str, tuple[Measure, ...]]
    sustain_months: int

    def to_json(self) -> dict[str, Any]:
        return {
            "outcomes": {
                code: [m.to_json() for m in self.outcomes[code]]
                for code in NEEDS
                if code in self.outcomes
            },
            "sustain_months": self.sustain_months,
        }


def default_parameters() -> dict[str, Any]:
    """DOMAIN.md 4.3's positive outcomes: under 10% unauthorised absence, no permanent
    and fewer than 3 fixed-term exclusions over the last 3 complete terms; no proven
    offence by anyone and no ASB, no domestic abuse incident, no adverse housing event
    (or arrears cleared), each over 6 months; children's social care stepped down and
    not re-opened; health needs (mental and physical; substance misuse for substance
    use, as identification reads them) ended or treatment engaged with; 13 weeks'
    continuous employment or arrears cleared; early years and family relationships
    recorded by the lead practitioner. Sustained for 6 months after closure."""
    return {
        "outcomes": {
            "education": [
                {
                    "kind": "school_attendance",
                    "percent": 10,
                    "count": 3,
                    "terms": 3,
                    "codes": ["no_permanent"],
                }
            ],
            "early_years": [{"kind": "recorded"}],
            "health": [{"kind": "health_improved", "codes": ["mental_health", "physical_health"]}],
            "substance_use": [{"kind": "health_improved", "codes": ["substance_misuse"]}],
            "family_relationships": [{"kind": "recorded"}],
            "child_safety": [
                {
                    "kind": "social_care_ended",
                    "months": 6,
                    "codes": ["child_in_need", "child_protection", "section_47"],
                }
            ],
            "crime": [
                {"kind": "no_offending", "months": 6, "min_age": None, "max_age": None},
                {"kind": "no_asb", "months": 6, "codes": []},
            ],
            "domestic_abuse": [{"kind": "no_domestic_abuse", "months": 6, "codes": []}],
            "housing": [
                {
                    "kind": "housing_stable",
                    "months": 6,
                    "codes": [
                        "notice_seeking_possession",
                        "eviction",
                        "homeless",
                        "temporary_accommodation",
                    ],
                }
            ],
            "financial_stability": [
                {"kind": "employment_or_arrears_cleared", "weeks": 13, "weeks_after_jsa": 13}
            ],
        },
        "sustain_months": 6,
    }


def parse_parameters(data: Any) -> ResultParameters:
    """The version's ``results`` object (None: the defaults), checked. A need left out of
    ``outcomes`` keeps its default measures."""
    defaults = default_parameters()
    if data is None:
        data = defaults
    if not isinstance(data, Mapping):
        raise ParameterError("results must be an object")
    unknown = set(data) - {"outcomes", "sustain_months"}
    if unknown:
        raise ParameterError(f"results has no setting {sorted(unknown)[0]!r}")
    given = data.get("outcomes", {})
    if not isinstance(given, Mapping):
        raise ParameterError("results.outcomes must be an object")
    strange = [code for code in given if code not in NEEDS]
    if strange:
        raise ParameterError(
            f"results.outcomes: unknown need {strange[0]!r} (needs: {', '.join(NEEDS)})"
        )
    outcomes: dict[str, tuple[Measure, ...]] = {}
    for code in NEEDS:
        where = f"results.outcomes.{code}"
        measures = measures_from_json(given.get(code, defaults["outcomes"][code]), where)
        if not measures:
            raise ParameterError(f"{where} must list at least one measure")
        if len(measures) > 1 and any(m.kind == "recorded" for m in measures):
            # A recorded outcome decides the need: other measures beside it would be
            # ignored, so the version may not pretend to use them.
            raise ParameterError(
                f"{where}: a recorded outcome cannot be combined with other measures"
            )
        outcomes[code] = measures
    months = data.get("sustain_months", defaults["sustain_months"])
    if isinstance(months, bool) or not isinstance(months, int):
        raise ParameterError("results.sustain_months must be a whole number")
    if not 1 <= months <= SUSTAIN_MONTHS_MAX:
        raise ParameterError(f"results.sustain_months must be from 1 to {SUSTAIN_MONTHS_MAX}")
    return ResultParameters(outcomes=MappingProxyType(outcomes), sustain_months=months)


def months_after(day: date, months: int) -> date:
    """The same day ``months`` calendar months later, clamped to the month's end (31
    August + 6 months is 28 or 29 February): ``dates.months_before`` run forwards, so
    the two always agree."""
    return months_before(day, -months)


def lookback_start(params: ResultParameters, as_of: date) -> date:
    """The earliest evidence date the outcome measures look back to when judged on
    ``as_of``, or on a case closure up to ``sustain_months`` earlier (the sustainment
    being watched, or ending on ``as_of``). Judging a closure longer ago looks back from
    that closure: pass the closure date as ``as_of`` to find how far. The service adds
    the months before attachment (arrears and employment since attachment)."""
    # The after-closure measures (AFTER_CLOSURE) look back no further than the closure.
    day = months_before(as_of, params.sustain_months)
    return measures_lookback_start(day, [m for group in params.outcomes.values() for m in group])


# ---------------------------------------------------------------------------
# One need's outcome on one day
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Judged:
    met: bool
    reasons: tuple[str, ...]
    evidence: tuple[int, ...] = ()
    recorded: bool = False
    met_on: date | None = None


class _Judge:
    """Judges needs for one family: its evidence, attachment and recorded outcomes."""

    def __init__(
        self,
        household: Household,
        rules: HouseholdRules,
        rp: ResultParameters,
        programme: Programme,
        attached_on: date,
    ) -> None:
        self.household = household
        self.rules = rules
        self.rp = rp
        self.programme = programme
        self.attached_on = attached_on

    def measure(self, measure: Measure, day: date, since: date | None = None) -> Outcome:
        return measure_evaluate(
            measure,
            self.household,
            self.rules,
            attached_on=self.attached_on,
            as_of=day,
            since=since,
        )

    def record(self, code: str, known_by: date) -> RecordedOutcome | None:
        """The outcome recorded for the need, once recorded: a record made after
        ``known_by`` was not there to judge by (replays agree)."""
        record = self.programme.recorded.get(code)
        if record is None or record.recorded_on > known_by:
            return None
        return record

    def need(self, code: str, day: date, known_by: date | None = None) -> _Judged:
        """The need's outcome on ``day``: a recorded outcome known by ``known_by``
        (default ``day``) decides; otherwise every measure for it."""
        record = self.record(code, known_by or day)
        if record is not None:
            said = f"Recorded by the lead practitioner on {long_date(record.recorded_on)}"
            if not record.positive:
                said += " as not achieved"
            return _Judged(
                record.positive,
                (f"{said}: {record.reason}",),
                recorded=True,
                met_on=record.recorded_on if record.positive else None,
            )
        measures = self.rp.outcomes.get(code, ())
        if not measures:
            return _Judged(False, ("No outcome measure is set for this need",))
        if measures[0].kind == "recorded":
            return _Judged(False, (WAITING,))
        outcomes = [self.measure(measure, day) for measure in measures]
        failed = any(o.met is False for o in outcomes)
        shown = any(o.met is True for o in outcomes)
        reasons = [r for o in outcomes for r in o.reasons]
        if not failed and not shown:
            reasons.append(NO_DATA)
        met = shown and not failed
        met_dates = [o.met_on for o in outcomes if o.met]
        return _Judged(
            met,
            tuple(reasons),
            tuple(sorted({e for o in outcomes for e in o.evidence})),
            met_on=max(d for d in met_dates if d is not None)
            if met and met_dates and None not in met_dates
            else None,
        )


def _checkpoints(measure: Measure, closed_on: date, stop: date) -> list[date]:
    """The days after closure, before ``stop``, on which ``measure`` is judged again so
    that its windows together cover every day in between: every N months for a window
    of N months (each window starts on or before the day after the previous checkpoint,
    month-end clamping included), and the end of every term ending in between for a
    measure over terms (each such term is then the latest complete one)."""
    settings = MEASURE_KINDS[measure.kind].settings
    days: set[date] = set()
    if "months" in settings:
        step = 1
        while (day := months_after(closed_on, step * measure.months)) < stop:
            days.add(day)
            step += 1
    if "terms" in settings:
        term = term_containing(closed_on)
        while term.end < stop:
            if term.end > closed_on:
                days.add(term.end)
            term = term_containing(term.end + timedelta(days=1))
    return sorted(days)


def _after_closure(rp: ResultParameters, code: str) -> Measure | None:
    """The need's ``AFTER_CLOSURE`` measure, over the sustainment's months, counting the
    events the need's own measures count where one of them names them (a council's
    housing events), otherwise the kind's defaults; None for other needs."""
    kind = AFTER_CLOSURE.get(code)
    if kind is None:
        return None
    measure = replace(MEASURE_KINDS[kind].default, months=rp.sustain_months)
    # housing_stable counts the same housing events, with arrears cleared beside them.
    counting = {kind, "housing_stable"} if kind == "no_housing_event" else {kind}
    for own in rp.outcomes.get(code, ()):
        if own.kind in counting:
            return replace(measure, codes=own.codes)
    return measure


def _lapse(
    judge: _Judge, code: str, closed_on: date, stop: date, end: date
) -> tuple[date, tuple[str, ...], tuple[int, ...]] | None:
    """The first adverse event after closure, by measure: each measure judged on its
    checkpoints and, while the sustainment still runs, on the assessment date (``stop``
    before ``end``); then the need's ``AFTER_CLOSURE`` measure, once on ``stop`` over
    every day since closure (its window cut at closure: before it, the need's own
    outcome decided). A measure that does not apply (None) is no adverse event."""
    for measure in judge.rp.outcomes.get(code, ()):
        days = _checkpoints(measure, closed_on, stop)
        if stop < end:
            days.append(stop)
        for day in days:
            outcome = judge.measure(measure, day)
            if outcome.met is False:
                return day, outcome.reasons, outcome.evidence
    after = _after_closure(judge.rp, code)
    if after is not None and stop > closed_on:
        outcome = judge.measure(after, stop, since=closed_on + timedelta(days=1))
        if outcome.met is False:
            return stop, outcome.reasons, outcome.evidence
    return None


def _label(code: str) -> str:
    return criterion_label(CODE, code)


def _said(judged: _Judged) -> str:
    return "; ".join(judged.reasons)


def _sustained(judge: _Judge, needs: tuple[str, ...], as_of: date) -> tuple[ResultCheck, list[str]]:
    """The "sustained" check and, while the sustainment runs and holds, what is pending."""
    months = judge.rp.sustain_months
    label = f"Every outcome sustained for {months} months after the case closed"

    def check(met: bool, reasons: Iterable[str], **extra: Any) -> ResultCheck:
        return ResultCheck(SUSTAINED, label, met=met, reasons=tuple(reasons), **extra)

    if not needs:
        return check(False, ["No needs were met at entry or found during the work"]), []
    closed_on = judge.programme.closed_on
    if closed_on is None:
        return check(False, ["The case is still open"]), []
    if closed_on > as_of:
        return check(
            False,
            [
                f"The case was still open on {long_date(as_of)} (it closed on "
                f"{long_date(closed_on)})"
            ],
        ), []
    end = months_after(closed_on, months)
    # Everything is judged with what was known on the earlier of the assessment date and
    # the end of the sustainment (recorded outcomes included), so a claim replayed on
    # its date gives the same answer.
    stop = min(as_of, end)
    at_closure = {code: judge.need(code, closed_on, known_by=stop) for code in needs}
    not_positive = [code for code in needs if not at_closure[code].met]
    if not_positive:
        return check(
            False,
            [
                f"The case closed on {long_date(closed_on)}, but not every need's outcome "
                "was positive then",
                *(f"{_label(c)}: {_said(at_closure[c])}" for c in not_positive),
            ],
            evidence=tuple(sorted({e for c in not_positive for e in at_closure[c].evidence})),
        ), []

    broken: list[str] = []
    evidence: set[int] = set()
    at_end: dict[str, _Judged] = {}
    for code in needs:
        if at_closure[code].recorded:
            # The lead practitioner's recorded outcome decides the need throughout.
            at_end[code] = at_closure[code]
            continue
        lapse = _lapse(judge, code, closed_on, stop, end)
        if lapse is None and stop == end:
            at_end[code] = judge.need(code, end, known_by=end)
            if not at_end[code].met:
                lapse = (end, at_end[code].reasons, at_end[code].evidence)
        if lapse is not None:
            day, reasons, ids = lapse
            evidence.update(ids)
            broken.append(f"{_label(code)}, on {long_date(day)}: {'; '.join(reasons)}")
    recorded = any(j.recorded for j in at_closure.values())
    if broken:
        return check(
            False,
            [
                f"The case closed on {long_date(closed_on)} with every need's outcome "
                "positive, but it did not hold:",
                *broken,
            ],
            evidence=tuple(sorted(evidence)),
            recorded=recorded,
        ), []
    if as_of < end:
        waiting = (
            f"Every need's outcome was met at closure on {long_date(closed_on)}; sustained "
            f"on {long_date(end)} if it holds"
        )
        return check(False, [waiting], recorded=recorded), [waiting]
    return check(
        True,
        [
            f"Every need's outcome was positive at closure on {long_date(closed_on)} and "
            f"again on {long_date(end)}, {months} months later, with no adverse event in "
            "between",
        ],
        evidence=tuple(sorted({e for j in at_end.values() for e in j.evidence})),
        met_on=end,
        recorded=recorded,
    ), []


def _needs(entry: Entry, programme: Programme) -> tuple[str, ...]:
    """Needs met at entry and found during the work, in the order pages show them."""
    codes = {*entry.codes, *programme.added}
    known = [code for code in NEEDS if code in codes]
    return (*known, *sorted(codes - set(known)))


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
    judge = _Judge(household, params.household, result_params, programme, attached_on)
    needs = _needs(entry, programme)
    checks: list[ResultCheck] = []
    for code in needs:
        judged = judge.need(code, as_of)
        found = () if entry.met(code) else ("Need found during the work, after attachment",)
        checks.append(
            ResultCheck(
                code,
                _label(code),
                met=judged.met,
                reasons=(*found, *judged.reasons),
                evidence=judged.evidence,
                met_on=judged.met_on,
                recorded=judged.recorded,
            )
        )
    sustained, pending = _sustained(judge, needs, as_of)
    checks.append(sustained)
    positive = bool(needs) and all(c.met for c in checks if c.code != SUSTAINED)
    route: str | None = None
    achieved_on: date | None = None
    if positive and sustained.met:
        route, achieved_on = "outcomes", sustained.met_on
    elif sustained.met:
        # Sustained, but a need's outcome has lapsed since: a new problem.
        lapsed = ", ".join(c.label for c in checks if c.code != SUSTAINED and not c.met)
        pending = [
            f"Sustained on {long_date(sustained.met_on or as_of)}, but no longer positive on "
            f"{long_date(as_of)}: {lapsed}"
        ]
    missing = tuple(what for name, what in CONDITIONS if not getattr(programme, name))
    return Results(
        framework=CODE,
        attached_on=attached_on,
        as_of=as_of,
        eligible_at_entry=entry.eligible,
        checks=tuple(checks),
        route=route,
        achieved_on=achieved_on,
        pending=tuple(pending) if route is None else (),
        missing=missing,
    )
