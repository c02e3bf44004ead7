"""Who may see and make claims (DOMAIN.md 2): programme managers make and change claim
batches; internal auditors read them (they audit the sample); nobody else sees them."""

from __future__ import annotations

from agencies.models import AnyUser
from agencies.roles import Role
from families.access.access import staff_for


def can_make_claims(user: AnyUser) -> bool:
    staff = staff_for(user)
    return staff is not None and staff.has_role(Role.PROGRAMME_MANAGER)


def can_see_claims(user: AnyUser) -> bool:
    staff = staff_for(user)
    return staff is not None and (
        staff.has_role(Role.PROGRAMME_MANAGER) or staff.has_role(Role.INTERNAL_AUDITOR)
    )


def can_audit_claims(user: AnyUser) -> bool:
    staff = staff_for(user)
    return staff is not None and staff.has_role(Role.INTERNAL_AUDITOR)
