"""Celery task for the daily reminders: a thin wrapper around the service."""

from __future__ import annotations

import datetime
from typing import Any

from celery import shared_task
from django.utils import timezone

from agencies.services import system_actor
from plans.work.services import reminders_send

# Minutes between tries when some emails could not be sent (then 10, 20, 40...).
RETRY_AFTER_SECONDS = 5 * 60


@shared_task(name="plans.reminders_send", bind=True, max_retries=5)
def reminders_send_task(self: Any, day: str | None = None) -> dict[str, Any]:
    """Send the reminders for ``day`` (ISO date; default today in the service's time
    zone). Idempotent: a repeat or a retry emails only people not yet reached."""
    the_day = datetime.date.fromisoformat(day) if day else timezone.localdate()
    result = reminders_send(actor=system_actor(), today=the_day)
    if result.failed:
        # Retry the same day even if the retry runs after midnight.
        raise self.retry(
            kwargs={"day": the_day.isoformat()},
            countdown=RETRY_AFTER_SECONDS * 2**self.request.retries,
        )
    return {
        "day": the_day.isoformat(),
        "sent": result.sent,
        "already_sent": result.already_sent,
        "failed": result.failed,
    }
