"""LCG meetings: the proposed agenda, decisions written into the family and its plan with
the meeting as their source, a refused decision leaving nothing, and the meeting's grants
(an attendee sees the agenda's families during the meeting only)."""

from __future__ import annotations

import datetime
from typing import Any

import pghistory.models
import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from agencies.services import system_actor
from conftest import World
from families.access.access import access_reasons, family_permissions
from families.access.grants import grants_expire, grants_sync
from families.grants_models import Grant, GrantReason
from families.models import Family, FamilyStatusChange, LeadAssignment
from families.states import FamilyStatus
from lcgs.meetings import services
from lcgs.meetings.models import AgendaItem, AgendaReason, MeetingDecision
from lcgs.meetings.selectors import agenda_proposal
from lcgs.tests.caseload_support import build_caseload
from lcgs.tests.meetings_support import build_meeting, invite_police, sees
from oneplan.errors import ApplicationError
from plans.models import Action, ActionProgressNote, Plan, PlanVersion

pytestmark = pytest.mark.django_db

R = AgendaReason


# --- The agenda OnePlan proposes ------------------------------------------------------


def test_agenda_proposal_names_new_stuck_drifting_and_at_risk_families(world: World) -> None:
    caseload = build_caseload(world)
    proposed = agenda_proposal(world.coordinator.user, world.winchester, now=timezone.now())
    by_ref = {Family.objects.get(pk=p.family_id).reference: set(p.reasons) for p in proposed}
    assert by_ref == {
        # screened 60 days ago, not allocated
        caseload.ref("screened"): {R.NEW},
        # allocated 35 days ago without a lead professional or an agreed plan
        caseload.ref("allocated"): {R.STUCK},
        # review and a police action overdue, no progress for 50 days, results at risk
        caseload.ref("drifting"): {R.STUCK, R.DRIFT, R.AT_RISK},
    }
    # New families first, then the rest, the longest at their status first.
    assert [Family.objects.get(pk=p.family_id).reference for p in proposed] == [
        caseload.ref("screened"),
        caseload.ref("drifting"),
        caseload.ref("allocated"),
    ]
    drifting = next(p for p in proposed if p.family_id == caseload.families["drifting"].pk)
    assert set(drifting.details) == {"Review overdue", "An agency's action is overdue"}


def test_agenda_proposal_is_the_users_caseload_only(world: World) -> None:
    caseload = build_caseload(world)
    # Another LCG's coordinator finds nothing of Winchester's.
    assert agenda_proposal(world.other_coordinator.user, world.winchester, now=timezone.now()) == []
    # The programme manager finds what the coordinator finds.
    pm = agenda_proposal(world.programme_manager.user, world.winchester, now=timezone.now())
    assert caseload.families["screened"].pk in {p.family_id for p in pm}


def test_creating_a_meeting_puts_the_proposal_on_its_agenda_with_history(world: World) -> None:
    caseload = build_caseload(world)
    meeting = services.meeting_create(
        actor=world.coordinator.user,
        lcg=world.winchester,
        starts_at=timezone.now() + datetime.timedelta(days=2),
        attendees=[world.keyworker],
    )
    agenda = list(AgendaItem.objects.filter(meeting=meeting).order_by("position"))
    assert [i.family_id for i in agenda] == [
        caseload.families[n].pk for n in ("screened", "drifting", "allocated")
    ]
    assert agenda[1].reasons == [R.STUCK, R.DRIFT, R.AT_RISK]
    assert pghistory.models.Events.objects.filter(pgh_label="insert").references(meeting).exists()


def test_coordinator_adds_and_removes_agenda_families(world: World) -> None:
    mw = build_meeting(world)
    coordinator = world.coordinator.user
    with pytest.raises(ApplicationError, match="already on the agenda"):
        services.meeting_agenda_add(actor=coordinator, meeting=mw.meeting, family=world.own_family)
    with pytest.raises(ApplicationError, match="not one of Winchester LCG's families"):
        services.meeting_agenda_add(
            actor=coordinator, meeting=mw.meeting, family=world.other_lcg_family
        )
    services.meeting_agenda_remove(actor=coordinator, item=mw.item)
    assert not AgendaItem.objects.filter(pk=mw.item.pk).exists()


