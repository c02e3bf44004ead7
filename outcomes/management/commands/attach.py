"""``python manage.py attach --person CODE:PERSON_ID --framework tf1|tf2|sf2022 --on
YYYY-MM-DD`` (FEEDS.md "Command line").

Takes the family the agency's person belongs to onto the programme on that date, under
the framework version in force then, as an LCG's acceptance does: records the attachment
and its entry assessment. The same call again changes nothing; another date for an
attached family is refused. Scripts rely on this interface: keep it stable.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from agencies.services import system_actor
from oneplan.dates import govuk_date
from oneplan.errors import ApplicationError
from outcomes.management.options import date_option, family_of_person
from outcomes.models import Framework
from outcomes.results.services import family_attach


class Command(BaseCommand):
    help = "Attach the family an agency's person belongs to, on a date, under a framework."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--person", required=True, metavar="CODE:PERSON_ID", help="agency code and person id"
        )
        parser.add_argument("--framework", required=True, choices=Framework.values)
        parser.add_argument("--on", required=True, metavar="YYYY-MM-DD", help="attachment date")

    def handle(self, *args: Any, **options: Any) -> None:
        attached_on = date_option(options["on"], "--on")
        family = family_of_person(options["person"])
        try:
            attachment, made = family_attach(
                actor=system_actor(),
                family=family,
                framework=options["framework"],
                attached_on=attached_on,
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        entry = "eligible" if attachment.eligible_at_entry else "not eligible"
        what = "Attached" if made else "Already attached"
        self.stdout.write(
            f"{what}: {family.reference} on {govuk_date(attachment.attached_on)} under "
            f"{attachment.framework} version {attachment.framework_version.version}; "
            f"{entry} at entry ({attachment.entry_summary})"
        )
