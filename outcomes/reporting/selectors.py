"""The programme dashboard (docs/programme-reporting.md): the five figures of a financial
year against its targets, by LCG, by track and by month; the families behind each
figure; the targets and their history.

Every count is one grouped query per figure (by LCG, track and month at once), whatever
the number of families: five queries, then the LCGs' names and the year's targets.
Families count in the LCG and track they have today, as on the Money page and the LCG
dashboard; the families a viewer's figures count are those the access policy lets them
see (``access.reporting_family_scope``).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db.models import Count, DateField, QuerySet
from django.db.models.functions import TruncMonth

from agencies.models import LCG, AnyUser, User
from families.models import Family, Track
from outcomes.frameworks.dates import months_before
from outcomes.money.rules import (
    FIRST_YEAR,
    financial_year_bounds,
    financial_year_label,
    financial_year_of,
)
from outcomes.reporting.access import (
    DENIED,
    can_see_programme_reporting,
    reporting_family_scope,
)
from outcomes.reporting.figures import families_in_figure
from outcomes.reporting.models import ProgrammeTarget
from outcomes.reporting.rules import (
    FIGURE_KEYS,
    FIGURES,
    FIGURES_BY_KEY,
    Figure,
    month_key,
    month_label,
    parse_month,
    percent_of_target,
    still_to_go,
    year_months,
)

# The families list's filter values for "outside every LCG" and "no track yet".
UNASSIGNED = "unassigned"
NO_TRACK = "none"
UNASSIGNED_LABEL = "Unassigned (outside every LCG)"
TRACKS: tuple[tuple[str, str], ...] = (
    (Track.INTENSIVE.value, "Intensive"),
    (Track.LOCAL.value, "Local"),
    (NO_TRACK, "Not allocated to a track"),
)


def _require(user: AnyUser) -> None:
    if not can_see_programme_reporting(user):
        raise PermissionDenied(DENIED)


def reporting_years(today: datetime.date) -> list[int]:
    """The financial years the dashboard offers, newest first: from the programme's
    first to the year in progress."""
    return list(range(financial_year_of(today), FIRST_YEAR - 1, -1))


def target_years(today: datetime.date) -> list[int]:
    """The years targets can be set for: up to next year, ahead of its start."""
    return [financial_year_of(today) + 1, *reporting_years(today)]


@dataclass(frozen=True)
class Line:
    """A row of one of the dashboard's tables: an LCG, a track, a month or all of them,
    with its count of each figure and the families list's filters for the row."""

    key: str
    label: str
    counts: Mapping[str, int]
    params: Mapping[str, str]

    def cells(self) -> list[tuple[Figure, int, dict[str, str]]]:
        """Each figure's count with the filters of the families behind it."""
        return [
            (figure, self.counts.get(figure.key, 0), {**self.params, "figure": figure.key})
            for figure in FIGURES
        ]


@dataclass(frozen=True)
class TargetLine:
    figure: Figure
    count: int
    target: int | None
    percent: int | None
    to_go: int


@dataclass(frozen=True)
class ProgrammeDashboard:
    year: int
    today: datetime.date
    targets: tuple[TargetLine, ...]
    target: ProgrammeTarget | None
    by_lcg: tuple[Line, ...]
    by_track: tuple[Line, ...]
    by_month: tuple[Line, ...]
    total: Line

    @property
    def label(self) -> str:
        return financial_year_label(self.year)

    @property
    def starts_on(self) -> datetime.date:
        return financial_year_bounds(self.year)[0]

    @property
    def ends_on(self) -> datetime.date:
        return financial_year_bounds(self.year)[1]


Grouped = dict[str, list[dict[str, Any]]]


