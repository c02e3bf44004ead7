"""Who may record reviews and agreements, write case notes and read restricted ones.

Everything here rests on the family's permissions (``families.access.access``) and the plan's
(``plans.plan.access``); nothing grants more than the family does.
"""

from __future__ import annotations

from agencies.models import AnyUser
from families.access.access import CASE_WORK_ROLES, can_view_restricted, staff_for
from families.grants_models import TeamMember
from families.models import Family
from plans.plan.access import can_edit_plan, can_view_plan


def can_view_reviews(user: AnyUser, family: Family) -> bool:
    """Reviews, agreements, case notes and the chronology: anyone who can see the plan
    (the lead professional, the team around the family, the LCG's coordinators and the
    programme-wide roles). Restricted notes have their own rule on top of this."""
    return can_view_plan(user, family)


def can_record_review(user: AnyUser, family: Family) -> bool:
    """A review meeting changes the plan, so whoever can edit the plan records it: the
    lead professional and the coordinators of the family's LCG."""
    return can_edit_plan(user, family)


def can_agree_plan(user: AnyUser, family: Family) -> bool:
    """Recording that the family agreed the plan: whoever can edit the plan."""
    return can_edit_plan(user, family)


def can_add_case_note(user: AnyUser, family: Family) -> bool:
    """Whoever can edit the plan, and the case workers (agency practitioners and key
    workers) of an agency working with the family: an agency on the team around the
    family, or the lead agency. Oversight roles (programme manager, auditor, data
    protection officer) read notes but do not write them."""
    if can_edit_plan(user, family):
        return True
    if not can_view_plan(user, family):
        return False
    staff = staff_for(user)
    if staff is None or not set(staff.roles) & CASE_WORK_ROLES:
        return False
    if family.lead_agency_id is not None and family.lead_agency_id == staff.agency_id:
        return True
    return TeamMember.objects.filter(
        family=family, agency_id=staff.agency_id, removed_at__isnull=True
    ).exists()


def can_see_restricted_notes(user: AnyUser, family: Family) -> bool:
    """Restricted notes (and writing them) follow the family's restricted-information
    rule: the lead professional, the LCG's coordinators and the data protection
    officer. Everyone else sees nothing of them, not even how many there are."""
    return can_view_restricted(user, family)
