"""Who allocates families: the LCG's coordinators and programme managers (DOMAIN.md 2)."""

from __future__ import annotations

from django.db.models import Q

from agencies.models import AnyUser
from agencies.roles import Role
from families.access.access import staff_for
from families.models import Family
from lcgs.screening.access import screening_scope


def can_allocate(user: AnyUser) -> bool:
    """LCG coordinators allocate the families of their LCGs; programme managers allocate
    any family, the unassigned list's too. Both see key workers' caseloads to choose."""
    staff = staff_for(user)
    return staff is not None and (
        staff.has_role(Role.PROGRAMME_MANAGER) or staff.has_role(Role.LCG_COORDINATOR)
    )


def allocation_scope(user: AnyUser) -> Q:
    """The families ``user`` allocates, as a filter on ``Family`` (nothing for others):
    the families their LCG decides on, the same as screening's
    (``lcgs.screening.access.screening_scope``), so a coordinator who also leads
    families allocates only their LCGs' families, not the ones they see as a lead."""
    return screening_scope(user)


def can_allocate_family(user: AnyUser, family: Family) -> bool:
    """A coordinator of the family's LCG, or a programme manager."""
    return Family.objects.filter(allocation_scope(user), pk=family.pk).exists()
