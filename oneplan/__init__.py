"""OnePlan: one family, one plan, one joined-up approach."""

from oneplan.celery import app as celery_app

__all__ = ["celery_app"]
