"""``python manage.py import_feed KIND FILE --agency CODE --extract-date YYYY-MM-DD
[--valid-rows-only]`` (FEEDS.md "Command line").

Imports in this process (no worker needed), as the system account, and prints what
happened. Exits non-zero when the file was rejected, after printing every row error, so
a scheduler notices. Scripts rely on this interface: keep it stable.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pghistory
from django.core.management.base import BaseCommand, CommandError, CommandParser

from agencies.models import Agency
from agencies.services import system_actor
from oneplan.dates import govuk_date
from oneplan.errors import ApplicationError
from outcomes.feeds.services import feed_submission_create, feed_submission_import
from outcomes.models import FeedKind, FeedSubmission, SubmissionStatus


class Command(BaseCommand):
    help = "Check and import an agency's feed file (CSV or XLSX)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=FeedKind.values, help="The kind of feed")
        parser.add_argument("file", help="The CSV or XLSX file")
        parser.add_argument("--agency", required=True, help="The sending agency's code")
        parser.add_argument(
            "--extract-date", required=True, help="The date the agency took the data, YYYY-MM-DD"
        )
        parser.add_argument(
            "--valid-rows-only",
            action="store_true",
            help="Import the good rows even if some rows have errors (the choice is recorded)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            extract_date = datetime.date.fromisoformat(options["extract_date"])
        except ValueError:
            raise CommandError(
                f"Enter --extract-date as YYYY-MM-DD, not {options['extract_date']}"
            ) from None
        code = options["agency"].strip().upper()
        agency = Agency.objects.filter(code=code).first()
        if agency is None:
            raise CommandError(
                f'No agency has the code {code}. Add it with: agency_add {code} "NAME" --kind KIND'
            )
        path = Path(options["file"])
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}") from None
        actor = system_actor()
        try:
            submission = feed_submission_create(
                actor=actor,
                agency=agency,
                kind=options["kind"],
                extract_date=extract_date,
                filename=path.name,
                content=content,
                valid_rows_only=options["valid_rows_only"],
                start_job=False,
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        with pghistory.context(user=actor.pk, feed_submission=submission.pk):
            submission = feed_submission_import(submission=submission)
        self._report(submission)
        if submission.status != SubmissionStatus.IMPORTED:
            raise CommandError(
                f"The file was {submission.get_status_display().lower()} "
                f"(submission {submission.pk})."
            )

    def _report(self, submission: FeedSubmission) -> None:
        out = self.stdout
        out.write(
            f"Submission {submission.pk}: {submission.kind} from {submission.agency.code}, "
            f"extract date {govuk_date(submission.extract_date)}: "
            f"{submission.get_status_display()}"
        )
        if submission.file_error:
            out.write(submission.file_error)
        for warning in submission.warnings:
            out.write(f"Warning: {warning}")
        out.write(f"Rows read: {submission.rows_read}")
        out.write(f"New records: {submission.rows_accepted}")
        out.write(f"Records updated: {submission.rows_updated}")
        out.write(f"Rows with errors: {submission.rows_rejected}")
        out.write(f"People matched: {submission.people_matched}")
        out.write(f"People sent for review: {submission.people_review}")
        out.write(f"People created: {submission.people_created}")
        out.write(f"Families touched: {submission.families_touched}")
        for error in submission.row_errors:
            out.write(f"Row {error['row']}, {error['column']}: {error['message']}")
