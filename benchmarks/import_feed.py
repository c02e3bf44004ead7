"""Benchmark a feed import: 100,000 rows against 200,000 known people (target: under 60 s).

Run from the repository root:

    python benchmarks/import_feed.py [--families 50000] [--rows 100000] [--seed 2012]

It never touches the database DATABASE_URL names: it works in a scratch database called
``oneplan_bench_feeds`` on the same server (created if needed, migrated, its case data
replaced on every run). It seeds the demo caseload (about four people a family, with the
agency records and households the demo gives them), gives the benchmark's own agency a
record for two people in five, then builds one police call-out feed that mixes:

- rows about people the agency has sent before (its ``person_id`` known),
- new agency ids for known people with a UPN, NHS or NI number (exact matches),
- new agency ids for known people without identifiers, with a typing error in the given
  name or the day and month of birth swapped (scored matches and reviews),
- people OnePlan has never seen (new people and new households),

and imports it in this process, the way ``manage.py import_feed`` does. It prints rows per
second, the seconds of each phase (parse, validate, match, households, write, queue) and
what the import counted. ``--reuse`` keeps the people an earlier run seeded when no import
has changed them since (``--seed-only`` seeds and stops, so the import can be timed
apart from seeding); ``--drop`` removes the scratch database.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import io
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scratch import scratch_database_use

BENCH_DATABASE = "oneplan_bench_feeds"
AGENCY_CODE = "BENCH-POLICE"
HEADER = [
    "record_id",
    "person_id",
    "given_name",
    "family_name",
    "date_of_birth",
    "sex",
    "address_line_1",
    "postcode",
    "uprn",
    "household_id",
    "upn",
    "nhs_number",
    "ni_number",
    "callout_date",
    "category",
]
CATEGORIES = ("domestic_abuse", "asb", "missing_person", "welfare", "other")
NEW_NAMES = [
    "Aarav",
    "Bex",
    "Cormac",
    "Dilys",
    "Eben",
    "Ffion",
    "Gethin",
    "Halle",
    "Idris",
    "Jory",
    "Kenna",
    "Lorcan",
    "Maelie",
    "Niamh",
    "Orrin",
    "Peregrine",
    "Quilla",
    "Rhosyn",
    "Seren",
    "Tamsin",
    "Ulric",
    "Vesper",
    "Wynn",
    "Xanthe",
    "Yestin",
    "Zennor",
]
NEW_SURNAMES = [
    "Abernethy",
    "Blackmore",
    "Carrow",
    "Dunstable",
    "Eversley",
    "Fairweather",
    "Gollop",
    "Hindmarsh",
    "Ilchester",
    "Jellicoe",
    "Kettlewell",
    "Loxley",
    "Merriweather",
    "Nettleship",
    "Ottery",
    "Penhaligon",
    "Quarrington",
    "Rushworth",
    "Stallybrass",
    "Trevelyan",
    "Upcott",
    "Villiers",
    "Wolstenholme",
    "Yarborough",
    "Zouch",
]
NEW_POSTCODES = ("SO22 5AB", "SO23 9PF", "PO9 2DX", "RG21 7QS", "GU14 6BL", "SO50 4PT")


def _typo(name: str, rng: random.Random) -> str:
    """One neighbouring-letter swap or one letter dropped: the errors of a keyboard."""
    if len(name) < 4:
        return name
    i = rng.randrange(1, len(name) - 2)
    if rng.random() < 0.5:
        return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    return name[:i] + name[i + 1 :]


def _swapped(born: datetime.date, today: datetime.date) -> datetime.date:
    if born.day <= 12 and born.day != born.month:
        swapped = born.replace(day=born.month, month=born.day)
        # A baby's swapped birthday can fall after the extract: the import would refuse it.
        return swapped if swapped <= today else born
    return born


def build_feed(
    rows: int, seed: int, agency_id: int, today: datetime.date
) -> tuple[bytes, dict[str, int]]:
    """The feed's CSV bytes and how many rows of each sort it has."""
    from django.db import connection

    rng = random.Random(seed)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT p.id, p.given_name, p.family_name, p.date_of_birth, p.sex, p.upn,
                   p.nhs_number, p.ni_number, a.line_1, a.postcode, a.uprn,
                   EXISTS (SELECT 1 FROM outcomes_sourceperson s
                           WHERE s.agency_id = %s AND s.person_id = p.id)
            FROM families_person p
            JOIN families_householdmembership m ON m.person_id = p.id AND m.end_date IS NULL
            JOIN families_family f ON f.id = m.family_id
            JOIN families_address a ON a.id = f.address_id
            ORDER BY p.id
            """,
            [agency_id],
        )
        people = cursor.fetchall()
    known = [p for p in people if p[11]]
    others = [p for p in people if not p[11]]
    with_identifier = [p for p in others if p[5] or p[6] or p[7]]
    without = [p for p in others if not (p[5] or p[6] or p[7])]
    rng.shuffle(known)
    rng.shuffle(with_identifier)
    rng.shuffle(without)

    # Shares of rows; each person gets one or two rows (a call-out or two).
    plan = {"known": 0.40, "exact": 0.25, "fuzzy": 0.15, "new": 0.20}
    counts = dict.fromkeys(plan, 0)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    record = 0

    def emit(kind: str, person_id: str, identity: list[str], how_many: int) -> None:
        nonlocal record
        for _ in range(how_many):
            record += 1
            day = today - datetime.timedelta(days=rng.randrange(1, 365))
            writer.writerow(
                [f"CAD-{record:07d}", person_id, *identity, day.isoformat(), rng.choice(CATEGORIES)]
            )
            counts[kind] += 1

    def identity_of(p: tuple[Any, ...], *, identifiers: bool, fuzz: bool = False) -> list[str]:
        given, born = p[1], p[3]
        if fuzz:
            swapped = _swapped(born, today)
            if swapped != born and rng.random() < 0.4:
                born = swapped
            else:
                given = _typo(given, rng)
        return [
            given,
            p[2],
            born.isoformat(),
            p[4],
            p[8],
            p[9],
            p[10],
            "",
            p[5] if identifiers else "",
            p[6] if identifiers else "",
            p[7] if identifiers else "",
        ]

    # Fuzzy rows are about known people whose identifiers the row leaves out.
    split = int(rows * plan["exact"] / 1.25)
    pools = {
        "known": known,
        "exact": with_identifier[:split],
        "fuzzy": with_identifier[split:] + without,
    }
    for kind, pool in pools.items():
        target = int(rows * plan[kind])
        for p in pool:
            if counts[kind] >= target:
                break
            how_many = min(1 + (rng.random() < 0.25), target - counts[kind])
            if kind == "known":
                emit(kind, f"BENCH-{p[0]}", identity_of(p, identifiers=True), how_many)
            else:
                emit(
                    kind,
                    f"NEW-{p[0]}",
                    identity_of(p, identifiers=kind == "exact", fuzz=kind == "fuzzy"),
                    how_many,
                )
    households = 0
    while record < rows:
        households += 1
        postcode = rng.choice(NEW_POSTCODES)
        street = f"{rng.randrange(1, 400)} {rng.choice(NEW_SURNAMES)} Road"
        surname = rng.choice(NEW_SURNAMES)
        for member in range(rng.randint(1, 4)):
            if record >= rows:
                break
            born = today - datetime.timedelta(days=rng.randrange(365 * 2, 365 * 60))
            identity = [
                rng.choice(NEW_NAMES),
                surname,
                born.isoformat(),
                rng.choice("FM"),
                street,
                postcode,
                "",
                "",
                "",
                "",
                "",
            ]
            emit(
                "new",
                f"UNSEEN-{households}-{member}",
                identity,
                min(1 + (rng.random() < 0.25), rows - record),
            )
    return buffer.getvalue().encode(), counts


def seed_people(families: int, seed: int) -> None:
    """The demo caseload, then the benchmark agency's records of two people in five."""
    from django.db import connection, transaction

    from agencies.services import agency_add_or_update, system_actor
    from oneplan.site.demo.seed import seed_demo

    print(f"Seeding {families:,} families (seed {seed})...", flush=True)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        # Earlier runs' imports hang off agencies, not people: clear them too.
        cursor.execute("TRUNCATE outcomes_feedsubmission, oneplan_job CASCADE")
    seed_demo(families=families, seed=seed, replace=True)
    agency, _ = agency_add_or_update(
        actor=system_actor(), code=AGENCY_CODE, name="Benchmark Constabulary", kind="police"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        # The agency has sent two people in five before: its records of them, matched.
        # Setting up, not measured: without the history triggers, as the demo seeder does.
        cursor.execute("ALTER TABLE outcomes_sourceperson DISABLE TRIGGER USER")
        cursor.execute(
            """
            INSERT INTO outcomes_sourceperson (
                agency_id, source_person_id, person_id, given_name, family_name,
                date_of_birth, sex, address_line_1, postcode, uprn, household_id, upn,
                nhs_number, ni_number, match_method, match_score, match_fields, linked_at,
                created_at, updated_at)
            SELECT %s, 'BENCH-' || p.id, p.id, p.given_name, p.family_name, p.date_of_birth,
                   p.sex, a.line_1, a.postcode, a.uprn, '', p.upn, p.nhs_number, p.ni_number,
                   'score', 1.0, '{}'::jsonb, now(), now(), now()
            FROM families_person p
            JOIN families_householdmembership m ON m.person_id = p.id AND m.end_date IS NULL
            JOIN families_family f ON f.id = m.family_id
            JOIN families_address a ON a.id = f.address_id
            WHERE p.id %% 5 IN (0, 3)
            """,
            [agency.pk],
        )
        # ALTER TABLE refuses while deferred foreign-key checks are pending: run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE outcomes_sourceperson ENABLE TRIGGER USER")
        cursor.execute("ANALYZE outcomes_sourceperson")
    print(f"  seeded in {time.perf_counter() - started:.1f} s", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--families", type=int, default=50_000)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2012)
    parser.add_argument("--drop", action="store_true", help="drop the scratch database and stop")
    parser.add_argument(
        "--seed-only", action="store_true", help="seed the people, then stop (see --reuse)"
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the people an earlier run seeded, if no import has changed them since",
    )
    args = parser.parse_args(argv)
    scratch_database_use(BENCH_DATABASE, drop=args.drop)

    import pghistory
    from django.utils import timezone

    from agencies.models import Agency
    from agencies.services import system_actor
    from families.models import Family, Person
    from outcomes.feeds.services import (
        ImportTimings,
        feed_submission_create,
        feed_submission_import,
    )
    from outcomes.matching import pipeline as matching
    from outcomes.models import FeedSubmission

    today = timezone.localdate()

    actor = system_actor()
    reusable = (
        args.reuse
        and Agency.objects.filter(code=AGENCY_CODE).exists()
        and not FeedSubmission.objects.filter(agency__code=AGENCY_CODE)
        .exclude(status="rejected")
        .exists()
    )
    if reusable:
        print("Reusing the people an earlier run seeded.", flush=True)
        agency = Agency.objects.get(code=AGENCY_CODE)
    else:
        seed_people(args.families, args.seed)
        agency = Agency.objects.get(code=AGENCY_CODE)
    print(
        f"  people: {Person.objects.count():,}  families: {Family.objects.count():,}",
        flush=True,
    )
    if args.seed_only:
        return 0

    started = time.perf_counter()
    content, mix = build_feed(args.rows, args.seed, agency.pk, today)
    print(
        f"Feed: {args.rows:,} rows, {len(content) / 1e6:.1f} MB "
        f"({time.perf_counter() - started:.1f} s to build)"
    )
    for kind, count in mix.items():
        print(f"  {kind:<6} {count:>8,} rows")

    # Households are grouped inside matching: time that part on its own.
    households_seconds = 0.0
    grouping = vars(matching)["households_group"]

    def timed_grouping(**kwargs: Any) -> Any:
        nonlocal households_seconds
        began = time.perf_counter()
        try:
            return grouping(**kwargs)
        finally:
            households_seconds += time.perf_counter() - began

    vars(matching)["households_group"] = timed_grouping
    timings = ImportTimings()
    print("Importing...", flush=True)
    started = time.perf_counter()
    stored = time.perf_counter()
    submission = feed_submission_create(
        actor=actor,
        agency=agency,
        kind="police_callouts",
        extract_date=today,
        filename="bench-callouts.csv",
        content=content,
        valid_rows_only=False,
        start_job=False,
    )
    timings.time("store", stored)
    with pghistory.context(user=actor.pk, feed_submission=submission.pk):
        feed_submission_import(submission=submission, timings=timings)
    seconds = time.perf_counter() - started
    submission = FeedSubmission.objects.get(pk=submission.pk)

    phases = dict(timings.phases)
    phases["match"] = phases.get("match", 0.0) - households_seconds
    phases["households"] = households_seconds
    print(f"status: {submission.get_status_display()}")
    if submission.file_error or submission.row_errors:
        print(submission.file_error, submission.row_errors[:5])
    print(f"total seconds: {seconds:.1f}")
    print(f"rows/second: {submission.rows_read / seconds:,.0f}")
    print("phases (seconds):")
    for name in ("store", "parse", "validate", "match", "households", "write", "queue"):
        print(f"  {name:<11} {phases.get(name, 0.0):>7.1f}")
    print(f"  {'other':<11} {seconds - sum(phases.values()):>7.1f}")
    print("counts:")
    for name in (
        "rows_read",
        "rows_accepted",
        "rows_updated",
        "rows_rejected",
        "people_matched",
        "people_review",
        "people_created",
        "families_touched",
    ):
        print(f"  {name:<17} {getattr(submission, name):>9,}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
