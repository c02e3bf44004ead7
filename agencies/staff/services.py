"""Writes of staff administration: invite, change, deactivate, reset two-step
verification, issue a set-up link, and the invited person setting their password.

Each checks that the actor is a system administrator (``agencies.staff.access``) again,
whoever calls it, and refuses a change to the actor's own access
(``agencies.services.access_change_check``). The account, staff profile, memberships and
set-up links carry database-trigger history (django-pghistory), which names the actor
and, for deactivation and resets, why (``ACCOUNT_CHANGE`` in the history's context).
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pghistory
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from agencies.models import AccountSetUpLink, Agency, Staff, User
from agencies.roles import Role
from agencies.services import (
    ACCOUNT_CHANGE,
    access_change_check,
    staff_save,
    user_deactivate,
    user_mfa_reset,
    user_save,
)
from agencies.staff.access import staff_administrator_or_403
from agencies.staff.memberships import staff_membership_kinds
from audit.history import records_actor
from oneplan.errors import ApplicationError

# How long a set-up link works. Long enough to reach someone who is away for a long
# weekend; short enough that a link in an old chat message is dead.
SET_UP_LINK_LIFETIME = datetime.timedelta(days=3)

NAME_LENGTH = 150  # User.first_name / last_name / username max_length
JOB_TITLE_LENGTH = 120  # Staff.job_title max_length
LINK_NOT_WORKING = (
    "This set-up link does not work. It may have been used already, or be more than "
    f"{SET_UP_LINK_LIFETIME.days} days old. Ask your system administrator for a new one"
)


@dataclass(frozen=True)
class SetUpLink:
    link: AccountSetUpLink
    # The token in the link: shown once, to the administrator who made it, stored nowhere.
    token: str


@dataclass(frozen=True)
class Invited:
    staff: Staff
    set_up: SetUpLink


@dataclass(frozen=True)
class StaffAccess:
    """What decides what a member of staff sees: agency, roles and memberships (by the
    kind's name, e.g. ``{"lcgs": ["WINCHESTER"]}``), with the job title beside them."""

    agency: Agency
    roles: Sequence[str]
    job_title: str = ""
    memberships: Mapping[str, Sequence[str]] | None = None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _name(value: str, field: str, label: str) -> str:
    cleaned = " ".join(value.split())
    if not cleaned:
        raise ApplicationError(f"Enter a {label}", field=field)
    if len(cleaned) > NAME_LENGTH:
        raise ApplicationError(
            f"{label.capitalize()} must be {NAME_LENGTH} characters or fewer", field=field
        )
    return cleaned


def _job_title(value: str) -> str:
    job_title = " ".join(value.split())
    if len(job_title) > JOB_TITLE_LENGTH:
        raise ApplicationError(
            f"Job title must be {JOB_TITLE_LENGTH} characters or fewer", field="job_title"
        )
    return job_title


def _email(value: str) -> str:
    email = value.strip()
    if not email:
        return ""
    try:
        validate_email(email)
    except ValidationError:
        raise ApplicationError(
            "Enter an email address in the correct format, like name@example.org", field="email"
        ) from None
    return email


def _checked_access(access: StaffAccess) -> tuple[list[str], dict[str, list[str]]]:
    """The roles and memberships, refused with a message per field when they do not fit."""
    if not access.agency.is_active:
        raise ApplicationError("Select an agency that is still active", field="agency")
    if not access.roles:
        raise ApplicationError("Select at least one role", field="roles")
    unknown = set(access.roles) - set(Role.values)
    if unknown:
        raise ApplicationError(
            f"Select roles from the list: there is no role {', '.join(sorted(unknown))}",  # noqa: S608
            field="roles",
        )
    # In the order of the roles' list, as every page shows them.
    roles = sorted(set(access.roles), key=Role.values.index)
    given = dict(access.memberships or {})
    memberships: dict[str, list[str]] = {}
    for kind in staff_membership_kinds():
        codes = sorted({code.strip() for code in given.pop(kind.name, []) if code.strip()})
        if kind.role.value in roles and not codes:
            raise ApplicationError(kind.missing_message, field=kind.name)
        if codes and kind.role.value not in roles:
            raise ApplicationError(kind.without_role_message, field=kind.name)
        memberships[kind.name] = codes
    if given:
        raise ApplicationError(f"There are no memberships called {', '.join(sorted(given))}")
    return roles, memberships


def _admin_flags(user: User, roles: Sequence[str]) -> None:
    # A system administrator keeps reference data (agencies, LCGs) in the Django admin;
    # nobody else reaches it. The role, set here, decides (docs/decisions/0014).
    administrator = Role.SYSTEM_ADMINISTRATOR.value in roles
    user.is_staff = administrator
    user.is_superuser = administrator


def _set_memberships(actor: User, staff: Staff, memberships: Mapping[str, Sequence[str]]) -> None:
    for kind in staff_membership_kinds():
        kind.set(actor=actor, staff=staff, codes=memberships.get(kind.name, []))


def _link_issue(*, actor: User, user: User) -> SetUpLink:
    now = timezone.now()
    # A new link replaces any earlier one, so only the last link handed over works.
    AccountSetUpLink.objects.filter(user=user, used_at__isnull=True, ended_at__isnull=True).update(
        ended_at=now
    )
    token = secrets.token_urlsafe(32)
    link = AccountSetUpLink.objects.create(
        user=user,
        digest=_digest(token),
        created_by=actor,
        expires_at=now + SET_UP_LINK_LIFETIME,
    )
    return SetUpLink(link=link, token=token)


@records_actor
@transaction.atomic
def staff_invite(
    *,
    actor: User,
    username: str,
    first_name: str,
    last_name: str,
    email: str = "",
    access: StaffAccess,
) -> Invited:
    """Make an account for a new member of staff, with their staff profile and
    memberships, and a one-time link where they choose their password.

    The account can do nothing until then: it has no usable password, so neither the
    sign-in page nor the API token endpoint accepts it. After setting the password they
    sign in and, where two-step verification is required, set up an authenticator app.
    """
    actor = staff_administrator_or_403(actor)
    pghistory.context(**{ACCOUNT_CHANGE: "invite"})
    username = username.strip()
    if not username:
        raise ApplicationError("Enter a username", field="username")
    try:
        User.username_validator(username)
    except ValidationError:
        raise ApplicationError(
            "Enter a username using only letters, numbers and the characters @ . + - _",
            field="username",
        ) from None
    if len(username) > NAME_LENGTH:
        raise ApplicationError(
            f"Username must be {NAME_LENGTH} characters or fewer", field="username"
        )
    if User.objects.filter(username__iexact=username).exists():
        raise ApplicationError(
            f"There is already an account with the username {username}. Enter another",
            field="username",
        )
    first = _name(first_name, "first_name", "first name")
    last = _name(last_name, "last_name", "last name")
    address = _email(email)
    job_title = _job_title(access.job_title)
    roles, memberships = _checked_access(access)

    user = User(username=username, first_name=first, last_name=last, email=address)
    user.set_unusable_password()
    _admin_flags(user, roles)
    user_save(actor=actor, user=user)
    staff = staff_save(
        actor=actor,
        staff=Staff(user=user, agency=access.agency, job_title=job_title, roles=roles),
    )
    _set_memberships(actor, staff, memberships)
    return Invited(staff=staff, set_up=_link_issue(actor=actor, user=user))


@records_actor
@transaction.atomic
def staff_change(
    *,
    actor: User,
    staff: Staff,
    first_name: str,
    last_name: str,
    email: str = "",
    access: StaffAccess,
) -> Staff:
    """Change a member of staff's name, email address, agency, job title, roles and
    memberships. Nobody changes their own agency, roles or memberships (their name, email
    address and job title they may)."""
    actor = staff_administrator_or_403(actor)
    pghistory.context(**{ACCOUNT_CHANGE: "change"})
    locked = Staff.objects.select_for_update().select_related("user").get(pk=staff.pk)
    user = locked.user
    user.first_name = _name(first_name, "first_name", "first name")
    user.last_name = _name(last_name, "last_name", "last name")
    user.email = _email(email)
    job_title = _job_title(access.job_title)
    roles, memberships = _checked_access(access)
    _admin_flags(user, roles)
    user_save(actor=actor, user=user)
    locked.agency = access.agency
    locked.job_title = job_title
    locked.roles = roles
    staff_save(actor=actor, staff=locked)
    _set_memberships(actor, locked, memberships)
    return locked


@records_actor
@transaction.atomic
def staff_deactivate(*, actor: User, staff: Staff, reason: str) -> Staff:
    """Stop a member of staff signing in: their sessions, API tokens and any unused
    set-up link end at once (``agencies.services.user_deactivate``)."""
    actor = staff_administrator_or_403(actor)
    if not staff.user.is_active:
        raise ApplicationError("This account is already deactivated")
    user_deactivate(actor=actor, user=staff.user, reason=reason)
    return staff


@records_actor
@transaction.atomic
def staff_mfa_reset(*, actor: User, staff: Staff, reason: str) -> int:
    """Remove a member of staff's authenticator app and recovery codes, for someone who
    lost their phone; their sessions and API tokens end, and their next sign-in asks them
    to set up a new app (``agencies.services.user_mfa_reset``)."""
    actor = staff_administrator_or_403(actor)
    return user_mfa_reset(actor=actor, user=staff.user, reason=reason)


@records_actor
@transaction.atomic
def staff_set_up_link_issue(*, actor: User, staff: Staff) -> SetUpLink:
    """A new set-up link for someone invited who has not set their password yet (the
    first was lost, or ran out). Earlier links stop working.

    Only for an account that has never had a password: a link for anyone else would let
    the administrator choose that person's password and sign in as them.
    """
    actor = staff_administrator_or_403(actor)
    access_change_check(actor=actor, user_ids=[staff.user_id])
    pghistory.context(**{ACCOUNT_CHANGE: "set_up_link"})
    user = User.objects.select_for_update().get(pk=staff.user_id)
    if not user.is_active:
        raise ApplicationError("This account is deactivated: it cannot be set up")
    if user.has_usable_password() or user.last_login is not None:
        raise ApplicationError(
            "This person has already set their password. If they have forgotten it, "
            "they change it after signing in; if they cannot sign in, deactivate this "
            "account and invite them again"
        )
    return _link_issue(actor=actor, user=user)


def set_up_link_get(token: str) -> AccountSetUpLink | None:
    """The link with this token, if it still works: not used, not replaced, not past its
    expiry, and its account active and without a password yet. None otherwise."""
    link = (
        AccountSetUpLink.objects.select_related("user")
        .filter(
            digest=_digest(token),
            used_at__isnull=True,
            ended_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .first()
    )
    if link is None or not link.user.is_active or link.user.has_usable_password():
        return None
    return link


@transaction.atomic
def account_set_up(*, token: str, password: str) -> User:
    """The invited person chooses their password through their set-up link; the link
    then stops working. The password must pass the same rules as a changed one
    (``AUTH_PASSWORD_VALIDATORS``). They are the actor: nobody else knows the password."""
    found = set_up_link_get(token)
    if found is None:
        raise ApplicationError(LINK_NOT_WORKING)
    link = AccountSetUpLink.objects.select_for_update().get(pk=found.pk)
    user = User.objects.select_for_update().get(pk=link.user_id)
    if link.used_at is not None or link.ended_at is not None or user.has_usable_password():
        raise ApplicationError(LINK_NOT_WORKING)
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ApplicationError(" ".join(exc.messages), field="password1") from None
    with pghistory.context(user=user.pk, **{ACCOUNT_CHANGE: "set_up"}):
        user.set_password(password)
        user.save(update_fields=["password"])
        link.used_at = timezone.now()
        link.save(update_fields=["used_at"])
    return user
