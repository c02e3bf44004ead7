"""Who sees the LCG money and who sets its rates and targets (DOMAIN.md 2 and 5).

The grant is the LCGs' income: programme managers see every LCG's statement and set the
rates and targets; an LCG's coordinators see their own LCG's statement, read-only.
Everyone else is refused.
"""

from __future__ import annotations

from agencies.models import LCG, AnyUser
from agencies.roles import Role
from families.access.access import staff_for
from lcgs.screening.access import can_screen, lcg_work_scope

DENIED = "Only LCG coordinators and programme managers see the LCG grant statement"
CHANGE_DENIED = "Only programme managers change the LCG grant rates and targets"
# The routes' access rules, in words (oneplan.access_rules).
SEE_RULE = "LCG coordinators (their LCGs' statement, read-only) and programme managers (every LCG)"
CHANGE_RULE = "programme managers"


def can_see_lcg_money(user: AnyUser) -> bool:
    """Programme managers see every LCG's grant statement; LCG coordinators see the
    statements of the LCGs they coordinate. Everyone else is refused."""
    return can_screen(user)


def can_change_lcg_money(user: AnyUser) -> bool:
    """Programme managers set the grant rates and each LCG's targets (configuration of
    the programme, DOMAIN.md 2). Coordinators see their targets but do not set them."""
    staff = staff_for(user)
    return staff is not None and staff.has_role(Role.PROGRAMME_MANAGER)


def lcgs_for_money(user: AnyUser) -> list[LCG]:
    """The LCGs of ``user``'s statement, by name (one query)."""
    return list(LCG.objects.filter(lcg_work_scope(user)).order_by("name"))
