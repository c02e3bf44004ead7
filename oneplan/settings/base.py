"""Settings shared by every environment. Values that vary come from ``oneplan.config``."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
import django_stubs_ext
from csp.constants import NONCE, NONE, SELF

from oneplan.config import CONFIG

# Lets classes be written ModelAdmin[Agency] etc. for the type checker.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = CONFIG.secret_key
DEBUG = CONFIG.debug
ALLOWED_HOSTS = CONFIG.allowed_hosts
CSRF_TRUSTED_ORIGINS = CONFIG.csrf_trusted_origins
DEMO_MODE = CONFIG.demo_mode

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.postgres",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "rest_framework",
    # API tokens (hashed, expiring): the model is oneplan.ApiToken (docs/decisions/0010).
    # Before "oneplan", whose admin module unregisters knox's own token admin.
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "django_celery_beat",
    "pgtrigger",
    "pghistory",
    # Sign-in: allauth (username and password, then a TOTP code or recovery code),
    # axes (lockout after repeated failures), django-csp (Content-Security-Policy).
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
    "csp",
    # Project apps, in dependency order: each may use only those above it.
    "oneplan",
    "audit",
    "agencies",
    "families",
    "plans",
    "outcomes",
    "lcgs",
    # On top of every app: root URLs, start pages, sign-in, the demo seeder and its
    # command (oneplan/site/).
    "oneplan.site",
]

MIDDLEWARE = [
    # First, so every later layer (and every access event) sees request.request_id.
    "audit.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Records a 404 to a request for a family outside the user's access as refused.
    "families.access.access_log.RefusedFamilyMiddleware",
    # Attaches the acting user and the request to every audited database write.
    "pghistory.middleware.HistoryMiddleware",
    "oneplan.middleware.NoStoreForAuthenticatedMiddleware",
    # Ends a session after 30 idle minutes or 12 hours, and records it against the user.
    "oneplan.site.sessions.SessionLimitsMiddleware",
    # With ONEPLAN_REQUIRE_MFA, sends a user without an authenticator app to set one up.
    "oneplan.site.mfa.RequireMFAMiddleware",
    # Last: turns a lockout flagged during sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # First: refuses any sign-in (site, admin, API token) while the username and IP
    # address are locked out.
    "axes.backends.AxesStandaloneBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "oneplan.site.urls"
WSGI_APPLICATION = "oneplan.wsgi.application"
AUTH_USER_MODEL = "agencies.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "oneplan.site.context_processors.service",
                "oneplan.csp.nonce",
            ],
            # Dates and times in the GOV.UK style on every page, without a {% load %}.
            "builtins": ["oneplan.templatetags.govuk"],
        },
    },
]
FORM_RENDERER = "oneplan.forms.GOVUKFormRenderer"


def _database_url() -> str:
    if CONFIG.database_url:
        return CONFIG.database_url
    # No DATABASE_URL: a new user's machine. Start (or reuse) the embedded server
    # under ./var/ so nothing has to be installed by hand.
    from oneplan import devservices

    return devservices.embedded_postgres_url()


def _redis_url() -> str:
    if CONFIG.redis_url:
        return CONFIG.redis_url
    from oneplan import devservices

    return devservices.embedded_redis_url()


DATABASES = {"default": dj_database_url.parse(_database_url(), conn_max_age=60)}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# PostgreSQL's JIT compiler spent 0.65-0.9 s compiling the "families needing attention"
# query that runs in 0.6 s without it (benchmarks/README.md, plan_pages.py): OnePlan's
# queries are short, indexed lookups that JIT only slows down.
DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = _redis_url()
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "oneplan",
    }
}

# Celery talks to the same Redis; a unix-socket URL needs Celery's own scheme.
CELERY_BROKER_URL = (
    "redis+socket://" + REDIS_URL.removeprefix("unix://")
    if REDIS_URL.startswith("unix://")
    else REDIS_URL
)
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = CONFIG.celery_task_always_eager
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "oneplan"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = "Europe/London"
# A worker process whose resident memory is past this when a task ends is replaced
# (Celery counts KiB; 0 turns it off). Feed imports also have a hard cap of their own
# while they run: FEED_IMPORT_MEMORY_MB (outcomes/feeds/memory.py).
CELERY_WORKER_MAX_MEMORY_PER_CHILD = CONFIG.worker_max_memory_per_child_mb * 1024 or None
FEED_IMPORT_MEMORY_MB = CONFIG.feed_import_memory_mb

SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    # "aaaaaaaaaaaa", "123456789012", "qwertyuiop12": long enough, in no list, guessed first.
    {"NAME": "oneplan.passwords.RepeatOrSequenceValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Sign-in and sessions (docs: ARCHITECTURE.md "sign-in") ---------------------------
# Sessions end after SESSION_COOKIE_AGE idle, and after this long however active.
ONEPLAN_SESSION_MAX_AGE = 12 * 60 * 60
# API tokens: expire this long after issue however active, and after this long unused.
ONEPLAN_API_TOKEN_MAX_AGE = timedelta(hours=CONFIG.api_token_max_age_hours)
ONEPLAN_API_TOKEN_IDLE = timedelta(minutes=CONFIG.api_token_idle_minutes)
KNOX_TOKEN_MODEL = "oneplan.ApiToken"  # noqa: S105 (a model name, not a secret)
REST_KNOX = {"TOKEN_TTL": ONEPLAN_API_TOKEN_MAX_AGE, "AUTH_HEADER_PREFIX": "Token"}
# Every user must set up an authenticator app before using the service. Production
# forces this on; demo and test settings turn it off.
ONEPLAN_REQUIRE_MFA = True

# allauth: accounts are made by system administrators, who sign in with a username.
ACCOUNT_ADAPTER = "oneplan.site.auth_adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
# No "remember me": the session cookie goes when the browser closes.
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_FORMS = {
    "login": "oneplan.site.auth_forms.SignInForm",
    "change_password": "oneplan.site.auth_forms.ChangePasswordForm",
    "reauthenticate": "oneplan.site.auth_forms.ReauthenticateForm",
}
ACCOUNT_RATE_LIMITS: dict[str, str] | bool = {
    # Password guessing is axes' job (one lockout rule for every way in). allauth's own
    # limit stays on the second step: 5 wrong codes per user in 15 minutes.
    "login_failed": "5/15m/key",
    # Everyone at a council office can share one IP address at 9am.
    "login": "300/m/ip",
}
MFA_ADAPTER = "oneplan.site.auth_adapters.MFAAdapter"
# Keys that encrypt TOTP secrets and recovery-code seeds (oneplan/encryption.py). Empty
# outside production: a key derived from SECRET_KEY is used instead.
ONEPLAN_MFA_ENCRYPTION_KEYS = CONFIG.mfa_encryption_keys
# The evaluation extracts' hash key (outcomes/extracts); empty: derived from SECRET_KEY.
ONEPLAN_EXTRACT_KEY = CONFIG.extract_key
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# Accounts come from administrators, not self sign-up, so an unverified email address
# is no reason to stop someone protecting their account.
MFA_ALLOW_UNVERIFIED_EMAIL = True
MFA_TOTP_ISSUER = "OnePlan"
MFA_FORMS = {
    "authenticate": "oneplan.site.auth_forms.MFAAuthenticateForm",
    "reauthenticate": "oneplan.site.auth_forms.MFAReauthenticateForm",
    "activate_totp": "oneplan.site.auth_forms.ActivateTOTPForm",
}

# axes: 5 failed sign-ins from one IP address for one username lock that pair out for
# 15 minutes, on every way in (the sign-in page, the admin, the API token endpoint).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_CALLABLE = "oneplan.site.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True
# Failures count against the username as sign-in finds it, whatever its case: otherwise
# "KeyWorker" gets 5 more guesses, and signing in as it clears a lockout of "keyworker".
AXES_USERNAME_CALLABLE = "oneplan.site.lockout.lockout_username"
# The client's address, from the one helper the audit log uses too: REMOTE_ADDR, or the
# address our own proxies saw (TRUSTED_PROXY_COUNT; docs/deploy.md "Behind a proxy").
ONEPLAN_TRUSTED_PROXY_COUNT = CONFIG.trusted_proxy_count
AXES_CLIENT_IP_CALLABLE = "audit.services.client_ip"
ALLAUTH_TRUSTED_PROXY_COUNT = ONEPLAN_TRUSTED_PROXY_COUNT
# No start-up banner on every manage.py command; lockouts are still logged.
AXES_VERBOSE = False

# Content-Security-Policy: scripts only from this site or inline with the page's nonce
# (templates use {{ csp_nonce }}); no inline styles; images may be data: URIs (the QR
# code for setting up an authenticator app).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, g:ia"

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Files whitenoise serves at the site's root, under their own names: the favicon, which
# browsers ask for at /favicon.ico whatever the page links to.
WHITENOISE_ROOT = BASE_DIR / "static" / "root"
STATICFILES_DIRS = [
    BASE_DIR / "static" / "build",
    ("govuk", BASE_DIR / "node_modules" / "govuk-frontend" / "dist" / "govuk"),
    ("htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = Path(CONFIG.media_root) if CONFIG.media_root else BASE_DIR / "var" / "media"
MEDIA_URL = "/media/"

EMAIL_HOST = CONFIG.email_url_host
EMAIL_PORT = CONFIG.email_port
DEFAULT_FROM_EMAIL = CONFIG.default_from_email

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "oneplan.site.token_authentication.ApiTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "oneplan.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # Adds the error answers every operation can give (400, 403, 404) to the schema.
    "DEFAULT_SCHEMA_CLASS": "oneplan.api_errors.ErrorSchema",
    # One mapping of refusals to status codes for every endpoint (docs/developers.md).
    "EXCEPTION_HANDLER": "oneplan.api_errors.api_exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "OnePlan API",
    "DESCRIPTION": (
        "Multi-agency case management for the Supporting Families programme. "
        "Every endpoint answers only with what the signed-in user may see; a family "
        "outside your scope answers 404, the same as one that does not exist."
    ),
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "COMPONENT_SPLIT_REQUEST": True,
    # Served from our own static files: no third-party CDN sees who reads the docs.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One name per choice set, however many serializers use it.
    "ENUM_NAME_OVERRIDES": {
        "FamilyStatusEnum": "families.states.FamilyStatus",
        "JobStatusEnum": "oneplan.models.JobStatus",
        "ActionStatusEnum": "plans.models.ActionStatus",
        "FeedKindEnum": "outcomes.models.FeedKind",
        "SubmissionStatusEnum": "outcomes.models.SubmissionStatus",
    },
}

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": CONFIG.log_level},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # axes logs every sign-in at INFO; failures and lockouts are WARNING.
        "axes": {"level": "WARNING"},
    },
}

# Programme-wide reference figures that later issues read; kept here until they move
# into framework data.
ONEPLAN_SERVICE_NAME = "OnePlan"
ONEPLAN_COUNCIL_NAME = "Hampshire County Council"
# The council's ONS code, first column of a claim batch export.
ONEPLAN_COUNCIL_CODE = "E10000014"
# How long emergency ("break glass") access to a family lasts.
ONEPLAN_BREAK_GLASS_HOURS = CONFIG.break_glass_hours
# How many emergency accesses one user may open in any 24 hours; past it the request is
# refused and the data protection officer is emailed.
ONEPLAN_BREAK_GLASS_DAILY_LIMIT = CONFIG.break_glass_daily_limit
# Requests for families outside a user's access (answered 404) that flag the user on the
# data protection officer's user activity page: this many within this many hours.
ONEPLAN_REFUSAL_FLAG_COUNT = CONFIG.refusal_flag_count
ONEPLAN_REFUSAL_FLAG_HOURS = CONFIG.refusal_flag_hours
# The public address, for links in reminder emails.
ONEPLAN_BASE_URL = CONFIG.base_url
# Reviews: the next one defaults to this many weeks after a meeting (DOMAIN: 6 to 8).
ONEPLAN_REVIEW_INTERVAL_WEEKS = CONFIG.review_interval_weeks
# "No progress for N weeks" marks a family as drifting on "my families".
ONEPLAN_DRIFT_WEEKS = CONFIG.drift_weeks
