"""Pure rules about plans: comparing two saved versions, what the family agrees to (and
what changed in it since they agreed), and naming a need found during the work. No ORM,
no clock. (What of a plan is restricted: ``plans.restricted``.)

A snapshot is the JSON ``plans.plan.services.plan_snapshot`` stores in ``PlanVersion``;
its shape is shared with that function (keep the two in step).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from oneplan.dates import govuk_date
from plans.headlines import HEADLINES
from plans.restricted import RestrictedItems, snapshot_restricted_items, snapshot_without

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
    return govuk_date(datetime.date.fromisoformat(value))


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


# ---------------------------------------------------------------------------
# What the family agrees to, and what changed in it since they agreed
# ---------------------------------------------------------------------------
#
# The family agrees what the plan says will happen: the family's voice, each need (what
# it is and who it is about), each goal (what, which needs it covers, who it is for) and
# each action (what, under which goal, who will do it and by when). Everything else is
# the plan being worked, not changed: the status of goals and actions, why an action was
# not done and when one was completed, progress notes, reviews and their ratings, the
# next review date, closing a need, and the agreement itself. So a review, an action
# marked done or another agency's progress note leaves the plan agreed; a new goal, an
# action given to someone else or a due date moved means the family must agree again.
#
# ``changes_since_agreed`` is the one answer to both "has the plan changed since the
# family agreed it?" and "what changed?" (every page, the print, the API and the list of
# families ask it). ``terms_fingerprint`` digests the same terms, so the plan can carry
# whether it is still as agreed (``Plan.status``) for lists that sort by it in SQL:
# two snapshots have the same fingerprint exactly when ``changes_since_agreed`` finds no
# change between them. Changing what counts changes every fingerprint: a migration must
# then recompute ``Plan.agreed_terms``.


class AgreementStatus(StrEnum):
    NOT_AGREED = "draft"
    AGREED = "agreed"
    CHANGED = "changed"


# One term of the agreement: the value compared (ids rather than names where there are
# ids, so a person or agency renamed is not a change to the plan) and the words shown.
_Term = tuple[Any, str]

_ITEM_KINDS: tuple[tuple[str, str], ...] = (
    ("needs", "Need"),
    ("goals", "Goal"),
    ("actions", "Action"),
)


def _people(names: Any) -> str:
    return _text(sorted(names or [])) or "The whole family"


def _terms(snapshot: Mapping[str, Any]) -> dict[str, dict[str, dict[str, _Term]]]:
    """Every term the family agrees to in ``snapshot``, by section and item id; each
    item's first term is its name."""
    voice = snapshot.get("voice", {})
    needs = snapshot.get("needs", [])
    goals = snapshot.get("goals", [])
    need_labels = {n["id"]: _text(n.get("label")) for n in needs}
    return {
        "voice": {
            "voice": {
                label: (_text(voice.get(key)), _text(voice.get(key))) for key, label in VOICE_FIELDS
            }
        },
        "needs": {
            str(need["id"]): {
                "Need": (_text(need.get("label")), _text(need.get("label"))),
                "Detail": (_text(need.get("detail")), _text(need.get("detail"))),
                "Who it is about": (
                    sorted(need.get("member_ids", [])),
                    _people(need.get("members")),
                ),
            }
            for need in needs
        },
        "goals": {
            str(goal["id"]): {
                "Goal": (_text(goal.get("title")), _text(goal.get("title"))),
                "Detail": (_text(goal.get("description")), _text(goal.get("description"))),
                "Needs it covers": (
                    sorted(goal.get("needs", [])),
                    _text(
                        sorted(need_labels[n] for n in goal.get("needs", []) if n in need_labels)
                    ),
                ),
                "Who it is for": (sorted(goal.get("member_ids", [])), _people(goal.get("members"))),
            }
            for goal in goals
        },
        "actions": {
            str(action["id"]): {
                "Action": (_text(action.get("description")), _text(action.get("description"))),
                "Goal": (goal["id"], _text(goal.get("title"))),
                "Who will do it": (
                    [
                        action.get("owner"),
                        action.get("agency_id"),
                        action.get("practitioner_id"),
                        action.get("family_member_id"),
                    ],
                    _text(action.get("who")),
                ),
                "Due date": (action.get("due_on"), format_date(action.get("due_on"))),
            }
            for goal in goals
            for action in goal.get("actions", [])
        },
    }


def agreed_terms(snapshot: Mapping[str, Any]) -> dict[str, Any]:
    """What the family agrees to in ``snapshot``, as plain data (values only)."""
    return {
        section: {
            item_id: {label: value for label, (value, _) in terms.items()}
            for item_id, terms in items.items()
        }
        for section, items in _terms(snapshot).items()
    }


