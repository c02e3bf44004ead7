"""Writes for agencies and staff. Every write goes through a function here."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from importlib import import_module

import pghistory
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from agencies.api_tokens import RevokeReason, api_tokens_revoke_all
from agencies.models import (
    AccountSetUpLink,
    Agency,
    AgencyKind,
    Staff,
    User,
    UserSession,
    agency_code_validator,
)
from audit.history import records_actor
from oneplan.encryption import authenticator_data_transform, secret_reencrypt
from oneplan.errors import ApplicationError

SYSTEM_USERNAME = "oneplan-system"
AGENCY_NAME_LENGTH = 200  # Agency.name's max_length


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


# Keys of the write history's context for a change to an account: what was done and why.
# Not "event" and "reason", which the API tokens revoked in the same context write.
ACCOUNT_CHANGE = "account_change"
ACCOUNT_CHANGE_WHY = "why"


@records_actor
@transaction.atomic
def user_deactivate(*, actor: User, user: User, reason: str) -> User:
    """Stop ``user`` signing in, and end what they are signed in with now.

    Every session recorded against them (``UserSession``) is deleted from the database
    and the cache, so their next request goes to the sign-in page, their API tokens are
    revoked and any set-up link not yet used stops working. Nobody deactivates their own
    account. Who did it and why go in the account's write history (and the admin's).
    """
    why = reason.strip()
    if not why:
        raise ApplicationError("Enter why the account is being deactivated", field="reason")
    access_change_check(actor=actor, user_ids=[user.pk])
    pghistory.context(**{ACCOUNT_CHANGE: "deactivate", ACCOUNT_CHANGE_WHY: why})
    locked = User.objects.select_for_update().get(pk=user.pk)
    locked.is_active = False
    locked.save(update_fields=["is_active"])
    user.is_active = False

    user_sessions_end(user=locked)
    api_tokens_revoke_all(actor=actor, user=locked, reason=RevokeReason.USER_DEACTIVATED)
    AccountSetUpLink.objects.filter(
        user=locked, used_at__isnull=True, ended_at__isnull=True
    ).update(ended_at=timezone.now())

    LogEntry.objects.log_actions(
        user_id=actor.pk,
        queryset=[locked],
        action_flag=CHANGE,
        change_message=f"Deactivated: {why}",
        single_object=True,
    )
    return locked


def user_sessions_end(*, user: User, keep_session_key: str | None = None) -> int:
    """End every signed-in session recorded against ``user`` (in the database and the
    cache) but ``keep_session_key``. Returns how many ended."""
    store_class: type[SessionBase] = import_module(settings.SESSION_ENGINE).SessionStore
    recorded = UserSession.objects.filter(user=user)
    if keep_session_key:
        recorded = recorded.exclude(session_key=keep_session_key)
    keys = list(recorded.values_list("session_key", flat=True))
    for session_key in keys:
        store_class(session_key=session_key).delete(session_key)
    recorded.delete()
    return len(keys)


@dataclass(frozen=True)
class SignedOutEverywhere:
    sessions: int
    tokens: int


@records_actor
@transaction.atomic
def user_sign_out_everywhere(
    *, actor: User, keep_session_key: str | None = None, keep_token_id: int | None = None
) -> SignedOutEverywhere:
    """End every other session and API token of ``actor``, for someone who signed in on a
    shared or lost computer, or whose token may have leaked. The session (or token) they
    ask from stays, so they are not signed out of the page they are using."""
    pghistory.context(**{ACCOUNT_CHANGE: "sign_out_everywhere"})
    User.objects.select_for_update().get(pk=actor.pk)
    sessions = user_sessions_end(user=actor, keep_session_key=keep_session_key)
    tokens = api_tokens_revoke_all(
        actor=actor,
        user=actor,
        reason=RevokeReason.SIGNED_OUT_EVERYWHERE,
        keep_token_id=keep_token_id,
    )
    return SignedOutEverywhere(sessions=sessions, tokens=tokens)


@records_actor
@transaction.atomic
def agency_add_or_update(*, actor: User, code: str, name: str, kind: str) -> tuple[Agency, bool]:
    """Add an agency that sends feeds, or change an existing one's name and kind.

    Returns the agency and whether it was created. Recorded in the admin history.
    """
    code = code.strip().upper()
    name = " ".join(name.split())
    try:
        agency_code_validator(code)
    except ValidationError as exc:
        raise ApplicationError(exc.messages[0], field="code") from None
    if not name:
        raise ApplicationError("Enter the agency's name", field="name")
    if len(name) > AGENCY_NAME_LENGTH:
        raise ApplicationError("Enter a name of 200 characters or fewer", field="name")
    if kind not in AgencyKind.values:
        raise ApplicationError(
            f"Enter the kind as one of {', '.join(AgencyKind.values)}", field="kind"
        )
    agency = Agency.objects.select_for_update().filter(code=code).first()
    created = agency is None
    if agency is None:
        agency = Agency.objects.create(code=code, name=name, kind=kind)
        message = f"Added {code}: {name} ({kind})"
    else:
        message = f"Changed {code}: name {agency.name!r} -> {name!r}, kind {agency.kind} -> {kind}"
        agency.name = name
        agency.kind = kind
        agency.save(update_fields=["name", "kind", "updated_at"])
    LogEntry.objects.log_actions(
        user_id=actor.pk,
        queryset=[agency],
        action_flag=ADDITION if created else CHANGE,
        change_message=message,
        single_object=True,
    )
    return agency, created


OWN_ACCESS_REFUSED = (
    "You cannot change your own roles, agency, LCG membership or administrator access. "
    "Ask another system administrator"
)
# What decides what an account may see or do. Nobody changes these on their own account.
USER_ACCESS_FIELDS = ("is_active", "is_staff", "is_superuser")
STAFF_ACCESS_FIELDS = ("user_id", "agency_id", "roles")


def access_change_check(*, actor: User, user_ids: Iterable[int | None]) -> None:
    """Refuse a change to the access of any of ``user_ids`` when one of them is ``actor``.

    Separation of duties: a system administrator manages other people's access, never
    their own, so no single person can give themselves case data (the security review of
    the admin). Another administrator has to make the change, and it is recorded.
    """
    if actor.pk in set(user_ids):
        raise ApplicationError(OWN_ACCESS_REFUSED)


def _changed(before: models.Model | None, after: models.Model, fields: Iterable[str]) -> bool:
    if before is None:
        return True
    return any(_value(before, name) != _value(after, name) for name in fields)


def _value(obj: models.Model, name: str) -> object:
    value = getattr(obj, name)
    return sorted(value) if isinstance(value, list) else value


@transaction.atomic
def user_save(*, actor: User, user: User) -> User:
    """Create or change an account, refusing a change to the actor's own active, staff or
    superuser status. The change is recorded by the account's history (its triggers)."""
    before = User.objects.select_for_update().filter(pk=user.pk).first() if user.pk else None
    if before is not None and _changed(before, user, USER_ACCESS_FIELDS):
        access_change_check(actor=actor, user_ids=[user.pk])
    user.save()
    return user


