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


def _count(env: Mapping[str, str], name: str, default: int) -> int:
    value = _int(env, name, default)
    if value < 0:
        raise ImproperlyConfigured(f"{name} must be 0 or more, not {value}")
    return value


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
    break_glass_daily_limit: int = 3
    base_url: str = "http://127.0.0.1:8000"
    review_interval_weeks: int = 6
    drift_weeks: int = 6
    # API tokens end this long after they were issued however much they are used, and
    # after this long without a request, like a signed-in session (docs/decisions/0010).
    api_token_max_age_hours: int = 12
    api_token_idle_minutes: int = 30
    # How many proxies of ours (TLS terminator, load balancer) stand in front of the web
    # process and append to X-Forwarded-For. 0: the client is REMOTE_ADDR.
    trusted_proxy_count: int = 0
    # Fernet keys for TOTP secrets and recovery-code seeds: the first encrypts, all decrypt.
    mfa_encryption_keys: list[str] = field(default_factory=list)
    # Memory one feed import may take in a worker beyond what the worker already uses
    # (outcomes/feeds/memory.py; 0: no cap), and the resident size after which a worker
    # process is replaced once its task ends (Celery's worker_max_memory_per_child).
    feed_import_memory_mb: int = 2048
    worker_max_memory_per_child_mb: int = 1536
    # A user asked for this many families outside their access (404s) within this many
    # hours is flagged on the data protection officer's user activity page; 0 turns it off.
    refusal_flag_count: int = 10
    refusal_flag_hours: int = 24
    # The key of the evaluation extracts' keyed hashes (outcomes/extracts): the same key
    # gives the same pseudonyms in every extract. Empty: one derived from SECRET_KEY.
    extract_key: str = ""

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
            break_glass_daily_limit=_int(env, "BREAK_GLASS_DAILY_LIMIT", 3),
            base_url=env.get("BASE_URL", "http://127.0.0.1:8000").rstrip("/"),
            review_interval_weeks=_int(env, "REVIEW_INTERVAL_WEEKS", 6),
            drift_weeks=_int(env, "DRIFT_WEEKS", 6),
            api_token_max_age_hours=_int(env, "API_TOKEN_MAX_AGE_HOURS", 12),
            api_token_idle_minutes=_int(env, "API_TOKEN_IDLE_MINUTES", 30),
            trusted_proxy_count=_count(env, "TRUSTED_PROXY_COUNT", 0),
            mfa_encryption_keys=_list(env, "MFA_ENCRYPTION_KEYS", []),
            feed_import_memory_mb=_count(env, "FEED_IMPORT_MEMORY_MB", 2048),
            worker_max_memory_per_child_mb=_count(env, "WORKER_MAX_MEMORY_PER_CHILD_MB", 1536),
            refusal_flag_count=_count(env, "REFUSAL_FLAG_COUNT", 10),
            extract_key=env.get("ONEPLAN_EXTRACT_KEY", ""),
            refusal_flag_hours=_count(env, "REFUSAL_FLAG_HOURS", 24),
        )


def _mfa_encryption_key_problems(keys: list[str]) -> list[str]:
    """Without its own key, production would derive one from SECRET_KEY (as development
    does), and rotating SECRET_KEY would then lock everyone out of two-step verification."""
    if not keys:
        return ["MFA_ENCRYPTION_KEYS must be set (a Fernet key; see .env.example)"]
    from cryptography.fernet import Fernet

    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key.encode("ascii"))
        except (ValueError, UnicodeEncodeError):
            return [f"MFA_ENCRYPTION_KEYS key {position} is not a valid Fernet key"]
    return []


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
    if not 1 <= config.api_token_max_age_hours <= 24:
        problems.append("API_TOKEN_MAX_AGE_HOURS must be from 1 to 24")
    if not 1 <= config.api_token_idle_minutes <= config.api_token_max_age_hours * 60:
        problems.append("API_TOKEN_IDLE_MINUTES must be at least 1 and within the maximum age")
    problems.extend(_mfa_encryption_key_problems(config.mfa_encryption_keys))
    if problems:
        raise ImproperlyConfigured("Unsafe production configuration: " + "; ".join(problems))


CONFIG = Config.from_environ()
