"""Encrypt the TOTP secrets and recovery-code seeds stored before encryption was switched on.

From here on allauth stores them through ``oneplan.site.auth_adapters.MFAAdapter``, which
encrypts; this migration brings older rows in line. Running it twice changes nothing:
a value that is already a token under a configured key is left alone.
"""

from typing import Any

from django.db import migrations

from oneplan.encryption import (
    authenticator_data_transform,
    secret_decrypt,
    secret_encrypt_if_plaintext,
)

_SECRET_KINDS = ["totp", "recovery_codes"]


def _transform_all(apps: Any, transform: Any) -> None:
    authenticator_model = apps.get_model("mfa", "Authenticator")
    rows = authenticator_model.objects.filter(type__in=_SECRET_KINDS).only("pk", "type", "data")
    for row in rows.iterator():
        data = authenticator_data_transform(row.type, row.data, transform)
        if data != row.data:
            authenticator_model.objects.filter(pk=row.pk).update(data=data)


def encrypt_plaintext_secrets(apps: Any, schema_editor: Any) -> None:
    _transform_all(apps, secret_encrypt_if_plaintext)


def decrypt_secrets(apps: Any, schema_editor: Any) -> None:
    # Going back to a release that stores secrets in clear.
    _transform_all(apps, secret_decrypt)


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0003_account_and_authenticator_history"),
    ]

    operations = [
        migrations.RunPython(encrypt_plaintext_secrets, decrypt_secrets),
    ]
