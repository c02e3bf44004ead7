"""Intensive support's background work: thin wrappers around its services."""

from __future__ import annotations

from celery import shared_task

from agencies.services import system_actor


@shared_task(
    name="lcgs.intensive_nomination_notice_send",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=8,
)
def nomination_notice_send_task(nomination_id: int) -> int:
    """Email the provider's staff that a family waits for their decision (once per
    nomination)."""
    from lcgs.intensive.services import nomination_notice_send

    return nomination_notice_send(actor=system_actor(), nomination_id=nomination_id)