def _grouped_counts(user: AnyUser, year: int, today: datetime.date) -> Grouped:
    """For each figure, its families of ``year`` counted by LCG, track and month: one
    grouped query per figure."""
    starts_on, ends_on = financial_year_bounds(year)
    families = Family.objects.filter(reporting_family_scope(user))
    found: Grouped = {}
    for key in FIGURE_KEYS:
        found[key] = list(
            families_in_figure(families, key, starts_on=starts_on, ends_on=ends_on, today=today)
            .annotate(month=TruncMonth("figure_day", output_field=DateField()))
            .order_by()
            .values("lcg_id", "track", "month")
            .annotate(n=Count("pk"))
        )
    return found


def _sum_by(found: Grouped, key_of: Any) -> dict[str, dict[str, int]]:
    """``{row key: {figure: count}}`` adding up the grouped counts by ``key_of(row)``."""
    totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for figure, rows in found.items():
        for row in rows:
            totals[key_of(row)][figure] += row["n"]
    return totals


def _lcg_key(row: Mapping[str, Any]) -> str:
    return UNASSIGNED if row["lcg_id"] is None else str(row["lcg_id"])


def _track_key(row: Mapping[str, Any]) -> str:
    return row["track"] or NO_TRACK


def _month_key(row: Mapping[str, Any]) -> str:
    month = row["month"]
    if isinstance(month, datetime.datetime):
        month = month.date()
    return month_key(month)


def programme_dashboard(user: AnyUser, *, year: int, today: datetime.date) -> ProgrammeDashboard:
    """The programme dashboard of financial ``year`` as things stand ``today``: seven
    queries whatever the number of families (module docstring)."""
    _require(user)
    found = _grouped_counts(user, year, today)
    base = {"year": str(year)}

    by_lcg_counts = _sum_by(found, _lcg_key)
    by_lcg = [
        Line(str(pk), name, by_lcg_counts.get(str(pk), {}), {**base, "lcg": str(pk)})
        for pk, name in LCG.objects.order_by("name").values_list("pk", "name")
    ]
    if UNASSIGNED in by_lcg_counts:
        by_lcg.append(
            Line(
                UNASSIGNED,
                UNASSIGNED_LABEL,
                by_lcg_counts[UNASSIGNED],
                {**base, "lcg": UNASSIGNED},
            )
        )

    by_track_counts = _sum_by(found, _track_key)
    by_track = [
        Line(key, label, by_track_counts.get(key, {}), {**base, "track": key})
        for key, label in TRACKS
    ]

    by_month_counts = _sum_by(found, _month_key)
    by_month = [
        Line(
            month_key(month),
            month_label(month),
            by_month_counts.get(month_key(month), {}),
            {**base, "month": month_key(month)},
        )
        for month in year_months(year)
    ]

    totals = {key: sum(row["n"] for row in rows) for key, rows in found.items()}
    target = ProgrammeTarget.objects.filter(financial_year=year).first()
    targets = []
    for figure in FIGURES:
        wanted = getattr(target, figure.key) if target is not None else None
        count = totals.get(figure.key, 0)
        targets.append(
            TargetLine(
                figure, count, wanted, percent_of_target(count, wanted), still_to_go(count, wanted)
            )
        )
    return ProgrammeDashboard(
        year=year,
        today=today,
        targets=tuple(targets),
        target=target,
        by_lcg=tuple(by_lcg),
        by_track=tuple(by_track),
        by_month=tuple(by_month),
        total=Line("all", "All families", totals, base),
    )


# --- The families behind a figure -------------------------------------------------------


@dataclass(frozen=True)
class FamiliesQuery:
    """The families list's filters, checked (``forms.FamiliesFilterForm``)."""

    year: int
    figure: str
    lcg: str = ""
    track: str = ""
    month: str = ""

    @property
    def figure_words(self) -> Figure:
        return FIGURES_BY_KEY[self.figure]

    def params(self) -> dict[str, str]:
        values = {
            "year": str(self.year),
            "figure": self.figure,
            "lcg": self.lcg,
            "track": self.track,
            "month": self.month,
        }
        return {name: value for name, value in values.items() if value}


