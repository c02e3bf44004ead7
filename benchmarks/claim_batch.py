"""Benchmark a claim batch of 10,000 claimable families: making the batch, its evidence
snapshots, and its XLSX export (target: under 60 seconds in total).

Run from the repository root:

    python benchmarks/claim_batch.py [--families 10000] [--regenerate] [--drop]

It never touches the database DATABASE_URL names: it works in a scratch database called
``oneplan_bench_claims`` on the same server (created and migrated when missing). Unless
the scratch database already holds the requested number of families, it generates them
with ``COPY`` (history triggers off inside the generating transaction): each family is a
parent and a child, attached under tf1 on 1 September 2024 and eligible at entry (an
acceptable behaviour contract, ESA on the attachment date, a domestic abuse incident),
and the parent has been in work since 6 January 2025, so route R3 (13 weeks' continuous
employment after an out-of-work benefit) is met from 7 April 2025. The first family is
attached with ``family_attach``; the others' attachments copy its entry assessment.

Before the timings it evaluates every family's results on the window's last day
(``results_all_run``, timed but not in the total: the nightly run does it), and removes
the claim batches an earlier run made. Then it times:

1. ``claim_batch_create`` for the window 1 April to 30 September 2025;
2. its snapshots: every claim's snapshot read back and its SHA-256 checked;
3. the XLSX export of the batch (the export job's runner, as a worker runs it);

and prints each figure and the total.
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from assessment import copy_households
from scratch import scratch_database_use

BENCH_DATABASE = "oneplan_bench_claims"
ATTACHED_ON = datetime.date(2024, 9, 1)
WINDOW = (datetime.date(2025, 4, 1), datetime.date(2025, 9, 30))
NULL = "\\N"
# Each family's evidence: (kind, date, end date, data), all about its parent.
EVIDENCE: list[tuple[str, str, str | None, dict[str, Any]]] = [
    ("benefits", "2024-01-01", "2025-01-05", {"benefit": "ESA"}),
    ("asb", "2024-06-01", None, {"intervention": "abc"}),
    ("domestic_abuse", "2024-05-01", None, {"role": "victim"}),
    ("employment", "2025-01-06", None, {"hours_per_week": "30"}),
]
PEOPLE_PER_FAMILY = 2


def _copy(cursor: Any, table: str, columns: str, buffer: io.StringIO) -> None:
    buffer.seek(0)
    cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer)


def _text(value: object) -> str:
    """A value as COPY's text format writes it (backslash, tab and newline escaped)."""
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def _shifted(value: Any, people: int, evidence: int) -> Any:
    """The template family's entry criteria for another family: its person and evidence
    ids moved by ``people`` and ``evidence`` (every family's rows are laid out alike)."""
    if isinstance(value, dict):
        shifted: dict[str, Any] = {}
        for key, item in value.items():
            if key == "people" and isinstance(item, list):
                shifted[key] = [int(p) + people for p in item]
            elif key == "evidence" and isinstance(item, list):
                shifted[key] = [int(e) + evidence for e in item]
            else:
                shifted[key] = _shifted(item, people, evidence)
        return shifted
    if isinstance(value, list):
        return [_shifted(item, people, evidence) for item in value]
    return value


