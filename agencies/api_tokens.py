"""API tokens: issue, expiry, revocation and who may revoke whose (docs/decisions/0010).

A token is issued only by the token endpoint, after the password and (when the user has
an authenticator app, which ``ONEPLAN_REQUIRE_MFA`` makes everyone have) the second step.
It ends, like a signed-in session (``oneplan.site.sessions``):

- ``ONEPLAN_API_TOKEN_MAX_AGE`` (12 hours) after it was issued, however much it is used;
- after ``ONEPLAN_API_TOKEN_IDLE`` (30 minutes) without a request;
- when its user's password changes, or the user is deactivated;
- when its user, or the data protection officer, revokes it, or its user signs out
  everywhere.

Revoking deletes the row. The delete is recorded by the model's history trigger with who
did it and why in the history context, so the record never holds the token or its digest.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pghistory
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from knox.models import get_digest_token
from knox.settings import CONSTANTS

from agencies.models import AnyUser, User
from agencies.request_user import is_data_protection_officer
from oneplan.models import ApiToken

# The ``event`` of the history context: what happened to the token.
ISSUED = "api_token.issue"
REVOKED = "api_token.revoke"


class RevokeReason(models.TextChoices):
    """Why a token ended: written into the history context of its delete event."""

    BY_USER = "revoked_by_user", "Revoked by its user"
    BY_DATA_PROTECTION_OFFICER = "revoked_by_dpo", "Revoked by the data protection officer"
    PASSWORD_CHANGED = "password_changed", "The password was changed"
    USER_DEACTIVATED = "user_deactivated", "The account was deactivated"
    MFA_RESET = "mfa_reset", "Two-step verification was reset"
    SIGNED_OUT_EVERYWHERE = "signed_out_everywhere", "Its user signed out everywhere"
    EXPIRED = "expired", "Expired"
    IDLE = "idle", "Not used for too long"


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    # The token itself: shown once, to the person who asked for it, and stored nowhere.
    secret: str


# -- rules --------------------------------------------------------------------------------


def api_token_expires_at(token: ApiToken) -> datetime.datetime:
    """When the token ends if it is not used again: the sooner of its absolute expiry
    and ``ONEPLAN_API_TOKEN_IDLE`` after it was last used (or issued)."""
    idle: datetime.timedelta = settings.ONEPLAN_API_TOKEN_IDLE
    last_active: datetime.datetime = token.last_used_at or token.created
    absolute: datetime.datetime = token.expiry
    return min(absolute, last_active + idle)


def api_token_expiry_reason(token: ApiToken, *, now: datetime.datetime) -> RevokeReason | None:
    """Why the token has ended at ``now``, or None while it is still good."""
    if now >= token.expiry:
        return RevokeReason.EXPIRED
    if now >= api_token_expires_at(token):
        return RevokeReason.IDLE
    return None


def password_fingerprint(user: User) -> str:
    # Django's own session check: an HMAC of the password hash, so any password change
    # (the account page, the admin, a management command) makes it differ.
    return str(user.get_session_auth_hash())


def api_token_password_unchanged(token: ApiToken, user: User) -> bool:
    return constant_time_compare(token.password_fingerprint, password_fingerprint(user))


# -- policy -------------------------------------------------------------------------------


def can_revoke_others_api_tokens(user: AnyUser) -> bool:
    """Only the data protection officer may see and revoke other people's API tokens.

    A token is a way into family data; when one may be lost or misused (a laptop stolen,
    a script leaked), the DPO ends it. Being a superuser or a system administrator is
    not enough.
    """
    return is_data_protection_officer(user)


# -- selectors ----------------------------------------------------------------------------


def _live(queryset: models.QuerySet[ApiToken]) -> models.QuerySet[ApiToken]:
    now = timezone.now()
    idle: datetime.timedelta = settings.ONEPLAN_API_TOKEN_IDLE
    return queryset.annotate(last_active=Coalesce("last_used_at", "created")).filter(
        expiry__gt=now, last_active__gt=now - idle
    )


def api_token_list_for_user(user: AnyUser) -> models.QuerySet[ApiToken]:
    """The user's own tokens that still work, newest first."""
    if not isinstance(user, User):
        return ApiToken.objects.none()
    return _live(ApiToken.objects.filter(user=user))


