"""Goals of the plan, each covering needs and members."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from agencies.models import User
from families.models import Family, Person
from oneplan.errors import ApplicationError
from plans.models import (
    Goal,
    GoalStatus,
    Need,
    Plan,
)
from plans.plan import rules
from plans.plan.services.common import PlanConflict, clip, plan_lock, require_edit
from plans.plan.services.needs import current_members
from plans.plan.services.versions import plan_change_record

# ---------------------------------------------------------------------------
# Goals
# ---------------------------------------------------------------------------


def _family_needs(family: Family, needs: Sequence[Need]) -> list[Need]:
    if any(n.family_id != family.pk for n in needs):
        raise ApplicationError("Select needs of this family", field="needs")
    return list(needs)


@transaction.atomic
def goal_create(
    *,
    actor: User,
    plan: Plan,
    title: str,
    description: str = "",
    needs: Sequence[Need] = (),
    members: Sequence[Person] = (),
    permissions: frozenset[str] | None = None,
) -> Goal:
    """Add a goal: what the family and the team are working towards, the needs it
    covers and the family members it is for. New goals go to the end of the plan."""
    require_edit(actor, plan.family, permissions, "You cannot change this plan")
    locked = plan_lock(plan.pk)
    title = title.strip()
    if not title:
        raise ApplicationError("Enter the goal", field="title")
    now = timezone.now()
    last = Goal.objects.filter(plan=locked).aggregate(last=Max("position"))["last"]
    goal = Goal(
        plan=locked,
        title=title,
        description=description.strip(),
        position=0 if last is None else last + 1,
        created_by=actor,
        created_at=now,
        updated_by=actor,
        updated_at=now,
    )
    goal.full_clean()
    goal.save()
    goal.needs.set(_family_needs(locked.family, needs))
    goal.members.set(current_members(locked.family, members, "members"))
    plan_change_record(actor=actor, plan=locked, summary=f"Goal added: {clip(title)}")
    return goal


@transaction.atomic
def goal_update(
    *,
    actor: User,
    goal: Goal,
    expected_version: int,
    title: str,
    description: str,
    status: str,
    needs: Sequence[Need],
    members: Sequence[Person],
    permissions: frozenset[str] | None = None,
) -> Goal:
    """Change a goal. Refused with ``PlanConflict`` if the goal was saved by someone
    else after ``expected_version`` (the goal's version the editor started from)."""
    plan = Plan.objects.select_related("family").get(pk=goal.plan_id)
    require_edit(actor, plan.family, permissions, "You cannot change this plan")
    locked_plan = plan_lock(plan.pk)
    locked = (
        Goal.objects.select_for_update(of=("self",)).select_related("updated_by").get(pk=goal.pk)
    )
    if locked.version != expected_version:
        raise PlanConflict(
            current=locked,
            changed_by=locked.updated_by,
            changed_at=locked.updated_at,
            what="this goal",
        )
    title = title.strip()
    if not title:
        raise ApplicationError("Enter the goal", field="title")
    if status not in GoalStatus.values:
        raise ApplicationError("Select the goal's status", field="status")
    wanted_needs = _family_needs(locked_plan.family, needs)
    wanted_members = current_members(locked_plan.family, members, "members")
    before = {
        "title": locked.title,
        "description": locked.description,
        "status": locked.status,
        "needs": sorted(locked.needs.values_list("pk", flat=True)),
        "members": sorted(locked.members.values_list("pk", flat=True)),
    }
    after = {
        "title": title,
        "description": description.strip(),
        "status": status,
        "needs": sorted(n.pk for n in wanted_needs),
        "members": sorted(p.pk for p in wanted_members),
    }
    if before == after:
        return locked
    labels = dict(rules.GOAL_FIELDS)
    labels["title"] = "title"
    changed = [labels[key].lower() for key in before if before[key] != after[key]]
    locked.title = title
    locked.description = description.strip()
    locked.status = status
    locked.version += 1
    locked.updated_by = actor
    locked.updated_at = timezone.now()
    locked.full_clean()
    locked.save()
    locked.needs.set(wanted_needs)
    locked.members.set(wanted_members)
    plan_change_record(
        actor=actor,
        plan=locked_plan,
        summary=f"Goal changed: {clip(title)} ({', '.join(changed)})",
    )
    return locked
