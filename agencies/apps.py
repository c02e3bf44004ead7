"""Agencies, their staff and roles, and LCGs as organisation reference data."""

from django.apps import AppConfig


class AgenciesConfig(AppConfig):
    name = "agencies"
    verbose_name = "Agencies"

    def ready(self) -> None:
        # The staff pages (agencies.staff) set LCG memberships through this hook.
        from agencies.lcgs.memberships import register

        register()
