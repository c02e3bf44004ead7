"""What the family agrees to, table by table: the plan being worked is not a change,
a change to what they agreed is, and the digest the plan carries agrees with the rule."""

from __future__ import annotations

import copy
import importlib
from collections.abc import Callable
from typing import Any

import pytest

from plans.plan.rules import (
    AgreementStatus,
    changes_in_words,
    changes_since_agreed,
    terms_fingerprint,
)

Snapshot = dict[str, Any]


def agreed_snapshot() -> Snapshot:
    """A plan as ``plan_snapshot`` stores it: an ordinary need with its goal and two
    actions, and a domestic abuse need with a goal (restricted) and its action."""
    return {
        "status": "agreed",
        "status_label": "Agreed with the family",
        "next_review_on": "2026-04-20",
        "voice": {"working_well": "Sunday lunch", "worries": "School", "family_wants": "Calm"},
        "needs": [
            {
                "id": 1,
                "code": "education",
                "label": "School attendance",
                "detail": "Missed 20 days",
                "member_ids": [7],
                "members": ["Jordan Ashby"],
                "closed_on": None,
            },
            {
                "id": 2,
                "code": "domestic_abuse",
                "label": "Safe at home",
                "detail": "",
                "member_ids": [],
                "members": [],
                "closed_on": None,
            },
        ],
        "goals": [
            {
                "id": 10,
                "title": "Jordan goes to school every day",
                "description": "",
                "status": "open",
                "needs": [1],
                "member_ids": [7],
                "members": ["Jordan Ashby"],
                "version": 1,
                "actions": [
                    {
                        "id": 100,
                        "description": "Walk to the school gate",
                        "owner": "family",
                        "agency_id": None,
                        "practitioner_id": None,
                        "family_member_id": 8,
                        "who": "The family: Sam Ashby",
                        "due_on": "2026-04-01",
                        "status": "not_started",
                        "status_label": "Not started",
                        "not_done_reason": "",
                        "completed_on": None,
                        "progress_notes": 0,
                        "version": 1,
                    },
                    {
                        "id": 101,
                        "description": "PCSO drops in after school",
                        "owner": "agency",
                        "agency_id": 3,
                        "practitioner_id": None,
                        "family_member_id": None,
                        "who": "Hampshire Constabulary",
                        "due_on": "2026-04-08",
                        "status": "in_progress",
                        "status_label": "In progress",
                        "not_done_reason": "",
                        "completed_on": None,
                        "progress_notes": 1,
                        "version": 2,
                    },
                ],
            },
            {
                "id": 11,
                "title": "Keep Jordan safe from his father",
                "description": "",
                "status": "open",
                "needs": [2],
                "member_ids": [],
                "members": [],
                "version": 1,
                "actions": [
                    {
                        "id": 102,
                        "description": "Refuge outreach visits weekly",
                        "owner": "agency",
                        "agency_id": 4,
                        "practitioner_id": None,
                        "family_member_id": None,
                        "who": "Refuge",
                        "due_on": "2026-04-15",
                        "status": "not_started",
                        "status_label": "Not started",
                        "not_done_reason": "",
                        "completed_on": None,
                        "progress_notes": 0,
                        "version": 1,
                    }
                ],
            },
        ],
        "reviews": [],
        "agreements": [{"id": 1, "plan_version": 9, "agreed_on": "2026-03-10", "method": "signed"}],
    }


Change = Callable[[Snapshot], None]


def _action(s: Snapshot, action_id: int) -> dict[str, Any]:
    return next(a for g in s["goals"] for a in g["actions"] if a["id"] == action_id)


def _goal(s: Snapshot, goal_id: int) -> dict[str, Any]:
    return next(g for g in s["goals"] if g["id"] == goal_id)


def _set(path: Callable[[Snapshot], dict[str, Any]], key: str, value: Any) -> Change:
    def change(s: Snapshot) -> None:
        path(s)[key] = value

    return change


