"""Who runs an LCG's meetings and who sees them (DOMAIN.md 2).

The LCG's coordinators and programme managers manage meetings (create, agenda,
decisions, close); attendees see the meeting's page and minutes. Nobody else finds a
meeting: it answers 404, like one that does not exist. Which families an attendee may
open is the access policy's (the meeting's grants, ``lcgs.meetings.grants``).
"""

from __future__ import annotations

from django.db.models import Q

from agencies.lcgs.selectors import lcg_list_coordinated_by
from agencies.models import LCG, AnyUser
from agencies.roles import Role
from families.access.access import staff_for
from lcgs.meetings.models import Meeting

# What pages and the API say to those who may not manage a meeting they can see.
MANAGE_DENIED = "Only the LCG's coordinators and programme managers run its meetings"
# The routes' access rules, in words (oneplan.access_rules).
MANAGE_RULE = (
    "coordinators of the meeting's LCG and programme managers; attendees see it (403), "
    "everyone else 404"
)
VIEW_RULE = (
    "coordinators of the meeting's LCG, programme managers and the meeting's attendees "
    "(404 for everyone else)"
)
LIST_RULE = "LCG coordinators and programme managers (their LCGs' meetings) and attendees"


def _coordinated_lcgs(staff_id: int) -> Q:
    return Q(lcg_id__in=lcg_list_coordinated_by(staff_id).values("pk"))


def manage_scope(user: AnyUser) -> Q:
    """The meetings ``user`` runs, as a filter on ``Meeting``: every one for a programme
    manager, their LCGs' for a coordinator, none for anyone else."""
    staff = staff_for(user)
    if staff is None:
        return Q(pk__in=[])
    if staff.has_role(Role.PROGRAMME_MANAGER):
        return Q()
    if staff.has_role(Role.LCG_COORDINATOR):
        return _coordinated_lcgs(staff.pk)
    return Q(pk__in=[])


def view_scope(user: AnyUser) -> Q:
    """The meetings ``user`` sees: those they run, and those they are invited to."""
    staff = staff_for(user)
    if staff is None:
        return Q(pk__in=[])
    if staff.has_role(Role.PROGRAMME_MANAGER):
        # Q() | Q(...) would drop the "every meeting" of an empty Q.
        return Q()
    return manage_scope(user) | Q(attendees__staff_id=staff.pk)


def can_run_meetings(user: AnyUser) -> bool:
    """LCG coordinators (for their LCGs) and programme managers (for any LCG)."""
    staff = staff_for(user)
    return staff is not None and (
        staff.has_role(Role.PROGRAMME_MANAGER) or staff.has_role(Role.LCG_COORDINATOR)
    )


def can_manage_meeting(user: AnyUser, meeting: Meeting) -> bool:
    """A coordinator of the meeting's LCG, or a programme manager."""
    return Meeting.objects.filter(manage_scope(user), pk=meeting.pk).exists()


def can_run_meetings_of(user: AnyUser, lcg: LCG) -> bool:
    """Whether ``user`` may create a meeting of ``lcg``."""
    return lcg in meeting_lcgs_for_user(user)


def meeting_lcgs_for_user(user: AnyUser) -> list[LCG]:
    """The LCGs whose meetings ``user`` runs, by name."""
    staff = staff_for(user)
    if staff is None:
        return []
    if staff.has_role(Role.PROGRAMME_MANAGER):
        return list(LCG.objects.order_by("name"))
    if staff.has_role(Role.LCG_COORDINATOR):
        return list(
            LCG.objects.filter(memberships__staff=staff, memberships__is_coordinator=True)
            .distinct()
            .order_by("name")
        )
    return []
