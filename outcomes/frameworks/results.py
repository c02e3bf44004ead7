"""What every framework's result rules take in and give back, and the rules they share
(DOMAIN.md 4.0-4.3). Plain data and pure functions: no ORM, no clock.

A family's results are judged under the framework version in force on its attachment
date, against its **entry assessment** (eligibility on the attachment date, frozen): only
criteria met at entry are relevant. Each framework module (``tf1_results``,
``tf2_results``, ``sf2022_results``) has a ``results(...)`` function with the same
arguments, returning ``Results``; ``outcomes.frameworks.rules`` finds it by code.

Shared here, so that there is one rule each:

- ``continuous_employment``: DOMAIN.md 4.0 "continuous employment for N weeks" (tf1's R3,
  tf2's employment result, sf2022's financial stability);
- ``benefit_on_attachment``: which out-of-work benefit an adult came off;
- ``reduced_by``: "at least P% fewer than in the months before attachment".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from outcomes.frameworks.checks import out_of_work_benefit
from outcomes.frameworks.dates import long_date
from outcomes.frameworks.types import Fact, Household, ParameterError

# The national out-of-work benefits (DOMAIN.md 4.1), as the feeds code them.
OUT_OF_WORK_BENEFITS = ("JSA", "ESA", "IB", "IS", "CA", "SDA", "UC")


@dataclass(frozen=True)
class Entry:
    """The entry assessment: was the family eligible on its attachment date, and which
    criteria it met then, each with the people it was about (a new problem of the same
    kind in someone else is told apart by them)."""

    eligible: bool
    people: Mapping[str, tuple[int, ...]] = field(default_factory=lambda: MappingProxyType({}))

    def met(self, code: str) -> bool:
        return code in self.people

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(self.people)

    def to_json(self) -> dict[str, Any]:
        return {"eligible": self.eligible, "met": {c: list(p) for c, p in self.people.items()}}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Entry:
        met = data.get("met", {})
        return cls(
            eligible=bool(data.get("eligible")),
            people=MappingProxyType({str(c): tuple(int(p) for p in ids) for c, ids in met.items()}),
        )

    @classmethod
    def from_criteria(cls, eligible: bool, criteria: Mapping[str, Mapping[str, Any]]) -> Entry:
        """From an assessment's stored criteria (``Assessment.criteria``)."""
        return cls(
            eligible=eligible,
            people=MappingProxyType(
                {
                    code: tuple(int(p) for p in c.get("people", []))
                    for code, c in criteria.items()
                    if c.get("met")
                }
            ),
        )


@dataclass(frozen=True)
class RecordedOutcome:
    """An outcome the lead practitioner recorded on the plan for one need, with a reason,
    where no feed carries its measure (sf2022). Such outcomes are always audited."""

    code: str
    positive: bool
    recorded_on: date
    reason: str


@dataclass(frozen=True)
class Programme:
    """What the programme itself knows about the work with the family, besides the
    agencies' evidence: the conditions a claim needs (DOMAIN.md 4.2, 4.3)."""

    # A whole-family assessment has been recorded.
    whole_family_assessment: bool = False
    # The agreed family plan covers every member of the household (tf2).
    plan_covers_all_members: bool = False
    # The agreed family plan covers every need (sf2022).
    plan_covers_all_needs: bool = False
    # A named key worker / lead practitioner.
    key_worker: bool = False
    # When the case was closed (stepped down), for sf2022's sustainment; None while open.
    closed_on: date | None = None
    # Problems (tf2) or needs (sf2022) found during the work, beyond those at entry.
    added: tuple[str, ...] = ()
    # Outcomes recorded by the lead practitioner, by need code (sf2022).
    recorded: Mapping[str, RecordedOutcome] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class ResultCheck:
    """One result rule's answer for the family, in words, with the evidence behind it.

    ``code``: tf1 "R1", "R2", "R3"; tf2 a problem code or "employment"; sf2022 a need
    code or "sustained". ``met_on``: the first date it holds, where the rule knows it
    (the day continuous employment reaches its weeks; closure plus six months).
    ``relevant``: False for a rule that does not apply to this family (it neither
    counts for nor against). ``recorded``: it rests on an outcome a practitioner
    recorded rather than on agency data."""

    code: str
    label: str
    met: bool
    reasons: tuple[str, ...]
    evidence: tuple[int, ...] = ()
    met_on: date | None = None
    relevant: bool = True
    recorded: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"met": self.met, "reasons": list(self.reasons)}


@dataclass(frozen=True)
class Results:
    """A family's results on one date.

    ``route``: tf1 "R3", "R1+R2", "R1" or None; tf2 "progress", "employment" or None;
    sf2022 "outcomes" or None. ``achieved_on``: from when the route holds (the claim
    date), when known. ``pending``: what is met but not yet sustained or complete, in
    words (readiness "at risk" when a route was expected). ``missing``: programme
    conditions a claim needs that are not there (readiness "blocked")."""

    framework: str
    attached_on: date
    as_of: date
    eligible_at_entry: bool
    checks: tuple[ResultCheck, ...]
    route: str | None
    achieved_on: date | None = None
    pending: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()

    def check(self, code: str) -> ResultCheck:
        for check in self.checks:
            if check.code == code:
                return check
        raise KeyError(code)

    def checks_json(self) -> dict[str, dict[str, Any]]:
        return {c.code: c.to_json() for c in self.checks}


