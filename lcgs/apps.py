"""Local Coordination Groups: the areas that review caseloads and allocate work."""

from django.apps import AppConfig


class LcgsConfig(AppConfig):
    name = "lcgs"
    verbose_name = "Local coordination groups"

    def ready(self) -> None:
        # The staff pages (agencies.staff) set LCG memberships through this hook.
        from lcgs.memberships import register

        register()
