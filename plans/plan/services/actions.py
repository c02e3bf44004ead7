"""Actions under goals: added, changed, updated by their agency, progress notes."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from agencies.models import Agency, Staff, User
from families.access.access import family_permissions, staff_for
from families.access.perms import MANAGE_TEAM
from families.access.services import team_member_add
from families.grants_models import LawfulBasis, TeamMember
from families.models import Family, HouseholdMembership, Person
from oneplan.errors import ApplicationError
from plans.models import (
    Action,
    ActionOwner,
    ActionProgressNote,
    ActionStatus,
    Goal,
    Plan,
    Review,
)
from plans.plan.access import action_updatable
from plans.plan.services.common import (
    ACTION_EDIT_FIELDS,
    ACTION_PROGRESS_FIELDS,
    CLOSED_ACTION_STATUSES,
    NoLawfulBasis,
    PlanConflict,
    clip,
    plan_lock,
    require,
    require_edit,
)
from plans.plan.services.versions import plan_change_record

# ---------------------------------------------------------------------------
# Actions
# ---------------------------------------------------------------------------


def _ensure_on_team(*, actor: User, family: Family, agency: Agency | None) -> None:
    """An agency given an action joins the team around the family, so its staff can
    see the plan. Refused, before anything is written, when sharing has no lawful
    basis."""
    if agency is None:
        return
    if TeamMember.objects.filter(family=family, agency=agency, removed_at__isnull=True).exists():
        return
    if not LawfulBasis.objects.filter(family=family, withdrawn_on__isnull=True).exists():
        raise NoLawfulBasis(
            f"{agency.name} is not on the team around the family, and it cannot be added "
            "until consent or a statutory gateway is recorded",
            field="agency",
        )
    team_member_add(actor=actor, family=family, agency=agency)


def _action_validate(action: Action, family: Family) -> None:
    if not action.description.strip():
        raise ApplicationError("Enter what will be done", field="description")
    if action.owner not in ActionOwner.values:
        raise ApplicationError("Select who will do this", field="owner")
    if action.owner == ActionOwner.AGENCY:
        if action.agency is None:
            raise ApplicationError("Select the agency that will do this", field="agency")
        if action.family_member_id is not None:
            raise ApplicationError(
                "Only a family commitment names a family member", field="family_member"
            )
        if action.practitioner is not None and action.practitioner.agency_id != action.agency.pk:
            raise ApplicationError(
                f"{action.practitioner.display_name} does not work for {action.agency.name}",
                field="practitioner",
            )
    else:
        action.agency = None
        action.practitioner = None
        if (
            action.family_member_id is not None
            and not HouseholdMembership.objects.filter(
                family=family, person_id=action.family_member_id, end_date__isnull=True
            ).exists()
        ):
            raise ApplicationError("Select someone who is in the family now", field="family_member")
    if action.status not in ActionStatus.values:
        raise ApplicationError("Select the action's status", field="status")
    action.not_done_reason = action.not_done_reason.strip()
    if action.status == ActionStatus.NOT_DONE:
        if not action.not_done_reason:
            raise ApplicationError("Enter why the action was not done", field="not_done_reason")
    else:
        action.not_done_reason = ""


@transaction.atomic
def action_create(
    *,
    actor: User,
    goal: Goal,
    description: str,
    owner: str,
    agency: Agency | None = None,
    practitioner: Staff | None = None,
    family_member: Person | None = None,
    due_on: datetime.date,
    review: Review | None = None,
    permissions: frozenset[str] | None = None,
) -> Action:
    """Add an action under a goal: what will be done, by an agency (optionally a named
    practitioner) or by the family as a commitment, and by when.

    An agency that is not yet on the team around the family is added to it (its staff
    then see the plan), which needs a lawful basis for sharing: without one the action
    is refused with ``NoLawfulBasis`` and nothing is written.
    """
    plan = Plan.objects.select_related("family").get(pk=goal.plan_id)
    require_edit(actor, plan.family, permissions, "You cannot change this plan")
    if due_on < timezone.localdate():
        raise ApplicationError("The due date must be today or in the future", field="due_on")
    now = timezone.now()
    action = Action(
        goal=goal,
        plan=plan,
        description=description.strip(),
        owner=owner,
        agency=agency,
        practitioner=practitioner,
        family_member=family_member,
        due_on=due_on,
        review=review,
        created_by=actor,
        created_at=now,
        updated_by=actor,
        updated_at=now,
    )
    _action_validate(action, plan.family)
    if review is not None and review.plan_id != plan.pk:
        raise ApplicationError("The review belongs to another plan", field="review")
    _ensure_on_team(actor=actor, family=plan.family, agency=action.agency)
    locked = plan_lock(plan.pk)
    action.full_clean()
    action.save()
    plan_change_record(
        actor=actor, plan=locked, summary=f"Action added: {clip(action.description)}"
    )
    return action


def _action_lock(action_id: int) -> Action:
    # Taken after the plan row (lock order: services/__init__.py).
    return (
        Action.objects.select_for_update(of=("self",))
        .select_related("agency", "practitioner__user", "family_member", "updated_by")
        .get(pk=action_id)
    )


def _action_checked(
    actor: User, action: Action, permissions: frozenset[str] | None
) -> tuple[Action, frozenset[str]]:
    """The action to check and the actor's permissions on its family. A caller that
    fetched the action with its access checked in this request passes the permissions
    it worked out, and they are trusted; otherwise both are read afresh, as any other
    caller needs."""
    if permissions is not None:
        return action, permissions
    fresh = Action.objects.select_related("plan__family").get(pk=action.pk)
    return fresh, family_permissions(actor, fresh.plan.family)


def _action_require(
    staff: Staff | None, permissions: frozenset[str], action: Action, fields: set[str]
) -> None:
    require(action_updatable(staff, permissions, action), "You cannot update this action")
    if fields - ACTION_PROGRESS_FIELDS:
        require(MANAGE_TEAM in permissions, "You can only update this action's status")


@transaction.atomic
def action_update(
    *,
    actor: User,
    action: Action,
    expected_version: int,
    permissions: frozenset[str] | None = None,
    **changes: Any,
) -> Action:
    """Change an action. ``changes`` may name description, owner, agency, practitioner,
    family_member, due_on, goal, status and not_done_reason.

    Whoever runs the plan may change anything; a practitioner or key worker of the
    action's own agency (``can_update_action``) may change only its status (with a
    reason when it was not done). Refused with ``PlanConflict`` if the action was saved
    by someone else after ``expected_version``. Moving it to another agency adds that
    agency to the team, as ``action_create`` does.

    ``permissions`` are the actor's permissions on the action's family when the caller
    has already worked them out (``plans.plan.selectors.action_for_user_or_404``); the
    rule is checked again from them, on the action as it is when locked.
    """
    unknown = set(changes) - ACTION_EDIT_FIELDS
    if unknown:
        raise TypeError(f"action_update cannot change {', '.join(sorted(unknown))}")
    checked, permissions = _action_checked(actor, action, permissions)
    staff = staff_for(actor)
    _action_require(staff, permissions, checked, set(changes))
    if "agency" in changes and changes.get("owner", checked.owner) == ActionOwner.AGENCY:
        # Before the plan row is locked: adding to the team may lock the family row.
        _ensure_on_team(actor=actor, family=checked.plan.family, agency=changes["agency"])
    locked_plan = plan_lock(checked.plan_id)
    locked = _action_lock(checked.pk)
    _action_require(staff, permissions, locked, set(changes))
    return _action_change(
        actor=actor, plan=locked_plan, action=locked, expected_version=expected_version, **changes
    )


def _action_change(
    *, actor: User, plan: Plan, action: Action, expected_version: int, **changes: Any
) -> Action:
    """Apply ``changes`` to an action locked (after its plan) by the caller, who has
    checked the actor may make them, and record the plan's new version."""
    locked = action
    if locked.version != expected_version:
        raise PlanConflict(
            current=locked,
            changed_by=locked.updated_by,
            changed_at=locked.updated_at,
            what="this action",
        )
    goal = changes.get("goal")
    if goal is not None and goal.plan_id != locked.plan_id:
        raise ApplicationError("Select a goal in this plan", field="goal")
    before = _action_values(locked)
    for key, value in changes.items():
        setattr(locked, key, value)
    _action_validate(locked, plan.family)
    after = _action_values(locked)
    changed = [key for key in before if before[key] != after[key]]
    locked.plan = plan
    if not changed:
        return locked
    if locked.status != before["status"]:
        locked.completed_on = (
            timezone.localdate() if locked.status in CLOSED_ACTION_STATUSES else None
        )
    locked.version += 1
    locked.updated_by = actor
    locked.updated_at = timezone.now()
    # Fields the change left alone were valid when saved, and the service sets its own
    # bookkeeping; the table's check constraints are the rules ``_action_validate``
    # states in words (and the database enforces them on save).
    locked.full_clean(
        exclude=[f.name for f in Action._meta.concrete_fields if f.name not in changed],
        validate_constraints=False,
    )
    locked.save()
    if changed == ["status"] or set(changed) <= ACTION_PROGRESS_FIELDS:
        summary = (
            f"Action status changed: {clip(locked.description)} is now "
            f"{ActionStatus(locked.status).label.lower()}"
        )
    else:
        summary = f"Action changed: {clip(locked.description)} ({', '.join(_labels(changed))})"
    plan_change_record(actor=actor, plan=plan, summary=summary, plan_locked=True)
    return locked


