"""Benchmark ``seed_demo``: how long N families take (target: 50,000 in under 2 minutes).

Run from the repository root:

    python benchmarks/seed_demo.py [--families 50000] [--seed 2012]

It never touches the database DATABASE_URL names: it switches to a scratch database
called ``oneplan_bench`` on the same server (creating it if needed), migrates it, deletes
any case data a previous run left there, seeds, and prints families/second, total seconds
and rows written per table. Drop the scratch database with ``--drop`` afterwards if wanted.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scratch import scratch_database_use

BENCH_DATABASE = "oneplan_bench"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--families", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=2012)
    parser.add_argument("--drop", action="store_true", help="drop the scratch database and stop")
    args = parser.parse_args(argv)
    scratch_database_use(BENCH_DATABASE, drop=args.drop)

    from oneplan.site.demo.seed import seed_demo

    print(f"Seeding {args.families} families (seed {args.seed})...", flush=True)
    started = time.perf_counter()
    result = seed_demo(families=args.families, seed=args.seed, replace=True)
    seconds = time.perf_counter() - started
    print(f"families: {result.families}  people: {result.people}")
    print(f"total seconds: {seconds:.1f}")
    print(f"families/second: {result.families / seconds:,.0f}")
    print("rows written per table:")
    for table, count in sorted(result.rows.items()):
        print(f"  {table:<35} {count:>9,}")
    print(f"  {'total':<35} {sum(result.rows.values()):>9,}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
