"""Who may administer staff accounts."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from agencies.models import AnyUser, User
from agencies.roles import Role

NOT_AN_ADMINISTRATOR = "Only a system administrator can manage staff accounts"


def can_administer_staff(user: AnyUser) -> bool:
    """A system administrator invites, changes, deactivates and resets the two-step
    verification of other members of staff, and lists them. The role decides, not being a
    superuser or having admin access: an account with ``is_staff`` but no role manages
    nobody here. What they may not do to their own account is in
    ``agencies.services.access_change_check``.
    """
    if not isinstance(user, User) or not user.is_active:
        return False
    staff = user.staff_or_none
    return staff is not None and staff.has_role(Role.SYSTEM_ADMINISTRATOR)


def staff_administrator_or_403(user: AnyUser) -> User:
    """The user, if they may administer staff; ``PermissionDenied`` (403) if not."""
    if not can_administer_staff(user):
        raise PermissionDenied(NOT_AN_ADMINISTRATOR)
    assert isinstance(user, User)
    return user
