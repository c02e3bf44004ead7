"""Tests: real PostgreSQL and Redis, fast password hashing, no external email."""

from oneplan.settings.base import *  # noqa: F403
from oneplan.settings.base import CACHES

DEBUG = False
DEMO_MODE = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES["default"]["KEY_PREFIX"] = "oneplan-test"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# A queue of its own, so a demo worker on the same Redis never takes a test's tasks.
CELERY_TASK_DEFAULT_QUEUE = "oneplan-test"
