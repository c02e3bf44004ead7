"""Benchmark the nightly evaluation: eligibility and results of every family, a quiet
night, and two workers sharing one run (target: 100,000 families with about 4 million
evidence rows in under 2 minutes on a quiet 2-core machine, at most 4x a plain read of
the evidence; a night with nothing new under 10% of the full run).

Run from the repository root:

    python benchmarks/evaluation.py [--families 100000] [--regenerate] [--drop]

It works in a scratch database called ``oneplan_bench_evaluation`` on the server
DATABASE_URL names (never that database itself). The families, people and evidence are
generated as ``benchmarks/assessment.py`` generates them (about 40 rows a family), and
every family is attached on one date with its entry assessment, in SQL. Then it times:

1. a plain read of the evidence table, JSON decoded (the floor);
2. the full run: eligibility of every family, then results of every attached family
   (``everyone``: no stored answers are trusted);
3. the next night with nothing new: both runs look only at families whose answers are
   due (``valid_until``) or whose data changed since the last run;
4. every family's results for that night from nothing, on one worker, then shared by
   two worker processes through the queue: the same decisions, every family done once.
"""

from __future__ import annotations

import argparse
import datetime
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from assessment import AS_OF, generate, plain_scan
from scratch import scratch_database_use

BENCH_DATABASE = "oneplan_bench_evaluation"
ATTACHED = AS_OF - datetime.timedelta(days=300)
# The next night: no term ends and no 1 September in between (those nights every
# family with term-based rules is looked at again, by design).
NEXT_NIGHT = AS_OF + datetime.timedelta(days=1)


def attach_everyone() -> int:
    """Attach every family on ``ATTACHED`` under the framework in force then, with its
    entry assessment (eligibility on that day, set-based), written in SQL."""
    from django.db import connection

    from agencies.services import system_actor
    from families.models import Family
    from outcomes.assessment.services import assessment_families_run

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE outcomes_result, outcomes_resultqueue, outcomes_attachment, "
            "outcomes_assessment, outcomes_assessmentqueue, outcomes_evaluationrun CASCADE"
        )
        cursor.execute("UPDATE families_family SET attached_on = %s", [ATTACHED])
    ids = list(Family.objects.values_list("pk", flat=True))
    # The families' problems are open needs by the time they are attached, as the
    # nightly runs before attachment left them: the full run below finds them open, as a
    # real re-evaluation of everyone does (opening ~5 needs a family for the first time
    # is a one-off cost, measured here as part of the setup).
    assessment_families_run(actor=system_actor(), family_ids=ids, as_of=ATTACHED, open_needs=True)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO outcomes_attachment (family_id, framework, framework_version_id, "
            "attached_on, eligible_at_entry, entry_criteria, entry_summary, created_by_id, "
            "created_at) SELECT a.family_id, a.framework, a.framework_version_id, %s, "
            "a.eligible, a.criteria, '', %s, now() FROM outcomes_assessment a WHERE a.is_current",
            [ATTACHED, system_actor().pk],
        )
        attached: int = cursor.rowcount
        cursor.execute("TRUNCATE outcomes_assessment, outcomes_evaluationrun")
        cursor.execute("ANALYZE")
    return attached


def _worker() -> int:
    """One worker process: take chunks of the results queue until it is empty."""
    from agencies.services import system_actor
    from outcomes.results.evaluation import results_queue_process

    counts = results_queue_process(actor=system_actor())
    print(counts.families)
    return 0


def _decisions() -> dict[int, str]:
    from outcomes.models import Result

    return dict(Result.objects.filter(is_current=True).values_list("family_id", "fingerprint"))


def _timed(label: str, run: Callable[[], Any], scan_seconds: float) -> tuple[float, dict[str, int]]:
    started = time.perf_counter()
    counts = run()
    seconds = time.perf_counter() - started
    assert counts is not None
    as_dict = counts.as_dict()
    families = as_dict.get("families", 0)
    rate = f"{families / seconds:,.0f} families/second" if seconds else ""
    print(
        f"{label}: {seconds:.1f} s, {rate}, {seconds / scan_seconds:.2f}x the plain read; "
        f"{as_dict}",
        flush=True,
    )
    return seconds, as_dict


