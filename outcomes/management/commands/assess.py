"""``python manage.py assess --person CODE:PERSON_ID [--framework F] [--as-of DATE] --json``
(FEEDS.md "Command line").

Prints the eligibility assessment of the family the agency's person belongs to. Run for
today under the family's own framework, it also records the assessment, as the
background job would; with another date or framework it only prints. Scripts rely on
this interface and on the JSON shape: keep them stable.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from agencies.services import system_actor
from oneplan.dates import govuk_date
from oneplan.errors import ApplicationError
from outcomes.assessment.services import assessment_compute, assessment_families_run
from outcomes.management.options import date_option, family_of_person
from outcomes.models import Framework


class Command(BaseCommand):
    help = "Print the eligibility assessment of the family an agency's person belongs to."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--person",
            required=True,
            metavar="CODE:PERSON_ID",
            help="agency code and its person id",
        )
        parser.add_argument("--framework", choices=Framework.values)
        parser.add_argument("--as-of", metavar="YYYY-MM-DD", help="assessment date (default today)")
        parser.add_argument("--json", action="store_true", help="print JSON (FEEDS.md shape)")

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        as_of = date_option(options["as_of"], "--as-of") if options["as_of"] else today
        family = family_of_person(options["person"])
        try:
            assessed = assessment_compute(
                family=family, as_of=as_of, framework=options["framework"]
            )
            if as_of == today and options["framework"] in (None, assessed.framework):
                assessment_families_run(actor=system_actor(), family_ids=[family.pk], as_of=as_of)
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        result = assessed.result
        if options["json"]:
            payload = {
                "family": family.reference,
                "framework": assessed.framework,
                "as_of": as_of.isoformat(),
                "eligible": result.eligible,
                "criteria": {
                    c.code: {"met": c.met, "reasons": list(c.reasons)} for c in result.criteria
                },
            }
            self.stdout.write(json.dumps(payload))
            return
        self.stdout.write(
            f"{family.reference} under {Framework(assessed.framework).label}, version "
            f"{assessed.version.version}, as of {govuk_date(as_of)}"
        )
        self.stdout.write(result.summary)
        for c in result.criteria:
            self.stdout.write(f"\n{c.label}: {'met' if c.met else 'not met'}")
            for reason in c.reasons:
                self.stdout.write(f"  - {reason}")
