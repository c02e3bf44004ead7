"""The LCG dashboard (docs/caseload.md): ``user``'s caseload counted, a column per LCG
(and the families outside every LCG, for programme managers) and the total, each figure
with the caseload list's filters of the families behind it.

A constant number of queries whatever the caseload's size, each a grouped count that
works out a family's facts once (as GROUP BY keys or one FILTER each) rather than once
per figure: families by LCG, status, track and lead agency with their late plans and
reviews; the identified families on the screening list and how long they have waited;
the waits at the later stages; the overdue actions by agency (which also count the
families with any); results; then the LCGs, the agencies' names, the framework periods
(the screening rule) and the targets' progress (three, ``lcgs.money.selectors``).

At 100,000 families the programme manager's dashboard is about 0.23 s of queries and
0.06 s of Python on the development machine; where the time goes is in
benchmarks/README.md ("lcg_caseload.py").
"""

from __future__ import annotations

import datetime
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import (
    Count,
    DateTimeField,
    F,
    Func,
    IntegerField,
    Max,
    Q,
    QuerySet,
    Value,
)
from django.db.models.expressions import Combinable
from django.urls import reverse

from agencies.models import Agency, AnyUser
from families.models import Family, Track
from families.states import OPEN_STATES, FamilyStatus
from lcgs.caseload.access import caseload_scope
from lcgs.caseload.conditions import (
    NONE,
    OPEN,
    UNASSIGNED,
    Clock,
    concern_q,
    overdue_actions,
    stage_since,
    with_screening,
)
from lcgs.caseload.rules import (
    CONCERN_LABELS,
    PLAN_AGREEMENT_DAYS,
    STAGES,
    WAIT_BANDS,
    WAIT_THRESHOLDS,
    Chart,
    Concern,
    Stage,
    chart_bars,
    share_percent,
)
from lcgs.caseload.selectors import caseload_lcgs
from lcgs.money.rules import percent_of_target
from lcgs.money.selectors import lcg_targets
from lcgs.screening.selectors import screens_unassigned
from outcomes.models import Readiness, Result
from outcomes.money.rules import financial_year_label, financial_year_of

# ---------------------------------------------------------------------------
# The dashboard
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """An LCG (or the families outside every LCG, or all of them) on the dashboard."""

    key: str
    label: str
    params: dict[str, str]


@dataclass(frozen=True)
class Cell:
    """A figure: its number (None where it has none, as an empty percentage), the list
    filters of the families behind it (None: not a link) and its text where the number
    is not a count (a percentage, days)."""

    count: int | None
    params: dict[str, str] | None = None
    text: str = ""
    # Where the families behind the figure are listed, when not in the caseload list
    # (the grant statement lists the families taken on and the results).
    url: str | None = None
    # ``params`` as a query string; given by ``_Builder``, which encodes each row's and
    # each column's filters once rather than each of a thousand cells'.
    encoded: str | None = None

    @property
    def query(self) -> str:
        return self.encoded if self.encoded is not None else urlencode(self.params or {})


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    description: str
    rows: tuple[Row, ...]
    chart: Chart | None = None


@dataclass(frozen=True)
class Dashboard:
    columns: tuple[Column, ...]
    sections: tuple[Section, ...]
    families: int

    @property
    def lcg_columns(self) -> tuple[Column, ...]:
        """The columns without the total."""
        return self.columns[:-1]

    @property
    def tables(self) -> list[tuple[Section, list[tuple[Row, list[tuple[Column, Cell]]]]]]:
        """Each section with its rows' cells beside their columns, for a page's tables."""
        return [
            (
                section,
                [(row, list(zip(self.columns, row.cells, strict=True))) for row in section.rows],
            )
            for section in self.sections
        ]


def _lcg_key(lcg_id: int | None) -> str | None:
    return None if lcg_id is None else str(lcg_id)


