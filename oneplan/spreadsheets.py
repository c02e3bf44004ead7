"""Text and tables for files people open in a spreadsheet program (CSV and XLSX exports)."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

import xlsxwriter  # type: ignore[import-untyped, unused-ignore]

# A cell starting with one of these is run as a formula when the file is opened.
FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(value: object) -> str:
    """``value`` as a spreadsheet shows it without running it: a text that starts with
    ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a single quote in front
    (OWASP, "CSV injection"), so "=HYPERLINK(...)" arrives as the text it was typed as.
    The one function every text cell of every export goes through."""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


# --------------------------------------------------------------------------
# Writing a table of rows as CSV or XLSX: every export's file (claim batches, the
# caseload), so each format is written one way, through ``spreadsheet_text``.
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    heading: str
    # "text", "date", "amount" (pounds) or "number" (a whole number): how each format
    # writes the cell.
    kind: str = "text"


Cell = str | int | datetime.date | Decimal | None


def _csv_cell(value: Cell) -> str | int:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, int):
        return value
    return spreadsheet_text(value)


def table_csv(columns: Sequence[Column], rows: Iterable[Sequence[Cell]]) -> tuple[bytes, int]:
    """The rows as CSV (UTF-8 with a byte order mark, so spreadsheets read £ and accents),
    and how many rows were written."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([spreadsheet_text(c.heading) for c in columns])
    count = 0
    for row in rows:
        writer.writerow([_csv_cell(v) for v in row])
        count += 1
    return buffer.getvalue().encode("utf-8-sig"), count


def table_xlsx(
    columns: Sequence[Column], rows: Iterable[Sequence[Cell]], *, sheet_name: str
) -> tuple[bytes, int]:
    """The rows as an XLSX workbook of one sheet: dates as dates shown YYYY-MM-DD,
    amounts as numbers in pounds, whole numbers as numbers, every text written as text
    (never as a formula, number or link); and how many rows were written."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    sheet = workbook.add_worksheet(sheet_name)
    bold = workbook.add_format({"bold": True})
    formats: dict[str, Any] = {
        "date": workbook.add_format({"num_format": "yyyy-mm-dd"}),
        "amount": workbook.add_format({"num_format": "£#,##0.00"}),
    }
    writers: dict[str, Callable[[int, int, Any], None]] = {
        "date": lambda r, c, v: sheet.write_datetime(r, c, v, formats["date"]),
        "amount": lambda r, c, v: sheet.write_number(r, c, float(v), formats["amount"]),
        "number": lambda r, c, v: sheet.write_number(r, c, int(v)),
        "text": lambda r, c, v: sheet.write_string(r, c, spreadsheet_text(str(v))),
    }
    for index, column in enumerate(columns):
        sheet.write_string(0, index, spreadsheet_text(column.heading), bold)
        sheet.set_column(index, index, max(12, len(column.heading) + 2))
    sheet.freeze_panes(1, 0)
    count = 0
    for count, row in enumerate(rows, start=1):
        for index, (column, value) in enumerate(zip(columns, row, strict=True)):
            if value is None or value == "":
                continue
            writers[column.kind](count, index, value)
    workbook.close()
    return buffer.getvalue(), count
