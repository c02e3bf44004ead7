"""The first sheet of an XLSX workbook as rows of text, streamed cell by cell.

An uploaded workbook is hostile until read: a 42 KB file can hold one row of 1.4 million
cells, and openpyxl's read-only sheets still build every row (and, for a sheet without
a ``<dimension>``, every row of every sheet while opening the workbook) before handing
it over. So openpyxl reads only the small parts (content types, workbook, styles) and
converts single cells; the sheet itself and its shared strings are streamed here, each
element dropped as soon as it is read, and a row is abandoned the moment it passes the
column limit or the file passes the cell limit. Memory stays flat whatever the file.

All XML goes through defusedxml, so entity-expansion and external-entity tricks are
refused by the parser. Formulas are read as formulas (not their cached results) so they
can be reported instead of trusted.
"""

from __future__ import annotations

import contextlib
import io
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Final

# Typed by types-openpyxl where installed; the ignores cover an install without it.
import openpyxl  # type: ignore[import-untyped, unused-ignore]
from defusedxml.ElementTree import iterparse  # type: ignore[import-untyped, unused-ignore]
from openpyxl.cell.text import Text  # type: ignore[import-untyped, unused-ignore]
from openpyxl.packaging.relationship import (  # type: ignore[import-untyped, unused-ignore]
    get_rels_path,
)
from openpyxl.reader.excel import (  # type: ignore[import-untyped, unused-ignore]
    ExcelReader,
    _find_workbook_part,
)
from openpyxl.styles.stylesheet import (  # type: ignore[import-untyped, unused-ignore]
    apply_stylesheet,
)
from openpyxl.utils.cell import (  # type: ignore[import-untyped, unused-ignore]
    column_index_from_string,
)
from openpyxl.worksheet._reader import (  # type: ignore[import-untyped, unused-ignore]
    WorkSheetParser,
)
from openpyxl.xml import DEFUSEDXML  # type: ignore[import-untyped, unused-ignore]
from openpyxl.xml.constants import (  # type: ignore[import-untyped, unused-ignore]
    ARC_STYLE,
    SHARED_STRINGS,
    SHEET_MAIN_NS,
)

from outcomes.feeds.reading import xlsx_value_text

# Without defusedxml openpyxl would parse uploaded XML with the standard library alone.
assert DEFUSEDXML, "defusedxml must be installed to read uploaded workbooks"

# Excel's own limits (XFD and row 1,048,576): a file past them was not written by a
# spreadsheet, and counting past them is only work for an attacker.
EXCEL_MAX_COLUMNS: Final = 16_384
EXCEL_MAX_ROWS: Final = 1_048_576

_ROW: Final = f"{{{SHEET_MAIN_NS}}}row"
_CELL: Final = f"{{{SHEET_MAIN_NS}}}c"
_SHARED_STRING: Final = f"{{{SHEET_MAIN_NS}}}si"
_FORMULA: Final = f"{{{SHEET_MAIN_NS}}}f"
_COLUMN_LETTERS: Final = re.compile(r"\$?([A-Za-z]{1,3})\$?\d*")


class WorkbookUnreadable(Exception):
    """Damaged, encrypted, or not a workbook openpyxl understands."""


class RowTooWide(Exception):
    """A row has a value past ``max_columns``, or more cells than Excel allows."""

    def __init__(self, row: int) -> None:
        super().__init__(f"row {row} is too wide")
        self.row = row


class TooManyCells(Exception):
    """The sheet has more cells (filled or not) than one feed may have."""


class PartTooLarge(Exception):
    """A part of the workbook expands to more than its limit."""


@dataclass(frozen=True)
class XlsxCell:
    text: str
    is_formula: bool


_EMPTY: Final = XlsxCell("", False)


@dataclass(frozen=True)
class SheetLimits:
    """How much of a workbook the reader will look at before giving up."""

    max_columns: int
    max_cells: int
    # Parts openpyxl parses whole (workbook, styles, relationships...): never large.
    max_part_bytes: int = 10 * 1024 * 1024
    max_shared_strings_bytes: int = 64 * 1024 * 1024


