"""Who may nominate families and who screens them (DOMAIN.md 2 and 3)."""

from __future__ import annotations

from django.db.models import Q

from agencies.lcgs.selectors import lcg_list_coordinated_by
from agencies.models import AnyUser
from agencies.roles import Role
from families.access.access import staff_for
from families.models import Family

# Professionals who work with families, and the LCG's coordinators, may nominate.
NOMINATING_ROLES = frozenset(
    {Role.FAMILY_SUPPORT_WORKER, Role.AGENCY_PRACTITIONER, Role.LCG_COORDINATOR}
)


def can_nominate(user: AnyUser) -> bool:
    """Key workers, agency practitioners and LCG coordinators nominate families: ones
    they can already see, or ones OnePlan does not know yet."""
    staff = staff_for(user)
    return staff is not None and bool(set(staff.roles) & NOMINATING_ROLES)


def can_screen(user: AnyUser) -> bool:
    """LCG coordinators screen the families of their LCGs; programme managers screen
    every LCG's and the unassigned list (families outside every LCG)."""
    staff = staff_for(user)
    return staff is not None and (
        staff.has_role(Role.PROGRAMME_MANAGER) or staff.has_role(Role.LCG_COORDINATOR)
    )


def screening_scope(user: AnyUser) -> Q:
    """The families ``user`` screens, as a filter on ``Family`` (nothing for others).

    Narrower than ``families.access.access.family_scope`` for a coordinator who also does case
    work: screening is an LCG's decision, so only the LCG's families are on their list.
    """
    staff = staff_for(user)
    if staff is None:
        return Q(pk__in=[])
    if staff.has_role(Role.PROGRAMME_MANAGER):
        return Q()
    if staff.has_role(Role.LCG_COORDINATOR):
        return Q(lcg_id__in=lcg_list_coordinated_by(staff.pk).values("pk"))
    return Q(pk__in=[])


def can_screen_family(user: AnyUser, family: Family) -> bool:
    """A coordinator of the family's LCG, or a programme manager."""
    return Family.objects.filter(screening_scope(user), pk=family.pk).exists()