def _where_the_time_goes(scan_seconds: float) -> None:
    """The full run's work without its writes, locks and queues, on the same date: the
    evidence read (``families_load``), eligibility's rule alone on households already in
    memory, and results computed but not stored (``results_compute_many``, its own
    evidence read included). The rules are the product's pure functions; this is the
    floor a run in this process cannot go below without making them cheaper."""
    from families.models import Family
    from outcomes.assessment.selectors import FrameworkChooser
    from outcomes.assessment.services import (
        CHUNK_SIZE,
        families_load,
        framework_versions_current,
    )
    from outcomes.frameworks.rules import rules_for
    from outcomes.models import Attachment
    from outcomes.results.evaluation import CHUNK_SIZE as RESULTS_CHUNK_SIZE
    from outcomes.results.services import results_compute_many

    versions = framework_versions_current()
    chooser = FrameworkChooser.load()
    lookback = min(v.parameters.lookback_start(AS_OF) for v in versions.values())
    ids = sorted(Family.objects.values_list("pk", flat=True))
    load = rules = 0.0
    for start in range(0, len(ids), CHUNK_SIZE):
        started = time.perf_counter()
        loaded = families_load(
            ids[start : start + CHUNK_SIZE], as_of=AS_OF, lookback_start=lookback
        )
        judged = time.perf_counter()
        for family in loaded.values():
            code = chooser.for_family(family.attached_on, AS_OF)
            rules_for(code).assess(family.household, versions[code].parameters, AS_OF)
        load += judged - started
        rules += time.perf_counter() - judged
    print(
        f"where the time goes: evidence read for eligibility {load:.1f} s "
        f"({load / scan_seconds:.2f}x the plain read); eligibility's rule alone {rules:.1f} s "
        f"({rules / scan_seconds:.2f}x)",
        flush=True,
    )
    attached = sorted(Attachment.objects.values_list("family_id", flat=True))
    started = time.perf_counter()
    for start in range(0, len(attached), RESULTS_CHUNK_SIZE):
        chunk = list(Family.objects.filter(pk__in=attached[start : start + RESULTS_CHUNK_SIZE]))
        results_compute_many(chunk, as_of=AS_OF)
    computed = time.perf_counter() - started
    print(
        f"  results computed, not stored (their own evidence read included): {computed:.1f} s "
        f"({computed / scan_seconds:.2f}x the plain read)",
        flush=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--families", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--regenerate", action="store_true", help="generate the data again")
    parser.add_argument("--drop", action="store_true", help="drop the scratch database and stop")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    scratch_database_use(BENCH_DATABASE, drop=args.drop)
    if args.worker:
        return _worker()

    from django.db import connection

    from agencies.services import system_actor
    from families.models import Family
    from outcomes.assessment.services import assessment_all_run
    from outcomes.models import Attachment, Evidence, ResultQueue
    from outcomes.results.evaluation import results_all_run, results_queue_due

    if args.regenerate or Family.objects.count() != args.families:
        print(f"Generating {args.families:,} families with COPY...", flush=True)
        started = time.perf_counter()
        rows = generate(args.families, args.seed)
        print(f"  {rows} in {time.perf_counter() - started:.1f} s", flush=True)
    if Attachment.objects.count() != Family.objects.count():
        started = time.perf_counter()
        attached = attach_everyone()
        print(f"attached {attached:,} families in {time.perf_counter() - started:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE outcomes_result, outcomes_resultqueue, outcomes_assessment, "
            "outcomes_assessmentqueue, outcomes_evaluationrun"
        )
    families = Family.objects.count()
    evidence = Evidence.objects.count()
    print(f"families: {families:,}  evidence rows: {evidence:,}  evaluation date: {AS_OF}")
    scan_seconds, scanned = plain_scan()
    print(f"plain read of the evidence table: {scanned:,} rows in {scan_seconds:.1f} s")

    actor = system_actor()
    eligibility, _ = _timed(
        "full run, eligibility",
        lambda: assessment_all_run(actor=actor, as_of=AS_OF, everyone=True),
        scan_seconds,
    )
    results, _ = _timed(
        "full run, results",
        lambda: results_all_run(actor=actor, as_of=AS_OF, everyone=True),
        scan_seconds,
    )
    full = eligibility + results
    print(
        f"full run in all: {full:.1f} s, {families / full:,.0f} families/second, "
        f"{full / scan_seconds:.2f}x the plain read",
        flush=True,
    )
    quiet_eligibility, _ = _timed(
        "next night, eligibility",
        lambda: assessment_all_run(actor=actor, as_of=NEXT_NIGHT),
        scan_seconds,
    )
    quiet_results, _ = _timed(
        "next night, results",
        lambda: results_all_run(actor=actor, as_of=NEXT_NIGHT),
        scan_seconds,
    )
    quiet = quiet_eligibility + quiet_results
    print(f"next night in all: {quiet:.1f} s, {100 * quiet / full:.1f}% of the full run")
    _where_the_time_goes(scan_seconds)

    # One worker, then two sharing the queue: the next night's results of every family
    # from nothing, each time, compared.
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE outcomes_result, outcomes_resultqueue")
    _timed(
        "every family's results on one worker",
        lambda: results_all_run(actor=actor, as_of=NEXT_NIGHT, everyone=True),
        scan_seconds,
    )
    one_worker = _decisions()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE outcomes_result, outcomes_resultqueue")
    _, queued = results_queue_due(as_of=NEXT_NIGHT, everyone=True)
    started = time.perf_counter()
    command = [sys.executable, __file__, "--worker"]
    env = dict(os.environ)
    workers = [
        subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env) for _ in range(2)
    ]
    done = [int(w.communicate()[0].strip().splitlines()[-1]) for w in workers]
    seconds = time.perf_counter() - started
    two_workers = _decisions()
    same = sum(1 for k, v in two_workers.items() if one_worker.get(k) == v)
    print(
        f"two workers: {seconds:.1f} s for {queued:,} queued families; each did {done} "
        f"(sum {sum(done):,}); queue left {ResultQueue.objects.count()}; "
        f"{same:,} of {len(one_worker):,} decisions as one worker's"
    )
    differ = sorted(k for k, v in two_workers.items() if one_worker.get(k) != v)
    if differ:
        print(f"  families whose decisions differ: {differ[:10]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
