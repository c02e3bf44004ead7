"""Who may send OnePlan agency feeds and see what became of them (FEEDS.md).

A feed carries identifying and special-category data about thousands of people, most of
them in no family the programme works with, so it is one role's job, not every
agency's: the programme manager submits files for any agency and reads their results.
"""

from __future__ import annotations

from agencies.models import AnyUser, User
from agencies.roles import Role
from agencies.services import SYSTEM_USERNAME
from families.access.access import staff_for


def can_submit_feeds(user: AnyUser) -> bool:
    """Programme managers submit feeds for any agency, and see every submission."""
    staff = staff_for(user)
    return staff is not None and staff.has_role(Role.PROGRAMME_MANAGER)


def is_system_actor(user: AnyUser) -> bool:
    """The account scheduled imports run as (``manage.py import_feed``): it cannot sign
    in, so only someone with shell access to the server acts through it."""
    return isinstance(user, User) and user.username == SYSTEM_USERNAME and not user.is_active
