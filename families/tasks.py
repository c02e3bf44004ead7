"""Scheduled work for families: thin wrappers around services."""

from __future__ import annotations

from celery import shared_task

from agencies.services import system_actor
from families.grants import grants_expire


@shared_task(name="families.grants_expire", autoretry_for=(ConnectionError,), retry_backoff=True)
def grants_expire_task() -> int:
    """End lapsed time-limited grants (break glass) and re-derive permissions."""
    return grants_expire(actor=system_actor())
