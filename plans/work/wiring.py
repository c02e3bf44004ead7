"""Hooks this area registers when Django starts (job runners, family page panels)."""


def ready() -> None:
    # Celery discovers only each app's top-level tasks.py; importing the area's tasks
    # here registers the reminders task in every worker (the worker sets Django up).
    from plans.work import tasks  # noqa: F401
