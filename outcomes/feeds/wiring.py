"""Hooks this area registers when Django starts: the import job's runner, and agency
evidence as entries in the family's chronology."""

from oneplan.jobs import register_job_runner


def ready() -> None:
    from outcomes.feeds.chronology import evidence_entries
    from outcomes.feeds.services import FEED_IMPORT_JOB, feed_import_job
    from plans.review.chronology import register_chronology_source

    register_job_runner(FEED_IMPORT_JOB, feed_import_job, label="Agency feed import")
    register_chronology_source("evidence", evidence_entries, label="Agency evidence")
