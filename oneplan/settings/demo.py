"""Local demo: `make run`. Relaxed for a single person on their own machine, but never with
Django's debug pages: a family that is missing or outside the user's scope answers the
service's own 404 page, as in production, not a page listing every URL pattern."""

from oneplan.config import CONFIG
from oneplan.settings.base import *  # noqa: F403

# Not read from the environment either: a DEBUG=true left in a shell must not turn the
# demo's error pages into Django's technical ones. Tracebacks still go to the terminal.
DEBUG = False
DEMO_MODE = True
# The loopback names, and any the person running the demo adds with ALLOWED_HOSTS (to
# serve on HOST=0.0.0.0 to another machine, say).
ALLOWED_HOSTS = list(dict.fromkeys(["127.0.0.1", "localhost", "[::1]", *CONFIG.allowed_hosts]))
# One person trying the service on their own machine: no authenticator app needed (the
# layout says so in demo mode). Anyone may still set one up under /account/2fa/.
ONEPLAN_REQUIRE_MFA = False

# Static files straight from their sources (static/build, the npm packages, the apps)
# through whitenoise, as production serves them, but without a collectstatic step: names
# are not hashed, so there is no manifest to build, and whitenoise finds the files when
# the web server starts.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
# Nothing is collected, so whitenoise need not look (and warn) that staticfiles/ is absent.
# (Django allows None here; the type checker only knows base.py's Path.)
STATIC_ROOT = None  # type: ignore[assignment]
