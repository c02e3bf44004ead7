"""The site layer is an app of its own so that ``manage.py seed_demo`` is found."""

from django.apps import AppConfig


class SiteConfig(AppConfig):
    name = "oneplan.site"
    label = "oneplan_site"
    verbose_name = "OnePlan site"
