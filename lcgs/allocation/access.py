"""Who allocates families: the LCG's coordinators and programme managers (DOMAIN.md 2)."""

from __future__ import annotations

from django.db.models import Q

from agencies.models import AnyUser, LCGMembership
from agencies.roles import Role
from families.access.access import staff_for
from families.models import Family


def can_allocate(user: AnyUser) -> bool:
    """LCG coordinators allocate the families of their LCGs; programme managers allocate
    any family, the unassigned list's too. Both see key workers' caseloads to choose."""
    staff = staff_for(user)
    return staff is not None and (
        staff.has_role(Role.PROGRAMME_MANAGER) or staff.has_role(Role.LCG_COORDINATOR)
    )


def allocation_scope(user: AnyUser) -> Q:
    """The families ``user`` allocates, as a filter on ``Family`` (nothing for others).

    An LCG's decision, so a coordinator who also leads families allocates only their
    LCGs' families, not the ones they can see as a lead professional.
    """
    staff = staff_for(user)
    if staff is None:
        return Q(pk__in=[])
    if staff.has_role(Role.PROGRAMME_MANAGER):
        return Q()
    if staff.has_role(Role.LCG_COORDINATOR):
        return Q(
            lcg_id__in=LCGMembership.objects.filter(staff=staff, is_coordinator=True).values(
                "lcg_id"
            )
        )
    return Q(pk__in=[])


def can_allocate_family(user: AnyUser, family: Family) -> bool:
    """A coordinator of the family's LCG, or a programme manager."""
    return Family.objects.filter(allocation_scope(user), pk=family.pk).exists()
