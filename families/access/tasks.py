"""Scheduled work about access to families: thin wrappers around services."""

from __future__ import annotations

from celery import shared_task

from agencies.services import system_actor
from families.access.grants import grants_expire


@shared_task(name="families.grants_expire", autoretry_for=(ConnectionError,), retry_backoff=True)
def grants_expire_task() -> int:
    """End lapsed time-limited grants (break glass) and re-derive permissions."""
    return grants_expire(actor=system_actor())


@shared_task(
    name="families.break_glass_refusal_alert",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=8,
)
def break_glass_refusal_alert_task(refusal_id: int) -> int:
    """Email the data protection officers about a break-glass request over the limit."""
    from families.access.services import break_glass_refusal_alert

    return break_glass_refusal_alert(refusal_id=refusal_id)
