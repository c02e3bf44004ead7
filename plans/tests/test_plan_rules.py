"""Pure rules: comparing versions, naming found needs.
No database."""

from __future__ import annotations

from typing import Any

import pytest

from plans.plan import rules


def snapshot(**parts: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "status": "draft",
        "status_label": "Draft: not yet agreed",
        "next_review_on": None,
        "voice": {"working_well": "", "worries": "", "family_wants": ""},
        "needs": [],
        "goals": [],
    }
    return {**base, **parts}


NEED = {
    "id": 1,
    "code": "education",
    "label": "Education",
    "detail": "",
    "source": "assessment",
    "source_label": "Identified from agency data",
    "members": ["Jordan Ashby"],
    "member_ids": [5],
    "closed_on": None,
}
ACTION = {
    "id": 10,
    "description": "Visit school",
    "who": "Hampshire Constabulary",
    "due_on": "2026-03-27",
    "status": "not_started",
    "status_label": "Not started",
    "not_done_reason": "",
    "progress_notes": 0,
}
GOAL = {
    "id": 7,
    "title": "School every day",
    "description": "",
    "status": "open",
    "status_label": "Working on it",
    "needs": [1],
    "members": [],
    "actions": [ACTION],
}


@pytest.mark.parametrize(
    ("old", "new", "expected_plan"),
    [
        (snapshot(), snapshot(), []),
        (
            snapshot(),
            snapshot(voice={"working_well": "Meals together", "worries": "", "family_wants": ""}),
            [("What is working well", "", "Meals together")],
        ),
        (
            snapshot(next_review_on="2026-03-03"),
            snapshot(next_review_on="2026-06-03"),
            [("Next review", "3 March 2026", "3 June 2026")],
        ),
        (
            snapshot(),
            snapshot(status="agreed", status_label="Agreed with the family"),
            [("Plan status", "Draft: not yet agreed", "Agreed with the family")],
        ),
    ],
)
def test_plan_fields_compare_field_by_field(
    old: dict[str, Any], new: dict[str, Any], expected_plan: list[tuple[str, str, str]]
) -> None:
    comparison = rules.versions_compare(old, new)

    assert [(c.label, c.before, c.after) for c in comparison.plan] == expected_plan
    assert comparison.has_changes is bool(expected_plan)


@pytest.mark.parametrize(
    ("old_goals", "new_goals", "expected"),
    [
        ([], [GOAL], [("School every day", "added")]),
        ([GOAL], [], [("School every day", "removed")]),
        (
            [GOAL],
            [{**GOAL, "status": "achieved", "status_label": "Achieved"}],
            [("School every day", "changed")],
        ),
        ([GOAL], [GOAL], []),
    ],
)
def test_goals_are_added_removed_or_changed(
    old_goals: list[dict[str, Any]],
    new_goals: list[dict[str, Any]],
    expected: list[tuple[str, str]],
) -> None:
    comparison = rules.versions_compare(
        snapshot(needs=[NEED], goals=old_goals), snapshot(needs=[NEED], goals=new_goals)
    )

    assert [(g.name, g.change) for g in comparison.goals] == expected


def test_a_changed_goal_lists_each_changed_field_with_need_labels() -> None:
    other_need = {**NEED, "id": 2, "code": "crime", "label": "Crime"}
    new_goal = {**GOAL, "title": "School every day, on time", "needs": [1, 2]}

    (change,) = rules.versions_compare(
        snapshot(needs=[NEED, other_need], goals=[GOAL]),
        snapshot(needs=[NEED, other_need], goals=[new_goal]),
    ).goals

    assert [(f.label, f.before, f.after) for f in change.fields] == [
        ("Goal", "School every day", "School every day, on time"),
        ("Needs it covers", "Education", "Crime, Education"),
    ]


@pytest.mark.parametrize(
    ("new_action", "expected_fields"),
    [
        (
            {**ACTION, "status": "done", "status_label": "Done"},
            [("Status", "Not started", "Done")],
        ),
        (
            {
                **ACTION,
                "status": "not_done",
                "status_label": "Not done",
                "not_done_reason": "Moved",
            },
            [("Status", "Not started", "Not done"), ("Why it was not done", "", "Moved")],
        ),
        ({**ACTION, "due_on": "2026-04-01"}, [("Due", "27 March 2026", "1 April 2026")]),
        ({**ACTION, "progress_notes": 1}, [("Progress notes", "", "1 note")]),
        ({**ACTION, "progress_notes": 0}, []),
    ],
)
def test_actions_compare_field_by_field(
    new_action: dict[str, Any], expected_fields: list[tuple[str, str, str]]
) -> None:
    comparison = rules.versions_compare(
        snapshot(goals=[GOAL]), snapshot(goals=[{**GOAL, "actions": [new_action]}])
    )

    got = [(f.label, f.before, f.after) for a in comparison.actions for f in a.fields]
    assert got == expected_fields


def test_an_action_moved_to_another_goal_shows_the_move() -> None:
    other_goal = {**GOAL, "id": 8, "title": "Safe at home", "actions": [ACTION]}

    (change,) = rules.versions_compare(
        snapshot(goals=[GOAL, {**other_goal, "actions": []}]),
        snapshot(goals=[{**GOAL, "actions": []}, other_goal]),
    ).actions

    assert (change.change, change.fields[0].label, change.fields[0].after) == (
        "changed",
        "Goal",
        "Safe at home",
    )


def test_comparison_works_either_way_round() -> None:
    old, new = snapshot(), snapshot(needs=[NEED])

    assert [n.change for n in rules.versions_compare(old, new).needs] == ["added"]
    assert [n.change for n in rules.versions_compare(new, old).needs] == ["removed"]


def test_a_closed_need_shows_when_it_was_closed() -> None:
    (change,) = rules.versions_compare(
        snapshot(needs=[NEED]), snapshot(needs=[{**NEED, "closed_on": "2026-05-01"}])
    ).needs

    assert [(f.label, f.after) for f in change.fields] == [("Closed", "1 May 2026")]


@pytest.mark.parametrize(
    ("kind", "label", "code"),
    [
        ("housing", "Damp flat", "housing"),
        ("domestic_abuse", "Ex-partner", "domestic_abuse"),
        ("other", "Rent arrears!", "found_rent_arrears"),
        ("other", "  ", "found_need"),
        ("other", "x" * 60, "found_" + "x" * 34),
    ],
)
def test_found_need_codes(kind: str, label: str, code: str) -> None:
    assert rules.found_need_code(kind, label) == code


def test_need_in_reads_the_editable_parts_of_one_need() -> None:
    assert rules.need_in(snapshot(needs=[NEED]), 1) == {
        "label": "Education",
        "detail": "",
        "member_ids": [5],
        "closed_on": None,
    }
    assert rules.need_in(snapshot(needs=[NEED]), 2) is None
