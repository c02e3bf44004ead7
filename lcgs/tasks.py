"""Celery finds tasks in each app's ``tasks.py``: this app's live in its areas."""

from lcgs.allocation.tasks import allocation_notice_send_task
from lcgs.intensive.tasks import nomination_notice_send_task
from lcgs.retention.tasks import retention_reviews_list_task

__all__ = [
    "allocation_notice_send_task",
    "nomination_notice_send_task",
    "retention_reviews_list_task",
]