@pytest.mark.parametrize("who", ["other_coordinator", "keyworker", "practitioner", "auditor"])
def test_only_the_lcgs_coordinators_and_programme_managers_change_a_meeting(
    world: World, who: str
) -> None:
    mw = build_meeting(world)
    actor = getattr(world, who).user
    with pytest.raises(PermissionDenied):
        services.meeting_agenda_remove(actor=actor, item=mw.item)
    with pytest.raises(PermissionDenied):
        services.meeting_close(actor=actor, meeting=mw.meeting)
    assert AgendaItem.objects.filter(pk=mw.item.pk).exists()


def test_attendees_come_from_the_lcgs_agencies(world: World) -> None:
    mw = build_meeting(world)
    # The school works with a Havant family only.
    with pytest.raises(ApplicationError, match="does not work for one of Winchester"):
        services.meeting_attendees_set(
            actor=world.coordinator.user,
            meeting=mw.meeting,
            attendees=[world.other_practitioner],
        )
    assert set(mw.meeting.attendees.values_list("staff_id", flat=True)) == {
        world.practitioner.pk,
        world.coordinator.pk,
    }


# --- Decisions --------------------------------------------------------------------------


def test_allocation_decision_allocates_with_the_meeting_as_source(world: World) -> None:
    mw = build_meeting(world)
    Family.objects.filter(pk=world.own_family.pk).update(
        status=FamilyStatus.SCREENED, lead_agency=None, lead_professional=None, track=""
    )
    decision = services.meeting_decision_record(
        actor=world.coordinator.user,
        item=mw.item,
        decision=services.AllocationDecision(
            track="local",
            lead_agency=world.council,
            lead_professional=world.other_keyworker,
            reason="The school's worries come first",
        ),
    )
    family = Family.objects.get(pk=world.own_family.pk)
    assert (family.status, family.lead_professional_id) == (
        FamilyStatus.ALLOCATED,
        world.other_keyworker.pk,
    )
    assignment = LeadAssignment.objects.get(family=family, ended_at__isnull=True)
    assert decision.lead_assignment == assignment
    assert assignment.source == services.meeting_source(mw.meeting)
    assert "Winchester LCG meeting" in assignment.source
    change = FamilyStatusChange.objects.filter(family=family).latest("created_at", "pk")
    assert "Winchester LCG meeting" in change.reason
    assert "Allocated on the local track" in decision.summary


def test_status_decision_moves_the_family_with_the_reason_and_meeting(world: World) -> None:
    mw = build_meeting(world)
    decision = services.meeting_decision_record(
        actor=world.coordinator.user,
        item=mw.item,
        decision=services.StatusDecision(to_status="moved_away", reason="Moved to Dorset"),
    )
    family = Family.objects.get(pk=world.own_family.pk)
    assert family.status == FamilyStatus.MOVED_AWAY
    assert decision.status_change is not None
    assert decision.status_change.reason.startswith("Decided at the Winchester LCG meeting")
    assert decision.status_change.reason.endswith("Moved to Dorset")


def test_action_decision_adds_an_action_to_the_plan_naming_the_meeting(world: World) -> None:
    mw = build_meeting(world, police_on_team=True)
    due = timezone.localdate() + datetime.timedelta(days=14)
    decision = services.meeting_decision_record(
        actor=world.coordinator.user,
        item=mw.item,
        decision=services.ActionDecision(
            goal=mw.goal, agency=world.police, description="Visit the family", due_on=due
        ),
    )
    action = Action.objects.get(plan=mw.plan, description="Visit the family")
    assert decision.action == action
    assert (action.agency_id, action.due_on, action.goal_id) == (world.police.pk, due, mw.goal.pk)
    note = ActionProgressNote.objects.get(action=action)
    assert "Winchester LCG meeting" in note.text
    assert "New action for Hampshire Constabulary" in decision.summary


