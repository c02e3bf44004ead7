"""The client's IP address behind our own proxies: one setting, one helper, every user of it.

``TRUSTED_PROXY_COUNT`` (oneplan/config.py) says how many proxies of ours add to
X-Forwarded-For. Lockout (axes), allauth and the access log must all see the client's
address through them, and all must ignore the header when the count is 0, because then
anyone can write it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from allauth.account.adapter import get_adapter
from axes.models import AccessAttempt, AccessLog
from django.test import Client, RequestFactory
from django.urls import reverse
from pytest_django.fixtures import SettingsWrapper

from audit.models import AccessEvent
from audit.services import client_ip
from conftest import World

PASSWORD = "correct-horse-battery"
PROXY = "10.0.0.2"  # our TLS proxy, as the web process sees it
CLIENT = "203.0.113.9"
OTHER_CLIENT = "198.51.100.7"


def proxies(settings: SettingsWrapper, count: int) -> None:
    """What TRUSTED_PROXY_COUNT=<count> sets (checked below against the real settings)."""
    settings.ONEPLAN_TRUSTED_PROXY_COUNT = count
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = count


def through_proxy(client_address: str, sent: str = "") -> dict[str, str]:
    """The request as web receives it: from the proxy, which appended the client's address
    to whatever X-Forwarded-For the client sent."""
    forwarded = f"{sent}, {client_address}" if sent else client_address
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": forwarded}


def sign_in(username: str, password: str, **meta: str) -> Any:
    return Client().post(reverse("login"), {"login": username, "password": password}, **meta)


def test_one_setting_from_the_environment_reaches_lockout_allauth_and_the_access_log() -> None:
    """A fresh process with TRUSTED_PROXY_COUNT=2, asked for the address three ways."""
    script = """
import django
django.setup()
from allauth.account.adapter import get_adapter
from axes.helpers import get_client_ip_address
from django.conf import settings
from django.test import RequestFactory
from audit.services import client_ip
request = RequestFactory().get(
    "/", REMOTE_ADDR="10.0.0.3", HTTP_X_FORWARDED_FOR="192.0.2.1, 203.0.113.9, 10.0.0.2"
)
print(settings.ONEPLAN_TRUSTED_PROXY_COUNT, settings.ALLAUTH_TRUSTED_PROXY_COUNT)
print(get_client_ip_address(request), get_adapter(request).get_client_ip(request))
print(client_ip(request))
"""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "oneplan.settings.test",
        "TRUSTED_PROXY_COUNT": "2",
        # Read, never connected to: the script makes no queries.
        "DATABASE_URL": os.environ.get("DATABASE_URL") or "postgresql://x@127.0.0.1:1/x",
        "REDIS_URL": os.environ.get("REDIS_URL") or "redis://127.0.0.1:1/0",
    }

    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["2", "2", CLIENT, CLIENT, CLIENT]


# -- lockout ------------------------------------------------------------------------------


def test_behind_one_proxy_the_lockout_is_per_client_not_per_username(
    world: World, settings: SettingsWrapper
) -> None:
    proxies(settings, 1)
    for _ in range(5):
        sign_in("keyworker", "wrong-password", **through_proxy(CLIENT))

    assert sign_in("keyworker", PASSWORD, **through_proxy(CLIENT)).status_code == 429
    attempt = AccessAttempt.objects.get()
    assert (attempt.username, attempt.ip_address) == ("keyworker", CLIENT)
    # Someone else behind the same proxy is not locked out by those failures.
    assert sign_in("keyworker", PASSWORD, **through_proxy(OTHER_CLIENT)).status_code == 302
    assert AccessLog.objects.get().ip_address == OTHER_CLIENT


def test_behind_one_proxy_what_the_client_writes_in_the_header_is_not_trusted(
    world: World, settings: SettingsWrapper
) -> None:
    proxies(settings, 1)
    # A new made-up address in front of the proxy's entry on every guess.
    for n in range(5):
        sign_in("keyworker", "wrong-password", **through_proxy(CLIENT, sent=f"192.0.2.{n}"))

    response = sign_in("keyworker", PASSWORD, **through_proxy(CLIENT, sent="192.0.2.99"))

    assert response.status_code == 429
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [CLIENT]


def test_behind_one_proxy_the_api_token_endpoint_locks_out_the_client(
    world: World, settings: SettingsWrapper
) -> None:
    proxies(settings, 1)
    url = reverse("api-token")
    credentials = {"username": "keyworker", "password": "wrong"}
    for _ in range(5):
        Client().post(url, credentials, **through_proxy(CLIENT))

    right = {"username": "keyworker", "password": PASSWORD}
    assert Client().post(url, right, **through_proxy(CLIENT)).status_code == 429
    assert Client().post(url, right, **through_proxy(OTHER_CLIENT)).status_code == 200
    assert AccessAttempt.objects.get().ip_address == CLIENT


def test_with_no_proxies_a_forged_header_is_ignored(
    world: World, settings: SettingsWrapper
) -> None:
    proxies(settings, 0)
    # Someone at OTHER_CLIENT claims, each time differently, to be somewhere else...
    for n in range(5):
        sign_in(
            "keyworker",
            "wrong-password",
            REMOTE_ADDR=OTHER_CLIENT,
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, {CLIENT}",
        )

    # ...and is locked out where they really are, whatever they claim next...
    forged = {"REMOTE_ADDR": OTHER_CLIENT, "HTTP_X_FORWARDED_FOR": CLIENT}
    assert sign_in("keyworker", PASSWORD, **forged).status_code == 429
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [OTHER_CLIENT]
    # ...while the person whose address they claimed still signs in.
    assert sign_in("keyworker", PASSWORD, REMOTE_ADDR=CLIENT).status_code == 302


# -- allauth and the access log -----------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "meta", "seen"),
    [
        (1, through_proxy(CLIENT), CLIENT),
        (1, through_proxy(CLIENT, sent="192.0.2.1"), CLIENT),
        (0, through_proxy(CLIENT), PROXY),
        (0, {"REMOTE_ADDR": OTHER_CLIENT, "HTTP_X_FORWARDED_FOR": CLIENT}, OTHER_CLIENT),
    ],
)
def test_allauth_sees_the_address_the_access_log_records(
    settings: SettingsWrapper, count: int, meta: dict[str, str], seen: str
) -> None:
    proxies(settings, count)
    request = RequestFactory().post("/sign-in/", **meta)

    assert get_adapter(request).get_client_ip(request) == seen
    assert client_ip(request) == seen


@pytest.mark.parametrize(
    ("count", "meta", "recorded"),
    [
        (1, through_proxy(CLIENT), CLIENT),
        (0, through_proxy(CLIENT), PROXY),
        (0, {"REMOTE_ADDR": OTHER_CLIENT, "HTTP_X_FORWARDED_FOR": CLIENT}, OTHER_CLIENT),
    ],
)
def test_the_access_log_records_the_clients_address(
    world: World, settings: SettingsWrapper, count: int, meta: dict[str, str], recorded: str
) -> None:
    proxies(settings, count)
    client = Client()
    client.force_login(world.keyworker.user)

    response = client.get(f"/families/{world.own_family.reference}/", **meta)

    assert response.status_code == 200
    event = AccessEvent.objects.filter(user=world.keyworker.user).latest("pk")
    assert event.family_id == world.own_family.pk
    assert event.ip_address == recorded
