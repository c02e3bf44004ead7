"""Signing in as a person does in tests: through the real sign-in form, with an
authenticator app and recovery codes set up the way allauth sets them up."""

from __future__ import annotations

import time
from importlib import import_module
from typing import Any

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from agencies.models import User

PASSWORD = "correct-horse-battery"


def sign_in(client: Client, username: str, password: str = PASSWORD, **extra: Any) -> Any:
    return client.post(reverse("login"), {"login": username, "password": password}, **extra)


def give_authenticator_app(user: User) -> str:
    """Set the user up as allauth does: a TOTP authenticator and recovery codes."""
    secret = str(generate_totp_secret())
    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)
    return secret


def totp_code(secret: str) -> str:
    """The code an authenticator app would show now for this secret."""
    counter = int(time.time()) // 30
    return str(format_hotp_value(hotp_value(secret, counter)))


def recovery_codes(user: User) -> list[str]:
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    return [str(code) for code in authenticator.wrap().get_unused_codes()]


def signed_in_user(client: Client) -> Any:
    return client.get(reverse("home")).wsgi_request.user


def session_store() -> Any:
    return import_module(django_settings.SESSION_ENGINE).SessionStore
