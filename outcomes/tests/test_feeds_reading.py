"""Reading feed files: CSV and XLSX into rows of text, and one clear message for a bad file.

Pure functions: no database.
"""

from __future__ import annotations

import datetime
import io
import zipfile
from pathlib import Path

import pytest

from outcomes.feeds import reading
from outcomes.feeds.reading import (
    EMPTY,
    HEADER_ONLY,
    NOT_A_SPREADSHEET,
    NOT_UTF8,
    OLD_EXCEL,
    FileRejected,
    column_letter,
    detect_format,
    read_table,
)
from outcomes.feeds.xlsx import workbook_bytes
from outcomes.models import FileFormat

FILES = Path(__file__).parent / "feeds_files"


def _rejected(content: bytes) -> str:
    with pytest.raises(FileRejected) as caught:
        read_table(content)
    return caught.value.message


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", EMPTY),
        (b"  \r\n\r\n", EMPTY),
        (b",,,\r\n", EMPTY),
        (b"record_id,person_id\r\n", HEADER_ONLY),
        (b"record_id,person_id\r\n,\r\n\r\n", HEADER_ONLY),
        # Excel's "CSV" on Windows is cp1252: the e-acute of Zoe is not UTF-8.
        ("record_id,given_name\r\nR1,Zo\u00eb\r\n".encode("cp1252"), NOT_UTF8),
        # Excel's "Unicode Text" is UTF-16 with a byte-order mark.
        ("record_id\r\nR1\r\n".encode("utf-16"), NOT_UTF8),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", NOT_A_SPREADSHEET),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", NOT_A_SPREADSHEET),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, OLD_EXCEL),
        # A Word document is a zip too, but not a workbook.
        (_zip({"word/document.xml": b"<w:document/>"}), NOT_A_SPREADSHEET),
        (b"PK\x03\x04 this is not really a zip", NOT_A_SPREADSHEET),
    ],
    ids=[
        "empty",
        "blank lines",
        "commas only",
        "header only",
        "header and blank rows",
        "cp1252",
        "utf-16",
        "pdf",
        "png",
        "old excel",
        "word document",
        "broken zip",
    ],
)
def test_a_bad_file_gets_one_plain_message(content: bytes, message: str) -> None:
    assert _rejected(content) == message


def test_the_encoding_message_says_how_to_save_as_csv_utf8() -> None:
    assert '"CSV UTF-8 (Comma delimited) (*.csv)"' in NOT_UTF8


def test_a_byte_order_mark_is_allowed_and_not_part_of_the_first_column() -> None:
    table = read_table("\ufeffrecord_id,given_name\r\nR1,Zo\u00eb\r\n".encode())

    assert table.header == ["record_id", "given_name"]
    assert table.rows == [(2, ["R1", "Zo\u00eb"])]
    assert table.file_format == FileFormat.CSV


def test_rows_are_numbered_as_a_spreadsheet_shows_them() -> None:
    # A quoted value over two lines is still one row; blank rows are skipped but counted.
    content = b'id,address\r\nR1,"1 High St\nFlat 2"\r\n\r\nR2,"He said ""hi"", then left"\r\n'

    table = read_table(content)

    assert table.rows == [
        (2, ["R1", "1 High St\nFlat 2"]),
        (4, ["R2", 'He said "hi", then left']),
    ]


def test_values_are_stripped_and_lf_line_endings_work() -> None:
    table = read_table(b" record_id , name \n R1 ,  Amy \n")

    assert table.header == ["record_id", "name"]
    assert table.rows == [(2, ["R1", "Amy"])]


def test_broken_quoting_names_the_row() -> None:
    message = _rejected(b'record_id,name\r\nR1,Amy\r\nR2,"Bob\r\n')

    assert message.startswith("Row 3 cannot be read as CSV")
    assert "double quotes" in message


@pytest.mark.parametrize(
    ("value", "is_formula"),
    [
        ("=1+2", True),
        ('=HYPERLINK("http://example.org","x")', True),
        ("+A1", True),
        ("-A1", True),
        ("@SUM(A1)", True),
        ("+ 1", True),
        ("-5", False),
        ("+44 1962 000000", False),
        ("-", False),
        ("Anne-Marie", False),
        ("a=b", False),
        ("O'Neil", False),
    ],
)
def test_csv_cells_that_would_run_as_formulas_are_cell_problems(
    value: str, is_formula: bool
) -> None:
    content = f'record_id,given_name\r\nR1,"{value.replace(chr(34), chr(34) * 2)}"\r\n'.encode()

    table = read_table(content)

    if is_formula:
        assert [(p.row, p.column_index) for p in table.problems] == [(2, 1)]
        assert table.problems[0].message.startswith(f'Cell B2 starts with "{value[0]}"')
        assert table.rows[0][1][1] == ""
    else:
        assert table.problems == []
        assert table.rows[0][1][1] == value


