"""The case journey of DOMAIN.md section 3 as data: states and allowed transitions.

Pure: no ORM. ``families.services.family_transition`` is the only code that changes a
family's status, and it asks ``check_transition`` first.
"""

from __future__ import annotations

from django.db import models


class FamilyStatus(models.TextChoices):
    IDENTIFIED = "identified", "Identified"
    SCREENED = "screened", "Screened"
    ALLOCATED = "allocated", "Allocated"
    ENGAGED = "engaged", "Engaged"
    PLAN_ACTIVE = "plan_active", "Plan active"
    OUTCOMES_MET = "outcomes_met", "Outcomes met"
    CLAIMED = "claimed", "Claimed"
    CLOSED = "closed", "Closed"
    DECLINED = "declined", "Declined"
    MOVED_AWAY = "moved_away", "Moved away"
    CLOSED_NO_OUTCOME = "closed_no_outcome", "Closed without outcome"


S = FamilyStatus

# Side exits open to any family still being worked with.
_SIDE_EXITS = (S.DECLINED, S.MOVED_AWAY, S.CLOSED_NO_OUTCOME)

TERMINAL_STATES = frozenset({S.CLOSED, S.DECLINED, S.MOVED_AWAY, S.CLOSED_NO_OUTCOME})
OPEN_STATES = frozenset(set(S) - TERMINAL_STATES)

TRANSITIONS: dict[FamilyStatus, tuple[FamilyStatus, ...]] = {
    S.IDENTIFIED: (S.SCREENED, *_SIDE_EXITS),
    # Screening records eligibility; families that are not eligible may still be
    # allocated and worked with, they just cannot be claimed for (DOMAIN.md 4.1).
    S.SCREENED: (S.ALLOCATED, *_SIDE_EXITS),
    S.ALLOCATED: (S.ENGAGED, *_SIDE_EXITS),
    S.ENGAGED: (S.PLAN_ACTIVE, *_SIDE_EXITS),
    # A plan can end by stepping down without a claimable result.
    S.PLAN_ACTIVE: (S.OUTCOMES_MET, S.CLOSED, *_SIDE_EXITS),
    # Outcomes that are not sustained send the family back to active work.
    S.OUTCOMES_MET: (S.CLAIMED, S.PLAN_ACTIVE, S.CLOSED, *_SIDE_EXITS),
    S.CLAIMED: (S.CLOSED,),
    # A closed family can be re-opened; it starts the journey again.
    S.CLOSED: (S.IDENTIFIED,),
    S.DECLINED: (S.IDENTIFIED,),
    S.MOVED_AWAY: (S.IDENTIFIED,),
    S.CLOSED_NO_OUTCOME: (S.IDENTIFIED,),
}


# Statuses set only by what happened, never chosen (DOMAIN.md 4.4), and what sets each.
# People choose the side exits, closing (where the journey allows it) and re-opening,
# each with a reason.
SET_BY: dict[FamilyStatus, str] = {
    S.SCREENED: "by the LCG's screening decision",
    S.ALLOCATED: "when the LCG allocates the family (track, lead agency and lead professional)",
    S.ENGAGED: (
        "when the family's agreement to work with the programme is recorded, with the "
        "lawful basis for sharing"
    ),
    S.PLAN_ACTIVE: "when the family first agrees its plan",
    S.OUTCOMES_MET: "when the family's results say so",
    S.CLAIMED: "when a claim for the family is accepted",
}
SET_BY_EVENTS = frozenset(SET_BY)


def chosen_transitions(current: FamilyStatus | str) -> tuple[FamilyStatus, ...]:
    """The moves a person may choose from ``current`` (the status form and API): the
    journey's moves, less the statuses only events set."""
    return tuple(s for s in TRANSITIONS[FamilyStatus(current)] if s not in SET_BY_EVENTS)


def not_chosen_message(target: FamilyStatus | str) -> str:
    """Why a person cannot choose ``target``, one of the statuses events set."""
    status = FamilyStatus(target)
    return f"{status.label} is set by OnePlan {SET_BY[status]}, not chosen"


def transition_label(current: FamilyStatus | str, target: FamilyStatus | str) -> str:
    """How a choice of next status reads on a form: the status, or a re-opening."""
    target_status = FamilyStatus(target)
    if FamilyStatus(current) in TERMINAL_STATES and target_status == S.IDENTIFIED:
        return "Re-opened (starts the journey again)"
    return target_status.label


class TransitionNotAllowed(Exception):
    """Raised when a status change is not on the case journey."""

    def __init__(self, current: FamilyStatus, target: FamilyStatus) -> None:
        self.current = current
        self.target = target
        super().__init__(
            f"A family that is {current.label.lower()} cannot move to {target.label.lower()}"
        )


def allowed_transitions(current: FamilyStatus | str) -> tuple[FamilyStatus, ...]:
    return TRANSITIONS[FamilyStatus(current)]


def check_transition(current: FamilyStatus | str, target: FamilyStatus | str) -> None:
    """Raise ``TransitionNotAllowed`` unless the journey allows ``current -> target``."""
    current_status, target_status = FamilyStatus(current), FamilyStatus(target)
    if target_status not in TRANSITIONS[current_status]:
        raise TransitionNotAllowed(current_status, target_status)
