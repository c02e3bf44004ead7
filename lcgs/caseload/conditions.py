"""The conditions on a family that the dashboard counts and the caseload list filters
by, in SQL (docs/caseload.md). Their meaning, in words and as pure data, is in
``lcgs.caseload.rules``; the dashboard (``lcgs.caseload.dashboard``) and the list
(``lcgs.caseload.selectors``) share these, so a figure and the list behind it always
find the same families.

Stage waits are measured from the family's arrival at the stage: the latest
``FamilyStatusChange`` into the stage's entry status. For a family whose status *is* that
status, ``Family.status_changed_at`` is the same instant (``families.services`` writes
both from one clock reading, in one transaction), so the history is only read for
engaged families, whose allocation is one change further back.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import (
    Case,
    DateField,
    DateTimeField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from families.models import Family, FamilyStatusChange
from families.states import OPEN_STATES, TERMINAL_STATES, FamilyStatus
from lcgs.caseload.rules import (
    LED_STATUSES,
    PLAN_AGREEMENT_DAYS,
    STAGES_BY_KEY,
    Band,
    Concern,
    Stage,
    band_instants,
)
from outcomes.assessment.selectors import FrameworkChooser
from outcomes.models import Assessment, Nomination, NominationStatus
from plans.models import OPEN_ACTION_STATUSES, Action, ActionOwner, Plan
from plans.work.rules import drift_cutoff
from plans.work.selectors import drift_weeks

S = FamilyStatus
OPEN = sorted(s.value for s in OPEN_STATES)
CLOSED = sorted(s.value for s in TERMINAL_STATES)
OPEN_ACTIONS = sorted(s.value for s in OPEN_ACTION_STATUSES)
UNASSIGNED = "unassigned"
NONE = "none"

# ---------------------------------------------------------------------------
# SQL pieces: each figure's condition on a family
# ---------------------------------------------------------------------------


def with_screening(families: QuerySet[Family], today: datetime.date) -> QuerySet[Family]:
    """``has_data`` and ``has_nomination``: why an identified family is on the screening
    list, by the rule of ``lcgs.screening.selectors.screening_list_for_user`` (a current
    eligible assessment under the framework in force on its screening day, or an open
    nomination). A test holds the two to the same families."""
    eligible = Assessment.objects.filter(
        is_current=True,
        eligible=True,
        family=OuterRef("pk"),
        framework=OuterRef("screening_framework"),
        # Only an identified family is on the list: naming that here lets PostgreSQL
        # hash the assessments of identified families only, not every family's (half
        # the cost of the dashboard's screening figures at 100,000 families).
        family__status=S.IDENTIFIED,
    )
    nominated = Nomination.objects.filter(status=NominationStatus.OPEN, family=OuterRef("pk"))
    return families.annotate(
        screening_day=Coalesce("attached_on", Value(today), output_field=DateField()),
        screening_framework=FrameworkChooser.load().on_in_sql("screening_day"),
        has_data=Exists(eligible),
        has_nomination=Exists(nominated),
    )


def stage_since() -> Case:
    """When the family arrived at its current stage (see the module docstring)."""
    allocated_at = Subquery(
        FamilyStatusChange.objects.filter(family=OuterRef("pk"), to_status=S.ALLOCATED)
        .order_by("-created_at", "-pk")
        .values("created_at")[:1]
    )
    return Case(
        When(
            status__in=[S.IDENTIFIED, S.SCREENED, S.ALLOCATED],
            then=F("status_changed_at"),
        ),
        When(status=S.ENGAGED, then=Coalesce(allocated_at, F("status_changed_at"))),
        default=None,
        output_field=DateTimeField(),
    )


def waiting_screening_q() -> Q:
    return Q(status=S.IDENTIFIED) & (Q(has_data=True) | Q(has_nomination=True))


def stage_q(stage: Stage) -> Q:
    if stage.key == "identified":
        return waiting_screening_q()
    return Q(status__in=[s.value for s in stage.statuses])


def overdue_actions(today: datetime.date) -> QuerySet[Action]:
    """Agency actions still to do past their due date (a family's own commitments are
    the family's, not an agency's)."""
    return Action.objects.filter(
        owner=ActionOwner.AGENCY, status__in=OPEN_ACTIONS, due_on__lt=today
    )


@dataclass(frozen=True)
class Clock:
    """The moment the figures are taken at, with the instants they compare against."""

    now: datetime.datetime
    today: datetime.date
    drift_from: datetime.datetime = field(init=False)
    agreement_late: datetime.datetime = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "drift_from", drift_cutoff(self.now, drift_weeks()))
        object.__setattr__(
            self,
            "agreement_late",
            self.now - datetime.timedelta(days=PLAN_AGREEMENT_DAYS),
        )

    def days_ago(self, days: int) -> datetime.datetime:
        return self.now - datetime.timedelta(days=days)


def concern_q(concern: Concern, clock: Clock) -> Q:
    """The families a concern names, as a filter (needing ``with_screening`` and the
    ``stage_since`` annotation where the concern reads them)."""
    open_q = Q(status__in=OPEN)
    if concern == Concern.WAITING_SCREENING:
        return waiting_screening_q()
    if concern == Concern.ELIGIBLE_WAITING:
        return Q(status=S.IDENTIFIED) & Q(has_data=True)
    if concern == Concern.NOMINATED_WAITING:
        return Q(status=S.IDENTIFIED) & Q(has_nomination=True)
    if concern == Concern.NO_LEAD_PROFESSIONAL:
        return Q(status__in=sorted(LED_STATUSES)) & Q(lead_professional__isnull=True)
    if concern == Concern.PLAN_NOT_AGREED:
        return stage_q(STAGES_BY_KEY["allocated"]) & Q(stage_since__lte=clock.agreement_late)
    # The plan's facts as "the family is among these plans' families", not a join: over
    # a whole caseload PostgreSQL then hashes the few plans concerned once, rather than
    # looking up every family's plan.
    if concern == Concern.REVIEW_OVERDUE:
        late = Plan.objects.filter(next_review_on__lt=clock.today)
        return open_q & Q(pk__in=late.values("family_id"))
    if concern == Concern.DRIFT:
        # Every saved change to a plan (an edit, a progress note, an action's new
        # status, a review, an agreement) records a version and stamps the plan's
        # updated_at in the same transaction (plans.plan.services.plan_change_record):
        # the plan's last progress is its updated_at.
        stale = Plan.objects.filter(updated_at__lt=clock.drift_from)
        return open_q & Q(pk__in=stale.values("family_id"))
    overdue_families = overdue_actions(clock.today).values("plan__family_id")
    return open_q & Q(pk__in=overdue_families)


def band_q(band: Band, clock: Clock, since: str) -> Q:
    oldest, newest = band_instants(band, clock.now)
    q = Q(**{f"{since}__lte": newest})
    if oldest is not None:
        q &= Q(**{f"{since}__gt": oldest})
    return q


def age_q(band: Band, clock: Clock) -> Q:
    """Families whose journey (the latest arrival at "identified": a re-opened family
    starts again) began within ``band``; a family with no recorded arrival counts from
    when it was created. Written as "no arrival since" rather than reading each
    family's latest arrival, so that PostgreSQL answers it as one anti-join."""

    def at_least(days: int) -> Q:
        cutoff = clock.days_ago(days)
        identified = FamilyStatusChange.objects.filter(
            family=OuterRef("pk"), to_status=S.IDENTIFIED
        )
        return ~Q(Exists(identified.filter(created_at__gt=cutoff))) & (
            Q(Exists(identified.filter(created_at__lte=cutoff))) | Q(created_at__lte=cutoff)
        )

    q = at_least(band.low) if band.low else Q()
    if band.high is not None:
        q &= ~at_least(band.high)
    return q


def lead_q(field_name: str, value: str) -> Q:
    if value == NONE:
        return Q(**{f"{field_name}__isnull": True})
    return Q(**{f"{field_name}_id": int(value)})


def readiness_q(readiness: str) -> Q:
    """Families whose stored current result (``outcomes.Result``) has this claim
    readiness ("at_risk", "claimable"...), as the list's readiness filter finds them."""
    from outcomes.models import Result

    current = Result.objects.filter(family=OuterRef("pk"), is_current=True)
    return Q(Exists(current.filter(readiness=readiness)))
