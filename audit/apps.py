"""Access events and the reports built on them."""

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit"

    def ready(self) -> None:
        from audit.subject_access import wiring as subject_access

        subject_access.ready()