def test_review_decision_schedules_the_review_naming_the_meeting(world: World) -> None:
    mw = build_meeting(world)
    day = timezone.localdate() + datetime.timedelta(days=21)
    decision = services.meeting_decision_record(
        actor=world.coordinator.user,
        item=mw.item,
        decision=services.ReviewDecision(next_review_on=day),
    )
    plan = Plan.objects.get(pk=mw.plan.pk)
    assert plan.next_review_on == day == decision.next_review_on
    latest = PlanVersion.objects.filter(plan=plan).latest("number")
    assert "Winchester LCG meeting" in latest.summary


def _state() -> tuple[Any, ...]:
    return (
        sorted(Family.objects.values_list("pk", "status", "track", "lead_agency_id")),
        LeadAssignment.objects.count(),
        FamilyStatusChange.objects.count(),
        Action.objects.count(),
        ActionProgressNote.objects.count(),
        sorted(Plan.objects.values_list("pk", "version", "next_review_on")),
        MeetingDecision.objects.count(),
        sorted(Grant.objects.values_list("pk", "ended_at")),
    )


REFUSED: list[tuple[str, str, Any]] = [
    (
        "intensive track needs a provider",
        "intensive support provider",
        lambda w, mw: services.AllocationDecision(
            track="intensive", lead_agency=w.council, lead_professional=None, reason="Agreed"
        ),
    ),
    (
        "status the journey does not allow",
        "cannot move to screened",
        lambda w, mw: services.StatusDecision(to_status="screened", reason="Back"),
    ),
    (
        "status without a reason",
        "Enter the reason",
        lambda w, mw: services.StatusDecision(to_status="declined", reason="  "),
    ),
    (
        "action due in the past",
        "today or in the future",
        lambda w, mw: services.ActionDecision(
            goal=mw.goal,
            agency=w.police,
            description="Visit",
            due_on=timezone.localdate() - datetime.timedelta(days=1),
        ),
    ),
    (
        "review date not after today",
        "after today",
        lambda w, mw: services.ReviewDecision(next_review_on=timezone.localdate()),
    ),
]


@pytest.mark.parametrize(("case", "message", "make"), REFUSED, ids=[c[0] for c in REFUSED])
def test_a_refused_decision_leaves_nothing_written(
    world: World, case: str, message: str, make: Any
) -> None:
    mw = build_meeting(world, police_on_team=True)
    before = _state()
    with pytest.raises(ApplicationError, match=message):
        services.meeting_decision_record(
            actor=world.coordinator.user, item=mw.item, decision=make(world, mw)
        )
    assert _state() == before


