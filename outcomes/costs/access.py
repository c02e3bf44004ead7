"""Who sees costs avoided and who sets its figures (DOMAIN.md 2 and 6).

Programme managers prove the programme's value: they see costs avoided and set the unit
cost table and the programme's spend. Senior officers and internal auditors read the
same pages (they answer for and check the council's claims of value) but change
nothing. Everyone else is refused. The families behind each figure are listed only
within the viewer's family scope (``families.access.access.family_scope``), which for
these programme-wide roles is every family.
"""

from __future__ import annotations

from agencies.models import AnyUser
from agencies.roles import Role
from families.access.access import staff_for

DENIED = "Only programme managers, senior officers and internal auditors see costs avoided"
CHANGE_DENIED = "Only programme managers change the unit costs and the programme's spend"
# The routes' access rules, in words (oneplan.access_rules).
SEE_RULE = "programme managers, senior officers and internal auditors (read-only)"
CHANGE_RULE = "programme managers"


def can_see_costs(user: AnyUser) -> bool:
    """Programme managers, senior officers and internal auditors see costs avoided:
    the totals, the families and events behind them, and the unit cost table."""
    staff = staff_for(user)
    return staff is not None and (
        staff.has_role(Role.PROGRAMME_MANAGER)
        or staff.has_role(Role.SENIOR_OFFICER)
        or staff.has_role(Role.INTERNAL_AUDITOR)
    )


def can_change_costs(user: AnyUser) -> bool:
    """Programme managers set the unit cost table and the programme's spend per year
    (configuration of the programme, DOMAIN.md 2)."""
    staff = staff_for(user)
    return staff is not None and staff.has_role(Role.PROGRAMME_MANAGER)
