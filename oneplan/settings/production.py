"""Production: everything from the environment, and refuse to start if it is unsafe."""

from oneplan.config import CONFIG, check_production

check_production(CONFIG)

from oneplan.settings.base import *  # noqa: E402, F403

DEBUG = False
DEMO_MODE = False
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = True
# Load balancers probe these over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
# Every user signs in with a second factor. Not read from the environment: there is no
# switch to turn it off in production.
ONEPLAN_REQUIRE_MFA = True
