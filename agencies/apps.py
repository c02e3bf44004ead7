"""Agencies, their staff and roles, and (later) the access policy."""

from django.apps import AppConfig


class AgenciesConfig(AppConfig):
    name = "agencies"
    verbose_name = "Agencies"
