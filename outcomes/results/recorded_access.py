"""Who may record a family's outcomes, and who may read them (DOMAIN.md 4.3): the one
policy the page, the API and the service ask."""

from __future__ import annotations

from agencies.models import AnyUser
from families.access.access import family_permissions, staff_for
from families.access.perms import CHANGE, VIEW
from families.models import Family


def can_record_outcome(user: AnyUser, family: Family) -> bool:
    """Only the family's lead professional (the key worker who leads the family) records
    an outcome on its plan, while their lead professional's access to it is open. Not
    the LCG's coordinators, nor programme-wide roles: the outcome is the lead
    practitioner's own judgement, which internal audit then always checks."""
    staff = staff_for(user)
    return (
        staff is not None
        and family.lead_professional_id == staff.pk
        and CHANGE in family_permissions(user, family)
    )


def can_view_recorded_outcomes(user: AnyUser, family: Family) -> bool:
    """Anyone who can see the family reads its recorded outcomes (as they read its
    results); the reasons of restricted needs follow the restricted-information rule."""
    return VIEW in family_permissions(user, family)
