"""Who sees an LCG's caseload, and which of its families (DOMAIN.md 2 and 7).

The rule is the access policy's (``families.access.access.family_scope``), narrowed to
the LCG's own families by the same rule screening uses (``screening_scope``): nothing
here decides who may see a family.
"""

from __future__ import annotations

from django.db.models import Q

from agencies.models import AnyUser
from agencies.roles import Role
from families.access.access import family_restricted_scope, family_scope, staff_for
from families.access.perms import ROLE_PERMISSIONS, VIEW_RESTRICTED
from lcgs.screening.access import can_screen, screening_scope

# What the pages and the API say to everyone else.
DENIED = "Only LCG coordinators and programme managers see the LCG caseload"
# The routes' access rule, in words (oneplan.access_rules).
SEE_RULE = "LCG coordinators (their LCGs' families) and programme managers (every family)"
EXPORT_RULE = SEE_RULE + "; starts a background export job"


def can_see_caseload(user: AnyUser) -> bool:
    """LCG coordinators see the dashboard and caseload of the LCGs they coordinate;
    programme managers see every LCG's side by side, and the families outside every
    LCG. Everyone else is refused."""
    return can_screen(user)


def caseload_scope(user: AnyUser) -> Q:
    """The families of ``user``'s caseload, as a filter on ``Family``: those they may see
    (``family_scope``) that belong to an LCG they coordinate, or every family for a
    programme manager. A coordinator who also leads families elsewhere does not find
    those here: the caseload is the LCG's."""
    return family_scope(user) & screening_scope(user)


def restricted_problems_scope(user: AnyUser) -> Q:
    """Families whose restricted needs (domestic abuse, health, substance use) ``user``
    may see named, as a filter: the access policy's restricted-information rule."""
    return family_restricted_scope(user)


def may_see_restricted_problems(user: AnyUser) -> bool:
    """Whether ``user`` has a role that sees restricted information about the families
    it covers (a coordinator in their LCGs), so the problem filter offers restricted
    needs. The families themselves are still checked one by one
    (``restricted_problems_scope``)."""
    staff = staff_for(user)
    return staff is not None and any(
        VIEW_RESTRICTED in ROLE_PERMISSIONS.get(Role(role), frozenset()) for role in staff.roles
    )