def api_token_list_for_dpo(viewer: AnyUser, *, username: str = "") -> models.QuerySet[ApiToken]:
    """Every user's tokens that still work (or one user's), for the data protection
    officer; nothing for anyone else."""
    if not can_revoke_others_api_tokens(viewer):
        return ApiToken.objects.none()
    tokens = ApiToken.objects.select_related("user", "user__staff__agency")
    if username:
        tokens = tokens.filter(user__username__iexact=username)
    return _live(tokens)


def api_token_get_for_user_or_404(user: AnyUser, token_id: int) -> ApiToken:
    """One of the user's own tokens; 404 for someone else's, as for one that is gone."""
    token = api_token_list_for_user(user).filter(pk=token_id).first()
    if token is None:
        raise Http404("No API token found")
    return token


def api_token_get_for_dpo_or_404(viewer: AnyUser, token_id: int) -> ApiToken:
    token = api_token_list_for_dpo(viewer).filter(pk=token_id).first()
    if token is None:
        raise Http404("No API token found")
    return token


# -- services -----------------------------------------------------------------------------


def api_token_issue(*, actor: User, user: User) -> IssuedToken:
    """Issue a token to ``user``, who has just given their password and second step.

    The caller (the token endpoint) has checked both; ``actor`` is the user themselves.
    """
    # knox makes the token (a random hex string) and its digest, and finds a token
    # again by its first TOKEN_KEY_LENGTH characters.
    digest, secret = get_digest_token()
    with transaction.atomic(), pghistory.context(user=actor.pk, event=ISSUED):
        token = ApiToken.objects.create(
            user=user,
            digest=digest,
            token_key=secret[: CONSTANTS.TOKEN_KEY_LENGTH],
            expiry=timezone.now() + settings.ONEPLAN_API_TOKEN_MAX_AGE,
            password_fingerprint=password_fingerprint(user),
        )
    return IssuedToken(token=token, secret=secret)


def _check_may_revoke(*, actor: User, owner_id: int, reason: RevokeReason) -> None:
    own_only = (RevokeReason.BY_USER, RevokeReason.SIGNED_OUT_EVERYWHERE)
    if reason in own_only and owner_id != actor.pk:
        raise Http404("No API token found")
    if reason == RevokeReason.BY_DATA_PROTECTION_OFFICER and not can_revoke_others_api_tokens(
        actor
    ):
        raise PermissionDenied("Only the data protection officer can revoke others' API tokens")


def api_token_revoke(*, actor: User, token: ApiToken, reason: RevokeReason) -> None:
    """End one token: its user may (``BY_USER``), the data protection officer may
    (``BY_DATA_PROTECTION_OFFICER``), and the system does when it expires."""
    _check_may_revoke(actor=actor, owner_id=token.user_id, reason=reason)
    with (
        transaction.atomic(),
        pghistory.context(user=actor.pk, event=REVOKED, reason=reason.value),
    ):
        ApiToken.objects.filter(pk=token.pk).delete()


def api_tokens_revoke_all(
    *, actor: User, user: User, reason: RevokeReason, keep_token_id: int | None = None
) -> int:
    """End every token of ``user`` (a password change, deactivation, the data protection
    officer, or the user signing out everywhere, who keeps the token they asked with:
    ``keep_token_id``). Returns how many ended."""
    _check_may_revoke(actor=actor, owner_id=user.pk, reason=reason)
    tokens = ApiToken.objects.filter(user_id=user.pk)
    if keep_token_id is not None:
        tokens = tokens.exclude(pk=keep_token_id)
    with (
        transaction.atomic(),
        pghistory.context(user=actor.pk, event=REVOKED, reason=reason.value),
    ):
        deleted, _by_model = tokens.delete()
    return int(deleted)


def api_token_touch(*, token: ApiToken, now: datetime.datetime) -> None:
    """Note that the token was just used, which restarts its idle time.

    An update, not an audited write: the history records issue and revoke only.
    """
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
