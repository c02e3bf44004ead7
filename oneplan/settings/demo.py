"""Local demo: `make run`. Relaxed for a single person on their own machine."""

from oneplan.settings.base import *  # noqa: F403

DEBUG = True
DEMO_MODE = True
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
