"""Tests: real PostgreSQL and Redis, fast password hashing, no external email."""

import os

from oneplan.settings.base import *  # noqa: F403
from oneplan.settings.base import CACHES, DATABASES

# One test run is one database; run in parallel, each process has a database of its own
# (the process's name, e.g. gw0, is added to the database's) and so its own queue and cache.
_run = "-".join(
    part for part in (DATABASES["default"]["NAME"], os.environ.get("PYTEST_XDIST_WORKER")) if part
)

DEBUG = False
DEMO_MODE = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES["default"]["KEY_PREFIX"] = f"oneplan-test-{_run}"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# A queue of its own, so a demo worker on the same Redis never takes a test's tasks.
# Named for the run too, so two test runs (or two processes of one) never share a queue.
CELERY_TASK_DEFAULT_QUEUE = f"oneplan-test-{_run}"
# Tests that need two-step verification switch it on with pytest-django's `settings`.
ONEPLAN_REQUIRE_MFA = False
# allauth keeps its rate limits in Redis, which outlives a test run and which every test
# reaches from 127.0.0.1: one run's sign-ins would refuse the next run's. Lockout is
# tested through axes (in the test database); oneplan/tests/test_signin.py switches the
# second-step limit back on where it tests it.
ACCOUNT_RATE_LIMITS = False
