"""Reading an agency's file into rows of text (FEEDS.md "Files"). Pure: no database.

A file is CSV (UTF-8, a byte-order mark allowed, RFC 4180 quoting) or XLSX (the first
row of the first sheet is the header). The format is told from the content, because
people rename files: an XLSX is a zip archive whatever its name says.

Whatever is wrong with a file as a whole (wrong encoding, not a spreadsheet, empty, too
big) raises ``FileRejected`` with ONE message a person can act on. What is wrong with
single cells (a formula, a value far too long) is returned as cell problems, so the row
report can list them with the other row errors.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import struct
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Final

from outcomes.models import FileFormat

__all__ = [
    "MAX_CELLS",
    "MAX_CELL_LENGTH",
    "MAX_COLUMNS",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "FileRejected",
    "Table",
    "column_letter",
    "detect_format",
    "read_table",
]

# About 250 bytes a row, so 200,000 rows of the widest kind fit with room to spare.
MAX_FILE_BYTES: Final = 60 * 1024 * 1024
MAX_ROWS: Final = 200_000
# No real value in any column comes near this; anything longer is a pasted document or
# an attack on whoever opens the file next, and is refused before any column's own limit.
MAX_CELL_LENGTH: Final = 1_000
# The widest kind has 19 columns; 200 leaves room for an agency's own extra columns
# (ignored with a warning) and is still small enough that a row is cheap to hold. A row
# past it rejects the file before the row is built (one row of 1.4 million cells once
# cost a worker 42 seconds and 800 MB).
MAX_COLUMNS: Final = 200
# Cells in a whole file, filled or not: the most rows at 40 columns each.
MAX_CELLS: Final = 8_000_000
# A CSV row (one record, however many lines it spans) is refused once it is longer than
# this, before the csv module splits it: room for every column at the cell limit, and
# for the one over-long value the csv module itself allows (131,072 characters).
MAX_ROW_CHARACTERS: Final = 256 * 1024
# An XLSX is compressed XML: refuse archives that would expand past this (a zip bomb).
MAX_XLSX_UNCOMPRESSED_BYTES: Final = 400 * 1024 * 1024
# A workbook has a few dozen parts; a zip of a million tiny entries costs memory just to
# list, so the count is checked from the archive's last record before it is opened.
MAX_XLSX_ENTRIES: Final = 1_000

_ZIP_MAGIC: Final = b"PK\x03\x04"
_OLE_MAGIC: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, .doc: old Office files

SAVE_AS_CSV_UTF8: Final = (
    'In Excel, choose File, Save As, and pick "CSV UTF-8 (Comma delimited) (*.csv)"; '
    'in LibreOffice, choose "Text CSV" and the character set "Unicode (UTF-8)"'
)
NOT_UTF8: Final = f"The file is not saved as UTF-8 text. {SAVE_AS_CSV_UTF8}, then upload it again."
NOT_A_SPREADSHEET: Final = (
    "The file is not a CSV or an Excel (XLSX) file. Save it as "
    '"CSV UTF-8 (Comma delimited)" or as "Excel Workbook (.xlsx)" and upload it again.'
)
OLD_EXCEL: Final = (
    "The file is an old-style Excel file (.xls). Save it as "
    '"Excel Workbook (.xlsx)" or "CSV UTF-8 (Comma delimited)" and upload it again.'
)
EMPTY: Final = "The file is empty. Add a header row and one row for each record."
HEADER_ONLY: Final = "The file has a header row but no rows of data under it."
WORKBOOK_TOO_LARGE: Final = (
    "The workbook is too large to read. Save the data as CSV UTF-8, or split it into smaller files."
)


class FileRejected(Exception):
    """The whole file was refused; ``message`` says why in plain English."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CellProblem:
    row: int
    column_index: int
    message: str


@dataclass
class Table:
    """A file's header and data rows, every cell as stripped text.

    ``rows`` pairs each row's number as a spreadsheet shows it (the header is row 1)
    with its cells; blank rows are left out. ``problems`` are cells whose value must not
    be used (formulas, values over ``MAX_CELL_LENGTH``); their text is blanked in
    ``rows``.
    """

    file_format: str
    header: list[str]
    rows: list[tuple[int, list[str]]]
    problems: list[CellProblem] = field(default_factory=list)


