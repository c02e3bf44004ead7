"""Writes for LCG meetings: create one with its attendees and the agenda OnePlan
proposes, change the agenda and attendees, record decisions, close it.

A decision is written by the service that owns what it changes (allocation, the case
journey, plan actions, review scheduling), naming the meeting as where it was made, in
one transaction with the ``MeetingDecision`` that says what it did: a refusal anywhere
leaves nothing written. Every change to the agenda, attendees or status re-syncs the
agenda families' grants (``lcgs.meetings.grants``).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from agencies.models import LCG, Agency, Staff, User
from families.access.grants import grants_sync
from families.models import Family, FamilyStatusChange, Track
from families.services import family_transition
from families.states import FamilyStatus, chosen_transitions
from lcgs.allocation.services import family_allocate
from lcgs.meetings.access import MANAGE_DENIED, can_manage_meeting, can_run_meetings_of
from lcgs.meetings.models import (
    AgendaItem,
    AgendaReason,
    DecisionKind,
    Meeting,
    MeetingAttendee,
    MeetingDecision,
    MeetingStatus,
)
from lcgs.meetings.selectors import agenda_proposal, attendee_choices
from oneplan.dates import govuk_date, govuk_datetime
from oneplan.errors import ApplicationError
from plans.models import ActionOwner, Goal, GoalStatus, Plan
from plans.plan.services import action_create, action_progress_note_add
from plans.review.services import plan_next_review_set

LOCATION_MAX_LENGTH = 200
REASON_MAX_LENGTH = 2000


def _check_manager(actor: User, meeting: Meeting) -> None:
    if not can_manage_meeting(actor, meeting):
        raise PermissionDenied(MANAGE_DENIED)


def _lock_open(meeting: Meeting) -> Meeting:
    locked = Meeting.objects.select_for_update().select_related("lcg").get(pk=meeting.pk)
    if locked.is_closed:
        raise ApplicationError("This meeting is closed: nothing about it can change now")
    return locked


def _sync(actor: User, meeting: Meeting, family_ids: Sequence[int], why: str) -> None:
    grants_sync(actor=actor, family_ids=family_ids, why=why)


def _agenda_family_ids(meeting: Meeting) -> list[int]:
    return list(AgendaItem.objects.filter(meeting=meeting).values_list("family_id", flat=True))


def _clean_attendees(lcg: LCG, attendees: Sequence[Staff]) -> list[Staff]:
    allowed = set(
        attendee_choices(lcg).filter(pk__in=[s.pk for s in attendees]).values_list("pk", flat=True)
    )
    refused = [s for s in attendees if s.pk not in allowed]
    if refused:
        raise ApplicationError(
            f"{refused[0].display_name} does not work for one of {lcg.name}'s agencies: "
            "select staff of the LCG's agencies",
            field="attendees",
        )
    return list({s.pk: s for s in attendees}.values())


def _clean_location(location: str) -> str:
    text = location.strip()
    if len(text) > LOCATION_MAX_LENGTH:
        raise ApplicationError("The place must be 200 characters or fewer", field="location")
    return text


@transaction.atomic
def meeting_create(
    *,
    actor: User,
    lcg: LCG,
    starts_at: datetime.datetime,
    location: str = "",
    attendees: Sequence[Staff] = (),
) -> Meeting:
    """Create a meeting of ``lcg`` at ``starts_at``, with its attendees (staff of the
    LCG's agencies) and the agenda OnePlan proposes from the caseload (new families to
    allocate, stuck cases, drift, results at risk: ``selectors.agenda_proposal``). The
    LCG's coordinators and programme managers create meetings."""
    if not can_run_meetings_of(actor, lcg):
        raise PermissionDenied(MANAGE_DENIED)
    now = timezone.now()
    meeting = Meeting.objects.create(
        lcg=lcg,
        starts_at=starts_at,
        location=_clean_location(location),
        created_by=actor,
        created_at=now,
    )
    chosen = _clean_attendees(lcg, attendees)
    MeetingAttendee.objects.bulk_create(
        [MeetingAttendee(meeting=meeting, staff=s, added_by=actor, added_at=now) for s in chosen]
    )
    proposed = agenda_proposal(actor, lcg, now=now)
    AgendaItem.objects.bulk_create(
        [
            AgendaItem(
                meeting=meeting,
                family_id=p.family_id,
                reasons=[r.value for r in p.reasons],
                details=list(p.details),
                position=index,
                added_by=actor,
                added_at=now,
            )
            for index, p in enumerate(proposed, start=1)
        ]
    )
    _sync(actor, meeting, [p.family_id for p in proposed], "LCG meeting created")
    return meeting


