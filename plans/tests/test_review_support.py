"""Builders for the review, agreement, notes, print and chronology tests. No tests here.

The plan is built through the plan's own services, as a key worker would build it, so
versions and the team around the family are what they would be in use.
"""

from __future__ import annotations

import datetime
import re
import zlib
from dataclasses import dataclass
from typing import Any

from django.db.models import Model
from django.utils import timezone

from conftest import World
from families.access.services import lawful_basis_record
from families.grants_models import LawfulBasisKind
from families.models import Person
from plans.models import (
    Action,
    ActionOwner,
    Agreement,
    CaseNote,
    Goal,
    GoalRating,
    Need,
    Plan,
    PlanVersion,
    Review,
)
from plans.plan.services import action_create, goal_create, need_create, plan_get_or_create

RESTRICTED_NEED = "Safe from domestic abuse"
RESTRICTED_GOAL = "Keep Jordan safe from his father"
RESTRICTED_ACTION = "Refuge outreach worker visits weekly"
OPEN_GOAL = "Jordan goes to school every day"
OPEN_ACTION = "Walk Jordan to the school gate"
POLICE_ACTION = "PCSO drops in after school"
SECRET_STREET = "Hideaway Close"


@dataclass
class PlanWorld:
    plan: Plan
    jordan: Person
    education: Need
    housing: Need
    abuse: Need
    goal: Goal
    restricted_goal: Goal
    family_action: Action
    police_action: Action
    restricted_action: Action


def today() -> datetime.date:
    return timezone.localdate()


def lawful_basis_in_place(world: World) -> None:
    """Sharing rests on a statutory gateway, so agencies given actions join the team."""
    lawful_basis_record(
        actor=world.keyworker.user,
        family=world.own_family,
        kind=LawfulBasisKind.STATUTORY_GATEWAY,
        gateway="Children Act 2004 s.10",
        given_on=today(),
    )


def build_plan(world: World, *, with_housing_goal: bool = True) -> PlanWorld:
    """own_family's plan: an education goal with a family and a police action, a goal
    serving only a restricted need (with its own action), and a housing need that has
    a goal unless ``with_housing_goal`` is False (so the plan cannot be agreed)."""
    lawful_basis_in_place(world)
    actor = world.keyworker.user
    family = world.own_family
    jordan = family.memberships.get().person
    plan = plan_get_or_create(actor=actor, family=family)
    education = need_create(actor=actor, plan=plan, kind="education", label="Education")
    housing = need_create(actor=actor, plan=plan, kind="housing", label="Housing")
    abuse = need_create(actor=actor, plan=plan, kind="domestic_abuse", label=RESTRICTED_NEED)
    goal = goal_create(actor=actor, plan=plan, title=OPEN_GOAL, needs=[education])
    if with_housing_goal:
        goal_create(actor=actor, plan=plan, title="A home that is warm and dry", needs=[housing])
    restricted_goal = goal_create(actor=actor, plan=plan, title=RESTRICTED_GOAL, needs=[abuse])
    due = today() + datetime.timedelta(days=14)
    family_action = action_create(
        actor=actor,
        goal=goal,
        description=OPEN_ACTION,
        owner=ActionOwner.FAMILY,
        family_member=jordan,
        due_on=due,
    )
    police_action = action_create(
        actor=actor,
        goal=goal,
        description=POLICE_ACTION,
        owner=ActionOwner.AGENCY,
        agency=world.police,
        due_on=due,
    )
    restricted_action = action_create(
        actor=actor,
        goal=restricted_goal,
        description=RESTRICTED_ACTION,
        owner=ActionOwner.AGENCY,
        agency=world.council,
        due_on=due,
    )
    plan.refresh_from_db()
    return PlanWorld(
        plan=plan,
        jordan=jordan,
        education=education,
        housing=housing,
        abuse=abuse,
        goal=goal,
        restricted_goal=restricted_goal,
        family_action=family_action,
        police_action=police_action,
        restricted_action=restricted_action,
    )


def date_fields(name: str, day: datetime.date | None) -> dict[str, str]:
    """A GOV.UK date input as posted: day, month and year (blank for None)."""
    if day is None:
        return {f"{name}_day": "", f"{name}_month": "", f"{name}_year": ""}
    return {
        f"{name}_day": str(day.day),
        f"{name}_month": str(day.month),
        f"{name}_year": str(day.year),
    }


def review_form_data(pw: PlanWorld, **overrides: Any) -> dict[str, Any]:
    """A complete review form: held today, every open goal rated, nothing else decided."""
    data: dict[str, Any] = {
        **date_fields("held_on", today()),
        "summary": "Jordan went to school 4 days out of 5.",
        "other_attendees": "Grandmother",
        "attendee_members": [str(pw.jordan.pk)],
        **date_fields("next_review_on", None),
    }
    for goal in pw.plan.goals.filter(status="open"):
        data[f"rating_{goal.pk}"] = "some_progress"
    for action in Action.objects.filter(plan=pw.plan):
        data[f"change_{action.pk}_version"] = str(action.version)
    for row in (1, 2, 3):
        data.update(date_fields(f"new_{row}_due_on", None))
    data.update(overrides)
    return data


def agreement_form_data(pw: PlanWorld, **overrides: Any) -> dict[str, Any]:
    plan = Plan.objects.get(pk=pw.plan.pk)
    return {
        **date_fields("agreed_on", today()),
        "signed_by": [str(pw.jordan.pk)],
        "method": "signed",
        "note": "Mum wants to add swimming next time",
        "plan_version": str(plan.version),
        **overrides,
    }


def counts() -> dict[str, int]:
    """Rows of everything this area writes: a denied request must change none."""
    models: list[type[Model]] = [
        Review,
        GoalRating,
        Agreement,
        CaseNote,
        PlanVersion,
        Action,
    ]
    return {model.__name__: model.objects.count() for model in models}


def pdf_text(data: bytes) -> str:
    """The text drawn in a PDF written with the built-in fonts: every content stream,
    inflated, with the string operands of its text operators joined."""
    chunks: list[str] = []
    # The end-of-line before "endstream" is left on the stream: a compressed stream may
    # itself end in a carriage return, and the inflater ignores what follows its end.
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", data, re.S):
        try:
            body = zlib.decompressobj().decompress(stream)
        except zlib.error:
            body = stream
        for literal in re.findall(rb"\(((?:\\.|[^\\)])*)\)", body):
            text = re.sub(rb"\\(.)", rb"\1", literal)
            chunks.append(text.decode("latin-1"))
    return " ".join(chunks)
