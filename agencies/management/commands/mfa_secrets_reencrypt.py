"""``manage.py mfa_secrets_reencrypt``: finish a rotation of ``MFA_ENCRYPTION_KEYS``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from agencies.services import mfa_secrets_reencrypt


class Command(BaseCommand):
    help = (
        "Re-encrypt every TOTP secret and recovery-code seed under the first key of "
        "MFA_ENCRYPTION_KEYS. Run after putting a new key first; then remove the old key."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        changed = mfa_secrets_reencrypt()
        self.stdout.write(f"Re-encrypted the secrets of {changed} authenticators")
