"""The nightly retention listing (beat schedule in oneplan/celery.py): thin, idempotent."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from agencies.services import system_actor
from lcgs.retention.services import retention_reviews_list


@shared_task(
    name="lcgs.retention_reviews_list",
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=3,
)
def retention_reviews_list_task() -> dict[str, int]:
    """List the records due for review today; running twice adds nothing."""
    listing = retention_reviews_list(actor=system_actor(), today=timezone.localdate())
    return {"listed": listing.listed, "reopened": listing.reopened, "held": listing.held}