def terms_fingerprint(snapshot: Mapping[str, Any]) -> str:
    """A digest of ``agreed_terms(snapshot)``: equal for two snapshots exactly when the
    family would be agreeing the same plan."""
    text = json.dumps(agreed_terms(snapshot), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _terms_compare(old: Mapping[str, Any], new: Mapping[str, Any]) -> PlanComparison:
    before, after = _terms(old), _terms(new)
    voice_before, voice_after = before["voice"]["voice"], after["voice"]["voice"]
    voice = tuple(
        FieldChange(label, voice_before[label][1], shown)
        for label, (value, shown) in voice_after.items()
        if voice_before[label][0] != value
    )
    sections: dict[str, tuple[ItemChange, ...]] = {}
    for section, _ in _ITEM_KINDS:
        old_items, new_items = before[section], after[section]
        changes: list[ItemChange] = []
        # The newer version's order, then anything removed in the older one's order.
        for item_id in [*new_items, *(i for i in old_items if i not in new_items)]:
            a, b = old_items.get(item_id), new_items.get(item_id)
            if a is None and b is not None:
                fields = tuple(FieldChange(k, "", t[1]) for k, t in b.items() if t[1])
                changes.append(ItemChange(next(iter(b.values()))[1], ADDED, fields))
            elif b is None and a is not None:
                fields = tuple(FieldChange(k, t[1], "") for k, t in a.items() if t[1])
                changes.append(ItemChange(next(iter(a.values()))[1], REMOVED, fields))
            elif a is not None and b is not None:
                fields = tuple(
                    FieldChange(k, a[k][1], t[1]) for k, t in b.items() if a[k][0] != t[0]
                )
                if fields:
                    changes.append(ItemChange(next(iter(b.values()))[1], CHANGED, fields))
        sections[section] = tuple(changes)
    return PlanComparison(
        plan=voice, needs=sections["needs"], goals=sections["goals"], actions=sections["actions"]
    )


NO_CHANGES = PlanComparison((), (), (), ())


def _count(comparison: PlanComparison) -> int:
    return sum(
        len(part)
        for part in (comparison.plan, comparison.needs, comparison.goals, comparison.actions)
    )


@dataclass(frozen=True)
class AgreementChanges:
    """Where the plan stands with the family, and what changed since they agreed it.

    ``status`` is the same for every viewer; ``shown`` leaves out what the viewer may not
    see, and ``hidden`` counts the changes left out."""

    status: AgreementStatus
    shown: PlanComparison = NO_CHANGES
    hidden: int = 0

    @property
    def is_agreed(self) -> bool:
        return self.status == AgreementStatus.AGREED

    @property
    def changed(self) -> bool:
        return self.status == AgreementStatus.CHANGED

    @property
    def in_words(self) -> list[str]:
        return changes_in_words(self.shown)


def changes_since_agreed(
    agreed: Mapping[str, Any] | None, current: Mapping[str, Any], *, sees_restricted: bool
) -> AgreementChanges:
    """Whether the plan as it stands (snapshot ``current``) is the plan the family last
    agreed (snapshot ``agreed``, None when they never agreed one), and if not, what in
    it changed: the needs, goals and actions added, removed or changed, and which of
    the family's words changed (see "What the family agrees to" above).

    For a viewer who may not see restricted information, the changes to restricted
    needs and to goals that serve only them (restricted before or after the change,
    with their actions) are left out of what is shown and only counted, by the same rule
    as ``plans.restricted``."""
    if agreed is None:
        return AgreementChanges(AgreementStatus.NOT_AGREED)
    full = _terms_compare(agreed, current)
    if not full.has_changes:
        return AgreementChanges(AgreementStatus.AGREED)
    shown = full
    if not sees_restricted:
        old, new = snapshot_restricted_items(agreed), snapshot_restricted_items(current)
        both = RestrictedItems(old.need_ids | new.need_ids, old.goal_ids | new.goal_ids)
        shown = _terms_compare(snapshot_without(agreed, both), snapshot_without(current, both))
    return AgreementChanges(AgreementStatus.CHANGED, shown, max(0, _count(full) - _count(shown)))


def changes_in_words(comparison: PlanComparison) -> list[str]:
    """One line per change, as the pages, the printed plan and the API say it:
    "Goal added: ...", "Action changed: ... (due date, who will do it)",
    "What is working well: changed"."""
    lines = [f"{change.label}: changed" for change in comparison.plan]
    for section, kind in _ITEM_KINDS:
        for item in getattr(comparison, section):
            if item.change == CHANGED:
                fields = ", ".join(f.label.lower() for f in item.fields)
                lines.append(f"{kind} changed: {item.name} ({fields})")
            else:
                lines.append(f"{kind} {item.change}: {item.name}")
    return lines


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
