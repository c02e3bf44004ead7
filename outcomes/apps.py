"""Evidence, feeds and matching, frameworks and assessments, nominations and screening."""

from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "outcomes"
    verbose_name = "Outcomes"

    def ready(self) -> None:
        from outcomes.assessment import wiring as assessment
        from outcomes.feeds import wiring as feeds
        from outcomes.matching import wiring as matching
        from outcomes.results import wiring as results
        from outcomes.screening import wiring as screening

        for area in (feeds, matching, assessment, results, screening):
            area.ready()

        from oneplan.jobs import register_job_runner
        from outcomes.claims.export import CLAIM_BATCH_EXPORT_JOB, claim_batch_export_job

        register_job_runner(
            CLAIM_BATCH_EXPORT_JOB, claim_batch_export_job, label="Claim batch export"
        )
