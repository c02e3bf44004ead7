"""Financial years, what an at-risk family could earn, and the chart's bars. Pure: no
ORM, no clock (today is an argument)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

# The programme began in April 2012 (DOMAIN.md 1): no earlier year has any money.
FIRST_YEAR = 2012
# A financial year runs from 1 April to 31 March.
YEAR_STARTS = (4, 1)


def financial_year_of(day: datetime.date) -> int:
    """The financial year ``day`` falls in, named by the calendar year it starts in:
    31 March 2026 is in 2025 (April 2025 to March 2026), 1 April 2026 in 2026."""
    return day.year if (day.month, day.day) >= YEAR_STARTS else day.year - 1


def financial_year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    """The first and last day of financial year ``year``, both included."""
    return datetime.date(year, 4, 1), datetime.date(year + 1, 3, 31)


def financial_year_label(year: int) -> str:
    """``2025`` -> "2025 to 2026" (GOV.UK style for a financial year)."""
    return f"{year} to {year + 1}"


# The chart (a stacked bar per LCG): its key, in the order the segments are drawn.
INCOME, EXPECTED, AT_RISK = "income", "expected", "at_risk"
SEGMENT_COLOURS = {INCOME: "#1d70b8", EXPECTED: "#00703c", AT_RISK: "#912b88"}
SEGMENT_LABELS = {
    INCOME: "Income to date",
    EXPECTED: "Claimed or claimable, not yet paid",
    AT_RISK: "At risk",
}
BAR_HEIGHT = 24
ROW_HEIGHT = 40
LABEL_WIDTH = 200
BAR_WIDTH = 440
VALUE_GAP = 8


@dataclass(frozen=True)
class Segment:
    kind: str
    x: float
    width: float
    colour: str


@dataclass(frozen=True)
class Bar:
    label: str
    y: int
    text_y: int
    segments: tuple[Segment, ...]
    total: Decimal
    value_x: float


@dataclass(frozen=True)
class Chart:
    bars: tuple[Bar, ...]
    width: int
    height: int
    label_width: int


def chart_bars(rows: Sequence[tuple[str, Mapping[str, Decimal]]]) -> Chart:
    """A horizontal stacked bar per row (label, {segment kind: amount}), scaled to the
    largest total; a negative amount (more clawed back than received) draws nothing,
    the table beside the chart shows it."""
    totals = [sum((max(v, Decimal(0)) for v in parts.values()), Decimal(0)) for _, parts in rows]
    largest = max(totals, default=Decimal(0)) or Decimal(1)
    bars = []
    for index, ((label, parts), total) in enumerate(zip(rows, totals, strict=True)):
        x = float(LABEL_WIDTH)
        segments = []
        for kind in (INCOME, EXPECTED, AT_RISK):
            amount = max(parts.get(kind, Decimal(0)), Decimal(0))
            if not amount:
                continue
            width = round(float(amount / largest) * BAR_WIDTH, 1)
            segments.append(Segment(kind, round(x, 1), width, SEGMENT_COLOURS[kind]))
            x += width
        y = index * ROW_HEIGHT + (ROW_HEIGHT - BAR_HEIGHT) // 2
        bars.append(
            Bar(label, y, y + BAR_HEIGHT - 6, tuple(segments), total, round(x + VALUE_GAP, 1))
        )
    # Room on the right for the largest bar's value.
    width = LABEL_WIDTH + BAR_WIDTH + 120
    return Chart(tuple(bars), width, max(len(bars), 1) * ROW_HEIGHT, LABEL_WIDTH)
