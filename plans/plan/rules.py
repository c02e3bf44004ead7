"""Pure rules about plans: comparing two saved versions and naming a need found during
the work. No ORM, no clock. (What of a plan is restricted: ``plans.restricted``.)

A snapshot is the JSON ``plans.plan.services.plan_snapshot`` stores in ``PlanVersion``;
its shape is shared with that function (keep the two in step).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from plans.headlines import HEADLINES

ADDED = "added"
REMOVED = "removed"
CHANGED = "changed"

# Labels of the plan's own fields, in the order a comparison shows them.
PLAN_FIELDS: tuple[tuple[str, str], ...] = (
    ("status", "Plan status"),
    ("next_review_on", "Next review"),
)
VOICE_FIELDS: tuple[tuple[str, str], ...] = (
    ("working_well", "What is working well"),
    ("worries", "What we are worried about"),
    ("family_wants", "What the family wants to change"),
)
NEED_FIELDS: tuple[tuple[str, str], ...] = (
    ("label", "Need"),
    ("detail", "Detail"),
    ("source", "Where it came from"),
    ("members", "Who it is about"),
    ("closed_on", "Closed"),
)
GOAL_FIELDS: tuple[tuple[str, str], ...] = (
    ("title", "Goal"),
    ("description", "Detail"),
    ("status", "Status"),
    ("needs", "Needs it covers"),
    ("members", "Who it is for"),
)
ACTION_FIELDS: tuple[tuple[str, str], ...] = (
    ("description", "Action"),
    ("goal", "Goal"),
    ("who", "Who will do it"),
    ("due_on", "Due"),
    ("status", "Status"),
    ("not_done_reason", "Why it was not done"),
    ("progress_notes", "Progress notes"),
)


@dataclass(frozen=True)
class FieldChange:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class ItemChange:
    """One need, goal or action that was added, removed or changed between versions."""

    name: str
    change: str
    fields: tuple[FieldChange, ...]


@dataclass(frozen=True)
class PlanComparison:
    plan: tuple[FieldChange, ...]
    needs: tuple[ItemChange, ...]
    goals: tuple[ItemChange, ...]
    actions: tuple[ItemChange, ...]

    @property
    def has_changes(self) -> bool:
        return bool(self.plan or self.needs or self.goals or self.actions)


def format_date(value: str | None) -> str:
    """'2026-03-03' -> '3 March 2026' (GOV.UK date style); '' for none."""
    if not value:
        return ""
    day = datetime.date.fromisoformat(value)
    return f"{day.day} {day:%B %Y}"


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _field_changes(
    fields: Iterable[tuple[str, str]],
    before: Mapping[str, str],
    after: Mapping[str, str],
) -> tuple[FieldChange, ...]:
    return tuple(
        FieldChange(label, before.get(key, ""), after.get(key, ""))
        for key, label in fields
        if before.get(key, "") != after.get(key, "")
    )


def _items(
    old: Iterable[Mapping[str, Any]],
    new: Iterable[Mapping[str, Any]],
    fields: tuple[tuple[str, str], ...],
    show: Callable[[Mapping[str, Any]], dict[str, str]],
    name_key: str,
) -> tuple[ItemChange, ...]:
    before = {item["id"]: item for item in old}
    after = {item["id"]: item for item in new}
    changes: list[ItemChange] = []
    # Keep the newer version's order, then anything removed in the older one's order.
    for item_id in [*after, *(i for i in before if i not in after)]:
        a, b = before.get(item_id), after.get(item_id)
        shown_a = show(a) if a is not None else {}
        shown_b = show(b) if b is not None else {}
        fields_changed = _field_changes(fields, shown_a, shown_b)
        if a is None:
            changes.append(ItemChange(shown_b[name_key], ADDED, fields_changed))
        elif b is None:
            changes.append(ItemChange(shown_a[name_key], REMOVED, fields_changed))
        elif fields_changed:
            changes.append(ItemChange(shown_b[name_key], CHANGED, fields_changed))
    return tuple(changes)


def _need_shown(need: Mapping[str, Any]) -> dict[str, str]:
    return {
        "label": _text(need.get("label")),
        "detail": _text(need.get("detail")),
        "source": _text(need.get("source_label") or need.get("source")),
        "members": _text(need.get("members")),
        "closed_on": format_date(need.get("closed_on")),
    }


def _goal_shown(goal: Mapping[str, Any], need_labels: Mapping[int, str]) -> dict[str, str]:
    return {
        "title": _text(goal.get("title")),
        "description": _text(goal.get("description")),
        "status": _text(goal.get("status_label") or goal.get("status")),
        "needs": _text(sorted(need_labels[n] for n in goal.get("needs", []) if n in need_labels)),
        "members": _text(goal.get("members")),
    }


def _action_shown(action: Mapping[str, Any]) -> dict[str, str]:
    notes = int(action.get("progress_notes") or 0)
    return {
        "description": _text(action.get("description")),
        "goal": _text(action.get("goal_title")),
        "who": _text(action.get("who")),
        "due_on": format_date(action.get("due_on")),
        "status": _text(action.get("status_label") or action.get("status")),
        "not_done_reason": _text(action.get("not_done_reason")),
        "progress_notes": "" if notes == 0 else f"{notes} note{'s' if notes != 1 else ''}",
    }


def _actions(snapshot: Mapping[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for goal in snapshot.get("goals", []):
        for action in goal.get("actions", []):
            rows.append({**action, "goal_title": goal.get("title", "")})
    return rows


def _plan_shown(snapshot: Mapping[str, Any]) -> dict[str, str]:
    voice = snapshot.get("voice", {})
    return {
        "status": _text(snapshot.get("status_label") or snapshot.get("status")),
        "next_review_on": format_date(snapshot.get("next_review_on")),
        **{key: _text(voice.get(key)) for key, _ in VOICE_FIELDS},
    }


def versions_compare(old: Mapping[str, Any], new: Mapping[str, Any]) -> PlanComparison:
    """What changed from snapshot ``old`` to snapshot ``new``: the plan's own fields and
    the family's voice field by field, then each need, goal and action added, removed or
    changed (with the fields that changed). Works in either direction."""
    labels_old = {n["id"]: n.get("label", "") for n in old.get("needs", [])}
    labels_new = {n["id"]: n.get("label", "") for n in new.get("needs", [])}
    return PlanComparison(
        plan=_field_changes((*PLAN_FIELDS, *VOICE_FIELDS), _plan_shown(old), _plan_shown(new)),
        needs=_items(old.get("needs", []), new.get("needs", []), NEED_FIELDS, _need_shown, "label"),
        goals=_items(
            [{**g, "_labels": labels_old} for g in old.get("goals", [])],
            [{**g, "_labels": labels_new} for g in new.get("goals", [])],
            GOAL_FIELDS,
            lambda g: _goal_shown(g, g["_labels"]),
            "title",
        ),
        actions=_items(_actions(old), _actions(new), ACTION_FIELDS, _action_shown, "description"),
    )


def voice_of(snapshot: Mapping[str, Any]) -> dict[str, str]:
    voice = snapshot.get("voice", {})
    return {key: str(voice.get(key, "")) for key, _ in VOICE_FIELDS}


def need_in(snapshot: Mapping[str, Any], need_id: int) -> dict[str, Any] | None:
    """The parts of one need an editor can change, as they stood in ``snapshot``."""
    for need in snapshot.get("needs", []):
        if need["id"] == need_id:
            return {
                "label": need.get("label", ""),
                "detail": need.get("detail", ""),
                "member_ids": sorted(need.get("member_ids", [])),
                "closed_on": need.get("closed_on"),
            }
    return None


# The Supporting Families headlines (plans.headlines, the sf2022 criteria too) a need
# found during the work can come under, or something else.
NEED_KINDS: tuple[tuple[str, str], ...] = (*HEADLINES, ("other", "Something else"))

_NOT_CODE = re.compile(r"[^a-z0-9]+")
FOUND_CODE_PREFIX = "found_"


def found_need_code(kind: str, label: str) -> str:
    """The code of a need found during the work. A known headline keeps its own code
    (so the restricted rule and outcome rules recognise it); anything else gets a code
    made from its words, so two different "other" needs can both be open."""
    if kind and kind != "other":
        return kind
    words = _NOT_CODE.sub("_", label.lower()).strip("_") or "need"
    return (FOUND_CODE_PREFIX + words)[:40]