def first_sheet_rows(content: bytes, limits: SheetLimits) -> Iterator[tuple[int, list[XlsxCell]]]:
    """(row number, cells) for every row of the first sheet, the header first.

    A row's cells run from column A to its last cell with a value or formula; gaps are
    empty cells. Rows with no cells at all are left out, their numbers kept as a
    spreadsheet shows them. Raises ``RowTooWide``, ``TooManyCells``, ``PartTooLarge``
    or ``WorkbookUnreadable``; nothing past the point of failure is read.
    """
    try:
        reader = ExcelReader(
            io.BytesIO(content), read_only=True, keep_vba=False, data_only=False, keep_links=False
        )
    except Exception as exc:
        raise WorkbookUnreadable(str(exc)) from exc
    archive: zipfile.ZipFile = reader.archive
    try:
        sheet_path, strings_path = _locate(reader, limits)
        strings = _shared_strings(archive, strings_path, limits) if strings_path else []
        cells = WorkSheetParser(
            None,
            strings,
            data_only=False,
            epoch=reader.wb.epoch,
            date_formats=reader.wb._date_formats,
            timedelta_formats=reader.wb._timedelta_formats,
        )
        with archive.open(sheet_path) as source:
            yield from _rows(source, cells, limits)
    except (WorkbookUnreadable, RowTooWide, TooManyCells, PartTooLarge):
        raise
    except Exception as exc:
        raise WorkbookUnreadable(str(exc)) from exc
    finally:
        archive.close()


def _locate(reader: Any, limits: SheetLimits) -> tuple[str, str]:
    """Read the workbook's small parts; the first worksheet's path and the shared
    strings' path ("" when there are none)."""
    archive: zipfile.ZipFile = reader.archive
    sizes = {info.filename: info.file_size for info in archive.infolist()}

    def small(name: str) -> None:
        # Parsed whole, so it must be small. zipfile stops reading a member at its
        # declared size, so the size the archive declares is a true bound.
        if sizes.get(name, 0) > limits.max_part_bytes:
            raise PartTooLarge(name)

    small("[Content_Types].xml")
    reader.read_manifest()
    workbook_part = _find_workbook_part(reader.package).PartName[1:]
    small(workbook_part)
    small(get_rels_path(workbook_part))
    reader.read_workbook()
    small(ARC_STYLE)
    apply_stylesheet(archive, reader.wb)
    sheet_path = ""
    for _sheet, rel in reader.parser.find_sheets():
        if rel.target in sizes and "chartsheet" not in rel.Type:
            sheet_path = rel.target
            break
    if not sheet_path:
        raise WorkbookUnreadable("no sheets")
    part = reader.package.find(SHARED_STRINGS)
    strings_path = part.PartName[1:] if part is not None else ""
    if strings_path and sizes.get(strings_path, 0) > limits.max_shared_strings_bytes:
        raise PartTooLarge(strings_path)
    return sheet_path, strings_path


def _shared_strings(archive: zipfile.ZipFile, path: str, limits: SheetLimits) -> list[str]:
    """The shared string table, each entry dropped from the tree once read (openpyxl's
    own reader keeps every entry's empty element, megabytes for a large table)."""
    strings: list[str] = []
    root = None
    with archive.open(path) as source:
        for event, element in iterparse(source, events=("start", "end")):
            if event == "start":
                if root is None:
                    root = element
                continue
            if element.tag != _SHARED_STRING:
                continue
            strings.append(Text.from_tree(element).content.replace("x005F_", ""))
            element.clear()
            if root is not None and len(root) and root[0] is element:
                del root[0]
            # A sheet cannot use more strings than it has cells.
            if len(strings) > limits.max_cells:
                raise TooManyCells
    return strings


