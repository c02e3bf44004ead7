"""What the programme dashboard's figures are, and the calendar they are counted in
(docs/programme-reporting.md). Pure: no ORM, no clock (today is an argument).

The SQL that finds each family's date for a figure is ``outcomes.reporting.figures``;
the words here are what the page, the API, the CSV files and the docs say about it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Final

from oneplan.dates import govuk_date
from outcomes.frameworks.dates import months_before
from outcomes.money.rules import financial_year_bounds, financial_year_of


@dataclass(frozen=True)
class Figure:
    """One of the dashboard's five figures: a family is counted in the financial year
    (and month) of its date for the figure, once, whatever happens to it later."""

    key: str
    label: str
    # The column heading of the tables and files.
    short: str
    definition: str


IDENTIFIED: Final = "identified"
ATTACHED: Final = "attached"
AGREED: Final = "agreed"
CLAIMED: Final = "claimed"
SUSTAINED: Final = "sustained"

FIGURES: Final[tuple[Figure, ...]] = (
    Figure(
        IDENTIFIED,
        "Families identified",
        "Identified",
        "Families first identified in the period: the day of their first arrival at "
        "'identified' in their status history (when agencies' data, a nomination or a "
        "professional first brought them to OnePlan). A family re-opened later is not "
        "counted again.",
    ),
    Figure(
        ATTACHED,
        "Families attached",
        "Attached",
        "Families taken on by the programme in the period: the attachment date, which "
        "also fixes the framework the family is judged under. Families not eligible at "
        "entry are counted too.",
    ),
    Figure(
        AGREED,
        "Families with an agreed plan",
        "Plan agreed",
        "Families whose plan the family first agreed in the period: the date of the "
        "plan's first recorded agreement. Later agreements of a changed plan do not "
        "count again.",
    ),
    Figure(
        CLAIMED,
        "Families with results claimed",
        "Results claimed",
        "Families whose result claim government accepted in the period: the day the "
        "claim batch moved from submitted to accepted. Claims later clawed back or "
        "removed from their batch are not counted. Equivalent progress claims count.",
    ),
    Figure(
        SUSTAINED,
        "Families sustaining outcomes one year on",
        "Sustained one year on",
        "Families with an accepted result claim whose results still met a result "
        "route one year after the claim date (the date the route was met), as the "
        "nightly evaluation last found them on that day. Counted in the period that "
        "holds the anniversary, once the anniversary has come.",
    ),
)
FIGURES_BY_KEY: Final = {figure.key: figure for figure in FIGURES}
FIGURE_KEYS: Final = tuple(figure.key for figure in FIGURES)


def one_year_on(day: datetime.date) -> datetime.date:
    """The same day a year later, 29 February becoming 28 February (the calendar-month
    convention of DOMAIN.md 4.0; PostgreSQL's ``+ INTERVAL '1 year'`` agrees)."""
    return months_before(day, -12)


def year_months(year: int) -> tuple[datetime.date, ...]:
    """The first day of each month of financial year ``year``, April to March."""
    starts_on, _ = financial_year_bounds(year)
    return tuple(months_before(starts_on, -offset) for offset in range(12))


def month_label(month: datetime.date) -> str:
    """``2025-04-01`` -> "April 2025" (the month and year of the project's date style)."""
    return govuk_date(month).split(" ", 1)[1]


def month_key(month: datetime.date) -> str:
    """``2025-04-01`` -> "2025-04" (the families list's ``month`` filter)."""
    return f"{month.year:04d}-{month.month:02d}"


def parse_month(value: str, year: int) -> datetime.date | None:
    """The month "YYYY-MM" names within financial ``year``, or None when it is not one of
    the year's months."""
    for month in year_months(year):
        if month_key(month) == value:
            return month
    return None


# --- Quarters of the financial year (the quarterly progress return) -------------------

QUARTERS: Final = (1, 2, 3, 4)


def quarter_bounds(year: int, quarter: int) -> tuple[datetime.date, datetime.date]:
    """The first and last day of ``quarter`` (1 to 4) of financial year ``year``:
    quarter 1 is April to June, quarter 4 January to March of the next calendar year."""
    if quarter not in QUARTERS:
        raise ValueError(f"There is no quarter {quarter}")
    starts_on = months_before(financial_year_bounds(year)[0], -3 * (quarter - 1))
    ends_on = months_before(starts_on, -3) - datetime.timedelta(days=1)
    return starts_on, ends_on


def quarter_label(year: int, quarter: int) -> str:
    """``(2025, 1)`` -> "Quarter 1 of 2025 to 2026 (April to June 2025)"."""
    starts_on, ends_on = quarter_bounds(year, quarter)
    first = month_label(starts_on).split(" ", 1)[0]
    return f"Quarter {quarter} of {year} to {year + 1} ({first} to {month_label(ends_on)})"


def quarter_of(day: datetime.date) -> tuple[int, int]:
    """The financial year and quarter ``day`` falls in."""
    year = financial_year_of(day)
    months = (day.year * 12 + day.month) - (year * 12 + 4)
    return year, months // 3 + 1


def latest_ended_quarter(today: datetime.date) -> tuple[int, int]:
    """The financial year and quarter of the latest quarter that ended before ``today``
    (the return people make next)."""
    year, quarter = quarter_of(today)
    return (year, quarter - 1) if quarter > 1 else (year - 1, 4)


# --- Targets --------------------------------------------------------------------------


def percent_of_target(actual: int, target: int | None) -> int | None:
    """How far ``actual`` is towards ``target`` in whole percent rounded down (beyond 100
    when exceeded); None with no target or a target of nought. The LCG dashboard's
    progress against each LCG's targets uses it too."""
    if not target:
        return None
    return actual * 100 // target


def still_to_go(actual: int, target: int | None) -> int:
    """Families still to count to reach ``target`` (0 once it is reached or unset)."""
    return max((target or 0) - actual, 0)