@transaction.atomic
def meeting_update(
    *,
    actor: User,
    meeting: Meeting,
    starts_at: datetime.datetime,
    location: str,
) -> Meeting:
    """Move the meeting or change its place; attendees' access moves with its start."""
    _check_manager(actor, meeting)
    locked = _lock_open(meeting)
    locked.starts_at = starts_at
    locked.location = _clean_location(location)
    locked.save(update_fields=["starts_at", "location"])
    _sync(actor, locked, _agenda_family_ids(locked), "LCG meeting moved")
    return locked


@transaction.atomic
def meeting_attendees_set(*, actor: User, meeting: Meeting, attendees: Sequence[Staff]) -> Meeting:
    """Invite exactly ``attendees`` (staff of the LCG's agencies): those left out lose
    the access the meeting gave them, those added gain it."""
    _check_manager(actor, meeting)
    locked = _lock_open(meeting)
    chosen = {s.pk: s for s in _clean_attendees(locked.lcg, attendees)}
    have = set(MeetingAttendee.objects.filter(meeting=locked).values_list("staff_id", flat=True))
    MeetingAttendee.objects.filter(meeting=locked).exclude(staff_id__in=list(chosen)).delete()
    now = timezone.now()
    MeetingAttendee.objects.bulk_create(
        [
            MeetingAttendee(meeting=locked, staff=s, added_by=actor, added_at=now)
            for pk, s in chosen.items()
            if pk not in have
        ]
    )
    _sync(actor, locked, _agenda_family_ids(locked), "LCG meeting attendees changed")
    return locked


@transaction.atomic
def meeting_agenda_add(*, actor: User, meeting: Meeting, family: Family) -> AgendaItem:
    """Add a family of the meeting's LCG to its agenda (at the end)."""
    _check_manager(actor, meeting)
    locked = _lock_open(meeting)
    if family.lcg_id != locked.lcg_id:
        raise ApplicationError(
            f"{family.reference} is not one of {locked.lcg.name}'s families", field="reference"
        )
    if AgendaItem.objects.filter(meeting=locked, family=family).exists():
        raise ApplicationError(f"{family.reference} is already on the agenda", field="reference")
    last = AgendaItem.objects.filter(meeting=locked).aggregate(last=Max("position"))["last"]
    item = AgendaItem.objects.create(
        meeting=locked,
        family=family,
        reasons=[AgendaReason.ADDED.value],
        position=(last or 0) + 1,
        added_by=actor,
        added_at=timezone.now(),
    )
    _sync(actor, locked, [family.pk], "Added to an LCG meeting's agenda")
    return item


@transaction.atomic
def meeting_agenda_remove(*, actor: User, item: AgendaItem) -> None:
    """Take a family off the agenda; refused once a decision about it is recorded (the
    minutes keep it). Attendees lose the access the meeting gave them to it."""
    _check_manager(actor, item.meeting)
    locked = _lock_open(item.meeting)
    if MeetingDecision.objects.filter(item=item).exists():
        raise ApplicationError(
            f"A decision about {item.family.reference} is recorded: it stays on the agenda"
        )
    family_id = item.family_id
    AgendaItem.objects.filter(pk=item.pk, meeting=locked).delete()
    _sync(actor, locked, [family_id], "Taken off an LCG meeting's agenda")


@transaction.atomic
def meeting_close(*, actor: User, meeting: Meeting) -> Meeting:
    """Close the meeting: its minutes are final and every attendee's access to the
    agenda's families through it ends now."""
    _check_manager(actor, meeting)
    locked = _lock_open(meeting)
    locked.status = MeetingStatus.CLOSED
    locked.closed_at = timezone.now()
    locked.closed_by = actor
    locked.save(update_fields=["status", "closed_at", "closed_by"])
    _sync(actor, locked, _agenda_family_ids(locked), "LCG meeting closed")
    return locked


# ---------------------------------------------------------------------------
# Decisions
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AllocationDecision:
    track: Track | str
    lead_agency: Agency
    lead_professional: Staff | None
    reason: str


@dataclass(frozen=True)
class StatusDecision:
    to_status: FamilyStatus | str
    reason: str


@dataclass(frozen=True)
class ActionDecision:
    goal: Goal
    agency: Agency
    description: str
    due_on: datetime.date


@dataclass(frozen=True)
class ReviewDecision:
    next_review_on: datetime.date


Decision = AllocationDecision | StatusDecision | ActionDecision | ReviewDecision


def meeting_source(meeting: Meeting) -> str:
    """How a decision names the meeting it was made at, in the family's history."""
    return f"{meeting.lcg.name} meeting on {govuk_datetime(meeting.starts_at)}"


def _plan_of(family: Family) -> Plan:
    plan = Plan.objects.filter(family=family).first()
    if plan is None:
        raise ApplicationError(
            f"{family.reference} has no plan yet: its lead professional starts it first"
        )
    return plan


