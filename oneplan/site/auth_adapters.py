"""How allauth behaves in OnePlan: no self sign-up, GOV.UK wording, one lockout rule.

Settings point at these classes (``ACCOUNT_ADAPTER``, ``MFA_ADAPTER``).
"""

from __future__ import annotations

import datetime
import time
from typing import Any

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.authentication import get_authentication_records
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from agencies.api_tokens import RevokeReason, api_tokens_revoke_all
from audit.services import client_ip
from oneplan.encryption import secret_decrypt, secret_encrypt


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "username_password_mismatch": "Enter a correct username and password",
        "account_inactive": "This account has been deactivated",
        "enter_current_password": "Enter your current password",
        "incorrect_password": "The password is not correct",
        "too_many_login_attempts": "Too many wrong codes. Wait 15 minutes, then try again",
        "rate_limited": "Too many wrong codes. Wait 15 minutes, then try again",
        "incorrect_code": "The code is not correct",
    }

    def get_client_ip(self, request: HttpRequest) -> str:
        """The same client address the lockout and the access log use
        (``audit.services.client_ip``), so the three never disagree behind a proxy."""
        ip = client_ip(request)
        if not ip:
            raise PermissionDenied("Unable to determine client IP address")
        return ip

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        """Accounts are made by system administrators, never by the person themselves."""
        return False

    def set_password(self, user: Any, password: str) -> None:
        """A new password ends every API token of the user (docs/decisions/0010). Tokens
        also check the password fingerprint they were issued with, for passwords set
        elsewhere (the admin, a management command)."""
        super().set_password(user, password)
        api_tokens_revoke_all(actor=user, user=user, reason=RevokeReason.PASSWORD_CHANGED)

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        """Leave password guessing to axes.

        allauth would otherwise refuse a sixth attempt with its own message before
        ``authenticate`` runs, so axes would never see it and never show its lockout
        page. One rule (``AXES_*`` settings) then covers the sign-in page, the admin and
        the API token endpoint alike.
        """

    def is_reauthentication_required(self, *, app: str, **kwargs: Any) -> bool:
        """allauth asks for the password again before any change to two-step
        verification, and signing in does not count. Someone sent to set up their first
        authenticator app straight after typing their password need not type it again
        (for the set-up and the recovery codes it shows), for
        ``ACCOUNT_REAUTHENTICATION_TIMEOUT`` (5 minutes) after signing in. Changing an
        authenticator they had before signing in still needs the password.
        """
        required = bool(super().is_reauthentication_required(app=app, **kwargs))
        if required and app == "allauth.mfa" and self._first_set_up_just_after_sign_in():
            return False
        return required

    def _first_set_up_just_after_sign_in(self) -> bool:
        request = self.request
        user = getattr(request, "user", None)
        if request is None or user is None or not user.is_authenticated:
            return False
        passwords = [
            record
            for record in get_authentication_records(request, user)
            if record.get("method") == "password"
        ]
        if not passwords:
            return False
        signed_in_at = float(passwords[-1]["at"])
        if time.time() - signed_in_at >= float(account_settings.REAUTHENTICATION_TIMEOUT):
            return False
        before = datetime.datetime.fromtimestamp(signed_in_at, tz=datetime.UTC)
        return not Authenticator.objects.filter(user_id=user.pk, created_at__lt=before).exists()


class MFAAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "incorrect_code": (
            "The code is not correct. Enter the 6-digit code your authenticator app "
            "shows now, or one of your recovery codes"
        ),
        "cannot_delete_authenticator": (
            "You cannot turn off two-step verification: everyone using OnePlan needs it"
        ),
        "cannot_generate_recovery_codes": (
            "Set up an authenticator app before you make recovery codes"
        ),
    }

    def get_totp_issuer(self) -> str:
        return str(settings.ONEPLAN_SERVICE_NAME)

    def get_totp_label(self, user: Any) -> str:
        # The username, not the email address: it is what people sign in with.
        return str(user.get_username())

    def encrypt(self, text: str) -> str:
        """TOTP keys and recovery-code seeds are stored encrypted (``oneplan.encryption``),
        so reading the table (a backup, the admin, a database login) shows no secret."""
        return secret_encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return secret_decrypt(encrypted_text)

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        if settings.ONEPLAN_REQUIRE_MFA and authenticator.type == Authenticator.Type.TOTP:
            return False
        return bool(super().can_delete_authenticator(authenticator))