def _columns(user: AnyUser, lcg_ids_seen: Iterable[int | None]) -> tuple[Column, ...]:
    lcgs = caseload_lcgs(user)
    columns = [Column(str(lcg.pk), lcg.name, {"lcg": str(lcg.pk)}) for lcg in lcgs]
    if screens_unassigned(user) and None in set(lcg_ids_seen):
        columns.append(Column(UNASSIGNED, "Unassigned (outside every LCG)", {"lcg": UNASSIGNED}))
    columns.append(Column("all", "All" if len(columns) != 1 else "Total", {}))
    return tuple(columns)


# Counted in the same pass as the families by status: each a condition of
# ``lcgs.caseload.conditions``, as the list filters by it.
LATE: tuple[Concern, ...] = (
    Concern.NO_LEAD_PROFESSIONAL,
    Concern.REVIEW_OVERDUE,
    Concern.DRIFT,
)


def _counts_by_family_facts(families: QuerySet[Family], clock: Clock) -> list[dict[str, Any]]:
    """Every family by LCG, status, track and lead agency, with how many of each group
    have each of the ``LATE`` concerns: one pass over the caseload. No join for the
    agencies' names (read afterwards, for the few agencies found): the narrower rows
    let PostgreSQL count them in memory."""
    return list(
        families.order_by()
        .values("lcg_id", "status", "track", "lead_agency_id")
        .annotate(
            n=Count("pk"),
            **{concern.value: Count("pk", filter=concern_q(concern, clock)) for concern in LATE},
        )
    )


def _stage_key(status: str, waiting_screening: bool) -> str | None:
    """The stage of ``STAGES`` a family at ``status`` waits at (``stage_q`` in SQL)."""
    for stage in STAGES:
        if status in stage.statuses:
            if stage.key == "identified" and not waiting_screening:
                return None
            return stage.key
    return None


class DaysSince(Func):
    """Whole days from the ``since`` instant to ``now`` (the floor of the interval in
    days): a wait of 14 days to the second is 14, one second less is 13, as
    ``rules.days_between`` counts them."""

    template = "FLOOR(EXTRACT(EPOCH FROM (%(expressions)s)) / 86400)::integer"
    arg_joiner = " - "
    output_field = IntegerField()

    def __init__(self, since: Combinable, *, now: datetime.datetime) -> None:
        super().__init__(Value(now, output_field=DateTimeField()), since)


Counts = dict[str | None, dict[str, Any]]


class WaitBand(Func):
    """How many of ``WAIT_THRESHOLDS`` a wait of whole days has reached: 0 under the
    first, 1 from the first to under the second, and so on (PostgreSQL's
    ``width_bucket`` on the thresholds, whole numbers of ``lcgs.caseload.rules``), so a
    grouped count hands back a row per band rather than one per day waited."""

    function = "width_bucket"
    output_field = IntegerField()
    template = (
        "%(function)s(%(expressions)s, "
        f"ARRAY[{', '.join(str(int(days)) for days in WAIT_THRESHOLDS)}]::integer[])"
    )


def _add_wait(counts: dict[str, Any], stage: str, band: int, longest: int, n: int) -> None:
    """Add ``n`` families waiting at ``stage`` whose wait has reached the first ``band``
    of ``WAIT_THRESHOLDS``, the longest of them ``longest`` whole days."""
    counts[f"at_{stage}"] += n
    for days in WAIT_THRESHOLDS[:band]:
        counts[f"{stage}_{days}"] += n
    counts[f"longest_{stage}"] = max(counts.get(f"longest_{stage}", 0), longest)


def _by_wait(families: QuerySet[Family], since: Combinable, clock: Clock, *keys: str) -> Any:
    """``families`` grouped by ``keys`` and the band of their wait from ``since``, with
    how many and the longest wait (whole days) of each group."""
    waited = DaysSince(since, now=clock.now)
    return (
        families.order_by()
        .values(*keys, band=WaitBand(waited))
        .annotate(n=Count("*"), longest=Max(waited))
    )