def _column_of(reference: str | None, previous: int) -> int:
    """The 1-based column of a cell reference like "AB12"; the next column when a cell
    has no reference (allowed, and what some writers do)."""
    if not reference:
        return previous + 1
    match = _COLUMN_LETTERS.fullmatch(reference)
    if match is None:
        raise WorkbookUnreadable(f"bad cell reference {reference[:20]!r}")
    return int(column_index_from_string(match.group(1).upper()))


def _rows(source: Any, cells: Any, limits: SheetLimits) -> Iterator[tuple[int, list[XlsxCell]]]:
    # Elements are handled on their "end" and dropped at once, so the parsed tree never
    # holds more than the parser's read-ahead (a few kilobytes of XML). Cells are
    # checked on their "start", before their contents are even parsed.
    stack: list[Any] = []
    row_number = 0
    rows_seen = 0
    cells_seen = 0
    row: dict[int, XlsxCell] = {}
    last_filled = 0
    column = 0
    cells_in_row = 0
    in_cell = 0
    for event, element in iterparse(source, events=("start", "end")):
        tag = element.tag
        if event == "start":
            stack.append(element)
            if tag == _ROW:
                row_number = _row_number(element.get("r"), row_number)
                rows_seen += 1
                if row_number > EXCEL_MAX_ROWS or rows_seen > EXCEL_MAX_ROWS:
                    raise WorkbookUnreadable("more rows than Excel allows")
                row, last_filled, column, cells_in_row = {}, 0, 0, 0
            elif tag == _CELL:
                in_cell += 1
                column = _column_of(element.get("r"), column)
                cells_in_row += 1
                cells_seen += 1
                if column > EXCEL_MAX_COLUMNS or cells_in_row > EXCEL_MAX_COLUMNS:
                    raise RowTooWide(row_number)
                if cells_seen > limits.max_cells:
                    raise TooManyCells
            continue
        stack.pop()
        if tag == _CELL:
            in_cell -= 1
            cell = _cell(cells, element, row_number, column)
            if cell is not _EMPTY:
                # Blank cells past the limit are formatting (a border drawn across the
                # sheet); a value there is data the feed cannot hold.
                if column > limits.max_columns:
                    raise RowTooWide(row_number)
                row[column] = cell
                last_filled = column
        elif tag == _ROW:
            if row:
                yield row_number, [row.get(i, _EMPTY) for i in range(1, last_filled + 1)]
            row = {}
        elif in_cell:
            continue  # a cell's value, formula or text: dropped with its cell
        # Done with this element: clear it and take it out of its parent, which is
        # where iterparse would otherwise keep it (and every one before it).
        element.clear()
        if stack:
            parent = stack[-1]
            if len(parent) and parent[0] is element:
                del parent[0]
            else:
                with contextlib.suppress(ValueError):
                    parent.remove(element)


def _row_number(attribute: str | None, previous: int) -> int:
    if not attribute:
        return previous + 1
    try:
        number = int(attribute)
    except ValueError:
        raise WorkbookUnreadable(f"bad row number {attribute[:20]!r}") from None
    if number < 1:
        raise WorkbookUnreadable("bad row number")
    return number


def _cell(cells: Any, element: Any, row_number: int, column: int) -> XlsxCell:
    # openpyxl turns one cell element into its value: shared strings, dates by their
    # number format, booleans, inline strings, formulas.
    cells.row_counter = row_number
    cells.col_counter = column - 1
    parsed = cells.parse_cell(element)
    if parsed["data_type"] == "f" or element.find(_FORMULA) is not None:
        return XlsxCell(str(parsed["value"] or ""), True)
    text = xlsx_value_text(parsed["value"])
    return XlsxCell(text, False) if text else _EMPTY


def workbook_bytes(rows: Sequence[Sequence[object]]) -> bytes:
    """A one-sheet workbook of ``rows`` (for tests and examples). Values starting "="
    are written as formulas, as Excel would store them."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
