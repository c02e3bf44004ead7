"""Every write to a single family plan goes through a function here.

No lost updates: every edit carries the version the editor started from. Each service
locks the rows it changes (``select_for_update``) and compares that version with the
saved one; a save from a stale version raises ``PlanConflict`` naming who changed the
object and when, and nothing is written.

Every saved change ends with ``plan_change_record``, which bumps ``Plan.version`` and
stores a full snapshot in ``PlanVersion`` (so any two versions can be compared). Other
areas (reviews, agreements) call it too, inside their own transaction. It locks the plan
row itself, unless the caller took that lock first (``plan_locked=True``), so a save
locks the plan once.

Services that take ``permissions`` accept the actor's permissions on the family already
worked out by the view's fetch-with-check (``plans.plan.selectors``) and check the rule
again from them, without asking for the grants a second time.

Lock order, to rule out deadlocks between concurrent saves: the family row (only when
the team changes or needs are opened), then the plan row, then the goal or action.
"""

from __future__ import annotations

from plans.plan.services.actions import (
    action_create,
    action_progress_note_add,
    action_progress_record,
    action_update,
)
from plans.plan.services.common import (
    ACTION_EDIT_FIELDS,
    ACTION_PROGRESS_FIELDS,
    CLOSED_ACTION_STATUSES,
    SUMMARY_MAX,
    NoLawfulBasis,
    PlanConflict,
)
from plans.plan.services.goals import goal_create, goal_update
from plans.plan.services.needs import (
    IdentifiedNeeds,
    need_create,
    need_update,
    needs_identified_open,
)
from plans.plan.services.versions import plan_change_record, plan_snapshot, plan_snapshots
from plans.plan.services.voice import plan_get_or_create, plan_voice_update

__all__ = [
    "ACTION_EDIT_FIELDS",
    "ACTION_PROGRESS_FIELDS",
    "CLOSED_ACTION_STATUSES",
    "SUMMARY_MAX",
    "IdentifiedNeeds",
    "NoLawfulBasis",
    "PlanConflict",
    "action_create",
    "action_progress_note_add",
    "action_progress_record",
    "action_update",
    "goal_create",
    "goal_update",
    "need_create",
    "need_update",
    "needs_identified_open",
    "plan_change_record",
    "plan_get_or_create",
    "plan_snapshot",
    "plan_snapshots",
    "plan_voice_update",
]