def _screening_counts(families: QuerySet[Family], clock: Clock, found: Counts) -> None:
    """Identified families on the screening list, by why they are on it and how long
    they have waited: each family's facts worked out once (GROUP BY keys), as the
    screening list's rule (``with_screening``) is the costliest of the dashboard."""
    identified = with_screening(families.filter(status=FamilyStatus.IDENTIFIED), clock.today)
    grouped = _by_wait(
        identified, F("status_changed_at"), clock, "lcg_id", "has_data", "has_nomination"
    )
    for row in grouped:
        if not (row["has_data"] or row["has_nomination"]):
            continue
        counts = found[_lcg_key(row["lcg_id"])]
        n = row["n"]
        if row["has_data"]:
            counts[Concern.ELIGIBLE_WAITING.value] += n
        if row["has_nomination"]:
            counts[Concern.NOMINATED_WAITING.value] += n
        counts[Concern.WAITING_SCREENING.value] += n
        _add_wait(counts, "identified", row["band"], row["longest"], n)


def _wait_counts(families: QuerySet[Family], clock: Clock, found: Counts) -> None:
    """Families waiting for allocation or an agreed plan, by the whole days they have
    waited at their stage; the bands are added up here. Grouped by the day, not the
    band: the wait of an engaged family reads its status history, and PostgreSQL would
    read it twice for a band and the longest wait (twice the time at 100,000)."""
    statuses = sorted(
        status.value for stage in STAGES if stage.key != "identified" for status in stage.statuses
    )
    grouped = (
        families.filter(status__in=statuses)
        .annotate(waited=DaysSince(stage_since(), now=clock.now))
        .order_by()
        .values("lcg_id", "status", "waited")
        .annotate(n=Count("*"))
    )
    for row in grouped:
        stage = _stage_key(row["status"], False)
        waited = row["waited"]
        if stage is not None and waited is not None:
            # As ``WaitBand``: how many of the thresholds the wait has reached.
            band = bisect_right(WAIT_THRESHOLDS, waited)
            counts = found[_lcg_key(row["lcg_id"])]
            _add_wait(counts, stage, band, waited, row["n"])
            # As the list's filter (``concern_q``): allocated 4 weeks or more ago.
            if stage == "allocated" and waited >= PLAN_AGREEMENT_DAYS:
                counts[Concern.PLAN_NOT_AGREED.value] += row["n"]


@dataclass(frozen=True)
class Overdue:
    """Overdue agency actions: per LCG and agency, how many and in which families."""

    lcg_id: int | None
    agency_id: int
    agency: str
    actions: int
    families: frozenset[int]


def _overdue_by_agency(families: QuerySet[Family], scope: Q, clock: Clock) -> list[dict[str, Any]]:
    """One read of the overdue actions, grouped by LCG and agency with the ids of their
    families, so the families with any overdue action are counted here too (a family
    with two agencies' actions overdue is one family: the ids are made distinct in
    Python, ``Overdue.families``). ``COUNT(*)`` and the ids as they come let PostgreSQL
    read the actions from their partial index alone and hash the groups, where
    ``COUNT(id)`` and ``ARRAY_AGG(DISTINCT ...)`` made it read every overdue action's
    row and sort them (about 30 ms of 100 at 100,000 families)."""
    actions = overdue_actions(clock.today).filter(plan__family__status__in=OPEN)
    if scope:
        # Within the caseload; a programme manager's is every family, asked directly.
        actions = actions.filter(plan__family__in=families.values("pk"))
    return list(
        actions.order_by()
        .values("plan__family__lcg_id", "agency_id")
        .annotate(actions=Count("*"), family_ids=ArrayAgg("plan__family_id"))
    )


def _overdue_families(found: Sequence[Overdue]) -> dict[str | None, int]:
    by_lcg: dict[str | None, set[int]] = defaultdict(set)
    for item in found:
        by_lcg[_lcg_key(item.lcg_id)] |= item.families
    return {lcg: len(ids) for lcg, ids in by_lcg.items()}


