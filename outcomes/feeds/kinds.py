"""The columns of each feed kind, as data (FEEDS.md "Who the row is about" and "Kinds and
their own columns"). Pure: no database.

Every kind has the identity columns, then its own. A column whose ``required`` is true
must be in the header and filled on every row; an optional column may be left out of
the header altogether (every row then has it blank).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from outcomes.models import FeedKind

ColumnType = Literal["text", "date", "int", "hours", "code", "yes_no", "academic_year"]

# Longest values accepted, per column type; longer is a row error ("far longer than
# any real one", FEEDS.md). Names and ids follow the width of the columns they land in.
ID_LENGTH: Final = 100
NAME_LENGTH: Final = 100
ADDRESS_LENGTH: Final = 200
TEXT_LENGTH: Final = 200
# A school year has about 380 sessions (190 days, two a day); a term far fewer.
MAX_SESSIONS: Final = 999
MAX_HOURS_PER_WEEK: Final = 168


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType = "text"
    required: bool = True
    codes: tuple[str, ...] = ()
    max_length: int = TEXT_LENGTH


def _code(name: str, *codes: str) -> Column:
    return Column(name, "code", codes=codes)


IDENTITY_COLUMNS: Final = (
    Column("record_id", max_length=ID_LENGTH),
    Column("person_id", max_length=ID_LENGTH),
    Column("given_name", max_length=NAME_LENGTH),
    Column("family_name", max_length=NAME_LENGTH),
    Column("date_of_birth", "date"),
    Column("sex", "code", required=False, codes=("F", "M", "X")),
    Column("address_line_1", required=False, max_length=ADDRESS_LENGTH),
    # Required unless household_id or uprn is given: checked per row.
    Column("postcode", required=False),
    Column("uprn", required=False),
    Column("household_id", required=False, max_length=ID_LENGTH),
    Column("upn", required=False),
    Column("nhs_number", required=False),
    Column("ni_number", required=False),
)
IDENTITY_NAMES: Final = frozenset(c.name for c in IDENTITY_COLUMNS)

BENEFIT_CODES: Final = ("JSA", "ESA", "IB", "IS", "CA", "SDA", "UC")


@dataclass(frozen=True)
class KindSpec:
    """A kind's own columns and which of them date the evidence.

    ``date_column`` / ``end_column`` name the columns that become ``Evidence.date`` and
    ``Evidence.end_date``; school attendance has neither, its term gives the dates.
    ``end_checks`` pairs (earlier, later) columns where the later may not come first.
    """

    columns: tuple[Column, ...]
    date_column: str = ""
    end_column: str = ""
    end_checks: tuple[tuple[str, str], ...] = ()


_START_END = (Column("start_date", "date"), Column("end_date", "date", required=False))

KINDS: Final[dict[str, KindSpec]] = {
    FeedKind.SCHOOL_ATTENDANCE: KindSpec(
        (
            Column("academic_year", "academic_year"),
            _code("term", "autumn", "spring", "summer"),
            Column("possible_sessions", "int"),
            Column("unauthorised_absence_sessions", "int"),
            Column("authorised_absence_sessions", "int"),
        )
    ),
    FeedKind.EXCLUSIONS: KindSpec(
        (
            Column("exclusion_date", "date"),
            _code("exclusion_type", "fixed", "permanent"),
            Column("sessions", "int", required=False),
        ),
        date_column="exclusion_date",
    ),
    FeedKind.OFFENCES: KindSpec(
        (
            Column("offence_date", "date"),
            Column("outcome_date", "date", required=False),
            _code("outcome", "proven", "not_proven"),
            Column("offence_type", required=False),
        ),
        date_column="offence_date",
        end_checks=(("offence_date", "outcome_date"),),
    ),
    FeedKind.ASB: KindSpec(
        (
            Column("incident_date", "date"),
            _code(
                "intervention",
                "warning",
                "abc",
                "injunction",
                "order",
                "notice_seeking_possession",
                "eviction",
                "incident",
            ),
        ),
        date_column="incident_date",
    ),
    FeedKind.POLICE_CALLOUTS: KindSpec(
        (
            Column("callout_date", "date"),
            _code("category", "domestic_abuse", "asb", "missing_person", "welfare", "other"),
        ),
        date_column="callout_date",
    ),
    FeedKind.BENEFITS: KindSpec(
        (
            Column("benefit", "code", codes=BENEFIT_CODES),
            *_START_END,
            # Required for Universal Credit only: checked per row.
            Column("out_of_work", "yes_no", required=False),
        ),
        date_column="start_date",
        end_column="end_date",
        end_checks=(("start_date", "end_date"),),
    ),
    FeedKind.EMPLOYMENT: KindSpec(
        (*_START_END, Column("hours_per_week", "hours")),
        date_column="start_date",
        end_column="end_date",
        end_checks=(("start_date", "end_date"),),
    ),
    FeedKind.WORK_PROGRESS: KindSpec(
        (Column("event_date", "date"), _code("programme", "work_programme", "esf")),
        date_column="event_date",
    ),
    FeedKind.SOCIAL_CARE: KindSpec(
        (
            _code(
                "status",
                "early_help",
                "child_in_need",
                "child_protection",
                "looked_after",
                "section_47",
            ),
            *_START_END,
        ),
        date_column="start_date",
        end_column="end_date",
        end_checks=(("start_date", "end_date"),),
    ),
    FeedKind.DOMESTIC_ABUSE: KindSpec(
        (
            Column("incident_date", "date"),
            _code("role", "victim", "perpetrator", "witness"),
            Column("marac", "yes_no"),
        ),
        date_column="incident_date",
    ),
    FeedKind.HEALTH: KindSpec(
        (
            _code("need", "mental_health", "substance_misuse", "perinatal", "physical_health"),
            *_START_END,
            Column("engaged", "yes_no"),
        ),
        date_column="start_date",
        end_column="end_date",
        end_checks=(("start_date", "end_date"),),
    ),
    FeedKind.HOUSING: KindSpec(
        (
            Column("event_date", "date"),
            _code(
                "event",
                "rent_arrears",
                "notice_seeking_possession",
                "eviction",
                "homeless",
                "temporary_accommodation",
                "arrears_cleared",
            ),
        ),
        date_column="event_date",
    ),
    FeedKind.NEET: KindSpec(
        (_code("status", "neet", "eet"), *_START_END),
        date_column="start_date",
        end_column="end_date",
        end_checks=(("start_date", "end_date"),),
    ),
}


def columns_for(kind: str) -> tuple[Column, ...]:
    """Every column of ``kind``: the identity columns, then the kind's own."""
    return (*IDENTITY_COLUMNS, *KINDS[kind].columns)
