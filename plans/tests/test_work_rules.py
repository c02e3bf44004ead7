"""The pure rules of the daily work: when things are due, and what needs attention."""

from __future__ import annotations

import datetime

import pytest

from plans.work.rules import (
    ActionDue,
    AttentionFacts,
    PlanState,
    action_due,
    attention_flags,
    done_since,
    drift_cutoff,
    plan_state,
    review_due_by,
)

TODAY = datetime.date(2026, 3, 10)
NOW = datetime.datetime(2026, 3, 10, 9, 0, tzinfo=datetime.UTC)
DRIFT_FROM = drift_cutoff(NOW, 6)


@pytest.mark.parametrize(
    ("due_on", "expected"),
    [
        (datetime.date(2026, 1, 1), ActionDue.OVERDUE),
        (datetime.date(2026, 3, 9), ActionDue.OVERDUE),  # yesterday
        (datetime.date(2026, 3, 10), ActionDue.DUE_SOON),  # today is not yet overdue
        (datetime.date(2026, 3, 17), ActionDue.DUE_SOON),  # exactly 7 days ahead
        (datetime.date(2026, 3, 18), ActionDue.LATER),  # 8 days ahead
    ],
)
def test_action_due_edges(due_on: datetime.date, expected: ActionDue) -> None:
    assert action_due(due_on, TODAY) == expected


def test_windows_are_measured_from_the_day_given() -> None:
    assert review_due_by(TODAY) == datetime.date(2026, 3, 17)
    assert done_since(TODAY) == datetime.date(2026, 2, 24)
    assert drift_cutoff(NOW, 6) == NOW - datetime.timedelta(days=42)


@pytest.mark.parametrize(
    ("has_plan", "has_agreement", "is_agreed", "expected"),
    [
        (False, False, False, PlanState.NONE),
        (True, False, False, PlanState.DRAFT),
        # Marked agreed with no agreement on record: never agreed.
        (True, False, True, PlanState.DRAFT),
        (True, True, True, PlanState.AGREED),
        # Agreed once, and what the family agreed to has changed since.
        (True, True, False, PlanState.CHANGED),
    ],
)
def test_plan_state(
    has_plan: bool, has_agreement: bool, is_agreed: bool, expected: PlanState
) -> None:
    assert (
        plan_state(has_plan=has_plan, has_agreement=has_agreement, is_agreed=is_agreed) == expected
    )


def _facts(**changes: object) -> AttentionFacts:
    base: dict[str, object] = {
        "overdue_actions": 0,
        "next_review_on": datetime.date(2026, 5, 1),
        "plan_state": PlanState.AGREED,
        "last_activity_at": NOW - datetime.timedelta(days=1),
        "needs_without_goal": 0,
    }
    base.update(changes)
    return AttentionFacts(**base)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, []),
        ({"overdue_actions": 1}, [("overdue_actions", "1 overdue action", "red")]),
        ({"overdue_actions": 3}, [("overdue_actions", "3 overdue actions", "red")]),
        (
            {"next_review_on": datetime.date(2026, 3, 9)},
            [("review", "Review overdue since 9 March 2026", "red")],
        ),
        (
            {"next_review_on": TODAY},
            [("review", "Review due 10 March 2026", "yellow")],
        ),
        (
            {"next_review_on": datetime.date(2026, 3, 17)},
            [("review", "Review due 17 March 2026", "yellow")],
        ),
        ({"next_review_on": datetime.date(2026, 3, 18)}, []),
        ({"next_review_on": None}, []),
        ({"plan_state": PlanState.NONE}, [("plan", "No plan yet", "orange")]),
        ({"plan_state": PlanState.DRAFT}, [("plan", "Plan not agreed", "orange")]),
        ({"plan_state": PlanState.CHANGED}, [("plan", "Plan changed since agreed", "orange")]),
        # Exactly at the cut-off is not yet drifting; a second before is.
        ({"last_activity_at": DRIFT_FROM}, []),
        (
            {"last_activity_at": DRIFT_FROM - datetime.timedelta(seconds=1)},
            [("drift", "No progress since 27 January 2026", "grey")],
        ),
        # No plan, no activity: the missing plan is the flag, not drift.
        (
            {"plan_state": PlanState.NONE, "last_activity_at": None},
            [("plan", "No plan yet", "orange")],
        ),
        ({"needs_without_goal": 1}, [("needs_without_goal", "1 need without a goal", "orange")]),
        ({"needs_without_goal": 2}, [("needs_without_goal", "2 needs without a goal", "orange")]),
    ],
)
def test_attention_flags(changes: dict[str, object], expected: list[tuple[str, str, str]]) -> None:
    flags = attention_flags(_facts(**changes), today=TODAY, drift_from=DRIFT_FROM)
    assert [(f.key, f.text, f.colour.value) for f in flags] == expected


def test_every_flag_at_once_in_a_fixed_order() -> None:
    facts = _facts(
        overdue_actions=2,
        next_review_on=datetime.date(2026, 3, 1),
        plan_state=PlanState.CHANGED,
        last_activity_at=datetime.datetime(2025, 12, 1, tzinfo=datetime.UTC),
        needs_without_goal=1,
    )
    flags = attention_flags(facts, today=TODAY, drift_from=DRIFT_FROM)
    assert [f.key for f in flags] == [
        "overdue_actions",
        "review",
        "plan",
        "drift",
        "needs_without_goal",
    ]