def _readiness_counts(families: QuerySet[Family]) -> list[dict[str, Any]]:
    return list(
        Result.objects.filter(
            is_current=True,
            readiness__in=[Readiness.AT_RISK, Readiness.CLAIMABLE],
            family__in=families.values("pk"),
        )
        .order_by()
        .values("family__lcg_id", "readiness")
        .annotate(n=Count("pk"))
    )


class _Builder:
    """Turns counts per LCG into rows of cells, one per column and the total."""

    def __init__(self, columns: tuple[Column, ...]) -> None:
        self.columns = columns
        self.keys: list[str | None] = [None if c.key == UNASSIGNED else c.key for c in columns[:-1]]
        self.encoded = [urlencode(column.params) for column in columns[:-1]]

    def row(
        self,
        key: str,
        label: str,
        values: Mapping[str | None, int],
        params: Mapping[str, str] | None,
    ) -> Row:
        cells = []
        # A column's filters (the LCG) and a row's (the figure) name different
        # parameters, so a cell's query string is the two joined.
        own = urlencode(params) if params else ""
        for column, lcg, encoded in zip(self.columns[:-1], self.keys, self.encoded, strict=True):
            count = int(values.get(lcg, 0))
            if params is None:
                cells.append(Cell(count))
                continue
            query = "&".join(part for part in (encoded, own) if part)
            cells.append(Cell(count, {**column.params, **params}, encoded=query))
        total = sum(int(values.get(lcg, 0)) for lcg in self.keys)
        cells.append(Cell(total, dict(params), encoded=own) if params is not None else Cell(total))
        return Row(key, label, tuple(cells))


def caseload_dashboard(user: AnyUser, *, clock: Clock) -> Dashboard:
    """The LCG dashboard of ``user``'s caseload: a column per LCG (and the families
    outside every LCG, for programme managers) and the total, each figure with the list
    filters of the families behind it. A constant number of queries whatever the
    caseload's size (module docstring)."""
    scope = caseload_scope(user)
    families = Family.objects.filter(scope)
    facts = _counts_by_family_facts(families, clock)
    columns = _columns(user, (row["lcg_id"] for row in facts))
    build = _Builder(columns)
    open_values = {s.value for s in OPEN_STATES}
    overdue_rows = _overdue_by_agency(families, scope, clock)
    names = dict(
        Agency.objects.filter(
            pk__in={row["lead_agency_id"] for row in facts if row["lead_agency_id"]}
            | {row["agency_id"] for row in overdue_rows}
        ).values_list("pk", "name")
    )

    by_status: dict[str, dict[str | None, int]] = defaultdict(lambda: defaultdict(int))
    by_track: dict[str, dict[str | None, int]] = defaultdict(lambda: defaultdict(int))
    by_agency: dict[str, dict[str | None, int]] = defaultdict(lambda: defaultdict(int))
    agency_names: dict[str, str] = {}
    every: dict[str | None, int] = defaultdict(int)
    concerns: Counts = defaultdict(lambda: defaultdict(int))
    for row in facts:
        lcg = _lcg_key(row["lcg_id"])
        n = row["n"]
        every[lcg] += n
        for concern in LATE:
            concerns[lcg][concern.value] += row[concern.value]
        by_status[row["status"]][lcg] += n
        if row["status"] not in open_values:
            continue
        by_track[row["track"] or NONE][lcg] += n
        agency = str(row["lead_agency_id"]) if row["lead_agency_id"] is not None else NONE
        by_agency[agency][lcg] += n
        if row["lead_agency_id"] is not None:
            agency_names[agency] = names.get(row["lead_agency_id"], "")

    overdue = [
        Overdue(
            row["plan__family__lcg_id"],
            row["agency_id"],
            names.get(row["agency_id"], ""),
            row["actions"],
            frozenset(row["family_ids"]),
        )
        for row in overdue_rows
    ]
    _screening_counts(families, clock, concerns)
    _wait_counts(families, clock, concerns)
    for lcg, n in _overdue_families(overdue).items():
        concerns[lcg][Concern.OVERDUE_ACTIONS.value] = n
    sections = [
        _status_section(build, by_status, every),
        _track_section(build, by_track),
        _agency_section(build, by_agency, agency_names),
        _waiting_section(build, concerns),
        *_stage_sections(build, concerns, clock),
        _late_section(build, concerns),
        _overdue_section(build, overdue),
        _results_section(build, _readiness_counts(families)),
        _targets_section(build, clock),
    ]
    return Dashboard(columns=columns, sections=tuple(sections), families=sum(every.values()))


