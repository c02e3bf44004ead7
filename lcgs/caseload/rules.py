"""What the LCG dashboard's figures mean, as data: the stages a family waits at, the
bands of time waited and of a case's age, the concerns that need chasing, and the bars
of the charts (docs/caseload.md).

Pure: no ORM, no clock (``now`` is an argument). ``lcgs.caseload.selectors`` computes
the same facts in SQL, for every family of a caseload at once.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from families.states import OPEN_STATES, FamilyStatus

# The charts (a horizontal stacked bar per LCG, drawn as SVG on the server) moved to the
# core, ``oneplan.charts``, so other apps draw the same chart; named here as before.
from oneplan.charts import Chart as Chart
from oneplan.charts import chart_bars as chart_bars

S = FamilyStatus

# Plans the family has not agreed this long after allocation are late (the issue's
# "plans not agreed within 4 weeks of allocation").
PLAN_AGREEMENT_DAYS = 28


# ---------------------------------------------------------------------------
# Stages a family waits at
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Stage:
    """A point of the journey where a family waits for the LCG or its lead.

    ``statuses``: the statuses that are this stage. ``entered_by``: the status whose
    arrival (a ``FamilyStatusChange`` into it) starts the wait; the latest one counts,
    as a re-opened family starts its journey again.
    """

    key: str
    label: str
    waiting_for: str
    statuses: tuple[FamilyStatus, ...]
    entered_by: FamilyStatus


STAGES: tuple[Stage, ...] = (
    # Only families on the screening list wait for screening (an eligible assessment
    # from agencies' data or an open nomination): an identified family that meets no
    # criteria is waiting for nothing.
    Stage(
        "identified",
        "Identified, waiting for screening",
        "a screening decision",
        (S.IDENTIFIED,),
        S.IDENTIFIED,
    ),
    Stage("screened", "Screened, waiting for allocation", "allocation", (S.SCREENED,), S.SCREENED),
    # The plan becomes active when the family first agrees it (DOMAIN.md 4.4), so an
    # allocated or engaged family has no agreed plan yet.
    Stage(
        "allocated",
        "Allocated without an agreed plan",
        "an agreed plan",
        (S.ALLOCATED, S.ENGAGED),
        S.ALLOCATED,
    ),
)
STAGES_BY_KEY: dict[str, Stage] = {stage.key: stage for stage in STAGES}


@dataclass(frozen=True)
class Band:
    """A range of days: from ``low`` (included) to ``high`` (not included; None for no
    end)."""

    key: str
    label: str
    low: int
    high: int | None

    def contains(self, days: int) -> bool:
        return days >= self.low and (self.high is None or days < self.high)


WAIT_BANDS: tuple[Band, ...] = (
    Band("under_2w", "Under 2 weeks", 0, 14),
    Band("2_to_4w", "2 to 4 weeks", 14, 28),
    Band("4_to_8w", "4 to 8 weeks", 28, 56),
    Band("8w_plus", "8 weeks or more", 56, None),
)
AGE_BANDS: tuple[Band, ...] = (
    Band("under_3m", "Under 3 months", 0, 91),
    Band("3_to_6m", "3 to 6 months", 91, 182),
    Band("6_to_12m", "6 to 12 months", 182, 365),
    Band("12m_plus", "12 months or more", 365, None),
)
WAIT_BANDS_BY_KEY = {band.key: band for band in WAIT_BANDS}
AGE_BANDS_BY_KEY = {band.key: band for band in AGE_BANDS}
# The waits the dashboard counts at least (cumulative), from which the bands follow.
WAIT_THRESHOLDS: tuple[int, ...] = tuple(band.low for band in WAIT_BANDS if band.low)


def band_instants(
    band: Band, now: datetime.datetime
) -> tuple[datetime.datetime | None, datetime.datetime | None]:
    """The instants a wait that began at ``since`` must fall between to be in ``band``
    at ``now``: ``oldest < since <= newest`` (None where the band has no end)."""
    newest = now - datetime.timedelta(days=band.low)
    oldest = now - datetime.timedelta(days=band.high) if band.high is not None else None
    return oldest, newest


def days_between(since: datetime.datetime, now: datetime.datetime) -> int:
    """Whole days from ``since`` to ``now`` (0 in the first 24 hours)."""
    return max((now - since).days, 0)


def band_of(bands: Sequence[Band], days: int) -> Band:
    """The band ``days`` falls in."""
    for band in bands:
        if band.contains(days):
            return band
    return bands[-1]


# ---------------------------------------------------------------------------
# Concerns: what a coordinator chases
# ---------------------------------------------------------------------------


class Concern(StrEnum):
    WAITING_SCREENING = "waiting_screening"
    ELIGIBLE_WAITING = "eligible_waiting"
    NOMINATED_WAITING = "nominated_waiting"
    NO_LEAD_PROFESSIONAL = "no_lead_professional"
    PLAN_NOT_AGREED = "plan_not_agreed"
    REVIEW_OVERDUE = "review_overdue"
    DRIFT = "drift"
    OVERDUE_ACTIONS = "overdue_actions"


CONCERN_LABELS: dict[Concern, str] = {
    Concern.WAITING_SCREENING: "Waiting for a screening decision",
    Concern.ELIGIBLE_WAITING: "Eligible from agencies' data, waiting for screening",
    Concern.NOMINATED_WAITING: "Nominated, waiting for screening",
    Concern.NO_LEAD_PROFESSIONAL: "Allocated without a lead professional",
    Concern.PLAN_NOT_AGREED: "Plan not agreed within 4 weeks of allocation",
    Concern.REVIEW_OVERDUE: "Review overdue",
    Concern.DRIFT: "No progress on the plan for 6 weeks or more (drift)",
    Concern.OVERDUE_ACTIONS: "An agency's action is overdue",
}

# Families that should have a named lead professional: allocated, and still open.
LED_STATUSES: frozenset[FamilyStatus] = OPEN_STATES - {S.IDENTIFIED, S.SCREENED}


def plan_agreement_due(allocated_at: datetime.datetime) -> datetime.datetime:
    """When a plan allocated at ``allocated_at`` should have been agreed by."""
    return allocated_at + datetime.timedelta(days=PLAN_AGREEMENT_DAYS)


def share_percent(part: int, whole: int) -> int | None:
    """``part`` of ``whole`` as a whole percentage, rounded half up; None of nothing."""
    if whole <= 0:
        return None
    return (part * 200 + whole) // (2 * whole)
