"""Evidence, feeds, frameworks, assessments and claims (built in a later issue)."""

from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "outcomes"
    verbose_name = "Outcomes"