def generate(families: int) -> None:
    """Families, people, members, agency people and evidence with COPY; the first family
    attached with ``family_attach``, the rest with its entry assessment, shifted."""
    from django.db import connection, transaction
    from django.utils import timezone

    from agencies.models import Agency, AgencyKind
    from agencies.services import system_actor
    from families.models import Family
    from outcomes.models import RESTRICTED_FEED_KINDS
    from outcomes.results.services import family_attach

    actor = system_actor()
    now = timezone.now().isoformat()
    tables = [
        "families_family",
        "families_person",
        "families_householdmembership",
        "outcomes_sourceperson",
        "outcomes_evidence",
        "outcomes_attachment",
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.cursor
        cursor.execute(
            "TRUNCATE outcomes_claimbatch, outcomes_claim, outcomes_result, outcomes_attachment, "
            "outcomes_assessment, outcomes_assessmentqueue, outcomes_evidence, "
            "outcomes_sourceperson, outcomes_feedsubmission, families_familystatuschange, "
            "families_householdmembership, families_person, families_family "
            "RESTART IDENTITY CASCADE"
        )
        for table in tables:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        agency_id = Agency.objects.get_or_create(
            code="BENCH", defaults={"name": "Benchmark agency", "kind": AgencyKind.OTHER}
        )[0].pk
        submissions: dict[str, int] = {}
        for kind, *_ in EVIDENCE:
            cursor.execute(
                "INSERT INTO outcomes_feedsubmission (kind, extract_date, filename, file_format, "
                "content, sha256, size_bytes, valid_rows_only, submitted_at, status, file_error, "
                "row_errors, warnings, rows_read, rows_accepted, rows_updated, rows_rejected, "
                "people_matched, people_review, people_created, families_touched, agency_id, "
                "submitted_by_id) VALUES (%s, %s, %s, 'csv', '', '', 0, false, now(), 'imported', "
                "'', '[]', '[]', 0, 0, 0, 0, 0, 0, 0, 0, %s, %s) RETURNING id",
                [kind, WINDOW[1], f"{kind}.csv", agency_id, actor.pk],
            )
            submissions[kind] = cursor.fetchone()[0]

        fam, per, mem, src, evi = (io.StringIO() for _ in range(5))
        evidence_id = 0
        for family_id in range(1, families + 1):
            fam.write(
                f"{family_id}\tC-{family_id:06d}\tplan_active\t{now}\t{ATTACHED_ON}\t{now}\t{now}\n"
            )
            parent = (family_id - 1) * PEOPLE_PER_FAMILY + 1
            for person_id, role, born in (
                (parent, "parent_carer", "1988-03-14"),
                (parent + 1, "child", "2012-10-02"),
            ):
                per.write(
                    f"{person_id}\tP{person_id}\tBench{family_id}\t{born}\t\t\t\t\t{now}\t{now}\n"
                )
                mem.write(f"{person_id}\t{role}\t2020-01-01\t{NULL}\t{family_id}\t{person_id}\n")
            src.write(
                f"{parent}\tS{parent}\tP{parent}\tBench{family_id}\t1988-03-14\t\t\t\t\t\t\t\t\t"
                f"source_id\t{NULL}\t{{}}\t{NULL}\t{now}\t{now}\t{agency_id}\t{NULL}\t{NULL}\t"
                f"{parent}\n"
            )
            for kind, day, end, data in EVIDENCE:
                evidence_id += 1
                restricted = "t" if kind in RESTRICTED_FEED_KINDS else "f"
                evi.write(
                    f"{evidence_id}\t{kind}\tR{evidence_id}\t{day}\t{end or NULL}\t"
                    f"{json.dumps(data)}\t{restricted}\t{WINDOW[1]}\t{now}\t{now}\t{agency_id}\t"
                    f"{parent}\t{submissions[kind]}\t{parent}\n"
                )
        copy_households(raw, fam, per, mem, src, evi)
        for table in tables[:-1]:
            # Table names are this script's own constants.
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"(SELECT max(id) FROM {table}))"
            )
        # The first family through the service: its entry assessment is the template.
        template, _ = family_attach(
            actor=actor,
            family=Family.objects.get(pk=1),
            framework="tf1",
            attached_on=ATTACHED_ON,
        )
        assert template.eligible_at_entry, template.entry_summary
        att = io.StringIO()
        for family_id in range(2, families + 1):
            criteria = _shifted(
                template.entry_criteria,
                (family_id - 1) * PEOPLE_PER_FAMILY,
                (family_id - 1) * len(EVIDENCE),
            )
            fields = [
                family_id,
                "tf1",
                ATTACHED_ON,
                "t",
                json.dumps(criteria),
                template.entry_summary,
                now,
                template.framework_version_id,
                actor.pk,
                family_id,
            ]
            att.write("\t".join(_text(f) for f in fields) + "\n")
        _copy(
            raw,
            "outcomes_attachment",
            "id, framework, attached_on, eligible_at_entry, entry_criteria, entry_summary, "
            "created_at, framework_version_id, created_by_id, family_id",
            att,
        )
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('outcomes_attachment', 'id'), "
            "(SELECT max(id) FROM outcomes_attachment))"
        )
        # Deferred foreign key checks now: a table with pending ones cannot be altered.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table in tables:
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _programme_manager() -> Any:
    from agencies.models import Agency, AgencyKind, Staff, User
    from agencies.roles import Role

    user, _ = User.objects.get_or_create(username="bench-pm")
    agency = Agency.objects.get_or_create(
        code="BENCH-HCC", defaults={"name": "Benchmark council", "kind": AgencyKind.OTHER}
    )[0]
    Staff.objects.get_or_create(
        user=user, defaults={"agency": agency, "roles": [Role.PROGRAMME_MANAGER.value]}
    )
    return user


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--families", type=int, default=10_000)
    parser.add_argument("--regenerate", action="store_true", help="generate the data again")
    parser.add_argument("--drop", action="store_true", help="drop the scratch database and stop")
    args = parser.parse_args(argv)
    scratch_database_use(BENCH_DATABASE, drop=args.drop)

    import logging

    from django.db import connection

    from agencies.services import system_actor
    from families.models import Family
    from oneplan.models import Job
    from outcomes.claims.export import CLAIM_BATCH_EXPORT_JOB, claim_batch_export_job
    from outcomes.claims.services import claim_batch_create
    from outcomes.frameworks.snapshots import snapshot_hash
    from outcomes.models import Attachment, Claim
    from outcomes.results.evaluation import results_all_run

    if args.regenerate or Attachment.objects.count() != args.families:
        print(f"Generating {args.families:,} claimable families with COPY...", flush=True)
        started = time.perf_counter()
        generate(args.families)
        print(f"  done in {time.perf_counter() - started:.1f} s", flush=True)
    print(f"families: {Family.objects.count():,}  attached: {Attachment.objects.count():,}")

    # One line a family otherwise ("not moved to outcomes met": no lead agency, no consent).
    logging.getLogger("outcomes.results.evaluation").setLevel(logging.WARNING)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE outcomes_claimbatch, outcomes_claim RESTART IDENTITY CASCADE")
    started = time.perf_counter()
    evaluated = results_all_run(actor=system_actor(), as_of=WINDOW[1], everyone=True)
    print(
        f"results evaluation (before the batch; not in the total): "
        f"{time.perf_counter() - started:.1f} s; {evaluated.as_dict() if evaluated else 'skipped'}",
        flush=True,
    )

    manager = _programme_manager()
    figures: list[tuple[str, float]] = []

    started = time.perf_counter()
    made = claim_batch_create(actor=manager, window_start=WINDOW[0], window_end=WINDOW[1])
    figures.append(("claim_batch_create", time.perf_counter() - started))
    print(
        f"claim_batch_create: {figures[-1][1]:.1f} s, {made.proposed:,} claims proposed "
        f"({made.taken} taken by another batch)",
        flush=True,
    )

    started = time.perf_counter()
    checked = 0
    for snapshot, digest in (
        Claim.objects.filter(batch=made.batch)
        .values_list("snapshot", "snapshot_sha256")
        .iterator(chunk_size=1000)
    ):
        assert snapshot_hash(snapshot) == digest
        checked += 1
    figures.append(("snapshots read and checked", time.perf_counter() - started))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(pg_column_size(snapshot)), 0) FROM outcomes_claim "
            "WHERE batch_id = %s",
            [made.batch.pk],
        )
        stored = cursor.fetchone()[0]
    print(
        f"snapshots: {checked:,} read and their SHA-256 checked in {figures[-1][1]:.1f} s "
        f"({stored / 1_000_000:.1f} MB stored)",
        flush=True,
    )

    job = Job.objects.create(
        kind=CLAIM_BATCH_EXPORT_JOB,
        started_by=manager,
        parameters={"batch": made.batch.pk, "format": "xlsx", "identifiers": True},
    )
    reported: list[tuple[int, int]] = []
    started = time.perf_counter()
    outcome = claim_batch_export_job(job, lambda done, total: reported.append((done, total)))
    figures.append(("XLSX export", time.perf_counter() - started))
    print(
        f"XLSX export: {figures[-1][1]:.1f} s, {outcome.counts['claims']:,} rows, "
        f"{len(outcome.file_content) / 1_000_000:.2f} MB, progress reported "
        f"{len(reported)} times (last {reported[-1] if reported else None})",
        flush=True,
    )

    total = sum(seconds for _, seconds in figures)
    print(f"total: {total:.1f} s (target: under 60 s)")
    return 0 if made.proposed == args.families else 1


if __name__ == "__main__":
    raise SystemExit(main())
