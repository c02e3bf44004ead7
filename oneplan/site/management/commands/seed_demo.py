"""``manage.py seed_demo``: load the Hampshire demo (logic in ``oneplan.site.demo.seed``)."""

from __future__ import annotations

import datetime
from argparse import ArgumentParser, ArgumentTypeError
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from agencies.models import LCG, Agency, User
from families.models import Family
from oneplan.site.demo import reference, seed


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise ArgumentTypeError(f"enter a date like 2026-03-31, not {value!r}") from exc


def _families(value: str) -> int:
    number = int(value)
    if number < 0:
        raise ArgumentTypeError("enter 0 or more families")
    return number


def _sign_ins_in_database() -> list[seed.SignIn]:
    """The demo sign-ins an earlier seeding made that still exist and may sign in."""
    specs = reference.staff_specs()
    active = set(
        User.objects.filter(
            username__in=[spec.username for spec in specs], is_active=True
        ).values_list("username", flat=True)
    )
    agencies = dict(
        Agency.objects.filter(code__in={spec.agency_code for spec in specs}).values_list(
            "code", "name"
        )
    )
    lcgs = dict(
        LCG.objects.filter(code__in={spec.lcg_code for spec in specs}).values_list("code", "name")
    )
    return [
        seed.SignIn(
            spec.username,
            spec.role.label,
            agencies.get(spec.agency_code, ""),
            lcgs.get(spec.lcg_code, ""),
        )
        for spec in specs
        if spec.username in active
    ]


class Command(BaseCommand):
    help = (
        "Create demo LCGs, agencies, sign-ins in every role and a synthetic caseload of "
        "families, reproducibly for a given seed."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--families",
            type=_families,
            default=reference.DEFAULT_FAMILIES,
            help=f"How many families to create (default {reference.DEFAULT_FAMILIES})",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=reference.DEFAULT_SEED,
            help=(
                f"Random seed: the same seed gives the same data (default {reference.DEFAULT_SEED})"
            ),
        )
        parser.add_argument(
            "--today",
            type=_date,
            default=None,
            help="Reference date for ages and case dates, YYYY-MM-DD (default today)",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing if the database already has any family",
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Delete all existing case data (families, people, addresses) first",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"]:
            existing = Family.objects.count()
            if existing:
                self.stdout.write(
                    f"The database already has {existing} families: "
                    "leaving it as it is (--if-empty)."
                )
                # `make run` seeds only the first time: every later start must still
                # say how to sign in.
                sign_ins = _sign_ins_in_database()
                if sign_ins:
                    self.stdout.write("\n" + seed.format_sign_ins(sign_ins))
                return
        try:
            result = seed.seed_demo(
                families=options["families"],
                seed=options["seed"],
                today=options["today"],
                replace=options["replace"],
            )
        except seed.DemoDataExists as exc:
            raise CommandError(str(exc)) from exc
        except ModuleNotFoundError as exc:
            if exc.name != "faker":
                raise
            raise CommandError(
                "The demo seeder needs the demo's requirements (Faker is not installed): "
                "make run, or pip install --require-hashes -r requirements-demo.lock"
            ) from exc
        self.stdout.write(seed.format_summary(result))
