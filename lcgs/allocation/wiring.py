"""Hooks this area registers when Django starts: the family page's way to allocate."""

from __future__ import annotations

from agencies.models import User
from families.models import Family
from families.panels import PanelContext, register_family_panel
from families.states import TERMINAL_STATES, FamilyStatus


def allocation_panel(user: User, family: Family, permissions: frozenset[str]) -> PanelContext:
    """A link to allocate the family (once screened) or hand it over (once allocated),
    for the coordinators of its LCG and programme managers."""
    from lcgs.allocation.access import can_allocate, can_allocate_family

    if family.status in TERMINAL_STATES or family.status == FamilyStatus.IDENTIFIED:
        return None
    if not (can_allocate(user) and can_allocate_family(user, family)):
        return None
    return "lcgs/allocation/_family_panel.html", {
        "family": family,
        "handover": family.status != FamilyStatus.SCREENED,
    }


def ready() -> None:
    register_family_panel("allocation", 5, allocation_panel)
