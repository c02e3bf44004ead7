"""Who may see and change which family: the interim policy until grants (issue 3).

Every list and fetch of families goes through ``family_scope``, so replacing this module
with the grant-based policy changes access everywhere at once. Superuser status gives no
case access: system administrators manage accounts, not families.
"""

from __future__ import annotations

from django.db.models import Q

from agencies.models import AnyUser, Staff, User
from agencies.roles import PROGRAMME_WIDE_ROLES, Role
from families.models import Family
from lcgs.models import LCGMembership


def _staff(user: AnyUser) -> Staff | None:
    if not user.is_authenticated or not user.is_active:
        return None
    assert isinstance(user, User)
    return user.staff_or_none


def family_scope(user: AnyUser) -> Q:
    """The families a user may see, as a filter (a Q matching nothing when none).

    - programme managers, internal auditors and data protection officers: every family;
    - LCG coordinators: every family in an LCG they coordinate;
    - family support workers: the families they lead;
    - agency practitioners: the families their agency leads.
    """
    staff = _staff(user)
    if staff is None:
        return Q(pk__in=[])
    roles = set(staff.roles)
    if roles & PROGRAMME_WIDE_ROLES:
        return Q()
    scope = Q(pk__in=[])
    if Role.LCG_COORDINATOR in roles:
        # A subquery, not a join, so a family never appears twice in a list.
        scope |= Q(
            lcg_id__in=LCGMembership.objects.filter(staff=staff, is_coordinator=True).values(
                "lcg_id"
            )
        )
    if Role.FAMILY_SUPPORT_WORKER in roles:
        scope |= Q(lead_professional=staff)
    if Role.AGENCY_PRACTITIONER in roles:
        scope |= Q(lead_agency_id=staff.agency_id)
    return scope


def can_view_families(user: AnyUser) -> bool:
    """Anyone with a case-working or oversight role; not system administrators alone."""
    staff = _staff(user)
    return staff is not None and bool(set(staff.roles) - {Role.SYSTEM_ADMINISTRATOR})


def can_change_status(user: AnyUser, family: Family) -> bool:
    """The lead professional, a coordinator of the family's LCG, or a programme manager."""
    staff = _staff(user)
    if staff is None:
        return False
    if staff.has_role(Role.PROGRAMME_MANAGER):
        return True
    if staff.has_role(Role.FAMILY_SUPPORT_WORKER) and family.lead_professional_id == staff.pk:
        return True
    return staff.has_role(Role.LCG_COORDINATOR) and _coordinates(staff, family)


def can_view_protected_address(user: AnyUser, family: Family) -> bool:
    """A refuge or safe address: the lead professional, the LCG's coordinators, the DPO."""
    staff = _staff(user)
    if staff is None:
        return False
    if staff.has_role(Role.DATA_PROTECTION_OFFICER):
        return True
    if family.lead_professional_id == staff.pk:
        return True
    return staff.has_role(Role.LCG_COORDINATOR) and _coordinates(staff, family)


def can_export_caseload_summary(user: AnyUser) -> bool:
    """Counts without personal data: programme managers and LCG coordinators."""
    staff = _staff(user)
    return staff is not None and (
        staff.has_role(Role.PROGRAMME_MANAGER) or staff.has_role(Role.LCG_COORDINATOR)
    )


def _coordinates(staff: Staff, family: Family) -> bool:
    if family.lcg_id is None:
        return False
    return staff.lcg_memberships.filter(lcg_id=family.lcg_id, is_coordinator=True).exists()
