"""Celery finds tasks in each app's ``tasks.py``: this app's live in its areas."""

from families.access.tasks import break_glass_refusal_alert_task, grants_expire_task

__all__ = ["break_glass_refusal_alert_task", "grants_expire_task"]
