"""Checking every row of a feed and turning good rows into typed evidence. Pure.

FEEDS.md "What a submission produces", step 1: every bad cell is reported with its row
number as a spreadsheet shows it (the header is row 1), its column and a message a
person can act on. A header that lacks required columns, or names one twice, rejects
the file (``FileRejected``).

Good rows come back normalised as the rest of the system expects them (identifiers
through ``families.identifiers``; dates as dates; numbers as numbers; codes in lower
case, benefit codes in upper case), with the evidence's date, end date and data already
worked out for the kind (``evidence_dates`` explains the dates).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Final

from families import identifiers
from oneplan.dates import govuk_date
from outcomes.feeds.kinds import KINDS, MAX_HOURS_PER_WEEK, MAX_SESSIONS, Column, columns_for
from outcomes.feeds.reading import FileRejected, Table, column_letter
from outcomes.models import FeedKind

__all__ = [
    "GoodRow",
    "Identity",
    "RowError",
    "Validated",
    "header_columns",
    "parse_feed_date",
    "validate_table",
]

_EARLIEST_YEAR: Final = 1900
_LATEST_YEAR: Final = 2100
# How much of a bad value a message repeats back: enough to recognise it.
_ECHO_LENGTH: Final = 40


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass(frozen=True)
class Identity:
    """Who a row is about, normalised (blank strings where the file had nothing)."""

    person_id: str
    given_name: str
    family_name: str
    date_of_birth: datetime.date
    sex: str
    address_line_1: str
    postcode: str
    uprn: str
    household_id: str
    upn: str
    nhs_number: str
    ni_number: str


@dataclass(frozen=True)
class GoodRow:
    row: int
    record_id: str
    identity: Identity
    date: datetime.date
    end_date: datetime.date | None
    data: dict[str, Any]


@dataclass
class Validated:
    rows: list[GoodRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    rows_read: int = 0

    @property
    def rows_rejected(self) -> int:
        return len({e.row for e in self.errors})


# --------------------------------------------------------------------------
# Header
# --------------------------------------------------------------------------


def _header_name(text: str) -> str:
    # "Date of birth" and "DATE_OF_BIRTH" both mean date_of_birth: people retype headers.
    return "_".join(text.strip().lower().replace("-", " ").split())


def _and_list(items: Sequence[str]) -> str:
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " and " + items[-1]


def _or_list(items: Sequence[str]) -> str:
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " or " + items[-1]


def header_columns(kind: str, header: Sequence[str]) -> tuple[dict[str, int], list[str]]:
    """Map each known column to its position; warnings for what is ignored.

    Raises ``FileRejected`` naming every duplicated or missing required column.
    """
    names = [_header_name(h) for h in header]
    positions: dict[str, list[int]] = {}
    for index, name in enumerate(names):
        if name:
            positions.setdefault(name, []).append(index)
    repeated = {name: found for name, found in positions.items() if len(found) > 1}
    if repeated:
        described = [
            f"{name} (columns {_and_list([column_letter(i) for i in found])})"
            for name, found in repeated.items()
        ]
        raise FileRejected(
            "The header row names "
            + ("this column" if len(described) == 1 else "these columns")
            + f" more than once: {_and_list(described)}. Keep one of each and upload the "
            "file again."
        )
    columns = columns_for(kind)
    missing = [c.name for c in columns if c.required and c.name not in positions]
    if not any(n in positions for n in ("postcode", "uprn", "household_id")):
        missing.append("postcode")
    if missing:
        hint = ""
        if len(header) == 1 and (";" in header[0] or "\t" in header[0]):
            hint = (
                " The header seems to be separated by semicolons or tabs: save the file "
                'as "CSV UTF-8 (Comma delimited)".'
            )
        raise FileRejected(
            f"The file is missing {'this column' if len(missing) == 1 else 'these columns'}"
            f" for {FeedKind(kind).label.lower()} ({kind}): {_and_list(missing)}. The "
            "first row must name every required column." + hint
        )
    known = {c.name for c in columns}
    warnings: list[str] = []
    extra = [h.strip() for h, n in zip(header, names, strict=True) if n and n not in known]
    if extra:
        warnings.append(
            f"These columns are not part of the {kind} feed and were ignored: {_and_list(extra)}."
        )
    return {name: found[0] for name, found in positions.items() if name in known}, warnings


# --------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------


class _Invalid(Exception):
    pass


def _echo(text: str) -> str:
    return text if len(text) <= _ECHO_LENGTH else text[: _ECHO_LENGTH - 3] + "..."


_ISO_DATE: Final = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_UK_DATE: Final = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


@lru_cache(maxsize=50_000)
def parse_feed_date(text: str) -> datetime.date | None:
    """A date written YYYY-MM-DD or DD/MM/YYYY (FEEDS.md "Files"), else None.

    Cached: a feed repeats the same few thousand dates across its rows.
    """
    match = _ISO_DATE.fullmatch(text)
    if match:
        year, month, day = (int(g) for g in match.groups())
    else:
        match = _UK_DATE.fullmatch(text)
        if not match:
            return None
        day, month, year = (int(g) for g in match.groups())
    if not _EARLIEST_YEAR <= year <= _LATEST_YEAR:
        return None
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def _date(column: Column, text: str) -> datetime.date:
    value = parse_feed_date(text)
    if value is None:
        raise _Invalid(f"Enter {column.name} as YYYY-MM-DD or DD/MM/YYYY, not {_echo(text)}")
    return value


def _int(column: Column, text: str) -> int:
    if not (text.isascii() and text.isdigit()) or int(text) > MAX_SESSIONS:
        raise _Invalid(
            f"Enter {column.name} as a whole number from 0 to {MAX_SESSIONS}, not {_echo(text)}"
        )
    return int(text)


_HOURS: Final = re.compile(r"\d{1,3}(\.\d{1,2})?")


def _hours(column: Column, text: str) -> float:
    if not _HOURS.fullmatch(text) or float(text) > MAX_HOURS_PER_WEEK:
        raise _Invalid(
            f"Enter {column.name} as a number of hours from 0 to {MAX_HOURS_PER_WEEK}, "
            "like 37.5, "
            f"not {_echo(text)}"
        )
    return float(text)


def _code(column: Column, text: str) -> str:
    # Codes are matched in any case; benefit codes are stored as the contract writes
    # them (upper case), every other code in lower case.
    for code in column.codes:
        if text.lower() == code.lower():
            return code
    raise _Invalid(f"Enter {column.name} as {_or_list(column.codes)}, not {_echo(text)}")


_YES: Final = frozenset({"y", "yes"})
_NO: Final = frozenset({"n", "no"})


def _yes_no(column: Column, text: str) -> bool:
    lowered = text.lower()
    if lowered in _YES:
        return True
    if lowered in _NO:
        return False
    raise _Invalid(f"Enter {column.name} as Y or N, not {_echo(text)}")


_ACADEMIC_YEAR: Final = re.compile(r"(\d{4})\s*[/-]\s*(\d{2}|\d{4})")


def _academic_year(column: Column, text: str) -> str:
    match = _ACADEMIC_YEAR.fullmatch(text)
    if match:
        first, second = match.groups()
        start = int(first)
        ends = str(start + 1)
        if second in (ends, ends[-2:]) and _EARLIEST_YEAR <= start < _LATEST_YEAR:
            return f"{start}/{ends[-2:]}"
    raise _Invalid(f"Enter {column.name} like 2024/25, not {_echo(text)}")


def _text(column: Column, text: str) -> str:
    return text


_PARSERS: Final[dict[str, Callable[[Column, str], Any]]] = {
    "text": _text,
    "date": _date,
    "int": _int,
    "hours": _hours,
    "code": _code,
    "yes_no": _yes_no,
    "academic_year": _academic_year,
}

_BLANK_MESSAGES: Final[dict[str, str]] = {
    "date": "Enter {name} as YYYY-MM-DD or DD/MM/YYYY",
    "int": f"Enter {{name}} as a whole number from 0 to {MAX_SESSIONS}",
    "hours": f"Enter {{name}} as a number of hours from 0 to {MAX_HOURS_PER_WEEK}, like 37.5",
    "yes_no": "Enter {name} as Y or N",
    "academic_year": "Enter {name} like 2024/25",
}


def _blank_message(column: Column) -> str:
    if column.type == "code":
        return f"Enter {column.name} as {_or_list(column.codes)}"
    return _BLANK_MESSAGES.get(column.type, "Enter {name}").format(name=column.name)


_IDENTIFIER_CHECKS: Final[dict[str, tuple[Callable[[str], str | None], Callable[[str], str]]]] = {
    "postcode": (identifiers.postcode_error, identifiers.normalise_postcode),
    "upn": (identifiers.upn_error, identifiers.normalise_upn),
    "nhs_number": (identifiers.nhs_number_error, identifiers.normalise_nhs_number),
    "ni_number": (identifiers.ni_number_error, identifiers.normalise_ni_number),
}

_UPRN: Final = re.compile(r"[0-9]{1,12}")


def _uprn(text: str) -> str:
    compact = "".join(text.split())
    if not _UPRN.fullmatch(compact):
        raise _Invalid(f"Enter uprn as up to 12 digits, like 100062021045, not {_echo(text)}")
    # Spreadsheets drop leading zeros from numbers; store the number the same way.
    return str(int(compact))


# --------------------------------------------------------------------------
# Evidence dates
# --------------------------------------------------------------------------

# (month, day) a term starts, whether in the academic year's first or second calendar
# year, and (month, day) it ends. Autumn: 1 September to 31 December of the first
# year; spring: 1 January to 31 March of the second; summer: 1 April to 31 August.
TERM_DATES: Final[dict[str, tuple[tuple[int, int], int, tuple[int, int]]]] = {
    "autumn": ((9, 1), 0, (12, 31)),
    "spring": ((1, 1), 1, (3, 31)),
    "summer": ((4, 1), 1, (8, 31)),
}


def term_dates(academic_year: str, term: str) -> tuple[datetime.date, datetime.date]:
    """First and last day of ``term`` in ``academic_year`` ("2024/25")."""
    (start_month, start_day), offset, (end_month, end_day) = TERM_DATES[term]
    year = int(academic_year[:4]) + offset
    return (
        datetime.date(year, start_month, start_day),
        datetime.date(year, end_month, end_day),
    )


def evidence_dates(kind: str, values: dict[str, Any]) -> tuple[datetime.date, datetime.date | None]:
    """``Evidence.date`` and ``end_date`` for a checked row of ``kind``.

    Attendance is dated by its term; every other kind by its event or start date, with
    the end date where the kind has one (blank means ongoing: None).
    """
    if kind == FeedKind.SCHOOL_ATTENDANCE:
        return term_dates(values["academic_year"], values["term"])
    spec = KINDS[kind]
    end = values.get(spec.end_column) if spec.end_column else None
    return values[spec.date_column], end


def _data_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime.date) else value


# --------------------------------------------------------------------------
# Rows
# --------------------------------------------------------------------------


# Text columns taken as they are (identifier columns are text too, but checked).
_PLAIN_TEXT: Final = frozenset(
    c.name
    for kind in KINDS
    for c in columns_for(kind)
    if c.type == "text" and c.name not in _IDENTIFIER_CHECKS and c.name != "uprn"
)

# Parsed (value, error) per (column, text), for one file: postcodes, dates and codes
# repeat across thousands of rows, so each distinct value is checked once.
_Parsed = dict[tuple[str, str], tuple[Any, str | None]]


def validate_table(kind: str, table: Table, *, extract_date: datetime.date) -> Validated:
    """Check every row of ``table`` as a ``kind`` feed taken on ``extract_date``.

    Raises ``FileRejected`` for a header without the required columns. Returns the
    good rows, and every error of every bad row (a row with any error is left out).
    """
    if kind not in KINDS:
        raise FileRejected(f"{kind} is not a feed kind.")
    positions, warnings = header_columns(kind, table.header)
    columns = [c for c in columns_for(kind) if c.name in positions]
    absent = [c for c in columns_for(kind) if c.name not in positions]
    own_names = [c.name for c in KINDS[kind].columns]
    width = len(table.header)
    problems: dict[int, list[tuple[int, str]]] = {}
    for problem in table.problems:
        problems.setdefault(problem.row, []).append((problem.column_index, problem.message))

    result = Validated(warnings=warnings)
    parsed: _Parsed = {}
    first_row_of_record: dict[str, int] = {}
    # (name, position, column, taken as typed): the loop below runs for every row.
    plan = [(c.name, positions[c.name], c, c.name in _PLAIN_TEXT) for c in columns]
    blanks = dict.fromkeys(c.name for c in absent)
    # Columns without a name are ignored; worth a warning only if they hold something
    # (spreadsheets often save a few empty columns after the last one).
    unnamed = [i for i, h in enumerate(table.header) if not _header_name(h)]
    unnamed_filled: set[int] = set()
    for number, cells in table.rows:
        result.rows_read += 1
        for index in unnamed:
            if index < len(cells) and cells[index]:
                unnamed_filled.add(index)
        errors: list[RowError] = []
        skip: set[int] = set()
        if number in problems:
            for index, message in problems[number]:
                skip.add(index)
                name = _header_name(table.header[index]) if index < width else column_letter(index)
                errors.append(RowError(number, name or column_letter(index), message))
        filled = len(cells)
        if filled > width and any(cells[width:]):
            errors.append(
                RowError(
                    number,
                    column_letter(width),
                    f"This row has values after the last column (from column "
                    f"{column_letter(width)}). Check for a comma inside a value that is "
                    "not wrapped in double quotes",
                )
            )
        values: dict[str, Any] = dict(blanks)
        for name, index, column, plain in plan:
            text = cells[index] if index < filled else ""
            if plain and text and len(text) <= column.max_length:
                values[name] = text
            elif index in skip:
                values[name] = None
            elif not text:
                values[name] = None
                if column.required:
                    errors.append(RowError(number, name, _blank_message(column)))
            else:
                found = parsed.get((name, text))
                if found is None:
                    found = parsed[name, text] = _parse(column, text)
                values[name], complaint = found
                if complaint is not None:
                    errors.append(RowError(number, name, complaint))
        _row_checks(kind, values, number, errors, extract_date)
        record_id = values.get("record_id")
        if record_id:
            first = first_row_of_record.setdefault(record_id, number)
            if first != number:
                errors.append(
                    RowError(
                        number,
                        "record_id",
                        f"record_id {_echo(record_id)} is also on row {first}: each row "
                        "needs its own record_id",
                    )
                )
        if errors:
            result.errors.extend(errors)
            continue
        date, end_date = evidence_dates(kind, values)
        result.rows.append(
            GoodRow(
                row=number,
                record_id=values["record_id"],
                identity=Identity(
                    person_id=values["person_id"],
                    given_name=values["given_name"],
                    family_name=values["family_name"],
                    date_of_birth=values["date_of_birth"],
                    sex=values["sex"] or "",
                    address_line_1=values["address_line_1"] or "",
                    postcode=values["postcode"] or "",
                    uprn=values["uprn"] or "",
                    household_id=values["household_id"] or "",
                    upn=values["upn"] or "",
                    nhs_number=values["nhs_number"] or "",
                    ni_number=values["ni_number"] or "",
                ),
                date=date,
                end_date=end_date,
                data={name: _data_value(values[name]) for name in own_names},
            )
        )
    if unnamed_filled:
        letters = [column_letter(i) for i in sorted(unnamed_filled)]
        one = len(letters) == 1
        result.warnings.append(
            f"{'Column' if one else 'Columns'} {_and_list(letters)} had no name in the "
            f"header row, so {'its' if one else 'their'} values were ignored."
        )
    return result


def _parse(column: Column, text: str) -> tuple[Any, str | None]:
    if len(text) > column.max_length:
        return None, (
            f"Enter {column.name} in {column.max_length} characters or fewer (it has {len(text):,})"
        )
    try:
        if column.name in _IDENTIFIER_CHECKS:
            check, normalise = _IDENTIFIER_CHECKS[column.name]
            message = check(text)
            if message:
                raise _Invalid(f"{message} (in {column.name}: {_echo(text)})")
            return normalise(text), None
        if column.name == "uprn":
            return _uprn(text), None
        return _PARSERS[column.type](column, text), None
    except _Invalid as exc:
        return None, str(exc)


def _row_checks(
    kind: str,
    values: dict[str, Any],
    number: int,
    errors: list[RowError],
    extract_date: datetime.date,
) -> None:
    """Rules across columns: FEEDS.md's per-kind notes and the identity rules."""
    born = values.get("date_of_birth")
    if born is not None and born > extract_date:
        errors.append(
            RowError(
                number,
                "date_of_birth",
                f"date_of_birth ({govuk_date(born)}) is after the extract date "
                f"({govuk_date(extract_date)})",
            )
        )
    if not values.get("postcode") and not values.get("uprn") and not values.get("household_id"):
        already = any(e.column in ("postcode", "uprn", "household_id") for e in errors)
        if not already:
            errors.append(
                RowError(
                    number,
                    "postcode",
                    "Enter postcode, or a uprn or household_id: one of them is needed to "
                    "know which household the person lives in",
                )
            )
    for earlier, later in KINDS[kind].end_checks:
        start, end = values.get(earlier), values.get(later)
        if start is not None and end is not None and end < start:
            errors.append(
                RowError(
                    number,
                    later,
                    f"{later} ({govuk_date(end)}) is before {earlier} ({govuk_date(start)})",
                )
            )
    if kind == FeedKind.SCHOOL_ATTENDANCE:
        _attendance_check(values, number, errors)
    if kind == FeedKind.BENEFITS and values.get("benefit") is not None:
        _out_of_work_check(values, number, errors)


def _attendance_check(values: dict[str, Any], number: int, errors: list[RowError]) -> None:
    possible = values.get("possible_sessions")
    unauthorised = values.get("unauthorised_absence_sessions")
    authorised = values.get("authorised_absence_sessions")
    if possible is None or unauthorised is None or authorised is None:
        return
    if unauthorised + authorised > possible:
        errors.append(
            RowError(
                number,
                "unauthorised_absence_sessions",
                f"Absence sessions ({unauthorised} unauthorised + {authorised} "
                f"authorised = {unauthorised + authorised}) cannot be more than "
                f"possible_sessions ({possible})",
            )
        )


def _out_of_work_check(values: dict[str, Any], number: int, errors: list[RowError]) -> None:
    if values.get("out_of_work") is not None:
        return
    if values["benefit"] != "UC":
        # The legacy benefits are out-of-work benefits by definition; the flag matters
        # only for Universal Credit (DOMAIN.md 4.1 "Work").
        values["out_of_work"] = False
    elif not any(e.column == "out_of_work" for e in errors):
        errors.append(
            RowError(number, "out_of_work", "Enter out_of_work as Y or N: it is needed for UC")
        )