@transaction.atomic
def staff_save(*, actor: User, staff: Staff) -> Staff:
    """Create or change a staff profile. Its roles, agency and account decide which
    families its holder sees, so nobody creates or changes those on their own profile,
    nor moves another person's profile onto their own account."""
    before = Staff.objects.select_for_update().filter(pk=staff.pk).first() if staff.pk else None
    if _changed(before, staff, STAFF_ACCESS_FIELDS):
        access_change_check(
            actor=actor, user_ids=[staff.user_id, before.user_id if before else None]
        )
    staff.full_clean()
    staff.save()
    return staff


@transaction.atomic
def staff_delete(*, actor: User, staff: Staff) -> None:
    """Remove a staff profile (and with it every role): not one's own."""
    access_change_check(actor=actor, user_ids=[staff.user_id])
    staff.delete()


@records_actor
@transaction.atomic
def user_mfa_reset(*, actor: User, user: User, reason: str) -> int:
    """Remove ``user``'s authenticator app and recovery codes, for someone who has lost
    their phone. Their next sign-in (password first) asks them to set up a new app.

    Nobody resets their own (they would skip the second step), and the user's sessions
    and API tokens end, so nothing opened with the old app outlives it. The history of
    authenticators (``AuthenticatorEvent``) records the deletion with who asked and why;
    so does the admin history. Returns how many authenticators were removed.
    """
    why = reason.strip()
    if not why:
        raise ApplicationError("Enter why two-step verification is being reset", field="reason")
    access_change_check(actor=actor, user_ids=[user.pk])
    pghistory.context(**{ACCOUNT_CHANGE: "mfa_reset", ACCOUNT_CHANGE_WHY: why})
    locked = User.objects.select_for_update().get(pk=user.pk)
    removed, _ = Authenticator.objects.filter(user=locked).delete()
    user_sessions_end(user=locked)
    # A token stands for a signed-in session that passed the second step: it goes too.
    api_tokens_revoke_all(actor=actor, user=locked, reason=RevokeReason.MFA_RESET)
    LogEntry.objects.log_actions(
        user_id=actor.pk,
        queryset=[locked],
        action_flag=CHANGE,
        change_message=f"Two-step verification reset: {why}",
        single_object=True,
    )
    return int(removed)


@transaction.atomic
def mfa_secrets_reencrypt() -> int:
    """Re-encrypt every TOTP secret and recovery-code seed under the first key of
    ``MFA_ENCRYPTION_KEYS``, after a new key was put first. Returns the rows changed."""
    changed = 0
    rows = Authenticator.objects.select_for_update().filter(
        type__in=[Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES]
    )
    for row in rows:
        data = authenticator_data_transform(row.type, row.data, secret_reencrypt)
        if data != row.data:
            Authenticator.objects.filter(pk=row.pk).update(data=data)
            changed += 1
    return changed
