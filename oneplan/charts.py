"""Charts drawn as SVG on the server (docs/decisions/0016): a horizontal stacked bar per
row, worked out here and written by ``templates/charts/_bar_chart.html``, always beside
a table holding the same figures. Pure: no ORM, no clock.

Moved here from ``lcgs.caseload.rules`` so that every app can draw the same chart (the
LCG dashboard, the programme dashboard); ``lcgs.caseload.rules`` imports it from here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# GOV.UK colours, in the order segments are drawn.
PALETTE: tuple[str, ...] = (
    "#1d70b8",
    "#00703c",
    "#912b88",
    "#f47738",
    "#28a197",
    "#d4351c",
    "#4c2c92",
    "#85994b",
    "#505a5f",
)
BAR_HEIGHT = 24
ROW_HEIGHT = 40
LABEL_WIDTH = 200
BAR_WIDTH = 440
VALUE_GAP = 8


@dataclass(frozen=True)
class Segment:
    key: str
    x: float
    width: float
    colour: str


@dataclass(frozen=True)
class Bar:
    label: str
    y: int
    text_y: int
    segments: tuple[Segment, ...]
    total: int
    value_x: float


@dataclass(frozen=True)
class Chart:
    key: tuple[tuple[str, str], ...]  # (label, colour) of each kind of segment
    bars: tuple[Bar, ...]
    width: int
    height: int
    label_width: int


def chart_bars(
    kinds: Sequence[tuple[str, str]], rows: Sequence[tuple[str, Mapping[str, int]]]
) -> Chart:
    """A horizontal stacked bar per row (label, {kind: count}), segments in the order of
    ``kinds`` ((key, label) pairs), scaled to the largest total, as the Money page draws
    its chart: an image beside the table that holds the same figures."""
    colours = {key: PALETTE[i % len(PALETTE)] for i, (key, _) in enumerate(kinds)}
    totals = [sum(max(parts.get(key, 0), 0) for key, _ in kinds) for _, parts in rows]
    largest = max(totals, default=0) or 1
    bars = []
    for index, ((label, parts), total) in enumerate(zip(rows, totals, strict=True)):
        x = float(LABEL_WIDTH)
        segments = []
        for key, _ in kinds:
            count = max(parts.get(key, 0), 0)
            if not count:
                continue
            width = round(count / largest * BAR_WIDTH, 1)
            segments.append(Segment(key, round(x, 1), width, colours[key]))
            x += width
        y = index * ROW_HEIGHT + (ROW_HEIGHT - BAR_HEIGHT) // 2
        bars.append(
            Bar(label, y, y + BAR_HEIGHT - 6, tuple(segments), total, round(x + VALUE_GAP, 1))
        )
    return Chart(
        key=tuple((label, colours[key]) for key, label in kinds),
        bars=tuple(bars),
        width=LABEL_WIDTH + BAR_WIDTH + 80,
        height=max(len(bars), 1) * ROW_HEIGHT,
        label_width=LABEL_WIDTH,
    )