_ACTION_LABELS = {
    "description": "what",
    "owner": "who",
    "agency": "who",
    "practitioner": "who",
    "family_member": "who",
    "due_on": "due date",
    "goal": "goal",
    "status": "status",
    "not_done_reason": "reason",
}


def _labels(keys: list[str]) -> list[str]:
    seen: list[str] = []
    for key in keys:
        if _ACTION_LABELS[key] not in seen:
            seen.append(_ACTION_LABELS[key])
    return seen


def _action_values(action: Action) -> dict[str, Any]:
    return {
        "description": action.description,
        "owner": action.owner,
        "agency": action.agency_id,
        "practitioner": action.practitioner_id,
        "family_member": action.family_member_id,
        "due_on": action.due_on,
        "goal": action.goal_id,
        "status": action.status,
        "not_done_reason": action.not_done_reason,
    }


@transaction.atomic
def action_progress_note_add(
    *,
    actor: User,
    action: Action,
    text: str,
    permissions: frozenset[str] | None = None,
) -> ActionProgressNote:
    """Add a progress note to an action. Notes are only ever added, so they never
    conflict with other changes. ``permissions``: as for ``action_update``."""
    checked, permissions = _action_checked(actor, action, permissions)
    require(
        action_updatable(staff_for(actor), permissions, checked), "You cannot update this action"
    )
    text = text.strip()
    if not text:
        raise ApplicationError("Enter a progress note", field="text")
    locked_plan = plan_lock(checked.plan_id)
    return _progress_note_add(actor=actor, plan=locked_plan, action=checked, text=text)


