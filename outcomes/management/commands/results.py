"""``python manage.py results --person CODE:PERSON_ID [--as-of YYYY-MM-DD] --json``
(FEEDS.md "Command line").

Prints the results and claim readiness of the family the agency's person belongs to, on
a date (default today), under the framework version of its attachment. Scripts rely on
this interface and on the JSON shape: keep them stable.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from oneplan.dates import govuk_date
from oneplan.errors import ApplicationError
from outcomes.management.options import date_option, family_of_person
from outcomes.results.services import results_compute


class Command(BaseCommand):
    help = "Print the results and claim readiness of the family an agency's person belongs to."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--person", required=True, metavar="CODE:PERSON_ID", help="agency code and person id"
        )
        parser.add_argument("--as-of", metavar="YYYY-MM-DD", help="results date (default today)")
        parser.add_argument("--json", action="store_true", help="print JSON (FEEDS.md shape)")

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = (
            date_option(options["as_of"], "--as-of") if options["as_of"] else timezone.localdate()
        )
        family = family_of_person(options["person"])
        try:
            computed = results_compute(family=family, as_of=as_of)
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        results, readiness = computed.results, computed.readiness
        if options["json"]:
            payload = {
                "family": family.reference,
                "framework": results.framework,
                "attached": results.attached_on.isoformat(),
                "as_of": as_of.isoformat(),
                "eligible_at_entry": results.eligible_at_entry,
                "results": results.checks_json(),
                "route": results.route,
                "readiness": readiness.to_json(),
            }
            self.stdout.write(json.dumps(payload))
            return
        self.stdout.write(
            f"{family.reference} under {results.framework}, attached on "
            f"{govuk_date(results.attached_on)}, results as of {govuk_date(as_of)}"
        )
        self.stdout.write(
            f"Eligible at entry: {'yes' if results.eligible_at_entry else 'no'}; "
            f"route: {results.route or 'none'}; readiness: {readiness.status}"
        )
        for reason in readiness.reasons:
            self.stdout.write(f"  - {reason}")
        for check in results.checks:
            state = "met" if check.met else "not met"
            if not check.relevant:
                state = "not relevant"
            self.stdout.write(f"\n{check.label}: {state}")
            for reason in check.reasons:
                self.stdout.write(f"  - {reason}")
