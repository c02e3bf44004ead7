"""Which plan content is restricted information (DOMAIN.md section 7): the pure rule.

- A **need** is restricted when it reveals domestic abuse, health or substance use.
- A **goal** is restricted when every need it works towards is restricted: "keep safe
  from domestic abuse" would disclose the need itself. A goal with no need, or with at
  least one ordinary need, is not restricted.
- An **action** is restricted when its goal is, and so are its progress notes.
- A **saved version** of the plan is restricted when the change it records added,
  removed or changed a restricted goal or its actions: its summary names them.

No ORM, no clock. ``plans.visibility`` applies this rule for a viewer (the one function
every page, API, export and job calls to decide what of a plan someone may see); its SQL
form of the goal rule is tested against ``goal_is_restricted`` case by case.

A snapshot is the JSON ``plans.plan.services.plan_snapshot`` stores in ``PlanVersion``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

RESTRICTED_NEED_CODES = frozenset({"domestic_abuse", "health", "substance_use"})


def is_restricted_need(code: str) -> bool:
    """Needs that reveal domestic abuse, health or substance use."""
    return code in RESTRICTED_NEED_CODES


def goal_is_restricted(need_codes: Collection[str]) -> bool:
    """A goal is restricted when every need it works towards is restricted."""
    return bool(need_codes) and all(is_restricted_need(code) for code in need_codes)


@dataclass(frozen=True)
class RestrictedItems:
    """The restricted needs and goals of one plan, by id. Actions follow their goal."""

    need_ids: frozenset[int]
    goal_ids: frozenset[int]

    @property
    def count(self) -> int:
        return len(self.need_ids) + len(self.goal_ids)


NONE_RESTRICTED = RestrictedItems(frozenset(), frozenset())


def restricted_items(
    need_codes: Mapping[int, str], goal_needs: Mapping[int, Collection[int]]
) -> RestrictedItems:
    """Which needs and goals are restricted, given each need's code (by id) and each
    goal's need ids. A goal's need missing from ``need_codes`` counts as ordinary."""
    return RestrictedItems(
        need_ids=frozenset(i for i, code in need_codes.items() if is_restricted_need(code)),
        goal_ids=frozenset(
            goal_id
            for goal_id, need_ids in goal_needs.items()
            if goal_is_restricted([need_codes.get(n, "") for n in need_ids])
        ),
    )


def snapshot_restricted_items(snapshot: Mapping[str, Any]) -> RestrictedItems:
    """``restricted_items`` of a saved version's snapshot."""
    return restricted_items(
        {n["id"]: n.get("code", "") for n in snapshot.get("needs", [])},
        {g["id"]: g.get("needs", []) for g in snapshot.get("goals", [])},
    )


def snapshot_without(snapshot: Mapping[str, Any], items: RestrictedItems) -> dict[str, Any]:
    """The snapshot with these needs and goals (and the goals' actions) left out, and
    the hidden needs left out of every other goal's list of needs."""
    visible = dict(snapshot)
    visible["needs"] = [n for n in snapshot.get("needs", []) if n["id"] not in items.need_ids]
    visible["goals"] = [
        {**g, "needs": [n for n in g.get("needs", []) if n not in items.need_ids]}
        for g in snapshot.get("goals", [])
        if g["id"] not in items.goal_ids
    ]
    return visible


def snapshot_for_viewer(
    snapshot: Mapping[str, Any], *, sees_restricted: bool
) -> tuple[dict[str, Any], int]:
    """The snapshot as the viewer may see it, with how many needs and goals were left
    out (0 for a viewer who may see restricted information)."""
    if sees_restricted:
        return dict(snapshot), 0
    items = snapshot_restricted_items(snapshot)
    if not items.count:
        return dict(snapshot), 0
    return snapshot_without(snapshot, items), items.count


def _by_id(rows: Any) -> dict[int, Any]:
    return {row["id"]: row for row in rows or []}


def change_touches_restricted(before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> bool:
    """Whether the change from ``before`` to ``after`` added, removed or changed a goal
    (with its actions and their progress) that is restricted in either: the summaries of
    such changes name the goal or action. Changes to restricted needs alone do not count:
    their summaries never name them ("Need added: a restricted need").

    ``before`` is None for the plan's first version, whose summary names no goal
    ("Plan started", or a plan written with the family in one go): not a change."""
    if before is None:
        return False
    before_goals, after_goals = _by_id(before.get("goals")), _by_id(after.get("goals"))
    old, new = snapshot_restricted_items(before), snapshot_restricted_items(after)
    return any(
        before_goals.get(goal_id) != after_goals.get(goal_id)
        for goal_id in old.goal_ids | new.goal_ids
    )