def figure_families(
    user: AnyUser, query: FamiliesQuery, *, today: datetime.date
) -> QuerySet[Family]:
    """The families behind one figure of the dashboard (among those ``user`` sees), with
    their day for it (``figure_day``), by that day and reference."""
    _require(user)
    starts_on, ends_on = financial_year_bounds(query.year)
    if query.month:
        month = parse_month(query.month, query.year)
        if month is None:
            return Family.objects.none()
        starts_on, ends_on = month, months_before(month, -1) - datetime.timedelta(days=1)
    families = Family.objects.filter(reporting_family_scope(user))
    if query.lcg == UNASSIGNED:
        families = families.filter(lcg__isnull=True)
    elif query.lcg:
        families = families.filter(lcg_id=int(query.lcg))
    if query.track == NO_TRACK:
        families = families.filter(track="")
    elif query.track:
        families = families.filter(track=query.track)
    return (
        families_in_figure(
            families, query.figure, starts_on=starts_on, ends_on=ends_on, today=today
        )
        .select_related("lcg")
        .order_by("figure_day", "reference")
    )


def filter_label(query: FamiliesQuery) -> str:
    """The list's filters in words ("in Winchester, on the local track, in May 2025")."""
    parts = []
    if query.lcg == UNASSIGNED:
        parts.append("outside every LCG")
    elif query.lcg:
        name = LCG.objects.filter(pk=int(query.lcg)).values_list("name", flat=True).first()
        parts.append(f"in {name}" if name else "in an LCG that no longer exists")
    if query.track == NO_TRACK:
        parts.append("not allocated to a track")
    elif query.track:
        parts.append(f"on the {Track(query.track).label.lower()} track")
    month = parse_month(query.month, query.year) if query.month else None
    if month is not None:
        parts.append(f"in {month_label(month)}")
    else:
        parts.append(f"in {financial_year_label(query.year)}")
    return ", ".join(parts)


# --- Targets ---------------------------------------------------------------------------


def target_list(user: AnyUser) -> QuerySet[ProgrammeTarget]:
    """Every year's targets, newest first (anyone who sees the dashboard)."""
    _require(user)
    return ProgrammeTarget.objects.select_related("updated_by").order_by("-financial_year")


def target_for_year(user: AnyUser, year: int) -> ProgrammeTarget | None:
    _require(user)
    return ProgrammeTarget.objects.filter(financial_year=year).first()


@dataclass(frozen=True)
class TargetChange:
    """One change to the targets, from the history triggers."""

    at: datetime.datetime
    what: str
    year: str
    figures: str
    by: str


WHAT = {"insert": "Set", "update": "Changed", "delete": "Removed"}


def _figures_text(event: Any) -> str:
    parts = []
    for figure in FIGURES:
        value = getattr(event, figure.key)
        parts.append(f"{figure.short}: {value if value is not None else 'no target'}")
    return "; ".join(parts) + (f". Source: {event.source}" if event.source else "")


def target_history(user: AnyUser, *, limit: int = 50) -> list[TargetChange]:
    """The latest changes to the targets, newest first, with who made them (two
    queries)."""
    _require(user)
    events = apps.get_model("outcomes", "ProgrammeTargetEvent")
    found = list(
        events.objects.select_related("pgh_context").order_by("-pgh_created_at", "-pgh_id")[:limit]
    )
    ids = {
        (event.pgh_context.metadata or {}).get("user")
        for event in found
        if event.pgh_context is not None
    }
    names = {
        u.pk: u.get_full_name() or u.username for u in User.objects.filter(pk__in=ids - {None})
    }
    changes = []
    for event in found:
        context = event.pgh_context
        user_id = (context.metadata or {}).get("user") if context is not None else None
        changes.append(
            TargetChange(
                at=event.pgh_created_at,
                what=WHAT.get(event.pgh_label, event.pgh_label),
                year=financial_year_label(event.financial_year),
                figures=_figures_text(event),
                by=names.get(user_id, "") if user_id else "OnePlan",
            )
        )
    return changes
