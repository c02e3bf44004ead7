"""Hooks this area registers when Django starts: the family page's nominations panel."""

from __future__ import annotations

from agencies.models import User
from families.models import Family
from families.panels import PanelContext, register_family_panel
from families.states import FamilyStatus


def nominations_panel(user: User, family: Family, permissions: frozenset[str]) -> PanelContext:
    """ "Nominations": the family's nominations this user may see, the way to nominate it
    (while it waits to be screened) and, for those who screen it, the way to decide."""
    from lcgs.screening.access import can_nominate, can_screen
    from lcgs.screening.selectors import nominations_for_family, screening_list_for_user
    from outcomes.models import Nomination, NominationStatus

    nominations = nominations_for_family(user, family)
    waiting = family.status == FamilyStatus.IDENTIFIED
    staff = user.staff_or_none
    # Asked directly: a colleague's open nomination is not in the list this user reads,
    # but it still means the agency has nominated the family.
    may_nominate = waiting and can_nominate(user)
    own_agency_open = (
        staff is not None
        and may_nominate
        and Nomination.objects.filter(
            family=family, agency_id=staff.agency_id, status=NominationStatus.OPEN
        ).exists()
    )
    may_screen = (
        waiting
        and can_screen(user)
        and screening_list_for_user(user, reference=family.reference).exists()
    )
    if not (nominations or may_nominate or may_screen):
        return None
    return "lcgs/screening/_family_panel.html", {
        "family": family,
        "nominations": nominations,
        "can_nominate": may_nominate and not own_agency_open,
        "own_agency_open": own_agency_open,
        "can_screen": may_screen,
    }


def ready() -> None:
    register_family_panel("nominations", 15, nominations_panel)
