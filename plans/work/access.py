"""Who may use the daily-work pages: my actions and my families.

Both pages list only what ``families.access.access.family_scope`` lets the user see; these
rules say which roles the pages are for at all.
"""

from __future__ import annotations

from agencies.models import AnyUser
from agencies.roles import Role
from families.access.access import CASE_WORK_ROLES, staff_for


def can_view_my_actions(user: AnyUser) -> bool:
    """Case workers (agency practitioners and family support workers): the people an
    agency's plan actions belong to. Coordinators, programme-wide roles and system
    administrators own no actions."""
    staff = staff_for(user)
    return staff is not None and bool(set(staff.roles) & CASE_WORK_ROLES)


def can_view_my_families(user: AnyUser) -> bool:
    """Case workers, for the families they lead as lead professional (a partner
    agency's practitioner can lead a family too), and LCG coordinators, for the
    families led in the LCGs they coordinate."""
    staff = staff_for(user)
    return staff is not None and bool(set(staff.roles) & (CASE_WORK_ROLES | {Role.LCG_COORDINATOR}))
