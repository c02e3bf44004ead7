"""Celery finds tasks in each app's ``tasks.py``: this app's live in its areas."""

from plans.work.tasks import reminders_send_task

__all__ = ["reminders_send_task"]
