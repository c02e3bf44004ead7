"""Who may see and change a family's single family plan.

Plans inherit their family's permissions (``families.access.access``): nobody gets a plan
permission the family does not give them. The only plan-specific rule is the narrow
one that lets an agency's own case workers keep their own actions up to date.
"""

from __future__ import annotations

from agencies.models import AnyUser, Staff
from families.access.access import CASE_WORK_ROLES, family_permissions, staff_for
from families.access.perms import MANAGE_TEAM, VIEW
from families.models import Family
from plans.models import Action


def can_view_plan(user: AnyUser, family: Family) -> bool:
    """Anyone who can see the family can see its plan: the lead professional, the
    agencies on the team around the family, the LCG's coordinators and the
    programme-wide roles. Restricted needs have their own rule on top of this."""
    return VIEW in family_permissions(user, family)


def can_edit_plan(user: AnyUser, family: Family) -> bool:
    """Building the plan (voice, needs, goals, any action) is the job of the lead
    professional and the coordinators of the family's LCG: the people who manage the
    team around the family. Programme managers oversee plans but do not write them."""
    return MANAGE_TEAM in family_permissions(user, family)


def can_update_action(user: AnyUser, action: Action) -> bool:
    """Whoever can edit the plan; or a case worker (agency practitioner or key worker)
    of the agency the action belongs to, who can see the family, when the action names
    no practitioner or names them. They may change its status and add progress notes,
    nothing else."""
    family = action.plan.family
    return action_updatable(staff_for(user), family_permissions(user, family), action)


def action_updatable(staff: Staff | None, permissions: frozenset[str], action: Action) -> bool:
    """``can_update_action`` given the user's staff profile and their permissions on the
    action's family, worked out once (so a page of many actions costs no queries)."""
    if MANAGE_TEAM in permissions:
        return True
    if VIEW not in permissions or staff is None:
        return False
    if not set(staff.roles) & CASE_WORK_ROLES:
        return False
    if action.agency_id is None or action.agency_id != staff.agency_id:
        return False
    return action.practitioner_id is None or action.practitioner_id == staff.pk