def _allocate(
    actor: User, meeting: Meeting, family: Family, d: AllocationDecision
) -> dict[str, Any]:
    allocation = family_allocate(
        actor=actor,
        family=family,
        track=d.track,
        lead_agency=d.lead_agency,
        lead_professional=d.lead_professional,
        reason=d.reason,
        source=meeting_source(meeting),
    )
    lead = allocation.assignment
    who = lead.lead_agency.name
    if lead.lead_professional is not None:
        who += f", {lead.lead_professional.display_name}"
    verb = "Handed over" if allocation.handover else "Allocated"
    return {
        "kind": DecisionKind.ALLOCATION,
        "summary": f"{verb} on the {Track(lead.track).label.lower()} track to {who}. "
        f"{d.reason.strip()}",
        "lead_assignment": lead,
    }


def _status(actor: User, meeting: Meeting, family: Family, d: StatusDecision) -> dict[str, Any]:
    reason = d.reason.strip()
    if not reason:
        raise ApplicationError("Enter the reason for the change", field="reason")
    try:
        target = FamilyStatus(d.to_status)
    except ValueError:
        raise ApplicationError("Select the new status", field="to_status") from None
    if target not in chosen_transitions(family.status):
        raise ApplicationError(
            f"A family that is {FamilyStatus(family.status).label.lower()} cannot move to "
            f"{target.label.lower()} here",
            field="to_status",
        )
    changed = family_transition(
        actor=actor,
        family=family,
        to_status=target,
        reason=f"Decided at the {meeting_source(meeting)}: {reason}",
        chosen=True,
    )
    change = FamilyStatusChange.objects.filter(family=changed).latest("created_at", "pk")
    return {
        "kind": DecisionKind.STATUS,
        "summary": f"Status changed to {target.label.lower()}. {reason}",
        "status_change": change,
    }


def _action(actor: User, meeting: Meeting, family: Family, d: ActionDecision) -> dict[str, Any]:
    plan = _plan_of(family)
    if d.goal.plan_id != plan.pk or d.goal.status != GoalStatus.OPEN:
        raise ApplicationError(
            "Select a goal of the family's plan still being worked on", field="goal"
        )
    action = action_create(
        actor=actor,
        goal=d.goal,
        description=d.description,
        owner=ActionOwner.AGENCY,
        agency=d.agency,
        due_on=d.due_on,
    )
    # The plan names the meeting on the action itself, where its agency will look.
    action_progress_note_add(
        actor=actor, action=action, text=f"Agreed at the {meeting_source(meeting)}."
    )
    return {
        "kind": DecisionKind.ACTION,
        "summary": f"New action for {d.agency.name}, due {govuk_date(d.due_on)}: "
        f"{action.description}",
        "action": action,
    }


def _review(actor: User, meeting: Meeting, family: Family, d: ReviewDecision) -> dict[str, Any]:
    plan = plan_next_review_set(
        actor=actor,
        plan=_plan_of(family),
        next_review_on=d.next_review_on,
        source=f"decided at the {meeting_source(meeting)}",
    )
    assert plan.next_review_on is not None
    return {
        "kind": DecisionKind.REVIEW,
        "summary": f"Next review of the plan on {govuk_date(plan.next_review_on)}.",
        "next_review_on": plan.next_review_on,
    }


@transaction.atomic
def meeting_decision_record(
    *, actor: User, item: AgendaItem, decision: Decision
) -> MeetingDecision:
    """Record a decision about an agenda family, writing it straight into the family
    (allocation or handover through ``family_allocate``; a side exit, closing or
    re-opening through ``family_transition``) or its plan (a new action for an agency
    through ``action_create``; the next review date through ``plan_next_review_set``),
    with the meeting named as where it was decided. Only while the meeting is open, once
    it has started, by its LCG's coordinators and programme managers. What those
    services refuse is refused here, and nothing of the decision is kept."""
    meeting = item.meeting
    _check_manager(actor, meeting)
    locked = _lock_open(meeting)
    if locked.starts_at > timezone.now():
        raise ApplicationError(
            f"The meeting starts on {govuk_datetime(locked.starts_at)}: record decisions "
            "once it has started"
        )
    family = Family.objects.get(pk=item.family_id)
    try:
        if isinstance(decision, AllocationDecision):
            done = _allocate(actor, locked, family, decision)
        elif isinstance(decision, StatusDecision):
            done = _status(actor, locked, family, decision)
        elif isinstance(decision, ActionDecision):
            done = _action(actor, locked, family, decision)
        else:
            done = _review(actor, locked, family, decision)
    except PermissionDenied as exc:
        # The owning service's own rule (a programme manager does not write plans):
        # a refusal of this decision, told on the form.
        raise ApplicationError(str(exc) or "You cannot make this decision") from exc
    return MeetingDecision.objects.create(
        meeting=locked,
        item=item,
        family=family,
        recorded_by=actor,
        recorded_at=timezone.now(),
        **done,
    )
