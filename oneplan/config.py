"""Every setting OnePlan reads from the environment, read in this one place.

Settings modules import ``CONFIG`` and never call ``os.environ`` themselves, so the full
list of knobs an operator can turn is this file (and ``.env.example`` documents it).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured

# A recognisable value, so production can refuse to start with it.
DEFAULT_SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from exc


def _list(env: Mapping[str, str], name: str, default: list[str]) -> list[str]:
    raw = env.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


@dataclass(frozen=True)
class Config:
    secret_key: str = DEFAULT_SECRET_KEY
    debug: bool = False
    database_url: str = ""
    redis_url: str = ""
    allowed_hosts: list[str] = field(default_factory=lambda: ["127.0.0.1", "localhost"])
    csrf_trusted_origins: list[str] = field(default_factory=list)
    email_url_host: str = "localhost"
    email_port: int = 25
    default_from_email: str = "oneplan@localhost"
    media_root: str = ""
    celery_task_always_eager: bool = False
    demo_mode: bool = False
    log_level: str = "INFO"
    break_glass_hours: int = 24
    base_url: str = "http://127.0.0.1:8000"
    review_interval_weeks: int = 6
    drift_weeks: int = 6

    @classmethod
    def from_environ(cls, env: Mapping[str, str] | None = None) -> Config:
        env = os.environ if env is None else env
        return cls(
            secret_key=env.get("SECRET_KEY", DEFAULT_SECRET_KEY),
            debug=_bool(env, "DEBUG", False),
            database_url=env.get("DATABASE_URL", ""),
            redis_url=env.get("REDIS_URL", ""),
            allowed_hosts=_list(env, "ALLOWED_HOSTS", ["127.0.0.1", "localhost"]),
            csrf_trusted_origins=_list(env, "CSRF_TRUSTED_ORIGINS", []),
            email_url_host=env.get("EMAIL_HOST", "localhost"),
            email_port=_int(env, "EMAIL_PORT", 25),
            default_from_email=env.get("DEFAULT_FROM_EMAIL", "oneplan@localhost"),
            media_root=env.get("MEDIA_ROOT", ""),
            celery_task_always_eager=_bool(env, "CELERY_TASK_ALWAYS_EAGER", False),
            demo_mode=_bool(env, "DEMO_MODE", False),
            log_level=env.get("LOG_LEVEL", "INFO"),
            break_glass_hours=_int(env, "BREAK_GLASS_HOURS", 24),
            base_url=env.get("BASE_URL", "http://127.0.0.1:8000").rstrip("/"),
            review_interval_weeks=_int(env, "REVIEW_INTERVAL_WEEKS", 6),
            drift_weeks=_int(env, "DRIFT_WEEKS", 6),
        )


def check_production(config: Config) -> None:
    """Refuse to run production with settings that would expose case data.

    Raised at import of the production settings, so a misconfigured deployment fails
    before it serves a single request.
    """
    problems: list[str] = []
    if config.debug:
        problems.append("DEBUG must be off in production")
    if not config.secret_key or config.secret_key == DEFAULT_SECRET_KEY:
        problems.append("SECRET_KEY must be set to a private random value")
    elif len(config.secret_key) < 50:
        problems.append("SECRET_KEY must be at least 50 characters long")
    if not config.database_url:
        problems.append("DATABASE_URL must be set")
    if not config.redis_url:
        problems.append("REDIS_URL must be set")
    if not config.allowed_hosts or "*" in config.allowed_hosts:
        problems.append("ALLOWED_HOSTS must list the site's host names (no '*')")
    if config.demo_mode:
        problems.append("DEMO_MODE must be off in production")
    if not config.base_url.startswith("https://"):
        problems.append("BASE_URL must be the site's https:// address (used in emails)")
    if config.celery_task_always_eager:
        problems.append("CELERY_TASK_ALWAYS_EAGER must be off in production")
    if problems:
        raise ImproperlyConfigured("Unsafe production configuration: " + "; ".join(problems))


CONFIG = Config.from_environ()
