"""Who works with intensive support nominations (DOMAIN.md 1 twin track, 2 roles).

- An LCG's coordinators nominate the LCG's families, see its waiting list and the
  providers' places, and withdraw its nominations; programme managers do all of it for
  every LCG, and set each provider's contracted places.
- A provider's staff (a case work role at an intensive support provider) see the
  nominations made to their agency, and accept or decline them.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from agencies.models import AgencyKind, AnyUser, Staff
from agencies.roles import Role
from families.access.access import CASE_WORK_ROLES, staff_for
from families.models import Family
from lcgs.allocation.access import allocation_scope, can_allocate


def provider_staff(user: AnyUser) -> Staff | None:
    """``user``'s staff profile when they do case work at an intensive support provider
    (an active agency); None for everyone else."""
    staff = staff_for(user)
    if staff is None or not set(staff.roles) & CASE_WORK_ROLES:
        return None
    agency = staff.agency
    if agency.kind != AgencyKind.INTENSIVE_SUPPORT_PROVIDER or not agency.is_active:
        return None
    return staff


def provider_deciders(provider_id: int) -> QuerySet[Staff]:
    """The staff who decide on ``provider``'s nominations (``provider_staff`` of them):
    active users doing case work at the provider, while it is an active provider. A
    test holds the two to the same people."""
    return Staff.objects.filter(
        agency_id=provider_id,
        agency__kind=AgencyKind.INTENSIVE_SUPPORT_PROVIDER,
        agency__is_active=True,
        user__is_active=True,
        roles__overlap=sorted(CASE_WORK_ROLES),
    )


def can_decide(user: AnyUser) -> bool:
    """Provider staff accept or decline the nominations made to their own agency."""
    return provider_staff(user) is not None


def can_nominate(user: AnyUser) -> bool:
    """LCG coordinators (for their LCGs' families) and programme managers (any family)
    nominate to intensive support: it is the LCG's allocation decision."""
    return can_allocate(user)


def can_set_places(user: AnyUser) -> bool:
    """Only programme managers set the places each provider is contracted for."""
    staff = staff_for(user)
    return staff is not None and staff.has_role(Role.PROGRAMME_MANAGER)


def can_see_nominations(user: AnyUser) -> bool:
    return can_nominate(user) or can_decide(user)


def nomination_scope(user: AnyUser) -> Q:
    """The nominations ``user`` sees, as a filter on ``IntensiveNomination``: a
    programme manager every one; a coordinator those of their LCGs' families; provider
    staff those made to their agency; nobody else any."""
    staff = staff_for(user)
    if staff is None:
        return Q(pk__in=[])
    scope = Q(pk__in=[])
    if can_nominate(user):
        families = allocation_scope(user)
        if families == Q():
            return Q()
        scope |= Q(family__in=Family.objects.filter(families).values("pk"))
    provider = provider_staff(user)
    if provider is not None:
        scope |= Q(provider_id=provider.agency_id)
    return scope
