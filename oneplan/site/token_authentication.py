"""``Authorization: Token …`` for the API: knox's hashed tokens, with OnePlan's rules.

Middleware runs before DRF authenticates a token, so to ``RequireMFAMiddleware`` and
``SessionLimitsMiddleware`` a token request looks anonymous. The rules they apply to a
session are therefore applied here, to the token (``agencies.api_tokens``):

- a token past its absolute expiry or idle too long is revoked and refused (401, "Invalid
  token", as knox answers), and so is one issued before the user's password last changed;
- with ``ONEPLAN_REQUIRE_MFA``, the token of a user without an authenticator app is
  refused with the same 403 the API gives their session;
- otherwise the use is noted, which restarts the idle time.

Kept apart from the views: DRF imports authentication classes while it sets up
``APIView``, so this module must not import views.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from knox.auth import TokenAuthentication
from rest_framework import exceptions

from agencies.api_tokens import (
    RevokeReason,
    api_token_expiry_reason,
    api_token_password_unchanged,
    api_token_revoke,
    api_token_touch,
    api_tokens_revoke_all,
)
from oneplan.models import ApiToken
from oneplan.site.mfa import API_MESSAGE, has_authenticator_app

ENDED_MESSAGE = "Your API token has ended: get a new one from /api/auth/token/"


class ApiTokenAuthentication(TokenAuthentication):
    def _cleanup_token(self, auth_token: ApiToken) -> bool:
        """knox calls this for each token that could be the one sent, before comparing
        digests: end the user's tokens that have expired or been idle too long, with the
        reason recorded. True when ``auth_token`` itself has ended."""
        now = timezone.now()
        ended_itself = False
        for token in auth_token.user.auth_token_set.all():
            reason = api_token_expiry_reason(token, now=now)
            if reason is not None:
                api_token_revoke(actor=auth_token.user, token=token, reason=reason)
                ended_itself = ended_itself or token.pk == auth_token.pk
        return ended_itself

    def validate_user(self, auth_token: ApiToken) -> tuple[Any, ApiToken]:
        """The token matched and has not ended; knox refuses an inactive user."""
        user = auth_token.user
        if not api_token_password_unchanged(auth_token, user):
            api_tokens_revoke_all(actor=user, user=user, reason=RevokeReason.PASSWORD_CHANGED)
            raise exceptions.AuthenticationFailed(ENDED_MESSAGE)
        result: tuple[Any, ApiToken] = super().validate_user(auth_token)
        if settings.ONEPLAN_REQUIRE_MFA and not has_authenticator_app(user):
            raise exceptions.PermissionDenied(API_MESSAGE)
        api_token_touch(token=auth_token, now=timezone.now())
        return result


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema describes the token: ``Authorization: Token <token>``."""

    target_class = "oneplan.site.token_authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        definition: dict[str, Any] = build_bearer_security_scheme_object(
            # The word before the token in the header, not a secret.
            header_name="Authorization",
            token_prefix="Token",  # noqa: S106
        )
        return definition
