"""When an action or a review counts as due, and what about a family needs attention.

Pure: dates and facts in, words out; no ORM and no clock (today and now are arguments).
``plans.work.selectors`` computes the same facts in SQL, so that long lists can be
sorted and filtered by them; ``attention_flags`` turns one family's facts into the
tags a key worker reads, and its length is the family's attention score. A test holds
the SQL score and ``len(attention_flags(...))`` to the same answer.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from enum import StrEnum

from oneplan.dates import govuk_date

# "Due soon" for actions and "review due" for plans: the coming week, today included.
DUE_SOON_DAYS = 7
REVIEW_DUE_WITHIN_DAYS = 7
# How far back "done recently" looks on the my-actions page.
DONE_RECENTLY_DAYS = 14
# A plan with no progress for this long is drifting; settings.ONEPLAN_DRIFT_WEEKS wins.
DEFAULT_DRIFT_WEEKS = 6


class ActionDue(StrEnum):
    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    LATER = "later"


ACTION_DUE_HEADINGS = {
    ActionDue.OVERDUE: "Overdue",
    ActionDue.DUE_SOON: f"Due in the next {DUE_SOON_DAYS} days",
    ActionDue.LATER: "Due later",
}


def due_soon_until(today: datetime.date) -> datetime.date:
    """The last day an action counts as "due soon" (rather than later)."""
    return today + datetime.timedelta(days=DUE_SOON_DAYS)


def action_due(due_on: datetime.date, today: datetime.date) -> ActionDue:
    """An open action is overdue from the day after its due date; due soon from today
    to ``DUE_SOON_DAYS`` ahead; otherwise due later."""
    if due_on < today:
        return ActionDue.OVERDUE
    if due_on <= due_soon_until(today):
        return ActionDue.DUE_SOON
    return ActionDue.LATER


def done_since(today: datetime.date) -> datetime.date:
    """The first completion date that still counts as "done recently"."""
    return today - datetime.timedelta(days=DONE_RECENTLY_DAYS)


def review_due_by(today: datetime.date) -> datetime.date:
    """A plan needs its review arranged when the next review is on or before this."""
    return today + datetime.timedelta(days=REVIEW_DUE_WITHIN_DAYS)


def drift_cutoff(now: datetime.datetime, weeks: int) -> datetime.datetime:
    """Activity before this instant is too old: the plan is drifting."""
    return now - datetime.timedelta(weeks=weeks)


class PlanState(StrEnum):
    NONE = "none"
    DRAFT = "draft"
    CHANGED = "changed"
    AGREED = "agreed"


def plan_state(*, has_plan: bool, has_agreement: bool, is_agreed: bool) -> PlanState:
    """Whether the family has agreed the plan as it stands now.

    ``is_agreed`` is the plan's status: agreed while nothing the family agreed to has
    changed since their latest agreement (``plans.plan.rules.changes_since_agreed``;
    progress, statuses, notes and reviews are not changes). A plan the family agreed
    that has changed since needs agreeing again. A plan marked agreed with no agreement
    on record has never been agreed.
    """
    if not has_plan:
        return PlanState.NONE
    if not has_agreement:
        return PlanState.DRAFT
    if not is_agreed:
        return PlanState.CHANGED
    return PlanState.AGREED


@dataclass(frozen=True)
class AttentionFacts:
    """What the my-families list knows about one family (computed in SQL)."""

    overdue_actions: int
    next_review_on: datetime.date | None
    plan_state: PlanState
    last_activity_at: datetime.datetime | None
    needs_without_goal: int


class FlagColour(StrEnum):
    RED = "red"
    ORANGE = "orange"
    YELLOW = "yellow"
    GREY = "grey"


@dataclass(frozen=True)
class Flag:
    key: str
    text: str
    colour: FlagColour


def attention_flags(
    facts: AttentionFacts, *, today: datetime.date, drift_from: datetime.datetime
) -> list[Flag]:
    """Each thing about a family that needs its key worker's attention, in words.

    - overdue actions: any open action of the plan (any owner) past its due date;
    - review: the next review is overdue, or due within ``REVIEW_DUE_WITHIN_DAYS``;
    - agreement: no plan yet, a plan never agreed, or changed since the family agreed it;
    - drift: nothing has happened on the plan (a change, a progress note, a review, an
      action update) since ``drift_from``; only for a family that has a plan;
    - a need with family members named that no open goal works on.
    """
    flags: list[Flag] = []
    if facts.overdue_actions > 0:
        n = facts.overdue_actions
        flags.append(
            Flag("overdue_actions", f"{n} overdue action{'s' if n != 1 else ''}", FlagColour.RED)
        )
    review = facts.next_review_on
    if review is not None and review <= review_due_by(today):
        if review < today:
            overdue = f"Review overdue since {govuk_date(review)}"
            flags.append(Flag("review", overdue, FlagColour.RED))
        else:
            flags.append(Flag("review", f"Review due {govuk_date(review)}", FlagColour.YELLOW))
    state_flags = {
        PlanState.NONE: Flag("plan", "No plan yet", FlagColour.ORANGE),
        PlanState.DRAFT: Flag("plan", "Plan not agreed", FlagColour.ORANGE),
        PlanState.CHANGED: Flag("plan", "Plan changed since agreed", FlagColour.ORANGE),
    }
    if facts.plan_state in state_flags:
        flags.append(state_flags[facts.plan_state])
    if facts.last_activity_at is not None and facts.last_activity_at < drift_from:
        flags.append(
            Flag(
                "drift",
                f"No progress since {govuk_date(facts.last_activity_at)}",
                FlagColour.GREY,
            )
        )
    if facts.needs_without_goal > 0:
        n = facts.needs_without_goal
        flags.append(
            Flag(
                "needs_without_goal",
                f"{n} need{'s' if n != 1 else ''} without a goal",
                FlagColour.ORANGE,
            )
        )
    return flags
