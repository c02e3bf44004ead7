"""Who may nominate families and who screens them (DOMAIN.md 2 and 3)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from agencies.lcgs.selectors import lcg_ids_coordinated_by
from agencies.models import LCG, AnyUser
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


def _lcg_ids(user: AnyUser) -> QuerySet[Any, Any] | None:
    """The LCGs whose work ``user`` does, as a query of their ids; ``None`` for a
    programme manager, who works for every LCG and for the families outside them all."""
    staff = staff_for(user)
    if staff is not None and staff.has_role(Role.PROGRAMME_MANAGER):
        return None
    if staff is not None and staff.has_role(Role.LCG_COORDINATOR):
        return lcg_ids_coordinated_by(staff.pk)
    return LCG.objects.none().values("pk")


def lcg_work_scope(user: AnyUser) -> Q:
    """The LCGs whose work ``user`` sees, as a filter on ``LCG``: every LCG for a
    programme manager, the LCGs they coordinate for a coordinator, none for others.
    Their waiting lists, statements, targets and meetings follow it."""
    ids = _lcg_ids(user)
    return Q() if ids is None else Q(pk__in=ids)


def screening_scope(user: AnyUser) -> Q:
    """The families ``user`` screens, as a filter on ``Family`` (nothing for others): the
    families of the LCGs of ``lcg_work_scope``, and for a programme manager also those
    outside every LCG.

    Narrower than ``families.access.access.family_scope`` for a coordinator who also does case
    work: screening is an LCG's decision, so only the LCG's families are on their list.
    """
    ids = _lcg_ids(user)
    return Q() if ids is None else Q(lcg_id__in=ids)


def can_screen_family(user: AnyUser, family: Family) -> bool:
    """A coordinator of the family's LCG, or a programme manager."""
    return Family.objects.filter(screening_scope(user), pk=family.pk).exists()
