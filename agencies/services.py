"""Writes for agencies and staff. Every write goes through a function here."""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from rest_framework.authtoken.models import Token

from agencies.models import User, UserSession
from oneplan.errors import ApplicationError

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


@transaction.atomic
def user_deactivate(*, actor: User, user: User, reason: str) -> User:
    """Stop ``user`` signing in, and end what they are signed in with now.

    Every session recorded against them (``UserSession``) is deleted from the database
    and the cache, so their next request goes to the sign-in page, and their API token
    is deleted. Who did it and why goes in the user's admin history.
    """
    why = reason.strip()
    if not why:
        raise ApplicationError("Enter why the account is being deactivated", field="reason")
    locked = User.objects.select_for_update().get(pk=user.pk)
    locked.is_active = False
    locked.save(update_fields=["is_active"])
    user.is_active = False

    store_class: type[SessionBase] = import_module(settings.SESSION_ENGINE).SessionStore
    recorded = UserSession.objects.filter(user=locked)
    for session_key in recorded.values_list("session_key", flat=True):
        store_class(session_key=session_key).delete(session_key)
    recorded.delete()
    Token.objects.filter(user=locked).delete()

    LogEntry.objects.log_actions(
        user_id=actor.pk,
        queryset=[locked],
        action_flag=CHANGE,
        change_message=f"Deactivated: {why}",
        single_object=True,
    )
    return locked