def test_a_huge_csv_cell_is_a_cell_problem_not_a_crash() -> None:
    huge = "x" * (reading.MAX_CELL_LENGTH + 1)
    table = read_table(f"record_id,notes\r\nR1,{huge}\r\nR2,fine\r\n".encode())

    assert [(p.row, p.column_index) for p in table.problems] == [(2, 1)]
    assert "1,001 characters long" in table.problems[0].message
    assert table.rows[1] == (3, ["R2", "fine"])


def test_a_file_over_the_size_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reading, "MAX_FILE_BYTES", 100)

    message = _rejected(b"record_id\r\n" + b"R1\r\n" * 40)

    assert message == "The file is 0.0 MB: it can be at most 0.0 MB. Split it into smaller files."


def test_a_file_over_the_row_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reading, "MAX_ROWS", 3)
    header = b"record_id\r\n"

    assert len(read_table(header + b"R\r\n" * 3).rows) == 3
    assert _rejected(header + b"R\r\n" * 4) == (
        "The file has more than 3 rows of data. Split it into files of 3 rows or fewer."
    )


@pytest.mark.parametrize(
    ("index", "letter"), [(0, "A"), (1, "B"), (25, "Z"), (26, "AA"), (27, "AB"), (701, "ZZ")]
)
def test_column_letters(index: int, letter: str) -> None:
    assert column_letter(index) == letter


# --------------------------------------------------------------------------
# XLSX
# --------------------------------------------------------------------------


def test_xlsx_values_read_as_a_person_sees_them() -> None:
    content = workbook_bytes(
        [
            ["record_id", "date_of_birth", "nhs_number", "hours", "flag", "name"],
            ["R1", datetime.date(2012, 3, 4), 9434765919, 37.5, True, "  Amy  "],
            ["R2", datetime.datetime(2010, 1, 2, 0, 0), 4857773007.0, 16, False, None],
        ]
    )

    table = read_table(content)

    assert table.file_format == FileFormat.XLSX
    assert table.header == ["record_id", "date_of_birth", "nhs_number", "hours", "flag", "name"]
    assert table.rows == [
        (2, ["R1", "2012-03-04", "9434765919", "37.5", "Y", "Amy"]),
        # A row ends at its last filled cell, as in CSV.
        (3, ["R2", "2010-01-02", "4857773007", "16", "N"]),
    ]


def test_xlsx_formula_cells_are_cell_problems() -> None:
    content = workbook_bytes([["record_id", "sessions"], ["R1", "=2+2"], ["R2", 4]])

    table = read_table(content)

    assert [(p.row, p.column_index) for p in table.problems] == [(2, 1)]
    assert table.problems[0].message.startswith("Cell B2 is a formula")
    assert table.rows == [(2, ["R1", ""]), (3, ["R2", "4"])]


def test_xlsx_blank_rows_keep_the_numbering() -> None:
    content = workbook_bytes([["record_id"], ["R1"], [None], [], ["R4"]])

    assert read_table(content).rows == [(2, ["R1"]), (5, ["R4"])]


def test_the_format_comes_from_the_content_not_the_name() -> None:
    content = workbook_bytes([["record_id"], ["R1"]])

    assert detect_format(content) == FileFormat.XLSX
    assert detect_format(b"record_id\r\nR1\r\n") == FileFormat.CSV
    assert read_table(content).rows == [(2, ["R1"])]


def test_a_workbook_with_only_a_header_is_refused() -> None:
    assert _rejected(workbook_bytes([["record_id", "person_id"]])) == HEADER_ONLY
    assert _rejected(workbook_bytes([])) == EMPTY


def test_a_damaged_workbook_gets_a_plain_message() -> None:
    good = workbook_bytes([["record_id"], ["R1"]])
    with zipfile.ZipFile(io.BytesIO(good)) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members["xl/worksheets/sheet1.xml"] = b"<worksheet><sheetData><row><c r="

    message = _rejected(_zip(members))

    assert message.startswith("The Excel file cannot be read")


def test_a_workbook_that_would_expand_past_the_limit_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(reading, "MAX_XLSX_UNCOMPRESSED_BYTES", 1_000)
    content = workbook_bytes([["record_id"], *[[f"R{i}"] for i in range(200)]])

    assert _rejected(content).startswith("The workbook is too large to read")


def test_xml_entity_expansion_in_a_workbook_is_refused() -> None:
    # "Billion laughs": defusedxml refuses entity declarations outright.
    good = workbook_bytes([["record_id"], ["R1"]])
    with zipfile.ZipFile(io.BytesIO(good)) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members["xl/worksheets/sheet1.xml"] = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row>'
        b"</sheetData></worksheet>"
    )

    assert _rejected(_zip(members)).startswith("The Excel file cannot be read")


def test_sample_files_read() -> None:
    csv_table = read_table((FILES / "exclusions_mixed.csv").read_bytes())
    xlsx_table = read_table((FILES / "exclusions_mixed.xlsx").read_bytes())

    assert csv_table.header == xlsx_table.header
    assert [n for n, _ in csv_table.rows] == [n for n, _ in xlsx_table.rows]
