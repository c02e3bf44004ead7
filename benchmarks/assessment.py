"""Benchmark eligibility assessment: every family, set-based (target: 50,000 families with
about 40 evidence rows each in under 60 seconds).

Run from the repository root:

    python benchmarks/assessment.py [--families 50000] [--regenerate] [--drop]

It never touches the database DATABASE_URL names: it works in a scratch database called
``oneplan_bench_assessment`` on the same server (created and migrated when missing).
Families, people, household members and evidence are generated with ``COPY`` (history
triggers off inside the generating transaction) unless the scratch database already
holds the requested number of families. Then it times:

1. a plain full read of the evidence table (the same columns the assessment reads,
   JSON decoded the same way): the floor any assessment of everyone has to pay;
2. the full assessment of every family (``assessment_all_run``), with no earlier
   results, so every family's result is written;
3. the next night's run: a new date, the same evidence: only families whose answer
   is due (the day after its ``valid_until``) are assessed again;
4. every family again on that date (the run a new framework version causes): the rule
   runs again for each; results that read the same are brought up to date in place.

and prints families/second and each run's ratio to the plain read.
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import random
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scratch import scratch_database_use

BENCH_DATABASE = "oneplan_bench_assessment"
AS_OF = datetime.date(2025, 8, 15)
NULL = "\\N"
TERMS = [
    (datetime.date(y, m, 1), end)
    for y in (2022, 2023, 2024, 2025)
    for m, end in ((1, (3, 31)), (4, (8, 31)), (9, (12, 31)))
]


def _terms_before(day: datetime.date, count: int) -> list[tuple[datetime.date, datetime.date]]:
    started = [(start, datetime.date(start.year, *end)) for start, end in TERMS if start <= day]
    return started[-count:]


def _day(rng: random.Random, days_back: int = 1000) -> datetime.date:
    return AS_OF - datetime.timedelta(days=rng.randrange(days_back))


def _maybe_end(rng: random.Random, day: datetime.date, days: int) -> datetime.date | None:
    """Half the spells are still open."""
    if rng.random() < 0.5:
        return None
    return day + datetime.timedelta(days=rng.randrange(days))


def _evidence_for_family(
    rng: random.Random, people: list[tuple[int, datetime.date]]
) -> Iterator[tuple[int, str, datetime.date, datetime.date | None, dict[str, object]]]:
    """About 40 rows: attendance for the children, and a spread of every other kind."""
    adults = [p for p in people if (AS_OF - p[1]).days > 18 * 365]
    children = [p for p in people if p not in adults]
    for person_id, _ in children:
        for start, term_end in _terms_before(AS_OF, 6):
            possible = rng.choice((120, 130, 140))
            yield (
                person_id,
                "school_attendance",
                start,
                term_end,
                {
                    "possible_sessions": possible,
                    "unauthorised_absence_sessions": int(possible * rng.random() ** 3 * 0.4),
                    "authorised_absence_sessions": rng.randrange(10),
                },
            )
    everyone = [p for p, _ in people]
    child_ids = [p for p, _ in children] or everyone
    adult_ids = [p for p, _ in adults] or everyone
    kinds: list[tuple[str, list[int], int]] = [
        ("exclusions", child_ids, 2),
        ("offences", everyone, 2),
        ("asb", everyone, 2),
        ("police_callouts", everyone, 6),
        ("benefits", adult_ids, 2),
        ("employment", adult_ids, 1),
        ("social_care", child_ids, 2),
        ("domestic_abuse", adult_ids, 2),
        ("health", everyone, 3),
        ("housing", adult_ids, 2),
        ("neet", child_ids, 1),
        ("work_progress", adult_ids, 1),
    ]
    for kind, who, most in kinds:
        for _ in range(rng.randint(0, most * 2)):
            person = rng.choice(who)
            day = _day(rng)
            end: datetime.date | None = None
            data: dict[str, Any]
            if kind == "exclusions":
                data = {
                    "exclusion_date": day.isoformat(),
                    "exclusion_type": rng.choice(("fixed",) * 9 + ("permanent",)),
                    "sessions": 2,
                }
            elif kind == "offences":
                data = {
                    "offence_date": day.isoformat(),
                    "outcome_date": (day + datetime.timedelta(days=30)).isoformat(),
                    "outcome": rng.choice(("proven", "not_proven")),
                    "offence_type": "theft",
                }
            elif kind == "asb":
                data = {
                    "incident_date": day.isoformat(),
                    "intervention": rng.choice(("warning", "abc", "injunction", "incident")),
                }
            elif kind == "police_callouts":
                data = {
                    "callout_date": day.isoformat(),
                    "category": rng.choice(
                        ("domestic_abuse", "asb", "missing_person", "welfare", "other")
                    ),
                }
            elif kind == "benefits":
                end = _maybe_end(rng, day, 400)
                data = {
                    "benefit": rng.choice(("JSA", "ESA", "UC", "UC", "CA")),
                    "start_date": day.isoformat(),
                    "out_of_work": rng.random() < 0.6,
                }
            elif kind in ("employment", "social_care", "health", "neet"):
                end = _maybe_end(rng, day, 300)
                spells: dict[str, dict[str, Any]] = {
                    "employment": {"hours_per_week": 20},
                    "social_care": {
                        "status": rng.choice(
                            ("early_help", "child_in_need", "child_protection", "section_47")
                        )
                    },
                    "health": {
                        "need": rng.choice(
                            ("mental_health", "substance_misuse", "perinatal", "physical_health")
                        ),
                        "engaged": True,
                    },
                    "neet": {"status": rng.choice(("neet", "eet"))},
                }
                data = spells[kind]
            elif kind == "domestic_abuse":
                data = {
                    "incident_date": day.isoformat(),
                    "role": rng.choice(("victim", "perpetrator", "witness")),
                    "marac": rng.random() < 0.2,
                }
            elif kind == "housing":
                data = {
                    "event_date": day.isoformat(),
                    "event": rng.choice(
                        (
                            "rent_arrears",
                            "notice_seeking_possession",
                            "eviction",
                            "homeless",
                            "arrears_cleared",
                        )
                    ),
                }
            else:
                data = {"event_date": day.isoformat(), "programme": "work_programme"}
            if end is not None and end > AS_OF:
                end = None
            yield person, kind, day, end, data


def _copy(cursor: object, table: str, columns: str, buffer: io.StringIO) -> None:
    buffer.seek(0)
    cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer)  # type: ignore[attr-defined]


def copy_households(
    raw: object,
    fam: io.StringIO,
    per: io.StringIO,
    mem: io.StringIO,
    src: io.StringIO,
    evi: io.StringIO,
) -> None:
    """COPY generated families, people, memberships, agency people and evidence, in the
    columns the generators here write (``generate``; ``claim_batch.py`` too)."""
    _copy(
        raw,
        "families_family",
        "id, reference, status, status_changed_at, attached_on, created_at, updated_at",
        fam,
    )
    _copy(
        raw,
        "families_person",
        "id, given_name, family_name, date_of_birth, sex, upn, nhs_number, ni_number, "
        "created_at, updated_at",
        per,
    )
    _copy(
        raw,
        "families_householdmembership",
        "id, role, start_date, end_date, family_id, person_id",
        mem,
    )
    _copy(
        raw,
        "outcomes_sourceperson",
        "id, source_person_id, given_name, family_name, date_of_birth, sex, address_line_1, "
        "postcode, uprn, household_id, upn, nhs_number, ni_number, match_method, match_score, "
        "match_fields, linked_at, created_at, updated_at, agency_id, last_submission_id, "
        "linked_by_id, person_id",
        src,
    )
    _copy(
        raw,
        "outcomes_evidence",
        "id, kind, record_id, date, end_date, data, is_restricted, extract_date, created_at, "
        "updated_at, agency_id, person_id, submission_id, source_id",
        evi,
    )


def generate(families: int, seed: int) -> dict[str, int]:
    """Write the families, people, members, agency people and evidence with COPY."""
    from django.db import connection, transaction

    from agencies.models import Agency, AgencyKind
    from agencies.services import system_actor
    from outcomes.models import RESTRICTED_FEED_KINDS

    rng = random.Random(seed)
    actor = system_actor()
    now = "2025-08-15 00:00:00+00"
    rows = {"families": 0, "people": 0, "evidence": 0}
    tables = [
        "families_family",
        "families_person",
        "families_householdmembership",
        "outcomes_sourceperson",
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.cursor
        cursor.execute(
            "TRUNCATE outcomes_assessment, outcomes_assessmentqueue, outcomes_evidence, "
            "outcomes_sourceperson, outcomes_feedsubmission, families_householdmembership, "
            "families_person, families_family RESTART IDENTITY CASCADE"
        )
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table in tables:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        agency_id = Agency.objects.get_or_create(
            code="BENCH", defaults={"name": "Benchmark agency", "kind": AgencyKind.OTHER}
        )[0].pk
        submissions: dict[str, int] = {}
        for kind in (
            "school_attendance",
            "exclusions",
            "offences",
            "asb",
            "police_callouts",
            "benefits",
            "employment",
            "work_progress",
            "social_care",
            "domestic_abuse",
            "health",
            "housing",
            "neet",
        ):
            cursor.execute(
                "INSERT INTO outcomes_feedsubmission (kind, extract_date, filename, file_format, "
                "content, sha256, size_bytes, valid_rows_only, submitted_at, status, file_error, "
                "row_errors, warnings, rows_read, rows_accepted, rows_updated, rows_rejected, "
                "people_matched, people_review, people_created, families_touched, agency_id, "
                "submitted_by_id) VALUES (%s, %s, %s, 'csv', '', '', 0, false, now(), 'imported', "
                "'', '[]', '[]', 0, 0, 0, 0, 0, 0, 0, 0, %s, %s) RETURNING id",
                [kind, AS_OF, f"{kind}.csv", agency_id, actor.pk],
            )
            submissions[kind] = cursor.fetchone()[0]

        fam, per, mem, src, evi = (io.StringIO() for _ in range(5))
        person_id = 0
        evidence_id = 0
        for family_id in range(1, families + 1):
            attached = rng.random()
            attached_on = (
                datetime.date(2013, 6, 1)
                if attached < 0.1
                else datetime.date(2017, 6, 1)
                if attached < 0.3
                else None
            )
            fam.write(
                f"{family_id}\tB-{family_id:06d}\tidentified\t{now}\t"
                f"{attached_on.isoformat() if attached_on else NULL}\t{now}\t{now}\n"
            )
            people: list[tuple[int, datetime.date]] = []
            births = [AS_OF.replace(year=AS_OF.year - age) for age in (38, 35)]
            births += [
                AS_OF.replace(year=AS_OF.year - rng.randrange(3, 18))
                - datetime.timedelta(days=rng.randrange(365))
                for _ in range(rng.randint(1, 3))
            ]
            for n, born in enumerate(births):
                person_id += 1
                people.append((person_id, born))
                role = "parent_carer" if n < 2 else "child"
                per.write(
                    f"{person_id}\tP{n}\tBench{family_id}\t{born.isoformat()}\t\t\t\t\t{now}\t{now}\n"
                )
                mem.write(f"{person_id}\t{role}\t2020-01-01\t{NULL}\t{family_id}\t{person_id}\n")
                src.write(
                    f"{person_id}\tS{person_id}\tP{n}\tBench{family_id}\t{born.isoformat()}\t\t\t\t\t\t\t\t\t"
                    f"source_id\t{NULL}\t{{}}\t{NULL}\t{now}\t{now}\t{agency_id}\t{NULL}\t{NULL}\t{person_id}\n"
                )
            for who, kind, day, end, data in _evidence_for_family(rng, people):
                evidence_id += 1
                restricted = "t" if kind in RESTRICTED_FEED_KINDS else "f"
                evi.write(
                    f"{evidence_id}\t{kind}\tR{evidence_id}\t{day.isoformat()}\t"
                    f"{end.isoformat() if end else NULL}\t{json.dumps(data)}\t{restricted}\t"
                    f"{AS_OF.isoformat()}\t{now}\t{now}\t{agency_id}\t{who}\t{submissions[kind]}\t{who}\n"
                )
        rows.update(families=families, people=person_id, evidence=evidence_id)
        copy_households(raw, fam, per, mem, src, evi)
        for table in (
            "families_family",
            "families_person",
            "families_householdmembership",
            "outcomes_sourceperson",
            "outcomes_evidence",
        ):
            # Table names are this script's own constants.
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"(SELECT max(id) FROM {table}))"
            )
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table in tables:
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return rows


def plain_scan(loads: Callable[[str], Any] | None = None) -> tuple[float, int]:
    """Read every evidence row's assessed columns once, decoding JSON like the loader
    (with orjson; ``loads`` another decoder, e.g. the standard library's, to compare)."""
    import orjson
    from django.db import connection, transaction

    loads = loads or orjson.loads
    started = time.perf_counter()
    count = 0
    with transaction.atomic():
        connection.ensure_connection()
        cursor = connection.connection.cursor(name="bench_scan")
        cursor.itersize = 20_000
        cursor.execute(
            "SELECT id, person_id, kind, date, end_date, data::text, "
            "(extract(epoch FROM updated_at) * 1000000)::bigint FROM outcomes_evidence"
        )
        for row in cursor:
            data = row[5]
            if isinstance(data, str):
                loads(data)
            count += 1
        cursor.close()
    return time.perf_counter() - started, count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--families", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=2015)
    parser.add_argument("--regenerate", action="store_true", help="generate the data again")
    parser.add_argument("--drop", action="store_true", help="drop the scratch database and stop")
    args = parser.parse_args(argv)
    scratch_database_use(BENCH_DATABASE, drop=args.drop)

    from django.db import connection
    from django.db.models import Count, Q

    from agencies.services import system_actor
    from families.models import Family
    from outcomes.assessment.services import assessment_all_run
    from outcomes.models import Assessment, Evidence

    if args.regenerate or Family.objects.count() != args.families:
        print(f"Generating {args.families:,} families with COPY...", flush=True)
        started = time.perf_counter()
        rows = generate(args.families, args.seed)
        print(
            f"  {rows['families']:,} families, {rows['people']:,} people, "
            f"{rows['evidence']:,} evidence rows ({rows['evidence'] / rows['families']:.1f} a "
            f"family) in {time.perf_counter() - started:.1f} s"
        )
    families = Family.objects.count()
    evidence = Evidence.objects.count()
    print(f"families: {families:,}  evidence rows: {evidence:,}  assessment date: {AS_OF}")

    scan_seconds, scanned = plain_scan()
    print(f"plain read of the evidence table: {scanned:,} rows in {scan_seconds:.1f} s")

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE outcomes_assessment, outcomes_evaluationrun")
    actor = system_actor()
    runs = [
        ("full assessment (every result written)", AS_OF, True),
        (
            "the next night (only families due or changed)",
            AS_OF + datetime.timedelta(days=1),
            False,
        ),
        ("every family again on the next night", AS_OF + datetime.timedelta(days=1), True),
    ]
    for label, day, everyone in runs:
        started = time.perf_counter()
        counts = assessment_all_run(actor=actor, as_of=day, everyone=everyone)
        seconds = time.perf_counter() - started
        assert counts is not None
        print(
            f"{label}: {seconds:.1f} s, {counts.families / seconds:,.0f} families/second, "
            f"{seconds / scan_seconds:.1f}x the plain read; {counts.as_dict()}",
            flush=True,
        )
    per_framework = (
        Assessment.objects.filter(is_current=True)
        .values("framework")
        .annotate(families=Count("pk"), eligible=Count("pk", filter=Q(eligible=True)))
        .order_by("framework")
    )
    for row in per_framework:
        print(
            f"  {row['framework']:<7} {row['families']:>7,} families, "
            f"{row['eligible']:>7,} eligible"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
