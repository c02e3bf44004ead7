"""Local demo: `make run`. Relaxed for a single person on their own machine."""

from oneplan.settings.base import *  # noqa: F403

DEBUG = True
DEMO_MODE = True
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
# One person trying the service on their own machine: no authenticator app needed (the
# layout says so in demo mode). Anyone may still set one up under /account/2fa/.
ONEPLAN_REQUIRE_MFA = False
