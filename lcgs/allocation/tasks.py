"""Allocation's background work: thin wrappers around its services."""

from __future__ import annotations

from celery import shared_task

from agencies.services import system_actor


@shared_task(
    name="lcgs.allocation_notice_send",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=8,
)
def allocation_notice_send_task(assignment_id: int) -> int:
    """Email the lead professional a family was allocated to (once per assignment)."""
    from lcgs.allocation.services import allocation_notice_send

    return allocation_notice_send(actor=system_actor(), assignment_id=assignment_id)
