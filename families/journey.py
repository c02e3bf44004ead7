"""What each status on a family's journey requires of the family's facts (DOMAIN.md 3, 4.4).

Pure: facts in, plain-English problems out; no ORM and no clock. ``families.states``
says which moves are allowed; this says what must be true of a family for it to be at
a status. The family's own facts (its lead agency, its lawful basis for sharing, the
statuses of its journey so far) are gathered in families; the plan facts (agreement,
overdue actions) belong to plans, which families may not import, so whoever has them
passes them in as data. A plan fact left as ``None`` is not known to the caller and is
not checked.

- allocated: the LCG names the track and the lead agency (a lead professional follows,
  usually at once);
- engaged: the family agreed to work with the programme, with a lawful basis for sharing;
- plan active: the family agreed the plan at least once;
- outcomes met and claimed: the plan stands as the family agreed it, and no open action
  is past its due date (the work behind the outcomes was done or is still to come);
- closed, declined, moved away, closed without outcome: the records of every step the
  family reached before it left (a lead agency once allocated, a lawful basis once
  engaged, an agreed plan once its plan was active), which a side exit does not undo.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from families.states import TERMINAL_STATES, FamilyStatus

S = FamilyStatus


class Requirement(StrEnum):
    LEAD_AGENCY = "lead_agency"
    TRACK = "track"
    LAWFUL_BASIS = "lawful_basis"
    LAWFUL_BASIS_RECORDED = "lawful_basis_recorded"
    PLAN_AGREED_ONCE = "plan_agreed_once"
    PLAN_AGREED_NOW = "plan_agreed_now"
    NO_OVERDUE_ACTIONS = "no_overdue_actions"


R = Requirement


@dataclass(frozen=True)
class JourneyFacts:
    """What is known of one family, as of one day (the caller's)."""

    has_lead_agency: bool = False
    # The LCG named the track (intensive or local). Families allocated before tracks were
    # recorded have none, so only the allocation itself asks for one, and a caller that
    # does not know (``None``) is not asked.
    has_track: bool | None = None
    # A lawful basis for sharing in force: consent not withdrawn, or a statutory gateway.
    has_lawful_basis: bool = False
    # One was recorded at some time, in force or withdrawn since.
    had_lawful_basis: bool = False
    # The family signed or otherwise agreed a version of its plan at least once.
    plan_agreed_once: bool | None = None
    # The plan stands as the family last agreed it (nothing they agreed to changed since).
    plan_agreed_now: bool | None = None
    # Open actions (not started, in progress) due before the day the facts are as of.
    open_actions_overdue: int | None = None
    # The statuses this journey passed through, since the family was last identified
    # (a re-opening starts a new journey); used for the records a side exit keeps.
    reached: frozenset[FamilyStatus] = frozenset()


# What a family at each open status needs, in the order the journey brings them.
REQUIREMENTS: Final[dict[FamilyStatus, tuple[Requirement, ...]]] = {
    S.IDENTIFIED: (),
    S.SCREENED: (),
    S.ALLOCATED: (R.LEAD_AGENCY, R.TRACK),
    S.ENGAGED: (R.LEAD_AGENCY, R.LAWFUL_BASIS),
    S.PLAN_ACTIVE: (R.LEAD_AGENCY, R.LAWFUL_BASIS, R.PLAN_AGREED_ONCE),
    S.OUTCOMES_MET: (R.LEAD_AGENCY, R.LAWFUL_BASIS, R.PLAN_AGREED_NOW, R.NO_OVERDUE_ACTIONS),
    S.CLAIMED: (R.LEAD_AGENCY, R.LAWFUL_BASIS, R.PLAN_AGREED_NOW, R.NO_OVERDUE_ACTIONS),
}
# The records each step leaves, which a family that has left the journey still has.
# Consent can be withdrawn on the way out, so only that one was recorded is asked for.
# The track is not: families allocated before tracks were recorded left without one.
RECORDS_LEFT: Final[dict[FamilyStatus, tuple[Requirement, ...]]] = {
    S.ALLOCATED: (R.LEAD_AGENCY,),
    S.ENGAGED: (R.LAWFUL_BASIS_RECORDED,),
    S.PLAN_ACTIVE: (R.PLAN_AGREED_ONCE,),
}

_NEEDS: Final[dict[Requirement, str]] = {
    R.LEAD_AGENCY: "needs a lead agency",
    R.TRACK: "needs a track: intensive or local",
    R.LAWFUL_BASIS: "needs a lawful basis for sharing: consent or a statutory gateway",
    R.LAWFUL_BASIS_RECORDED: "needs a lawful basis for sharing on record",
    R.PLAN_AGREED_ONCE: "needs a plan the family has agreed",
    R.PLAN_AGREED_NOW: "needs its plan to stand as the family agreed it",
    R.NO_OVERDUE_ACTIONS: "cannot have open actions past their due date",
}
_FIRST: Final[dict[Requirement, str]] = {
    R.LEAD_AGENCY: "Set the family's lead agency first",
    R.TRACK: "Allocate the family to a track first",
    R.LAWFUL_BASIS: "Record the family's consent or a statutory gateway first",
    R.LAWFUL_BASIS_RECORDED: "Record the family's consent or a statutory gateway first",
    R.PLAN_AGREED_ONCE: "Record the family's agreement to the plan first",
    R.PLAN_AGREED_NOW: "Record the family's agreement to the plan as it stands first",
    R.NO_OVERDUE_ACTIONS: "Record what happened to the overdue actions first",
}


def journey_requirements(
    status: FamilyStatus | str, reached: frozenset[FamilyStatus] = frozenset()
) -> tuple[Requirement, ...]:
    """What a family at ``status`` needs; for a family that has left the journey, the
    records of the steps it ``reached`` before it left."""
    current = FamilyStatus(status)
    if current not in TERMINAL_STATES:
        return REQUIREMENTS[current]
    return tuple(
        requirement
        for step, requirements in RECORDS_LEFT.items()
        if step in reached
        for requirement in requirements
    )


def _met(requirement: Requirement, facts: JourneyFacts) -> bool:
    """Whether ``facts`` meet ``requirement``; a fact the caller does not know (``None``:
    a plan fact, or the track) is taken as met, so families can check what it knows."""
    if requirement is R.LEAD_AGENCY:
        return facts.has_lead_agency
    if requirement is R.TRACK:
        return facts.has_track is not False
    if requirement is R.LAWFUL_BASIS:
        return facts.has_lawful_basis
    if requirement is R.LAWFUL_BASIS_RECORDED:
        return facts.has_lawful_basis or facts.had_lawful_basis
    if requirement is R.PLAN_AGREED_ONCE:
        return facts.plan_agreed_once is not False
    if requirement is R.PLAN_AGREED_NOW:
        return facts.plan_agreed_now is not False
    return not facts.open_actions_overdue


def journey_problems(status: FamilyStatus | str, facts: JourneyFacts) -> list[str]:
    """Why a family at ``status`` with ``facts`` is not where the journey says it is;
    empty when it is consistent."""
    current = FamilyStatus(status)
    problems = []
    if current not in TERMINAL_STATES:
        for requirement in REQUIREMENTS[current]:
            if not _met(requirement, facts):
                problems.append(
                    f"A family that is {current.label.lower()} {_needs(requirement, facts)}"
                )
        return problems
    for step, requirements in RECORDS_LEFT.items():
        if step not in facts.reached:
            continue
        for requirement in requirements:
            if not _met(requirement, facts):
                problems.append(
                    f"A family that was {step.label.lower()} before it was "
                    f"{current.label.lower()} {_needs(requirement, facts)}"
                )
    return problems


def journey_step_problems(target: FamilyStatus | str, facts: JourneyFacts) -> list[str]:
    """What stops a family with ``facts`` moving to ``target``, with what to do first.

    Only the steps along the journey ask for anything. A side exit, a closure and a
    re-opening are a person's decision with a reason, and missing records never keep a
    family in a status it has to leave.
    """
    to = FamilyStatus(target)
    # Asked without the journey's history, a status off the journey requires nothing.
    return [
        f"A family that is {to.label.lower()} {_needs(requirement, facts)}. {_FIRST[requirement]}."
        for requirement in journey_requirements(to)
        if not _met(requirement, facts)
    ]


def _needs(requirement: Requirement, facts: JourneyFacts) -> str:
    if requirement is R.NO_OVERDUE_ACTIONS and facts.open_actions_overdue:
        count = facts.open_actions_overdue
        return f"{_NEEDS[requirement]} ({count} {'is' if count == 1 else 'are'})"
    return _NEEDS[requirement]
