"""Families, people, household membership, addresses, lead professionals and case states."""

from django.apps import AppConfig


class FamiliesConfig(AppConfig):
    name = "families"
    verbose_name = "Families"

    def ready(self) -> None:
        from families.jobs import CASELOAD_SUMMARY_EXPORT, caseload_summary_export
        from oneplan.jobs import register_job_runner

        register_job_runner(
            CASELOAD_SUMMARY_EXPORT, caseload_summary_export, label="Caseload summary export"
        )

        from audit.labels import register_family_names
        from families.access.access_log import family_names_for_user

        # The access log names families in words only for readers who may see them.
        register_family_names(family_names_for_user)
