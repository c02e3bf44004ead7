"""Builders for the caseload tests: families at a point of their journey since a given
time (with the status history the services would have written), results, and a small
caseload with one family for each figure of the dashboard. No tests here.

Rows are written with the ORM directly: the journey's and the plan's services are other
areas', and the figures are about dates in the past that services cannot write.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from agencies.models import LCG, Agency, Staff
from agencies.services import system_actor
from conftest import World
from families.access.grants import grants_sync
from families.models import Family, FamilyStatusChange, LeadAssignment, Track
from families.states import FamilyStatus
from lcgs.caseload.conditions import Clock
from lcgs.money.models import LCGTarget
from outcomes.assessment.services import framework_versions_ensure
from outcomes.models import FrameworkVersion, Readiness, Result
from outcomes.money.rules import financial_year_of
from plans.models import ActionStatus, PlanStatus
from plans.tests.test_work_support import (
    make_action,
    make_agreement,
    make_goal,
    make_need,
    make_plan,
)
from tests.factories import FamilyFactory, MembershipFactory
from tests.support.screening import assessment_add, nomination_add

S = FamilyStatus
JOURNEY = [
    S.IDENTIFIED,
    S.SCREENED,
    S.ALLOCATED,
    S.ENGAGED,
    S.PLAN_ACTIVE,
    S.OUTCOMES_MET,
    S.CLAIMED,
]


def days_ago(now: datetime.datetime, days: float) -> datetime.datetime:
    return now - datetime.timedelta(days=days)


def family_at(
    lcg: LCG | None,
    status: FamilyStatus,
    *,
    arrived: dict[FamilyStatus, datetime.datetime],
    track: str = "",
    lead_agency: Agency | None = None,
    lead_professional: Staff | None = None,
    surname: str = "Ashdown",
) -> Family:
    """A family now at ``status``, with a status change into each status of ``arrived``
    at its time (in journey order), as ``families.services.family_transition`` records
    them, and ``status_changed_at`` the arrival at ``status``."""
    actor = system_actor()
    family = FamilyFactory(
        lcg=lcg,
        status=status,
        status_changed_at=arrived[status],
        track=track,
        lead_agency=lead_agency or (lead_professional.agency if lead_professional else None),
        lead_professional=lead_professional,
    )
    MembershipFactory(family=family, person__family_name=surname)
    previous = ""
    for step in sorted(arrived, key=lambda s: arrived[s]):
        FamilyStatusChange.objects.create(
            family=family,
            from_status=previous,
            to_status=step,
            reason="Moved on",
            actor=actor,
            created_at=arrived[step],
        )
        previous = step
    return family


def result_add(family: Family, readiness: str, *, framework: str = "sf2022") -> Result:
    framework_versions_ensure()
    version = FrameworkVersion.objects.filter(framework=framework).order_by("-version").first()
    assert version is not None
    return Result.objects.create(
        family=family,
        framework=framework,
        framework_version=version,
        as_of=timezone.localdate(),
        readiness=readiness,
        fingerprint=f"{family.pk}-{readiness}",
        evaluated_at=timezone.now(),
    )


@dataclass
class Caseload:
    """The personas' world with one Winchester family for each figure, and a Havant
    family that has a little of everything (a coordinator of Winchester never sees it)."""

    world: World
    clock: Clock
    families: dict[str, Family] = field(default_factory=dict)

    def ref(self, name: str) -> str:
        return self.families[name].reference


def build_caseload(world: World) -> Caseload:
    """Winchester (the coordinator's LCG), besides ``own_family`` (identified, on no
    list):

    - ``eligible``: identified 20 days ago, eligible in agencies' data;
    - ``nominated``: identified 3 days ago, nominated by the police;
    - ``both``: identified 70 days ago, eligible and nominated;
    - ``screened``: screened 60 days ago;
    - ``allocated``: allocated 35 days ago to the council on the local track, no lead
      professional; taken on on the local track (its lead assignment starts now, so it
      is in this financial year), against Winchester's target of 4 families;
    - ``engaged``: allocated 10 days ago (intensive, the keyworker leads), engaged 2 days
      ago;
    - ``drifting``: plan active, local, the keyworker leads; its plan last changed 50 days
      ago, review 5 days overdue, a police action 3 days overdue, needs education and
      domestic abuse; results at risk;
    - ``active``: plan active, local, the keyworker leads; plan changed today, agreed,
      review next month, its police action done; results claimable;
    - ``declined``: left the journey.

    Havant: ``havant``: plan active on the intensive track, the school leads, plan 60 days
    old, a school action overdue, results claimable.
    """
    framework_versions_ensure()
    now = timezone.now()
    clock = Clock(now=now, today=timezone.localdate(now))
    w = world
    win = w.winchester

    def arrivals(**days: float) -> dict[FamilyStatus, datetime.datetime]:
        return {S(status): days_ago(now, ago) for status, ago in days.items()}

    made: dict[str, Family] = {}
    made["eligible"] = family_at(win, S.IDENTIFIED, arrived=arrivals(identified=20))
    assessment_add(made["eligible"], met=["education", "crime", "housing", "health"])
    made["nominated"] = family_at(win, S.IDENTIFIED, arrived=arrivals(identified=3))
    nomination_add(made["nominated"], w.practitioner)
    made["both"] = family_at(win, S.IDENTIFIED, arrived=arrivals(identified=70))
    assessment_add(made["both"], met=["education", "crime", "housing"])
    nomination_add(made["both"], w.practitioner)
    made["screened"] = family_at(win, S.SCREENED, arrived=arrivals(identified=90, screened=60))
    made["allocated"] = family_at(
        win,
        S.ALLOCATED,
        arrived=arrivals(identified=80, screened=50, allocated=35),
        track=Track.LOCAL,
        lead_agency=w.council,
    )
    # Taken on on the local track now (the grant statement's count), against a target.
    LeadAssignment.objects.create(
        family=made["allocated"],
        lead_agency=w.council,
        track=Track.LOCAL,
        reason="Allocated at the LCG",
        actor=system_actor(),
        started_at=now,
    )
    Family.objects.filter(pk=made["allocated"].pk).update(first_local_lead_at=now)
    LCGTarget.objects.create(
        lcg=win,
        financial_year=financial_year_of(clock.today),
        families_taken_on=4,
        results=2,
        updated_at=now,
    )
    made["engaged"] = family_at(
        win,
        S.ENGAGED,
        arrived=arrivals(identified=40, screened=20, allocated=10, engaged=2),
        track=Track.INTENSIVE,
        lead_professional=w.keyworker,
    )
    made["drifting"] = family_at(
        win,
        S.PLAN_ACTIVE,
        arrived=arrivals(identified=400, screened=380, allocated=370, engaged=360, plan_active=300),
        track=Track.LOCAL,
        lead_professional=w.keyworker,
    )
    plan = make_plan(
        made["drifting"],
        status=PlanStatus.AGREED,
        next_review_on=clock.today - datetime.timedelta(days=5),
        at=days_ago(now, 50),
    )
    education = make_need(made["drifting"], code="education")
    make_need(made["drifting"], code="domestic_abuse")
    goal = make_goal(plan, needs=(education,))
    make_action(goal, due_on=clock.today - datetime.timedelta(days=3), agency=w.police)
    result_add(made["drifting"], Readiness.AT_RISK)
    made["active"] = family_at(
        win,
        S.PLAN_ACTIVE,
        arrived=arrivals(identified=200, screened=190, allocated=180, engaged=170, plan_active=150),
        track=Track.LOCAL,
        lead_professional=w.keyworker,
    )
    plan = make_plan(
        made["active"],
        status=PlanStatus.AGREED,
        next_review_on=clock.today + datetime.timedelta(days=30),
    )
    make_agreement(plan, version=1, on=clock.today)
    goal = make_goal(plan)
    make_action(
        goal,
        due_on=clock.today - datetime.timedelta(days=3),
        agency=w.police,
        status=ActionStatus.DONE,
        completed_on=clock.today,
    )
    result_add(made["active"], Readiness.CLAIMABLE)
    made["declined"] = family_at(win, S.DECLINED, arrived=arrivals(identified=30, declined=25))

    school = w.other_lcg_family.lead_agency
    assert school is not None
    made["havant"] = family_at(
        w.havant,
        S.PLAN_ACTIVE,
        arrived=arrivals(identified=300, screened=290, allocated=280, engaged=270, plan_active=250),
        track=Track.INTENSIVE,
        lead_agency=school,
    )
    plan = make_plan(made["havant"], status=PlanStatus.AGREED, at=days_ago(now, 60))
    make_action(make_goal(plan), due_on=clock.today - datetime.timedelta(days=1), agency=school)
    result_add(made["havant"], Readiness.CLAIMABLE)
    grants_sync(actor=system_actor(), family_ids=[f.pk for f in made.values()])
    return Caseload(world=world, clock=clock, families=made)
