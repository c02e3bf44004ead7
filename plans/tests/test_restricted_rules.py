"""The restricted-content rule (plans.restricted), table by table with its edges, and its
SQL form (plans.visibility.goal_restricted_q) checked against it case by case."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import World
from plans.models import Goal
from plans.plan.services import goal_create, need_create, plan_get_or_create
from plans.restricted import (
    change_touches_restricted,
    goal_is_restricted,
    is_restricted_need,
    restricted_items,
    snapshot_for_viewer,
)
from plans.tests.test_plan_support import lawful_basis_for
from plans.visibility import goal_restricted_q


@pytest.mark.parametrize(
    ("code", "restricted"),
    [
        ("domestic_abuse", True),
        ("health", True),
        ("substance_use", True),
        ("education", False),
        ("found_health_visits", False),  # a found need is restricted only by its headline
        ("", False),
    ],
)
def test_which_needs_are_restricted(code: str, restricted: bool) -> None:
    assert is_restricted_need(code) is restricted


GOAL_CASES = [
    ([], False),  # a goal with no need is ordinary
    (["education"], False),
    (["domestic_abuse"], True),
    (["domestic_abuse", "health"], True),
    (["domestic_abuse", "education"], False),  # one ordinary need keeps it ordinary
    (["substance_use"], True),
    (["found_other_debt"], False),
]


@pytest.mark.parametrize(("codes", "restricted"), GOAL_CASES)
def test_goal_is_restricted(codes: list[str], restricted: bool) -> None:
    assert goal_is_restricted(codes) is restricted


def test_restricted_items_by_id() -> None:
    items = restricted_items(
        {1: "education", 2: "domestic_abuse", 3: "health"},
        {10: [1], 11: [2], 12: [2, 3], 13: [1, 2], 14: [], 15: [99]},
    )

    assert items.need_ids == {2, 3}
    assert items.goal_ids == {11, 12}  # 15's need is unknown, so counts as ordinary
    assert items.count == 4


NEED = {"id": 1, "code": "education", "label": "Education"}
ABUSE = {"id": 2, "code": "domestic_abuse", "label": "Safe from abuse"}
ACTION = {"id": 7, "description": "Refuge outreach visit", "status": "to_do"}
SCHOOL_GOAL = {"id": 10, "title": "School every day", "needs": [1, 2], "actions": []}
SAFE_GOAL = {"id": 11, "title": "Safe at home", "needs": [2], "actions": [ACTION]}


def snap(**parts: Any) -> dict[str, Any]:
    return {"status": "draft", "needs": [NEED, ABUSE], "goals": [SCHOOL_GOAL], **parts}


def test_a_snapshot_for_someone_outside_the_rule_drops_restricted_needs_goals_and_actions() -> None:
    visible, hidden = snapshot_for_viewer(
        snap(goals=[SCHOOL_GOAL, SAFE_GOAL]), sees_restricted=False
    )

    assert hidden == 2  # the abuse need and the goal only for it
    assert [n["id"] for n in visible["needs"]] == [1]
    assert [g["id"] for g in visible["goals"]] == [10]
    assert visible["goals"][0]["needs"] == [1]
    assert "Refuge outreach visit" not in repr(visible)


def test_a_snapshot_for_someone_inside_the_rule_is_whole() -> None:
    original = snap(goals=[SCHOOL_GOAL, SAFE_GOAL])

    assert snapshot_for_viewer(original, sees_restricted=True) == (original, 0)


def test_a_snapshot_with_nothing_restricted_is_unchanged() -> None:
    original = {"needs": [NEED], "goals": [{**SCHOOL_GOAL, "needs": [1]}]}

    assert snapshot_for_viewer(original, sees_restricted=False) == (original, 0)


EDITED = {**SAFE_GOAL, "title": "Safe at home, and calm"}
WITH_NOTE = {**SAFE_GOAL, "actions": [{**ACTION, "progress_notes": 1}]}
NOW_ORDINARY = {**SAFE_GOAL, "needs": [1, 2]}
SCHOOL_EDITED = {**SCHOOL_GOAL, "title": "School most days"}


@pytest.mark.parametrize(
    ("before", "after", "touches"),
    [
        (snap(), snap(goals=[SCHOOL_GOAL, SAFE_GOAL]), True),  # restricted goal added
        (snap(goals=[SCHOOL_GOAL, SAFE_GOAL]), snap(goals=[SCHOOL_GOAL]), True),  # removed
        (snap(goals=[SAFE_GOAL]), snap(goals=[EDITED]), True),  # its title edited
        (snap(goals=[SAFE_GOAL]), snap(goals=[WITH_NOTE]), True),  # its action's note
        (snap(goals=[SAFE_GOAL]), snap(goals=[NOW_ORDINARY]), True),  # made ordinary
        (snap(goals=[NOW_ORDINARY]), snap(goals=[SAFE_GOAL]), True),  # made restricted
        # Summaries never name a restricted need, so changes to needs alone do not count.
        (snap(), snap(needs=[NEED, {**ABUSE, "label": "x"}]), False),
        (snap(), snap(needs=[NEED]), False),
        (snap(goals=[SCHOOL_GOAL, SAFE_GOAL]), snap(goals=[SCHOOL_EDITED, SAFE_GOAL]), False),
        (snap(status="draft"), snap(status="agreed"), False),  # agreement: nothing restricted
        (snap(), snap(needs=[{**NEED, "label": "School"}, ABUSE]), False),  # ordinary need
        (None, snap(), False),  # plan started: its summary names no goal
        (None, snap(goals=[SAFE_GOAL]), False),  # even a plan written in one go
    ],
)
def test_which_changes_touch_restricted_content(
    before: dict[str, Any] | None, after: dict[str, Any], touches: bool
) -> None:
    assert change_touches_restricted(before, after) is touches


@pytest.mark.django_db
def test_the_sql_goal_rule_agrees_with_the_pure_rule(world: World) -> None:
    lawful_basis_for(world)
    actor = world.keyworker.user
    plan = plan_get_or_create(actor=actor, family=world.own_family)
    needs = {
        code: need_create(actor=actor, plan=plan, kind=code, label=code)
        for code in ("education", "domestic_abuse", "health", "substance_use")
    }
    needs["found_other_debt"] = need_create(actor=actor, plan=plan, kind="other", label="debt")
    expected = {}
    for index, (codes, restricted) in enumerate(GOAL_CASES):
        goal = goal_create(
            actor=actor, plan=plan, title=f"Goal {index}", needs=[needs[c] for c in codes]
        )
        expected[goal.pk] = restricted

    by_sql = set(Goal.objects.filter(goal_restricted_q(), plan=plan).values_list("pk", flat=True))

    assert by_sql == {pk for pk, restricted in expected.items() if restricted}
