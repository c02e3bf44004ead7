"""Who may change a family's household records: the one rule, for pages and the API."""

from __future__ import annotations

from django.utils import timezone

from agencies.models import AnyUser
from agencies.roles import Role
from families.access.access import staff_for
from families.access.grants import open_grants_q
from families.grants_models import Grant, GrantReason
from families.models import Family

CORRECT_DENIED = (
    "Only the family's lead professional and its LCG's coordinators can change its "
    "household records"
)


def can_correct_household(user: AnyUser, family: Family) -> bool:
    """Adding and ending household members, changing their roles, correcting a person's
    details and changing, correcting or protecting the family's address: the family's
    current lead professional (the key worker whose lead professional grant is open) and
    the coordinators of the family's LCG. Nobody else, programme-wide roles included:
    these are the records the people working with the family keep right."""
    staff = staff_for(user)
    if staff is None:
        return False
    if (
        staff.has_role(Role.LCG_COORDINATOR)
        and family.lcg_id is not None
        and staff.lcg_memberships.filter(lcg_id=family.lcg_id, is_coordinator=True).exists()
    ):
        return True
    return Grant.objects.filter(
        open_grants_q(timezone.now()),
        family=family,
        user_id=staff.user_id,
        reason=GrantReason.LEAD_PROFESSIONAL,
    ).exists()
