"""Reads for LCG meetings: the meetings a user sees, who may attend, the agenda OnePlan
proposes from the caseload, and the minutes as one viewer may read them.

The agenda proposal asks the caseload's own conditions (``lcgs.caseload.conditions``),
so a family proposed as drifting is the one the dashboard counts as drifting.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from agencies.models import LCG, AnyUser, LCGMembership, Staff
from agencies.roles import Role
from families.access.access import family_permissions
from families.grants_models import TeamMember
from families.models import Family
from families.states import OPEN_STATES, FamilyStatus
from lcgs.caseload.access import caseload_scope
from lcgs.caseload.conditions import Clock, concern_q, readiness_q, stage_q, stage_since
from lcgs.caseload.rules import CONCERN_LABELS, STAGES_BY_KEY, Concern
from lcgs.meetings.access import view_scope
from lcgs.meetings.models import AgendaItem, AgendaReason, Meeting, MeetingDecision
from outcomes.models import Readiness
from plans.models import Goal, GoalStatus
from plans.visibility import plan_content_for_user

# How many families OnePlan proposes at most: a meeting discusses a few dozen.
AGENDA_PROPOSAL_LIMIT = 40

# The caseload's concerns that make a case "stuck": it waits on someone to move.
STUCK_CONCERNS: tuple[Concern, ...] = (
    Concern.NO_LEAD_PROFESSIONAL,
    Concern.PLAN_NOT_AGREED,
    Concern.REVIEW_OVERDUE,
    Concern.OVERDUE_ACTIONS,
)
# Order of the proposed agenda: new families first, then stuck, drifting, at risk.
REASON_ORDER = (AgendaReason.NEW, AgendaReason.STUCK, AgendaReason.DRIFT, AgendaReason.AT_RISK)


def meeting_list_for_user(user: AnyUser) -> QuerySet[Meeting]:
    """The meetings ``user`` runs or attends, newest first."""
    return (
        Meeting.objects.filter(pk__in=Meeting.objects.filter(view_scope(user)).values("pk"))
        .select_related("lcg")
        .order_by("-starts_at", "-pk")
    )


def meeting_get_for_user_or_404(user: AnyUser, pk: int) -> Meeting:
    """The meeting if ``user`` runs or attends it; 404 for "missing" and "not yours"."""
    meeting = meeting_list_for_user(user).filter(pk=pk).first()
    if meeting is None:
        raise Http404("No such meeting")
    return meeting


def attendee_choices(lcg: LCG) -> QuerySet[Staff]:
    """Who may be invited: active staff of the LCG's agencies. An agency belongs to the
    LCG's work when one of its staff is a member of the LCG (agencies' LCG
    memberships), or it leads or is on the team around one of the LCG's open
    families. System administrators alone see no case data, so are not offered."""
    families = Family.objects.filter(lcg=lcg, status__in=sorted(s.value for s in OPEN_STATES))
    agencies = (
        Q(agency_id__in=LCGMembership.objects.filter(lcg=lcg).values("staff__agency_id"))
        | Q(agency_id__in=families.exclude(lead_agency=None).values("lead_agency_id"))
        | Q(
            agency_id__in=TeamMember.objects.filter(
                family__in=families, removed_at__isnull=True
            ).values("agency_id")
        )
    )
    return (
        Staff.objects.filter(agencies, user__is_active=True, agency__is_active=True)
        .exclude(roles=[Role.SYSTEM_ADMINISTRATOR.value])
        .select_related("user", "agency")
        .order_by("agency__name", "user__last_name", "user__first_name", "pk")
    )


@dataclass(frozen=True)
class ProposedFamily:
    family_id: int
    reasons: tuple[AgendaReason, ...]
    details: tuple[str, ...]


def agenda_proposal(
    user: AnyUser, lcg: LCG, *, now: datetime.datetime, limit: int = AGENDA_PROPOSAL_LIMIT
) -> list[ProposedFamily]:
    """The families OnePlan proposes for ``lcg``'s meeting, from ``user``'s caseload:
    new families to allocate (screened, not allocated), stuck cases (no lead
    professional, plan not agreed 4 weeks after allocation, review overdue, an agency's
    action overdue), drift (no progress on the plan for 6 weeks) and results at risk
    (the stored current result's readiness). Each family once, with every reason; new
    families first, then stuck, drifting and at risk, oldest at their status first."""
    clock = Clock(now=now, today=now.date())
    families = Family.objects.filter(caseload_scope(user), lcg=lcg).annotate(
        stage_since=stage_since()
    )
    conditions: list[tuple[AgendaReason, str, Q]] = [
        (AgendaReason.NEW, "", stage_q(STAGES_BY_KEY["screened"])),
        *(
            (AgendaReason.STUCK, CONCERN_LABELS[concern], concern_q(concern, clock))
            for concern in STUCK_CONCERNS
        ),
        (AgendaReason.DRIFT, "", concern_q(Concern.DRIFT, clock)),
        (
            AgendaReason.AT_RISK,
            "",
            Q(status__in=sorted(s.value for s in OPEN_STATES)) & readiness_q(Readiness.AT_RISK),
        ),
    ]
    found: dict[int, tuple[set[AgendaReason], list[str]]] = {}
    since: dict[int, datetime.datetime] = {}
    for reason, detail, condition in conditions:
        for pk, changed in families.filter(condition).values_list("pk", "status_changed_at"):
            reasons, details = found.setdefault(pk, (set(), []))
            reasons.add(reason)
            if detail:
                details.append(detail)
            since[pk] = changed
    proposals = [
        ProposedFamily(
            pk,
            tuple(r for r in REASON_ORDER if r in reasons),
            tuple(details),
        )
        for pk, (reasons, details) in found.items()
    ]
    proposals.sort(
        key=lambda p: (REASON_ORDER.index(p.reasons[0]), since[p.family_id], p.family_id)
    )
    return proposals[:limit]


def agenda_family_for_user(user: AnyUser, meeting: Meeting, reference: str) -> Family | None:
    """A family of the meeting's LCG in ``user``'s caseload, by reference (or None)."""
    return (
        Family.objects.filter(caseload_scope(user), lcg_id=meeting.lcg_id)
        .filter(reference=reference.strip().upper())
        .first()
    )


def agenda_items(meeting: Meeting) -> list[AgendaItem]:
    return list(
        AgendaItem.objects.filter(meeting=meeting)
        .select_related("family", "family__lead_agency", "family__lead_professional__user")
        .order_by("position", "pk")
    )


def agenda_item_or_404(meeting: Meeting, item_id: int) -> AgendaItem:
    item = (
        AgendaItem.objects.filter(meeting=meeting, pk=item_id)
        .select_related("family", "family__plan")
        .first()
    )
    if item is None:
        raise Http404("No such family on the agenda")
    return item


def open_goals_for_user(user: AnyUser, family: Family) -> list[Goal]:
    """The open goals of the family's plan that ``user`` may see (restricted goals only
    for those with the family's restricted-information permission)."""
    plan = getattr(family, "plan", None) if hasattr(family, "plan") else None
    if plan is None:
        return []
    content = plan_content_for_user(user, family)
    goals = Goal.objects.filter(plan=plan, status=GoalStatus.OPEN).order_by("position", "pk")
    return list(content.filter(goals))


# ---------------------------------------------------------------------------
# Minutes
# ---------------------------------------------------------------------------

HIDDEN_ACTION = "An action was added to the plan. You cannot see its details: it is restricted."


@dataclass(frozen=True)
class MinutesDecision:
    kind: str
    kind_label: str
    text: str
    recorded_by: str
    recorded_at: datetime.datetime


@dataclass(frozen=True)
class MinutesItem:
    item: AgendaItem
    reference: str
    status_label: str
    reasons: tuple[str, ...]
    decisions: tuple[MinutesDecision, ...]


@dataclass(frozen=True)
class Minutes:
    meeting: Meeting
    attendees: tuple[str, ...]
    items: tuple[MinutesItem, ...]


def _name(user: object) -> str:
    full = getattr(user, "get_full_name", lambda: "")()
    return str(full or getattr(user, "username", ""))


def minutes_for_user(user: AnyUser, meeting: Meeting) -> Minutes:
    """The meeting's minutes as ``user`` may read them: the attendees, each agenda
    family with why it was discussed and what was decided. A decision that added a
    plan action under a restricted goal is told without its details to anyone without
    the family's restricted-information permission (``plans.visibility``, the one rule
    for plan content); other decisions say what the family's history says."""
    attendees = tuple(
        f"{a.staff.display_name}, {a.staff.agency.name}"
        for a in meeting.attendees.select_related("staff__user", "staff__agency")
    )
    items = agenda_items(meeting)
    decisions: dict[int, list[MeetingDecision]] = {}
    for decision in MeetingDecision.objects.filter(meeting=meeting).select_related(
        "action", "recorded_by"
    ):
        decisions.setdefault(decision.item_id, []).append(decision)
    rows = []
    for item in items:
        family_decisions = decisions.get(item.pk, [])
        content = None
        if any(d.action is not None for d in family_decisions):
            content = plan_content_for_user(
                user, item.family, family_permissions(user, item.family)
            )
        told = []
        for decision in family_decisions:
            text = decision.summary
            action = decision.action
            if action is not None and content is not None and not content.shows_action(action):
                text = HIDDEN_ACTION
            told.append(
                MinutesDecision(
                    decision.kind,
                    decision.get_kind_display(),
                    text,
                    _name(decision.recorded_by),
                    decision.recorded_at,
                )
            )
        reasons = [*item.reason_labels, *item.details]
        rows.append(
            MinutesItem(
                item=item,
                reference=item.family.reference,
                status_label=FamilyStatus(item.family.status).label,
                reasons=tuple(reasons),
                decisions=tuple(told),
            )
        )
    return Minutes(meeting=meeting, attendees=attendees, items=tuple(rows))
