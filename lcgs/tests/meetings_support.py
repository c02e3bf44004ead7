"""Builders for the meeting tests: a Winchester meeting with its agenda and attendees,
and a family with a plan the meeting can add to. No tests here."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from agencies.models import LCGMembership, Staff
from conftest import World
from families.access.access import family_scope
from families.models import Family
from families.states import FamilyStatus
from lcgs.meetings.models import AgendaItem, Meeting
from lcgs.meetings.services import meeting_agenda_add, meeting_attendees_set, meeting_create
from plans.models import Goal, Plan
from plans.plan.services import goal_create, need_create, plan_get_or_create
from plans.tests.test_work_support import join_team


def invite_police(world: World) -> Staff:
    """The police practitioner may attend Winchester's meetings: a member of the LCG
    for the police (not a coordinator). The police work with none of its families."""
    LCGMembership.objects.create(
        lcg=world.winchester, staff=world.practitioner, is_coordinator=False
    )
    return world.practitioner


def sees(staff: Staff, family: Family) -> bool:
    return Family.objects.filter(family_scope(staff.user), pk=family.pk).exists()


@dataclass
class MeetingWorld:
    world: World
    meeting: Meeting
    item: AgendaItem  # own_family on the agenda
    plan: Plan
    goal: Goal
    restricted_goal: Goal


def with_plan(world: World) -> tuple[Plan, Goal, Goal]:
    """own_family plan active, with a plan, an ordinary goal and a restricted one (it
    serves only a domestic abuse need); the police on its team."""
    family = world.own_family
    Family.objects.filter(pk=family.pk).update(status=FamilyStatus.PLAN_ACTIVE, track="local")
    actor = world.keyworker.user
    plan = plan_get_or_create(actor=actor, family=family)
    school = need_create(actor=actor, plan=plan, kind="education", label="School attendance")
    abuse = need_create(actor=actor, plan=plan, kind="domestic_abuse", label="Safety at home")
    goal = goal_create(actor=actor, plan=plan, title="Ordinaryschoolgoal", needs=[school])
    restricted = goal_create(actor=actor, plan=plan, title="Keep safe at home", needs=[abuse])
    return plan, goal, restricted


def build_meeting(
    world: World,
    *,
    starts_at: datetime.datetime | None = None,
    police_on_team: bool = False,
) -> MeetingWorld:
    """A Winchester meeting run by its coordinator, own_family on its agenda, the police
    practitioner invited."""
    plan, goal, restricted = with_plan(world)
    if police_on_team:
        join_team(world.own_family, world.police)
    invite_police(world)
    meeting = meeting_create(
        actor=world.coordinator.user,
        lcg=world.winchester,
        starts_at=starts_at or timezone.now() - datetime.timedelta(minutes=5),
        location="Winchester Guildhall",
    )
    meeting_attendees_set(
        actor=world.coordinator.user,
        meeting=meeting,
        attendees=[world.practitioner, world.coordinator],
    )
    item = AgendaItem.objects.filter(meeting=meeting, family=world.own_family).first()
    if item is None:
        item = meeting_agenda_add(
            actor=world.coordinator.user, meeting=meeting, family=world.own_family
        )
    return MeetingWorld(world, meeting, item, plan, goal, restricted)
