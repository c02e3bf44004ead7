"""Shared set-up for the single family plan tests: a started plan for ``own_family``
with identified needs, a goal and a police action (which puts police on the team).

No tests here; the other test_plan_* modules import these helpers.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from conftest import World
from families.access.services import lawful_basis_record
from families.grants_models import LawfulBasisKind
from families.models import Family, Person
from plans.models import Action, Goal, Need, Plan
from plans.plan import services


def lawful_basis_for(world: World, family: Family | None = None) -> None:
    lawful_basis_record(
        actor=world.keyworker.user,
        family=family or world.own_family,
        kind=LawfulBasisKind.STATUTORY_GATEWAY,
        gateway="Children Act 1989 section 17",
        given_on=timezone.localdate(),
    )


def member_of(family: Family) -> Person:
    return Person.objects.filter(memberships__family=family).order_by("pk").first()


@dataclass
class PlanWorld:
    plan: Plan
    education: Need
    crime: Need
    goal: Goal
    police_action: Action


def started_plan(world: World, *, restricted_need: bool = False) -> PlanWorld:
    """own_family's plan: needs education and crime (plus domestic abuse when asked),
    one goal covering education, and an action for the police (now on the team)."""
    family = world.own_family
    actor = world.keyworker.user
    lawful_basis_for(world)
    needs = [
        ("education", "Children not attending school regularly", [member_of(family).pk]),
        ("crime", "Crime or anti-social behaviour", []),
    ]
    if restricted_need:
        needs.append(("domestic_abuse", "Families affected by domestic abuse", []))
    plan = services.plan_get_or_create(actor=actor, family=family)
    opened = services.needs_identified_open(
        actor=actor,
        identified={family.pk: services.IdentifiedNeeds("tf2", needs)},
    )
    education, crime = opened[0], opened[1]
    goal = services.goal_create(
        actor=actor,
        plan=plan,
        title="Jordan goes to school every day",
        needs=[education],
        members=[member_of(family)],
    )
    action = services.action_create(
        actor=actor,
        goal=goal,
        description="Visit school with Jordan each Monday",
        owner="agency",
        agency=world.police,
        due_on=timezone.localdate() + datetime.timedelta(days=14),
    )
    plan.refresh_from_db()
    goal.refresh_from_db()
    return PlanWorld(plan=plan, education=education, crime=crime, goal=goal, police_action=action)
