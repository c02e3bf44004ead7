"""Checking feed rows and shaping them as evidence (FEEDS.md). Pure: no database.

Table-driven: each case is a kind, the cells that differ from a good row, and the
exact errors (or the evidence) expected.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest

from outcomes.feeds.kinds import KINDS, columns_for
from outcomes.feeds.reading import FileRejected, Table, read_table
from outcomes.feeds.validation import (
    Validated,
    header_columns,
    parse_feed_date,
    term_dates,
    validate_table,
)
from outcomes.models import FeedKind

EXTRACT = datetime.date(2025, 9, 1)
EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples" / "feeds"
FILES = Path(__file__).parent / "feeds_files"

IDENTITY = {
    "record_id": "R1",
    "person_id": "P1",
    "given_name": "Tyler",
    "family_name": "Ashby",
    "date_of_birth": "2009-11-02",
    "sex": "M",
    "address_line_1": "14 Stanmore Lane",
    "postcode": "SO22 4BL",
    "uprn": "",
    "household_id": "",
    "upn": "M801200005000",
    "nhs_number": "4857773007",
    "ni_number": "",
}

GOOD_OWN: dict[str, dict[str, str]] = {
    "school_attendance": {
        "academic_year": "2024/25",
        "term": "autumn",
        "possible_sessions": "140",
        "unauthorised_absence_sessions": "10",
        "authorised_absence_sessions": "4",
    },
    "exclusions": {"exclusion_date": "2024-10-07", "exclusion_type": "fixed", "sessions": "4"},
    "offences": {
        "offence_date": "2025-01-14",
        "outcome_date": "2025-03-02",
        "outcome": "proven",
        "offence_type": "Theft",
    },
    "asb": {"incident_date": "2025-02-11", "intervention": "warning"},
    "police_callouts": {"callout_date": "2025-03-22", "category": "welfare"},
    "benefits": {
        "benefit": "ESA",
        "start_date": "2023-08-14",
        "end_date": "",
        "out_of_work": "",
    },
    "employment": {"start_date": "2024-12-02", "end_date": "", "hours_per_week": "37.5"},
    "work_progress": {"event_date": "2025-02-03", "programme": "esf"},
    "social_care": {"status": "child_in_need", "start_date": "2024-09-16", "end_date": ""},
    "domestic_abuse": {"incident_date": "2025-03-22", "role": "victim", "marac": "Y"},
    "health": {
        "need": "mental_health",
        "start_date": "2024-11-05",
        "end_date": "",
        "engaged": "N",
    },
    "housing": {"event_date": "2025-01-06", "event": "rent_arrears"},
    "neet": {"status": "neet", "start_date": "2025-07-18", "end_date": ""},
}


def _table(header: list[str], rows: list[list[str]]) -> Table:
    return Table("csv", header, [(n, r) for n, r in enumerate(rows, start=2)])


def _check(kind: str, *rows: dict[str, str]) -> Validated:
    values = [
        {**IDENTITY, **GOOD_OWN[kind], "record_id": f"R{n}", **row}
        for n, row in enumerate(rows, start=1)
    ]
    header = list(values[0])
    return validate_table(
        kind, _table(header, [[v[h] for h in header] for v in values]), extract_date=EXTRACT
    )


def _errors(result: Validated) -> list[tuple[int, str, str]]:
    return [(e.row, e.column, e.message) for e in result.errors]


def test_every_kind_has_a_good_row_here() -> None:
    assert set(GOOD_OWN) == set(FeedKind.values) == set(KINDS)
    for kind in KINDS:
        assert set(GOOD_OWN[kind]) == {c.name for c in KINDS[kind].columns}


@pytest.mark.parametrize("kind", FeedKind.values)
def test_a_good_row_of_every_kind_passes(kind: str) -> None:
    result = _check(kind, {})

    assert _errors(result) == []
    assert len(result.rows) == 1


@pytest.mark.parametrize("kind", FeedKind.values)
def test_every_documented_example_file_is_valid(kind: str) -> None:
    table = read_table((EXAMPLES / f"{kind}.csv").read_bytes())

    result = validate_table(kind, table, extract_date=EXTRACT)

    assert _errors(result) == []
    assert result.warnings == []
    assert result.rows_read >= 1


# --------------------------------------------------------------------------
# Row errors: (kind, cells changed from a good row, expected [(column, message)])
# --------------------------------------------------------------------------

ROW_CASES: list[tuple[str, str, dict[str, str], list[tuple[str, str]]]] = [
    # Identity columns, the same for every kind.
    (
        "impossible date",
        "asb",
        {"date_of_birth": "31/02/2010"},
        [("date_of_birth", "Enter date_of_birth as YYYY-MM-DD or DD/MM/YYYY, not 31/02/2010")],
    ),
    (
        "american date",
        "asb",
        {"date_of_birth": "12/31/2010"},
        [("date_of_birth", "Enter date_of_birth as YYYY-MM-DD or DD/MM/YYYY, not 12/31/2010")],
    ),
    (
        "words for a date",
        "asb",
        {"incident_date": "last Tuesday"},
        [("incident_date", "Enter incident_date as YYYY-MM-DD or DD/MM/YYYY, not last Tuesday")],
    ),
    (
        "two-digit year",
        "asb",
        {"incident_date": "11/02/25"},
        [("incident_date", "Enter incident_date as YYYY-MM-DD or DD/MM/YYYY, not 11/02/25")],
    ),
    (
        "year out of range",
        "asb",
        {"date_of_birth": "1850-01-01"},
        [("date_of_birth", "Enter date_of_birth as YYYY-MM-DD or DD/MM/YYYY, not 1850-01-01")],
    ),
    (
        "born after the extract",
        "asb",
        {"date_of_birth": "2025-09-02"},
        [
            (
                "date_of_birth",
                "date_of_birth (2 September 2025) is after the extract date (1 September 2025)",
            )
        ],
    ),
    (
        "blank required identity",
        "asb",
        {"given_name": "", "person_id": ""},
        [("person_id", "Enter person_id"), ("given_name", "Enter given_name")],
    ),
    (
        "name far too long",
        "asb",
        {"family_name": "A" * 101},
        [("family_name", "Enter family_name in 100 characters or fewer (it has 101)")],
    ),
    (
        "unknown sex",
        "asb",
        {"sex": "male"},
        [("sex", "Enter sex as F, M or X, not male")],
    ),
    (
        "bad check letter",
        "asb",
        {"upn": "A123456789013"},
        [
            (
                "upn",
                "The UPN check letter is wrong: check the number and try again "
                "(in upn: A123456789013)",
            )
        ],
    ),
    (
        "bad nhs number",
        "asb",
        {"nhs_number": "4857773008"},
        [
            (
                "nhs_number",
                "The NHS number is not valid: check the number and try again "
                "(in nhs_number: 4857773008)",
            )
        ],
    ),
    (
        "bad ni number",
        "asb",
        {"ni_number": "QQ123456E"},
        [
            (
                "ni_number",
                "Enter a National Insurance number in the correct format, like QQ 12 34 56 C "
                "(in ni_number: QQ123456E)",
            )
        ],
    ),
    (
        "bad postcode",
        "asb",
        {"postcode": "SO22 4B"},
        [("postcode", "Enter a real postcode, like SO23 8UG (in postcode: SO22 4B)")],
    ),
    (
        "no way to place the household",
        "asb",
        {"postcode": ""},
        [
            (
                "postcode",
                "Enter postcode, or a uprn or household_id: one of them is needed to know "
                "which household the person lives in",
            )
        ],
    ),
    (
        "bad uprn",
        "asb",
        {"uprn": "UPRN-12"},
        [("uprn", "Enter uprn as up to 12 digits, like 100062021045, not UPRN-12")],
    ),
    # Each kind's own columns.
    (
        "academic year",
        "school_attendance",
        {"academic_year": "2024/26"},
        [("academic_year", "Enter academic_year like 2024/25, not 2024/26")],
    ),
    (
        "term",
        "school_attendance",
        {"term": "winter"},
        [("term", "Enter term as autumn, spring or summer, not winter")],
    ),
    (
        "sessions not a number",
        "school_attendance",
        {"possible_sessions": "12.5"},
        [
            (
                "possible_sessions",
                "Enter possible_sessions as a whole number from 0 to 999, not 12.5",
            )
        ],
    ),
    (
        "negative sessions",
        "school_attendance",
        {"authorised_absence_sessions": "-1"},
        [
            (
                "authorised_absence_sessions",
                "Enter authorised_absence_sessions as a whole number from 0 to 999, not -1",
            )
        ],
    ),
    (
        "absence over possible",
        "school_attendance",
        {
            "possible_sessions": "100",
            "unauthorised_absence_sessions": "90",
            "authorised_absence_sessions": "11",
        },
        [
            (
                "unauthorised_absence_sessions",
                "Absence sessions (90 unauthorised + 11 authorised = 101) cannot be more than "
                "possible_sessions (100)",
            )
        ],
    ),
    (
        "blank attendance",
        "school_attendance",
        {"possible_sessions": "", "term": ""},
        [
            ("term", "Enter term as autumn, spring or summer"),
            ("possible_sessions", "Enter possible_sessions as a whole number from 0 to 999"),
        ],
    ),
    (
        "exclusion type",
        "exclusions",
        {"exclusion_type": "expelled"},
        [("exclusion_type", "Enter exclusion_type as fixed or permanent, not expelled")],
    ),
    (
        "outcome before offence",
        "offences",
        {"offence_date": "2025-03-02", "outcome_date": "01/03/2025"},
        [("outcome_date", "outcome_date (1 March 2025) is before offence_date (2 March 2025)")],
    ),
    (
        "offence outcome",
        "offences",
        {"outcome": "guilty"},
        [("outcome", "Enter outcome as proven or not_proven, not guilty")],
    ),
    (
        "asb intervention",
        "asb",
        {"intervention": "asbo"},
        [
            (
                "intervention",
                "Enter intervention as warning, abc, injunction, order, "
                "notice_seeking_possession, eviction or incident, not asbo",
            )
        ],
    ),
    (
        "callout category",
        "police_callouts",
        {"category": ""},
        [
            (
                "category",
                "Enter category as domestic_abuse, asb, missing_person, welfare or other",
            )
        ],
    ),
    (
        "unknown benefit",
        "benefits",
        {"benefit": "PIP"},
        [("benefit", "Enter benefit as JSA, ESA, IB, IS, CA, SDA or UC, not PIP")],
    ),
    (
        "uc needs out_of_work",
        "benefits",
        {"benefit": "UC", "out_of_work": ""},
        [("out_of_work", "Enter out_of_work as Y or N: it is needed for UC")],
    ),
    (
        "out_of_work not yes or no",
        "benefits",
        {"benefit": "UC", "out_of_work": "maybe"},
        [("out_of_work", "Enter out_of_work as Y or N, not maybe")],
    ),
    (
        "benefit ends before it starts",
        "benefits",
        {"start_date": "2024-03-04", "end_date": "2024-03-03"},
        [("end_date", "end_date (3 March 2024) is before start_date (4 March 2024)")],
    ),
    (
        "hours",
        "employment",
        {"hours_per_week": "full time"},
        [
            (
                "hours_per_week",
                "Enter hours_per_week as a number of hours from 0 to 168, like 37.5, not full time",
            )
        ],
    ),
    (
        "too many hours",
        "employment",
        {"hours_per_week": "169"},
        [
            (
                "hours_per_week",
                "Enter hours_per_week as a number of hours from 0 to 168, like 37.5, not 169",
            )
        ],
    ),
    (
        "programme",
        "work_progress",
        {"programme": "apprenticeship"},
        [("programme", "Enter programme as work_programme or esf, not apprenticeship")],
    ),
    (
        "care status",
        "social_care",
        {"status": "cp"},
        [
            (
                "status",
                "Enter status as early_help, child_in_need, child_protection, looked_after or "
                "section_47, not cp",
            )
        ],
    ),
    (
        "care ends before it starts",
        "social_care",
        {"end_date": "2024-09-15"},
        [("end_date", "end_date (15 September 2024) is before start_date (16 September 2024)")],
    ),
    (
        "marac blank",
        "domestic_abuse",
        {"marac": ""},
        [("marac", "Enter marac as Y or N")],
    ),
    (
        "domestic abuse role",
        "domestic_abuse",
        {"role": "bystander"},
        [("role", "Enter role as victim, perpetrator or witness, not bystander")],
    ),
    (
        "health need",
        "health",
        {"need": "dental"},
        [
            (
                "need",
                "Enter need as mental_health, substance_misuse, perinatal or physical_health, "
                "not dental",
            )
        ],
    ),
    (
        "housing event",
        "housing",
        {"event": "moved"},
        [
            (
                "event",
                "Enter event as rent_arrears, notice_seeking_possession, eviction, homeless, "
                "temporary_accommodation or arrears_cleared, not moved",
            )
        ],
    ),
    (
        "neet status",
        "neet",
        {"status": "nee"},
        [("status", "Enter status as neet or eet, not nee")],
    ),
    (
        "a long bad value is shortened in the message",
        "asb",
        {"incident_date": "x" * 60},
        [
            (
                "incident_date",
                "Enter incident_date as YYYY-MM-DD or DD/MM/YYYY, not " + "x" * 37 + "...",
            )
        ],
    ),
]


@pytest.mark.parametrize(
    ("kind", "cells", "expected"),
    [case[1:] for case in ROW_CASES],
    ids=[case[0] for case in ROW_CASES],
)
def test_bad_cells_are_reported_with_row_column_and_message(
    kind: str, cells: dict[str, str], expected: list[tuple[str, str]]
) -> None:
    result = _check(kind, {}, cells)

    assert _errors(result) == [(3, column, message) for column, message in expected]
    assert [r.row for r in result.rows] == [2]
    assert result.rows_read == 2
    assert result.rows_rejected == 1


ACCEPTED: list[tuple[str, str, dict[str, str]]] = [
    ("uk date", "asb", {"date_of_birth": "02/11/2009", "incident_date": "1/2/2025"}),
    ("any case of codes", "asb", {"intervention": "Notice_Seeking_Possession", "sex": "m"}),
    ("uprn instead of postcode", "asb", {"postcode": "", "uprn": "0100062021045"[-12:]}),
    ("household instead of postcode", "asb", {"postcode": "", "household_id": "HH-9"}),
    (
        "exactly all sessions absent",
        "school_attendance",
        {
            "possible_sessions": "14",
            "unauthorised_absence_sessions": "10",
            "authorised_absence_sessions": "4",
        },
    ),
    (
        "zero sessions",
        "school_attendance",
        {
            "possible_sessions": "0",
            "unauthorised_absence_sessions": "0",
            "authorised_absence_sessions": "0",
        },
    ),
    ("long academic year", "school_attendance", {"academic_year": "2024/2025"}),
    ("end on the start day", "benefits", {"end_date": "2023-08-14"}),
    ("uc with flag", "benefits", {"benefit": "uc", "out_of_work": "yes"}),
    ("zero hours", "employment", {"hours_per_week": "0"}),
    ("born on the extract date", "asb", {"date_of_birth": "2025-09-01"}),
    ("no outcome date yet", "offences", {"outcome_date": ""}),
    (
        "identifiers with spaces",
        "asb",
        {"nhs_number": "485 777 3007", "ni_number": "jt 12 34 56 a"},
    ),
]


@pytest.mark.parametrize(
    ("kind", "cells"), [case[1:] for case in ACCEPTED], ids=[case[0] for case in ACCEPTED]
)
def test_edge_values_that_are_accepted(kind: str, cells: dict[str, str]) -> None:
    result = _check(kind, cells)

    assert _errors(result) == []


def test_every_bad_cell_of_every_row_is_reported() -> None:
    result = _check(
        "school_attendance",
        {"record_id": "R1"},
        {"record_id": "R2", "date_of_birth": "2010-13-01", "term": "x", "upn": "bad"},
        {"record_id": "R3"},
        {"record_id": "R4", "given_name": "", "possible_sessions": "lots"},
    )

    assert [(row, column) for row, column, _ in _errors(result)] == [
        (3, "date_of_birth"),
        (3, "upn"),
        (3, "term"),
        (5, "given_name"),
        (5, "possible_sessions"),
    ]
    assert [r.record_id for r in result.rows] == ["R1", "R3"]
    assert result.rows_rejected == 2


def test_a_record_id_repeated_in_the_file_is_an_error_on_the_later_rows() -> None:
    result = _check(
        "asb", {"record_id": "A"}, {"record_id": "B"}, {"record_id": "A"}, {"record_id": "A"}
    )

    assert _errors(result) == [
        (4, "record_id", "record_id A is also on row 2: each row needs its own record_id"),
        (5, "record_id", "record_id A is also on row 2: each row needs its own record_id"),
    ]


def test_cell_problems_from_reading_replace_checks_of_that_cell() -> None:
    content = (
        b"record_id,person_id,given_name,family_name,date_of_birth,postcode,incident_date,"
        b"intervention\r\nR1,P1,=HYPERLINK(1),Ashby,2009-11-02,SO22 4BL,2025-01-01,warning\r\n"
    )

    result = validate_table("asb", read_table(content), extract_date=EXTRACT)

    assert [(e.row, e.column) for e in result.errors] == [(2, "given_name")]
    assert result.errors[0].message.startswith('Cell C2 starts with "="')


def test_values_after_the_last_column_are_an_error() -> None:
    header = list(IDENTITY) + list(GOOD_OWN["asb"])
    good = [{**IDENTITY, **GOOD_OWN["asb"]}[h] for h in header]
    table = _table(header, [[*good, "", ""], [*good[:-1], "warning", "extra"]])
    table.rows[1][1][0] = "R2"

    result = validate_table("asb", table, extract_date=EXTRACT)

    assert [(e.row, e.column) for e in result.errors] == [(3, "P")]
    assert "after the last column" in result.errors[0].message


# --------------------------------------------------------------------------
# Header
# --------------------------------------------------------------------------


def test_missing_required_columns_are_all_named() -> None:
    with pytest.raises(FileRejected) as caught:
        header_columns("school_attendance", ["record_id", "given_name", "term", "notes"])

    assert caught.value.message == (
        "The file is missing these columns for school attendance (school_attendance): "
        "person_id, family_name, date_of_birth, academic_year, possible_sessions, "
        "unauthorised_absence_sessions, authorised_absence_sessions and postcode. "
        "The first row must name every required column."
    )


def test_a_semicolon_separated_header_gets_a_hint() -> None:
    with pytest.raises(FileRejected) as caught:
        header_columns("asb", ["record_id;person_id;given_name"])

    assert "separated by semicolons or tabs" in caught.value.message


def test_duplicated_columns_are_named_with_their_letters() -> None:
    header = [c.name for c in columns_for("asb")] + ["given_name", "Incident Date"]

    with pytest.raises(FileRejected) as caught:
        header_columns("asb", header)

    assert caught.value.message == (
        "The header row names these columns more than once: given_name (columns C and P) "
        "and incident_date (columns N and Q). Keep one of each and upload the file again."
    )


def test_extra_columns_are_ignored_with_a_warning() -> None:
    header = ["Record ID", *[c.name for c in columns_for("asb")][1:], "school", "notes"]

    positions, warnings = header_columns("asb", header)

    assert positions["record_id"] == 0
    assert warnings == [
        "These columns are not part of the asb feed and were ignored: school and notes."
    ]


def test_unnamed_columns_are_ignored_and_mentioned_only_if_they_hold_values() -> None:
    header = [*IDENTITY, *GOOD_OWN["asb"], "", "", ""]
    good = [*{**IDENTITY, **GOOD_OWN["asb"]}.values()]
    table = _table(header, [[*good, "", "x", ""], [*good[:-1], "abc", "", "", ""]])
    table.rows[1][1][0] = "R2"

    result = validate_table("asb", table, extract_date=EXTRACT)

    assert _errors(result) == []
    assert result.warnings == [
        "Column Q had no name in the header row, so its values were ignored."
    ]


def test_optional_columns_may_be_left_out_of_the_header() -> None:
    header = [
        "record_id",
        "person_id",
        "given_name",
        "family_name",
        "date_of_birth",
        "household_id",
        "incident_date",
        "intervention",
    ]
    table = _table(header, [["R1", "P1", "Amy", "Ashby", "2010-01-01", "H1", "2025-01-01", "abc"]])

    result = validate_table("asb", table, extract_date=EXTRACT)

    assert _errors(result) == []
    assert result.rows[0].identity.postcode == ""
    assert result.rows[0].identity.household_id == "H1"


def test_the_sample_file_reports_the_same_errors_as_csv_and_xlsx() -> None:
    results = [
        validate_table("exclusions", read_table((FILES / name).read_bytes()), extract_date=EXTRACT)
        for name in ("exclusions_mixed.csv", "exclusions_mixed.xlsx")
    ]

    for result in results:
        assert _errors(result) == [
            (4, "date_of_birth", "Enter date_of_birth as YYYY-MM-DD or DD/MM/YYYY, not 31/02/2013"),
            (
                4,
                "upn",
                "The UPN check letter is wrong: check the number and try again "
                "(in upn: B801200005002)",
            ),
            (4, "exclusion_type", "Enter exclusion_type as fixed or permanent, not expelled"),
            (
                5,
                "postcode",
                "Enter postcode, or a uprn or household_id: one of them is needed to know "
                "which household the person lives in",
            ),
        ]
        assert result.warnings == [
            "These columns are not part of the exclusions feed and were ignored: school_name."
        ]
        assert [r.record_id for r in result.rows] == ["EXC-1", "EXC-2"]
    assert results[0].rows == results[1].rows


# --------------------------------------------------------------------------
# Normalised evidence (the frameworks rely on this exact shape)
# --------------------------------------------------------------------------

EVIDENCE: list[tuple[str, dict[str, str], str, str | None, dict[str, Any]]] = [
    (
        "school_attendance",
        {"term": "Autumn"},
        "2024-09-01",
        "2024-12-31",
        {
            "academic_year": "2024/25",
            "term": "autumn",
            "possible_sessions": 140,
            "unauthorised_absence_sessions": 10,
            "authorised_absence_sessions": 4,
        },
    ),
    (
        "school_attendance",
        {"term": "spring", "academic_year": "2023/2024"},
        "2024-01-01",
        "2024-03-31",
        {
            "academic_year": "2023/24",
            "term": "spring",
            "possible_sessions": 140,
            "unauthorised_absence_sessions": 10,
            "authorised_absence_sessions": 4,
        },
    ),
    (
        "school_attendance",
        {"term": "SUMMER"},
        "2025-04-01",
        "2025-08-31",
        {
            "academic_year": "2024/25",
            "term": "summer",
            "possible_sessions": 140,
            "unauthorised_absence_sessions": 10,
            "authorised_absence_sessions": 4,
        },
    ),
    (
        "exclusions",
        {"exclusion_date": "07/10/2024", "exclusion_type": "Fixed"},
        "2024-10-07",
        None,
        {"exclusion_date": "2024-10-07", "exclusion_type": "fixed", "sessions": 4},
    ),
    (
        "exclusions",
        {"exclusion_type": "permanent", "sessions": ""},
        "2024-10-07",
        None,
        {"exclusion_date": "2024-10-07", "exclusion_type": "permanent", "sessions": None},
    ),
    (
        "offences",
        {"outcome": "NOT_PROVEN"},
        "2025-01-14",
        None,
        {
            "offence_date": "2025-01-14",
            "outcome_date": "2025-03-02",
            "outcome": "not_proven",
            "offence_type": "Theft",
        },
    ),
    (
        "asb",
        {"intervention": "ABC"},
        "2025-02-11",
        None,
        {"incident_date": "2025-02-11", "intervention": "abc"},
    ),
    (
        "police_callouts",
        {},
        "2025-03-22",
        None,
        {"callout_date": "2025-03-22", "category": "welfare"},
    ),
    (
        "benefits",
        {"benefit": "esa"},
        "2023-08-14",
        None,
        {"benefit": "ESA", "start_date": "2023-08-14", "end_date": None, "out_of_work": False},
    ),
    (
        "benefits",
        {"benefit": "UC", "out_of_work": "y", "end_date": "2024-02-01"},
        "2023-08-14",
        "2024-02-01",
        {
            "benefit": "UC",
            "start_date": "2023-08-14",
            "end_date": "2024-02-01",
            "out_of_work": True,
        },
    ),
    (
        "benefits",
        {"benefit": "UC", "out_of_work": "N"},
        "2023-08-14",
        None,
        {"benefit": "UC", "start_date": "2023-08-14", "end_date": None, "out_of_work": False},
    ),
    (
        "employment",
        {"hours_per_week": "16"},
        "2024-12-02",
        None,
        {"start_date": "2024-12-02", "end_date": None, "hours_per_week": 16.0},
    ),
    (
        "work_progress",
        {"programme": "Work_Programme"},
        "2025-02-03",
        None,
        {"event_date": "2025-02-03", "programme": "work_programme"},
    ),
    (
        "social_care",
        {"end_date": "31/03/2025"},
        "2024-09-16",
        "2025-03-31",
        {"status": "child_in_need", "start_date": "2024-09-16", "end_date": "2025-03-31"},
    ),
    (
        "domestic_abuse",
        {"marac": "n"},
        "2025-03-22",
        None,
        {"incident_date": "2025-03-22", "role": "victim", "marac": False},
    ),
    (
        "health",
        {"engaged": "Y"},
        "2024-11-05",
        None,
        {"need": "mental_health", "start_date": "2024-11-05", "end_date": None, "engaged": True},
    ),
    (
        "housing",
        {},
        "2025-01-06",
        None,
        {"event_date": "2025-01-06", "event": "rent_arrears"},
    ),
    (
        "neet",
        {"status": "EET", "end_date": "2025-08-01"},
        "2025-07-18",
        "2025-08-01",
        {"status": "eet", "start_date": "2025-07-18", "end_date": "2025-08-01"},
    ),
]


@pytest.mark.parametrize(("kind", "cells", "date", "end_date", "data"), EVIDENCE)
def test_good_rows_become_normalised_evidence(
    kind: str, cells: dict[str, str], date: str, end_date: str | None, data: dict[str, Any]
) -> None:
    result = _check(kind, cells)

    assert _errors(result) == []
    row = result.rows[0]
    assert row.date.isoformat() == date
    assert (row.end_date.isoformat() if row.end_date else None) == end_date
    assert row.data == data
    assert [type(v) for v in row.data.values()] == [type(v) for v in data.values()]


def test_identity_is_normalised_for_matching() -> None:
    result = _check(
        "asb",
        {
            "postcode": " so224bl ",
            "upn": "m8012 0000 5000",
            "nhs_number": "485-777-3007",
            "ni_number": "jt 12 34 56 a",
            "uprn": "000100062021045"[-12:],
            "sex": "f",
            "date_of_birth": "02/11/2009",
        },
    )

    identity = result.rows[0].identity
    assert identity.postcode == "SO22 4BL"
    assert identity.upn == "M801200005000"
    assert identity.nhs_number == "4857773007"
    assert identity.ni_number == "JT123456A"
    assert identity.uprn == "100062021045"
    assert identity.sex == "F"
    assert identity.date_of_birth == datetime.date(2009, 11, 2)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-02-29", datetime.date(2024, 2, 29)),
        ("29/02/2024", datetime.date(2024, 2, 29)),
        ("1/9/2024", datetime.date(2024, 9, 1)),
        ("2023-02-29", None),
        ("20240101", None),
        ("2024-W01-1", None),
        ("2024/01/01", None),
        ("01-01-2024", None),
        ("", None),
    ],
)
def test_feed_dates(text: str, expected: datetime.date | None) -> None:
    assert parse_feed_date(text) == expected


@pytest.mark.parametrize(
    ("year", "term", "start", "end"),
    [
        ("2024/25", "autumn", datetime.date(2024, 9, 1), datetime.date(2024, 12, 31)),
        ("2024/25", "spring", datetime.date(2025, 1, 1), datetime.date(2025, 3, 31)),
        ("2024/25", "summer", datetime.date(2025, 4, 1), datetime.date(2025, 8, 31)),
        ("1999/00", "spring", datetime.date(2000, 1, 1), datetime.date(2000, 3, 31)),
    ],
)
def test_term_dates(year: str, term: str, start: datetime.date, end: datetime.date) -> None:
    assert term_dates(year, term) == (start, end)
