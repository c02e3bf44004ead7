"""Who may decide matches and undo links (one place, like ``families.access.access``)."""

from __future__ import annotations

from agencies.models import AnyUser
from agencies.roles import Role
from families.access.access import staff_for


def can_review_matches(user: AnyUser) -> bool:
    """Programme managers decide doubtful matches, see where a person's records came
    from and undo wrong links: the decisions join or split people across every
    agency's data, which is a programme-wide responsibility."""
    staff = staff_for(user)
    return staff is not None and staff.has_role(Role.PROGRAMME_MANAGER)