def _review(s: Snapshot) -> None:
    s["reviews"].append({"id": 5, "held_on": "2026-03-20", "next_review_on": "2026-05-01"})
    s["next_review_on"] = "2026-05-01"


def _new_goal(s: Snapshot) -> None:
    s["goals"].append(
        {
            "id": 12,
            "title": "Mum sees her GP",
            "description": "",
            "status": "open",
            "needs": [1],
            "member_ids": [],
            "members": [],
            "version": 1,
            "actions": [],
        }
    )


def _new_action(s: Snapshot) -> None:
    action = {**_action(s, 100), "id": 103, "description": "Join the homework club"}
    _goal(s, 10)["actions"].append(action)


def _move_action(s: Snapshot) -> None:
    goal = _goal(s, 10)
    action = goal["actions"].pop(0)
    _new_goal(s)
    _goal(s, 12)["actions"].append(action)


# Changes that are the plan being worked: the family need not agree them again.
WORKING = {
    "action started": _set(lambda s: _action(s, 100), "status", "in_progress"),
    "action done": lambda s: _action(s, 101).update(status="done", completed_on="2026-03-30"),
    "action not done, with why": lambda s: _action(s, 100).update(
        status="not_done", not_done_reason="The family moved it twice"
    ),
    "another agency's progress note": _set(lambda s: _action(s, 101), "progress_notes", 2),
    "action version bumped": _set(lambda s: _action(s, 101), "version", 3),
    "a review and the next review date": _review,
    "goal achieved": _set(lambda s: _goal(s, 10), "status", "achieved"),
    "need closed": _set(lambda s: s["needs"][0], "closed_on", "2026-03-30"),
    "plan status": lambda s: s.update(status="draft", status_label="Draft: not yet agreed"),
    "a person renamed (ids the same)": _set(lambda s: s["needs"][0], "members", ["Jo Ashby"]),
    "another agreement recorded": lambda s: s["agreements"].append(
        {"id": 2, "plan_version": 12, "agreed_on": "2026-03-30", "method": "verbal"}
    ),
}

# Changes to what the family agreed, and how each reads.
TERMS: dict[str, tuple[Change, list[str]]] = {
    "the family's words": (
        _set(lambda s: s["voice"], "worries", "Money"),
        ["What we are worried about: changed"],
    ),
    "a need reworded": (
        _set(lambda s: s["needs"][0], "label", "Attendance"),
        ["Need changed: Attendance (need)"],
    ),
    "who a need is about": (
        _set(lambda s: s["needs"][0], "member_ids", [7, 8]),
        ["Need changed: School attendance (who it is about)"],
    ),
    "a goal added": (_new_goal, ["Goal added: Mum sees her GP"]),
    "a goal reworded": (
        _set(lambda s: _goal(s, 10), "title", "Jordan at school"),
        # Its actions are still under it: only the goal is named.
        ["Goal changed: Jordan at school (goal)"],
    ),
    "who a goal is for": (
        _set(lambda s: _goal(s, 10), "member_ids", []),
        ["Goal changed: Jordan goes to school every day (who it is for)"],
    ),
    "an action added": (_new_action, ["Action added: Join the homework club"]),
    "an action removed": (
        lambda s: _goal(s, 10)["actions"].pop(1),
        ["Action removed: PCSO drops in after school"],
    ),
    "an action's due date": (
        _set(lambda s: _action(s, 101), "due_on", "2026-05-01"),
        ["Action changed: PCSO drops in after school (due date)"],
    ),
    "who does an action": (
        lambda s: _action(s, 101).update(practitioner_id=9, who="Hampshire Constabulary: PC Lee"),
        ["Action changed: PCSO drops in after school (who will do it)"],
    ),
    "an action moved to another goal": (
        _move_action,
        ["Goal added: Mum sees her GP", "Action changed: Walk to the school gate (goal)"],
    ),
}


@pytest.mark.parametrize("name", WORKING)
def test_the_plan_being_worked_is_still_the_plan_agreed(name: str) -> None:
    agreed = agreed_snapshot()
    current = copy.deepcopy(agreed)
    WORKING[name](current)

    result = changes_since_agreed(agreed, current, sees_restricted=True)

    assert result.status == AgreementStatus.AGREED
    assert result.in_words == []
    assert terms_fingerprint(current) == terms_fingerprint(agreed)