# ---------------------------------------------------------------------------
# Rules the frameworks share
# ---------------------------------------------------------------------------


def benefit_on_attachment(
    household: Household, person_id: int, attached_on: date, codes: Iterable[str]
) -> Fact | None:
    """The out-of-work benefit the person was on on the attachment date (the one they
    "came off", DOMAIN.md 4.0), or None. With two open at once, the earliest claim."""
    codes = tuple(codes)
    for fact in sorted(household.facts, key=lambda f: (f.date, f.id)):
        if (
            fact.person_id == person_id
            and out_of_work_benefit(fact, codes)
            and fact.active_between(attached_on, attached_on)
        ):
            return fact
    return None


@dataclass(frozen=True)
class Employment:
    """Continuous employment found: the job, and the day it reached its weeks."""

    job: Fact
    weeks: int
    complete_on: date


def continuous_employment(
    household: Household,
    *,
    person_id: int,
    attached_on: date,
    as_of: date,
    weeks: int,
    codes: Iterable[str] = OUT_OF_WORK_BENEFITS,
) -> Employment | None:
    """DOMAIN.md 4.0: one employment of the person that started on or after attachment,
    at least ``weeks`` x 7 days before ``as_of`` (start + 7N days <= as_of), not ended
    before start + 7N days, with no out-of-work benefit claim of ``codes`` overlapping
    that period (from its start to the day before start + 7N days). The earliest such
    job, or None."""
    if weeks <= 0:
        raise ParameterError("weeks must be 1 or more")
    codes = tuple(codes)
    length = timedelta(days=7 * weeks)
    benefits = [
        f for f in household.facts if f.person_id == person_id and out_of_work_benefit(f, codes)
    ]
    jobs = sorted(
        (
            f
            for f in household.facts
            if f.person_id == person_id and f.kind == "employment" and f.date >= attached_on
        ),
        key=lambda f: (f.date, f.id),
    )
    for job in jobs:
        complete_on = job.date + length
        if complete_on > as_of:
            continue
        if job.end_date is not None and job.end_date < complete_on:
            continue
        last_day = complete_on - timedelta(days=1)
        if any(b.active_between(job.date, last_day) for b in benefits):
            continue
        return Employment(job, weeks, complete_on)
    return None


def reduced_by(before: int, after: int, percent: Decimal | int) -> bool | None:
    """Is ``after`` at least ``percent``% fewer than ``before``? Exact arithmetic (a
    third of 3 is 33.3%, which meets "at least 33%"). None when ``before`` is zero: a
    zero baseline makes the reduction test not applicable (DOMAIN.md 4.1)."""
    if before <= 0:
        return None
    return Decimal(before - after) * 100 >= Decimal(percent) * before


def percent_fewer(before: int, after: int) -> str:
    """ "50% fewer" / "none fewer" / "2 more", for reasons (rounded down: never overstated)."""
    if before <= 0:
        return "no baseline"
    if after > before:
        return f"{after - before} more"
    return f"{(before - after) * 100 // before}% fewer"


# ---------------------------------------------------------------------------
# Claim readiness
# ---------------------------------------------------------------------------

CLAIMABLE = "claimable"
AT_RISK = "at_risk"
BLOCKED = "blocked"
NOT_YET = "not_yet"


@dataclass(frozen=True)
class Readiness:
    """Can the family be claimed for (DOMAIN.md 5)? ``status``: claimable, at_risk,
    blocked or not_yet; ``reasons`` in plain English, saying what would unblock a
    blocked family; ``route`` and ``claimable_from`` for a claimable one."""

    status: str
    reasons: tuple[str, ...]
    route: str | None = None
    claimable_from: date | None = None

    def to_json(self) -> dict[str, Any]:
        return {"status": self.status, "reasons": list(self.reasons)}


def readiness(results: Results) -> Readiness:
    """The one rule for claim readiness, from a family's results (every page, API,
    export and job asks this function):

    - not eligible at entry: **blocked** for good (the family may be worked with but
      cannot be claimed for);
    - a route met and every programme condition there: **claimable**, from the date
      the route was achieved;
    - a route met but a condition missing: **blocked**, naming what would unblock it;
    - no route, but something met and not yet sustained or complete, or a new problem
      that voids a result: **at risk**;
    - otherwise **not yet**.
    """
    if not results.eligible_at_entry:
        return Readiness(
            BLOCKED,
            (
                "The family was not eligible when it was attached, so it cannot be claimed "
                "for (it can still be worked with)",
            ),
        )
    if results.route is not None:
        if results.missing:
            return Readiness(
                BLOCKED,
                tuple(f"Missing: {what}" for what in results.missing),
                route=results.route,
            )
        since = results.achieved_on or results.as_of
        return Readiness(
            CLAIMABLE,
            (f"Route {results.route} met from {long_date(since)}",),
            route=results.route,
            claimable_from=since,
        )
    if results.pending:
        return Readiness(AT_RISK, results.pending)
    unmet = [c.label for c in results.checks if c.relevant and not c.met]
    return Readiness(
        NOT_YET,
        (f"Not met yet: {', '.join(unmet)}",) if unmet else ("No result met yet",),
    )
