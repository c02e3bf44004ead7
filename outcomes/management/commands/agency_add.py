"""``python manage.py agency_add CODE "NAME" --kind KIND`` (FEEDS.md "Command line").

Adds an agency that sends feeds; with a code that exists already, changes its name and
kind. Scripts and schedulers rely on this interface: keep it stable.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from agencies.models import AgencyKind
from agencies.services import agency_add_or_update, system_actor
from oneplan.errors import ApplicationError


class Command(BaseCommand):
    help = "Add an agency (or change an existing agency's name and kind)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="The agency's code, like HCP-POLICE")
        parser.add_argument("name", help="The agency's name")
        parser.add_argument("--kind", required=True, choices=AgencyKind.values)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            agency, created = agency_add_or_update(
                actor=system_actor(),
                code=options["code"],
                name=options["name"],
                kind=options["kind"],
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        verb = "Added" if created else "Updated"
        self.stdout.write(f"{verb} agency {agency.code}: {agency.name} ({agency.kind})")