@pytest.mark.parametrize("name", TERMS)
def test_a_change_to_what_the_family_agreed_is_named(name: str) -> None:
    change, words = TERMS[name]
    agreed = agreed_snapshot()
    current = copy.deepcopy(agreed)
    change(current)

    result = changes_since_agreed(agreed, current, sees_restricted=True)

    assert result.status == AgreementStatus.CHANGED
    assert result.in_words == words
    assert terms_fingerprint(current) != terms_fingerprint(agreed)


def test_never_agreed_is_neither_agreed_nor_changed() -> None:
    result = changes_since_agreed(None, agreed_snapshot(), sees_restricted=True)

    assert result.status == AgreementStatus.NOT_AGREED
    assert not result.changed
    assert not result.is_agreed


def test_several_changes_read_in_plan_order() -> None:
    agreed = agreed_snapshot()
    current = copy.deepcopy(agreed)
    _new_goal(current)
    _set(lambda s: _action(s, 100), "due_on", "2026-06-01")(current)
    _set(lambda s: s["voice"], "working_well", "Walks")(current)

    words = changes_since_agreed(agreed, current, sees_restricted=True).in_words

    assert words == [
        "What is working well: changed",
        "Goal added: Mum sees her GP",
        "Action changed: Walk to the school gate (due date)",
    ]


# --- Restricted information -----------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "shown", "hidden"),
    [
        # Only the restricted goal's action moved: the plan changed, and says so to
        # everyone, but only those who may see restricted information learn what.
        (_set(lambda s: _action(s, 102), "due_on", "2026-06-01"), [], 1),
        (_set(lambda s: _goal(s, 11), "title", "Safe at night"), [], 1),
        (_set(lambda s: s["needs"][1], "detail", "Police attended"), [], 1),
        # An ordinary change beside a restricted one: the ordinary one is named.
        (
            lambda s: (
                _set(lambda t: _action(t, 102), "due_on", "2026-06-01")(s),
                _set(lambda t: _action(t, 101), "due_on", "2026-06-01")(s),
            ),
            ["Action changed: PCSO drops in after school (due date)"],
            1,
        ),
        # An ordinary goal that now also serves the restricted need: the restricted
        # need is not named, and the change is counted, not shown.
        (_set(lambda s: _goal(s, 10), "needs", [1, 2]), [], 1),
    ],
)
def test_restricted_changes_are_counted_not_shown_outside_the_rule(
    change: Change, shown: list[str], hidden: int
) -> None:
    agreed = agreed_snapshot()
    current = copy.deepcopy(agreed)
    change(current)

    outside = changes_since_agreed(agreed, current, sees_restricted=False)
    inside = changes_since_agreed(agreed, current, sees_restricted=True)

    assert outside.changed and inside.changed
    assert outside.in_words == shown
    assert outside.hidden == hidden
    assert inside.hidden == 0
    assert len(inside.in_words) == len(shown) + hidden
    for line in outside.in_words:
        assert "Safe" not in line and "Refuge" not in line and "father" not in line


def test_changes_in_words_of_no_changes_is_empty() -> None:
    agreed = agreed_snapshot()
    result = changes_since_agreed(agreed, copy.deepcopy(agreed), sees_restricted=True)

    assert changes_in_words(result.shown) == []


# --- The data migration's copy of the rule ----------------------------------------------


@pytest.mark.parametrize("name", [*WORKING, *TERMS])
def test_the_migrations_frozen_rule_digests_as_the_live_one(name: str) -> None:
    migration = importlib.import_module("plans.migrations.0003_plan_agreed_terms")
    change = WORKING[name] if name in WORKING else TERMS[name][0]
    snapshot = agreed_snapshot()
    change(snapshot)

    assert migration.terms_fingerprint(snapshot) == terms_fingerprint(snapshot)
