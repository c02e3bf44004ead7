"""Celery finds tasks in each app's ``tasks.py``: this app's live in its areas."""

from outcomes.assessment.tasks import assessment_all_task, assessment_queue_process_task
from outcomes.results.tasks import results_all_task, results_queue_process_task

__all__ = [
    "assessment_all_task",
    "assessment_queue_process_task",
    "results_all_task",
    "results_queue_process_task",
]