def test_a_failure_after_the_first_write_undoes_it(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The action is saved, then naming the meeting on it fails: the action goes too."""
    mw = build_meeting(world, police_on_team=True)
    before = _state()

    def refuse(**kwargs: Any) -> None:
        raise ApplicationError("Enter a progress note", field="text")

    monkeypatch.setattr(services, "action_progress_note_add", refuse)
    with pytest.raises(ApplicationError):
        services.meeting_decision_record(
            actor=world.coordinator.user,
            item=mw.item,
            decision=services.ActionDecision(
                goal=mw.goal,
                agency=world.police,
                description="Visit",
                due_on=timezone.localdate() + datetime.timedelta(days=3),
            ),
        )
    assert _state() == before


def test_programme_manager_cannot_write_plans_so_the_decision_is_refused(world: World) -> None:
    mw = build_meeting(world)
    before = _state()
    with pytest.raises(ApplicationError):
        services.meeting_decision_record(
            actor=world.programme_manager.user,
            item=mw.item,
            decision=services.ReviewDecision(
                next_review_on=timezone.localdate() + datetime.timedelta(days=9)
            ),
        )
    assert _state() == before


def test_no_decision_before_the_meeting_starts_or_after_it_closes(world: World) -> None:
    mw = build_meeting(world, starts_at=timezone.now() + datetime.timedelta(hours=2))
    decision = services.StatusDecision(to_status="declined", reason="Declined")
    with pytest.raises(ApplicationError, match="once it has started"):
        services.meeting_decision_record(
            actor=world.coordinator.user, item=mw.item, decision=decision
        )
    services.meeting_close(actor=world.coordinator.user, meeting=mw.meeting)
    with pytest.raises(ApplicationError, match="closed"):
        services.meeting_decision_record(
            actor=world.coordinator.user, item=mw.item, decision=decision
        )
    assert Family.objects.get(pk=world.own_family.pk).status == FamilyStatus.PLAN_ACTIVE


# --- Meeting access through grants --------------------------------------------------------


def test_attendee_sees_agenda_families_during_the_meeting_only(world: World) -> None:
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        start = timezone.now() + datetime.timedelta(hours=1)
        mw = build_meeting(world, starts_at=start)
        police = world.practitioner
        # Not before it starts...
        assert not sees(police, world.own_family)
        traveller.shift(datetime.timedelta(hours=1))
        # ...from its start: the agenda's family, view only, and no other family.
        assert sees(police, world.own_family)
        assert family_permissions(police.user, world.own_family) == {"view_family"}
        assert not sees(police, world.other_lcg_family)
        assert not sees(police, world.unassigned_family)
        # Another sync of the family (its lead changed, say) keeps the meeting's grant.
        grants_sync(actor=system_actor(), family_ids=[world.own_family.pk], why="Lead changed")
        assert sees(police, world.own_family)
        # Closing the meeting ends it.
        services.meeting_close(actor=world.coordinator.user, meeting=mw.meeting)
        assert not sees(police, world.own_family)
        grant = Grant.objects.get(reason=GrantReason.MEETING, user=police.user)
        assert grant.ended_at is not None
        assert grant.end_reason == "LCG meeting closed"


def test_attendee_access_ends_24_hours_after_the_start(world: World) -> None:
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        build_meeting(world, starts_at=timezone.now())
        police = world.practitioner
        assert sees(police, world.own_family)
        traveller.shift(datetime.timedelta(hours=23, minutes=59))
        assert sees(police, world.own_family)
        traveller.shift(datetime.timedelta(minutes=1))
        # Lapsed at once for lists and pages, before the expiry job runs...
        assert not sees(police, world.own_family)
        # ...which then ends the grant, and a re-sync does not reopen it.
        assert grants_expire(actor=system_actor()) == 1
        grants_sync(actor=system_actor(), family_ids=[world.own_family.pk])
        assert not Grant.objects.filter(reason=GrantReason.MEETING, ended_at__isnull=True).exists()
        assert not sees(police, world.own_family)


def test_why_can_i_see_this_family_names_the_meeting(world: World) -> None:
    mw = build_meeting(world)
    reasons = access_reasons(world.practitioner.user, world.own_family)
    assert [r.summary for r in reasons] == ["You: lcg meeting"]
    assert str(mw.meeting.starts_at.year) in reasons[0].detail
    assert "Winchester LCG meeting on" in reasons[0].detail


def test_attendees_from_involved_agencies_get_no_meeting_grant(world: World) -> None:
    # The police are on the family's team; the coordinator's council leads it.
    build_meeting(world, police_on_team=True)
    assert not Grant.objects.filter(reason=GrantReason.MEETING).exists()
    assert sees(world.practitioner, world.own_family)


def test_taking_a_family_off_the_agenda_or_an_attendee_off_the_list_ends_access(
    world: World,
) -> None:
    mw = build_meeting(world)
    assert sees(world.practitioner, world.own_family)
    services.meeting_attendees_set(
        actor=world.coordinator.user, meeting=mw.meeting, attendees=[world.coordinator]
    )
    assert not sees(world.practitioner, world.own_family)
    services.meeting_attendees_set(
        actor=world.coordinator.user, meeting=mw.meeting, attendees=[world.practitioner]
    )
    assert sees(world.practitioner, world.own_family)
    services.meeting_agenda_remove(actor=world.coordinator.user, item=mw.item)
    assert not sees(world.practitioner, world.own_family)


def test_moving_the_meeting_moves_the_access(world: World) -> None:
    mw = build_meeting(world)
    assert sees(world.practitioner, world.own_family)
    services.meeting_update(
        actor=world.coordinator.user,
        meeting=mw.meeting,
        starts_at=timezone.now() + datetime.timedelta(days=1),
        location="",
    )
    assert not sees(world.practitioner, world.own_family)
    assert Grant.objects.filter(reason=GrantReason.MEETING, ended_at__isnull=True).count() == 1


def test_invite_police_alone_gives_no_access(world: World) -> None:
    invite_police(world)
    assert not sees(world.practitioner, world.own_family)
