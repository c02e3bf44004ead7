"""Production refuses unsafe configuration before it serves anything."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from oneplan.config import DEFAULT_SECRET_KEY, Config, check_production

SAFE = {
    "SECRET_KEY": "k" * 64,
    "DEBUG": "false",
    "DATABASE_URL": "postgresql://oneplan@db:5432/oneplan",
    "REDIS_URL": "redis://redis:6379/0",
    "ALLOWED_HOSTS": "oneplan.example.gov.uk",
    "BASE_URL": "https://oneplan.example.gov.uk",
    # A Fernet key (32 bytes, url-safe base64) for TOTP secrets: an example, never used.
    "MFA_ENCRYPTION_KEYS": "b25lcGxhbi10ZXN0LWtleS1ub3QtZm9yLXVzZS0wMDA=",
}


def test_safe_production_config_is_accepted() -> None:
    check_production(Config.from_environ(SAFE))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"DEBUG": "true"}, "DEBUG must be off"),
        ({"SECRET_KEY": DEFAULT_SECRET_KEY}, "SECRET_KEY must be set"),
        ({"SECRET_KEY": ""}, "SECRET_KEY must be set"),
        ({"SECRET_KEY": "short-but-not-default"}, "at least 50 characters"),
        ({"DATABASE_URL": ""}, "DATABASE_URL must be set"),
        ({"REDIS_URL": ""}, "REDIS_URL must be set"),
        ({"ALLOWED_HOSTS": "*"}, "ALLOWED_HOSTS"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS"),
        ({"DEMO_MODE": "yes"}, "DEMO_MODE must be off"),
        ({"CELERY_TASK_ALWAYS_EAGER": "1"}, "CELERY_TASK_ALWAYS_EAGER"),
        ({"BASE_URL": "http://oneplan.example.gov.uk"}, "BASE_URL must be"),
    ],
)
def test_unsafe_production_config_is_refused(change: dict[str, str], message: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=message):
        check_production(Config.from_environ({**SAFE, **change}))


def test_missing_secret_key_uses_the_recognisable_default_and_is_refused() -> None:
    env = {k: v for k, v in SAFE.items() if k != "SECRET_KEY"}
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY"):
        check_production(Config.from_environ(env))


@pytest.mark.parametrize("value", ["maybe", "2", "enabled"])
def test_a_boolean_that_is_not_a_boolean_is_refused(value: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="DEBUG must be true or false"):
        Config.from_environ({"DEBUG": value})


@pytest.mark.parametrize(
    ("env", "count"), [({}, 0), ({"TRUSTED_PROXY_COUNT": ""}, 0), ({"TRUSTED_PROXY_COUNT": "1"}, 1)]
)
def test_trusted_proxies_default_to_none(env: dict[str, str], count: int) -> None:
    assert Config.from_environ(env).trusted_proxy_count == count


@pytest.mark.parametrize(("value", "message"), [("-1", "0 or more"), ("one", "a whole number")])
def test_a_trusted_proxy_count_that_is_not_a_count_is_refused(value: str, message: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=f"TRUSTED_PROXY_COUNT must be {message}"):
        Config.from_environ({"TRUSTED_PROXY_COUNT": value})


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(ImproperlyConfigured) as raised:
        check_production(Config.from_environ({"DEBUG": "1"}))
    text = str(raised.value)
    for fragment in ("DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL"):
        assert fragment in text


def _run_django_check(env_overrides: dict[str, str]) -> subprocess.CompletedProcess[str]:
    root = Path(__file__).resolve().parents[2]
    env = {k: v for k, v in os.environ.items() if k not in SAFE and k != "DEMO_MODE"}
    env.update(env_overrides)
    env["DJANGO_SETTINGS_MODULE"] = "oneplan.settings.production"
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_settings_module_refuses_to_start_with_debug_on() -> None:
    result = _run_django_check({**SAFE, "DEBUG": "true"})
    assert result.returncode != 0
    assert "DEBUG must be off in production" in result.stderr


def test_production_settings_module_starts_when_safe() -> None:
    result = _run_django_check(SAFE)
    assert result.returncode == 0, result.stderr
