"""Every permission on a family, by name, and what carries each one.

The one registry of permission names: the grant reasons and the roles that carry each
permission are decided here and nowhere else. ``families.access.access`` answers with
the permissions of a user's open grants on a family and the role-derived ones below,
read when it is asked (docs/decisions/0013). Plans, notes, evidence and claims inherit a
family's permissions.
"""

from __future__ import annotations

from agencies.roles import Role
from families.grants_models import GrantReason

VIEW = "view_family"
"""See the family: its people, case journey, plan and chronology, without restricted
information."""

CHANGE = "change_family"
"""Change the family's case: move it along the case journey and work on its plan."""

VIEW_RESTRICTED = "view_restricted_family"
"""See restricted information: a protected address, domestic abuse, health and
intelligence."""

MANAGE_TEAM = "manage_team_family"
"""Add and remove the agencies on the team around the family, and record lawful bases
for sharing information about it."""

# What each kind of grant allows.
PERMISSIONS_BY_REASON: dict[str, frozenset[str]] = {
    GrantReason.LEAD_PROFESSIONAL: frozenset({VIEW, CHANGE, VIEW_RESTRICTED, MANAGE_TEAM}),
    GrantReason.LEAD_AGENCY: frozenset({VIEW}),
    GrantReason.TEAM: frozenset({VIEW}),
    GrantReason.BREAK_GLASS: frozenset({VIEW}),
    GrantReason.MEETING: frozenset({VIEW}),
}

# Role-derived permissions: the LCG's coordinators (for families in their LCG) and the
# programme-wide roles (for every family). No per-family rows are written for these.
ROLE_PERMISSIONS: dict[Role, frozenset[str]] = {
    Role.LCG_COORDINATOR: frozenset({VIEW, CHANGE, VIEW_RESTRICTED, MANAGE_TEAM}),
    Role.PROGRAMME_MANAGER: frozenset({VIEW, CHANGE}),
    Role.INTERNAL_AUDITOR: frozenset({VIEW}),
    # Reads a family's case to judge an "equivalent progress" claim; changes nothing.
    Role.SENIOR_OFFICER: frozenset({VIEW}),
    Role.DATA_PROTECTION_OFFICER: frozenset({VIEW, VIEW_RESTRICTED}),
}