def _pick(concerns: Mapping[str | None, Mapping[str, Any]], name: str) -> dict[str | None, int]:
    return {lcg: int(values.get(name) or 0) for lcg, values in concerns.items()}


def _status_section(
    build: _Builder,
    by_status: Mapping[str, Mapping[str | None, int]],
    every: Mapping[str | None, int],
) -> Section:
    rows = [
        build.row(
            status.value, status.label, by_status.get(status.value, {}), {"status": status.value}
        )
        for status in FamilyStatus
    ]
    rows.append(build.row("all", "All families", every, {}))
    open_statuses = [s for s in FamilyStatus if s in OPEN_STATES]
    chart = chart_bars(
        [(s.value, s.label) for s in open_statuses],
        [
            (column.label, {s.value: by_status.get(s.value, {}).get(lcg, 0) for s in open_statuses})
            for column, lcg in zip(build.columns[:-1], build.keys, strict=True)
        ],
    )
    return Section(
        "status",
        "Families by status",
        "Every family of the caseload by where it is on its journey. The chart shows "
        "the open families (not closed and not left the journey).",
        tuple(rows),
        chart,
    )


TRACK_ROWS: tuple[tuple[str, str], ...] = (
    (Track.INTENSIVE.value, "Intensive"),
    (Track.LOCAL.value, "Local"),
    (NONE, "Not allocated to a track"),
)


def _track_section(build: _Builder, by_track: Mapping[str, Mapping[str | None, int]]) -> Section:
    rows = [
        build.row(key, label, by_track.get(key, {}), {"status": "open", "track": key})
        for key, label in TRACK_ROWS
    ]
    intensive, local = rows[0].cells, rows[1].cells
    share = tuple(
        Cell(None, None, _percent(share_percent(i.count or 0, (i.count or 0) + (lo.count or 0))))
        for i, lo in zip(intensive, local, strict=True)
    )
    rows.append(Row("intensive_share", "Share of allocated families on the intensive track", share))
    chart = chart_bars(
        list(TRACK_ROWS),
        [
            (column.label, {key: by_track.get(key, {}).get(lcg, 0) for key, _ in TRACK_ROWS})
            for column, lcg in zip(build.columns[:-1], build.keys, strict=True)
        ],
    )
    return Section(
        "track",
        "Open families by track",
        "Open families by the track the LCG allocated them to: intensive family support "
        "or local help. Families not yet allocated have no track.",
        tuple(rows),
        chart,
    )


def _percent(value: int | None) -> str:
    return "No families" if value is None else f"{value}%"


def _agency_section(
    build: _Builder,
    by_agency: Mapping[str, Mapping[str | None, int]],
    names: Mapping[str, str],
) -> Section:
    ordered = sorted(names.items(), key=lambda item: (item[1].lower(), item[0]))
    rows = [
        build.row(
            f"agency-{key}", name, by_agency.get(key, {}), {"status": "open", "lead_agency": key}
        )
        for key, name in ordered
    ]
    rows.append(
        build.row(
            NONE, "No lead agency", by_agency.get(NONE, {}), {"status": "open", "lead_agency": NONE}
        )
    )
    return Section(
        "lead_agency",
        "Open families by lead agency",
        "Open families by the agency that leads the work with them.",
        tuple(rows),
    )