def column_letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column index: 0 -> A, 26 -> AA."""
    letters = ""
    number = index + 1
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def detect_format(content: bytes) -> str:
    """``FileFormat.XLSX`` for a zip archive, otherwise ``FileFormat.CSV``.

    Only a first guess from the first bytes; ``read_table`` refuses a zip that is not a
    workbook, or text that is not CSV.
    """
    return FileFormat.XLSX if content.startswith(_ZIP_MAGIC) else FileFormat.CSV


def read_table(content: bytes) -> Table:
    """Read ``content`` as CSV or XLSX, raising ``FileRejected`` for a bad file."""
    if len(content) > MAX_FILE_BYTES:
        raise FileRejected(
            f"The file is {_megabytes(len(content))}: it can be at most "
            f"{_megabytes(MAX_FILE_BYTES)}. Split it into smaller files."
        )
    if not content.strip():
        raise FileRejected(EMPTY)
    if content.startswith(_ZIP_MAGIC):
        return _read_xlsx(content)
    if content.startswith(_OLE_MAGIC):
        raise FileRejected(OLD_EXCEL)
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Excel's "Unicode Text" is UTF-16, which looks like text to a person.
        raise FileRejected(NOT_UTF8)
    if content.startswith(b"%PDF") or b"\x00" in content[:8192]:
        raise FileRejected(NOT_A_SPREADSHEET)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRejected(NOT_UTF8) from None
    return _read_csv(text)


# --------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------

# A cell a spreadsheet would run as a formula when someone opens the file (OWASP "CSV
# injection"): "=", or "+", "-", "@" followed by something that is not a digit, so that
# "-5" and "+44 1962 ..." stay plain values.
_CSV_FORMULA: Final = re.compile(r"=|[+\-@][^0-9]")


def _read_csv(text: str) -> Table:
    lines = _BoundedLines(text)
    records = _csv_records(csv.reader(lines, strict=True), lines)
    first = next(records, None)
    if first is None or not any(c.strip() for c in first[1]):
        raise FileRejected(EMPTY)
    header = [c.strip() for c in first[1]]
    rows: list[tuple[int, list[str]]] = []
    problems: list[CellProblem] = []
    cells = len(header)
    for number, cells_of_row in records:
        stripped = [c.strip() for c in cells_of_row]
        if not any(stripped):
            continue
        _check_row_count(len(rows))
        cells += len(stripped)
        if cells > MAX_CELLS:
            raise FileRejected(_too_many_cells())
        for index, value in enumerate(stripped):
            if not value:
                continue
            if len(value) > MAX_CELL_LENGTH:
                problems.append(_too_long(number, index, value))
                stripped[index] = ""
            elif _CSV_FORMULA.match(value):
                problems.append(
                    CellProblem(
                        number,
                        index,
                        f"Cell {column_letter(index)}{number} starts with "
                        f'"{value[0]}", which a spreadsheet would run as a formula. '
                        "Remove the formula and keep only its value",
                    )
                )
                stripped[index] = ""
        rows.append((number, stripped))
    if not rows:
        raise FileRejected(HEADER_ONLY)
    return Table(FileFormat.CSV, header, rows, problems)


class _BoundedLines:
    """The lines of a CSV file for ``csv.reader``, refusing a row that grows too long.

    The csv module's ``field_size_limit`` bounds one value, not how many there are: a
    line of a million commas becomes a list of a million strings. Counting the
    characters of the record being read, line by line, stops that before the line
    reaches the csv module. ``_csv_records`` starts the count again at each record.
    """

    def __init__(self, text: str) -> None:
        self._lines = iter(io.StringIO(text, newline=""))
        self.record = 1  # the spreadsheet row number of the record being read
        self.characters = 0

    def __iter__(self) -> _BoundedLines:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.characters += len(line)
        if self.characters > MAX_ROW_CHARACTERS:
            if self.characters == len(line) and '"' not in line:
                # One unquoted line: its commas are its columns, counted without
                # splitting it.
                raise FileRejected(_too_many_columns(self.record, line.count(",") + 1))
            raise FileRejected(
                f"Row {self.record} is more than {MAX_ROW_CHARACTERS:,} characters long, "
                f"longer than a row of a feed can be. A feed can have at most "
                f"{MAX_COLUMNS:,} columns, and no value can be longer than "
                f"{MAX_CELL_LENGTH:,} characters. Check that every double quote that "
                f"opens a value also closes it"
            )
        return line


def _csv_records(
    reader: Iterable[list[str]], lines: _BoundedLines
) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells) for each record, the header being row 1.

    One record is one spreadsheet row even when a quoted value spans lines, so records
    are counted, not lines.
    """
    iterator = iter(reader)
    number = 0
    while True:
        try:
            cells = next(iterator)
        except StopIteration:
            return
        except csv.Error as exc:
            raise FileRejected(
                f"Row {number + 1} cannot be read as CSV ({exc}). Check that values with "
                "commas or quotes in them are wrapped in double quotes, and that the file "
                'is saved as "CSV UTF-8 (Comma delimited)".'
            ) from None
        number += 1
        if len(cells) > MAX_COLUMNS:
            raise FileRejected(_too_many_columns(number, len(cells)))
        lines.record = number + 1
        lines.characters = 0
        yield number, cells


# --------------------------------------------------------------------------
# XLSX
# --------------------------------------------------------------------------


