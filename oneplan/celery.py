"""The Celery application. Tasks are discovered in each app's ``tasks.py``."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oneplan.settings.demo")

app = Celery("oneplan")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The schedule lives in code; django-celery-beat's scheduler copies it into the database.
app.conf.beat_schedule = {
    # Pages already treat lapsed grants as ended; this tidies the grant rows and
    # guardian's permissions soon after.
    "grants-expire": {"task": "families.grants_expire", "schedule": 15 * 60},
}