def _progress_note_add(*, actor: User, plan: Plan, action: Action, text: str) -> ActionProgressNote:
    note = ActionProgressNote.objects.create(
        action=action, text=text, author=actor, created_at=timezone.now()
    )
    plan_change_record(
        actor=actor,
        plan=plan,
        summary=f"Progress note added: {clip(action.description)}",
        plan_locked=True,
    )
    return note


@transaction.atomic
def action_progress_record(
    *,
    actor: User,
    action: Action,
    expected_version: int,
    status: str,
    not_done_reason: str = "",
    note: str = "",
    permissions: frozenset[str] | None = None,
) -> Action:
    """The "update this action" page: a new status and/or a progress note, saved
    together or not at all.

    From a stale version, a save that would change the status or the reason is a
    conflict (``PlanConflict``); a save that only adds a note, leaving the status as it
    now stands, goes through, because a note overwrites nothing. A new status and a
    note are two changes to the plan (two versions), under one lock of the plan.
    ``permissions``: as for ``action_update``.
    """
    checked, permissions = _action_checked(actor, action, permissions)
    staff = staff_for(actor)
    _action_require(staff, permissions, checked, set(ACTION_PROGRESS_FIELDS))
    locked_plan = plan_lock(checked.plan_id)
    current = _action_lock(checked.pk)
    _action_require(staff, permissions, current, set(ACTION_PROGRESS_FIELDS))
    status_changes = status != current.status or (
        status == ActionStatus.NOT_DONE and not_done_reason.strip() != current.not_done_reason
    )
    if not status_changes and not note.strip():
        raise ApplicationError("Change the status or enter a progress note", field="note")
    updated = current
    if status_changes:
        updated = _action_change(
            actor=actor,
            plan=locked_plan,
            action=current,
            expected_version=expected_version,
            status=status,
            not_done_reason=not_done_reason,
        )
    if note.strip():
        _progress_note_add(actor=actor, plan=locked_plan, action=updated, text=note.strip())
    updated.plan = locked_plan
    return updated
