"""Writes for agencies and staff. Every write goes through a function here."""

from __future__ import annotations

from agencies.models import User

SYSTEM_USERNAME = "oneplan-system"


def system_actor() -> User:
    """Return (creating once) the inactive account recorded as the actor of jobs.

    It cannot sign in (inactive, unusable password) and has no staff profile, so it
    can see no case data through any page or API.
    """
    user, created = User.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={"first_name": "OnePlan", "last_name": "system", "is_active": False},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user
