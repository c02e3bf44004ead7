"""Hostile feed files: very wide rows, too many cells, zip tricks and the memory cap.

A 42 KB workbook of one row of 1.4 million cells once cost the import worker 42 seconds
and 800 MB. Every such file is now refused with one message a person can act on, before
its rows are built.
"""

from __future__ import annotations

import datetime
import io
import multiprocessing
import time
import tracemalloc
import zipfile
from collections.abc import Callable
from typing import Any

import pytest

from conftest import World
from outcomes.feeds import reading, services, xlsx
from outcomes.feeds.memory import address_space_bytes, memory_budget
from outcomes.feeds.reading import FileRejected, read_table
from outcomes.feeds.services import (
    OUT_OF_MEMORY,
    feed_submission_create,
    feed_submission_import,
)
from outcomes.feeds.xlsx import workbook_bytes
from outcomes.models import Evidence, SubmissionStatus

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
HEADER = b'<row r="1"><c r="A1" t="inlineStr"><is><t>record_id</t></is></c></row>'
WIDE_XLSX_MESSAGE = (
    "Row 2 has more than 200 columns. A feed can have at most 200 columns: delete the "
    "columns after column GR and upload the file again."
)


def _with_sheet(sheet_data: bytes, **extra: bytes) -> bytes:
    """A real workbook whose first sheet's XML is replaced: cheap to build at any size,
    because the zip compresses the repetition."""
    with zipfile.ZipFile(io.BytesIO(workbook_bytes([["record_id"], ["R1"]]))) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members["xl/worksheets/sheet1.xml"] = (
        f'<worksheet xmlns="{NS}"><sheetData>'.encode() + sheet_data + b"</sheetData></worksheet>"
    )
    members.update(extra)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _measured(content: bytes) -> tuple[str, float, int]:
    """(message, seconds, peak bytes allocated) of reading a file that is rejected."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(FileRejected) as caught:
            read_table(content)
        return (
            caught.value.message,
            time.perf_counter() - started,
            tracemalloc.get_traced_memory()[1],
        )
    finally:
        tracemalloc.stop()


def _count_calls(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> list[int]:
    calls = [0]
    original: Callable[..., Any] = getattr(module, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


# --------------------------------------------------------------------------
# XLSX
# --------------------------------------------------------------------------


def test_one_row_of_a_million_cells_is_refused_before_the_row_is_built(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given the file from the report: one row of 1.4 million cells, about 45 KB zipped
    content = _with_sheet(HEADER + b'<row r="2">' + b"<c><v>1</v></c>" * 1_400_000 + b"</row>")
    assert len(content) < 100_000
    converted = _count_calls(monkeypatch, xlsx, "_cell")

    # When it is read
    message, seconds, peak = _measured(content)

    # Then it is refused with one message, having converted no cell past the limit
    assert message == WIDE_XLSX_MESSAGE
    assert converted[0] <= 1 + reading.MAX_COLUMNS + 1
    assert peak < 50 * 1024 * 1024
    assert seconds < 5  # a sanity bound only; it takes a few milliseconds


def test_a_row_of_a_million_empty_cells_is_refused_at_excels_own_width(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Blank cells carry no data, so they may run past 200 columns (a border drawn across
    # the sheet), but never past the 16,384 columns Excel has.
    content = _with_sheet(HEADER + b"<row>" + b"<c/>" * 1_400_000 + b"</row>")
    converted = _count_calls(monkeypatch, xlsx, "_cell")

    message, _seconds, peak = _measured(content)

    assert message == WIDE_XLSX_MESSAGE
    assert converted[0] <= xlsx.EXCEL_MAX_COLUMNS + 1
    assert peak < 50 * 1024 * 1024


def test_a_value_past_the_column_limit_is_refused_even_alone() -> None:
    content = _with_sheet(HEADER + b'<row r="2"><c r="XFD2"><v>1</v></c></row>')

    assert _measured(content)[0] == WIDE_XLSX_MESSAGE


def test_blank_formatted_cells_past_the_limit_are_ignored() -> None:
    row = b'<row r="2"><c r="A2" t="inlineStr"><is><t>R1</t></is></c><c r="ZZ2" s="0"/></row>'

    assert read_table(_with_sheet(HEADER + row)).rows == [(2, ["R1"])]


def test_exactly_the_column_limit_is_accepted() -> None:
    header = [f"column_{i}" for i in range(reading.MAX_COLUMNS)]

    table = read_table(workbook_bytes([header, ["x"] * reading.MAX_COLUMNS]))

    assert len(table.header) == len(table.rows[0][1]) == reading.MAX_COLUMNS


def test_a_workbook_over_the_cell_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reading, "MAX_CELLS", 10)
    rows = [["record_id", "name"], *[[f"R{i}", "Amy"] for i in range(10)]]

    message = _measured(workbook_bytes(rows))[0]

    assert message == (
        "The file has more than 10 cells. Delete the columns the feed does not use, or "
        "split it into files of fewer rows, and upload them again."
    )


def test_a_row_number_past_excels_last_row_gets_the_damaged_file_message() -> None:
    # openpyxl would have counted up to it, yielding two billion empty rows.
    content = _with_sheet(HEADER + b'<row r="2000000000"><c><v>1</v></c></row>')

    message, seconds, _peak = _measured(content)

    assert message.startswith("The Excel file cannot be read")
    assert seconds < 5


def test_a_zip_of_too_many_parts_is_refused_before_it_is_opened() -> None:
    parts = {f"xl/media/{i}.bin": b"" for i in range(reading.MAX_XLSX_ENTRIES)}

    message = _measured(_with_sheet(HEADER, **parts))[0]

    assert message == reading.WORKBOOK_TOO_LARGE


def test_a_huge_styles_part_is_refused_before_it_is_parsed() -> None:
    # Styles are parsed whole; 11 MB of spaces zip to a few kilobytes.
    styles = (
        b'<styleSheet xmlns="' + NS.encode() + b'">' + b" " * (11 * 1024 * 1024) + b"</styleSheet>"
    )

    message = _measured(_with_sheet(HEADER, **{"xl/styles.xml": styles}))[0]

    assert message == reading.WORKBOOK_TOO_LARGE


# --------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------


def test_a_csv_row_of_a_million_columns_is_refused_with_its_count() -> None:
    content = b"record_id\r\n" + b"," * 1_399_999 + b"\r\n"

    message, seconds, peak = _measured(content)

    assert message == (
        "Row 2 has 1,400,000 columns. A feed can have at most 200 columns: delete the "
        "columns after column GR and upload the file again."
    )
    # The file itself is 1.4 MB: no list of a million fields was built.
    assert peak < 50 * 1024 * 1024
    assert seconds < 5


def test_a_csv_row_just_over_the_column_limit_is_refused_with_its_count() -> None:
    content = b"record_id\r\nR1" + b",x" * reading.MAX_COLUMNS + b"\r\n"

    assert _measured(content)[0].startswith("Row 2 has 201 columns.")


def test_a_csv_header_over_the_column_limit_is_refused() -> None:
    header = ",".join(f"c{i}" for i in range(300)).encode()

    assert _measured(header + b"\r\nR1\r\n")[0].startswith("Row 1 has 300 columns.")


def test_a_csv_row_spread_over_many_lines_is_refused_by_its_length() -> None:
    # Quoted values with line breaks in them: no single line is long.
    content = b"record_id\r\n" + b'"a\nb",' * 200_000 + b"x\r\n"

    message, _seconds, peak = _measured(content)

    assert message.startswith("Row 2 is more than 262,144 characters long")
    assert peak < 50 * 1024 * 1024


def test_csv_rows_after_a_long_one_start_their_count_again() -> None:
    long_value = "x" * 100_000  # an over-long value: a cell problem, not a rejection
    rows = "".join(f"R{i},{long_value}\r\n" for i in range(5))

    table = read_table(f"record_id,notes\r\n{rows}".encode())

    assert len(table.rows) == 5
    assert len(table.problems) == 5


def test_a_csv_over_the_cell_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reading, "MAX_CELLS", 10)

    message = _measured(b"record_id,name\r\n" + b"R,Amy\r\n" * 10)[0]

    assert message.startswith("The file has more than 10 cells.")


# --------------------------------------------------------------------------
# The worker's memory cap
# --------------------------------------------------------------------------


def _allocate_under_budget(budget: int, size: int, answer: Any) -> None:
    try:
        with memory_budget(budget) as capped:
            bytearray(size)
        answer.put(("allocated", capped))
    except MemoryError:
        answer.put(("MemoryError", True))


@pytest.mark.skipif(address_space_bytes() is None, reason="needs /proc to measure")
def test_the_memory_budget_stops_an_allocation_past_it_and_is_lifted_after() -> None:
    # In a child process: the cap is process-wide, and the test runner must not share it.
    context = multiprocessing.get_context("fork")
    answers = context.Queue()
    for budget, size in (
        (64 * 1024 * 1024, 512 * 1024 * 1024),
        (512 * 1024 * 1024, 16 * 1024 * 1024),
    ):
        child = context.Process(target=_allocate_under_budget, args=(budget, size, answers))
        child.start()
        child.join(30)
    results = [answers.get(timeout=5), answers.get(timeout=5)]

    assert results == [("MemoryError", True), ("allocated", True)]


def test_no_budget_means_no_cap() -> None:
    import resource

    before = resource.getrlimit(resource.RLIMIT_AS)
    with memory_budget(0) as capped:
        assert not capped
        assert resource.getrlimit(resource.RLIMIT_AS) == before


def _submission(world: World, content: bytes) -> Any:
    return feed_submission_create(
        actor=world.programme_manager.user,
        agency=world.police,
        kind="asb",
        extract_date=datetime.date(2025, 9, 1),
        filename="asb.xlsx",
        content=content,
        valid_rows_only=False,
        start_job=False,
    )


def test_a_hostile_workbook_is_rejected_with_its_message_and_nothing_imported(
    world: World,
) -> None:
    content = _with_sheet(HEADER + b'<row r="2">' + b"<c><v>1</v></c>" * 1_400_000 + b"</row>")
    submission = _submission(world, content)

    feed_submission_import(submission=submission)

    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.REJECTED
    assert submission.file_error == WIDE_XLSX_MESSAGE
    assert not Evidence.objects.exists()


def test_running_out_of_the_memory_budget_rejects_the_file(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    submission = _submission(world, b"record_id\r\nR1\r\n")

    def exhausted(content: bytes) -> Any:
        raise MemoryError

    monkeypatch.setattr(services, "read_table", exhausted)

    feed_submission_import(submission=submission)

    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.REJECTED
    assert submission.file_error == OUT_OF_MEMORY
    assert not Evidence.objects.exists()
