"""Who may read the access log. Case pages keep their own rules (docs/decisions/0005)."""

from __future__ import annotations

from agencies.models import AnyUser, User
from agencies.request_user import is_data_protection_officer


def can_view_user_activity(user: AnyUser) -> bool:
    """Only the data protection officer may see what another member of staff has read.

    The log of a person's reads shows which families they work with and is itself
    personal data about that person, so being a superuser or a programme manager is
    not enough.
    """
    return is_data_protection_officer(user)


def can_view_access_events_in_admin(user: AnyUser) -> bool:
    """The admin's read-only list of access events: a DPO with an admin (staff) account."""
    return isinstance(user, User) and user.is_staff and can_view_user_activity(user)
