"""The first sheet of an XLSX workbook as rows of text, with openpyxl in read-only mode.

openpyxl parses the workbook's XML with defusedxml when it is installed (it is a
requirement), so entity-expansion and external-entity tricks in an uploaded file are
refused by the parser. Read-only mode streams the sheet instead of building it all in
memory, and formulas are read as formulas (not their cached results) so they can be
reported instead of trusted.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

# Typed by types-openpyxl where installed; the ignores cover an install without it.
import openpyxl  # type: ignore[import-untyped, unused-ignore]
from openpyxl.xml import DEFUSEDXML  # type: ignore[import-untyped, unused-ignore]

from outcomes.feeds.reading import xlsx_value_text

# Without defusedxml openpyxl would parse uploaded XML with the standard library alone.
assert DEFUSEDXML, "defusedxml must be installed to read uploaded workbooks"


class WorkbookUnreadable(Exception):
    """Damaged, encrypted, or not a workbook openpyxl understands."""


@dataclass(frozen=True)
class XlsxCell:
    text: str
    is_formula: bool


def first_sheet_rows(content: bytes) -> Iterator[tuple[int, list[XlsxCell]]]:
    """(row number, cells) for every row of the first sheet, the header first."""
    try:
        workbook = openpyxl.load_workbook(
            io.BytesIO(content), read_only=True, data_only=False, keep_links=False
        )
    except Exception as exc:
        raise WorkbookUnreadable(str(exc)) from exc
    try:
        if not workbook.worksheets:
            raise WorkbookUnreadable("no sheets")
        sheet = workbook.worksheets[0]
        # The size a sheet declares is often wrong in files other programs write, and
        # would cut reading short: read every row there is.
        sheet.reset_dimensions()  # type: ignore[union-attr, unused-ignore]
        number = 0
        try:
            for row in sheet.iter_rows():
                # Read-only sheets skip nothing: a gap in the file comes back as empty
                # rows, so counting keeps numbers as a spreadsheet shows them.
                number += 1
                yield number, [_cell(c) for c in row]
        except WorkbookUnreadable:
            raise
        except Exception as exc:
            raise WorkbookUnreadable(str(exc)) from exc
    finally:
        workbook.close()


def _cell(cell: object) -> XlsxCell:
    value = getattr(cell, "value", None)
    if getattr(cell, "data_type", "") == "f":
        return XlsxCell(str(value or ""), True)
    return XlsxCell(xlsx_value_text(value), False)


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
