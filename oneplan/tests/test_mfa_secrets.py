"""TOTP secrets and recovery-code seeds are encrypted at rest (docs decision 0009).

Reading the authenticator table (a backup, a database login, an admin page) shows no
secret; signing in with an authenticator app or a recovery code works as before.
"""

from __future__ import annotations

from importlib import import_module
from io import StringIO

import pytest
from allauth.mfa.models import Authenticator
from cryptography.fernet import Fernet, InvalidToken
from django.apps import apps as django_apps
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import SettingsWrapper

from agencies.models import User
from conftest import World
from oneplan.config import Config, check_production
from oneplan.encryption import secret_decrypt, secret_encrypt
from oneplan.tests.test_config import SAFE
from tests.support.accounts import (
    give_authenticator_app,
    recovery_codes,
    sign_in,
    signed_in_user,
    totp_code,
)

migration = import_module("agencies.migrations.0004_mfa_secrets_encrypt")


def stored_data(user: User) -> str:
    """The authenticator rows as the database holds them, all of them as one text."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT string_agg(data::text, ' ') FROM mfa_authenticator WHERE user_id = %s",
            [user.pk],
        )
        row = cursor.fetchone()
    assert row is not None
    return str(row[0])


def recovery_seed(user: User) -> str:
    row = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    return secret_decrypt(row.data["seed"])


def signs_in_with(user: User, code: str) -> bool:
    client = Client()
    sign_in(client, user.username)
    client.post(reverse("mfa_authenticate"), {"code": code})
    return bool(signed_in_user(client) == user)


def test_the_database_holds_no_plaintext_secret(world: World) -> None:
    user = world.keyworker.user

    secret = give_authenticator_app(user)

    stored = stored_data(user)
    seed = recovery_seed(user)
    assert secret not in stored
    assert seed not in stored
    for code in recovery_codes(user):
        assert code not in stored
    totp = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    assert totp.data["secret"].startswith("gAAAAA")
    assert secret_decrypt(totp.data["secret"]) == secret


def test_signing_in_with_an_authenticator_app_still_works(world: World) -> None:
    secret = give_authenticator_app(world.keyworker.user)

    assert not signs_in_with(world.keyworker.user, "123456")
    assert signs_in_with(world.keyworker.user, totp_code(secret))


def test_a_recovery_code_still_works_once(world: World) -> None:
    user = world.keyworker.user
    give_authenticator_app(user)
    code = recovery_codes(user)[0]

    assert signs_in_with(user, code)
    assert not signs_in_with(user, code)


def test_a_plaintext_or_foreign_secret_is_refused_not_used() -> None:
    """After the migration a plaintext value in the table means tampering: decrypting it
    fails rather than accepting it as a secret."""
    with pytest.raises(InvalidToken):
        secret_decrypt("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    foreign = Fernet(Fernet.generate_key()).encrypt(b"JBSWY3DPEHPK3PXP").decode()
    with pytest.raises(InvalidToken):
        secret_decrypt(foreign)


def test_the_migration_encrypts_secrets_stored_in_clear(world: World) -> None:
    user = world.keyworker.user
    secret = give_authenticator_app(user)
    seed = recovery_seed(user)
    codes = recovery_codes(user)
    # As rows were before encryption was switched on.
    Authenticator.objects.filter(user=user, type="totp").update(data={"secret": secret})
    Authenticator.objects.filter(user=user, type="recovery_codes").update(
        data={"seed": seed, "used_mask": 0}
    )
    assert secret in stored_data(user)

    migration.encrypt_plaintext_secrets(django_apps, None)
    once = stored_data(user)
    migration.encrypt_plaintext_secrets(django_apps, None)

    assert stored_data(user) == once  # running it again changes nothing
    assert secret not in once
    assert seed not in once
    assert recovery_codes(user) == codes
    assert signs_in_with(user, totp_code(secret))


def test_rotating_the_key(world: World, settings: SettingsWrapper) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.ONEPLAN_MFA_ENCRYPTION_KEYS = [old]
    user = world.keyworker.user
    secret = give_authenticator_app(user)
    codes = recovery_codes(user)

    settings.ONEPLAN_MFA_ENCRYPTION_KEYS = [new, old]
    output = StringIO()
    call_command("mfa_secrets_reencrypt", stdout=output)
    assert "Re-encrypted the secrets of 2 authenticators" in output.getvalue()
    settings.ONEPLAN_MFA_ENCRYPTION_KEYS = [new]

    assert recovery_codes(user) == codes
    assert signs_in_with(user, totp_code(secret))
    settings.ONEPLAN_MFA_ENCRYPTION_KEYS = [old]
    with pytest.raises(InvalidToken):
        recovery_codes(user)


def test_encryption_uses_the_first_key(settings: SettingsWrapper) -> None:
    first, second = Fernet.generate_key(), Fernet.generate_key()
    settings.ONEPLAN_MFA_ENCRYPTION_KEYS = [first.decode(), second.decode()]

    token = secret_encrypt("JBSWY3DPEHPK3PXP")

    assert Fernet(first).decrypt(token.encode()) == b"JBSWY3DPEHPK3PXP"
    with pytest.raises(InvalidToken):
        Fernet(second).decrypt(token.encode())


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        ("", "MFA_ENCRYPTION_KEYS must be set"),
        ("not-a-fernet-key", "key 1 is not a valid Fernet key"),
        (Fernet.generate_key().decode() + ",short", "key 2 is not a valid Fernet key"),
    ],
    # Named, not shown: a key made afresh in each process would give each its own test id.
    ids=["no-keys", "not-a-key", "second-key-short"],
)
def test_production_refuses_to_start_without_a_valid_key(keys: str, message: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=message):
        check_production(Config.from_environ({**SAFE, "MFA_ENCRYPTION_KEYS": keys}))


def test_production_accepts_a_list_of_keys() -> None:
    keys = f"{Fernet.generate_key().decode()}, {Fernet.generate_key().decode()}"

    config = Config.from_environ({**SAFE, "MFA_ENCRYPTION_KEYS": keys})

    check_production(config)
    assert len(config.mfa_encryption_keys) == 2
