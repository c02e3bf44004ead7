"""Evidence, feeds and matching, frameworks and assessments, results and claims."""

from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "outcomes"
    verbose_name = "Outcomes"

    def ready(self) -> None:
        from outcomes.assessment import wiring as assessment
        from outcomes.feeds import wiring as feeds
        from outcomes.matching import wiring as matching
        from outcomes.results import wiring as results

        for area in (feeds, matching, assessment, results):
            area.ready()

        from oneplan.jobs import register_job_runner
        from outcomes.claims.export import CLAIM_BATCH_EXPORT_JOB, claim_batch_export_job

        register_job_runner(
            CLAIM_BATCH_EXPORT_JOB, claim_batch_export_job, label="Claim batch export"
        )

        from outcomes.extracts import wiring as extracts

        extracts.ready()

        from outcomes.reporting import wiring as reporting

        reporting.ready()
