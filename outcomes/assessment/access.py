"""Who may do what with eligibility assessments and the local rules behind them."""

from __future__ import annotations

from agencies.models import AnyUser
from agencies.roles import Role
from families.access.access import staff_for


def can_edit_outcome_plan(user: AnyUser) -> bool:
    """Programme managers configure the programme's rules, including the local Troubled
    Families Outcome Plan (DOMAIN.md 2 and 4.2) and the local Supporting Families outcomes
    framework under the ten headlines (4.3); nobody else sees or changes them here."""
    staff = staff_for(user)
    return staff is not None and staff.has_role(Role.PROGRAMME_MANAGER)
