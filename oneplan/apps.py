"""The project package is also an app: shared base models and the Job record."""

from django.apps import AppConfig


class OneplanConfig(AppConfig):
    name = "oneplan"
    verbose_name = "OnePlan"
