"""The Celery application. Tasks are discovered in each app's ``tasks.py``."""

from __future__ import annotations

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oneplan.settings.demo")

app = Celery("oneplan")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The schedule lives in code; django-celery-beat's scheduler copies it into the database.
app.conf.beat_schedule = {
    # Pages already treat lapsed grants as ended; this ends the grant rows soon after.
    "grants-expire": {"task": "families.grants_expire", "schedule": 15 * 60},
    # Families whose evidence changed are re-assessed soon after each import (queued by
    # the import); this catches anything a lost task missed.
    "assessment-queue": {"task": "outcomes.assessment_queue_process", "schedule": 10 * 60},
    # Nightly: every family, because "last 12 months" windows move on even when no new
    # evidence arrives; unchanged assessments are recognised by fingerprint and skipped.
    "assessment-all": {"task": "outcomes.assessment_all", "schedule": crontab(hour=2, minute=0)},
    # Then every attached family's results and claim readiness, and the journey with them.
    "results-all": {"task": "outcomes.results_all", "schedule": crontab(hour=3, minute=0)},
    # Daily digest of overdue actions and reviews due (sent once per person per day).
    "reminders-send": {"task": "plans.reminders_send", "schedule": crontab(hour=7, minute=0)},
    # Records due for review under the retention periods (lcgs.retention); idempotent.
    "retention-reviews-list": {
        "task": "lcgs.retention_reviews_list",
        "schedule": crontab(hour=1, minute=30),
    },
}