def _read_xlsx(content: bytes) -> Table:
    # Checked from the archive's own directory before anything in it is parsed: how
    # many parts, and how large they say they are (zipfile never reads a part past its
    # declared size, so a part cannot expand further than it says).
    entries = _zip_entry_count(content)
    if entries is None:
        raise FileRejected(NOT_A_SPREADSHEET)
    if entries > MAX_XLSX_ENTRIES:
        raise FileRejected(WORKBOOK_TOO_LARGE)
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        names = set(archive.namelist())
        expanded = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise FileRejected(NOT_A_SPREADSHEET) from None
    if "xl/workbook.xml" not in names:
        # A Word document, a zipped folder, an OpenDocument spreadsheet...
        raise FileRejected(NOT_A_SPREADSHEET)
    if expanded > MAX_XLSX_UNCOMPRESSED_BYTES:
        raise FileRejected(WORKBOOK_TOO_LARGE)
    from outcomes.feeds import xlsx

    limits = xlsx.SheetLimits(max_columns=MAX_COLUMNS, max_cells=MAX_CELLS)
    try:
        sheet_rows = xlsx.first_sheet_rows(content, limits)
        header_row = next(sheet_rows, None)
        # The header is the first row of the sheet: a sheet that starts lower has none.
        if header_row is None or header_row[0] != 1:
            raise FileRejected(EMPTY)
        header = [c.text for c in header_row[1]]
        if not any(header):
            raise FileRejected(EMPTY)
        rows: list[tuple[int, list[str]]] = []
        problems: list[CellProblem] = []
        for number, cells in sheet_rows:
            texts = [c.text for c in cells]
            _check_row_count(len(rows))
            for index, cell in enumerate(cells):
                if cell.is_formula:
                    problems.append(
                        CellProblem(
                            number,
                            index,
                            f"Cell {column_letter(index)}{number} is a formula. Copy the "
                            'column and use "Paste Special, Values" to keep only its value',
                        )
                    )
                    texts[index] = ""
                elif len(cell.text) > MAX_CELL_LENGTH:
                    problems.append(_too_long(number, index, cell.text))
                    texts[index] = ""
            rows.append((number, texts))
    except xlsx.RowTooWide as exc:
        raise FileRejected(
            f"Row {exc.row} has more than {MAX_COLUMNS:,} columns. A feed can have at most "
            f"{MAX_COLUMNS:,} columns: delete the columns after column "
            f"{column_letter(MAX_COLUMNS - 1)} and upload the file again."
        ) from None
    except xlsx.TooManyCells:
        raise FileRejected(_too_many_cells()) from None
    except xlsx.PartTooLarge:
        raise FileRejected(WORKBOOK_TOO_LARGE) from None
    except xlsx.WorkbookUnreadable:
        raise FileRejected(
            "The Excel file cannot be read: it may be damaged or protected with a "
            'password. Open it in Excel, save it again as "Excel Workbook (.xlsx)" '
            'without a password, or save it as "CSV UTF-8 (Comma delimited)".'
        ) from None
    if not rows:
        raise FileRejected(HEADER_ONLY)
    return Table(FileFormat.XLSX, header, rows, problems)


# The end of central directory record: signature, then the entry counts at offsets 8
# (this disk) and 10 (in all). It is the last 22 bytes, or earlier by a comment of at
# most 65,535 bytes.
_END_OF_DIRECTORY: Final = b"PK\x05\x06"
_END_OF_DIRECTORY_SIZE: Final = 22


def _zip_entry_count(content: bytes) -> int | None:
    """How many entries a zip archive says it has, without reading its directory;
    None when it has no end record (not a zip). Zip64 archives (more than 65,534
    entries) count as too many."""
    start = max(0, len(content) - _END_OF_DIRECTORY_SIZE - 0xFFFF)
    at = content.rfind(_END_OF_DIRECTORY, start)
    if at < 0 or len(content) - at < _END_OF_DIRECTORY_SIZE:
        return None
    (total,) = struct.unpack_from("<H", content, at + 10)
    return int(total) if total != 0xFFFF else MAX_XLSX_ENTRIES + 1


def xlsx_value_text(value: object) -> str:
    """A cell's value as the text a person sees: whole numbers without ".0", dates as
    YYYY-MM-DD (Excel stores dates as numbers with a date format), TRUE/FALSE as Y/N."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).strip()


# --------------------------------------------------------------------------
# Shared
# --------------------------------------------------------------------------


def _check_row_count(rows_so_far: int) -> None:
    if rows_so_far >= MAX_ROWS:
        raise FileRejected(
            f"The file has more than {MAX_ROWS:,} rows of data. Split it into files of "
            f"{MAX_ROWS:,} rows or fewer."
        )


def _too_many_cells() -> str:
    return (
        f"The file has more than {MAX_CELLS:,} cells. Delete the columns the feed does "
        "not use, or split it into files of fewer rows, and upload them again."
    )


def _too_many_columns(row: int, columns: int) -> str:
    return (
        f"Row {row} has {columns:,} columns. A feed can have at most {MAX_COLUMNS:,} "
        f"columns: delete the columns after column {column_letter(MAX_COLUMNS - 1)} and "
        "upload the file again."
    )


def _too_long(row: int, index: int, value: str) -> CellProblem:
    return CellProblem(
        row,
        index,
        f"Cell {column_letter(index)}{row} is {len(value):,} characters long: no value "
        f"can be longer than {MAX_CELL_LENGTH:,} characters",
    )


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"
