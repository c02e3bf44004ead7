"""Benchmark reading hostile and normal feed files: time and peak memory.

Run from the repository root:

    python benchmarks/feed_limits.py [--rows 10000] [--cells 1400000] [--compare-openpyxl]

Reads, in this process and without any database, the way an import's first phase does
(``read_table`` then ``validate_table``):

- a hostile XLSX: one row of ``--cells`` cells (about 45 KB zipped for 1.4 million),
- a hostile CSV: one row of ``--cells`` columns,
- a normal police call-out feed of ``--rows`` rows, as CSV and as XLSX,

and prints for each the file size, what happened (rows read, or the message the file
was rejected with), seconds (untraced), and the peak of Python's allocations (a second
run under tracemalloc). With
``--compare-openpyxl`` it also times the hostile XLSX through openpyxl's own read-only
``iter_rows`` (how feeds were read before the limits): slow, and about 800 MB.
"""

from __future__ import annotations

import argparse
import datetime
import io
import os
import random
import sys
import time
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
HEADER = [
    "record_id",
    "person_id",
    "given_name",
    "family_name",
    "date_of_birth",
    "sex",
    "address_line_1",
    "postcode",
    "callout_date",
    "category",
]


def wide_workbook(cells: int) -> bytes:
    """A workbook whose second row has ``cells`` cells, written as sheet XML directly."""
    from outcomes.feeds.xlsx import workbook_bytes

    with zipfile.ZipFile(io.BytesIO(workbook_bytes([["record_id"], ["R1"]]))) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members["xl/worksheets/sheet1.xml"] = (
        f'<worksheet xmlns="{NS}"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>record_id</t></is></c></row>'
        '<row r="2">'.encode()
        + b"<c><v>1</v></c>" * cells
        + b"</row></sheetData></worksheet>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def normal_rows(rows: int, seed: int) -> list[list[str]]:
    draw = random.Random(seed)
    names = ["Amy", "Ben", "Cara", "Dev", "Ella", "Finn", "Gina", "Hari"]
    surnames = ["Smith", "Jones", "Patel", "Brown", "Khan", "Evans"]
    categories = ["domestic_abuse", "asb", "missing_person", "welfare", "other"]
    table = [HEADER]
    for n in range(rows):
        born = datetime.date(1970, 1, 1) + datetime.timedelta(days=draw.randrange(15_000))
        table.append(
            [
                f"CO-{n:07d}",
                f"P-{draw.randrange(rows):07d}",
                draw.choice(names),
                draw.choice(surnames),
                born.isoformat(),
                draw.choice("FMX"),
                f"{draw.randrange(1, 200)} High Street",
                f"SO2{draw.randrange(1, 4)} {draw.randrange(1, 9)}AB",
                (
                    datetime.date(2025, 1, 1) + datetime.timedelta(days=draw.randrange(200))
                ).isoformat(),
                draw.choice(categories),
            ]
        )
    return table


def as_csv(table: list[list[str]]) -> bytes:
    return "".join(",".join(row) + "\r\n" for row in table).encode()


def measure(label: str, content: bytes, work: Callable[[bytes], str]) -> None:
    # Timed untraced (tracemalloc slows Python several times over), then run again
    # under tracemalloc for the peak.
    started = time.perf_counter()
    outcome = work(content)
    seconds = time.perf_counter() - started
    tracemalloc.start()
    work(content)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(
        f"{label:<28} {len(content) / 1024:>9,.0f} KB {seconds:>8.3f} s "
        f"{peak / (1024 * 1024):>9.1f} MB peak   {outcome}"
    )


def read_and_validate(content: bytes) -> str:
    from outcomes.feeds.reading import FileRejected, read_table
    from outcomes.feeds.validation import validate_table

    try:
        table = read_table(content)
        checked = validate_table("police_callouts", table, extract_date=datetime.date(2025, 9, 1))
    except FileRejected as exc:
        return f"rejected: {exc.message[:70]}"
    return f"{checked.rows_read:,} rows read, {checked.rows_rejected:,} with errors"


def openpyxl_read_only(content: bytes) -> str:
    import openpyxl  # type: ignore[import-untyped, unused-ignore]

    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    sheet = workbook.worksheets[0]
    sheet.reset_dimensions()
    widest = max(len(row) for row in sheet.iter_rows())
    workbook.close()
    return f"openpyxl read it: widest row {widest:,} cells"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--cells", type=int, default=1_400_000)
    parser.add_argument("--seed", type=int, default=2012)
    parser.add_argument("--compare-openpyxl", action="store_true")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(REPO))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oneplan.settings.test")
    import django

    django.setup()
    from outcomes.feeds.xlsx import workbook_bytes

    table = normal_rows(args.rows, args.seed)
    files: list[tuple[str, bytes, Callable[[bytes], Any]]] = [
        ("hostile XLSX, one wide row", wide_workbook(args.cells), read_and_validate),
        (
            "hostile CSV, one wide row",
            b"record_id\r\n" + b"," * (args.cells - 1) + b"\r\n",
            read_and_validate,
        ),
        (f"normal CSV, {args.rows:,} rows", as_csv(table), read_and_validate),
        (f"normal XLSX, {args.rows:,} rows", workbook_bytes(table), read_and_validate),
    ]
    if args.compare_openpyxl:
        files.append(("hostile XLSX, openpyxl alone", files[0][1], openpyxl_read_only))
    print(f"{'file':<28} {'size':>12} {'time':>10} {'memory':>14}   outcome")
    for label, content, work in files:
        measure(label, content, work)


if __name__ == "__main__":
    main()
