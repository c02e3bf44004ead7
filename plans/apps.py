"""Single family plans: goals, actions, reviews (built in a later issue)."""

from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = "Plans"