def _waiting_section(build: _Builder, concerns: Mapping[str | None, Mapping[str, Any]]) -> Section:
    rows = [
        build.row(
            concern.value,
            CONCERN_LABELS[concern],
            _pick(concerns, concern.value),
            {"concern": concern.value},
        )
        for concern in (
            Concern.ELIGIBLE_WAITING,
            Concern.NOMINATED_WAITING,
            Concern.WAITING_SCREENING,
        )
    ]
    rows.append(
        build.row(
            Concern.NO_LEAD_PROFESSIONAL.value,
            CONCERN_LABELS[Concern.NO_LEAD_PROFESSIONAL],
            _pick(concerns, Concern.NO_LEAD_PROFESSIONAL.value),
            {"concern": Concern.NO_LEAD_PROFESSIONAL.value},
        )
    )
    return Section(
        "decisions",
        "Waiting for the LCG",
        "Identified families waiting for a screening decision (a family both eligible "
        "from agencies' data and nominated is counted once in the total), and allocated "
        "families that have no named lead professional.",
        tuple(rows),
    )


def _stage_sections(
    build: _Builder, concerns: Mapping[str | None, Mapping[str, Any]], clock: Clock
) -> list[Section]:
    sections = []
    for stage in STAGES:
        at_least = {0: _pick(concerns, f"at_{stage.key}")}
        for days in WAIT_THRESHOLDS:
            at_least[days] = _pick(concerns, f"{stage.key}_{days}")
        rows = []
        for band in WAIT_BANDS:
            lower = at_least[band.low]
            upper = at_least.get(band.high, {}) if band.high is not None else {}
            values = {lcg: lower.get(lcg, 0) - upper.get(lcg, 0) for lcg in lower}
            rows.append(
                build.row(
                    f"{stage.key}-{band.key}",
                    band.label,
                    values,
                    {"stage": stage.key, "waited": band.key},
                )
            )
        rows.append(build.row(f"{stage.key}-all", "All", at_least[0], {"stage": stage.key}))
        rows.append(_longest_row(build, stage, concerns))
        chart = chart_bars(
            [(band.key, band.label) for band in WAIT_BANDS],
            [
                (
                    column.label,
                    {
                        band.key: rows[i].cells[index].count or 0
                        for i, band in enumerate(WAIT_BANDS)
                    },
                )
                for index, column in enumerate(build.columns[:-1])
            ],
        )
        sections.append(
            Section(
                f"wait-{stage.key}",
                stage.label,
                f"How long families have waited for {stage.waiting_for}, from their "
                "arrival at this stage.",
                tuple(rows),
                chart,
            )
        )
    return sections


def _longest_row(
    build: _Builder, stage: Stage, concerns: Mapping[str | None, Mapping[str, Any]]
) -> Row:
    longest = {
        lcg: values.get(f"longest_{stage.key}")
        for lcg, values in concerns.items()
        if values.get(f"at_{stage.key}")
    }
    params = {"stage": stage.key, "sort": "status_since"}

    def cell(days: int | None, base: Mapping[str, str]) -> Cell:
        if days is None:
            return Cell(None, None, "None waiting")
        return Cell(days, {**base, **params}, f"{days} day{'s' if days != 1 else ''}")

    cells = [
        cell(longest.get(lcg), column.params)
        for column, lcg in zip(build.columns[:-1], build.keys, strict=True)
    ]
    found = [days for lcg in build.keys if (days := longest.get(lcg)) is not None]
    cells.append(cell(max(found) if found else None, {}))
    return Row(f"{stage.key}-longest", "Longest wait", tuple(cells))


def _late_section(build: _Builder, concerns: Mapping[str | None, Mapping[str, Any]]) -> Section:
    rows = [
        build.row(
            concern.value,
            CONCERN_LABELS[concern],
            _pick(concerns, concern.value),
            {"concern": concern.value},
        )
        for concern in (
            Concern.PLAN_NOT_AGREED,
            Concern.REVIEW_OVERDUE,
            Concern.DRIFT,
            Concern.OVERDUE_ACTIONS,
        )
    ]
    return Section(
        "late",
        "Work that is late",
        "Open families whose plan was not agreed within 4 weeks of allocation, whose "
        "review date has passed, whose plan has had no progress for 6 weeks or more, "
        "or with an agency's action past its due date.",
        tuple(rows),
    )


