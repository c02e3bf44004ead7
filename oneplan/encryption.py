"""Encryption of secrets kept in the database: TOTP keys and recovery-code seeds.

Fernet (AES-128-CBC with an HMAC-SHA256 tag, from the ``cryptography`` package) with keys
from ``ONEPLAN_MFA_ENCRYPTION_KEYS`` (the ``MFA_ENCRYPTION_KEYS`` environment variable).
The first key encrypts; every key in the list decrypts, so keys rotate by putting a new
key first and running ``mfa_secrets_reencrypt`` before removing the old one
(docs/decisions/0009-admin-and-mfa-secrets.md).

Production refuses to start without a key (``oneplan.config.check_production``).
Development, demo and test settings may leave the list empty: a key is then derived from
``SECRET_KEY``, so nothing needs setting up on a new machine.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

# Every Fernet token starts with its version byte 0x80, which base64 writes as "gAAAAA".
_TOKEN_PREFIX = "gAAAAA"  # noqa: S105 (a format marker, not a secret)


def development_key(secret_key: str) -> str:
    """A Fernet key derived from ``SECRET_KEY``, for machines without a configured key."""
    digest = hashlib.sha256(b"oneplan-mfa-secrets:" + secret_key.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii")


def _configured_keys() -> tuple[str, ...]:
    keys = tuple(getattr(settings, "ONEPLAN_MFA_ENCRYPTION_KEYS", None) or ())
    return keys or (development_key(str(settings.SECRET_KEY)),)


@lru_cache(maxsize=4)
def _fernet_for(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode("ascii")) for key in keys])


def _fernet() -> MultiFernet:
    return _fernet_for(_configured_keys())


def secret_encrypt(text: str) -> str:
    """Encrypt ``text`` with the first configured key."""
    return _fernet().encrypt(text.encode("utf-8")).decode("ascii")


def secret_decrypt(token: str) -> str:
    """Decrypt a token made by ``secret_encrypt`` with any configured key.

    Raises ``InvalidToken`` for anything else, plaintext included: after the migration that
    encrypted the existing secrets, a plaintext secret in the table means tampering.
    """
    return _fernet().decrypt(token.encode("ascii")).decode("utf-8")


def secret_reencrypt(token: str) -> str:
    """Re-encrypt a token under the first key (after a rotation)."""
    return _fernet().rotate(token.encode("ascii")).decode("ascii")


def secret_encrypt_if_plaintext(value: str) -> str:
    """For the migration only: encrypt a secret stored before encryption was switched on,
    and leave one that is already a token under a configured key alone."""
    if value.startswith(_TOKEN_PREFIX):
        try:
            secret_decrypt(value)
        except InvalidToken:
            pass
        else:
            return value
    return secret_encrypt(value)


def authenticator_data_transform(
    kind: str, data: dict[str, Any], transform: Callable[[str], str]
) -> dict[str, Any]:
    """Apply ``transform`` to the secrets in an allauth ``Authenticator.data``: the TOTP
    key, the recovery-code seed and any recovery codes carried over from another package.
    Everything else (which codes are used, when they were viewed) is not secret."""
    changed = dict(data)
    if kind == "totp" and isinstance(changed.get("secret"), str):
        changed["secret"] = transform(changed["secret"])
    if kind == "recovery_codes":
        if isinstance(changed.get("seed"), str):
            changed["seed"] = transform(changed["seed"])
        if isinstance(changed.get("migrated_codes"), list):
            changed["migrated_codes"] = [transform(code) for code in changed["migrated_codes"]]
    return changed


__all__ = [
    "InvalidToken",
    "authenticator_data_transform",
    "development_key",
    "secret_decrypt",
    "secret_encrypt",
    "secret_encrypt_if_plaintext",
    "secret_reencrypt",
]
