"""Hooks this area registers when Django starts: the family page's intensive support
section."""

from __future__ import annotations

from agencies.models import User
from families.models import Family, Track
from families.panels import PanelContext, register_family_panel
from families.states import TERMINAL_STATES, FamilyStatus


def intensive_panel(user: User, family: Family, permissions: frozenset[str]) -> PanelContext:
    """ "Intensive support": the family's nominations and the way to nominate it, for
    the coordinators of its LCG and programme managers, once it has been screened."""
    from lcgs.allocation.access import can_allocate, can_allocate_family
    from lcgs.intensive.models import IntensiveNominationStatus
    from lcgs.intensive.selectors import nominations_for_family

    if family.status == FamilyStatus.IDENTIFIED:
        return None
    if not (can_allocate(user) and can_allocate_family(user, family)):
        return None
    nominations = list(nominations_for_family(family)[:5])
    if family.status in TERMINAL_STATES and not nominations:
        return None
    waiting = any(n.status == IntensiveNominationStatus.WAITING for n in nominations)
    may_nominate = (
        family.status not in TERMINAL_STATES and family.track != Track.INTENSIVE and not waiting
    )
    return "lcgs/intensive/_family_panel.html", {
        "family": family,
        "nominations": nominations,
        "can_nominate": may_nominate,
    }


def ready() -> None:
    register_family_panel("intensive-support", 6, intensive_panel)