def _overdue_section(build: _Builder, found: Sequence[Overdue]) -> Section:
    actions: dict[str, dict[str | None, int]] = defaultdict(lambda: defaultdict(int))
    families: dict[str, dict[str | None, int]] = defaultdict(lambda: defaultdict(int))
    names: dict[str, str] = {}
    for item in found:
        agency = str(item.agency_id)
        lcg = _lcg_key(item.lcg_id)
        actions[agency][lcg] += item.actions
        families[agency][lcg] += len(item.families)
        names[agency] = item.agency
    rows = []
    for agency, name in sorted(names.items(), key=lambda item: (item[1].lower(), item[0])):
        row = build.row(f"agency-{agency}", name, actions[agency], {"overdue_agency": agency})
        counted = build.row("families", name, families[agency], None)
        # The number is the actions; the families behind them are what the link lists.
        cells = tuple(
            replace(
                cell,
                text=f"{cell.count} in {n.count} famil{'y' if n.count == 1 else 'ies'}",
            )
            for cell, n in zip(row.cells, counted.cells, strict=True)
        )
        rows.append(Row(row.key, row.label, cells))
    return Section(
        "overdue_actions",
        "Overdue actions by agency",
        "Agency actions in open families' plans, not done and past their due date, by "
        "the agency that owns them.",
        tuple(rows),
    )


def _results_section(build: _Builder, found: Sequence[Mapping[str, Any]]) -> Section:
    counts: dict[str, dict[str | None, int]] = defaultdict(lambda: defaultdict(int))
    for item in found:
        counts[item["readiness"]][_lcg_key(item["family__lcg_id"])] += item["n"]
    rows = [
        build.row(
            readiness.value,
            label,
            counts.get(readiness.value, {}),
            {"readiness": readiness.value},
        )
        for readiness, label in (
            (Readiness.CLAIMABLE, "Results claimable"),
            (Readiness.AT_RISK, "Results at risk"),
        )
    ]
    return Section(
        "results",
        "Results",
        "Families whose results the nightly evaluation last found claimable, or at "
        "risk of not being met.",
        tuple(rows),
    )


def _targets_section(build: _Builder, clock: Clock) -> Section:
    """This financial year's targets of each LCG and its progress, as the LCG grant
    statement counts them (``lcgs.money.selectors.lcg_targets``); the families behind
    each figure are on the statement's page of the LCG."""
    year = financial_year_of(clock.today)
    lcg_ids = [int(key) for key in build.keys if key is not None]
    progress = lcg_targets(lcg_ids, year)
    rows = []
    for key, label in (
        ("taken_on", "Families taken on on the local track"),
        ("results", "Results: claims accepted for families on the local track"),
    ):
        cells = []
        counts: list[int] = []
        targets: list[int | None] = []
        for lcg in build.keys:
            if lcg is None:
                cells.append(Cell(None, None, "No targets"))
                continue
            found = progress[int(lcg)]
            count = found.families_taken_on if key == "taken_on" else found.results
            target = found.target_taken_on if key == "taken_on" else found.target_results
            counts.append(count)
            targets.append(target)
            page = reverse("lcgs:lcg-money-lcg", args=[int(lcg)])
            cells.append(Cell(count, None, _against(count, target), f"{page}?year={year}"))
        known = [t for t in targets if t is not None]
        total_target = sum(known) if known else None
        total = sum(counts)
        statement = reverse("lcgs:lcg-money")
        cells.append(Cell(total, None, _against(total, total_target), f"{statement}?year={year}"))
        rows.append(Row(key, label, tuple(cells)))
    return Section(
        "targets",
        f"Progress against the targets for {financial_year_label(year)}",
        "Each LCG's targets for the financial year, set by the programme manager, and how "
        "far it has come, as the LCG grant statement counts them. The statement lists the "
        "families behind each figure.",
        tuple(rows),
    )


def _against(count: int, target: int | None) -> str:
    percent = percent_of_target(count, target)
    if target is None or percent is None:
        return f"{count} (no target set)"
    return f"{count} of {target} ({percent}%)"
